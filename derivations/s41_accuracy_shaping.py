"""Theorem 4.2 and Remark 4.3: accuracy shaping with known costs, Eq. (13), and Figure 3.

Past its lone optimum :math:`m_i^*` an agent receives a line of slope
:math:`c_i + \\varepsilon` capped by the full model; it contributes up to the
crossing :math:`\\bar m_i` of the line with the cap, and the equilibrium total
solves the one-dimensional equation :math:`\\sum_i \\bar m_i(M) = M`
(:func:`fedsym.equilibrium.shaping_equilibrium`).  The instance is the one
``fedsym check`` uses for Remark 4.3 and Theorem 4.6
(:data:`fedsym.equilibrium.CHECK_INSTANCES`), heterogeneous costs including an
agent priced out alone.  The check table solves each agent's crossing again by
bisection with the others' data fixed, and compares Remark 4.3's ceiling with
golden-section numerics.  Figure 3 draws the mechanism for one agent.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import CHECK_INSTANCES, Equilibrium, accuracy_shaping, ceiling_form, lone_agent_forms, shaping_equilibrium
from fedsym import equilibrium_checks as checks
from fedsym.core import DPS, CheckRow, Latex, M, a_opt, bracketed_root, format_gain, m, math, solve_bounded
from fedsym.model import BoundAccuracy, accuracy_function
from fedsym.report import Figure, Section, Series, Step, accuracy_parameters, number_latex

#: accuracy, parameters and costs: the first instance of ``fedsym check`` (Eq. (3), heterogeneous costs)
SPEC, PARAMETERS, COSTS = CHECK_INSTANCES[0]
#: the agent Figure 3 shows (cost 0.002)
FIGURE_AGENT = 1
#: points per curve of Figure 3
POINTS = 100
#: the equilibrium profile is double precision, so a re-solved crossing agrees to ~1e-15 relative
CROSSING_TOLERANCE = mp.mpf("1e-12")

M_I, M_OTHERS, C_I, EPS = (sp.Symbol(name, positive=True) for name in ("m_i", "m_{-i}", "c_i", r"\varepsilon"))
M_STAR_I = sp.Symbol("m_i^{*}", positive=True)
M_BAR_I = sp.Symbol(r"\bar{m}_i", positive=True)
GAMMA = sp.Function(r"\gamma_i")
A = sp.Function("a")


def bound() -> BoundAccuracy:
    """The accuracy of the instance."""
    return accuracy_function(SPEC).bind(PARAMETERS)


def equilibrium() -> Equilibrium:
    """Theorem 4.2's equilibrium of the instance (eps = 0, globally verified)."""
    return shaping_equilibrium(bound(), COSTS)


def crossing_rows(accuracy: BoundAccuracy, eq: Equilibrium) -> list[CheckRow]:
    r"""Each :math:`\bar m_i` against the crossing of agent i's line with the cap, the others fixed.

    Independent of the 1-D reduction: with :math:`m_{-i}` taken from the
    equilibrium profile, bisect :math:`a(x + m_{-i}) - a(m_i^*) - c_i(x - m_i^*)`
    on :math:`[m_i^*, m_i^* + (a_{opt} - a(m_i^*))/c_i]` (positive at the left
    end, negative at the right) at :data:`fedsym.solve.DPS` digits.
    """
    mechanism = accuracy_shaping(accuracy, eq.costs)
    rows = []
    with mp.workdps(DPS):
        for i, cost in enumerate(eq.costs):
            anchor, slope = mp.mpf(mechanism.anchors[i]), mp.mpf(cost)
            others = mp.fsum(mp.mpf(x) for x in eq.contributions) - mp.mpf(eq.contributions[i])
            def gap(x: mp.mpf, others: mp.mpf = others, anchor: mp.mpf = anchor, slope: mp.mpf = slope) -> mp.mpf:
                return accuracy.a(x + others) - accuracy.a(anchor) - slope * (x - anchor)

            crossing = bracketed_root(gap, anchor, anchor + (accuracy.a_opt - accuracy.a(anchor)) / slope)
            rows.append(CheckRow(f"agent {i + 1}: contribution m_bar_i", "Theorem 4.2",
                                 f"{accuracy.label()}, c_i = {cost:g}", mp.mpf(eq.contributions[i]), crossing,
                                 "bisection where the line meets the cap, others fixed", CROSSING_TOLERANCE))
    return rows


def figure(accuracy: BoundAccuracy, eq: Equilibrium) -> Figure:
    """Figure 3: a(m), the cap a(m + m_{-i}) and the shaped curve gamma_i for one agent."""
    i = FIGURE_AGENT
    mechanism = accuracy_shaping(accuracy, eq.costs)
    others = float(eq.contributions.sum() - eq.contributions[i])
    anchor, contribution = float(mechanism.anchors[i]), float(eq.contributions[i])
    data = np.linspace(0, 1.6 * contribution, POINTS)
    line = data[data >= anchor]
    return Figure(
        f"Figure 3: mechanism (13) for the agent of cost {eq.costs[i]:g}", Latex("own data $m_i$"), "accuracy",
        (Series(Latex("own model $a(m_i)$"), data, accuracy.a_np(data), style="gray, dashed"),
         Series(Latex(r"full model $a(m_i + m_{-i})$ (cap)"), data, accuracy.a_np(data + others),
                style="black, dotted"),
         Series(Latex(r"line $a(m_i^*) + c_i(m_i - m_i^*)$"), line,
                float(mechanism.anchor_accuracy[i]) + eq.costs[i] * (line - anchor), style="orange, densely dashed"),
         Series(Latex(r"shaped accuracy $\gamma_i(m_i; m_{-i})$"), data,
                mechanism.curve(i, eq.contributions)(data), style="blue")),
        vertical_lines=((anchor, Latex("$m_i^*$")), (contribution, Latex(r"$\bar m_i$"))),
        caption=Latex(
            rf"Simplified accuracy Eq.~(3), $a_{{opt}} = {PARAMETERS['a_opt']}$, $k = {PARAMETERS['k']}$; the "
            rf"others give $m_{{-i}} = {number_latex(others)}$ (their equilibrium data). Up to $m_i^*$ the agent "
            r"gets its own model; beyond, accuracy rises with slope $c_i$ (each point pays for itself) until the "
            r"line meets the full model at $\bar m_i$, where the agent stops."),
    )


def derive() -> Section:
    """The section of Theorem 4.2 and Remark 4.3, with Figure 3."""
    accuracy = bound()
    function = accuracy.function
    forms = lone_agent_forms(function)
    eq = equilibrium()
    mechanism = accuracy_shaping(accuracy, eq.costs)
    ceiling = ceiling_form(function)
    shaped = sp.Piecewise(
        (A(M_I), M_I <= M_STAR_I),
        (sp.Min(A(M_STAR_I) + (C_I + EPS) * (M_I - M_STAR_I), A(M_I + M_OTHERS)), True))
    contribution = solve_bounded(sp.Eq(A(M), A(M_STAR_I) + C_I * (M_BAR_I - M_STAR_I)), M_BAR_I)[0]
    a_numeric = function.expr.subs({sp.Symbol(name, positive=True): sp.Rational(value)
                                    for name, value in PARAMETERS.items()}).subs(m, M)
    with mp.workdps(DPS):
        s0 = mp.fsum(mp.mpf(x) - accuracy.a(mp.mpf(x)) / mp.mpf(ci) for x, ci in zip(mechanism.anchors, eq.costs))
        s1 = mp.fsum(1 / mp.mpf(ci) for ci in eq.costs)
        c_max = forms.viability_cost.evaluate(accuracy.values)
        ceilings = [ceiling.evaluate({**accuracy.values, "c": ci}) if ci < c_max else None for ci in eq.costs]
    i = sp.Symbol("i", integer=True, positive=True)
    steps = (
        Step("Accuracy shaping, Eq. (13):", sp.Eq(GAMMA(M_I, M_OTHERS), shaped)),
        Step(Latex(r"Theorem~4.2 ($\varepsilon \to 0$): agent $i$ stops where its line meets the full model "
                   r"$a(M)$, $M = \sum_j m_j$:"),
             sp.Eq(A(M), A(M_STAR_I) + C_I * (M_BAR_I - M_STAR_I))),
        Step("Solved for the contribution:", sp.Eq(M_BAR_I, contribution)),
        Step("The total is the root of one equation in one unknown (concave in M):",
             sp.Eq(sp.Sum(contribution, (i, 1, sp.Symbol("n"))), M)),
        Step(Latex(r"Here, with $\sum_i (m_i^* - a(m_i^*)/c_i)$ and $\sum_i 1/c_i$ evaluated "
                   r"(the agent priced out alone has $m_i^* = 0$):"),
             sp.Eq(sp.Float(str(s0), 10) + sp.Float(str(s1), 10) * a_numeric, M)),
        Step(Latex(r"Remark~4.3: as $n \to \infty$, $a(M) \to a_{opt}$, so the contribution tends to the ceiling"),
             sp.Eq(sp.Symbol(r"m_i^{max}"), contribution.subs(A(M), a_opt))),
    )
    values = [(Latex("Total data $M$ (root of the 1-D equation)"), eq.total),
              (Latex("Accuracy of every agent $a(M)$"), float(eq.accuracies[0])),
              (Latex(r"Relative residual $|\sum_i \bar m_i - M|/M$"), eq.residual),
              (Latex("Viability threshold $c_{max}$"), c_max)]
    for n_i, (cost, anchor, share, top) in enumerate(zip(eq.costs, mechanism.anchors, eq.contributions, ceilings), 1):
        top_text = number_latex(top) if top is not None else r"\text{-- (priced out alone)}"
        values.append((Latex(rf"agent {n_i}, $c_i = {number_latex(cost)}$: $m_i^*$, $\bar m_i$, $m_i^{{max}}$"),
                       Latex(f"${number_latex(anchor)}$, ${number_latex(share)}$, ${top_text}$")))
    values.append(("Verified (global deviation search)", Latex(
        f"{'yes' if eq.verified else 'NO'}, largest gain ${format_gain(eq.max_deviation_gain)}$ "
        f"({eq.verification.scope})")))
    ceiling_rows = [row for row in checks() if row.quantity.startswith(ceiling.name)
                    and row.point.startswith(accuracy.label())]
    return Section(
        key="s41_accuracy_shaping",
        title="Accuracy shaping with known costs: the equilibrium",
        source="Theorem 4.2, Eq. (13), Remark 4.3, Figure 3",
        statement=Latex(
            r"Mechanism~(13) gives agent $i$ its own model up to its lone optimum $m_i^*$, and beyond it a line "
            r"of slope $c_i + \varepsilon$ capped by the full model. Theorem~4.2: the equilibrium is unique "
            r"(besides the all-zero one of Remark~4.4) and data-maximizing as $\varepsilon \to 0$; agent $i$ "
            r"contributes $\bar m_i$ with $a(M) = a(m_i^*) + c_i(\bar m_i - m_i^*)$, $M = \sum_j \bar m_j$. "
            r"Remark~4.3: every agent ends with the full model $a(M)$, and no agent gives more than "
            r"$m_i^{max} = m_i^* + (a_{opt} - a(m_i^*))/c_i$."),
        parameters=(
            *accuracy_parameters("simplified, Eq. (3)", function.expr, PARAMETERS),
            (Latex("costs $c_i$"), Latex("$" + ", ".join(number_latex(x) for x in COSTS) + "$")),
            (Latex(r"slope margin $\varepsilon$"), eq.eps),
        ),
        steps=steps,
        closed_forms=(
            (Latex(r"Contribution at total $M$ (Theorem~4.2):"), sp.Eq(M_BAR_I, contribution)),
            (Latex("Per-agent ceiling (Remark~4.3) for Eq.~(3), $c < c_{max}$:"),
             Latex(ceiling.latex())),
        ),
        values=tuple(values),
        checks=(*crossing_rows(accuracy, eq), *ceiling_rows),
        figures=(figure(accuracy, eq),),
        notes=(
            eq.note + ".",
            Latex(rf"For Eq.~(3) the ceiling is $m^{{max}} = {math(ceiling.closed_form / forms.optimal_data.closed_form)}"
                  r"\,m^*$: under accuracy shaping no agent gives more than that multiple of what it would "
                  r"collect alone (Example~4.5)."),
        ),
    )
