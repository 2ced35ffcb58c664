"""A cost exactly at the viability threshold c_max gives m* = 0 on every path (Theorem 2.3, issue 19).

Theorem 2.3 splits at ``c_i >= c_max``: there the agent collects nothing.  At
``c = c_max`` both 0 and the tangent point give utility 0 and the paper's rule
chooses 0.  The scalar path (:func:`individual`) and the vectorized path
(:func:`optimal_data_array`, used for sweeps and fitted-curve bands) must agree
with the theorem there, so the test needs a cost that lands on ``c_max`` exactly
in binary: Eq. (3) with ``a_opt = 3/4`` and ``k = 1`` has, by hand,
``c_max = a_opt^3/(27 k) = (27/64)/27 = 1/64`` (Example 2.4), a dyadic rational.
"""

from __future__ import annotations

import numpy as np
import pytest

from fedsym.model.accuracy import FAMILIES
from fedsym.paper.lone_agent import individual, optimal_data_array

pytestmark = pytest.mark.timeout(60)

#: Eq. (3) at a_opt = 3/4, k = 1: c_max = a_opt^3/(27 k) = 1/64 exactly (hand derivation above)
C_MAX = 1 / 64


def interior_optimum(cost: float) -> float:
    """Example 2.4 by hand: a'(m) = sqrt(k) m^(-3/2) = c gives m* = (k/c^2)^(1/3), here k = 1."""
    return float((1 / cost**2) ** (1 / 3))


@pytest.fixture(scope="module")
def bound():
    return FAMILIES["simplified"].bind({"a_opt": "0.75", "k": "1"})


def test_c_max_is_binary_exact(bound):
    """Claim: the derived threshold is exactly 1/64 (else the boundary tests below test nothing)."""
    assert float(individual(bound, 1).viability_cost) == C_MAX


def test_scalar_path_collects_nothing_at_exactly_c_max(bound):
    """Claim: Theorem 2.3's rule c >= c_max gives m* = 0 and u* = 0 at c = c_max."""
    result = individual(bound, C_MAX)
    assert result.optimal_data == 0 and result.optimal_utility == 0


def test_vectorized_path_agrees_with_the_theorem_at_exactly_c_max(bound):
    """Claim: costs equal to c_max give 0 in the array path too, wherever they sit in the array; costs
    just below give the interior optimum (Example 2.4), costs above give 0 (Theorem 2.3)."""
    below = np.nextafter(C_MAX, 0)
    costs = np.array([C_MAX, C_MAX / 2, C_MAX, 2 * C_MAX, below, C_MAX])
    result = optimal_data_array(bound, costs)
    expected = [0.0, interior_optimum(C_MAX / 2), 0.0, 0.0, interior_optimum(below), 0.0]
    assert result.tolist() == pytest.approx(expected, rel=1e-12)
    assert result[0] == result[2] == result[5] == 0.0
    for cost, value in zip(costs, result):
        assert value == pytest.approx(float(individual(bound, float(cost)).optimal_data), rel=1e-12, abs=0)


def test_vectorized_path_with_a_single_cost_at_c_max(bound):
    """Claim: a one-element array at c_max gives 0 (no neighbour in the array to mask the boundary)."""
    assert optimal_data_array(bound, np.array([C_MAX])).tolist() == [0.0]
