"""Comparative statics of App. B's two-type menu in its closed-form regimes (Model §6, §12).

Expected values are derived by hand for Eq. (3) (a(m) = a_opt - 2 sqrt(k/m), m*(c) = (k/c^2)^(1/3),
u*(c) = a_opt - 3 (k c)^(1/3)):
* interior (Eq. (15)): m_D = (k/s^2)^(1/3) - m_others with s = c_L - p (c_H - c_L)/(1 - p);
* Eq. (16): m_C = (A(m_D) - c_L m_D - u_H*)/(c_H - c_L), so dm_C/dm_others = c_L/(c_H - c_L) (A(m_D) and s do
  not move with m_others); rent = (c_H - c_L)(m_C - m_C^min), drent/dm_others = c_L;
* no rent: m_C = m_C^min = (u_L* - u_H*)/(c_H - c_L) is homogeneous of degree -2/3 in (c_L, c_H) (Euler:
  elasticities add up to -2/3) and of degree 1/3 in k; it does not move with p or m_others;
* the regime boundary interior | no rent is where Eq. (15)'s m_D meets the known-cost crossing m-bar_L,
  found here by mp.findroot on a(m + m_others) = u_L* + c_L m (independent of the package).
"""

from __future__ import annotations

import json

import mpmath as mp
import pytest

from fedsym import accuracy_function
from fedsym.cli import main
from fedsym.core.errors import InputError, ParameterError
from fedsym.paper.screening_statics import checks, screening_statics

A_OPT, K = "0.9", "10"
INTERIOR = {"p": "0.1", "c_L": "0.001", "c_H": "0.0015", "m_others": "10"}


pytestmark = pytest.mark.usefixtures("forty_digits")  # the expected values use 40 digits


@pytest.fixture(scope="module")
def eq3():  # type: ignore[no-untyped-def]
    return accuracy_function("simplified").bind({"a_opt": A_OPT, "k": K})


def _d(result):  # type: ignore[no-untyped-def]
    return {d.wrt: d for d in result.derivatives}


def test_interior_low_contribution_by_hand(eq3) -> None:  # type: ignore[no-untyped-def]
    c_l, c_h, p, k = mp.mpf("0.001"), mp.mpf("0.0015"), mp.mpf("0.1"), mp.mpf(K)
    s = c_l - p * (c_h - c_l) / (1 - p)
    result = screening_statics(eq3, "low_contribution", at=INTERIOR)
    assert result.regime == "interior"
    assert mp.almosteq(result.value, (k / s**2) ** (mp.mpf(1) / 3) - 10, 1e-30)
    d = _d(result)
    # dm_D/dp = dm/ds * ds/dp = (-(2/3) k^(1/3) s^(-5/3)) * (-(c_H - c_L)/(1 - p)^2)
    expected = mp.mpf(2) / 3 * k ** (mp.mpf(1) / 3) * s ** (-mp.mpf(5) / 3) * (c_h - c_l) / (1 - p) ** 2
    assert mp.almosteq(d["p"].value, expected, 1e-25)
    assert mp.almosteq(d["m_others"].value, -1, 1e-25) and d["a_opt"].value == 0
    assert all(x.passed for x in d.values())


def test_interior_high_contribution_and_rent_move_with_others_data(eq3) -> None:  # type: ignore[no-untyped-def]
    high = _d(screening_statics(eq3, "high_contribution", ("m_others",), at=INTERIOR))
    assert mp.almosteq(high["m_others"].value, mp.mpf("0.001") / mp.mpf("0.0005"), 1e-25)
    rent = screening_statics(eq3, "information_rent_low", ("m_others",), at=INTERIOR)
    assert rent.value > 0 and mp.almosteq(_d(rent)["m_others"].value, mp.mpf("0.001"), 1e-25)


def test_no_rent_regime_example_b4(eq3) -> None:  # type: ignore[no-untyped-def]
    at = {"p": "0.5", "c_L": "0.001", "c_H": "0.002", "m_others": "5000"}   # Example B.4: p >= c_L/c_H
    result = screening_statics(eq3, "high_contribution", at=at)
    assert result.regime == "no-rent"
    d = _d(result)
    assert mp.almosteq(d["c_L"].elasticity + d["c_H"].elasticity, -mp.mpf(2) / 3, 1e-25)
    assert mp.almosteq(d["k"].elasticity, mp.mpf(1) / 3, 1e-25)
    assert d["p"].value == 0 and d["m_others"].value == 0 and all(x.passed for x in d.values())
    assert screening_statics(eq3, "information_rent_low", at=at).value == 0


def test_pooling_gives_the_high_type_and_rent_only(eq3) -> None:  # type: ignore[no-untyped-def]
    at = {"p": "0.3", "c_L": "0.001", "c_H": "0.0015", "m_others": "1000"}
    high = screening_statics(eq3, "high_contribution", at=at)
    assert high.regime == "pooling" and _d(high)["p"].value == 0 and _d(high)["c_L"].value == 0
    assert all(x.passed for x in high.derivatives)
    with pytest.raises(InputError, match="pools"):
        screening_statics(eq3, "low_contribution", at=at)


def test_boundary_between_interior_and_no_rent_is_reported(eq3) -> None:  # type: ignore[no-untyped-def]
    a_opt, k, c_l, c_h, others = mp.mpf(A_OPT), mp.mpf(K), mp.mpf("0.001"), mp.mpf("0.0015"), mp.mpf(10)
    u_low, m_low = a_opt - 3 * (k * c_l) ** (mp.mpf(1) / 3), (k / c_l**2) ** (mp.mpf(1) / 3)
    crossing = mp.findroot(lambda m: a_opt - 2 * mp.sqrt(k / (m + others)) - u_low - c_l * m, 1.2 * m_low)
    s = mp.sqrt(k / (crossing + others) ** 3)               # (k/s^2)^(1/3) - m_others = m-bar_L
    r = (c_l - s) / (c_h - c_l)
    p = r / (1 + r)                                         # s = c_L - p (c_H - c_L)/(1 - p)
    at = {**INTERIOR, "p": mp.nstr(p, 40)}
    edge = screening_statics(eq3, "high_contribution", at=at)
    assert edge.regime == "boundary" and edge.derivatives == () and edge.boundary is not None
    assert mp.almosteq(edge.boundary.below, edge.boundary.above, 1e-25)   # m_C is continuous there
    below = screening_statics(eq3, "high_contribution", at={**INTERIOR, "p": mp.nstr(p * (1 - mp.mpf(10) ** -6), 40)})
    above = screening_statics(eq3, "high_contribution", at={**INTERIOR, "p": mp.nstr(p * (1 + mp.mpf(10) ** -6), 40)})
    assert below.regime == "interior" and above.regime == "no-rent"


@pytest.mark.parametrize("at, error, message", [
    ({**INTERIOR, "m_others": "0"}, ParameterError, "m_others=0"),
    ({**INTERIOR, "p": "1"}, ParameterError, "p=1"),
    ({**INTERIOR, "c_H": "0.0005"}, ParameterError, "c_L=0.001 and c_H=0.0005"),
    ({k: v for k, v in INTERIOR.items() if k != "p"}, InputError, "needs --at p"),
    ({**INTERIOR, "c": "1"}, InputError, "--at c"),
])
def test_bad_points_are_refused(eq3, at, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        screening_statics(eq3, "expected_data", at=at)


def test_family_without_closed_forms_is_refused() -> None:
    bound = accuracy_function("generalization-bound").bind({"a_opt": A_OPT, "k": K})
    with pytest.raises(InputError, match="closed forms"):
        screening_statics(bound, "expected_data", at=INTERIOR)


def test_check_rows_pass() -> None:
    rows = checks()
    assert rows and all(row.passed for row in rows)


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["statics", "--accuracy", "simplified", "--param", f"a_opt={A_OPT}", "--param", f"k={K}",
                 "--quantity", "high_contribution", "--wrt", "m_others",
                 *(x for name, v in INTERIOR.items() for x in ("--at", f"{name}={v}")), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["regime"] == "interior"
    assert data["derivatives"]["m_others"]["derivative"] == pytest.approx(2.0, rel=1e-14)
