"""Theorem 4.6: under Eq. (13) each agent's equilibrium utility equals what it would get alone.

Substituting Theorem 4.2's contribution :math:`\\bar m_i(M)` into
:math:`U_i = a(M) - c_i \\bar m_i` cancels :math:`a(M)`, leaving
:math:`a(m_i^*) - c_i m_i^* = u_i^*`.  The table compares the closed-form
:math:`u^*(c_i)` of Example 2.4 with the utility the mechanism object gives each
agent at the Theorem 4.2 equilibrium, on the instances of ``fedsym check``
(:func:`fedsym.equilibrium.checks`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import mpmath as mp
import sympy as sp

from fedsym import CHECK_INSTANCES, lone_agent_forms, shaping_equilibrium
from fedsym import equilibrium_checks as checks
from fedsym.core import DPS, Latex, c, format_gain, math, solve_bounded, text_math
from fedsym.model import accuracy_function
from fedsym.report import Section, Step, accuracy_parameters, number_latex

#: the instance of the per-agent table: the first of ``fedsym check`` (Eq. (3), heterogeneous costs)
SPEC, PARAMETERS, COSTS = CHECK_INSTANCES[0]

M_STAR_I, C_I, M = (sp.Symbol(name, positive=True) for name in ("m_i^{*}", "c_i", "M"))
M_BAR_I = sp.Symbol(r"\bar{m}_i", positive=True)
A = sp.Function("a")
U = sp.Function("U_i")


def instance_text(spec: str, params: Mapping[str, str], costs: Sequence[float]) -> str:
    """One check instance as prose, each setting and cost in math of its own, so a line breaks between them."""
    bound = accuracy_function(spec).bind(params)
    settings = ", ".join(f"${math(sp.Symbol(name, positive=True))} = {number_latex(value)}$"
                         for name, value in bound.values.items())
    return f"${text_math(spec)}$ with {settings} and costs " + ", ".join(f"${number_latex(x)}$" for x in costs)


def derive() -> Section:
    """The section of Theorem 4.6."""
    accuracy = accuracy_function(SPEC).bind(PARAMETERS)
    forms = lone_agent_forms(accuracy.function)
    eq = shaping_equilibrium(accuracy, COSTS)
    contribution = solve_bounded(sp.Eq(A(M), A(M_STAR_I) + C_I * (M_BAR_I - M_STAR_I)), M_BAR_I)[0]
    utility = A(M) - C_I * M_BAR_I
    u_star = forms.optimal_utility.closed_form
    with mp.workdps(DPS):
        c_max = forms.viability_cost.evaluate(accuracy.values)
        lone = [forms.optimal_utility.evaluate({**accuracy.values, "c": sp.Rational(str(x))}) if x < c_max
                else mp.mpf(0) for x in COSTS]
    steps = (
        Step("Utility of agent i at the equilibrium: the full model minus the cost of its data,",
             sp.Eq(U(M_BAR_I), utility)),
        Step("Theorem 4.2's contribution substituted; a(M) cancels:",
             sp.Eq(U(M_BAR_I), sp.simplify(utility.subs(M_BAR_I, contribution)))),
        Step("which is the lone agent's optimal utility; for Eq. (3) (Example 2.4),",
             sp.Eq(sp.Symbol("u_i^{*}"), u_star.subs(c, C_I))),
        Step("Lower cost, higher utility (Remark 4.7):",
             sp.Eq(sp.Derivative(sp.Symbol("u_i^{*}"), C_I), sp.diff(u_star, c).subs(c, C_I))),
    )
    values = [(Latex(rf"agent {i}, $c_i = {number_latex(cost)}$: $u_i^*$, $U_i$"),
               Latex(f"${number_latex(u)}$, ${number_latex(eq.utilities[i - 1])}$"))
              for i, (cost, u) in enumerate(zip(COSTS, lone), 1)]
    values.append(("Verified (global deviation search)", Latex(
        f"{'yes' if eq.verified else 'NO'}, largest gain ${format_gain(eq.max_deviation_gain)}$")))
    return Section(
        key="s44_theorem_4_6",
        title="Accuracy shaping leaves each agent its lone utility",
        source="Theorem 4.6, Remark 4.7",
        statement=Latex(
            r"Theorem~4.6: at the equilibrium of mechanism~(13), as $\varepsilon \to 0$, every agent's utility "
            r"equals $u_i^*$, the utility it would get alone. The whole surplus of collaboration goes into "
            r"data (Remark~4.7), and a cheaper agent still ends better off. An agent priced out alone "
            r"($c_i \ge c_{max}$) has $u_i^* = 0$ and contributes at zero utility."),
        parameters=(
            *accuracy_parameters("simplified, Eq. (3)", accuracy.function.expr, PARAMETERS),
            (Latex("costs $c_i$"), Latex("$" + ", ".join(number_latex(x) for x in COSTS) + "$")),
        ),
        steps=steps,
        closed_forms=((Latex(r"Equilibrium utility (Theorem~4.6):"), sp.Eq(U(M_BAR_I), u_star.subs(c, C_I))),),
        values=tuple(values),
        checks=tuple(row for row in checks() if row.source == "Theorem 4.6"),
        notes=(Latex("The verification covers every instance of \\texttt{fedsym check}: " + "; ".join(
            instance_text(spec, params, costs) for spec, params, costs in CHECK_INSTANCES)
            + r" (agents priced out alone are left out: $u^* = 0$)."),),
    )
