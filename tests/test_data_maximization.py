"""Data maximization, Eq. (12) / Theorem 4.2: no feasible IR mechanism of the tested families collects more.

The Eq. (13) total (eps -> 0, Theorem 4.2 solver) is compared on random instances with the
equilibrium totals, found independently by best-response dynamics with global search, of:
the standard mechanism (Eq. (10)), partial sharing gamma_i = a(m_i + lambda m_-i), and linear
shaping with slopes f c_i, f != 1, anchored where a'(anchor) = f c_i (so the line is a tangent
of the concave a: IR by concavity, which the IR check confirms), and slopes 1.2 c_i from Eq. (13)'s
anchors m_i^* (a line steeper than the tangent: IR too).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import best_response_equilibrium, shaping_equilibrium, standard_equilibrium
from fedsym.paper.lone_agent import optimal_data_array
from fedsym.paper.mechanisms import (
    LinearShaping,
    PartialSharing,
    StandardMechanism,
    check_feasibility,
    check_individual_rationality,
)

A = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})

#: relative slack for the double-precision best-response totals
SLACK = 1e-7


def _competitors(costs: np.ndarray) -> list:
    families = [StandardMechanism(A)] + [PartialSharing(A, share) for share in (0.0, 0.4, 0.8)]
    for factor in (0.5, 1.05, 1.5, 3.0):
        slopes = factor * costs
        families.append(LinearShaping(A, optimal_data_array(A, slopes), slopes))
    families.append(LinearShaping(A, optimal_data_array(A, costs), 1.2 * costs))  # Eq. (13)'s anchors, steeper
    return families


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@given(st.lists(st.floats(3e-4, 5e-3), min_size=2, max_size=3), st.integers(0, 10**6))
def test_shaping_collects_at_least_as_much_as_other_feasible_ir_mechanisms(costs: list[float], seed: int) -> None:
    costs_array = np.array(costs)
    best = shaping_equilibrium(A, costs_array, verify=False).total
    assert best >= standard_equilibrium(A, costs_array, verify=False).total
    for mechanism in _competitors(costs_array):
        assert check_feasibility(mechanism, len(costs), samples=4, seed=seed, points=100).holds
        assert check_individual_rationality(mechanism, len(costs), samples=4, seed=seed, points=100).holds
        rival = best_response_equilibrium(mechanism, costs_array)
        assert rival.verified, (mechanism.name, rival.note)
        assert rival.total <= best * (1 + SLACK), (mechanism.describe(), rival.total, best)


def test_shaping_beats_free_riding_by_a_factor_with_equal_costs() -> None:
    """Example 4.5 vs Theorem 3.4: n = 4 agents of cost 0.001 give 4 t_4 m* under Eq. (13) against m* = 100."""
    costs = np.full(4, 0.001)
    shaped = shaping_equilibrium(A, costs).total
    free_riding = standard_equilibrium(A, costs).total
    assert free_riding == pytest.approx(100, rel=1e-14)
    assert shaped / free_riding == pytest.approx(4 * (3 - 2 / np.sqrt(4 * shaped / 400)), rel=1e-12)
