r"""Example 4.5 and Remark 4.4 in closed form: accuracy shaping with equal costs under Eq. (3).

With the simplified accuracy :math:`a(m) = a_{opt} - 2\sqrt{k/m}` and ``n``
agents of cost ``c`` under Eq. (13) (Model §5):

* :math:`c < c_{max}`: each agent contributes :math:`t_n m^*` where
  :math:`t_n \in [1, 3)` is the root of :math:`(3 - t)^2 t = 4/n`;
* :math:`c \ge c_{max}` (Remark 4.4): the total :math:`M` solves
  :math:`a(M) = cM/n`, a cubic in :math:`\sqrt M`, with a positive root iff
  :math:`n > c/c_{max}`.

Both cubics have three real roots, so Cardano's formula passes through complex
numbers; :func:`viete_roots` gives the trigonometric (Viète) form instead, and
each quantity keeps the branch that validates at sample points against a
bracketed numeric root ("Symbolic first, never silently wrong").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow, derived_row
from fedsym.core.derived import Derived, DerivedForms, mp_value
from fedsym.core.engine import Row, Table, run
from fedsym.core.settings import settings_cache
from fedsym.core.solve import DPS, bracketed_root, maximize_unimodal
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import shaping_equilibrium
from fedsym.paper.lone_agent import lone_agent_forms

__all__ = ["ExampleForms", "example_forms", "viete_roots", "checks"]

def viete_roots(polynomial: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    r"""The three roots of a cubic in *x* in Viète's trigonometric form.

    For :math:`x^3 + A x^2 + B x + C` with :math:`p = B - A^2/3`,
    :math:`q = 2A^3/27 - AB/3 + C`:

    .. math:: x_j = -\frac{A}{3} + 2\sqrt{-p/3}\,
              \cos\Big(\tfrac13 \arccos\big(\tfrac{3q}{2p}\sqrt{-3/p}\big) - \tfrac{2\pi j}{3}\Big),\ j = 0, 1, 2

    real when the cubic has three real roots (:math:`4p^3 + 27q^2 < 0`); which
    one is wanted is for the caller to validate.
    """
    coefficients = sp.Poly(sp.expand(polynomial), x).all_coeffs()
    if len(coefficients) != 4:
        raise ValueError(f"{polynomial} is not a cubic in {x}")
    lead, *rest = coefficients
    A, B, C = (sp.simplify(coefficient / lead) for coefficient in rest)
    p = sp.simplify(B - A**2 / 3)
    q = sp.simplify(2 * A**3 / 27 - A * B / 3 + C)
    angle = sp.acos(sp.simplify(3 * q / (2 * p) * sp.sqrt(-3 / p))) / 3
    return [sp.simplify(-A / 3 + 2 * sp.sqrt(-p / 3) * sp.cos(angle - 2 * sp.pi * j / 3)) for j in range(3)]


# -- numeric references ---------------------------------------------------------------

def _numeric_t(values: Mapping[str, Any]) -> mp.mpf:
    r"""Bracketed root of :math:`(3-t)^2 t - 4/n` on :math:`[1, 3]` (decreasing there)."""
    n = mp_value(values["n"])
    return bracketed_root(lambda t: (3 - t) ** 2 * t - 4 / n, mp.mpf(1), mp.mpf(3))


def _numeric_priced_out_total(values: Mapping[str, Any]) -> mp.mpf:
    r"""Largest root of :math:`a(M) - cM/n` (Eq. (3)), bracketed from the tangent point :math:`9k/a_{opt}^2` up."""
    a_opt, k, c, n = (mp_value(values[name]) for name in ("a_opt", "k", "c", "n"))
    gap = lambda M: a_opt - 2 * mp.sqrt(k / M) - c * M / n  # noqa: E731
    tangent = 9 * k / a_opt**2
    return bracketed_root(gap, tangent, n * a_opt / c)


@dataclass(frozen=True)
class ExampleForms(DerivedForms):
    r"""Closed forms of Example 4.5 and Remark 4.4 (Eq. (3), equal costs).

    ``ratio``: :math:`t_n(n)`; ``ceiling``: :math:`\lim_n t_n = 3` is
    :math:`m^{max}/m^*`; ``priced_out_total``: :math:`M(a_{opt}, k, c, n)` for
    :math:`c \ge c_{max}`; ``existence_threshold``: the number of agents
    :math:`n = c/c_{max}` above which that positive root exists.
    """

    ratio: Derived
    priced_out_total: Derived
    existence_threshold: Derived


def squared_viete_roots(polynomial: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    r"""The squares of :func:`viete_roots` (Remark 4.4's cubic is in :math:`s = \sqrt M`), simplified."""
    return [sp.simplify(root**2) for root in viete_roots(polynomial, x)]


#: sample points of the branch validation: t_n at ``n`` alone, Remark 4.4's total at full points
SAMPLES = tuple({"n": v} for v in ("1", "2", "3", "7.5", "100", "1e6")) + tuple(
    dict(a_opt=a, k=k, c=c, n=nn) for a, k, c, nn in
    (("0.95", "1", "0.05", "2"), ("0.95", "1", "0.1", "50"), ("0.6", "0.3", "0.05", "3"), ("0.8", "0.5", "0.2", "1000")))


def _numeric_threshold(values: Mapping[str, Any]) -> mp.mpf:
    """Smallest n at which a(M) = cM/n touches: c over the golden-section max of a(m)/m."""
    a_opt, k, c = (mp_value(values[name]) for name in ("a_opt", "k", "c"))
    _, c_max = maximize_unimodal(lambda m: (a_opt - 2 * mp.sqrt(k / m)) / m, 4 * k / a_opt**2, 1e3 * k / a_opt**2)
    return c / c_max


def _threshold_form(forms: Mapping[str, sp.Expr]) -> sp.Expr | str:
    r""":math:`c / c_{max}` with Theorem 2.3's closed :math:`c_{max}` of Eq. (3)."""
    c_max = lone_agent_forms(accuracy_function("simplified")).viability_cost.closed_form
    return "no closed c_max" if c_max is None else sp.simplify(S.c / c_max)


def _table() -> Table:
    r"""Example 4.5 and Remark 4.4 as a table of :mod:`fedsym.core.engine`: Viète branches validated at :data:`SAMPLES`."""
    t, n = S.t, S.n
    # Remark 4.4 with Eq. (3): a_opt - 2 sqrt(k/M) = c M / n; with s = sqrt(M): (c/n) s^3 - a_opt s + 2 sqrt(k) = 0
    s = S.s
    cubic = (S.c / n) * s**3 - S.a_opt * s + 2 * sp.sqrt(S.k)
    rows = (
        Row("equal_cost_ratio", "t_n", "equilibrium data over the lone optimum, n agents of equal cost",
            "Example 4.5", ("n",), _numeric_t, branches=viete_roots, branch_args=((3 - t) ** 2 * t - 4 / n, t),
            key="ratio"),
        Row("priced_out_total", "M", "total data when every agent is priced out alone (c >= c_max)",
            "Remark 4.4, Example 4.5", ("a_opt", "k", "c", "n"), _numeric_priced_out_total,
            branches=squared_viete_roots, branch_args=(cubic, s)),
        Row("priced_out_threshold", "n_{min}",
            "fewest agents for a positive equilibrium when all are priced out: n > c/c_max",
            "Remark 4.4", ("a_opt", "k", "c"), _numeric_threshold, form=_threshold_form, note_key=None),
    )
    return Table("example_4_5", {}, rows, lambda: SAMPLES)


@settings_cache(1)
def example_forms() -> ExampleForms:
    r"""Derive :math:`t_n`, Remark 4.4's total and its threshold on ``n`` (validated Viète branches).

    The table :func:`_table` runs on the derivation engine (:func:`fedsym.core.engine.run`).
    """
    derived = run(_table())
    return ExampleForms(derived["equal_cost_ratio"], derived["priced_out_total"], derived["priced_out_threshold"])


#: parameter points of ``fedsym check`` for Example 4.5
CHECK_N = ("1", "2", "3", "10", "1000", "1000000")
CHECK_PRICED_OUT = (("0.95", "1", "0.05", "2"), ("0.95", "1", "0.05", "40"), ("0.9", "10", "0.004", "3"))


def checks() -> list[CheckRow]:
    r"""Example 4.5 and Remark 4.4 against independent numerics.

    :math:`t_n` against the bracketed root of the cubic and against the Theorem 4.2
    solver (:math:`\bar m / m^*` for ``n`` agents of cost 0.001); Remark 4.4's
    total against the bracketed root of :math:`a(M) = cM/n` and against the
    solver; the threshold against golden-section :math:`c_{max}`.
    """
    forms = example_forms()
    rows: list[CheckRow] = []
    bound = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    with mp.workdps(DPS):
        for n in CHECK_N:
            rows.append(derived_row(forms.ratio, {"n": n}, forms.ratio.evaluate_numeric({"n": n}),
                             "bracketed root of (3-t)^2 t = 4/n", f"n = {n}"))
        for n in CHECK_N[:4]:
            eq = shaping_equilibrium(bound, [0.001] * int(n), verify=False)
            rows.append(derived_row(forms.ratio, {"n": n}, mp.mpf(eq.contributions[0]) / 100,
                             "Theorem 4.2 solver, m_bar/m* (double precision)", f"{bound.label()}, c = 0.001, n = {n}",
                             tolerance=mp.mpf("1e-13")))
        for a_opt, k, c, n in CHECK_PRICED_OUT:
            values = {"a_opt": a_opt, "k": k, "c": c, "n": n}
            point = f"a_opt = {a_opt}, k = {k}, c = {c}, n = {n}"
            rows.append(derived_row(forms.priced_out_total, values, forms.priced_out_total.evaluate_numeric(values),
                             "bracketed root of a(M) = cM/n", point))
            eq = shaping_equilibrium(accuracy_function("simplified").bind({"a_opt": a_opt, "k": k}),
                                     [float(c)] * int(n), verify=False)
            rows.append(derived_row(forms.priced_out_total, values, mp.mpf(eq.total), "Theorem 4.2 solver (Remark 4.4 path)",
                             point, tolerance=mp.mpf("1e-13")))
            rows.append(derived_row(forms.existence_threshold, values, forms.existence_threshold.evaluate_numeric(values),
                             "c over golden-section max of a(m)/m", point))
    return rows
