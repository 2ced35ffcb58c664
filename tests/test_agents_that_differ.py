"""Agents that differ (Model §8): reduction to the paper, closed forms, done-when cases, joining costs.

Expected values come from the paper's own solvers (Model §4-§5, separate code),
from the model (docs/model.rst) formulas solved here by hand-written mpmath bisection or brute-force
grid search, never from the solver under test.
"""

from __future__ import annotations

import json

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fedsym.cli import main
from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population, load_agents
from fedsym.paper.agents_that_differ import (
    Cohort,
    HeterogeneousShaping,
    lone_agent,
)
from fedsym.paper.agents_that_differ.solve import shaping_population, standard_population
from fedsym.paper.equilibrium import shaping_equilibrium, standard_equilibrium
from fedsym.paper.mechanisms import check_feasibility, check_individual_rationality

pytestmark = pytest.mark.timeout(120)

SIMPLIFIED = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})


def a_simplified(m: mp.mpf, a_opt: str = "0.95", k: str = "1") -> mp.mpf:
    """Eq. (3) typed in here: a(m) = max(0, a_opt - 2 sqrt(k/m))."""
    m = mp.mpf(m)
    return max(mp.mpf(0), mp.mpf(a_opt) - 2 * mp.sqrt(mp.mpf(k) / m)) if m > 0 else mp.mpf(0)


def bisect(f, lo, hi, steps=200):
    """Plain bisection for a sign change of f on [lo, hi] (mpmath)."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    flo = f(lo)
    for _ in range(steps):
        mid = (lo + hi) / 2
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return (lo + hi) / 2


def write_agents(tmp_path, records) -> str:
    path = tmp_path / "agents.json"
    path.write_text(json.dumps(records))
    return str(path)


def paper_population(bound, costs) -> Population:
    return Population(tuple(Agent.paper(bound, str(c)) for c in costs))


# -- reduction to the paper -------------------------------------------------------------------------

@pytest.mark.parametrize("family", ["simplified", pytest.param("generalization-bound", marks=pytest.mark.slow)])
def test_shaping_reduces_to_theorem_4_2(family):
    """Identical accuracy, linear costs, v = a, J = 0: Model §8 is §5; expected from shaping_equilibrium."""
    bound = accuracy_function(family).bind({"a_opt": "0.95", "k": "1"})
    costs = [0.001, 0.002, 0.0005, 0.002]
    expected = shaping_equilibrium(bound, costs, verify=False)
    result = shaping_population(paper_population(bound, costs))
    assert result.verified
    assert result.joined.all() and result.other_equilibria == ""
    np.testing.assert_allclose(result.contributions, expected.contributions, rtol=1e-12)
    np.testing.assert_allclose(result.utilities, expected.utilities, rtol=1e-12)


def test_shaping_reduces_to_remark_4_4():
    """Every agent priced out alone (c = 0.05 > c_max): the positive root of Remark 4.4 (expected from
    shaping_equilibrium) and no data at all as a second equilibrium."""
    expected = shaping_equilibrium(SIMPLIFIED, [0.05] * 10, verify=False)
    result = shaping_population(Population((Agent.paper(SIMPLIFIED, "0.05", count=10),)))
    assert expected.zero_is_equilibrium and result.zero_is_equilibrium
    np.testing.assert_allclose(result.contributions, expected.contributions, rtol=1e-12)
    assert result.verified and "M = 0 (no data at all)" in result.other_equilibria


def test_standard_reduces_to_theorem_3_4():
    """Identical accuracy, linear costs: only the cheapest contributes its m* (expected from standard_equilibrium)."""
    costs = [0.002, 0.001, 0.004]
    expected = standard_equilibrium(SIMPLIFIED, costs, verify=False)
    result = standard_population(paper_population(SIMPLIFIED, costs))
    assert result.verified and result.unique
    np.testing.assert_allclose(result.contributions, expected.contributions, rtol=1e-12, atol=1e-9)


# -- Theorem 2.3 generalized ---------------------------------------------------------------------------

def test_closed_form_quadratic_cost_against_ternary_search():
    """Model §8: Eq. (3), v = id, C = c m^2 gives m* = (sqrt(k)/(2c))^(2/5); checked by a ternary search on u."""
    c = mp.mpf("2e-7")
    result = lone_agent(Agent.of(SIMPLIFIED, "2e-7*m**2"))
    assert result.method["optimal_data"] == "closed-form"
    with mp.workdps(40):
        lo, hi = mp.mpf(5), mp.mpf(10) ** 5
        u = lambda m: a_simplified(m) - c * m**2  # noqa: E731
        for _ in range(300):
            a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
            lo, hi = (a, hi) if u(a) < u(b) else (lo, b)
        searched = (lo + hi) / 2
    formula = (mp.sqrt(1) / (2 * c)) ** (mp.mpf(2) / 5)
    assert float(result.optimal_data) == pytest.approx(float(formula), rel=1e-14)
    assert float(result.optimal_data) == pytest.approx(float(searched), rel=1e-9)
    assert float(result.optimal_utility) == pytest.approx(float(u(formula)), rel=1e-14)
    # the vectorized cohort path agrees
    cohort = Cohort.of(Population((Agent.of(SIMPLIFIED, "2e-7*m**2"),)))
    assert cohort.lone.data[0] == pytest.approx(float(formula), rel=1e-12)


def test_viability_cost_of_quadratic_cost_by_hand():
    """sup_m (a_opt - 2 sqrt(k/m)) / m^2: tangent 5 sqrt(k m) = 2 a_opt m, so c_max = 16 a_opt^5 / (3125 k^2)."""
    result = lone_agent(Agent.of(SIMPLIFIED, "1e-7*m**2"))
    assert float(result.viability_cost) == pytest.approx(16 * 0.95**5 / 3125, rel=1e-14)


def test_nonconcave_value_is_found_by_global_search():
    """v(a) = a^4 makes w = v o a convex just above m_0: the result says 'global search' and m*, u* match a
    brute-force maximisation of (0.95 - 2/sqrt(m))^4 - 0.001 m on a log grid of 2e6 points."""
    result = lone_agent(Agent.of(SIMPLIFIED, 0.001, value="a**4"))
    grid = np.geomspace(4 / 0.95**2, 1e6, 2_000_001)
    utility = (0.95 - 2 / np.sqrt(grid)) ** 4 - 0.001 * grid
    assert result.method["optimal_data"] == "global search" and "global search" in result.note
    assert float(result.optimal_data) == pytest.approx(grid[np.argmax(utility)], rel=1e-5)
    assert float(result.optimal_utility) == pytest.approx(utility.max(), rel=1e-10)


# -- the done-when cases ----------------------------------------------------------------------------------

def test_done_when_linear_costs_give_200_each(tmp_path, capsys):
    """Two agents simplified(0.95, 1), cost 0.001*m: Example 4.5 with t_2 = 2, m* = 100 gives [200, 200]."""
    path = write_agents(tmp_path, [{"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.001*m",
                                    "value": "a"}] * 2)
    assert main(["equilibrium", "--agents", path, "--mechanism", "shaping", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["contributions"] == pytest.approx([200.0, 200.0], rel=1e-12)
    assert data["joined"] == [True, True] and data["other_equilibria"] == "" and data["verified"]


MIXED = [{"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.0005*m + 1e-6*m**2"},
         {"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.001*m"}]


def _independent_mixed_shaping(eps: str = "0") -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    """Model §8 by hand: m1* from the FOC m^(-3/2) = 0.0005 + 2e-6 m, m2* = 100; then m̄_i(M) from
    C_i(m) - C_i(m_i*) + eps (m - m_i*) = a(M) - a(m_i*) (a quadratic and a linear equation); M = m̄_1 + m̄_2."""
    with mp.workdps(30):
        e = mp.mpf(eps)
        m1 = bisect(lambda m: m ** mp.mpf(-1.5) - mp.mpf("0.0005") - 2 * mp.mpf("1e-6") * m, 5, 1000)
        b, q = mp.mpf("0.0005") + e, mp.mpf("1e-6")

        def bars(total):
            target = b * m1 + q * m1**2 + a_simplified(total) - a_simplified(m1)
            bar1 = (-b + mp.sqrt(b**2 + 4 * q * target)) / (2 * q)
            return bar1, 100 + (a_simplified(total) - a_simplified(100)) / (mp.mpf("0.001") + e)

        total = bisect(lambda t: sum(bars(t)) - t, 300, 5000)
        return (total, *bars(total))


def test_done_when_mixed_costs_match_independent_bisection(tmp_path, capsys):
    """Costs 0.0005*m + 1e-6*m^2 and 0.001*m under shaping: the fixed point solved here from Model §8."""
    path = write_agents(tmp_path, MIXED)
    assert main(["equilibrium", "--agents", path, "--mechanism", "shaping", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    total, bar1, bar2 = _independent_mixed_shaping()
    assert data["verified"] and data["joined"] == [True, True]
    assert data["contributions"] == pytest.approx([float(bar1), float(bar2)], rel=1e-12)
    assert data["total"] == pytest.approx(float(total), rel=1e-12)
    assert data["theorem_4_6_gap"] <= 1e-12


def test_done_when_mixed_costs_brute_force_best_responses():
    """With eps = 1e-4 (a strict incentive along the line): the solver matches the hand bisection, and each
    agent's best response to the other's contribution, by a grid search over the hand-written generalized
    Eq. (13), is its own contribution (brute force, no solver code)."""
    eps = 1e-4
    total, bar1, bar2 = (float(x) for x in _independent_mixed_shaping(str(eps)))
    result = shaping_population(load_agents_from(MIXED), eps)
    np.testing.assert_allclose(result.contributions, [bar1, bar2], rtol=1e-12)
    with mp.workdps(20):
        m1 = float(bisect(lambda m: m ** mp.mpf(-1.5) - mp.mpf("0.0005") - 2 * mp.mpf("1e-6") * m, 5, 1000))
    a = lambda m: np.where(m > 4 / 0.95**2, 0.95 - 2 / np.sqrt(np.maximum(m, 1e-300)), 0.0)  # noqa: E731
    agents = [(lambda m: 0.0005 * m + 1e-6 * m**2, m1, bar2), (lambda m: 0.001 * m, 100.0, bar1)]
    grid = np.linspace(0.0, 3000.0, 3_000_001)
    for (cost, anchor, others), claimed in zip(agents, (bar1, bar2)):
        line = a(np.array(anchor)) + cost(grid) - cost(anchor) + eps * (grid - anchor)
        gamma = np.where(grid <= anchor, a(grid), np.minimum(line, a(grid + others)))
        utility = gamma - cost(grid)
        assert grid[np.argmax(utility)] == pytest.approx(claimed, abs=2e-3)


def test_standard_with_convex_and_linear_costs_by_hand():
    """Eq. (10) generalized: the convex agent gives (C')^{-1}(a'(M)) = its own m1* ~ 121.8 since the linear
    agent's stopping point (a'(M) = 0.001 at M = 100) lies below; the linear agent free-rides."""
    result = standard_population(load_agents_from(MIXED))
    with mp.workdps(30):
        m1 = bisect(lambda m: m ** mp.mpf(-1.5) - mp.mpf("0.0005") - 2 * mp.mpf("1e-6") * m, 5, 1000)
    assert result.verified
    np.testing.assert_allclose(result.contributions, [float(m1), 0.0], rtol=1e-12, atol=1e-12)


def load_agents_from(records) -> Population:
    from fedsym.model.agent import agents_from_records

    return agents_from_records(records)


# -- joining costs ---------------------------------------------------------------------------------------

def test_joining_cost_nobody_joining_is_an_equilibrium_too():
    """Ten agents with c = 0.05 > c_max (m* = 0) and J = 0.1: the largest fixed point solves
    M = 10 (a(M) - 0.1)/0.05, i.e. x^3 - 170 x + 400 = 0 with x = sqrt(M) (mpmath polyroots);
    nobody joining (M = 0) is a fixed point and an equilibrium too."""
    population = Population((Agent.of(SIMPLIFIED, 0.05, "0.1", count=10),))
    result = shaping_population(population)
    roots = sorted(float(x.real) ** 2 for x in mp.polyroots([1, 0, -170, 400]) if x.real > 0)
    assert result.total == pytest.approx(roots[-1], rel=1e-12)
    assert result.verified and result.joined.all()
    assert "M = 0 (no data at all)" in result.other_equilibria and "equilibrium too (verified)" in result.other_equilibria
    assert result.zero_is_equilibrium and not result.unique


THREE_JOINING = [{"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.001*m",
                  "joining_cost": j} for j in (0, 0.05, 0.5)]


def _three_joining_by_hand() -> tuple[float, float, float]:
    """Model §8 by hand for THREE_JOINING (Eq. (3), m* = (sqrt(k)/c)^(2/3) = 100, a(m*) = 0.75, u* = 0.65):
    agent 3 never joins (a(M) - a(100) < 0.2 < J_3 = 0.5), so M counts agents 1 and 2 only, each giving
    m̄_i = 100 + (a(M) - 0.75 - J_i)/0.001; M = m̄_1 + m̄_2 = 550 - 4000/sqrt(M), i.e. with s = sqrt(M)
    s^3 - 550 s + 4000 = 0, largest root (mpmath polyroots, not the solver under test)."""
    s = max(float(x.real) for x in mp.polyroots([1, 0, -550, 4000]) if abs(x.imag) < 1e-20)
    first = 100 + (0.2 - 2 / s) * 1000
    return s * s, first, first - 50


def test_non_joiner_works_alone_and_shares_nothing():
    """Model §8 (issue 19): a non-joiner works alone at m_i* = 100 with u* = 0.65 and shares none of its
    data; agents 1 and 2 join and give 189.855... and 139.855... (total 329.71)."""
    total, first, second = _three_joining_by_hand()
    assert total == pytest.approx(329.71, abs=0.005) and first == pytest.approx(189.855, abs=0.001)
    agents = tuple(Agent.of(SIMPLIFIED, 0.001, j) for j in ("0", "0.05", "0.5"))
    result = shaping_population(Population(agents))
    assert result.joined.tolist() == [True, True, False]
    assert result.total == pytest.approx(total, rel=1e-12)
    np.testing.assert_allclose(result.contributions, [first, second, 0.0], rtol=1e-12, atol=1e-12)
    assert result.lone_data[2] == pytest.approx(100.0, rel=1e-12)
    assert result.utilities[2] == pytest.approx(0.65, rel=1e-12)
    # Theorem 4.6 at eps = 0: each joiner gets exactly its lone utility u* = 0.65
    np.testing.assert_allclose(result.utilities, [0.65] * 3, rtol=1e-12)
    assert result.verified
    # a smaller fixed point is reported: agent 1 alone at M = 100 (M = 100 + (a(M) - 0.75)/0.001 at s = 10
    # of s^3 - 300 s + 2000 = 0, where agent 2 stays out: a(100) - 0.75 = 0 < J_2 = 0.05)
    assert "M = 100" in result.other_equilibria


def test_non_joiner_on_the_command_line(tmp_path, capsys):
    """The same three agents from an agents file: JSON and text say agent 3 stays alone and shares nothing."""
    total, first, second = _three_joining_by_hand()
    path = write_agents(tmp_path, THREE_JOINING)
    assert main(["equilibrium", "--agents", path, "--mechanism", "shaping", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["joined"] == [True, True, False] and data["verified"] is True
    assert data["contributions"] == pytest.approx([first, second, 0.0], rel=1e-12, abs=1e-12)
    assert data["total"] == pytest.approx(total, rel=1e-12)
    assert data["lone_optimal_data"][2] == pytest.approx(100.0, rel=1e-12)
    assert main(["equilibrium", "--agents", path, "--mechanism", "shaping"]) == 0
    text = capsys.readouterr().out
    assert "329.7" in text and "joined: 2 of 3" in text and "verified: max gain from deviating or leaving" in text


def test_agents_summary_json_has_ranges_not_lists(tmp_path, capsys):
    """--summary is honoured with --agents --json (issue 18): ranges and counts, no per-agent lists."""
    total, first, _ = _three_joining_by_hand()
    path = write_agents(tmp_path, THREE_JOINING)
    assert main(["equilibrium", "--agents", path, "--mechanism", "shaping", "--json", "--summary"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "contributions" not in data and "joined" not in data
    assert data["contributions_range"] == pytest.approx([0.0, first], rel=1e-12, abs=1e-12)
    assert data["joined_count"] == 2 and data["total"] == pytest.approx(total, rel=1e-12)
    assert {"verified", "max_deviation_gain", "other_equilibria"} <= set(data)


def test_deviation_tolerance_is_relative_to_the_utilities():
    """Issue 18: the tolerance is Settings.deviation_tolerance * max(1, scale), scale the utilities'.
    Example 4.5 in value units of 1e5 (v = 1e5 a, C = 100 m = 1e5 * 0.001 m): the same contributions [200, 200]
    (t_2 = 2, m* = 100), utilities u* = 1e5 (0.95 - 0.2 - 0.1) = 65000 by hand, so the tolerance is 6.5e-5."""
    from fedsym.core.settings import using_settings
    from fedsym.paper.deviation import deviation_tolerance

    assert deviation_tolerance(0.5) == 1e-9 and deviation_tolerance(2e4) == pytest.approx(2e-5, rel=1e-15)
    population = Population((Agent.of(SIMPLIFIED, "100*m", 0, "100000*a", count=2),))
    result = shaping_population(population)
    np.testing.assert_allclose(result.contributions, [200.0, 200.0], rtol=1e-12)
    np.testing.assert_allclose(result.utilities, [65000.0, 65000.0], rtol=1e-12)
    assert result.verified and result.verification.tolerance == pytest.approx(6.5e-5, rel=1e-12)
    with using_settings(deviation_tolerance=1e-12):
        assert shaping_population(population).verification.tolerance == pytest.approx(6.5e-8, rel=1e-12)


def test_solve_takes_the_papers_fast_path_for_the_papers_agents():
    """One entry point (issue 18): a population of the paper's agents is solved by Theorem 4.2's reduction
    (Example 4.5: [200, 200]), and still says who joins (everybody) and the lone optima m* = 100, u* = 0.65
    (Example 2.4 by hand); the general solver of Model §8 gives the same contributions."""
    from fedsym.paper.equilibrium import solve

    population = Population((Agent.paper(SIMPLIFIED, "0.001", count=2),))
    result = solve("shaping", population)
    assert result.method == "Theorem 4.2 (1-D reduction)" and result.verified
    np.testing.assert_allclose(result.contributions, [200.0, 200.0], rtol=1e-12)
    assert result.joined is not None and result.joined.tolist() == [True, True]
    np.testing.assert_allclose(result.lone_data, [100.0, 100.0], rtol=1e-12)
    np.testing.assert_allclose(result.lone_utility, [0.65, 0.65], rtol=1e-12)
    np.testing.assert_allclose(shaping_population(population).contributions, result.contributions, rtol=1e-12)
    assert solve("standard", population) == solve("standard", population)


def test_verifier_rejects_a_profile_short_of_the_best_response():
    """The verifier can fail: two paper agents (c = 0.001, m* = 100, u* = 0.65) under shaping with eps = 1e-4.
    Agent 1 giving 50 points less than its equilibrium m̄ stays on its line, U = u* + eps (x - m*) (Model §8,
    Theorem 4.6's identity), so moving back to m̄ gains exactly 50 eps = 5e-3 by hand (agent 2 is given an
    unattainable claimed utility, so only agent 1's search is judged)."""
    from fedsym.paper.agents_that_differ.solve import verify_population

    eps = 1e-4
    cohort = Cohort.of(Population((Agent.of(SIMPLIFIED, 0.001, count=2),)))
    solved = shaping_population(cohort, eps)
    bar = float(solved.contributions[0])
    assert solved.verified
    profile = np.array([bar - 50, bar])
    utilities = np.array([0.65 + eps * (bar - 50 - 100), 10.0])
    check = verify_population(cohort, "shaping", profile, np.array([True, True]), utilities, eps)
    assert not check.verified
    assert check.worst_agent == 0 and check.max_deviation_gain == pytest.approx(50 * eps, rel=1e-6)


def test_values_differing_by_a_factor_share_a_curve():
    """v_2 = 2 a with C_2 = 0.002 m is agent 1's problem (v = a, C = 0.001 m) times 2: both give Example 4.5's
    200 (t_2 = 2, m* = 100) and agent 2's utility is twice 0.65 (by hand); the two agents share one curve."""
    population = Population((Agent.of(SIMPLIFIED, 0.001), Agent.of(SIMPLIFIED, 0.002, 0, "2*a")))
    assert len(Cohort.of(population).curves) == 1
    result = shaping_population(population)
    np.testing.assert_allclose(result.contributions, [200.0, 200.0], rtol=1e-12)
    np.testing.assert_allclose(result.utilities, [0.65, 1.3], rtol=1e-12)
    assert result.verified


def test_standard_agent_with_a_high_joining_cost_stays_alone():
    """By hand (Model §4, §8): agent 1 (c = 0.001) gives its m* = 100; agent 2 (c = 0.002, J = 0.3) would
    free-ride at a(100) - J = 0.45 < u* = 0.95 - 3 (0.002)^(1/3) (Example 2.4), so it trains alone."""
    agents = (Agent.of(SIMPLIFIED, 0.001), Agent.of(SIMPLIFIED, 0.002, "0.3"))
    result = standard_population(Population(agents))
    assert result.joined.tolist() == [True, False] and result.verified
    np.testing.assert_allclose(result.contributions, [100.0, 0.0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.utilities, [0.65, 0.95 - 3 * 0.002 ** (1 / 3)], rtol=1e-12)


def test_standard_with_non_polynomial_costs_satisfies_first_order_conditions():
    """Eq. (10) generalized with C = 1e-4 m log(1+m) (two agents, Eq. (3)) and C = exp(m/1000) - 1 (an
    exponential learning curve): at the total M each contributor's C_i'(m_i) equals a_i'(M), derivatives typed
    in here; the linear-cost agent (c = 0.001 > a'(M)) gives nothing."""
    exponential = accuracy_function("a_opt*(1 - exp(-m/k))").bind({"a_opt": "0.9", "k": "300"})
    agents = (Agent.of(SIMPLIFIED, "0.0001*m*log(1+m)", count=2), Agent.of(exponential, "exp(m/1000)-1"),
              Agent.of(SIMPLIFIED, 0.001))
    result = standard_population(Population(agents))
    total, (m1, _, m3, m4) = result.total, result.contributions
    assert result.verified and m4 == 0
    assert 1e-4 * (np.log1p(m1) + m1 / (1 + m1)) == pytest.approx(total**-1.5, rel=1e-10)
    assert np.exp(m3 / 1000) / 1000 == pytest.approx(0.9 / 300 * np.exp(-total / 300), rel=1e-10)
    assert total == pytest.approx(2 * m1 + m3, rel=1e-14)


# -- mechanism object and properties -----------------------------------------------------------------------

def test_mechanism_is_feasible_and_individually_rational():
    """Def. 3.1 and 3.2 hold for the generalized Eq. (13) with two accuracy curves and a RealFM value."""
    power = accuracy_function("power-law").bind({"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"})
    agents = (Agent.of(SIMPLIFIED, "0.001*m", value="(1-a)**(-2)-1"), Agent.of(power, "0.0005*m + 1e-6*m**2", "0.05"),
              Agent.of(SIMPLIFIED, "0.002*m"))
    mechanism = HeterogeneousShaping(Cohort.of(Population(agents)))
    assert check_feasibility(mechanism, samples=8, points=100).holds
    assert check_individual_rationality(mechanism, samples=8, points=100).holds


def test_quadratic_cohort_matches_population_path():
    """Cohort.quadratic_costs (arrays, for large n) and Population give the same equilibrium."""
    agents = (Agent.of(SIMPLIFIED, "0.0005*m + 1e-6*m**2"), Agent.of(SIMPLIFIED, "0.001*m"))
    expected = shaping_population(Population(agents), verify=False)
    cohort = Cohort.quadratic_costs([Agent.of(SIMPLIFIED, 1)], [0, 0], [0.0005, 0.001], [1e-6, 0.0])
    result = shaping_population(cohort, verify=False)
    np.testing.assert_allclose(result.contributions, expected.contributions, rtol=1e-13)


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.floats(0.3, 5.0), st.floats(1e-4, 1e-2), st.floats(0.0, 1e-6)), min_size=1, max_size=4))
def test_shaping_collects_at_least_as_much_data_as_standard(agents):
    """Property (Eq. (12) generalized): the shaping total is >= the standard-FL total for random populations."""
    bound = {k: accuracy_function("simplified").bind({"a_opt": "0.9", "k": f"{k:.3g}"}) for k, _, _ in agents}
    population = Population(tuple(Agent.of(bound[k], f"{c1:.4g}*m + {c2:.4g}*m**2" if c2 > 0 else c1)
                                  for k, c1, c2 in agents))
    shaping = shaping_population(population, verify=False)
    standard = standard_population(population, verify=False)
    assert shaping.total >= standard.total * (1 - 1e-12)


# -- the command line ------------------------------------------------------------------------------------------

GOOD = {"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.001*m"}


@pytest.mark.parametrize("record, words", [
    ({**GOOD, "colour": 1}, "agent 2: colour: unknown key"),
    ({"cost": 1}, "agent 2: accuracy: missing"),
    ({**GOOD, "cost": "0.001*m - 1e-6*m**2"}, "agent 2: cost: cost '0.001*m - 1e-6*m**2' is not convex"),
    ({**GOOD, "value": "-a"}, "agent 2: value: value '-a' is not increasing"),
    ({**GOOD, "joining_cost": -0.1}, "agent 2: joining_cost: joining_cost -0.1 must be >= 0"),
])
def test_malformed_agents_file_is_one_line_exit_2(tmp_path, capsys, record, words):
    """A bad agent: one line naming the file, the agent (counted from 1) and the field; exit 2."""
    path = write_agents(tmp_path, [GOOD, record])
    assert main(["equilibrium", "--agents", path, "--mechanism", "shaping"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and path in err


def test_bad_json_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('[{"accuracy": ')
    assert main(["equilibrium", "--agents", str(path), "--mechanism", "standard"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_load_agents_counts_expand():
    """count repeats an agent in the expanded view."""
    population = load_agents_from([{**GOOD, "count": 3}, GOOD])
    assert population.size == 4 and population.index.tolist() == [0, 0, 0, 1]


def test_individual_cost_function_cli(capsys):
    """fedsym individual --cost-function: the closed form m* = (sqrt(k)/(2c))^(2/5) at c = 1e-7."""
    assert main(["individual", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1",
                 "--cost-function", "1e-7*m**2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["optimal_data"] == pytest.approx((1 / 2e-7) ** 0.4, rel=1e-13)
    assert data["method"]["optimal_data"] == "closed-form"


def test_load_agents_from_file(tmp_path):
    path = write_agents(tmp_path, [GOOD])
    assert load_agents(path).agents[0].linear_rate == pytest.approx(0.001)


def _spikes(peaks: np.ndarray, width: float, exact: bool = True):
    """Tents of height 1 and half-width *width* at *peaks* (one per agent), and a bound of each on [a, b]:
    exact (1 if the peak is in [a, b], else the larger end) or, with ``exact=False``, the loose Lipschitz
    bound f(a) + (b - a)/width."""
    def utility(r: np.ndarray, x: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, 1.0 - np.abs(x - peaks[r]) / width)

    def bound(r: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if not exact:
            return np.minimum(1.0, utility(r, a) + (b - a) / width)
        inside = (a <= peaks[r]) & (peaks[r] <= b)
        return np.where(inside, 1.0, np.maximum(utility(r, a), utility(r, b)))

    return utility, bound


def test_certified_search_finds_a_peak_between_grid_points():
    """A tent of half-width 1e-6 at pi (agent 1) and at e (agent 2) on [0, 10]: no point of the 2 x 65-point
    grids is within 1e-6 of pi or e, so the grid alone sees utility 0 there; the bounds force halving until the
    peak is found to within the resolution 1e-3 (the maximum is 1 at the peak, by hand), and the certified upper
    bound is within that resolution of the best found."""
    from fedsym.paper.deviation import best_deviation, certified_deviations

    peaks = np.array([np.pi, np.e])
    utility, bound = _spikes(peaks, 1e-6)
    assert best_deviation(lambda x: utility(np.zeros(np.size(x), dtype=int), x), 1.0, 10.0, points=65).gain == 0
    found, ceiling = certified_deviations(utility, bound, np.array([1.0, 1.0]), np.array([10.0, 10.0]),
                                          np.full((2, 1), np.nan), np.full(2, 1e-3))
    for peak, deviation, top in zip(peaks, found, ceiling):
        assert deviation.best == pytest.approx(peak, abs=1e-9) and deviation.gain >= 1 - 1e-3
        assert deviation.best_utility <= top <= deviation.best_utility + 1e-3


def test_certified_search_that_runs_out_of_intervals_says_so():
    """With the loose Lipschitz bound and a budget of 256 intervals the tent cannot be resolved: the certified bound
    stays above the best found by more than the resolution (the verifier then reports "not verified")."""
    from fedsym.paper.deviation import certified_deviations

    utility, bound = _spikes(np.array([np.pi]), 1e-6, exact=False)
    found, ceiling = certified_deviations(utility, bound, np.array([1.0]), np.array([10.0]),
                                          np.full((1, 1), np.nan), np.full(1, 1e-3), max_intervals=256)
    assert ceiling[0] > found[0].best_utility + 1e-3


def test_verifier_refines_to_a_best_response_off_the_grid():
    """Standard FL, two paper agents (Eq. (3), a_opt = 0.95, k = 1, c = 0.001): agent 2 gives 30, agent 1 claims 0.
    Agent 1's best response tops the total up to 100 (a'(100) = 100^{-3/2} = c), so it gains
    a(100) - 0.07 - a(30) = 2/sqrt(30) - 0.27 = 0.0951484... by hand.  x = 70 is not a grid point (spacing 950/64);
    the nearest one is short by about 1e-4, so only the tangent bounds' refinement reaches the gain to 1e-9."""
    from fedsym.paper.agents_that_differ.solve import verify_population

    cohort = Cohort.of(Population((Agent.of(SIMPLIFIED, 0.001, count=2),)))
    profile = np.array([0.0, 30.0])
    utilities = np.array([0.95 - 2 / np.sqrt(30), 10.0])  # agent 2's claim is unattainable: only agent 1 is judged
    check = verify_population(cohort, "standard", profile, np.array([True, True]), utilities)
    assert not check.verified and check.worst_agent == 0
    assert check.max_deviation_gain == pytest.approx(2 / np.sqrt(30) - 0.27, abs=1e-9)
    assert check.best_deviation == pytest.approx(70, rel=1e-3)


def test_cost_shape_forms_are_cached_per_settings():
    """Issue 18: the cache of cost_shape_forms is keyed by the settings too: the same arguments under another
    precision derive again (a new object), and under the same settings return the cached one."""
    from fedsym.core.settings import using_settings
    from fedsym.core.symbols import m as M_SYMBOL
    from fedsym.paper.agents_that_differ.lone import cost_shape_forms

    function = SIMPLIFIED.function
    first = cost_shape_forms(function, M_SYMBOL**2)
    assert cost_shape_forms(function, M_SYMBOL**2) is first
    with using_settings(precision=45):
        other = cost_shape_forms(function, M_SYMBOL**2)
        assert other is not first and cost_shape_forms(function, M_SYMBOL**2) is other
