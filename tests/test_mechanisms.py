"""Mechanisms (Model §3-5): Eq. (10), Eq. (13), comparison families, feasibility and IR checks.

Expected values by hand from the model (docs/model.rst) with the simplified accuracy (Eq. (3)),
a_opt = 0.95, k = 1: m*(c) = c^(-2/3), so m*(0.001) = 100, a(100) = 0.75,
c_max = 0.95^3/27.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fedsym.core.errors import ParameterError
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.mechanisms import (
    FunctionMechanism,
    LinearShaping,
    Mechanism,
    PartialSharing,
    StandardMechanism,
    accuracy_shaping,
    check_feasibility,
    check_individual_rationality,
    parse_costs,
    parse_eps,
)

A = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
C_MAX = 0.95**3 / 27


def a(m: float) -> float:
    """Eq. (3) by hand."""
    return max(0.0, 0.95 - 2 / np.sqrt(m)) if m > 0 else 0.0


def test_standard_mechanism_gives_everyone_the_full_model_eq10() -> None:
    mech = StandardMechanism(A)
    profile = np.array([100.0, 50.0, 250.0])
    assert mech.gamma(1, np.array([0.0, 50.0]), profile) == pytest.approx([a(350), a(400)], rel=1e-15)


def test_shaping_curve_pieces_by_hand_eq13() -> None:
    """Eq. (13), c = 0.001 (m* = 100), others give 200: a(m) below 100, the line 0.75 + 0.001 (m - 100), then the cap."""
    mech = accuracy_shaping(A, [0.001, 0.001])
    curve = mech.curve(0, [0.0, 200.0])
    xs = np.array([50.0, 100.0, 150.0, 200.0, 300.0])
    expected = [a(50), 0.75, min(0.8, a(350)), 0.85, a(500)]
    assert curve(xs) == pytest.approx(expected, rel=1e-13)
    anchor, crossing = mech.kinks(0, [0.0, 200.0])
    assert anchor == pytest.approx(100, rel=1e-14)
    assert crossing == pytest.approx(200, rel=1e-12)  # 0.75 + 0.001*100 = 0.85 = a(400)


def test_shaping_priced_out_agent_starts_its_line_at_zero() -> None:
    """c >= c_max: m* = 0 and a(m*) = 0, so the line is (c + eps) m from the origin."""
    mech = accuracy_shaping(A, [0.05], eps=0.01)
    assert mech.anchors[0] == 0.0
    assert mech.gamma(0, np.array([1.0]), [0.0]) == pytest.approx([min(0.06, a(1.0))])


@settings(max_examples=20, deadline=None)
@given(costs=st.lists(st.floats(1e-4, 0.1), min_size=1, max_size=4),
       eps=st.sampled_from([0.0, 1e-5, 1e-3]), share=st.floats(0.0, 1.0), seed=st.integers(0, 100))
def test_shipped_mechanisms_are_feasible_and_ir_on_random_instances(costs: list[float], eps: float, share: float,
                                                                   seed: int) -> None:
    """Def. 3.1 and Def. 3.2: Eq. (10), Eq. (13) and partial sharing are feasible and IR (Model §3-5)."""
    for mech in (StandardMechanism(A), accuracy_shaping(A, costs, eps), PartialSharing(A, share)):
        for check in (check_feasibility, check_individual_rationality):
            report = check(mech, len(costs), samples=8, seed=seed, points=120)
            assert report.holds, report.to_dict()
            assert report.worst_violation <= report.tolerance


def test_ir_check_finds_a_line_below_the_accuracy() -> None:
    """A line of slope 0.001 anchored at m = 10, where a'(10) = 10^-1.5 > 0.001, falls below a: not IR."""
    report = check_individual_rationality(LinearShaping(A, [10.0, 10.0], [0.001, 0.001]), samples=5, points=100)
    assert not report.holds
    assert report.worst_violation > 0.1
    assert report.m_i > 10
    assert report.to_dict()["holds"] is False


def test_feasibility_check_finds_a_user_mechanism_that_promises_too_much() -> None:
    """gamma_i = a(m_i + 2 m_-i) exceeds a(sum m) whenever others contribute: infeasible (Def. 3.1)."""
    greedy = FunctionMechanism(A, lambda i, m_i, profile: A.a_np(m_i + 2 * (profile.sum() - profile[i])), "greedy")
    assert isinstance(greedy, Mechanism)
    report = check_feasibility(greedy, 2, samples=10, points=100)
    assert not report.holds and report.worst_violation > 1e-3 and report.others > 0
    assert check_individual_rationality(greedy, 2, samples=10, points=100).holds


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ParameterError, match="empty"):
        parse_costs([])
    with pytest.raises(ParameterError, match="cost #2"):
        parse_costs([0.1, 0])
    with pytest.raises(ParameterError, match="cost #1"):
        parse_costs(["-1e-3"])
    with pytest.raises(ParameterError, match="cost #1"):
        parse_costs(["nan"])
    with pytest.raises(ParameterError, match="eps"):
        parse_eps(-1e-9)
    with pytest.raises(ParameterError, match="eps"):
        accuracy_shaping(A, [0.001], eps="x")
    with pytest.raises(ParameterError, match="lambda"):
        PartialSharing(A, 1.5)
    with pytest.raises(ParameterError, match="2 agents"):
        accuracy_shaping(A, [0.001, 0.002]).check_size(3)
