"""Two-type screening for one agent (Model §6, App. B): one test per regime.

Every expected value is derived by hand in this file for the ``simplified``
accuracy :math:`a(m) = a_{opt} - 2\\sqrt{k/m}` (Example 2.4):
:math:`m^*(c) = (k/c^2)^{1/3}`, :math:`u^*(c) = a_{opt} - 3(kc)^{1/3}`, and the
right crossing of :math:`u^* + c\\,m` with :math:`a(m + M)` is
:math:`\\bar m = x^2 - M` for the largest root :math:`x` of
:math:`x^3 - (3m^*(c) + M)\\,x + 2\\sqrt{k}/c = 0` (substitute :math:`x = \\sqrt{m + M}`,
multiply by :math:`x/c`), solved here with ``mpmath.polyroots``, never by fedsym.
"""

from __future__ import annotations

import json

import mpmath as mp
import pytest

from fedsym import accuracy_function, screen_two_types
from fedsym.cli import main
from fedsym.core.errors import ParameterError

K = mp.mpf(10)  # exact; a_opt = 9/10 is formed at 40 digits inside each helper
BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})


@pytest.fixture(autouse=True)
def precision():
    """Hand computations at 40 digits, restored afterwards."""
    with mp.workdps(40):
        yield


def m_star(c):
    return mp.cbrt(K / c**2)


def u_star(c):
    return mp.mpf(9) / 10 - 3 * mp.cbrt(K * c)


def a(m):
    return mp.mpf(9) / 10 - 2 * mp.sqrt(K / m)


def crossing(c, others):
    """Largest root of the hand-derived cubic in x = sqrt(m + M)."""
    roots = mp.polyroots([c, 0, -(3 * m_star(c) + others) * c, 2 * mp.sqrt(K)], maxsteps=200, extraprec=200)
    x = max(mp.re(r) for r in roots if abs(mp.im(r)) < mp.mpf(10) ** -25)
    return x**2 - others


def close(x, y, rtol="1e-20"):
    return abs(mp.mpf(x) - y) <= mp.mpf(rtol) * max(abs(y), 1)


def test_separating_example_b4():
    """Example B.4: p = 1/2, costs {c, 2c}: m_C = 3(2^{1/3} - 1) m_L*, m_D = m̄_L, no rent."""
    c, others = mp.mpf("0.001"), mp.mpf(5000)
    result = screen_two_types(BOUND, "0.001", "0.002", "0.5", "5000")
    menu = result.two_type
    assert result.regime == "separating" and not menu.pooling and result.verified
    assert close(menu.high_contribution / menu.low_alone, 3 * (mp.cbrt(2) - 1))
    assert close(menu.low_contribution, crossing(c, others))
    assert close(menu.high_known_cost, crossing(2 * c, others))
    assert close(menu.high_alone, mp.cbrt(2) ** -2 * m_star(c))
    assert menu.information_rent_low == 0
    assert m_star(2 * c) < menu.high_contribution < m_star(c)   # Example B.4: between m_H* and m_L*


def test_both_capped_without_others():
    """Regime 4 with m_{-i} = 0: the crossings are the lone optima, m_C = m_H*, m_D = m_L*, no rent."""
    result = screen_two_types(BOUND, "0.001", "0.0015", "0.3", "0")
    menu = result.two_type
    assert result.regime == "both-capped" and result.verified
    assert close(menu.high_contribution, m_star(mp.mpf("0.0015")))
    assert close(menu.low_contribution, m_star(mp.mpf("0.001")))
    assert menu.information_rent_low == 0


def test_interior_eq_15_16():
    """Regime 2: A'(m_D) = c_L - p(c_H - c_L)/(1 - p) solved by hand, m_C from Eq. (16), rent > 0."""
    c_l, c_h, p, others = mp.mpf("0.001"), mp.mpf("0.0015"), mp.mpf("0.1"), mp.mpf(10)
    slope = c_l - p * (c_h - c_l) / (1 - p)
    m_d = mp.cbrt(K / slope**2) - others            # sqrt(k) (m + M)^{-3/2} = slope
    m_c = (a(m_d + others) - c_l * m_d - u_star(c_h)) / (c_h - c_l)
    rent = u_star(c_h) + (c_h - c_l) * m_c - u_star(c_l)
    result = screen_two_types(BOUND, "0.001", "0.0015", "0.1", "10")
    menu = result.two_type
    assert result.regime == "interior" and result.verified
    assert close(menu.low_contribution, m_d) and close(menu.high_contribution, m_c)
    assert close(menu.information_rent_low, rent) and rent > 0
    assert menu.minimum_high_contribution < m_c < menu.high_known_cost


def test_high_capped_pooling():
    """Regime 3 with pooling: m_C = m_D = m̄_H (A'(m̄_H) <= c_L), rent (c_H - c_L)(m̄_H - m_C^min)."""
    c_l, c_h, others = mp.mpf("0.001"), mp.mpf("0.0015"), mp.mpf(1000)
    bar_h = crossing(c_h, others)
    assert mp.sqrt(K) * (bar_h + others) ** mp.mpf(-1.5) <= c_l
    c_min = (u_star(c_l) - u_star(c_h)) / (c_h - c_l)
    result = screen_two_types(BOUND, "0.001", "0.0015", "0.3", "1000")
    menu = result.two_type
    assert result.regime == "high-capped" and menu.pooling and result.verified
    assert close(menu.high_contribution, bar_h) and close(menu.low_contribution, bar_h)
    assert close(menu.information_rent_low, (c_h - c_l) * (bar_h - c_min))


def run_cli(capsys, *args):
    status = main(["screening", "--accuracy", "simplified", "--param", "a_opt=0.9", "--param", "k=10", *args])
    return status, capsys.readouterr()


def test_cli_json_example_b4(capsys):
    """The issue's acceptance command: regime separating, m_C / m_L* = 3(2^{1/3} - 1)."""
    status, out = run_cli(capsys, "--c-low", "0.001", "--c-high", "0.002", "--p", "0.5", "--others", "5000", "--json")
    data = json.loads(out.out)
    assert status == 0 and data["regime"] == "separating" and data["verified"] is True
    assert data["high_contribution"] / data["low_alone"] == pytest.approx(3 * (2 ** (1 / 3) - 1), rel=1e-12)
    for key in ("high_alone", "low_alone", "high_known_cost", "low_known_cost", "high_contribution",
                "low_contribution", "expected_data", "information_rent_low", "regime", "verified"):
        assert key in data


@pytest.mark.parametrize("args, word", [
    (("--c-low", "0.001", "--c-high", "0.002", "--p", "1", "--others", "5"), "p=1"),
    (("--c-low", "0.001", "--c-high", "0.002", "--p", "0", "--others", "5"), "p=0"),
    (("--c-low", "0.002", "--c-high", "0.002", "--p", "0.5", "--others", "5"), "c_low=0.002"),
    (("--c-low", "0.003", "--c-high", "0.002", "--p", "0.5", "--others", "5"), "c_low=0.003"),
    (("--c-low", "0.001", "--c-high", "0.002", "--p", "0.5", "--others", "-3"), "others=-3"),
    (("--c-low", "-1", "--c-high", "0.002", "--p", "0.5", "--others", "3"), "c_low=-1"),
    (("--c-low", "0.001", "--c-high", "0.002", "--p", "half", "--others", "3"), "p"),
])
def test_cli_refuses_bad_input(capsys, args, word):
    """Bad inputs exit 2 with one line naming the input (Clear errors)."""
    status, out = run_cli(capsys, *args)
    assert status == 2 and out.out == ""
    assert word in out.err and len(out.err.strip().splitlines()) == 1


def test_library_refuses_bad_prior():
    with pytest.raises(ParameterError, match="p=1.5"):
        screen_two_types(BOUND, "0.001", "0.002", "1.5", "0")
