"""K-type screening under hostile inputs and on its correction path (issue 19; Model §9).

* Inputs that crashed with a bare ``ArithmeticError`` (Newton did not converge): others' data of
  1e7 .. 1e300, costs near 1e300 and float-noise costs.  Each now gives a verified menu equal to
  an independent answer, or a one-line error with exit 2 / 3.
* The active-set correction (a wrong guess rejected and corrected) is run on purpose: the start
  is forced to a wrong active set and the result must equal the two-type solver of App. B
  (:func:`fedsym.paper.screening.menu.optimal_menu`, bracketed roots of Eq. (15), no KKT system).
  Loosening the KKT certificate (``Settings.kkt_tolerance``) to 1e-3 makes
  :func:`test_correction_drops_a_constraint_whose_multiplier_is_negative` fail (planted and seen).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import fedsym.paper.screening.k_types as k_types
from fedsym.cli import main
from fedsym.core.errors import ConvergenceError
from fedsym.core.solve import DPS
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.screening.k_types import KTypes, optimal_menu_k
from fedsym.paper.screening.menu import optimal_menu

pytestmark = pytest.mark.timeout(120)

BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
ACCURACY = ["--accuracy", "simplified", "--param", "a_opt=0.9", "--param", "k=10"]


def _assert_equals_two_type(menu, c_low, c_high, p, others, rtol="1e-20"):
    """The K = 2 menu against App. B's bracketed two-type solver (an independent method)."""
    two = optimal_menu(BOUND, KTypes.two(c_low, c_high, p), others)
    with mp.workdps(DPS):
        for got, want in ((menu.contributions[0], two.low_contribution),
                          (menu.contributions[1], two.high_contribution), (menu.utilities[0], two.low_utility)):
            assert abs(got - want) <= mp.mpf(rtol) * max(abs(want), 1), (got, want)
    return two


@pytest.fixture
def fresh_cache():
    k_types._menu_k.cache_clear()
    yield
    k_types._menu_k.cache_clear()


@pytest.mark.parametrize("others", ["1e7", "1e9", "1e15"])
def test_huge_others_two_types_equal_app_b(others, fresh_cache):
    """Crashed before (Newton on an active set without a KKT point); expected: App. B's menu to 1e-20."""
    menu = optimal_menu_k(BOUND, KTypes.of(["0.001", "0.002"], ["0.5", "0.5"]), others)
    assert menu.verified
    two = _assert_equals_two_type(menu, "0.001", "0.002", "0.5", others)
    assert two.regime == "separating"  # Example B.4's case: s* = 0, the IR of both types binds


def test_huge_others_newton_failure_is_a_correction(fresh_cache, monkeypatch):
    """At others = 1e7 the presolve misses the low type's IR: the failed Newton must lead to adding it."""
    outcomes = []
    newton = k_types._newton

    def counting(program, active, z0):
        result = newton(program, active, z0)
        outcomes.append((tuple(active), result is not None))
        return result

    monkeypatch.setattr(k_types, "_newton", counting)
    menu = optimal_menu_k(BOUND, KTypes.of(["0.001", "0.002"], ["0.5", "0.5"]), "1e7")
    assert not outcomes[0][1] and outcomes[-1][1] and ("IR", 0) in outcomes[-1][0]
    assert menu.corrections >= 1


@pytest.mark.parametrize("others", ["1e9", "1e300"])
def test_huge_others_k4_verified_and_monotone(others):
    """K = 4 at huge others (crashed at 1e9 before): verified, m_1 >= ... >= m_4 (to the DPS-digit rounding
    BINDING_RTOL under which pooled types count as equal), highest type's IR binds."""
    menu = optimal_menu_k(BOUND, KTypes.of(["0.0005", "0.0008", "0.0012", "0.0025"], ["1/4"] * 4), others)
    assert menu.verified
    with mp.workdps(DPS):
        slack = k_types.BINDING_RTOL * menu.contributions[0]
        assert all(a >= b - slack for a, b in zip(menu.contributions, menu.contributions[1:]))
    assert "IR" in menu.binding()[3]


def test_costs_near_1e300_by_hand():
    """Costs 1e299, 1e300 (crashed before).  By hand: both exceed c_max, so u* = 0 for both; with the
    cap nearly flat at A(0) = a(50) = 0.9 - 2 sqrt(10/50), the objective
    p (A - (c_2 - c_1) m_2)/c_1 + (1 - p) m_2 falls with m_2, so m_2 = 0 and m_1 = A(0)/c_1."""
    menu = optimal_menu_k(BOUND, KTypes.of(["1e299", "1e300"], ["0.5", "0.5"]), 50)
    assert menu.verified
    with mp.workdps(DPS):
        cap0 = mp.mpf("0.9") - 2 * mp.sqrt(mp.mpf(10) / 50)
        assert abs(menu.contributions[0] - cap0 / mp.mpf("1e299")) <= mp.mpf("1e-20") * menu.contributions[0]
        assert menu.contributions[1] == 0
    assert menu.pooled() == ()


def test_float_noise_costs_refused_in_one_line(capsys):
    """0.0008000000000000001 next to 0.0008: exit 2, one line naming both inputs (crashed before)."""
    code = main(["screening", *ACCURACY, "--costs", "0.0005,0.0008,0.0008000000000000001,0.0012,0.0025",
                 "--probs", "0.2,0.2,0.2,0.2,0.2", "--others", "50"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "costs[2]=0.0008" in err and "costs[3]=0.0008000000000000001" in err


def test_relative_cost_gap_threshold_is_exact():
    """MIN_RELATIVE_COST_GAP = 1e-5: a gap just above is accepted (and solved), just below refused."""
    KTypes.of(["0.0008", "0.00080001"], ["0.5", "0.5"])  # gap 1.2499e-5 relative
    with pytest.raises(ValueError, match="differ by less than"):
        KTypes.of(["0.0008", "0.000800008"], ["0.5", "0.5"])  # gap 9.99990e-6 relative
    menu = optimal_menu_k(BOUND, KTypes.of(["0.0005", "0.0008", "0.0008024", "0.0012", "0.0025"], ["0.2"] * 5), 50)
    assert menu.verified


@pytest.mark.parametrize("others", ["1e7", "1e300"])
def test_cli_huge_others_verified(capsys, others):
    assert main(["screening", *ACCURACY, "--costs", "0.001,0.002", "--probs", "0.5,0.5", "--others", others]) == 0
    assert "verified" in capsys.readouterr().out


def test_solver_failure_is_one_line_exit_3(capsys, fresh_cache, monkeypatch):
    """No active set certified (Newton never converges): ConvergenceError, exit 3, one line naming the types."""
    monkeypatch.setattr(k_types, "_newton", lambda program, active, z0: None)
    with pytest.raises(ConvergenceError, match="costs 0.001,0.002"):
        optimal_menu_k(BOUND, KTypes.of(["0.001", "0.002"], ["0.3", "0.7"]), 5000)
    k_types._menu_k.cache_clear()
    code = main(["screening", *ACCURACY, "--costs", "0.001,0.002", "--probs", "0.3,0.7", "--others", "5000"])
    err = capsys.readouterr().err.strip()
    assert code == 3 and "\n" not in err and "KKT certificate" in err


def _separating_start(program, bars):
    """A wrong guess on purpose: the separating point of App. B (regime 1: both IR bind, type 1 at
    its known-cost contribution, type 2 at m_C^min = (u_L* - u_H*)/(c_H - c_L))."""
    u = [float(a) for a in program.alone]
    minimum_high = (u[0] - u[1]) / float(program.costs[1] - program.costs[0])
    return np.array([float(bars[0] / program.scales[0]), minimum_high / float(program.scales[1]), u[0], u[1]])


@pytest.mark.parametrize("p", ["0.49808", "0.498"])
def test_correction_drops_a_constraint_whose_multiplier_is_negative(p, fresh_cache, monkeypatch):
    """Just inside App. B's interior regime (the separating/interior boundary is at p ~ 0.49809 for
    costs 0.001, 0.002 and others 5000), started from the separating active set: the low type's IR
    has a slightly negative multiplier (about -3e-5 at p = 0.49808), so the certificate must reject
    that set and drop the IR.  Expected: the interior menu of the two-type solver, to 1e-20.
    (With kkt_tolerance loosened to 1e-3 the separating menu is accepted: m_D 561.5 instead of 548.8.)"""
    monkeypatch.setattr(k_types, "_initial", _separating_start)
    q = str(1 - mp.mpf(p))
    menu = optimal_menu_k(BOUND, KTypes.of(["0.001", "0.002"], [p, q]), 5000)
    assert menu.corrections >= 1 and menu.verified
    assert ("IR", 0) not in dict(menu.multipliers)
    two = _assert_equals_two_type(menu, "0.001", "0.002", p, 5000)
    assert two.regime == "interior"


@pytest.mark.parametrize("c_low, c_high, p, others", [
    ("0.001", "0.002", "0.7", 50), ("0.001", "0.002", "0.5", 5000), ("0.001", "0.003", "0.2", 50),
    ("0.0005", "0.002", "0.2", 300), ("0.0005", "0.0016", "0.3", 5000), ("0.001", "0.002", "0.4982", 5000)])
def test_correction_from_lone_optima_start(c_low, c_high, p, others, fresh_cache, monkeypatch):
    """Start from the menu of known-cost points (every F and IR taken as binding, too many constraints):
    the solver must correct (drop/add) until certified; expected: the two-type solver's menu to 1e-20."""
    monkeypatch.setattr(k_types, "_initial", lambda program, bars: np.array(
        [float(x / s) for x, s in zip(bars, program.scales)] + [float(u) for u in program.alone]))
    q = str(1 - mp.mpf(p))
    menu = optimal_menu_k(BOUND, KTypes.of([c_low, c_high], [p, q]), others)
    assert menu.corrections >= 1 and menu.verified
    _assert_equals_two_type(menu, c_low, c_high, p, others)


@pytest.mark.parametrize("types", [["--costs", "1e-300,1e300", "--probs", "0.5,0.5"],
                                   ["--c-low", "1e-300", "--c-high", "1e300", "--p", "0.5"]])
def test_costs_spread_over_600_decades_one_line_exit_3(capsys, types):
    """Data from 1e300 down to 1e-300 cannot be held in double precision (presolve, curve search):
    a one-line computation error with exit 3 (was a traceback: OverflowError / bare ArithmeticError)."""
    code = main(["screening", *ACCURACY, *types, "--others", "1e300"])
    err = capsys.readouterr().err.strip()
    assert code == 3 and "\n" not in err and "failed" in err
