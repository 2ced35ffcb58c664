"""One screening (issue 18): :func:`fedsym.screen` is the K-type solver; App. B is its K = 2 closed forms.

And issue 19's screening defects: costs near 1e-300 (the two-type form printed a wrong menu as
"NOT verified" with exit 0) and cost spreads of 1e20 (exit 3 from the K form).

Expected values: Model §6 / Example 2.4 by hand (Eq. (3): ``a(m) = a_opt - 2 sqrt(k/m)``,
``u* = a_opt - 3 (k c)^(1/3)``, zero above ``c_max = a_opt^3/(27 k)``), the right crossing found
by mpmath's ``findroot`` on the hand-written cap, and the Model §6 regime of each instance
(derivations/sb1_screening.py's one-per-regime table, each checked there against an independent
golden-section maximization).
"""

from __future__ import annotations

import dataclasses
import json

import mpmath as mp
import pytest
import sympy as sp

import fedsym.paper.screening.result as result_module
from fedsym import KTypes, accuracy_function, screen
from fedsym.cli import main
from fedsym.core.errors import ConvergenceError, ParameterError
from fedsym.core.solve import DPS

BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
ACCURACY = ["--accuracy", "simplified", "--param", "a_opt=0.9", "--param", "k=10"]


@pytest.mark.parametrize("regime, c_low, c_high, p, others", [
    ("separating", "0.001", "0.002", "0.5", "5000"), ("interior", "0.001", "0.0015", "0.1", "10"),
    ("high-capped", "0.001", "0.0015", "0.3", "1000"), ("both-capped", "0.001", "0.0015", "0.3", "0")])
def test_two_types_are_the_k_solver_with_app_b_regime(regime, c_low, c_high, p, others):
    """K = 2 through the one entry: the certified KKT menu, App. B's closed-form menu beside it with the
    regime of Model §6, the same expected data (two methods: KKT/Newton vs bracketed Eq. (15)/(16))."""
    result = screen(BOUND, KTypes.two(c_low, c_high, p), others)
    assert result.regime == regime and result.verified
    with mp.workdps(DPS):
        assert abs(result.menu.expected_data - result.two_type.expected_data) <= mp.mpf("1e-20") * result.menu.expected_data
    data = result.to_dict()
    assert data["regime"] == regime and data["costs"] == [float(c_low), float(c_high)] and data["p"] == float(p)


def test_k_types_have_no_app_b_menu():
    result = screen(BOUND, KTypes.of(["0.001", "0.0015", "0.002"], ["0.3", "0.4", "0.3"]), "200", verify=False)
    assert result.regime is None and "regime" not in result.to_dict()
    with pytest.raises(ParameterError, match="K = 3"):
        result.two_type  # noqa: B018 (the property raises)
    with pytest.raises(ParameterError, match="two types"):
        result.menu.types.c_low  # noqa: B018


def test_closed_forms_that_disagree_are_refused(monkeypatch):
    """The cross-check can fail: App. B's menu moved by 1e-6 (a planted error) -> ConvergenceError, no result."""
    closed = result_module.optimal_menu

    def moved(*args):
        menu = closed(*args)
        return dataclasses.replace(menu, low_contribution=menu.low_contribution * (1 + mp.mpf("1e-6")))

    monkeypatch.setattr(result_module, "optimal_menu", moved)
    with pytest.raises(ConvergenceError, match="closed forms"):
        screen(BOUND, KTypes.two("0.001", "0.002", "0.5"), "5000", verify=False)


def test_two_types_validation_names_the_input():
    with pytest.raises(ParameterError, match="c_low=0.002"):
        KTypes.two("0.002", "0.001", "0.5")
    with pytest.raises(ParameterError, match="p=1.5"):
        KTypes.two("0.001", "0.002", "1.5")
    with pytest.raises(ParameterError, match="c_low=0.001 and c_high=0.001000000001"):
        KTypes.two("0.001", "0.001000000001", "0.5")
    types = KTypes.two("0.001", "0.002", "0.3")
    assert (types.c_low, types.c_high, types.p) == (sp.Rational(1, 1000), sp.Rational(2, 1000), sp.Rational(3, 10))
    assert types.probs == (sp.Rational(3, 10), sp.Rational(7, 10))


def test_costs_near_1e300_below_precision_of_closed_forms_refused(capsys):
    """Issue 19: ``--c-low 1e-300 --c-high 2e-300`` printed App. B's menu (m_C = 0: u_L* - u_H* vanishes in
    40 digits) as "NOT verified" with exit 0.  Now the closed forms disagree with the certified menu:
    one line, exit 3, no menu printed."""
    status = main(["screening", *ACCURACY, "--c-low", "1e-300", "--c-high", "2e-300", "--p", "0.5", "--others", "5000"])
    out, err = capsys.readouterr()
    assert status == 3 and out == "" and len(err.strip().splitlines()) == 1 and "closed forms" in err


def _cap(m):
    return mp.mpf("0.9") - 2 * mp.sqrt(10 / (m + 5000))


def test_cost_spread_1e20_solved_by_hand(capsys):
    """Issue 19: costs 0.001 and 1e17 with others 5000 (spread 1e20) gave exit 3.  By hand: 1e17 > c_max
    = 0.729/270, so u_H* = 0; separating regime (p = 1/2 >= c_L/c_H): m_C = m_C^min = (u_L* - 0)/(c_H - c_L)
    with u_L* = 0.9 - 3 (0.01)^(1/3), and m_D = m̄_L, the right root of A(m) - 0.001 m = u_L* (findroot from
    the tangency's right, on the cap written out here)."""
    with mp.workdps(DPS):
        u_low = mp.mpf("0.9") - 3 * mp.cbrt(mp.mpf("0.01"))
        m_c = u_low / (mp.mpf("1e17") - mp.mpf("0.001"))
        m_d = mp.findroot(lambda m: _cap(m) - mp.mpf("0.001") * m - u_low, 560)
        result = screen(BOUND, KTypes.of(["0.001", "1e17"], ["0.5", "0.5"]), "5000")
        assert result.verified and result.regime == "separating"
        low, high = result.menu.contributions
        assert abs(high - m_c) <= mp.mpf("1e-25") * m_c and abs(low - m_d) <= mp.mpf("1e-25") * m_d
    assert main(["screening", *ACCURACY, "--costs", "0.001,1e17", "--probs", "0.5,0.5", "--others", "5000",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is True
