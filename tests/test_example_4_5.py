"""Example 4.5 and Remark 4.4 closed forms (Model §5), validated Viete branches.

Expected values by hand: (3 - t)^2 t = 4/n gives t_1 = 1 ((3-1)^2 = 4) and t_2 = 2 (1 * 2 = 2);
t_n = 3 - 2/sqrt(n t_n) from a(n t m*) = a(m*) + c (t - 1) m*, hence 3 - 2/sqrt(n) <= t_n < 3.
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.derived import CLOSED_FORM
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import shaping_equilibrium
from fedsym.paper.example_4_5 import checks, example_forms, viete_roots


def test_t_1_and_t_2_exactly() -> None:
    ratio = example_forms().ratio
    assert ratio.method == CLOSED_FORM
    assert sp.nsimplify(sp.simplify(ratio.closed_form.subs(S.n, 1))) == 1
    assert sp.simplify(ratio.closed_form.subs(S.n, 2)) == 2


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 10, 100, 10**4, 10**8])
def test_t_n_bounds_and_cubic(n: int) -> None:
    with mp.workdps(40):
        t = example_forms().ratio.evaluate({"n": n})
        assert abs((3 - t) ** 2 * t - mp.mpf(4) / n) < mp.mpf(10) ** -35
        assert 3 - 2 / mp.sqrt(n) <= t * (1 + mp.mpf(10) ** -35) and t < 3


@pytest.mark.parametrize("n", [3, 5, 12])
def test_t_n_matches_the_equilibrium_and_does_not_depend_on_k_or_c(n: int) -> None:
    """Example 4.5: m_bar = t_n m*, independent of k and c (Theorem 4.2 solver at two points)."""
    t = float(example_forms().ratio.evaluate({"n": n}))
    for params, c in (({"a_opt": "0.95", "k": "1"}, 0.001), ({"a_opt": "0.7", "k": "40"}, 0.0002)):
        bound = accuracy_function("simplified").bind(params)
        m_star = (float(params["k"]) / c**2) ** (1 / 3)
        eq = shaping_equilibrium(bound, [c] * n, verify=False)
        assert eq.contributions[0] / m_star == pytest.approx(t, rel=1e-12)


def test_viete_roots_of_a_cubic_with_known_roots() -> None:
    """(x - 1)(x - 2)(x + 4) by hand."""
    x = sp.Symbol("x", real=True)
    roots = sorted(float(sp.N(r)) for r in viete_roots((x - 1) * (x - 2) * (x + 4), x))
    assert roots == pytest.approx([-4, 1, 2], rel=1e-14)


def test_remark_4_4_total_and_threshold() -> None:
    forms = example_forms()
    assert sp.simplify(forms.existence_threshold.closed_form - 27 * S.c * S.k / S.a_opt**3) == 0  # c / c_max
    values = {"a_opt": "0.95", "k": "1", "c": "0.05", "n": "3"}
    with mp.workdps(40):
        total = forms.priced_out_total.evaluate(values)
        assert abs(mp.mpf("0.95") - 2 / mp.sqrt(total) - mp.mpf("0.05") * total / 3) < mp.mpf(10) ** -35


def test_example_checks_pass() -> None:
    rows = checks()
    assert rows and all(row.passed for row in rows)
