"""Theorem 2.3 and Example 2.4 (Model §2): derived closed forms and numerics.

Expected values come from Model §2 (Example 2.4's printed forms) or from
hand-written numerics in this file (ternary search on a utility typed in
here), never from fedsym's own output.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import fedsym
from fedsym import accuracy_function, individual, lone_agent_forms, optimal_data_array
from fedsym.core.symbols import a_opt, c, k
from fedsym.model.agent import ACCURACY
from fedsym.paper.lone_agent import maximize_utility

SIMPLIFIED = accuracy_function("simplified")


def ternary_max(f, lo, hi, iterations=400):
    """Hand-written ternary search in log m (independent of fedsym.solve)."""
    a, b = mp.log(lo), mp.log(hi)
    for _ in range(iterations):
        x1, x2 = a + (b - a) / 3, b - (b - a) / 3
        if f(mp.exp(x1)) < f(mp.exp(x2)):
            a = x1
        else:
            b = x2
    x = mp.exp((a + b) / 2)
    return x, f(x)


@pytest.mark.parametrize("quantity, expected", [
    ("minimum_viable_data", 4 * k / a_opt**2),               # Example 2.4
    ("tangent_point", 9 * k / a_opt**2),                      # Example 2.4: c_max reached at 9k/a_opt^2
    ("viability_cost", a_opt**3 / (27 * k)),                  # Example 2.4
    ("optimal_data", (k / c**2) ** sp.Rational(1, 3)),        # Example 2.4
    ("optimal_utility", a_opt - 3 * (k * c) ** sp.Rational(1, 3)),  # Example 2.4
])
def test_example_2_4_closed_forms_equal_model(quantity, expected):
    """sympy proves derived − Model form = 0 (Example 2.4)."""
    derived = getattr(lone_agent_forms(SIMPLIFIED), quantity)
    assert derived.method == "closed-form"
    assert sp.simplify(derived.closed_form - expected) == 0


def test_named_family_and_expression_string_give_the_same_forms():
    """The solver derives, it does not look up: the string yields the family's forms."""
    named = lone_agent_forms(SIMPLIFIED)
    typed = lone_agent_forms(accuracy_function("a_opt - 2*sqrt(k/m)"))
    for a, b in zip(named.all(), typed.all()):
        assert a.method == b.method == "closed-form"
        assert sp.simplify(a.closed_form - b.closed_form) == 0


@settings(max_examples=25, deadline=None)
@given(st.floats(0.3, 1.0), st.floats(0.01, 100.0), st.floats(0.01, 0.99))
def test_example_2_4_against_direct_maximisation(aopt, kk, fraction):
    """m*, u* agree with a hand-typed utility maximised by ternary search (25 digits)."""
    aopt, kk = round(aopt, 4), round(kk, 4)
    bound = SIMPLIFIED.bind({"a_opt": str(aopt), "k": str(kk)})
    c_max = mp.mpf(str(aopt)) ** 3 / (27 * mp.mpf(str(kk)))
    cost = mp.nstr(c_max * mp.mpf(str(round(fraction, 4))), 12)
    result = individual(bound, cost)
    with mp.workdps(40):
        def u(m):
            return mp.mpf(str(aopt)) - 2 * mp.sqrt(mp.mpf(str(kk)) / m) - mp.mpf(cost) * m

        m_ref, u_ref = ternary_max(u, 9 * mp.mpf(str(kk)) / mp.mpf(str(aopt)) ** 2, mp.mpf(10) ** 12)
    assert result.regime == "low"
    # ternary search pins the argmax to ~1e-19 relative (flat optimum), the value to ~1e-38
    assert abs(result.optimal_data / m_ref - 1) < 1e-15
    assert abs(result.optimal_utility - u_ref) < 1e-25


def test_acceptance_example_values():
    """Issue 2: a_opt=0.95, k=1, c=1e-3 gives m* = (1/1e-6)^(1/3) = 100, u* = 0.95 − 3·0.1 = 0.65."""
    result = individual(SIMPLIFIED.bind({"a_opt": "0.95", "k": "1"}), "1e-3")
    with mp.workdps(40):
        assert abs(result.optimal_data - 100) < mp.mpf(10) ** -30
        assert abs(result.optimal_utility - mp.mpf("0.65")) < mp.mpf(10) ** -30


FAMILY_POINTS = [
    ("simplified", {"a_opt": "0.9", "k": "3"}),
    ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}),
    ("a_opt - b*log(1 + k/m)", {"a_opt": "0.9", "b": "0.1", "k": "50"}),
]


@pytest.mark.parametrize("spec, params", FAMILY_POINTS)
def test_theorem_2_3_monotone_in_cost(spec, params):
    """Theorem 2.3: c_i <= c_j implies m_i* >= m_j* and u_i* >= u_j* >= 0."""
    bound = accuracy_function(spec).bind(params)
    c_max = individual(bound, "1e-9").viability_cost
    costs = [c_max * f for f in (mp.mpf("0.01"), mp.mpf("0.2"), mp.mpf("0.6"), mp.mpf("0.95"), mp.mpf("1.5"))]
    results = [individual(bound, mp.nstr(cost, 20)) for cost in costs]
    data = [r.optimal_data for r in results]
    utility = [r.optimal_utility for r in results]
    assert all(x > y for x, y in zip(data[:-2], data[1:-1])) and data[-1] == 0
    assert all(x >= y for x, y in zip(utility, utility[1:])) and min(utility) >= 0


@pytest.mark.parametrize("spec, params", FAMILY_POINTS)
def test_three_regimes_match_the_shape_of_u(spec, params):
    """Fig. 1 b–d, checked on a grid of u(m) = a(m) − c m written from the definition."""
    bound = accuracy_function(spec).bind(params)
    base = individual(bound, "1e-9")
    c_max, slope0 = base.viability_cost, base.high_cost_threshold
    m0 = bound.minimum_viable_data
    grid = [m0 * mp.mpf(10) ** (mp.mpf(j) / 20) for j in range(1, 200)]
    for cost, regime in ((c_max / 2, "low"), ((c_max + slope0) / 2, "mid"), (slope0 * 2, "high")):
        result = individual(bound, mp.nstr(cost, 25))
        assert result.regime == regime
        u = [bound.a(m) - cost * m for m in grid]
        if regime == "low":
            assert max(u) > 0
        elif regime == "mid":
            assert max(u) <= 0 and u[1] > u[0]  # rises after m_0, never above 0
        else:
            assert all(x >= y for x, y in zip(u, u[1:]))  # non-increasing


def test_cost_exactly_at_viability_threshold():
    """c = c_max = 0.9^3/27 = 0.027 (k = 1): m* = 0 and the tangent point 9k/a_opt^2 = 100/9 both give u = 0."""
    bound = SIMPLIFIED.bind({"a_opt": "0.9", "k": "1"})
    result = individual(bound, "0.027")
    with mp.workdps(40):
        assert result.viability_cost == mp.mpf("0.027")
    assert result.regime == "mid" and result.optimal_data == 0 and result.optimal_utility == 0
    assert "both" in result.note
    with mp.workdps(40):
        tangent = mp.mpf(100) / 9
        assert abs(bound.a(tangent) - mp.mpf("0.027") * tangent) < mp.mpf(10) ** -35


def test_generalization_bound_is_numeric_and_right():
    """Eq (2) has no closed form (Example 2.4 remark); compare with mpmath.diff + hand bisection."""
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "10"})
    result = individual(bound, "1e-4")
    assert result.method["optimal_data"] == "numeric" and result.regime == "low"
    with mp.workdps(40):
        def a_hat(m):
            return mp.mpf("0.95") - (mp.sqrt(20 * (2 + mp.log(m / 10))) + 4) / mp.sqrt(m)

        lo, hi = mp.mpf(200), mp.mpf(10) ** 8
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if mp.diff(a_hat, mid) > mp.mpf("1e-4") else (lo, mid)
    assert abs(result.optimal_data / lo - 1) < 1e-20


def test_mixed_user_expression():
    """a_opt − b·log(1 + k/m): m* is closed (quadratic FOC), c_max numeric."""
    result = individual(accuracy_function("a_opt - b*log(1 + k/m)").bind({"a_opt": "0.9", "b": "0.1", "k": "50"}), "0.01")
    assert result.method["optimal_data"] == "closed-form"
    # FOC by hand: b k / (m (m + k)) = c  ->  m = (-k + sqrt(k^2 + 4 b k / c)) / 2
    with mp.workdps(40):
        expected = (-50 + mp.sqrt(2500 + 4 * mp.mpf("0.1") * 50 / mp.mpf("0.01"))) / 2
        assert abs(result.optimal_data / expected - 1) < 1e-25


@pytest.mark.parametrize("spec, params", FAMILY_POINTS)
def test_vectorized_path_matches_mpmath(spec, params):
    """optimal_data_array (numpy) agrees with the 40-digit path to 1e-10 relative."""
    bound = accuracy_function(spec).bind(params)
    c_max = float(individual(bound, "1e-9").viability_cost)
    costs = np.geomspace(c_max * 1e-3, c_max * 1.2, 25)
    fast = optimal_data_array(bound, costs)
    slow = np.array([float(individual(bound, repr(float(x))).optimal_data) for x in costs])
    assert np.all(fast[costs >= c_max] == 0)
    assert np.allclose(fast, slow, rtol=1e-10, atol=0)


def test_maximize_utility_is_independent_of_the_first_order_condition():
    """The check's reference (golden section) reaches the same optimum as the FOC root."""
    bound = SIMPLIFIED.bind({"a_opt": "0.95", "k": "1"})
    with mp.workdps(40):
        m_star, u_star = maximize_utility(bound, mp.mpf("0.001"))
        assert abs(m_star - 100) < 1e-15 and abs(u_star - mp.mpf("0.65")) < 1e-30


def test_accuracy_viable_from_the_origin():
    """a_opt(1 − e^{−m/k}) has m_0 = 0, so c_max = â'(0) = a_opt/k (no mid regime) and, by hand from
    â'(m) = (a_opt/k) e^{−m/k} = c, m* = k log(a_opt/(k c))."""
    bound = accuracy_function("a_opt*(1 - exp(-m/k))").bind({"a_opt": "0.9", "k": "3"})
    result = individual(bound, "0.01")
    with mp.workdps(40):
        assert result.minimum_viable_data == 0
        assert abs(result.viability_cost - mp.mpf("0.3")) < mp.mpf(10) ** -25
        assert abs(result.optimal_data / (3 * mp.log(mp.mpf("0.9") / mp.mpf("0.03"))) - 1) < mp.mpf(10) ** -25
    assert individual(bound, "0.3").regime == "high" and individual(bound, "0.3").optimal_data == 0


@pytest.mark.parametrize("expression", ["1 - exp(-sqrt(m))", "1/2 + (1 - exp(-m))/3"])
def test_infinitely_steep_start_is_refused(expression):
    """sup a(m)/m is infinite when â(0+) > 0 or â'(0+) = ∞: refused, never a huge number."""
    with pytest.raises(fedsym.AssumptionError, match="infinitely steeply"):
        individual(accuracy_function(expression).bind({}), "0.01")


def test_a_repeated_agent_prints_times_its_count_in_latex():
    """Claim (issue 20): an agent with count 2 prints ``(\\times 2)`` in LaTeX; a TAB (from "\\t" in a string
    that was not raw) printed ``(<TAB>imes2)`` in the report's agents table."""
    agent = fedsym.Agent.of(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), "0.001*m", count=2)
    text = agent.latex()
    assert r"\times 2" in text and "\t" not in text


def test_values_that_differ_by_a_factor_are_checked_once_and_fast():
    """Issue 18: 100 agents with RealFM's values p_i((1 - a)^-2 - 1), distinct p_i, build in well under a second.

    The shape (1 - a)^-2 - 1 is checked once (a positive factor keeps v(0) = 0, finiteness and v' > 0); each
    agent keeps its own exact value p_i * shape, and every agent reports the check of the shape."""
    import time

    bound = accuracy_function("simplified").bind({"a_opt": "0.99", "k": "1"})
    shape = "(1 - a)**(-2) - 1"
    first = fedsym.Agent.of(bound, "0.001*m", 0, shape)  # the one check of the shape (and of the cost's)
    scales = [f"{0.9 + 0.002 * j:.6f}" for j in range(100)]
    start = time.perf_counter()
    agents = [fedsym.Agent.of(bound, "0.002*m", 0, f"{p}*({shape})") for p in scales]
    assert time.perf_counter() - start < 1.0  # 12-39 s when each value went through sympy's assumptions
    a = ACCURACY
    for p, agent in zip(scales, agents):
        assert sp.simplify(agent.value - sp.Rational(p) * ((1 - a) ** -2 - 1)) == 0  # the user's value, exact
        assert agent.checks == first.checks


def test_a_scaled_value_that_fails_names_the_user_text_and_its_numbers():
    """The shape a - 2a^2 is not increasing past a = 1/4; for v = 3(a - 2a^2) the message names the user's text
    and v' of *that* value, not of the shape.  By hand: the first of the 2001 points j*a_opt/2001 (a_opt = 0.95) at
    or past 1/4 is j = 527, a = 0.95*527/2001 = 0.250199..., v'(a) = 3(1 - 4a) = -0.00239880..."""
    bound = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    with pytest.raises(fedsym.AssumptionError) as caught:
        fedsym.Agent.of(bound, "0.001*m", 0, "3*(a - 2*a**2)")
    message = str(caught.value)
    assert "value '3*(a - 2*a**2)' is not increasing" in message
    assert "v'(0.2502) = -0.0023988" in message
