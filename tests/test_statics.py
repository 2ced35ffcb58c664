"""Comparative statics and inverse questions (Model §12).

Expected values are derived by hand from Model §2 and §5 (Example 2.4's closed
forms differentiated by hand, Example 4.5's t_n differentiated implicitly) or by
central differences written here, on solvers called directly.
"""

from __future__ import annotations

import json

import mpmath as mp
import pytest

from fedsym import accuracy_function
from fedsym.cli import main
from fedsym.core.errors import InputError
from fedsym.paper.inverse import solve_for
from fedsym.paper.lone_agent import individual
from fedsym.paper.statics import checks, derivative_sign, statics

with mp.workdps(40):
    A_OPT, K, C = mp.mpf("0.95"), mp.mpf(1), mp.mpf("0.001")


pytestmark = pytest.mark.usefixtures("forty_digits")  # the expected values use 40 digits


def _by_wrt(result):  # type: ignore[no-untyped-def]
    return {d.wrt: d for d in result.derivatives}


def test_optimal_data_of_eq3_matches_the_hand_derivative(eq3) -> None:  # type: ignore[no-untyped-def]
    # Example 2.4: m* = (k/c^2)^(1/3); dm*/dc = -(2/3) k^(1/3) c^(-5/3); elasticities -2/3 in c, 1/3 in k, 0 in a_opt
    d = _by_wrt(statics(eq3, "optimal_data", at={"c": "0.001"}))
    assert mp.almosteq(d["c"].value, -mp.mpf(2) / 3 * K ** (mp.mpf(1) / 3) * C ** (-mp.mpf(5) / 3), 1e-25)
    assert mp.almosteq(d["c"].elasticity, -mp.mpf(2) / 3, 1e-25)
    assert mp.almosteq(d["k"].elasticity, mp.mpf(1) / 3, 1e-25)
    assert d["a_opt"].value == 0
    assert all(x.passed and x.method == "closed-form" for x in d.values())


def test_viability_cost_and_minimum_viable_data_elasticities(eq3) -> None:  # type: ignore[no-untyped-def]
    # Example 2.4: c_max = a_opt^3/(27k): elasticity -1 in k, 3 in a_opt; m_0 = 4k/a_opt^2: 1 in k, -2 in a_opt
    cmax = _by_wrt(statics(eq3, "viability_cost"))
    assert mp.almosteq(cmax["k"].elasticity, -1, 1e-25) and mp.almosteq(cmax["a_opt"].elasticity, 3, 1e-25)
    m0 = _by_wrt(statics(eq3, "minimum_viable_data"))
    assert mp.almosteq(m0["k"].elasticity, 1, 1e-25) and mp.almosteq(m0["a_opt"].elasticity, -2, 1e-25)


def test_optimal_utility_follows_the_envelope_theorem(eq3) -> None:  # type: ignore[no-untyped-def]
    # u* = a_opt - 3 (k c)^(1/3): du*/dc = -(k/c^2)^(1/3) = -m* = -100, du*/dk = -(c/k^2)^(1/3) = -0.1, du*/da_opt = 1
    d = _by_wrt(statics(eq3, "optimal_utility", at={"c": "0.001"}))
    assert mp.almosteq(d["c"].value, -100, 1e-25)
    assert mp.almosteq(d["k"].value, -mp.mpf("0.1"), 1e-25)
    assert mp.almosteq(d["a_opt"].value, 1, 1e-25)


def test_implicit_derivative_of_eq2_matches_a_finite_difference_written_here() -> None:
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"})
    d = _by_wrt(statics(bound, "optimal_data", ("c",), at={"c": "0.0005"}))["c"]
    assert d.method == "implicit-function"
    with mp.workdps(40):
        h = mp.mpf("1e-13")
        up, down = (individual(bound, value).optimal_data for value in ("0.0005000000001", "0.0004999999999"))
        reference = (up - down) / (2 * h)
    assert mp.almosteq(d.value, reference, 1e-12)
    # Theorem 2.3's first-order condition a'(m*) = c: dm*/dc = 1 / a''(m*), which is negative (concavity)
    with mp.workdps(40):
        m_star = individual(bound, "0.0005").optimal_data
        assert mp.almosteq(d.value, 1 / bound.a_hat_second(m_star), 1e-20)


def _t(n: mp.mpf) -> mp.mpf:
    """Example 4.5: root t in [1, 3) of (3 - t)^2 t = 4/n, by bisection written here."""
    lo, hi = mp.mpf(1), mp.mpf(3)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (3 - mid) ** 2 * mid - 4 / n > 0 else (lo, mid)
    return (lo + hi) / 2


def test_shaping_total_of_eq3_matches_example_4_5(eq3) -> None:  # type: ignore[no-untyped-def]
    # Example 4.5 with eps = 0: M = n t_n (k/c^2)^(1/3), so elasticity -2/3 in c, 1/3 in k, 0 in a_opt and,
    # differentiating (3 - t)^2 t = 4/n: t' = -4 / (n^2 (3 - t)(3 - 3t)), elasticity in n = 1 + n t'/t
    d = _by_wrt(statics(eq3, "shaping_total", at={"c": "0.001", "n": "10"}))
    with mp.workdps(40):
        n = mp.mpf(10)
        t = _t(n)
        dt = -4 / (n**2 * (3 - t) * (3 - 3 * t))
        assert mp.almosteq(d["n"].elasticity, 1 + n * dt / t, 1e-20)
    assert mp.almosteq(d["c"].elasticity, -mp.mpf(2) / 3, 1e-20)
    assert mp.almosteq(d["k"].elasticity, mp.mpf(1) / 3, 1e-20)
    assert abs(d["a_opt"].elasticity) < 1e-20
    assert all(x.method == "implicit-function" and x.passed for x in d.values())


def test_priced_out_shaping_total_uses_remark_4_4(eq3) -> None:  # type: ignore[no-untyped-def]
    # c = 0.05 > c_max: M solves a_opt - 2 sqrt(k/M) = c M / n (Remark 4.4); dM/dn by a difference written here
    result = statics(eq3, "shaping_total", ("n",), at={"c": "0.05", "n": "10"})
    assert result.regime == "mid"

    def total(n: mp.mpf) -> mp.mpf:
        return mp.findroot(lambda M: A_OPT - 2 * mp.sqrt(K / M) - mp.mpf("0.05") * M / n, result.value)

    with mp.workdps(40):
        h = mp.mpf("1e-10")
        reference = (total(10 + h) - total(10 - h)) / (2 * h)
    assert mp.almosteq(result.derivatives[0].value, reference, 1e-12)


def test_exact_threshold_reports_the_jump_not_a_derivative(eq3) -> None:  # type: ignore[no-untyped-def]
    # c = c_max = 0.95^3/27 exactly: m* jumps from the tangent point 9k/a_opt^2 to 0 (Theorem 2.3)
    c_max = "857375/27000000"
    result = statics(eq3, "optimal_data", at={"c": c_max})
    assert result.regime == "boundary" and result.derivatives == ()
    assert mp.almosteq(result.boundary.below, 9 * K / A_OPT**2, 1e-25) and result.boundary.above == 0
    # u* is continuous there: 0 on both sides (a_opt - 3 (k c_max)^(1/3) = 0)
    utility = statics(eq3, "optimal_utility", at={"c": c_max})
    assert abs(utility.boundary.below) < 1e-30 and utility.boundary.above == 0
    above = statics(eq3, "optimal_data", at={"c": "857376/27000000"})
    assert above.regime == "mid" and all(d.value == 0 for d in above.derivatives)


@pytest.mark.slow
def test_signs_are_proved_for_eq3_and_stated_on_a_grid_for_eq2(eq3) -> None:  # type: ignore[no-untyped-def]
    assert derivative_sign(eq3.function, "optimal_data", "c").startswith("m* is decreasing in c for c < c_max "
                                                                         "(proved")
    assert derivative_sign(eq3.function, "viability_cost", "k").startswith("c_max is decreasing in k (proved")
    assert derivative_sign(eq3.function, "optimal_data", "a_opt").startswith("m* does not depend on a_opt")
    eq2 = accuracy_function("generalization-bound")
    assert "decreasing in k (on a grid" in derivative_sign(eq2, "viability_cost", "k")


def test_inverse_round_trips(eq3) -> None:  # type: ignore[no-untyped-def]
    # (k/c^2)^(1/3) = 1000 with k = 1: c = 10^-4.5
    r = solve_for(eq3, "c", "optimal_data", 1000)
    assert mp.almosteq(r.value, mp.mpf(10) ** mp.mpf("-4.5"), 1e-25) and r.regime == "low" and r.monotone
    assert r.bracket[0] < r.value < r.bracket[1]
    with mp.workdps(40):
        assert mp.almosteq(individual(eq3, mp.nstr(r.value, 40)).optimal_data, 1000, 1e-30)
    # Example 4.5: n t_n m* = 10^4 with m* = 100, so t_n n = 100; check through t_n's defining cubic
    r = solve_for(eq3, "n", "shaping_total", 10**4, at={"c": "0.001"})
    assert mp.almosteq(r.value * _t(r.value), 100, 1e-20)


def test_inverse_refuses_an_unreachable_target_naming_the_range(eq3) -> None:  # type: ignore[no-untyped-def]
    # m* < m_t = 9k/a_opt^2 = 9.972299169 is never optimal: below it the agent collects nothing (Theorem 2.3);
    # the range is exact: (m_t, infinity)
    with pytest.raises(InputError, match=r"exactly the values in \(9\.972299169, \+inf\)"):
        solve_for(eq3, "c", "optimal_data", 5)
    # u* < a_opt = 0.95 always (u* falls from a_opt as c -> 0)
    with pytest.raises(InputError, match=r"\(0\.0, 0\.95\)"):
        solve_for(eq3, "c", "optimal_utility", "0.96")


def test_inverse_reaches_targets_beyond_the_scan(eq3) -> None:  # type: ignore[no-untyped-def]
    # (k/c^2)^(1/3) = 10^20 at c = 10^-30, below the scan's c_max 1e-16; a_opt - 3 (k c)^(1/3) = a_opt - 1e-7
    # at c = (1e-7/3)^3; m* = m_t (1 + 1e-30) needs c within 1e-12 c_max of c_max (Theorem 2.3's tangent point)
    r = solve_for(eq3, "c", "optimal_data", "1e20")
    assert mp.almosteq(r.value, mp.mpf(10) ** -30, 1e-25) and r.reachable_how.startswith("analytic")
    assert r.reachable[1] == mp.inf and mp.almosteq(r.reachable[0], 9 / A_OPT**2, 1e-30)
    r = solve_for(eq3, "c", "optimal_utility", "0.9499999")
    assert mp.almosteq(r.value, (mp.mpf("1e-7") / 3) ** 3, 1e-20)
    target = 9 / A_OPT**2 * (1 + mp.mpf(10) ** -30)
    assert mp.almosteq(solve_for(eq3, "c", "optimal_data", mp.nstr(target, 40)).reached, target, 1e-35)


def test_inverse_of_a_user_defined_accuracy_reports_the_scanned_range() -> None:
    # analytic limits are claimed only for the paper's families: a user expression keeps the scan's range
    bound = accuracy_function("a_opt - 2*sqrt(k/m)").bind({"a_opt": "0.95", "k": "1"})
    r = solve_for(bound, "c", "optimal_data", 1000)
    assert r.reachable_how == "scan" and mp.almosteq(r.value, mp.mpf(10) ** -4.5, 1e-25)


@pytest.mark.slow
def test_check_rows_pass() -> None:
    rows = checks()
    assert rows and all(row.passed for row in rows)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


EQ3 = ("--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1")


def test_cli_done_when(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "statics", *EQ3, "--quantity", "optimal_data", "--wrt", "c", "--at", "c=0.001", "--json")
    data = json.loads(out)["derivatives"]["c"]
    assert code == 0 and data["elasticity"] == pytest.approx(-2 / 3, rel=1e-14)
    assert data["derivative"] == pytest.approx(-66666.666666666667, rel=1e-14) and data["passed"]
    code, out, _ = _cli(capsys, "solve-for", "c", "--target", "optimal_data=1000", *EQ3, "--json")
    assert code == 0 and json.loads(out)["value"] == pytest.approx(10**-4.5, rel=1e-14)


def test_cli_solve_for_latex(capsys: pytest.CaptureFixture[str]) -> None:
    # (k/c^2)^(1/3) = 1000 at k = 1: c = 10^-4.5 = 3.16227766017e-5 (hand), in the low regime (c < c_max)
    code, out, _ = _cli(capsys, "solve-for", "c", "--target", "optimal_data=1000", *EQ3, "--latex")
    assert code == 0 and out.startswith(r"\[ c = 3.16227766017e-5") and "m^{*} = 1000.0" in out and "regime low" in out


@pytest.mark.parametrize("args, message", [
    (("statics", *EQ3, "--quantity", "nope"), "unknown quantity 'nope'"),
    (("statics", *EQ3, "--quantity", "optimal_data", "--wrt", "zz", "--at", "c=0.01"), "--wrt zz"),
    (("statics", *EQ3, "--quantity", "optimal_data", "--at", "q=1"), "--at 'q=1'"),
    (("statics", *EQ3, "--quantity", "optimal_data"), "needs --at c"),
    (("solve-for", "c", "--target", "optimal_data=5", *EQ3), "takes exactly the values in"),
    (("solve-for", "c", "--target", "optimal_data", *EQ3), "expected QUANTITY=VALUE"),
])
def test_cli_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                          message: str) -> None:
    code, out, err = _cli(capsys, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and out == ""


def test_totals_agree_with_the_equilibrium_solvers(eq3) -> None:  # type: ignore[no-untyped-def]
    # independent path: the package's equilibrium solvers (Theorem 3.4, Theorem 4.2) at n = 10 equal costs
    from fedsym import shaping_equilibrium, standard_equilibrium

    costs = [0.001] * 10
    assert float(statics(eq3, "standard_total", at={"c": "0.001", "n": "10"}).value) == pytest.approx(
        standard_equilibrium(eq3, costs).total, rel=1e-12)
    shaping = statics(eq3, "shaping_total", at={"c": "0.001", "n": "10", "eps": "0.0001"})
    assert float(shaping.value) == pytest.approx(shaping_equilibrium(eq3, costs, 0.0001).total, rel=1e-10)
    # the eps that buys a total of 2000 is confirmed by the solver
    eps = solve_for(eq3, "eps", "shaping_total", 2000, at={"c": "0.001", "n": "10"}).value
    assert shaping_equilibrium(eq3, costs, float(eps)).total == pytest.approx(2000, rel=1e-10)


def test_at_the_edge_of_a_range_the_difference_is_one_sided() -> None:
    # a_opt = 1 is the top of its range (Eq. (1): a_opt <= 1); power law u* = a_opt - tau - beta m*^-alpha - c m*
    # with m* = (alpha beta / c)^(1/(alpha+1)) independent of a_opt, so du*/da_opt = 1 by hand
    bound = accuracy_function("power-law").bind({"a_opt": "1", "tau": "0.3", "beta": "20", "alpha": "1.7"})
    d = _by_wrt(statics(bound, "optimal_utility", ("a_opt",), at={"c": "0.001"}))["a_opt"]
    assert mp.almosteq(d.value, 1, 1e-25) and mp.almosteq(d.finite_difference, 1, 1e-15)


def test_cli_no_positive_equilibrium_is_exit_2_and_a_failed_computation_exit_3(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Remark 4.4: with c/n = 0.25 > c_max = 0.0318 only M = 0 is an equilibrium: the point has no positive total
    code, _, err = _cli(capsys, "statics", *EQ3, "--quantity", "shaping_total", "--at", "c=0.5", "--at", "n=2")
    assert code == 2 and "Remark 4.4" in err
    import fedsym.paper.statics as module
    from fedsym.core.errors import ConvergenceError

    def fail(*args: object, **kwargs: object) -> None:
        raise ConvergenceError("planted: no convergence")

    monkeypatch.setattr(module, "bracketed_root", fail)
    code, out, err = _cli(capsys, "statics", *EQ3, "--quantity", "shaping_total", "--at", "c=0.001", "--at", "n=3")
    assert code == 3 and "planted" in err and len(err.strip().splitlines()) == 1 and out == ""


def test_cli_signs(capsys: pytest.CaptureFixture[str]) -> None:
    # u* = a_opt - 3 (k c)^(1/3) (Example 2.4): decreasing in c and k for all positive values
    code, out, _ = _cli(capsys, "statics", *EQ3, "--quantity", "optimal_utility", "--at", "c=0.001", "--signs",
                        "--json")
    signs = json.loads(out)["signs"]
    assert code == 0 and signs["c"].startswith("u* is decreasing in c for c < c_max (proved")
    assert signs["k"].startswith("u* is decreasing in k")
