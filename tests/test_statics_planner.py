"""Comparative statics of Model §11's planner and prices of anarchy for n identical agents.

Expected values are derived by hand: for Eq. (3), n a'(M) = c with a'(M) = sqrt(k) M^(-3/2) gives
M_P = (n^2 k / c^2)^(1/3), the planner's welfare W_P = n a_opt - 3 n^(2/3) (k c)^(1/3), standard FL's
W_S = n a(m*) - c m* = n a_opt - (2n + 1) (k c)^(1/3) and M_P/M_S = n^(2/3); for any family the envelope
theorem gives dW_P/dc = -M_P, dW_P/dn = a(M_P), dW_P/da_opt = n, with M_P found here by mp.findroot.
"""

from __future__ import annotations

import json

import mpmath as mp
import pytest

from fedsym import accuracy_function
from fedsym.cli import main
from fedsym.core.errors import InputError
from fedsym.paper.inverse import solve_for
from fedsym.paper.statics import statics

pytestmark = pytest.mark.usefixtures("forty_digits")  # the expected values use 40 digits


def _d(result):  # type: ignore[no-untyped-def]
    return {d.wrt: d for d in result.derivatives}


AT = {"c": "0.001", "n": "10"}


def test_planner_total_of_eq3_by_hand(eq3) -> None:  # type: ignore[no-untyped-def]
    c, n = mp.mpf("0.001"), mp.mpf(10)
    total = (n**2 / c**2) ** (mp.mpf(1) / 3)
    result = statics(eq3, "planner_total", at=AT)
    assert mp.almosteq(result.value, total, 1e-30)
    d = _d(result)
    assert mp.almosteq(d["c"].value, -mp.mpf(2) / 3 * total / c, 1e-25)
    assert mp.almosteq(d["n"].elasticity, mp.mpf(2) / 3, 1e-25)
    assert mp.almosteq(d["k"].elasticity, mp.mpf(1) / 3, 1e-25) and d["a_opt"].value == 0
    assert all(x.passed for x in d.values())


def test_prices_of_anarchy_of_eq3_by_hand(eq3) -> None:  # type: ignore[no-untyped-def]
    c, n, a_opt = mp.mpf("0.001"), mp.mpf(10), mp.mpf("0.95")
    data = _d(statics(eq3, "data_poa", at=AT))
    assert mp.almosteq(data["n"].value, mp.mpf(2) / 3 * n ** (-mp.mpf(1) / 3), 1e-25)   # d n^(2/3)/dn
    assert abs(data["c"].value) < mp.mpf(10) ** -25 and abs(data["k"].value) < mp.mpf(10) ** -25
    root = (c) ** (mp.mpf(1) / 3)  # (k c)^(1/3), k = 1
    w_p, w_s = n * a_opt - 3 * n ** (mp.mpf(2) / 3) * root, n * a_opt - (2 * n + 1) * root
    dw_p, dw_s = a_opt - 2 * n ** (-mp.mpf(1) / 3) * root, a_opt - 2 * root
    welfare = statics(eq3, "welfare_poa", at=AT)
    assert mp.almosteq(welfare.value, w_p / w_s, 1e-30)
    assert mp.almosteq(_d(welfare)["n"].value, (dw_p * w_s - w_p * dw_s) / w_s**2, 1e-25)
    assert all(x.passed for x in _d(welfare).values())


def test_planner_welfare_envelope_for_eq2() -> None:
    # Eq. (2) has no closed form: the implicit function theorem must reproduce the envelope theorem
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"})
    c, n = mp.mpf("0.001"), mp.mpf(10)
    total = mp.findroot(lambda m: n * mp.diff(bound.a_hat, m) - c, 1000)
    d = _d(statics(bound, "planner_welfare", at=AT))
    assert d["c"].method == "implicit-function"
    assert mp.almosteq(d["c"].value, -total, 1e-20)
    assert mp.almosteq(d["n"].value, bound.a_hat(total), 1e-20)
    assert mp.almosteq(d["a_opt"].value, n, 1e-20)


def test_planner_total_of_eq2_by_the_first_order_condition() -> None:
    # n a'(M_P) = c differentiated by hand: dM_P/dc = 1/(n a''(M_P)), dM_P/dn = -a'(M_P)/(n a''(M_P));
    # a', a'' by mpmath's numerical differentiation of Eq. (2), M_P by mp.findroot
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"})
    c, n = mp.mpf("0.001"), mp.mpf(10)
    total = mp.findroot(lambda m: n * mp.diff(bound.a_hat, m) - c, 1000)
    slope, bend = mp.diff(bound.a_hat, total), mp.diff(bound.a_hat, total, 2)
    d = _d(statics(bound, "planner_total", at=AT))
    assert d["c"].method == "implicit-function"
    assert mp.almosteq(d["c"].value, 1 / (n * bend), 1e-20)
    assert mp.almosteq(d["n"].value, -slope / (n * bend), 1e-20)
    ratio = _d(statics(bound, "data_poa", at=AT))   # M_P/m*, m* fixed in n
    m_star = mp.findroot(lambda m: mp.diff(bound.a_hat, m) - c, 100)
    assert mp.almosteq(ratio["n"].value, -slope / (n * bend) / m_star, 1e-20)


def test_planner_jump_at_n_c_max(eq3) -> None:  # type: ignore[no-untyped-def]
    # c_max = a_opt^3/(27k) = 857375/27000000; the planner's threshold is n c_max (cost c/n alone): at it the
    # total jumps from the tangent point 9k/a_opt^2 to 0, and just above it is 0 with derivative 0
    edge = statics(eq3, "planner_total", at={"c": "857375/2700000", "n": "10"})
    assert edge.regime == "boundary" and edge.boundary is not None and edge.boundary.at == "c = n c_max"
    assert mp.almosteq(edge.boundary.below, 9 / mp.mpf("0.95") ** 2, 1e-25) and edge.boundary.above == 0
    above = statics(eq3, "planner_total", at={"c": "0.32", "n": "10"})
    assert above.value == 0 and all(d.value == 0 for d in above.derivatives)


def test_ratio_above_c_max_is_refused(eq3) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="infinite"):
        statics(eq3, "data_poa", at={"c": "0.05", "n": "10"})


def test_inverse_questions(eq3) -> None:  # type: ignore[no-untyped-def]
    # n^(2/3) = 10 at n = 10^1.5; (100/c^2)^(1/3) = 1000 at c = 10^-3.5 (n = 10)
    assert mp.almosteq(solve_for(eq3, "n", "data_poa", 10, at={"c": "0.001"}).value, mp.mpf(10) ** 1.5, 1e-25)
    assert mp.almosteq(solve_for(eq3, "c", "planner_total", 1000, at={"n": "10"}).value,
                       mp.mpf(10) ** -3.5, 1e-25)


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["statics", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1", "--quantity",
                 "planner_total", "--wrt", "n", "--at", "c=0.001", "--at", "n=10", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["derivatives"]["n"]["elasticity"] == pytest.approx(2 / 3, rel=1e-14)
