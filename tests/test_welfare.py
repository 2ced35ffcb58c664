"""Welfare benchmarks and the price of anarchy for n identical agents (Model §11, Theorem 3.4, Theorem 4.2).

Expected values by hand (Model §2, Example 2.4, §11):

* Eq. (3), a(m) = a_opt - 2 sqrt(k/m): a'(M) = sqrt(k) M^(-3/2), so n a'(M) = c gives
  M_P = (n sqrt(k)/c)^(2/3) = n^(2/3) m* with m* = (k/c^2)^(1/3).  With x = (kc)^(1/3):
  sqrt(k/m*) = x and c m* = x, so W_S = n a(m*) - c m* = n a_opt - (2n + 1) x, and
  W_P = n a(M_P) - c M_P = n a_opt - 2 n^(2/3) x - n^(2/3) x = n a_opt - 3 n^(2/3) x.
  W_P/W_S -> a_opt/(a_opt - 2x) = a_opt/a(m*) and M_P/M_S = n^(2/3) -> infinity.
  At a_opt = 0.95, k = 1, c = 0.001: m* = 100, x = 0.1, n = 8: M_P = 400, W_P = 7.6 - 1.2 = 6.4,
  W_S = 7.6 - 1.7 = 5.9; limit 0.95/0.75 = 19/15.  c_max = a_opt^3/(27k): 0.027 at a_opt = 0.9, k = 1.
* Power law with alpha = 1: a(m) = a_opt - tau - beta/m, a' = beta/m^2, m* = sqrt(beta/c),
  M_P = sqrt(n beta/c) = sqrt(n) m*; at a_opt = 0.9, tau = 0.1, beta = 1, c = 0.01: m* = 10,
  W_P = 0.8 n - 2 sqrt(c n) = 0.8 n - 0.2 sqrt(n), W_S = 0.7 n - 0.1, limit 0.8/0.7 = 8/7.
"""

from __future__ import annotations

import dataclasses
import json

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from fedsym.check import CHECKED_MODULES
from fedsym.core import symbols as S
from fedsym.core.derived import CLOSED_FORM, NUMERIC
from fedsym.core.errors import ParameterError
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import shaping_equilibrium, standard_equilibrium
from fedsym.paper.welfare import checks, welfare_benchmarks, welfare_forms

SIMPLIFIED = {"a_opt": "0.95", "k": "1"}
POWER_ONE = {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "1"}


def _bound(family: str, params: dict[str, str]):
    return accuracy_function(family).bind(params)


def brute_planner(bound, cost, n) -> tuple[mp.mpf, mp.mpf]:
    """The planner's optimum by a log grid and repeated zooming (no derivative, no golden section)."""
    with mp.workdps(40):
        c, size = mp.mpf(cost), mp.mpf(n)

        def welfare(m):
            return size * bound.a(m) - c * m

        lo, hi = mp.mpf(-3), mp.mpf(15)  # log10 M
        for _ in range(60):
            grid = [lo + (hi - lo) * i / 40 for i in range(41)]
            best = max(range(41), key=lambda i: welfare(mp.mpf(10) ** grid[i]))
            lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, 40)]
        m = mp.mpf(10) ** ((lo + hi) / 2)
        return m, welfare(m)


# -- closed forms by hand ---------------------------------------------------------------------

def test_eq3_closed_forms_are_the_hand_derived_ones() -> None:
    forms = welfare_forms(accuracy_function("simplified"))
    n, c, k, a_opt = S.n, S.c, S.k, S.a_opt
    x = (k * c) ** sp.Rational(1, 3)
    by_hand = {
        "planner_total": (n * sp.sqrt(k) / c) ** sp.Rational(2, 3),
        "planner_welfare": n * a_opt - 3 * n ** sp.Rational(2, 3) * x,
        "standard_welfare": n * a_opt - (2 * n + 1) * x,
        "welfare_poa": (n * a_opt - 3 * n ** sp.Rational(2, 3) * x) / (n * a_opt - (2 * n + 1) * x),
        "data_poa": n ** sp.Rational(2, 3),
        "welfare_poa_limit": a_opt / (a_opt - 2 * x),
    }
    for name, expected in by_hand.items():
        derived = getattr(forms, name)
        assert derived.method == CLOSED_FORM, name
        assert sp.simplify(derived.closed_form - expected) == 0, name
    assert forms.data_poa_exponent.closed_form == sp.Rational(2, 3)


def test_power_law_data_poa_is_n_to_one_over_one_plus_alpha() -> None:
    """a' = alpha beta m^(-alpha-1): M_P/M_S = n^(1/(1+alpha)), exponent 1/(1+alpha)."""
    forms = welfare_forms(accuracy_function("power-law"))
    assert sp.simplify(forms.data_poa.closed_form - S.n ** (1 / (1 + S.alpha))) == 0
    assert sp.simplify(forms.data_poa_exponent.closed_form - 1 / (1 + S.alpha)) == 0


def test_generalization_bound_is_numeric_with_a_reason_and_grows_as_n_to_two_thirds() -> None:
    """Eq. (2): no closed m*, so no closed planner; a' ~ sqrt(2k ln m)/(2 m^(3/2)) gives the exponent 2/3."""
    forms = welfare_forms(accuracy_function("generalization-bound"))
    assert forms.planner_total.method == NUMERIC and "no closed lone optimum" in forms.planner_total.note
    assert forms.data_poa_exponent.closed_form == sp.Rational(2, 3)


@pytest.mark.parametrize("n, total, welfare_p, welfare_s", [
    (8, 400, "6.4", "5.9"),
    (27, 900, "22.95", "20.15"),      # 27^(2/3) = 9; 25.65 - 2.7; 25.65 - 5.5
    (10**6, 10**6, "947000", "749999.9"),  # 950000 - 3 * 10^4 * 0.1; 950000 - 2000001 * 0.1
])
def test_eq3_values_at_a_point(n: int, total: int, welfare_p: str, welfare_s: str) -> None:
    result = welfare_benchmarks(_bound("simplified", SIMPLIFIED), "0.001", n)
    with mp.workdps(40):
        tol = mp.mpf(10) ** -30
        assert abs(result.planner.total - total) <= tol * total
        assert abs(result.planner.welfare - mp.mpf(welfare_p)) <= tol * mp.mpf(welfare_p)
        assert abs(result.standard.welfare - mp.mpf(welfare_s)) <= tol * mp.mpf(welfare_s)
        assert abs(result.welfare_poa - mp.mpf(welfare_p) / mp.mpf(welfare_s)) <= tol
        assert abs(result.data_poa - mp.mpf(total) / 100) <= tol * total
        assert abs(result.welfare_poa_limit - mp.mpf(19) / 15) <= tol
    assert abs(result.standard.total - 100) <= mp.mpf(10) ** -30 and result.regime == "viable"
    assert result.method["planner_total"] == CLOSED_FORM


def test_power_law_values_at_a_point() -> None:
    result = welfare_benchmarks(_bound("power-law", POWER_ONE), "0.01", 4)
    with mp.workdps(40):
        tol = mp.mpf(10) ** -30
        assert abs(result.planner.total - 20) <= tol * 20            # sqrt(4 / 0.01)
        assert abs(result.planner.welfare - mp.mpf("2.8")) <= tol     # 3.2 - 0.2 * 2
        assert abs(result.standard.welfare - mp.mpf("2.7")) <= tol    # 2.8 - 0.1
        assert abs(result.welfare_poa - mp.mpf(28) / 27) <= tol
        assert abs(result.welfare_poa_limit - mp.mpf(8) / 7) <= tol


def test_welfare_poa_approaches_its_limit_and_data_poa_grows_without_bound() -> None:
    """sympy's limits against the closed forms at growing n (W_P/W_S - 19/15 shrinks like n^(-1/3))."""
    forms = welfare_forms(accuracy_function("simplified"))
    values = {"a_opt": "0.95", "k": "1", "c": "0.001"}
    gaps = [abs(forms.welfare_poa.evaluate({**values, "n": 10**e}) - mp.mpf(19) / 15) for e in (3, 9, 15)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-4
    assert sp.limit(forms.data_poa.closed_form, S.n, sp.oo) == sp.oo


# -- independent brute force ------------------------------------------------------------------

@pytest.mark.parametrize("family, params, cost, n", [
    ("simplified", SIMPLIFIED, "0.001", 5),
    ("simplified", {"a_opt": "0.6", "k": "250"}, "0.00001", 400),
    ("power-law", {"a_opt": "1", "tau": "0.3", "beta": "20", "alpha": "1.7"}, "0.01", 30),
    ("generalization-bound", SIMPLIFIED, "0.001", 10),
    ("generalization-bound", {"a_opt": "0.9", "k": "100", "b": "4"}, "0.0001", 1000),
])
def test_planner_matches_a_brute_force_grid(family: str, params: dict[str, str], cost: str, n: int) -> None:
    bound = _bound(family, params)
    result = welfare_benchmarks(bound, cost, n, verify=False)
    m, w = brute_planner(bound, cost, n)
    assert abs(result.planner.total - m) <= mp.mpf("1e-9") * m
    assert abs(result.planner.welfare - w) <= mp.mpf("1e-20") * w
    assert result.planner.welfare >= result.standard.welfare and result.planner.welfare >= result.alone.welfare


def test_generalization_bound_limit_and_growth_numerically() -> None:
    """Eq. (2): W_P/W_S at n = 10^15 is near a_opt/a(m*); the log-slope of M_P in n is near 2/3 (+ log terms)."""
    bound = _bound("generalization-bound", SIMPLIFIED)
    forms = welfare_forms(bound.function)
    values = {**bound.values, "c": mp.mpf("0.001")}
    limit = forms.welfare_poa_limit.evaluate(values)
    assert abs(forms.welfare_poa.evaluate({**values, "n": 10**15}) - limit) < 1e-3 * limit
    low, high = (forms.planner_total.evaluate({**values, "n": mp.mpf(10) ** e}) for e in (20, 40))
    slope = mp.log10(high / low) / 20
    assert abs(slope - mp.mpf(2) / 3) < 0.02


# -- the mechanisms -----------------------------------------------------------------------------

def test_standard_and_shaping_agree_with_their_equilibria() -> None:
    """Theorem 3.4: the standard total is m*; welfare = sum of the equilibrium utilities; shaping: Example 4.5, t_2 = 2."""
    bound = _bound("simplified", SIMPLIFIED)
    result = welfare_benchmarks(bound, "0.001", 2)
    standard = standard_equilibrium(bound, [0.001, 0.001])
    assert float(result.standard.total) == pytest.approx(standard.total, rel=1e-12)
    assert float(result.standard.welfare) == pytest.approx(float(np.sum(standard.utilities)), rel=1e-12)
    assert float(result.shaping.total) == pytest.approx(400, rel=1e-12)          # n t_2 m* = 2 * 2 * 100
    shaping = shaping_equilibrium(bound, [0.001, 0.001])
    assert float(result.shaping.welfare) == pytest.approx(float(np.sum(shaping.utilities)), rel=1e-9)
    assert float(result.shaping.welfare) == pytest.approx(2 * 0.65, rel=1e-12)  # Theorem 4.6: n u*
    assert float(result.shaping_data_ratio) == pytest.approx(2 ** (4 / 3), rel=1e-12)  # 400 / (2^(2/3) 100)
    assert result.verified


def test_shaping_with_eps_gets_the_margin_as_welfare() -> None:
    """Eq. (13) with eps > 0: U_i = u* + eps (m_bar - m*), checked against the equilibrium's own utilities."""
    bound = _bound("simplified", SIMPLIFIED)
    result = welfare_benchmarks(bound, "0.001", 3, eps="0.0001")
    shaping = shaping_equilibrium(bound, [0.001] * 3, 0.0001)
    assert float(result.shaping.welfare) == pytest.approx(float(np.sum(shaping.utilities)), rel=1e-9)
    assert float(result.shaping.welfare) > 3 * 0.65


@pytest.mark.parametrize("family, params", [("simplified", SIMPLIFIED), ("power-law", POWER_ONE),
                                            ("generalization-bound", SIMPLIFIED)])
def test_one_agent_is_its_own_planner(family: str, params: dict[str, str]) -> None:
    result = welfare_benchmarks(_bound(family, params), "0.001", 1)
    with mp.workdps(40):
        for benchmark in (result.planner, result.standard, result.shaping):
            assert abs(benchmark.total - result.alone.total) <= mp.mpf("1e-12") * result.alone.total
            assert abs(benchmark.welfare - result.alone.welfare) <= mp.mpf("1e-12") * result.alone.welfare
        assert abs(result.welfare_poa - 1) <= mp.mpf("1e-25") and abs(result.data_poa - 1) <= mp.mpf("1e-25")


# -- regimes and exact thresholds ---------------------------------------------------------------

def _json(result) -> dict:
    return json.loads(json.dumps(result.to_dict(), allow_nan=False))


def test_at_c_max_exactly_standard_collects_nothing_and_the_price_of_anarchy_is_infinite() -> None:
    """a_opt = 0.9, k = 1: c_max = 0.729/27 = 0.027 exactly.  n = 2: c/n < c_max, the planner collects
    M_P = (4/0.027^2)^(1/3) = 4^(1/3)/0.09 and W_P = 1.8 - 3 (0.027)^(1/3) 2^(2/3) = 1.8 - 0.9 * 2^(2/3)."""
    bound = _bound("simplified", {"a_opt": "0.9", "k": "1"})
    result = welfare_benchmarks(bound, "0.027", 2)
    assert result.regime == "priced-out"
    assert result.standard.total == 0 and result.standard.welfare == 0 and result.alone.total == 0
    with mp.workdps(40):
        assert abs(result.planner.total - mp.cbrt(4) / mp.mpf("0.09")) <= mp.mpf("1e-30") * 20
        assert abs(result.planner.welfare - (mp.mpf("1.8") - mp.mpf("0.9") * mp.cbrt(4))) <= mp.mpf("1e-30")
    assert mp.isinf(result.welfare_poa) and mp.isinf(result.data_poa) and mp.isinf(result.welfare_poa_limit)
    data = _json(result)
    assert data["price_of_anarchy"]["welfare"] == "infinite" and data["price_of_anarchy"]["data"] == "infinite"
    # Remark 4.4: shaping still collects data (c/n < c_max), but its welfare is n u* = 0 at eps = 0
    assert result.shaping.total > 0 and result.shaping.welfare == 0
    assert data["shaping"]["welfare_price_of_anarchy"] == "infinite"


def test_just_below_c_max_standard_fl_is_viable() -> None:
    result = welfare_benchmarks(_bound("simplified", {"a_opt": "0.9", "k": "1"}), "0.0269999", 2)
    assert result.regime == "viable" and result.standard.total > 0
    assert 1 < result.welfare_poa < mp.inf and 1 < result.data_poa < mp.inf


def test_at_n_c_max_exactly_nobody_collects_and_nothing_is_lost() -> None:
    """c = 2 c_max = 0.054 with n = 2: n a(M) - c M <= 0 for every M > 0, = 0 only at the tangent point
    9k/a_opt^2 = 100/9 (Example 2.4): the planner is indifferent and reports 0; both welfares 0, ratios 1, no NaN.
    Shaping (Remark 4.4) may stop at that touching point, with welfare 0."""
    bound = _bound("simplified", {"a_opt": "0.9", "k": "1"})
    result = welfare_benchmarks(bound, "0.054", 2)
    assert result.regime == "unviable"
    assert result.planner.total == 0 and result.planner.welfare == 0 and result.shaping.welfare == 0
    assert result.shaping.total == 0 or float(result.shaping.total) == pytest.approx(100 / 9, rel=1e-6)
    assert result.welfare_poa == 1 and result.data_poa == 1 and result.shaping_welfare_poa == 1
    assert _json(result)["price_of_anarchy"]["welfare"] == 1.0
    below = welfare_benchmarks(bound, "0.0539999", 2)
    assert below.regime == "priced-out" and below.planner.total > 0 and mp.isinf(below.welfare_poa)


def test_bad_inputs_name_the_input() -> None:
    bound = _bound("simplified", SIMPLIFIED)
    for n in (0, -3, 2.5, True, "4"):
        with pytest.raises(ParameterError, match="n="):
            welfare_benchmarks(bound, "0.001", n)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="cost"):
        welfare_benchmarks(bound, "-1", 3)
    assert welfare_benchmarks(bound, "0.001", np.int64(8)).n == 8


# -- the result value ----------------------------------------------------------------------------

def test_result_is_a_frozen_value_with_dict_and_latex() -> None:
    bound = _bound("simplified", SIMPLIFIED)
    result = welfare_benchmarks(bound, "0.001", 8)
    assert result == welfare_benchmarks(bound, "0.001", 8) and hash(result) == hash(welfare_benchmarks(bound, "0.001", 8))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.method["planner_total"] = "x"  # type: ignore[index]
    data = _json(result)
    assert set(data["benchmarks"]) == {"alone", "planner", "standard", "shaping"}
    assert data["benchmarks"]["planner"] == {"total": 400.0, "welfare": 6.4}
    assert data["price_of_anarchy"]["data_limit"] == "infinite"
    assert r"W_P/W_S" in result.to_latex() and r"\infty" in welfare_benchmarks(bound, "0.05", 3).to_latex()


# -- fedsym check ----------------------------------------------------------------------------------

def test_checks_are_registered_cover_every_closed_form_and_pass() -> None:
    assert "fedsym.paper.welfare" in CHECKED_MODULES
    rows = checks()
    assert rows and all(row.passed for row in rows), [row.to_dict() for row in rows if not row.passed]
    names = {row.quantity for row in rows}
    assert {"planner_total", "planner_welfare", "standard_welfare", "welfare_poa", "data_poa", "welfare_poa_limit",
            "data_poa_exponent", "planner_total (numeric)"} <= names
    assert any("n = 1000000000" in row.point for row in rows)
