"""Figure 4: per-agent data at the equilibrium of Eq. (13) against cost and number of agents, Eq. (2).

For the generalization bound Eq. (2) nothing has a closed form: each point is
an equilibrium of :func:`fedsym.equilibrium.shaping_equilibrium` (numeric lone
optima, bracketed 1-D root at :data:`fedsym.solve.DPS` digits), verified by
the global deviation search, against the lone optimum :math:`m^*` of
:func:`fedsym.agent.optimal_data_array`.  Defaults of Model §7:
:math:`a_{opt} = 0.95`, :math:`k = 1`, :math:`c = 10^{-3}`, :math:`n = 10`.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import lone_agent_forms, optimal_data_array, shaping_equilibrium
from fedsym.core import DPS, Latex, c, format_gain, m
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Figure, Section, Series, Step, accuracy_parameters, number_latex

#: accuracy parameters (Model §7; b keeps its default 4)
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: default cost and number of agents
COST, AGENTS = 1e-3, 10
#: cost axis: 80 log-spaced points on [1e-5, 1e-1]
COSTS = np.logspace(-5, -1, 80)
#: agent axis: 100 log-spaced values in [1, 1000], rounded, without repeats
AGENT_COUNTS = np.unique(np.round(np.logspace(0, 3, 100)).astype(int))

M_I = sp.Symbol("m_i", positive=True)
M_BAR_I = sp.Symbol(r"\bar{m}_i", positive=True)
A_HAT = sp.Function(r"\hat{a}")


def bound() -> BoundAccuracy:
    """The generalization bound Eq. (2) at :data:`PARAMETERS`."""
    return FAMILIES["generalization-bound"].bind(PARAMETERS)


def sweep(costs: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, float, bool]:
    """Per-agent equilibrium data for each (cost, n) pair, the largest deviation gain, and whether all verified."""
    accuracy = bound()
    data, gain, verified = [], 0.0, True
    for cost, count in zip(costs, counts):
        eq = shaping_equilibrium(accuracy, np.full(int(count), float(cost)))
        data.append(float(eq.contributions[0]))
        gain, verified = max(gain, eq.max_deviation_gain), verified and eq.verified
    return np.array(data), gain, verified


def derive() -> Section:
    """The section of Figure 4."""
    accuracy = bound()
    forms = lone_agent_forms(accuracy.function)
    with mp.workdps(DPS):
        c_max = float(forms.viability_cost.evaluate(accuracy.values))
    by_cost, gain_c, ok_c = sweep(COSTS, np.full(COSTS.size, AGENTS))
    by_count, gain_n, ok_n = sweep(np.full(AGENT_COUNTS.size, COST), AGENT_COUNTS)
    lone_by_cost = optimal_data_array(accuracy, COSTS)
    lone = float(optimal_data_array(accuracy, np.array([COST]))[0])
    default = shaping_equilibrium(accuracy, np.full(AGENTS, COST))
    ceiling = lone + (float(PARAMETERS["a_opt"]) - float(accuracy.a_np(np.array([lone]))[0])) / COST
    vs_cost = Figure(
        f"Figure 4(a): per-agent data against cost, n = {AGENTS}", Latex("marginal cost $c$"),
        Latex("data per agent"),
        (Series(Latex(r"accuracy shaping (13), $\bar m$"), COSTS, by_cost, style="blue"),
         Series(Latex(r"alone, $m^*$"), COSTS, lone_by_cost, style="red, dashed")),
        xmode="log", ymode="log", xlimits=(float(COSTS[0]), 3 * AGENTS * c_max),
        vertical_lines=((c_max, Latex("$c_{max}$")), (AGENTS * c_max, Latex(f"${AGENTS}\\,c_{{max}}$"))),
        caption=Latex(
            rf"Generalization bound Eq.~(2), $a_{{opt}} = {PARAMETERS['a_opt']}$, $k = {PARAMETERS['k']}$, "
            rf"$b = 4$, $n = {AGENTS}$ agents of equal cost, {COSTS.size} log-spaced costs. Alone an agent stops "
            rf"at $c_{{max}}$; under accuracy shaping the federation keeps collecting until $c = n\,c_{{max}}$ "
            r"(Remark~4.4), where the positive equilibrium disappears (not drawn on the log scale)."),
    )
    vs_count = Figure(
        f"Figure 4(b): per-agent data against the number of agents, c = {COST:g}", Latex("number of agents $n$"),
        Latex("data per agent"),
        (Series(Latex(r"accuracy shaping (13), $\bar m$"), AGENT_COUNTS, by_count, style="blue"),
         Series(Latex(r"alone, $m^*$"), AGENT_COUNTS, np.full(AGENT_COUNTS.size, lone), style="red, dashed"),
         Series(Latex(r"ceiling $m^{max}$ (Remark~4.3)"), AGENT_COUNTS, np.full(AGENT_COUNTS.size, ceiling),
                style="black, dotted")),
        xmode="log", ylimits=(0.0, 1.1 * ceiling),
        caption=Latex(
            rf"Eq.~(2) with the same parameters, $c = {number_latex(COST)}$, {AGENT_COUNTS.size} values of $n$ in "
            r"$[1, 1000]$. Per-agent data rises with $n$ towards the ceiling $m^{max} = (a_{opt} - u^*)/c$ "
            r"(Remark~4.3); under standard federated learning the total would stay at $m^*$ (Theorem~3.4)."),
    )
    values = (
        (Latex("Viability threshold $c_{max}$ (numeric)"), c_max),
        (Latex(f"Defaults $c = {number_latex(COST)}$, $n = {AGENTS}$: $m^*$, $\\bar m$, $M$"),
         Latex(f"${number_latex(lone)}$, ${number_latex(default.contributions[0])}$, "
               f"${number_latex(default.total)}$")),
        (Latex(r"Ratio $\bar m / m^*$ at the defaults"), float(default.contributions[0]) / lone),
        ("Figure 4(a): equilibria verified (global deviation search)",
         Latex(f"{'all' if ok_c else 'NOT all'} {COSTS.size}, largest gain ${format_gain(gain_c)}$")),
        ("Figure 4(b): equilibria verified (global deviation search)",
         Latex(f"{'all' if ok_n else 'NOT all'} {AGENT_COUNTS.size}, largest gain ${format_gain(gain_n)}$")),
    )
    return Section(
        key="s45_figure4_generalization_bound",
        title="Figure 4: equilibrium data under accuracy shaping, generalization bound",
        source="Figure 4, Theorem 4.2 with Eq. (2)",
        statement=Latex(
            r"Per-agent data at the equilibrium of mechanism~(13) for the generalization bound Eq.~(2), "
            r"against the marginal cost $c$ (for $n = 10$ agents) and against the number of agents $n$ "
            r"(for $c = 10^{-3}$), compared with the optimal data $m^*$ of an agent alone. All values are "
            r"numeric: Eq.~(2) has no closed-form $m^*$."),
        parameters=(
            *accuracy_parameters("generalization bound, Eq. (2)", accuracy.function.expr, PARAMETERS),
            (Latex("$b$"), 4),
            (Latex("default $c$, $n$"), Latex(f"${number_latex(COST)}$, ${AGENTS}$")),
        ),
        steps=(
            Step("Accuracy, Eq. (2):", sp.Eq(A_HAT(m), accuracy.function.expr)),
            Step("Lone optimum (numeric root, bracketed):", sp.Eq(sp.diff(accuracy.function.expr, m), c)),
            Step(Latex(r"Theorem~4.2 with $n$ equal costs: $M = n\bar m$ and the crossing"),
                 sp.Eq(accuracy.function.expr.subs(m, sp.Symbol("n") * M_BAR_I),
                       accuracy.function.expr.subs(m, sp.Symbol("m^{*}")) + c * (M_BAR_I - sp.Symbol("m^{*}")))),
        ),
        values=values,
        figures=(vs_cost, vs_count),
        notes=("Each point is a separate equilibrium with its own global verification; agents of equal cost face "
               "the same deviation problem, so one search per point covers all of them.",),
    )
