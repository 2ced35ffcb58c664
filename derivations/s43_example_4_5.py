"""Example 4.5: n agents of equal cost under Eq. (13) with the simplified accuracy Eq. (3).

Each agent contributes :math:`\\bar m = t_n m^*`, where :math:`t_n` solves
:math:`(3 - t)^2 t = 4/n`, independent of :math:`k` and :math:`c`.  The cubic is
derived here from Theorem 4.2's crossing condition with the closed-form
:math:`m^*` of Example 2.4; its root in Viète's trigonometric form comes from
:func:`fedsym.example_4_5.example_forms` (the branch validated against a
bracketed root).  The figure plots the per-agent data the Theorem 4.2 solver
finds for each ``n`` against the bounds :math:`(3 - 2/\\sqrt n)\\,m^*` and
:math:`3m^*`.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import example_4_5_checks as checks
from fedsym import example_forms, lone_agent_forms, shaping_equilibrium
from fedsym.core import DPS, Latex, c, format_gain, m, n, t
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Figure, Section, Series, Step, accuracy_parameters, number_latex

#: the paper's running example, Eq. (3)
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: the common cost (m* = 100 there)
COST = 0.001
#: numbers of agents in the table
TABLE_N = (1, 2, 3, 5, 10, 100, 1000, 10**6)
#: numbers of agents in the figure: 100 log-spaced values in [1, 10^4], rounded, without repeats
FIGURE_N = np.unique(np.round(np.logspace(0, 4, 100)).astype(int))

M_BAR = sp.Symbol(r"\bar{m}", positive=True)
A = sp.Function("a")


def bound() -> BoundAccuracy:
    """The simplified accuracy Eq. (3) at :data:`PARAMETERS`."""
    return FAMILIES["simplified"].bind(PARAMETERS)


def per_agent_data(agents: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-agent data of the Theorem 4.2 solver for each number of agents, and the largest deviation gain."""
    accuracy = bound()
    data, gain = [], 0.0
    for count in agents:
        eq = shaping_equilibrium(accuracy, np.full(int(count), COST))
        data.append(float(eq.contributions[0]))
        gain = max(gain, eq.max_deviation_gain) if eq.verified else float("inf")
    return np.array(data), gain


def derive() -> Section:
    """The section of Example 4.5."""
    accuracy = bound()
    function = accuracy.function
    forms = lone_agent_forms(function)
    ratio = example_forms().ratio
    m_star = forms.optimal_data.closed_form
    crossing = function.expr.subs(m, n * t * m_star) - function.expr.subs(m, m_star) - c * m_star * (t - 1)
    reduced = sp.simplify(sp.expand(crossing / (c * m_star)))
    cubic_right = sp.simplify((3 - t - reduced) ** 2 * t)
    with mp.workdps(DPS):
        lone = float(forms.optimal_data.evaluate({**accuracy.values, "c": sp.Rational(str(COST))}))
        table = [(count, ratio.evaluate({"n": count})) for count in TABLE_N]
    data, gain = per_agent_data(FIGURE_N)
    solver = dict(zip(TABLE_N[:5], per_agent_data(np.array(TABLE_N[:5]))[0]))
    steps = (
        Step(Latex(r"Equal costs: every agent gives $\bar m = t\,m^*$, so $M = n t m^*$; Theorem~4.2's crossing "
                   r"$a(M) = a(m^*) + c(\bar m - m^*)$ with Eq.~(3) and $m^*$ of Example~2.4 reads"),
             sp.Eq(crossing, 0)),
        Step(Latex(r"Divided by $c\,m^*$ (the parameters $a_{opt}$, $k$, $c$ drop out):"), sp.Eq(reduced, 0)),
        Step(Latex(r"Moving $2/\sqrt{nt}$ to the right, squaring and multiplying by $t$:"),
             sp.Eq((3 - t) ** 2 * t, cubic_right)),
        Step(Latex(r"Three real roots (Cardano passes through complex numbers); Viète's trigonometric form, "
                   r"branch validated against a bracketed root on $[1, 3]$:"),
             sp.Eq(sp.Symbol("t_n"), ratio.closed_form)),
        Step("Values at n = 1 and n = 2, simplified exactly:",
             sp.Eq(sp.Tuple(sp.Symbol("t_1"), sp.Symbol("t_2")),
                   sp.Tuple(*(sp.nsimplify(sp.simplify(ratio.closed_form.subs(n, v))) for v in (1, 2))))),
        Step(Latex(r"Limit as $n \to \infty$ (the ceiling $m^{max} = 3m^*$ of Remark~4.3):"),
             sp.Eq(sp.Limit(sp.Symbol("t_n"), n, sp.oo), sp.limit(ratio.closed_form, n, sp.oo))),
    )
    values = [(Latex(f"$m^*$ at $c = {number_latex(COST)}$"), lone)]
    for count, value in table:
        measured = f", solver $\\bar m = {number_latex(solver[count])}$" if count in solver else ""
        values.append((Latex(f"$n = {number_latex(count)}$: $t_n$, $3 - 2/\\sqrt{{n}}$"),
                       Latex(f"${number_latex(value)}$, ${number_latex(3 - 2 / mp.sqrt(count))}$"
                             f"{measured}")))
    values.append(("Figure: equilibria verified (global deviation search)", Latex(
        f"all {FIGURE_N.size}, largest gain ${format_gain(gain)}$")))
    curve = Series(Latex(r"per-agent data $\bar m$ (Theorem~4.2 solver)"), FIGURE_N, data,
                   style="blue, only marks, mark=*, mark size=1.1pt")
    figure = Figure(
        "Example 4.5: per-agent data against the number of agents", Latex("number of agents $n$"),
        Latex(r"per-agent data $\bar m$"),
        (curve,
         Series(Latex(r"ceiling $3m^*$"), FIGURE_N, np.full(FIGURE_N.size, 3 * lone), style="black, dashed"),
         Series(Latex(r"lower bound $(3 - 2/\sqrt{n})\,m^*$"), FIGURE_N, (3 - 2 / np.sqrt(FIGURE_N)) * lone,
                style="red, dotted"),
         Series(Latex(r"alone $m^*$"), FIGURE_N, np.full(FIGURE_N.size, lone), style="gray, densely dashed")),
        xmode="log",
        caption=Latex(rf"Eq.~(3), $a_{{opt}} = {PARAMETERS['a_opt']}$, $k = {PARAMETERS['k']}$, "
                      rf"$c = {number_latex(COST)}$ ($m^* = {number_latex(lone)}$), {FIGURE_N.size} values of "
                      r"$n$ in $[1, 10^4]$. Two agents already double what each gives alone."),
    )
    return Section(
        key="s43_example_4_5",
        title="Example 4.5: equal costs multiply the lone optimum",
        source="Example 4.5",
        statement=Latex(
            r"With the simplified accuracy Eq.~(3) and $n$ agents of equal cost $c < c_{max}$, accuracy shaping "
            r"(Eq.~(13)) makes each agent contribute $\bar m = t_n m^*$, where $t_n \in [1, 3)$ solves "
            r"$(3 - t)^2 t = 4/n$, whatever $k$ and $c$: $t_1 = 1$, $t_2 = 2$, $3 - 2/\sqrt n \le t_n < 3$ and "
            r"$t_n \to 3$. The federation collects between $(3 - 2/\sqrt n)\,n m^*$ and $3 n m^*$, against "
            r"$m^* = (k/c^2)^{1/3}$ under standard federated learning."),
        parameters=(
            *accuracy_parameters("simplified, Eq. (3)", function.expr, PARAMETERS),
            (Latex("cost $c$ (figure and solver values)"), COST),
        ),
        steps=steps,
        closed_forms=((Latex(r"Per-agent data over the lone optimum (Example~4.5):"), Latex(ratio.latex())),),
        values=tuple(values),
        checks=tuple(row for row in checks() if row.source == ratio.source),
        figures=(figure,),
        notes=(
            Latex(r"The bound $3 - 2/\sqrt{n} \le t_n$ follows from the second step: $3 - t = 2/\sqrt{nt} \le "
                  r"2/\sqrt{n}$ since $t \ge 1$."),
        ),
    )
