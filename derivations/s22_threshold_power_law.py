"""Example 2.2: value of accuracy above a regulatory threshold, a power law.

With :math:`\\hat a(m) = a_{opt} - \\tau - \\beta m^{-\\alpha}` every quantity of
Theorem 2.3 has a closed form: the minimum viable data, the tangent point and
viability threshold :math:`c_{max}`, the high-cost threshold
:math:`\\hat a'(m_0)`, the optimal data :math:`m^*(c)` and utility :math:`u^*(c)`.
All are derived by :func:`fedsym.agent.lone_agent_forms` from the expression
and checked against golden-section maximisation.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import check_rows, individual, lone_agent_forms
from fedsym.core import DPS, Latex, c, m
from fedsym.model import FAMILIES
from fedsym.report import Figure, Section, Series, Step, symbol_parameters

#: parameter point of the section (one of ``fedsym check``'s points)
PARAMETERS = {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}
#: the cost of the worked numbers, as a fraction of c_max
COST_FRACTION = sp.Rational(1, 2)
#: points of each curve of the figure
POINTS = 200

A_HAT = sp.Function(r"\hat{a}")
U = sp.Function("u")


def _curvature_label(curvature: sp.Expr) -> str:
    """Label of the utility's curvature, saying what sympy proves about its sign."""
    proved = " (sympy proves it negative for every m > 0: the root is the maximum)" if curvature.is_negative else ""
    return f"Curvature of the utility{proved}:"


def derive() -> Section:
    """The section of Example 2.2."""
    function = FAMILIES["power-law"]
    forms = lone_agent_forms(function)
    bound = function.bind(PARAMETERS)
    with mp.workdps(DPS):
        c_max = forms.viability_cost.evaluate(bound.values)
        cost = sp.Rational(mp.nstr(c_max * COST_FRACTION, 12))
    result = individual(bound, cost)
    utility = function.expr - c * m
    foc = sp.Eq(sp.diff(utility, m), 0)
    curvature = sp.diff(utility, m, 2)
    data = np.linspace(0, 4 * float(result.optimal_data), POINTS + 1)[1:]
    accuracy = bound.a_np(data)
    figure = Figure(
        "Threshold power law: accuracy, cost and utility", Latex("data $m$"), "value",
        (Series(Latex(r"accuracy $a(m)$"), data, accuracy, style="blue"),
         Series(Latex(r"cost $c\,m$"), data, float(cost) * data, style="gray, dashed"),
         Series(Latex(r"utility $u(m) = a(m) - c\,m$"), data, accuracy - float(cost) * data, style="red")),
        vertical_lines=((float(result.minimum_viable_data), Latex("$m_0$")),
                        (float(result.optimal_data), Latex("$m^*$"))),
        caption=Latex(r"Example 2.2 at $c = c_{max}/2$: the utility is $-c\,m$ up to $m_0$, "
                      r"then peaks at $m^*$ where the accuracy's slope equals $c$."),
    )
    return Section(
        key="s22_threshold_power_law",
        title="Accuracy above a regulatory threshold: a power law",
        source="Example 2.2, Theorem 2.3",
        statement=Latex(
            r"Only accuracy above a regulatory threshold $\tau$ has value, and the learning curve is a "
            r"power law, so $\hat a(m) = a_{opt} - \tau - \beta m^{-\alpha}$ with $\alpha > 0$. "
            r"An agent paying $c$ per data point maximises $u(m) = a(m) - c\,m$ (Eq.~(5)). "
            r"For this family all four quantities of Theorem~2.3 ($m_0$, $c_{max}$, $m^*$, $u^*$) "
            r"have closed forms."),
        parameters=(*symbol_parameters(PARAMETERS),
                    (Latex("cost $c$ of the numeric values"), Latex(r"$c_{max}/2$"))),
        steps=(
            Step("Accuracy (Example 2.2):", sp.Eq(A_HAT(m), function.expr)),
            Step("Utility, Eq. (5), past the minimum viable data:", sp.Eq(U(m), utility)),
            Step("First-order condition:", foc),
            Step(_curvature_label(curvature),
                 sp.Eq(sp.Derivative(U(m), (m, 2)), curvature)),
            Step(r"Tangent point: the steepest ray from the origin touches the curve where",
                 sp.Eq(m * sp.diff(function.expr, m), function.expr)),
        ),
        closed_forms=tuple((f"{d.meaning.capitalize()} ({d.source}):", Latex(d.latex())) for d in forms.all()),
        values=(
            (Latex("Minimum viable data $m_0$"), result.minimum_viable_data),
            (Latex("Viability threshold $c_{max}$"), result.viability_cost),
            (Latex(r"High-cost threshold $\hat a'(m_0)$"), result.high_cost_threshold),
            (Latex(r"Cost $c = c_{max}/2$"), result.cost),
            (Latex("Optimal data $m^*$"), result.optimal_data),
            (Latex("Optimal utility $u^*$"), result.optimal_utility),
            ("Regime", result.regime),
            ("Assumption (1)", bound.assumption.describe()),
        ),
        checks=tuple(check_rows(bound)),
        figures=(figure,),
        notes=(
            "Every closed form above is the sympy root that survived validation at random parameter "
            "points (real, in the domain, satisfying the first-order condition with a negative second "
            "derivative); the table compares each with a derivative-free golden-section maximisation.",
        ),
    )
