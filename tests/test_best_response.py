"""Theorem 3.3's best-response threshold in the paper layer (fedsym.paper.best_response).

Expected values are derived by hand from the model (docs/model.rst): for the simplified accuracy
Eq. (3), Example 2.4 gives :math:`u^*(c) = a_{opt} - 3(kc)^{1/3}` and the concave
part's maximum is :math:`u^*(c_i) + c_i m_{-i}`, so the best response jumps at
:math:`m_{-i}^{jump} = (3(k c_i)^{1/3} - a_{opt}) / c_i` (computed below with
mpmath, not with fedsym).  The global-search bisection is a different method
(double precision, tolerance 1e-6).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from fedsym.check import CHECKED_MODULES
from fedsym.core.errors import ExpressionError
from fedsym.model.accuracy import FAMILIES
from fedsym.paper.best_response import (
    C_I,
    checks,
    jump_forms,
    numeric_threshold,
    search_threshold,
)
from fedsym.paper.mechanisms import accuracy_shaping

pytestmark = pytest.mark.timeout(60)


def by_hand(a_opt: str, k: str, cost: str) -> mp.mpf:
    """(3 (k c)^(1/3) - a_opt) / c, from Example 2.4's u* (Model §2)."""
    with mp.workdps(40):
        return (3 * mp.cbrt(mp.mpf(k) * mp.mpf(cost)) - mp.mpf(a_opt)) / mp.mpf(cost)


@pytest.mark.parametrize(("a_opt", "k", "cost"), [("0.95", "1", "0.05"), ("0.9", "10", "0.004")])
def test_closed_threshold_is_minus_u_star_over_c(a_opt: str, k: str, cost: str) -> None:
    forms = jump_forms()
    values = {sp.Symbol("a_opt", positive=True): sp.Rational(a_opt), sp.Symbol("k", positive=True): sp.Rational(k),
              C_I: sp.Rational(cost)}
    with mp.workdps(40):
        value = mp.mpf(sp.N(forms.threshold.subs(values), 40))
        assert abs(value - by_hand(a_opt, k, cost)) < mp.mpf("1e-30")
    # the running example's threshold, (3 * 0.05^(1/3) - 0.95) / 0.05 = 3.10418...
    if cost == "0.05":
        assert abs(value - mp.mpf("3.1041889918")) < mp.mpf("1e-9")


def test_numeric_threshold_matches_the_hand_formula() -> None:
    accuracy = FAMILIES["simplified"].bind({"a_opt": "0.9", "k": "10"})
    with mp.workdps(40):
        upper = mp.cbrt(mp.mpf(10) / mp.mpf("0.004") ** 2)  # m* = (k/c^2)^(1/3), Example 2.4
        found = numeric_threshold(accuracy, mp.mpf("0.004"), upper)
        assert abs(found - by_hand("0.9", "10", "0.004")) / found < mp.mpf("1e-15")


def test_global_search_jumps_at_the_threshold() -> None:
    accuracy = FAMILIES["simplified"].bind({"a_opt": "0.95", "k": "1"})
    shaping = accuracy_shaping(accuracy, ["0.05", "0.05"], "0.01")
    found = search_threshold(shaping, 0.05, 1.5, 20.0, bisections=30)
    assert abs(found - float(by_hand("0.95", "1", "0.05"))) < 1e-5


def test_no_jump_on_the_bracket_is_refused() -> None:
    accuracy = FAMILIES["simplified"].bind({"a_opt": "0.95", "k": "1"})
    shaping = accuracy_shaping(accuracy, ["0.05", "0.05"], "0.01")
    with pytest.raises(ArithmeticError, match="does not jump"):
        search_threshold(shaping, 0.05, 5.0, 20.0)  # already past the threshold at 5


@pytest.mark.slow  # Eq. (2)'s lone-agent forms wait for sympy's time limits (about 15 s)
def test_no_closed_lone_optimum_means_no_closed_threshold() -> None:
    with pytest.raises(ExpressionError, match="no closed form"):
        jump_forms(FAMILIES["generalization-bound"])


def test_checks_are_registered_and_pass() -> None:
    assert "fedsym.paper.best_response" in CHECKED_MODULES
    rows = checks()
    assert len(rows) == 3 and all(row.passed for row in rows)
    assert all(row.quantity_math == r"m_{-i}^{jump}" for row in rows)
    assert np.isclose(float(rows[0].closed_form), float(by_hand("0.95", "1", "0.05")))
