"""Theorem 3.3 and Figure 6: the best response jumps between 0 and an interior maximum.

Under a mechanism :math:`\\gamma_i = \\max(0, \\hat g_i)` the utility
:math:`U_i(m_i) = \\max(-c_i m_i,\\ \\hat g_i - c_i m_i)` is the maximum of a falling
line and a concave function, so it has two local maxima: :math:`m_i = 0`
(utility 0) and the concave part's maximum.  The best response is whichever is
higher, and it jumps from one to the other where the concave part's maximum
crosses 0.  The instance is accuracy shaping, Eq. (13), for an agent priced out
alone (:math:`c_{max} < c_i < \\hat a'(m_0)`, so :math:`m_i^* = 0`), with the
simplified accuracy Eq. (3); the varying quantity is the others' data
:math:`m_{-i}`.  The threshold comes from the same sympy expressions the section
displays; the check table compares it with a bracketed root of the
golden-section maximum of the concave part and with a bisection on the global
search :func:`fedsym.deviation.best_deviation`, and Figure 6(b) draws the best
response found by that global search, not by a formula.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import (
    C_I,
    EPS_SYMBOL,
    M_I,
    M_OTHERS,
    LinearShaping,
    accuracy_shaping,
    jump_forms,
    numeric_threshold,
    search_threshold,
    shaping_equilibrium,
)
from fedsym import best_response as paper_best_response
from fedsym.core import DPS, CheckRow, Latex, a_opt, format_gain, k
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Figure, Section, Series, Step, accuracy_parameters, number_latex

#: the paper's running example, Eq. (3)
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: both agents' marginal cost: above c_max ~ 0.0318 (priced out alone), below a'(m_0) ~ 0.107 (mid regime)
COST = "0.05"
#: slope margin of Eq. (13); > 0 so that the best response beyond the jump is a single point
EPS = "0.01"
#: the others' data of Figure 6(a) below and above the threshold (~3.10)
OTHERS_BELOW, OTHERS_ABOVE = "2.5", "3.5"
#: Figure 6(a): own data m_i in [0, OWN_SPAN]; Figure 6(b): others' data in [0, OTHERS_SPAN]
OWN_SPAN, OTHERS_SPAN = 9.0, 10.0
#: points per curve (Figure 6(a)) and best responses computed (Figure 6(b)); grid step 1/16
OWN_POINTS, OTHERS_POINTS = 181, 161
#: the threshold from the golden-section maximum is good to ~1e-30; closed form at 40 digits
THRESHOLD_TOLERANCE = mp.mpf("1e-15")
#: the global search refines only its best few grid cells, so near the threshold it sees the interior peak
#: (utility c_i (m_{-i} - T)) only once the peak's grid value, low by up to |a''| h^2 / 8 ~ 3e-8 for its
#: grid step h = (1/c_i) / 4000, beats the grid points near 0: the threshold is found to ~ 3e-8 / c_i ~ 6e-7
SEARCH_TOLERANCE = mp.mpf("1e-6")
#: a flat arg-max is pinned by the double-precision search to ~1e-8 relative
ARGMAX_TOLERANCE = mp.mpf("1e-6")
#: bisection steps on the others' data (bracket width 2 ** -50 of the initial one)
BISECTIONS = 50
#: the others' data just past the threshold at which the jump height is measured, relative
PAST_THRESHOLD = mp.mpf("1e-6")

THRESHOLD_SYMBOL = sp.Symbol(r"m_{-i}^{jump}", positive=True)
LINE_SYMBOL = sp.Symbol(r"m_{-i}^{line}", positive=True)
GAMMA = sp.Function(r"\gamma_i")
G_HAT = sp.Function(r"\hat{g}_i")
A_HAT = sp.Function(r"\hat{a}")
U = sp.Function("U_i")
BR = sp.Function(r"\mathrm{BR}_i")


def bound() -> BoundAccuracy:
    """The simplified accuracy Eq. (3) at :data:`PARAMETERS`."""
    return FAMILIES["simplified"].bind(PARAMETERS)


def mechanism(accuracy: BoundAccuracy) -> LinearShaping:
    """Eq. (13) for two agents of cost :data:`COST` with margin :data:`EPS` (both anchors are 0)."""
    return accuracy_shaping(accuracy, [COST, COST], EPS)


def forms() -> dict[str, sp.Expr]:
    """Theorem 3.3's chain for Eq. (3) (:func:`fedsym.paper.best_response.jump_forms`), by name."""
    chain = jump_forms()
    return {name: getattr(chain, name) for name in ("concave", "argmax", "top", "threshold", "line", "m_star",
                                                    "c_max", "high")}


def _evaluate(expr: sp.Expr, others: sp.Expr | mp.mpf | None = None) -> mp.mpf:
    """A form at :data:`PARAMETERS`, :data:`COST`, :data:`EPS` and the others' data *others* (exact
    sympy, or an mpf), at the current precision."""
    if others is not None:
        others = sp.Float(str(others), mp.mp.dps) if isinstance(others, mp.mpf) else others
        expr = sp.simplify(expr.subs(M_OTHERS, others))
    values = {a_opt: sp.Rational(PARAMETERS["a_opt"]), k: sp.Rational(PARAMETERS["k"]), C_I: sp.Rational(COST),
              EPS_SYMBOL: sp.Rational(EPS)}
    return mp.mpf(sp.N(expr.subs(values), mp.mp.dps))


def best_response(shaping: LinearShaping, others: float) -> float:
    """Agent 1's best response to the other agent's data, by the global search :func:`best_deviation`."""
    return paper_best_response(shaping, 0, np.array([0.0, others]), float(COST))


def best_response_series(shaping: LinearShaping) -> tuple[np.ndarray, np.ndarray]:
    """Figure 6(b): the others' data on a uniform grid and the global-search best response at each."""
    others = np.linspace(0.0, OTHERS_SPAN, OTHERS_POINTS)
    return others, np.array([best_response(shaping, float(x)) for x in others])


def _check_rows(accuracy: BoundAccuracy, shaping: LinearShaping, symbolic: dict[str, sp.Expr],
                equilibrium_share: float) -> list[CheckRow]:
    """Threshold: closed form vs bracketed root and vs bisection on the global search; jump height; fixed point."""
    point = f"{accuracy.label()}, c_i = {COST}, eps = {EPS}"
    with mp.workdps(DPS):
        threshold = _evaluate(symbolic["threshold"])
        m_star = _evaluate(symbolic["m_star"])
        past = threshold * (1 + PAST_THRESHOLD)
        rows = [
            CheckRow("threshold m_-i where the best response jumps", "Theorem 3.3, Fig. 6", point, threshold,
                     numeric_threshold(accuracy, mp.mpf(COST), m_star),
                     "bracketed root of the golden-section max of a(m_i + m_-i) - c_i m_i", THRESHOLD_TOLERANCE),
            CheckRow("threshold m_-i where the best response jumps", "Theorem 3.3, Fig. 6", point, threshold,
                     mp.mpf(search_threshold(shaping, float(COST), 0.5 * float(threshold), float(m_star), BISECTIONS)),
                     "bisection on the global-search best response (double precision)", SEARCH_TOLERANCE),
            CheckRow("best response just past the threshold, m*(c_i) - m_-i", "Theorem 3.3, Fig. 6",
                     f"{point}, m_-i = threshold x (1 + {mp.nstr(PAST_THRESHOLD, 1)})", _evaluate(symbolic["argmax"], past),
                     mp.mpf(best_response(shaping, float(past))), "global search (best_deviation)",
                     ARGMAX_TOLERANCE),
            CheckRow("symmetric equilibrium: best response to m_eq is m_eq", "Theorem 4.2, Remark 4.4", point,
                     mp.mpf(equilibrium_share), mp.mpf(best_response(shaping, equilibrium_share)),
                     "global search (best_deviation)", ARGMAX_TOLERANCE),
        ]
    return rows


def figures(accuracy: BoundAccuracy, shaping: LinearShaping, threshold: float, m_star: float, line: float,
            equilibrium_share: float) -> tuple[Figure, Figure]:
    """Figure 6(a): utility against own data for three values of the others' data; 6(b): the best response."""
    cost = float(COST)
    m_0 = float(accuracy.minimum_viable_data)
    curves = []
    for others, style in ((float(OTHERS_BELOW), "blue"), (threshold, "black"), (float(OTHERS_ABOVE), "red")):
        own = np.unique(np.concatenate([np.linspace(0.0, OWN_SPAN, OWN_POINTS), [max(m_0 - others, 0.0)]]))
        profile = np.array([0.0, others])
        label = Latex(rf"$m_{{-i}} = {number_latex(others)}$" + (" (threshold)" if others == threshold else ""))
        curves.append(Series(label, own, shaping.utility(0, own, profile, cost), style=style))
    zero = Series("", [0.0, OWN_SPAN], [0.0, 0.0], style="gray, dotted")
    utility = Figure(
        "Figure 6(a): utility of the agent priced out alone", Latex("own data $m_i$"), Latex("utility $U_i(m_i)$"),
        (zero, *curves),
        xlimits=(0.0, OWN_SPAN),
        caption=Latex(
            rf"Accuracy shaping Eq.~(13) with $c_i = {COST}$, $\varepsilon = {EPS}$ (so $m_i^* = 0$), simplified "
            rf"accuracy Eq.~(3), $a_{{opt}} = {PARAMETERS['a_opt']}$, $k = {PARAMETERS['k']}$. The utility falls "
            r"as $-c_i m_i$ until the total reaches $m_0$, then rises to the concave part's maximum at "
            r"$m^*(c_i) - m_{-i}$: two local maxima, so $U_i$ is not quasi-concave. At the threshold both are 0."),
    )
    others, responses = best_response_series(shaping)
    # drawn as two pieces, split at the largest step of the computed responses, so no segment bridges the jump
    split = int(np.argmax(np.abs(np.diff(responses)))) + 1
    style = "blue, mark=*, mark size=0.7pt"
    response = Figure(
        "Figure 6(b): best response to the others' data", Latex("others' data $m_{-i}$"),
        Latex(r"best response $\mathrm{BR}_i(m_{-i})$"),
        (Series(Latex(r"$\mathrm{BR}_i$ (global search)"), others[:split], responses[:split], style=style),
         Series("", others[split:], responses[split:], style=style),
         Series(Latex(r"$m_i = m_{-i}$"), [0.0, OTHERS_SPAN], [0.0, OTHERS_SPAN], style="gray, dashed")),
        vertical_lines=((threshold, Latex(r"$m_{-i}^{jump}$")),),
        xlimits=(0.0, OTHERS_SPAN),
        caption=Latex(
            rf"Best response of the same agent, by global search over $m_i \in [0, 1/c_i]$ at {OTHERS_POINTS} "
            rf"values of $m_{{-i}}$ (step {number_latex(OTHERS_SPAN / (OTHERS_POINTS - 1))}). It is 0 up to the "
            rf"threshold $m_{{-i}}^{{jump}} = {number_latex(threshold)}$ and then jumps to "
            rf"$m^*(c_i) - m_{{-i}}^{{jump}} = {number_latex(m_star - threshold)}$ and falls as "
            rf"$m^*(c_i) - m_{{-i}}$; past $m_{{-i}}^{{line}} = {number_latex(line)}$ the line of Eq.~(13) "
            rf"binds and the best response is its crossing with the full model. It meets the diagonal at 0 and at the symmetric equilibrium "
            rf"$m^{{eq}} = {number_latex(equilibrium_share)}$ (Remark~4.4: both are equilibria)."),
    )
    return utility, response


def derive() -> Section:
    """The section of Theorem 3.3's best-response jump, with Figure 6."""
    accuracy = bound()
    shaping = mechanism(accuracy)
    symbolic = forms()
    equilibrium = shaping_equilibrium(accuracy, [COST, COST], EPS)
    share = float(equilibrium.contributions[0])
    with mp.workdps(DPS):
        threshold, m_star = _evaluate(symbolic["threshold"]), _evaluate(symbolic["m_star"])
        line = _evaluate(symbolic["line"])
        c_max, high = _evaluate(symbolic["c_max"]), _evaluate(symbolic["high"])
        m_0 = accuracy.minimum_viable_data
    g_hat = sp.Min((C_I + EPS_SYMBOL) * M_I, A_HAT(M_I + M_OTHERS))
    steps = (
        Step(Latex(r"Accuracy shaping, Eq.~(13), for an agent with $c_i \ge c_{max}$ (so $m_i^* = 0$) is "
                   r"Theorem~3.3's form $\gamma_i = \max(0, \hat g_i)$ with $\hat g_i$ concave in $m_i$:"),
             sp.Eq(GAMMA(M_I, M_OTHERS), sp.Max(0, G_HAT(M_I, M_OTHERS)))),
        Step("where", sp.Eq(G_HAT(M_I, M_OTHERS), g_hat)),
        Step(Latex("Utility: the maximum of a falling line and a concave function, with $U_i(0) = 0$,"),
             sp.Eq(U(M_I), sp.Max(-C_I * M_I, G_HAT(M_I, M_OTHERS) - C_I * M_I))),
        Step(Latex(r"While the line lies above the full model near the maximum, the concave part is, "
                   r"with Eq.~(3),"),
             sp.Eq(sp.Symbol(r"\hat{g}_i - c_i m_i"), symbolic["concave"])),
        Step(Latex(r"Its first-order condition is the lone agent's in the total $T = m_i + m_{-i}$, so the "
                   r"interior maximum is at"),
             sp.Eq(M_I, symbolic["argmax"])),
        Step("with utility", sp.Eq(U(symbolic["argmax"]), symbolic["top"])),
        Step(Latex(r"It is negative for few others' data ($u^*(c_i) < 0$ as $c_i > c_{max}$) and crosses "
                   r"$U_i(0) = 0$ at the threshold"),
             sp.Eq(THRESHOLD_SYMBOL, symbolic["threshold"])),
        Step(Latex(r"So the best response jumps there from $0$ to $m^*(c_i) - m_{-i}^{jump}$ (both optimal at "
                   r"$m_{-i}^{jump}$):"),
             sp.Eq(BR(M_OTHERS), sp.Piecewise((0, M_OTHERS < THRESHOLD_SYMBOL),
                                              (symbolic["argmax"], M_OTHERS <= LINE_SYMBOL)))),
        Step(Latex(r"up to the others' data where the line's value $\varepsilon\,(m^*(c_i) - m_{-i})$ falls to "
                   r"the interior maximum's; beyond, the best response is the crossing of the line with "
                   r"$\hat a(m_i + m_{-i})$:"),
             sp.Eq(LINE_SYMBOL, symbolic["line"])),
    )
    shown = (sp.Rational(OTHERS_BELOW), symbolic["threshold"], sp.Rational(OTHERS_ABOVE))
    values = (
        (Latex(r"Viability threshold $c_{max}$ (agent priced out alone: $c_i > c_{max}$)"), c_max),
        (Latex(r"Mid-cost limit $\hat a'(m_0)$ ($c_i$ below it: the concave part rises past $m_0$)"), high),
        (Latex("Minimum viable data $m_0$"), m_0),
        (Latex(r"Lone optimum of the concave part $m^*(c_i)$"), m_star),
        (Latex(r"Threshold $m_{-i}^{jump}$ (closed form)"), threshold),
        (Latex(r"Jump of the best response at $m_{-i}^{jump}$: from $0$ to $m^*(c_i) - m_{-i}^{jump}$"),
         m_star - threshold),
        (Latex(r"Figure 6(a): maximum of the concave part at $m_{-i} = $ " +
               ", ".join(f"${number_latex(_evaluate(x))}$" for x in shown)),
         Latex(", ".join(f"${number_latex(_evaluate(symbolic['top'], x))}$" for x in shown))),
        (Latex(r"Line binds at the interior maximum from $m_{-i}^{line}$"), line),
        (Latex(r"Symmetric equilibrium (Theorem~4.2, $\varepsilon = " + EPS + r"$): each agent gives $m^{eq}$"),
         share),
        ("Symmetric equilibrium verified (global deviation search)", Latex(
            f"{'yes' if equilibrium.verified else 'NO'}, largest gain "
            f"${format_gain(equilibrium.max_deviation_gain)}$")),
    )
    return Section(
        key="s32_figure6_best_response",
        title="The best-response jump (Figure 6)",
        source="Theorem 3.3, Lemma D.2, Figure 6",
        statement=Latex(
            r"Theorem~3.3: when $\gamma_i = \max(0, \hat g_i)$ with $\hat g_i$ concave in $m_i$, an equilibrium "
            r"exists even though the utility $U_i = \gamma_i - c_i m_i$ is not quasi-concave. Below the minimum "
            r"viable data the agent gets nothing and $U_i = -c_i m_i$ falls; past it the concave part takes over. "
            r"So $U_i$ has two local maxima: $m_i = 0$, whose utility is always 0, and the concave part's "
            r"maximum, whose utility grows with the others' data $m_{-i}$. The best response is 0 while that "
            r"maximum is negative and jumps to the interior point where it crosses 0 (Lemma~D.2: this is the "
            r"only discontinuity). Shown for accuracy shaping, Eq.~(13), and an agent priced out alone."),
        parameters=(
            *accuracy_parameters("simplified, Eq. (3)", FAMILIES["simplified"].expr, PARAMETERS),
            (Latex("cost $c_i$ of both agents"), Latex(f"${COST}$")),
            (Latex(r"slope margin $\varepsilon$"), Latex(f"${EPS}$")),
        ),
        steps=steps,
        closed_forms=(
            (Latex(r"Threshold of the others' data where the best response jumps:"),
             sp.Eq(THRESHOLD_SYMBOL, symbolic["threshold"])),
        ),
        values=values,
        checks=tuple(_check_rows(accuracy, shaping, symbolic, share)),
        figures=figures(accuracy, shaping, float(threshold), float(m_star), float(line), share),
        notes=(
            Latex(r"The threshold does not depend on $\varepsilon$: for $m_i > 0$ the line $(c_i + \varepsilon) "
                  r"m_i$ is positive, so $U_i$ beats $U_i(0) = 0$ exactly when the full model's part "
                  r"$\hat a(m_i + m_{-i}) - c_i m_i$ does. $\varepsilon > 0$ only makes the best response past "
                  r"the threshold a single point; with $\varepsilon = 0$ every agent priced out alone is "
                  r"indifferent along the line."),
            *((Latex(rf"Here $m_{{-i}}^{{jump}} = {number_latex(threshold)} < m_0 = {number_latex(m_0)}$: the "
                     r"others' data alone trains no useful model, yet once it exceeds $m_{-i}^{jump}$ the agent "
                     rf"adds ${number_latex(m_star - threshold)}$ points at once."),) if threshold < m_0 else ()),
        ),
    )
