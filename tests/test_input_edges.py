"""Issue 8, input side: reserved names, Min/Max, tiny m_0, hangs, numpy scalars and extreme costs.

Each test failed (or hung) before the fix; expected values are derived by hand
or by an mpmath computation written here, independent of fedsym's solvers.
"""

from __future__ import annotations

import time

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import fedsym
from fedsym import AssumptionError, ExpressionError, ParameterError, accuracy_function
from fedsym.cli import main
from fedsym.paper.lone_agent import parse_cost

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _forty_digits():
    """Compare at fedsym's working precision (40 digits), not mpmath's default 15."""
    with mp.workdps(40):
        yield


# -- reserved names --------------------------------------------------------------------

def test_parameter_named_like_the_cost_is_refused(capsys):
    """`--param c=1` used to become the cost symbol and give m* = 10 instead of 100: refused now, naming 'c'."""
    with pytest.raises(ExpressionError, match="'c' is reserved for the cost per data point; rename"):
        accuracy_function("a_opt - 2*sqrt(c/m)")
    code = main(["individual", "--accuracy", "a_opt - 2*sqrt(c/m)", "--param", "a_opt=0.9", "--param", "c=1",
                 "--cost", "0.001"])
    assert code == 2 and "'c' is reserved" in capsys.readouterr().err


def test_reserved_name_refused_for_a_sympy_expression_too():
    c, n = sp.symbols("c n")
    for expr in (sp.Rational(9, 10) - 2 * sp.sqrt(c / sp.Symbol("m")), sp.Rational(9, 10) - n / sp.Symbol("m")):
        with pytest.raises(ExpressionError, match="is reserved"):
            accuracy_function(expr)


@pytest.mark.slow  # derives Theorem 2.3's closed forms with sympy (10-20 s)
def test_renamed_parameter_gives_the_hand_derived_optimum():
    """a = 0.9 - 2 sqrt(cc/m), cc = 1, c = 1e-3: a'(m) = sqrt(cc) m^(-3/2) = c gives m* = 1000^(2/3) = 100."""
    bound = accuracy_function("0.9 - 2*sqrt(cc/m)").bind({"cc": "1"})
    result = fedsym.individual(bound, "0.001")
    assert abs(result.optimal_data - 100) < mp.mpf(10) ** -25


# -- Min / Max -------------------------------------------------------------------------

@pytest.mark.parametrize("cost, m_star, u_star", [
    # u = min(0.9, 1 - 1/m) - c m.  c = 1e-3: u' = 1/m^2 - c > 0 up to the kink m = 10, u' < 0 after: m* = 10,
    # u* = 0.9 - 0.01.  c = 0.1: interior root 1/m^2 = c, m* = sqrt(10), u* = 1 - 2 sqrt(0.1).
    ("0.001", mp.mpf(10), mp.mpf("0.89")),
    ("0.1", mp.sqrt(10), 1 - 2 * mp.sqrt(mp.mpf("0.1"))),
])
def test_min_expression_is_solved(cost, m_star, u_star):
    result = fedsym.individual(accuracy_function("Min(0.9, 1 - 1/m)").bind({}), cost)
    assert abs(result.optimal_data - m_star) < mp.mpf(10) ** -12 * m_star
    assert abs(result.optimal_utility - u_star) < mp.mpf(10) ** -12
    # m_0 = 1 (1 - 1/m > 0); c_max = max (1 - 1/m)/m = 1/4 at m = 2 (by hand)
    assert abs(result.minimum_viable_data - 1) < mp.mpf(10) ** -25
    assert abs(result.viability_cost - mp.mpf("0.25")) < mp.mpf(10) ** -25


def test_max_expression_is_solved():
    """Max(0, 0.9 - 1/m): m_0 = 10/9; at c = 0.01, 1/m^2 = c gives m* = 10 and u* = 0.9 - 0.1 - 0.1 = 0.7."""
    result = fedsym.individual(accuracy_function("Max(0, 0.9 - 1/m)").bind({}), "0.01")
    assert abs(result.minimum_viable_data - mp.mpf(10) / 9) < mp.mpf(10) ** -25
    assert abs(result.optimal_data - 10) < mp.mpf(10) ** -12
    assert abs(result.optimal_utility - mp.mpf("0.7")) < mp.mpf(10) ** -12


# -- m_0 below the old grid floor ---------------------------------------------------------

def _log_accuracy_reference() -> tuple[mp.mpf, mp.mpf]:
    """m_0 and c_max of a = 0.8 - 0.026 log(1 + 20/m) at 60 digits, without fedsym.

    m_0 solves log(1 + k/m) = a_opt/b: m_0 = k / (exp(a_opt/b) - 1).  c_max = max a(m)/m: the ratio's
    log-derivative d/du log(a(e^u)/e^u) changes sign once on (log m_0, 0); bisect it (mpmath's 'anderson'
    bracketing solver) and evaluate the ratio there.
    """
    with mp.workdps(60):
        a_opt, b, k = mp.mpf("0.8"), mp.mpf("0.026"), mp.mpf(20)
        m0 = k / (mp.exp(a_opt / b) - 1)

        def a(x):
            return a_opt - b * mp.log(1 + k / x)

        def slope(u):  # d/du log(a(e^u) / e^u)
            return mp.diff(lambda v: mp.log(a(mp.exp(v))) - v, u)

        u = mp.findroot(slope, (mp.log(m0) + mp.mpf("0.01"), mp.mpf(0)), solver="anderson")
        return m0, a(mp.exp(u)) / mp.exp(u)


@pytest.mark.slow  # derives Theorem 2.3's closed forms with sympy (10-20 s)
def test_minimum_viable_data_far_below_the_old_grid():
    """m_0 = 20/(e^(0.8/0.026) - 1) ~ 8.7e-13 was below the grid's 1e-12 floor and refused as 'infinitely steep';
    now m_0 and c_max ~ 1.1e10 match the independent mpmath reference."""
    bound = accuracy_function("a_opt - b*log(1 + k/m)").bind({"a_opt": "0.8", "k": "20", "b": "0.026"})
    m0, c_max = _log_accuracy_reference()
    assert 8e-13 < m0 < 9e-13 and 1e10 < c_max < 1.2e10
    assert abs(bound.minimum_viable_data / m0 - 1) < mp.mpf(10) ** -30
    result = fedsym.individual(bound, "0.001")
    assert abs(result.viability_cost / c_max - 1) < mp.mpf(10) ** -15
    # interior optimum by hand: b k / (m (m + k)) = c, m* = (-k + sqrt(k^2 + 4 b k / c)) / 2
    with mp.workdps(40):
        m_star = (-20 + mp.sqrt(400 + 4 * mp.mpf("0.026") * 20 / mp.mpf("0.001"))) / 2
    assert abs(result.optimal_data / m_star - 1) < mp.mpf(10) ** -20


def test_minimum_viable_data_however_small():
    """a = 1 - 1e-40/m: m_0 = 1e-40 exactly (by hand), 28 decades below the grid."""
    bound = accuracy_function("1 - 1e-40/m").bind({})
    assert abs(bound.minimum_viable_data / mp.mpf("1e-40") - 1) < mp.mpf(10) ** -30


# -- hangs ---------------------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_double_exponential_is_refused_in_bounded_time():
    """0.9 - exp(-exp(m)) hung in mpmath's exp(-exp(1e24)).  It is concave, increasing and 0.9 - 1/e > 0 at
    m -> 0+, so every cost is viable (c_max infinite): refused with that reason, in seconds."""
    start = time.perf_counter()
    with pytest.raises(AssumptionError, match="infinitely steeply"):
        fedsym.individual(accuracy_function("0.9 - exp(-exp(m))").bind({}), "0.001")
    assert time.perf_counter() - start < 30


@pytest.mark.timeout(60)
def test_variable_power_tower_is_refused_in_bounded_time():
    """0.9 - 2**(-2**m) hung in mpmath's 2**(2**(1e24)).  Near m = 0 it is convex (a''(0) = 0.5 ln2^2 (1 - ln 2)
    > 0 by hand) and 0.4 > 0 there, so the steepest ray falls where (1) fails: refused, in seconds."""
    start = time.perf_counter()
    with pytest.raises(AssumptionError, match="assumption \\(1\\) fails"):
        fedsym.individual(accuracy_function("0.9 - 2**(-2**m)").bind({}), "0.001")
    assert time.perf_counter() - start < 30


def test_bounded_power_agrees_with_mpmath_where_mpmath_is_quick():
    """The exp(e log b) evaluation of a variable power matches mpmath's own power to 38 digits where both are
    well conditioned (at 2**-(2**50) either loses 25 digits to the rounding of the inner power)."""
    from fedsym.core.expression import lambdify_mpmath
    x = sp.Symbol("m", positive=True)
    for expr in (x**(-x), 2**(-2**x), x**sp.sqrt(x)):
        ours, reference = lambdify_mpmath(x, expr), sp.lambdify(x, expr, "mpmath")
        for point in ("1e-5", "0.7", "3.7", "12.5"):
            value, expected = ours(mp.mpf(point)), reference(mp.mpf(point))
            assert abs(value - expected) <= mp.mpf(10) ** -38 * abs(expected), (expr, point)


def test_power_tower_literal_is_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match="exponent 387420489 is beyond"):
        accuracy_function("0.9 - 1/m + 0*9**9**9")
    assert time.perf_counter() - start < 1


# -- numbers from the API --------------------------------------------------------------

@pytest.mark.parametrize("value, exact", [
    (np.float64(0.001), sp.Rational(1, 1000)),
    (np.float32(0.001), sp.Rational(1, 1000)),  # its shortest float32 decimal, as the user typed it
    (0.001, sp.Rational(1, 1000)),
    (np.int64(3), sp.Integer(3)),
    ("1/3", sp.Rational(1, 3)),
    (" 2.5e-3 ", sp.Rational(1, 400)),
])
def test_numpy_and_python_numbers_are_exact(value, exact):
    assert parse_cost(value) == exact


@pytest.mark.slow  # derives Theorem 2.3's closed forms with sympy (10-20 s)
def test_individual_accepts_a_numpy_cost():
    """Example 2.4: a_opt = 0.95, k = 1, c = 1e-3 gives m* = 100 (by hand) with a numpy float cost."""
    bound = accuracy_function("simplified").bind({"a_opt": np.float64(0.95), "k": np.int64(1)})
    assert abs(fedsym.individual(bound, np.float64(0.001)).optimal_data - 100) < mp.mpf(10) ** -25


@pytest.mark.parametrize("value, message", [
    (np.float64("nan"), "not a finite number"),
    (np.inf, "not a finite number"),
    (float("-inf"), "not a finite number"),
    ("nan", "not a finite number"),
    (complex(1, 0), "not a number"),
    (np.complex128(1), "not a number"),
    (True, "boolean"),
    (np.bool_(True), "boolean"),
    ("0x10", "not a number"),
    ("1e3.5", "not a number"),
    ("1/0", "divides by zero"),
    ("1/2/3", "not a number"),
    (None, "not a number"),
])
def test_bad_numbers_are_refused_naming_the_input(value, message):
    with pytest.raises(ParameterError, match=f"^cost.*{message}"):
        parse_cost(value)


# -- extreme costs -----------------------------------------------------------------------

@pytest.mark.parametrize("cost", ["1e-320", 1e-320, "1e-301", "1e308", 1e308, "1e5000", "1e-5000",
                                  "1.0000000001e300", "1" + "0" * 400])
def test_costs_outside_the_accepted_range_are_refused(cost, capsys):
    """Accepted magnitudes are [1e-300, 1e300] (every result a normal double); beyond is a ParameterError."""
    with pytest.raises(ParameterError, match="^cost=.*outside the accepted magnitudes"):
        parse_cost(cost)
    assert main(["individual", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1",
                 "--cost", str(cost)]) == 2
    assert "outside the accepted magnitudes" in capsys.readouterr().err


def test_costs_at_the_ends_of_the_range_are_computed():
    """At c = 1e-300 Example 2.4's m* = (k/c^2)^(1/3) = 1e200 (k = 1, by hand); at c = 1e300 > c_max the regime
    is high and m* = 0."""
    bound = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    low = fedsym.individual(bound, "1e-300")
    assert abs(low.optimal_data / mp.mpf("1e200") - 1) < mp.mpf(10) ** -25 and low.regime == "low"
    assert low.to_dict()["optimal_data"] == pytest.approx(1e200, rel=1e-15)
    high = fedsym.individual(bound, "1e300")
    assert high.regime == "high" and high.optimal_data == 0


def test_parameter_with_too_many_digits_or_huge_exponent_is_refused():
    with pytest.raises(ParameterError, match="parameter k="):
        accuracy_function("simplified").bind({"a_opt": "0.9", "k": "1e5000"})
    with pytest.raises(ParameterError, match="parameter k="):
        accuracy_function("simplified").bind({"a_opt": "0.9", "k": "1" * 100})
