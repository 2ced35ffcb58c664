"""Issue 15 (immutable results) and issue 8 (precision at tiny costs).

Results are values: per-agent arrays are read-only, mappings cannot be changed,
equal results compare equal and hash alike, different ones differ.
Expected values by hand from the model (docs/model.rst): simplified accuracy, m* = (k/c^2)^(1/3);
Example 4.5: two agents of equal cost each contribute t_2 m* with t_2 = 2.
"""

from __future__ import annotations

import numpy as np
import pytest

from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import shaping_equilibrium, standard_equilibrium
from fedsym.paper.lone_agent import individual
from fedsym.paper.mechanisms import accuracy_shaping

pytestmark = pytest.mark.timeout(120)

A = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})


def test_equilibrium_arrays_are_read_only() -> None:
    eq = shaping_equilibrium(A, [0.001, 0.002])
    for name in ("costs", "contributions", "accuracies", "utilities"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(eq, name)[0] = 5.0


def test_the_callers_array_is_copied_not_frozen() -> None:
    """The result holds its own copy: the caller's costs stay writable and changing them changes nothing."""
    costs = np.array([0.001, 0.002])
    eq = standard_equilibrium(A, costs)
    costs[0] = 0.5
    assert eq.costs.tolist() == [0.001, 0.002]


def test_equal_equilibria_compare_and_hash_equal_different_ones_differ() -> None:
    one, same = shaping_equilibrium(A, [0.001, 0.002]), shaping_equilibrium(A, [0.001, 0.002])
    other = shaping_equilibrium(A, [0.001, 0.003])
    assert one == same and hash(one) == hash(same)
    assert one != other and len({one, same, other}) == 2


def test_individual_result_is_a_hashable_value() -> None:
    one, same = individual(A, "0.001"), individual(A, "0.001")
    assert one == same and hash(one) == hash(same)
    assert one != individual(A, "0.002")
    with pytest.raises(TypeError):
        one.method["optimal_data"] = "numeric"  # type: ignore[index]
    with pytest.raises(TypeError):
        one.closed_form["optimal_data"] = "0"  # type: ignore[index]


def test_shaping_mechanism_anchors_are_read_only() -> None:
    mechanism = accuracy_shaping(A, [0.001, 0.002])
    for array in (mechanism.anchors, mechanism.slopes, mechanism.anchor_accuracy):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0


@pytest.mark.parametrize("cost", [1e-100, 1e-120, 1e-200])
def test_tiny_equal_costs_keep_example_4_5_ratio(cost: float) -> None:
    """Example 4.5: t_2 = 2 whatever c, so each of two agents gives 2 m* = 2 c^(-2/3); a(M) - a(m*) is
    ~ c^(1/3) against a ~ 1 and would cancel at 40 digits (ratio 1.918 at 1e-120 before)."""
    eq = shaping_equilibrium(A, [cost, cost])
    assert eq.contributions / cost ** (-2 / 3) == pytest.approx([2.0, 2.0], rel=1e-12)


def test_unresolvable_verification_is_not_verified() -> None:
    """At c = 1e-120 every payment c_i m_i ~ 2e-40: a double-precision deviation search cannot tell a right
    profile from a wrong one (gains below its 1e-9 tolerance), so the result must not claim verified."""
    eq = shaping_equilibrium(A, [1e-120, 1e-120])
    assert not eq.verified and "payment" in eq.verification.note
    assert shaping_equilibrium(A, [0.001, 0.001]).verified


def test_an_equilibrium_of_agents_that_differ_is_a_value_too() -> None:
    """One result type (issue 18): agents that differ give an Equilibrium that compares, hashes and is read-only."""
    from fedsym.model.agent import Agent, Population
    from fedsym.paper.equilibrium import solve

    population = Population((Agent.of(A, 0.001), Agent.of(A, "0.0005*m + 1e-6*m**2", "0.01")))
    one, same = solve("shaping", population), solve("shaping", population)
    other = solve("shaping", population, "0.0001")
    assert one == same and hash(one) == hash(same) and one != other
    for name in ("contributions", "utilities", "joined", "lone_data", "lone_utility"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(one, name)[0] = 0
