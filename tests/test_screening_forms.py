"""App. B closed forms (Model §6): exact symbolic equality with hand derivations, then the check rows.

Hand derivations for ``simplified`` (Example 2.4: :math:`m^* = (k/c^2)^{1/3}`,
:math:`u^* = a_{opt} - 3(kc)^{1/3}`):
:math:`m_C^{min} = 3k^{1/3}(c_H^{1/3} - c_L^{1/3})/(c_H - c_L)`;
Eq. (15): :math:`\\sqrt{k}(m_D + M)^{-3/2} = s^*` gives :math:`m_D = (k/s^{*2})^{1/3} - M`;
Example B.4: :math:`m_C^{min}/m_L^* = 3(2^{1/3} - 1)` at :math:`c_H = 2c_L`.
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

from fedsym import accuracy_function
from fedsym.core.symbols import a_opt, c_H, c_L, k, p
from fedsym.paper.screening.forms import EXAMPLE_B4_RATIO, checks, m_others, screening_forms

FORMS = screening_forms(accuracy_function("simplified"))


def test_minimum_high_contribution_by_hand():
    expected = 3 * sp.cbrt(k) * (sp.cbrt(c_H) - sp.cbrt(c_L)) / (c_H - c_L)
    assert sp.simplify(FORMS.minimum_high_contribution.closed_form - expected) == 0


def test_eq_15_by_hand():
    target = c_L - p * (c_H - c_L) / (1 - p)
    expected = sp.cbrt(k / target**2) - m_others
    values = {k: 7, c_L: sp.Rational(1, 1000), c_H: sp.Rational(3, 2000), p: sp.Rational(1, 10), m_others: 13}
    assert sp.N((FORMS.interior_low_contribution.closed_form - expected).subs(values), 50) == pytest.approx(0, abs=1e-40)


def test_example_b4_ratio_from_the_derived_form():
    """Example B.4: m_C^min(c, 2c) / m_L* = 3(2^{1/3} - 1), exactly."""
    ratio = FORMS.minimum_high_contribution.closed_form.subs({c_H: 2 * c_L}) / sp.cbrt(k / c_L**2)
    assert sp.simplify(ratio - 3 * (sp.cbrt(2) - 1)) == 0
    assert EXAMPLE_B4_RATIO == 3 * (sp.cbrt(2) - 1)


@pytest.mark.parametrize("cost, others", [("0.001", "5000"), ("0.002", "5000"), ("0.0005", "3"), ("0.002", "0")])
def test_known_cost_contribution_matches_hand_cubic(cost, others):
    """The largest root of x^3 - (3m* + M)x + 2 sqrt(k)/c = 0 (x = sqrt(m + M)), by mpmath.polyroots."""
    assert FORMS.known_cost_contribution.method == "closed-form"
    with mp.workdps(40):
        cc, kk, mm = mp.mpf(sp.Rational(cost).p) / sp.Rational(cost).q, mp.mpf(10), mp.mpf(others)
        star = mp.cbrt(kk / cc**2)
        roots = mp.polyroots([1, 0, -(3 * star + mm), 2 * mp.sqrt(kk) / cc], maxsteps=200, extraprec=200)
        x = max(mp.re(r) for r in roots)
        value = FORMS.known_cost_contribution.evaluate({"a_opt": sp.Rational(9, 10), "k": 10, "c": sp.Rational(cost),
                                                        "m_others": sp.Rational(others)})
        assert abs(value - (x**2 - mm)) <= mp.mpf("1e-15") * (x**2)
    assert a_opt not in FORMS.known_cost_contribution.closed_form.free_symbols   # a_opt cancels (u* + line)


@pytest.mark.slow
def test_all_screening_check_rows_pass():
    rows = checks()
    assert rows and all(row.passed for row in rows), [r.to_dict() for r in rows if not r.passed]
    assert {r.source for r in rows} >= {"Example B.4", "App. B, Eq. (15)", "App. B, Eq. (16)", "Theorem B.3"}
