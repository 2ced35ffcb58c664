"""rho-Shapley model rewards (Sim et al. 2020; Model §11 item 6): exact Shapley values and the equilibrium.

Expected values and their sources:

* two agents by hand from the definition phi_1 = V({1})/2 + (V({1,2}) - V({2}))/2 with
  V(S) = a(sum) of Eq. (3), a(m) = 0.95 - 2/sqrt(m): m = (100, 300) gives V(100) = 0.75,
  V(400) = 0.85, V(300) = 0.95 - 2/sqrt(300);
* any n <= 16: a brute force written here (every subset of the others as a bit mask, numpy),
  independent of the module's group counting and of its own enumeration;
* axioms: efficiency (sum phi_i = V(N)), symmetry (equal contributions, equal values), null player
  (m_i = 0 gives phi_i = 0);
* rho = 0 is standard FL (Model §11): gamma_i = a(M); its equilibrium total is the lone m* =
  (k/c^2)^(1/3) = 100 at a_opt 0.95, k 1, c 0.001 (Theorem 3.4, Example 2.4);
* rho = 1, four equal agents at m* = 100 each: giving less lowers phi_i/max phi below 1 and
  loses a share of V(N) = 0.85, giving more gains a'(400) = 400^(-3/2) = 1/8000 < c per point,
  so (100, 100, 100, 100) is an equilibrium (by hand).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from fedsym.check import CHECKED_MODULES
from fedsym.core.errors import ParameterError
from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.deviation import search_deviations
from fedsym.paper.equilibrium import solve
from fedsym.paper.mechanisms import StandardMechanism
from fedsym.paper.shapley import (
    EXACT_CLASS_LIMIT,
    RhoShapley,
    checks,
    group_shapley,
    rho_shapley,
    shapley_by_enumeration,
    shapley_values,
)

SIMPLIFIED = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
EQ2 = accuracy_function("generalization-bound").bind({"a_opt": "0.99", "k": "1", "b": "4"})


def brute_force(m: np.ndarray, worth) -> np.ndarray:
    """Shapley values from the definition: every subset of the others as a bit mask (written for this test)."""
    n = m.size
    phi = np.zeros(n)
    for i in range(n):
        others = np.delete(m, i)
        masks = np.arange(2 ** (n - 1))
        bits = (masks[:, None] >> np.arange(n - 1)[None, :]) & 1
        totals = bits @ others
        size = bits.sum(axis=1)
        weight = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in size])
        phi[i] = np.sum(weight * (worth(totals + m[i]) - worth(totals)))
    return phi


def test_two_agents_by_hand():
    v100, v300, v400 = 0.75, 0.95 - 2 / math.sqrt(300), 0.85
    phi = shapley_values(np.array([100.0, 300.0]), SIMPLIFIED.a_np)
    assert phi.exact
    assert phi.values == pytest.approx([v100 / 2 + (v400 - v300) / 2, v300 / 2 + (v400 - v100) / 2], rel=1e-14)


@pytest.mark.parametrize("profile", [
    [40.0, 40.0, 40.0, 120.0, 120.0, 300.0, 0.0, 9.0],           # groups, a null player, one below m_0
    [200.0, 350.0, 350.0, 1000.0, 1000.0, 1000.0, 5.0, 5.0, 2.0, 700.0, 700.0, 700.0, 700.0, 60.0, 60.0, 3000.0],
    list(np.geomspace(3.0, 5000.0, 12)),                           # all distinct: 2^11 classes per agent
])
@pytest.mark.parametrize("worth", [SIMPLIFIED.a_np, EQ2.a_np], ids=["Eq3", "Eq2"])
def test_group_counting_equals_enumeration(profile, worth):
    m = np.array(profile)
    expected = brute_force(m, worth)
    assert shapley_values(m, worth).values == pytest.approx(expected, rel=1e-11, abs=1e-15)
    if m.size <= 8:
        assert shapley_by_enumeration(m, worth) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_axioms_and_null_player():
    m = np.array([0.0, 30.0, 30.0, 500.0, 0.0, 75.0])
    phi = shapley_values(m, EQ2.a_np).values
    assert phi[[0, 4]] == pytest.approx([0.0, 0.0], abs=1e-15)
    assert phi[1] == phi[2]
    assert phi.sum() == pytest.approx(float(EQ2.a_np(np.array([m.sum()]))[0]), rel=1e-13)


def test_n_6000_two_groups_exact_and_stable():
    """Efficiency at n = 6000 (log-gamma weights: factorials of 6000 overflow doubles), and the larger
    contribution has the larger value; within the 2 s target (generous margin on a shared machine)."""
    m = np.r_[np.full(3000, 50.0), np.full(3000, 200.0)]
    start = time.perf_counter()
    phi = shapley_values(m, SIMPLIFIED.a_np)
    seconds = time.perf_counter() - start
    assert phi.exact and phi.classes == 2 * 3000 * 3001
    assert np.all(np.isfinite(phi.values))
    assert phi.values.sum() == pytest.approx(float(SIMPLIFIED.a_np(np.array([m.sum()]))[0]), rel=1e-10)
    assert 0 < phi.values[0] < phi.values[-1]
    assert seconds < 10


def test_sampling_beyond_the_threshold_covers_the_exact_values():
    m = np.array([3.0, 20.0, 20.0, 80.0, 80.0, 80.0, 400.0, 1000.0])
    exact = brute_force(m, SIMPLIFIED.a_np)
    few = shapley_values(m, SIMPLIFIED.a_np, max_classes=0, samples=400, seed=1)
    many = shapley_values(m, SIMPLIFIED.a_np, max_classes=0, samples=6400, seed=1)
    assert not few.exact and few.samples == 400 and "permutation" in few.method
    assert np.all(np.abs(many.values - exact) <= 2 * many.half_width + 1e-15)
    # the interval shrinks like 1/sqrt(samples): 16 times the orders, about a quarter of the width
    assert np.max(many.half_width) == pytest.approx(np.max(few.half_width) / 4, rel=0.35)


def test_threshold_is_exact():
    m = np.array([1.0, 2.0, 3.0])  # three groups of one: 3 * 2 * 2 = 12 classes
    assert shapley_values(m, SIMPLIFIED.a_np, max_classes=12).exact
    assert not shapley_values(m, SIMPLIFIED.a_np, max_classes=11).exact
    assert EXACT_CLASS_LIMIT >= 2 * 3000 * 3001


def test_group_shapley_refuses_empty_groups():
    with pytest.raises(ParameterError):
        group_shapley([2, 0], [1.0, 2.0], SIMPLIFIED.a_np)


def test_rho_zero_is_standard_fl():
    curve = Agent.paper(SIMPLIFIED, "0.001")
    mechanism, standard = RhoShapley(curve, 0.0), StandardMechanism(SIMPLIFIED)
    rng = np.random.default_rng(3)
    for _ in range(5):
        profile = rng.uniform(0, 300, 5)
        for i in range(5):
            x = np.linspace(0, 500, 7)
            assert mechanism.gamma(i, x, profile) == pytest.approx(standard.gamma(i, x, profile), abs=1e-15)
    population = Population((Agent.paper(SIMPLIFIED, "0.001", count=4),))
    result = rho_shapley(population, 0)
    assert result.mechanism == "shapley(rho=0)"
    assert result.total == pytest.approx(solve("standard", population).total, rel=1e-6)
    assert result.total == pytest.approx(100.0, rel=1e-6)
    assert result.verified


def test_rho_one_equal_agents_by_hand():
    population = Population((Agent.paper(SIMPLIFIED, "0.001", count=4),))
    result = rho_shapley(population, 1)
    assert result.contributions == pytest.approx([100.0] * 4, rel=1e-6)
    assert result.accuracies == pytest.approx([0.85] * 4, rel=1e-9)
    assert result.utilities == pytest.approx([0.75] * 4, rel=1e-6)
    assert result.verified and result.joined.all() and not result.unique
    assert "uniqueness is not established" in result.note and "no data" in result.note


def test_rewards_proportional_to_shapley_for_rho_one():
    curve = Agent.paper(SIMPLIFIED, "0.001")
    profile = np.array([100.0, 300.0])
    v100, v300, v400 = 0.75, 0.95 - 2 / math.sqrt(300), 0.85
    phi1, phi2 = v100 / 2 + (v400 - v300) / 2, v300 / 2 + (v400 - v100) / 2
    assert RhoShapley(curve, 1.0).rewards(0, 100.0, profile)[0] == pytest.approx(phi1 / phi2 * v400, rel=1e-13)
    assert RhoShapley(curve, 0.5).rewards(0, 100.0, profile)[0] == pytest.approx((phi1 / phi2) ** 0.5 * v400,
                                                                                  rel=1e-13)
    assert RhoShapley(curve, 1.0).rewards(1, 300.0, profile)[0] == pytest.approx(v400, rel=1e-14)


def test_verifier_finds_a_profitable_deviation():
    """At (50, 100, 100, 100) under rho = 1 the first agent gains by moving to 100 (by hand: its ratio
    rises to 1), so the same search that verifies the equilibrium must refuse this profile."""
    curve = Agent.paper(SIMPLIFIED, "0.001")
    mechanism = RhoShapley(curve, 1.0)
    profile = np.array([50.0, 100.0, 100.0, 100.0])
    rewards = np.array([mechanism.rewards(i, profile[i], profile)[0] for i in range(4)])
    utilities = rewards - 0.001 * profile
    check = search_deviations(lambda i: (lambda x: mechanism.rewards(i, x, profile) - 0.001 * x), profile,
                              utilities, np.zeros(4), np.full(4, 1000.0), profile[:, None], points=801)
    assert not check.verified and check.worst_agent == 0
    assert check.best_deviation == pytest.approx(100.0, rel=1e-3)


def test_bad_input():
    population = Population((Agent.paper(SIMPLIFIED, "0.001"), Agent.paper(EQ2, "0.001")))
    with pytest.raises(ParameterError, match="one accuracy"):
        rho_shapley(population, 0.5)
    for rho in (-0.1, 1.5, "x"):
        with pytest.raises(ParameterError, match="rho"):
            RhoShapley(Agent.paper(SIMPLIFIED, "0.001"), rho)
    with pytest.raises(ParameterError, match="joining"):
        rho_shapley(Population((Agent.of(SIMPLIFIED, 0.001, joining=0.01),)), 0.5)


def test_checks_registered_and_pass():
    assert "fedsym.paper.shapley" in CHECKED_MODULES
    rows = checks()
    assert rows and all(row.passed for row in rows)


def test_rewards_refuse_too_many_classes(monkeypatch):
    import fedsym.paper.shapley as module
    from fedsym.core.errors import ComputationError

    monkeypatch.setattr(module, "EXACT_CLASS_LIMIT", 11)
    mechanism = RhoShapley(Agent.paper(SIMPLIFIED, "0.001"), 1.0)
    assert mechanism.rewards(0, 1.0, np.array([1.0, 2.0, 2.0]))[0] > 0  # others one group of 2, plus i: 2*2 + 3*1 = 7 classes
    with pytest.raises(ComputationError, match="coalition classes"):
        mechanism.rewards(0, 1.0, np.array([1.0, 2.0, 3.0]))  # three groups of one: 3 * (2*2) = 12


def test_shapley_values_are_read_only():
    phi = shapley_values(np.array([100.0, 300.0]), SIMPLIFIED.a_np)
    with pytest.raises(ValueError):
        phi.values[0] = 1.0


def test_reports_the_larger_of_two_verified_equilibria_and_names_the_other():
    """Three costs, rho = 1: the dynamics from the lone optima and from no data stop at different profiles
    (both verified); Model §11 asks for the data-maximizing one, the other named.  The smaller one is what the
    dynamics from the lone optima alone give (verify=False runs only that start)."""
    population = Population(tuple(Agent.paper(SIMPLIFIED, c) for c in ("0.001", "0.0015", "0.003")))
    result = rho_shapley(population, 1)
    lone_start = rho_shapley(population, 1, verify=False)
    assert result.verified and not lone_start.verified
    assert result.total > lone_start.total * 1.05
    assert f"M = {lone_start.total:.10g}, an equilibrium too (verified)" in result.other_equilibria
    assert "reported: the one reached from no data" in result.note
