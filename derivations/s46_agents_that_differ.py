"""Agents that differ (Model §8): own accuracy, convex costs, a joining cost, a RealFM value of accuracy.

A heterogeneous population -- two accuracy curves (Eq. (3) and the power law of
Example 2.2), linear and quadratic costs, one agent with a joining cost, one
with the RealFM value :math:`v(a) = (1-a)^{-2} - 1` -- under standard federated
learning (Eq. (10) generalized) and accuracy shaping (Eq. (13) generalized).
The check table solves each joiner's crossing of its line with the cap again by
bisection with the others fixed, and compares the closed forms of Theorem 2.3
generalized (Eq. (3) with :math:`C = c\\,m^2`) with golden-section numerics.
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import Cohort, Equilibrium, HeterogeneousShaping, cost_shape_check_rows, cost_shape_forms, lone_agent, solve
from fedsym.core import CheckRow, Latex, M, escape_text, format_gain, format_number, m, prose_math
from fedsym.model import Agent, Population, accuracy_function
from fedsym.report import Figure, Section, Series, Step

SIMPLIFIED = ("simplified", {"a_opt": "0.95", "k": "1"})
POWER_LAW = ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"})
#: (curve, cost, joining cost, value, count) of each agent
AGENTS = (
    (SIMPLIFIED, "0.001*m", "0", "a", 2),
    (SIMPLIFIED, "0.0005*m + 1e-6*m**2", "0", "a", 1),
    (POWER_LAW, "0.0005*m + 2e-6*m**2", "0.02", "a", 1),
    (POWER_LAW, "0.002*m", "0", "a", 1),
    (SIMPLIFIED, "0.05*m", "0", "(1 - a)**(-2) - 1", 1),
)
#: a re-solved crossing agrees with the double-precision profile to ~1e-15 relative
CROSSING_TOLERANCE = mp.mpf("1e-12")

C_I, V_I, W_I = (sp.Function(name) for name in ("C_i", "v_i", "w_i"))
J_I = sp.Symbol("J_i")
M_I, M_STAR, M_BAR = (sp.Symbol(name, positive=True) for name in ("m_i", "m_i^{*}", r"\bar{m}_i"))
G = sp.Function("g_i")


def population() -> Population:
    """The population of the section (counts expanded: six agents)."""
    bound = {name: accuracy_function(name).bind(params) for name, params in (SIMPLIFIED, POWER_LAW)}
    return Population(tuple(Agent.of(bound[curve[0]], cost, joining, value, count)
                            for curve, cost, joining, value, count in AGENTS))


def equilibria() -> tuple[Equilibrium, Equilibrium]:
    """Standard federated learning and accuracy shaping (eps = 0), both globally verified."""
    agents = population()
    return solve("standard", agents), solve("shaping", agents)


def crossing_rows(shaping: Equilibrium) -> list[CheckRow]:
    r"""Each joiner's :math:`\bar m_i` against the crossing of its line with the cap, the others fixed.

    Independent of the fixed-point solver: bisection (double precision, to the last bit) of
    :math:`v_i(a_i(x + M_{-i})) - \text{line}_i(x)` on :math:`[m_i^*, X]`, positive at the left end.
    """
    cohort = Cohort.of(population())
    mechanism = HeterogeneousShaping(cohort)
    rows = []
    for i in np.nonzero(shaping.joined)[0]:
        others = float(shaping.contributions.sum() - shaping.contributions[i])
        w, line = cohort.agent_curve(int(i)).w_np, mechanism.agent_line(int(i))

        def gap(x: float, w: Any = w, line: Any = line, others: float = others) -> float:
            return float(w(np.array([x + others]))[0] - line(np.array([x]))[0])

        lo, hi = float(shaping.lone_data[i]), max(float(shaping.lone_data[i]), 1.0)
        while gap(hi) >= 0:
            hi *= 2
        for _ in range(2000):
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            lo, hi = (mid, hi) if gap(mid) >= 0 else (lo, mid)
        rows.append(CheckRow(f"agent {i + 1}: contribution m_bar_i", "Model §8",
                             cohort.agent_curve(int(i)).accuracy.label(), mp.mpf(shaping.contributions[i]),
                             mp.mpf(lo), "bisection where the line meets the cap, others fixed", CROSSING_TOLERANCE))
    return rows


def figure(standard: Equilibrium, shaping: Equilibrium) -> Figure:
    """m_i* (alone), the standard-FL contribution and m_bar_i (shaping) per agent."""
    agents = np.arange(1, shaping.contributions.size + 1, dtype=float)
    giving = standard.contributions > 0
    return Figure(
        "Contributions of agents that differ", "agent", "data points",
        (Series(Latex(r"alone $m_i^*$"), agents, shaping.lone_data, style="gray, mark=o, only marks"),
         Series("standard federated learning", agents[giving], standard.contributions[giving],
                style="red, mark=x, only marks"),
         Series(Latex(r"accuracy shaping $\bar m_i$"), agents, shaping.contributions, style="blue, mark=*, only marks")),
        ymode="log", axis_options="xtick distance=1",
        caption=Latex(r"Agents 1-2: Eq.~(3), cost $0.001m$; agent 3: Eq.~(3), $0.0005m + 10^{-6}m^2$; agent 4: power "
                      r"law, $0.0005m + 2\cdot 10^{-6}m^2$, joining cost $0.02$; agent 5: power law, $0.002m$; "
                      r"agent 6: Eq.~(3), $0.05m$, RealFM value $(1-a)^{-2}-1$. Agents that give nothing under standard FL "
                      r"(they free-ride) have no red mark."),
    )


def derive() -> Section:
    """The section on agents that differ."""
    standard, shaping = equilibria()
    agents = population()
    lone = [lone_agent(agent) for agent in agents.agents]
    quadratic = cost_shape_forms(accuracy_function("simplified"), m**2)
    steps = (
        Step(Latex(r"Alone (Theorem~2.3 generalized), $w_i = v_i\circ a_i$:"),
             sp.Eq(sp.Symbol("u_i^{*}"), sp.Symbol(r"\max_{m \ge 0}") * (W_I(m) - C_I(m)))),
        Step(Latex(r"Standard FL: a convex-cost agent gives $(C_i')^{-1}(w_i'(M))$; with a linear cost only the "
                   r"largest stopping point $w_i'(M_i) = c_i$ contributes:"),
             sp.Eq(M_I, sp.Function(r"(C_i')^{-1}")(sp.Derivative(W_I(M), M)))),
        Step(Latex(r"Accuracy shaping: agent $i$ joins iff $w_i(M) - w_i(m_i^*) \ge J_i$ and gives $\bar m_i$ with"),
             sp.Eq(C_I(M_BAR) - C_I(M_STAR), W_I(M) - W_I(M_STAR) - J_I)),
        Step(Latex(r"The total is the largest fixed point of the non-decreasing $F(M) = \sum_i$ "
                   r"($\bar m_i(M)$ if $i$ joins, else 0: a non-joiner works alone at $m_i^*$ and shares nothing):"),
             sp.Eq(sp.Function("F")(M), M)),
    )
    values: list[tuple[object, object]] = [
        (Latex("Total data: standard FL, accuracy shaping"),
         Latex(f"${format_number(standard.total)}$, ${format_number(shaping.total)}$")),
    ]
    for i in range(agents.size):
        values.append((Latex(rf"agent {i + 1}: $m_i^*$, standard $m_i$, shaping $\bar m_i$ (joined)"),
                       Latex(f"${format_number(shaping.lone_data[i])}$, ${format_number(standard.contributions[i])}$, "
                             f"${format_number(shaping.contributions[i])}$ "
                             f"({'yes' if shaping.joined[i] else 'no'})")))
    for name, eq in (("standard FL", standard), ("accuracy shaping", shaping)):
        values.append((f"Verified, {name} (global deviation search, leaving included)", Latex(
            f"{'yes' if eq.verified else 'NO'}, largest gain ${format_gain(eq.max_deviation_gain)}$")))
    values.append((Latex(r"Theorem~4.6: $\max_{i \text{ joins}} |U_i - u_i^*|$"), shaping.theorem_4_6_gap or 0.0))
    closed = [(Latex(rf"Eq.~(3), $v = a$, $C = c\,m^2$, {escape_text(d.meaning)}:"), Latex(d.latex()))
              for d in quadratic.all() if d.closed_form is not None]
    symbols = {"optimal_data": "m^{*}", "optimal_utility": "u^{*}", "viability_cost": "c_{max}"}
    for i, result in enumerate(lone):
        for name, form in result.closed_form.items():
            closed.append((Latex(rf"agent entry {i + 1}, $C = {sp.latex(agents.agents[i].cost)}$ "
                                 rf"(scale $c = {format_number(result.cost_scale)}$):"),
                           Latex(f"{symbols[name]} = {form} = {format_number(getattr(result, name))}")))
    rows = crossing_rows(shaping) + cost_shape_check_rows(*SIMPLIFIED, "m**2", "a")
    other = shaping.other_equilibria or Latex("none: the shaping equilibrium is the only fixed point of $F$")
    return Section(
        key="s46_agents_that_differ",
        title="Agents that differ: own accuracy, convex costs, joining costs, value of accuracy",
        source="Model §8 (the paper's closing discussion), Eq. (10), Eq. (13), Theorems 2.3, 3.4, 4.2, 4.6",
        statement=Latex(
            r"Each agent has its own accuracy $a_i$, an increasing convex cost $C_i$, a joining cost $J_i$ paid "
            r"only for the federation's model, and a value of accuracy $v_i$. Standard federated learning still "
            r"lets most agents free-ride; accuracy shaping in value space (the joining cost refunded in accuracy) "
            r"makes every joiner give $\bar m_i \ge m_i^*$ and keeps $U_i = u_i^*$ (Theorem~4.6)."),
        parameters=tuple((Latex(f"agent entry {i + 1}"), Latex(f"${agent.latex()}$")) for i, agent in enumerate(agents.agents)),
        steps=steps,
        closed_forms=tuple(closed),
        values=tuple(values) + ((Latex("Other equilibria of shaping"), other),),
        checks=tuple(rows),
        figures=(figure(standard, shaping),),
        notes=(prose_math(standard.note + "."), prose_math(shaping.note + "."), Latex(
            r"Lone optima: " + "; ".join(f"entry {i + 1}: {r.method.get('optimal_data', '')}"
                                         for i, r in enumerate(lone)) + ".")),
    )
