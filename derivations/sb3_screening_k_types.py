"""Model §9 (extension of App. B): screening K >= 2 private cost types.

One section: the structure of the optimal menu (KKT conditions of the convex
program, rent blocks, Eq. (15) generalized), a K = 4 example with its mechanism
curve (a chain of line pieces under the cap), the table of binding constraints
and rents, the expected data as a function of one probability, and K = 2
shown to coincide with Example B.4.

Every menu comes from :func:`fedsym.paper.screening.k_types.optimal_menu_k` (KKT active
set, Newton at 40 digits, non-negative multipliers as certificate), checked
against all K(K-1) IC, IR and feasibility constraints and by global search of
every type's best response on the curve.  The check rows compare it with

* Eq. (15) generalized in closed form (:func:`fedsym.screening_k_checks`),
* the two-type solver of App. B (regime analysis, a different method) at K = 2,
* central differences of the solved expected data for the envelope derivative.
"""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np

from fedsym import KMenu, KScreeningMechanism, KTypes, optimal_menu_k, screen_two_types, screening_k_checks, sweep, verify_menu_k
from fedsym.core import DPS, CheckRow, Latex, format_number
from fedsym.model import FAMILIES
from fedsym.report import Figure, Section, Series, Step, accuracy_parameters

PARAMETERS = {"a_opt": "0.9", "k": "10"}
FUNCTION = FAMILIES["simplified"]
BOUND = FUNCTION.bind(PARAMETERS)
#: the K = 4 example: rents to two types, two types pooled below the cap, a separating kink
COSTS = ("0.0006", "0.0014", "0.002", "0.0024")
PROBS = ("5/24", "9/24", "8/24", "2/24")
OTHERS = "300"
#: Example B.4 as K = 2
EXAMPLE_B4 = (("0.001", "0.002"), ("1/2", "1/2"), "5000")
#: the probability of type 1 swept (the others scaled to keep the sum)
SWEEP = ("0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4")
#: step of the central difference against the envelope derivative
STEP = mp.mpf("1e-6")
POINTS = 240
VALUE_TOLERANCE = mp.mpf("1e-25")


def _binding_table(menu: KMenu) -> Latex:
    """Per type: cost, probability, data, accuracy, utility, rent, binding constraints."""
    binding = menu.binding()
    lines = []
    for k in range(menu.size):
        labels = ", ".join(binding[k]).replace("->", r"$\to$") or "none"
        lines.append(rf"    {k + 1} & ${format_number(menu.types.costs[k])}$ & ${format_number(menu.types.probs[k], 4)}$ & "
                     rf"${format_number(menu.contributions[k], 6)}$ & ${format_number(menu.accuracies[k], 6)}$ & "
                     rf"${format_number(menu.utilities[k], 6)}$ & ${format_number(menu.information_rents[k], 4)}$ & "
                     rf"{labels} \\")
    pooled = "; ".join("=".join(str(k) for k in group) for group in menu.pooled()) or "none"
    return Latex("\\begin{fedsymwide}\n\\small\n\\begin{tabular}{@{}rrrrrrrl@{}}\n    \\toprule\n"
                 r"    $k$ & $c_k$ & $p_k$ & $m_k$ & $\gamma_k$ & $U_k$ & $U_k - u_k^*$ & binding \\" "\n"
                 "    \\midrule\n" + "\n".join(lines) + "\n    \\bottomrule\n\\end{tabular}\n\\end{fedsymwide}\n"
                 f"Pooled types: {pooled}.")


def figure_curve(menu: KMenu) -> Figure:
    """The mechanism curve: a(m) up to m_4^*, then a chain of line pieces of slopes c_4..c_1 under the cap (Eq. (14)
    for K types), with the menu points."""
    others = float(menu.others)
    mechanism = KScreeningMechanism(BOUND, menu.types)
    data = np.linspace(0, 1.2 * float(menu.contributions[0]), POINTS)
    series = [Series(Latex(r"accuracy $a(m)$"), data, BOUND.a_np(data), style="blue"),
              Series(Latex(r"cap $A(m) = a(m + m_{-i})$"), data, BOUND.a_np(data + others), style="black, dashed"),
              Series(Latex(r"mechanism $\gamma(m)$, Eq.~(14) for $K$ types"), data,
                     mechanism.curve_total(0, others)(data), style="orange, very thick, opacity=0.6")]
    pooled = {group[0]: group for group in menu.pooled()}
    skip = {k for group in menu.pooled() for k in group[1:]}
    for k, (m_k, g_k) in enumerate(zip(menu.contributions, menu.accuracies), start=1):
        if k in skip:
            continue
        label = "=".join(str(j) for j in pooled.get(k, (k,)))
        series.append(Series("", (float(m_k),), (float(g_k),),
                             style="only marks, mark=*, black, nodes near coords={" + label + "}, "
                                   "nodes near coords style={anchor=south east, font=\\small}"))
    series.append(Series("", (0.0,), (1.0,), style="draw=none"))
    return Figure(
        "The K = 4 screening curve", Latex("data $m$ of agent $i$"), "accuracy", tuple(series),
        caption=Latex(rf"Costs ${', '.join(COSTS)}$, probabilities ${', '.join(PROBS)}$, $m_{{-i}} = {OTHERS}$, "
                      rf"Eq.~(3) with $a_{{opt}} = {PARAMETERS['a_opt']}$, $k = {PARAMETERS['k']}$. The curve is "
                      r"$a(m)$ up to the dearest type's lone optimum $m_4^*$, then the lower envelope of the lines "
                      r"$U_k + c_k m$ (each type's indifference line through its point) under the cap, as Eq.~(14) for "
                      r"two types; the marks are the menu points $(m_k, \gamma_k)$, types 2 and 3 share one."),
    )


def figure_sweep(rows: Any) -> Figure:
    xs = [r.value for r in rows]
    return Figure("Expected data against the probability of type 1", Latex("$p_1$"), "expected data",
                  (Series(Latex(r"$\sum_k p_k m_k$"), xs, [r.expected_data for r in rows], style="blue, mark=*"),),
                  caption=Latex(r"The K = 4 example with $p_1$ varied and the other probabilities scaled by "
                                r"$(1 - p_1)/(1 - p_1^{0})$; every point a verified menu."))


def _k2_rows() -> list[CheckRow]:
    """K = 2 against the two-type solver of App. B at Example B.4."""
    (c_low, c_high), (p, _), others = EXAMPLE_B4
    two = screen_two_types(BOUND, c_low, c_high, p, others, verify=False).two_type
    menu = optimal_menu_k(BOUND, KTypes.of(*EXAMPLE_B4[:2]), others)
    point = f"c = {c_low}, {c_high}; p = 1/2; m_-i = {others}"
    how = "two-type solver (regimes, Eq. (15)/(16))"
    return [CheckRow("m_1 = m_D", "Example B.4 (K = 2)", point, menu.contributions[0], two.low_contribution, how,
                     VALUE_TOLERANCE),
            CheckRow("m_2 = m_C", "Example B.4 (K = 2)", point, menu.contributions[1], two.high_contribution, how,
                     VALUE_TOLERANCE),
            CheckRow("expected data", "Example B.4 (K = 2)", point, menu.expected_data, two.expected_data, how,
                     VALUE_TOLERANCE),
            CheckRow("U_1", "Example B.4 (K = 2)", point, menu.utilities[0], two.low_utility, how, VALUE_TOLERANCE)]


def _derivative_row(types: KTypes) -> CheckRow:
    centre = mp.mpf(types.probs[0])
    with mp.workdps(DPS):
        rows = sweep(BOUND, types, OTHERS, "prob", 0,
                     [mp.nstr(v, 30) for v in (centre - STEP, centre, centre + STEP)])
    difference = (mp.mpf(rows[2].expected_data) - mp.mpf(rows[0].expected_data)) / (2 * STEP)
    return CheckRow("d E[m]/d p_1", "envelope theorem", f"K = 4 example, p_1 = {float(centre):g}",
                    mp.mpf(rows[1].derivative), difference, "central difference of solved menus", mp.mpf("1e-4"))


def _steps() -> tuple[Step, ...]:
    return (
        Step(Latex(r"Feasibility, IR and IC of a menu $(m_k, \gamma_k)$ with utilities $U_k = \gamma_k - c_k m_k$ "
                   r"(adjacent IC suffice, single crossing):"),
             Latex(r"A(m_k) - c_k m_k \ge U_k,\quad U_k \ge u_k^*,\quad "
                   r"\Delta_k m_{k+1} \le U_k - U_{k+1} \le \Delta_k m_k,\ \ \Delta_k = c_{k+1} - c_k")),
        Step(Latex(r"The objective is linear, the constraints linear or concave ($A$ concave): a convex program. "
                   r"The least utilities compatible with IC and IR keep every constraint, so the highest cost "
                   r"type's IR binds:"),
             Latex(r"U_K = u_K^*,\qquad U_k = \max\big(u_k^*,\ U_{k+1} + \Delta_k m_{k+1}\big)")),
        Step(Latex(r"KKT stationarity with multipliers $\lambda_k$ (feasibility), $\nu_k$ (IR), $\delta_k$ "
                   r"(IC down), $\upsilon_k$ (IC up), necessary and sufficient:"),
             Latex(r"p_k = \lambda_k\,(c_k - A'(m_k)) + \Delta_{k-1}\delta_{k-1} - \Delta_k\upsilon_k,\qquad "
                   r"\lambda_k = \nu_k + \delta_k - \delta_{k-1} - \upsilon_k + \upsilon_{k-1}")),
        Step(Latex(r"A type $a$ topping a rent block on the cap, above a type below the cap ($\lambda_{a+1} = 0$, "
                   r"$\upsilon = 0$): Eq.~(15) generalized, a virtual cost, closed form with Eq.~(3):"),
             Latex(r"A'(m_a) = s_a := c_a - \frac{p_a\,\Delta_a}{p_{a+1}}"
                   r"\quad\Longrightarrow\quad m_a = \Big(\frac{k}{s_a^2}\Big)^{1/3} - m_{-i}")),
        Step(Latex(r"$K = 2$, $p = p_1$: Eq.~(15) of App.~B:"),
             Latex(r"s_1 = c_L - \frac{p\,(c_H - c_L)}{1 - p}")),
    )


def derive() -> Section:
    """The K-type menu: structure, K = 4 example with figure and table, sweep, and K = 2 = Example B.4."""
    types = KTypes.of(COSTS, PROBS)
    menu = optimal_menu_k(BOUND, types, OTHERS)
    gain = max(d.gain for d in verify_menu_k(KScreeningMechanism(BOUND, types), menu))
    rows = sweep(BOUND, types, OTHERS, "prob", 0, SWEEP)
    statement = Latex(
        r"Types $c_1 < \dots < c_K$ with probabilities $p_k$; the server offers a menu $(m_k, \gamma_k)$ maximizing "
        r"the expected data $\sum_k p_k m_k$ subject to feasibility ($\gamma_k \le A(m_k)$), IR and all "
        r"$K(K-1)$ IC constraints (Model \S 9). The optimum is organized in \emph{rent blocks}: runs of "
        r"types in which each type is indifferent to the next one's point, closed by a type whose IR binds. "
        r"Within a block each type sits on the cap or below it (its data set by the IC constraint of the type "
        r"above); adjacent types \emph{pool} (same point, IC up binds) where the conditions of the separate types "
        r"would reverse $m_k \ge m_{k+1}$. The K = 4 example "
        r"below shows rents to two types, two types pooled below the cap, and a separating kink (type 4 is "
        r"held at the point where type 3's IR and IC toward 4 bind together)." "\n\n" + _binding_table(menu))
    return Section(
        key="sb3_screening_k_types",
        title="Screening K cost types",
        source="Model §9 (extension of Appendix B)",
        statement=statement,
        parameters=(*accuracy_parameters("simplified, Eq. (3)", FUNCTION.expr, PARAMETERS),
                    (Latex("costs $c_k$"), ", ".join(COSTS)), (Latex("probabilities $p_k$"), ", ".join(PROBS)),
                    (Latex("$m_{-i}$"), OTHERS)),
        steps=_steps(),
        values=(
            (Latex(r"expected data $\sum_k p_k m_k$"), menu.expected_data),
            (Latex(r"largest constraint violation (all IC, IR, feasibility)"), menu.max_violation),
            (Latex("KKT certificate residual"), menu.kkt_residual),
            (Latex("largest gain from deviating on the curve"), gain),
            *((Latex(rf"$d\,\mathbb E[m]/dp_1$ at $p_1 = {r.value:g}$ (envelope theorem)"), r.derivative)
              for r in rows),
        ),
        checks=(*screening_k_checks(), *_k2_rows(), _derivative_row(types)),
        figures=(figure_curve(menu), figure_sweep(rows)),
        notes=(Latex(r"K = 2 reproduces Example B.4: the check rows compare the K-type solver at costs "
                     r"$\{0.001, 0.002\}$, $p = 1/2$, $m_{-i} = 5000$ with the two-type solver of App.~B (regime "
                     r"\emph{separating}, $m_2 = 3(2^{1/3} - 1)\,m_1^*$, no rent)."),),
    )
