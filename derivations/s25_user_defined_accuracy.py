"""A user-defined accuracy function: symbolic where sympy can, numeric fallback where it cannot.

:math:`\\hat a(m) = a_{opt} - b\\ln(1 + k/m)` is not one of the paper's
families; it goes through the same derivation (:func:`fedsym.agent.lone_agent_forms`).
sympy solves the first-order condition, so :math:`m^*` and :math:`u^*` are
closed, but it gives no answer for the tangent point within its time limit, so
:math:`c_{max}` is numeric and the section shows why (the quantity's ``note``).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import check_rows, individual, lone_agent_forms
from fedsym.core import DPS, Latex, c, escape_text, m
from fedsym.model import accuracy_function
from fedsym.report import Figure, Section, Series, Step, symbol_parameters

#: the expression as a user types it (``fedsym individual --accuracy ...``)
EXPRESSION = "a_opt - b*log(1 + k/m)"
#: parameter point (b = 0.3 puts the minimum viable data at a few points)
PARAMETERS = {"a_opt": "0.9", "b": "0.3", "k": "50"}
#: points of each curve
POINTS = 200

A_HAT = sp.Function(r"\hat{a}")


def derive() -> Section:
    """The section of the user-defined accuracy function."""
    function = accuracy_function(EXPRESSION)
    forms = lone_agent_forms(function)
    bound = function.bind(PARAMETERS)
    with mp.workdps(DPS):
        c_max = forms.viability_cost.evaluate(bound.values)
        m_t = forms.tangent_point.evaluate(bound.values)
        cost = sp.Rational(mp.nstr(c_max / 2, 12))
    result = individual(bound, cost)
    utility = function.expr - c * m
    data = np.linspace(0, 4 * float(m_t), POINTS + 1)[1:]
    ray = np.linspace(0, 2 * float(m_t), POINTS)
    figure = Figure(
        "User-defined accuracy and its numeric viability threshold", Latex("data $m$"), "accuracy",
        (Series(Latex(r"accuracy $a(m)$"), data, bound.a_np(data), style="blue"),
         Series(Latex(r"ray $c_{max}\,m$ (numeric $c_{max}$)"), ray, float(c_max) * ray, style="black, dashed")),
        vertical_lines=((float(m_t), Latex("$m_t$")), (float(result.optimal_data), Latex(r"$m^*$ at $c_{max}/2$"))),
        caption=Latex(r"The ray of slope $c_{max}$, found numerically, touches the accuracy at the numeric "
                      r"tangent point $m_t$: no steeper ray meets the curve."),
    )
    closed = tuple(d for d in forms.all() if d.closed_form is not None)
    numeric = tuple(d for d in forms.all() if d.closed_form is None)
    return Section(
        key="s25_user_defined_accuracy",
        title="A user-defined accuracy function: numeric fallback",
        source="Theorem 2.3 for an expression of the user (Model §1, user-defined)",
        statement=Latex(
            rf"A user supplies $\hat a(m) = {function.latex()}$ as the text \texttt{{{escape_text(EXPRESSION)}}}. "
            r"fedsym derives Theorem~2.3's quantities from it as for the paper's families: each sympy root "
            r"is kept only if it validates at sample points; where sympy fails or times out the quantity is "
            r"computed numerically and says why."),
        parameters=(*symbol_parameters(PARAMETERS),
                    (Latex("cost $c$ of the numeric values"), Latex(r"$c_{max}/2$"))),
        steps=(
            Step("Accuracy (user-defined):", sp.Eq(A_HAT(m), function.expr)),
            Step("Utility, Eq. (5):", sp.Eq(sp.Function("u")(m), utility)),
            Step(f"First-order condition (optimal data: {forms.optimal_data.method}):", sp.Eq(sp.diff(utility, m), 0)),
            Step(f"Tangent point (method: {forms.tangent_point.method}):",
                 sp.Eq(m * sp.diff(function.expr, m), function.expr)),
        ),
        closed_forms=tuple((f"{d.meaning.capitalize()} ({d.source}):", Latex(d.latex())) for d in closed),
        values=(
            *((Latex(f"${d.symbol}$ ({d.method})"), d.evaluate({**bound.values, "c": cost}))
              for d in forms.all()),
            (Latex(r"Cost $c = c_{max}/2$"), result.cost),
            (Latex("Regime at that cost"), result.regime),
            ("Assumption (1)", bound.assumption.describe()),
        ),
        checks=tuple(check_rows(bound)),
        figures=(figure,),
        notes=tuple(Latex(rf"${d.symbol}$ is numeric: {escape_text(d.note)}.") for d in numeric) + (
            "The numeric quantities are found by bracketed root finding at 40 digits and checked, like the "
            "closed forms, against golden-section maximisation in the table.",),
    )
