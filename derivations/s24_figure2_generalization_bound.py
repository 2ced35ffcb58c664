"""Figure 2: optimal data against cost for the generalization bound Eq. (2), numerically.

Eq. (2) has no closed form for any quantity of Theorem 2.3: sympy cannot solve
:math:`\\hat a(m) = 0`, :math:`m\\hat a'(m) = \\hat a(m)` or
:math:`\\hat a'(m) = c` for ``m``, so fedsym falls back to bracketed numerics
(``method: numeric``) and the sweep uses the vectorized root finder of
:func:`fedsym.agent.optimal_data_array`.  The check table compares the numeric
roots with a derivative-free golden-section maximisation of the utility.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import check_rows, lone_agent_forms, optimal_data_array
from fedsym.core import DPS, Latex, c, escape_text, m
from fedsym.model import FAMILIES
from fedsym.report import Figure, Section, Series, Step, number_latex

#: a_opt of the figure (Model §7); b keeps its default 4
A_OPT = "0.95"
#: difficulties of the three curves
DIFFICULTIES = (1, 10, 100)
#: the cost axis: 200 log-spaced points on [1e-5, 1e-1]
COSTS = np.logspace(-5, -1, 200)
#: costs of the check table, as fractions of c_max
CHECK_FRACTIONS = ("0.01", "0.5")
#: quantities shown in the check table (the others are checked in the sections of Eq. (2) and Theorem 2.3)
CHECKED = ("tangent_point", "viability_cost", "optimal_data", "optimal_utility")
STYLES = ("blue", "red, dashed", "black!70!green, dashdotted")

A_HAT = sp.Function(r"\hat{a}")


def optimal_data_series(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Costs and :math:`m^*` for the curve of difficulty *k* (0 where :math:`c \\ge c_{max}`)."""
    bound = FAMILIES["generalization-bound"].bind({"a_opt": A_OPT, "k": str(k)})
    return COSTS, optimal_data_array(bound, COSTS)


def derive() -> Section:
    """The section of Figure 2."""
    function = FAMILIES["generalization-bound"]
    forms = lone_agent_forms(function)
    bounds = {k: function.bind({"a_opt": A_OPT, "k": str(k)}) for k in DIFFICULTIES}
    with mp.workdps(DPS):
        thresholds = {k: {d.name: d.evaluate(bound.values) for d in forms.all()[:4]} for k, bound in bounds.items()}
    series = tuple(Series(Latex(f"$k = {k}$"), *optimal_data_series(k), style=style)
                   for k, style in zip(DIFFICULTIES, STYLES))
    figure = Figure(
        "Figure 2: optimal data of one agent, generalization bound", Latex("marginal cost $c$"),
        Latex("optimal data $m^*$"), series, xmode="log", ymode="log",
        vertical_lines=tuple((float(thresholds[k]["viability_cost"]), Latex(f"$k = {k}$")) for k in DIFFICULTIES),
        xlimits=(float(COSTS[0]), float(COSTS[-1])),
        caption=Latex(
            rf"Eq.~(2) with $a_{{opt}} = {A_OPT}$, $b = 4$, {len(COSTS)} log-spaced costs per curve. "
            r"Each curve ends at its viability threshold $c_{max}$ (dashed), where $m^*$ jumps from the "
            r"tangent point $m_t$ to 0 (not drawn on the log scale). Harder tasks need more data but stop "
            r"being worth it at a lower cost."),
    )
    values = []
    for k in DIFFICULTIES:
        t = thresholds[k]
        values.append((Latex(f"$k = {k}$: $m_0$, $m_t$"),
                       Latex(f"${number_latex(t['minimum_viable_data'])}$, ${number_latex(t['tangent_point'])}$")))
        values.append((Latex(rf"$k = {k}$: $c_{{max}}$, $\hat a'(m_0)$"),
                       Latex(f"${number_latex(t['viability_cost'])}$, "
                             f"${number_latex(t['high_cost_threshold'])}$")))
    rows = tuple(row for bound in bounds.values() for row in check_rows(bound, CHECK_FRACTIONS)
                 if row.quantity.split(" ")[0] in CHECKED)
    reasons = "; ".join(f"${d.symbol}$: {escape_text(d.note)}" for d in forms.all())
    return Section(
        key="s24_figure2_generalization_bound",
        title="Figure 2: optimal data against cost for the generalization bound",
        source="Figure 2, Theorem 2.3 with Eq. (2)",
        statement=Latex(
            r"For the generalization bound Eq.~(2), Theorem~2.3's quantities have \emph{no closed form}: "
            r"the minimum viable data $m_0$, the tangent point $m_t$, the viability threshold $c_{max}$ and "
            r"the optimal data $m^*$ (root of $\hat a'(m) = c$) are found numerically by bracketed root "
            r"finding, and every value below is numeric. The figure plots $m^*$ against the cost $c$ on "
            r"log-log axes for three difficulties $k$."),
        parameters=((Latex("$a_{opt}$"), float(A_OPT)), (Latex("$b$"), 4),
                    (Latex("$k$"), ", ".join(str(k) for k in DIFFICULTIES)),
                    (Latex("costs $c$"), Latex(rf"${len(COSTS)}$ log-spaced in $[10^{{-5}}, 10^{{-1}}]$"))),
        steps=(
            Step("Accuracy, Eq. (2):", sp.Eq(A_HAT(m), function.expr)),
            Step("First-order condition (no closed root: solved by bisection in log m with a Newton polish):",
                 sp.Eq(sp.diff(function.expr, m), c)),
            Step("Tangent point (no closed root: solved by bracketed root finding):",
                 sp.Eq(m * sp.diff(function.expr, m), function.expr)),
        ),
        values=tuple(values),
        checks=rows,
        figures=(figure,),
        notes=(
            Latex(f"Why each quantity is numeric: {reasons}."),
            Latex(r"Optimal data 0 above $c_{max}$: at $c = c_{max}$ both 0 and $m_t$ are optimal (utility 0), "
                  r"and the curve drops from $m_t$ to 0."),
        ),
    )
