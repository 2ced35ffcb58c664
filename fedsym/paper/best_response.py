r"""Theorem 3.3 and Figure 6: where an agent's best response jumps from 0 to an interior maximum.

Under a mechanism :math:`\gamma_i = \max(0, \hat g_i)` the utility
:math:`U_i(m_i) = \max(-c_i m_i,\ \hat g_i - c_i m_i)` is the maximum of a falling
line and a concave function: two local maxima, :math:`m_i = 0` (utility 0) and
the concave part's maximum.  For accuracy shaping, Eq. (13), and an agent priced
out alone (:math:`c_i > c_{max}`, so :math:`m_i^* = 0`), the concave part is
:math:`\hat a(m_i + m_{-i}) - c_i m_i` while the line does not bind; its maximum
sits at :math:`m^*(c_i) - m_{-i}` with value :math:`u^*(c_i) + c_i m_{-i}`, so the
best response jumps where that value crosses 0 (Model §3, Theorem 3.3):

.. math:: m_{-i}^{jump} = -u^*(c_i) / c_i.

:func:`jump_forms` derives the chain from the accuracy's own expression (bounded
sympy); :func:`numeric_threshold` finds the same threshold without it (a
bracketed root of a golden-section maximum); :func:`search_threshold` finds it
from the global-search best response (:func:`fedsym.paper.deviation.best_deviation`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow
from fedsym.core.derived import mp_value
from fedsym.core.engine import Row, Table, run
from fedsym.core.errors import ExpressionError
from fedsym.core.latex import Latex, LatexRepr, align, math
from fedsym.core.settings import settings_cache
from fedsym.core.solve import DPS, bracketed_root, maximize_unimodal
from fedsym.model.accuracy import FAMILIES, AccuracyFunction, BoundAccuracy
from fedsym.paper.deviation import best_deviation
from fedsym.paper.lone_agent import lone_agent_forms, numeric_optimal_data
from fedsym.paper.mechanisms import LinearShaping

__all__ = ["JumpForms", "jump_forms", "numeric_threshold", "best_response", "search_threshold", "checks",
           "M_I", "M_OTHERS", "C_I", "EPS_SYMBOL"]

#: own data, the others' data, the agent's cost and the slope margin of Eq. (13)
M_I, M_OTHERS, C_I, EPS_SYMBOL = S.m_i, S.m_others, S.c_i, S.eps

#: the closed threshold (40 digits) against a bracketed root of a golden-section maximum (~1e-30)
THRESHOLD_TOLERANCE = mp.mpf("1e-15")
#: instances of ``fedsym check``: Eq. (3) parameters and a cost in (c_max, a'(m_0)), the mid regime (priced out alone)
CHECK_INSTANCES = (({"a_opt": "0.95", "k": "1"}, "0.05"), ({"a_opt": "0.9", "k": "10"}, "0.004"),
                   ({"a_opt": "0.6", "k": "250"}, "0.00006"))


@dataclass(frozen=True)
class JumpForms(LatexRepr):
    r"""The symbolic chain behind the threshold, in :data:`M_I`, :data:`M_OTHERS`, :data:`C_I`, :data:`EPS_SYMBOL`.

    ``concave`` is :math:`\hat a(m_i + m_{-i}) - c_i m_i`; ``argmax`` its maximiser
    :math:`m^*(c_i) - m_{-i}`; ``top`` its maximum :math:`u^*(c_i) + c_i m_{-i}`;
    ``threshold`` the root of ``top`` in :math:`m_{-i}`; ``line`` the others' data
    past which the line :math:`(c_i + \varepsilon) m_i` of Eq. (13) binds at the
    interior maximum (``top`` equals :math:`\varepsilon` times ``argmax``);
    ``m_star``, ``c_max`` and ``high`` (:math:`\hat a'(m_0)`) are the lone agent's.
    """

    concave: sp.Expr
    argmax: sp.Expr
    top: sp.Expr
    threshold: sp.Expr
    line: sp.Expr
    m_star: sp.Expr
    c_max: sp.Expr
    high: sp.Expr

    def to_latex(self) -> Latex:
        """The chain as an ``align*``: interior maximum, its value, the threshold, the line's binding point."""
        return align([rf"m_i &= {math(self.argmax)}", rf"U_i &= {math(self.top)}",
                      rf"m_{{-i}}^{{jump}} &= {math(self.threshold)}", rf"m_{{-i}}^{{line}} &= {math(self.line)}"])


def _samples(function: AccuracyFunction) -> list[dict[str, mp.mpf]]:
    r"""Sample points: the function's sample bindings with a cost in the mid regime
    :math:`c_i = \sqrt{c_{max}\hat a'(m_0)}` (priced out alone) and :math:`\varepsilon = c_i/10`."""
    lone = lone_agent_forms(function)
    points = []
    for bound in function.sample_bindings():
        values = {name: mp_value(v) for name, v in bound.values.items()}
        cost = mp.sqrt(lone.viability_cost.evaluate(values) * lone.high_cost_threshold.evaluate(values))
        points.append({**values, C_I.name: cost, EPS_SYMBOL.name: cost / 10})
    return points


def _table(function: AccuracyFunction, top: sp.Expr, argmax: sp.Expr) -> Table:
    r"""The threshold and the line's binding point as rows of :mod:`fedsym.core.engine` (unknown :math:`m_{-i}`).

    References: :func:`numeric_threshold`; for the line, the bracketed root in :math:`m_{-i}` of the
    concave part's maximum minus :math:`\varepsilon` times its maximiser (the maximiser from the
    bracketed first-order condition :math:`\hat a'(m_i + m_{-i}) = c_i`).
    """
    params = function.parameter_names

    def threshold(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound, cost = function.bind_numbers(values), values[C_I.name]
        return numeric_threshold(bound, cost, numeric_optimal_data(bound, cost))

    def line(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound, cost, eps = function.bind_numbers(values), values[C_I.name], values[EPS_SYMBOL.name]
        total = numeric_optimal_data(bound, cost)  # m_i + m_-i at the interior maximum

        def gap(others: mp.mpf) -> mp.mpf:
            return bound.a_hat(total) - cost * (total - others) - eps * (total - others)

        return bracketed_root(gap, bound.minimum_viable_data / 100, total)

    rows = (
        Row("threshold", r"m_{-i}^{jump}", "others' data where the best response jumps", "Theorem 3.3, Fig. 6",
            params + (C_I.name,), threshold, equation=top, unknown=M_OTHERS, note_key="threshold_note"),
        Row("line", r"m_{-i}^{line}", "others' data past which the line of Eq. (13) binds", "Theorem 3.3, Eq. (13)",
            params + (C_I.name, EPS_SYMBOL.name), line, equation=top - EPS_SYMBOL * argmax, unknown=M_OTHERS,
            note_key="line_note"),
    )
    # through the derivation store and cache: the outcome never depends on the machine's speed (issue 15)
    return Table("jump", {"top": sp.srepr(top), "argmax": sp.srepr(argmax)}, rows,
                 functools.partial(_samples, function))


@settings_cache(8)
def jump_forms(function: AccuracyFunction = FAMILIES["simplified"]) -> JumpForms:
    """Theorem 3.3's threshold chain for *function* (default: the simplified accuracy Eq. (3)).

    Raises
    ------
    ExpressionError
        If the lone agent's optimum has no closed form (e.g. Eq. (2)) or sympy
        cannot solve for the threshold within its time limit.
    """
    lone = lone_agent_forms(function)
    if lone.optimal_data.closed_form is None:
        raise ExpressionError(f"{function.name}: the lone optimum m* has no closed form, so neither has the "
                              f"threshold of Theorem 3.3 ({lone.optimal_data.method})")
    m_star = lone.optimal_data.closed_form.subs(S.c, C_I)
    concave = function.expr.subs(S.m, M_I + M_OTHERS) - C_I * M_I
    argmax = m_star - M_OTHERS
    top = sp.expand(sp.simplify(concave.subs(M_I, argmax)))
    # through the derivation store and cache: the outcome never depends on the machine's speed (issue 15)
    roots = run(_table(function, top, argmax))
    for name, what in (("threshold", "the threshold"), ("line", "the line's binding point")):
        if roots[name].closed_form is None:
            raise ExpressionError(f"no closed form for {what} of Theorem 3.3: {roots[name].note}")
    threshold, line = roots["threshold"].closed_form, roots["line"].closed_form
    assert isinstance(threshold, sp.Expr) and isinstance(line, sp.Expr)
    return JumpForms(concave, argmax, top, threshold, line, m_star,
                     lone.viability_cost.closed_form, lone.high_cost_threshold.closed_form)


def numeric_threshold(accuracy: BoundAccuracy, cost: mp.mpf, upper: mp.mpf) -> mp.mpf:
    r"""The threshold without its closed form: a root in :math:`m_{-i}` of the concave part's maximum.

    The maximum over :math:`m_i \in [0, 1/c_i]` of :math:`\hat a(m_i + m_{-i}) - c_i m_i`
    comes from golden-section search (:func:`maximize_unimodal`), its root from
    :func:`bracketed_root` on :math:`[m_0/100, \text{upper}]` (negative at the left
    end, where the agent is nearly alone and priced out; positive at *upper* = :math:`m^*(c_i)`).
    """
    cost = mp.mpf(cost)

    def top(others: mp.mpf) -> mp.mpf:
        return maximize_unimodal(lambda x: accuracy.a_hat(x + others) - cost * x, 0, 1 / cost)[1]

    return bracketed_root(top, accuracy.minimum_viable_data / 100, upper)


def best_response(shaping: LinearShaping, agent: int, profile: np.ndarray, cost: float) -> float:
    """Agent *agent*'s best response to the others' data in *profile*, by global search over [0, 1/cost]."""
    deviation = best_deviation(lambda x: shaping.utility(agent, x, profile, cost), 0.0, 1.0 / cost,
                               special=shaping.kinks(agent, profile))
    return deviation.best


def search_threshold(shaping: LinearShaping, cost: float, lo: float, hi: float, bisections: int = 50) -> float:
    """Bisection on one other agent's data between a best response of 0 (at *lo*) and a positive one (at *hi*).

    Two agents, agent 0 responding to agent 1's data.

    Raises
    ------
    ArithmeticError
        If the global-search best response does not jump on ``[lo, hi]``.
    """
    def responds(others: float) -> bool:
        return best_response(shaping, 0, np.array([0.0, others]), cost) > 0

    if responds(lo) or not responds(hi):
        raise ArithmeticError(f"the global-search best response does not jump on [{lo}, {hi}]")
    for _ in range(bisections):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if responds(mid) else (mid, hi)
    return 0.5 * (lo + hi)


def checks() -> list[CheckRow]:
    """The closed threshold against :func:`numeric_threshold` at :data:`CHECK_INSTANCES` (``fedsym check``)."""
    forms = jump_forms()
    rows = []
    with mp.workdps(DPS):
        for parameters, cost in CHECK_INSTANCES:
            accuracy = FAMILIES["simplified"].bind(parameters)
            values = {S.positive_symbol(name): sp.Rational(value) for name, value in parameters.items()}
            values[C_I] = sp.Rational(cost)
            threshold = mp.mpf(sp.N(forms.threshold.subs(values), DPS))
            upper = mp.mpf(sp.N(forms.m_star.subs(values), DPS))
            rows.append(CheckRow("threshold m_-i where the best response jumps", "Theorem 3.3, Fig. 6",
                                 f"{accuracy.label()}, c_i = {cost}", threshold,
                                 numeric_threshold(accuracy, mp.mpf(cost), upper),
                                 "bracketed root of the golden-section max of a(m_i + m_-i) - c_i m_i",
                                 THRESHOLD_TOLERANCE, quantity_tex=r"m_{-i}^{jump}"))
    return rows
