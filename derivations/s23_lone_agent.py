"""Theorem 2.3 and Example 2.4: one agent alone with the simplified accuracy, and Figure 1.

The utility (5), its first-order condition, the optimal data :math:`m^*`, the
optimal utility :math:`u^*`, the viability threshold :math:`c_{max}` and the
high-cost threshold :math:`\\hat a'(m_0)` of Eq. (3), all derived by
:func:`fedsym.agent.lone_agent_forms`; the comparative statics of Example 2.4
by differentiating those closed forms; Figure 1 (accuracy, and utility in the
low, mid and high cost regimes of the theorem's proof) from
:func:`fedsym.agent.individual` at one cost per regime.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import IndividualResult, LoneAgentForms, check_rows, individual, lone_agent_forms
from fedsym.core import DPS, Latex, c, k, m
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Figure, Section, Series, Step, number_latex, symbol_parameters

#: the paper's running example
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: points of each curve
POINTS = 200

A_HAT = sp.Function(r"\hat{a}")
U = sp.Function("u")


def _regime_costs(c_max: mp.mpf, high: mp.mpf) -> dict[str, sp.Rational]:
    """One cost per regime of Theorem 2.3's proof (12 significant digits, exact thereafter).

    low: :math:`c_{max}/2`; mid: the geometric mean of :math:`c_{max}` and
    :math:`\\hat a'(m_0)`; high: :math:`1.5\\,\\hat a'(m_0)`.
    """
    chosen = {"low": c_max / 2, "mid": mp.sqrt(c_max * high), "high": high * mp.mpf("1.5")}
    return {regime: sp.Rational(mp.nstr(value, 12)) for regime, value in chosen.items()}


def _accuracy_figure(bound: BoundAccuracy, forms: LoneAgentForms) -> Figure:
    """Figure 1(a): the accuracy, the steepest ray (slope c_max) and the tangent at m_0."""
    with mp.workdps(DPS):
        m0, m_t, c_max, high = (float(d.evaluate(bound.values)) for d in
                                (forms.minimum_viable_data, forms.tangent_point,
                                 forms.viability_cost, forms.high_cost_threshold))
    data = np.linspace(0, 3 * m_t, POINTS)
    ray = np.linspace(0, 1.5 * m_t, POINTS)
    tangent = np.linspace(m0, m_t, POINTS)
    return Figure(
        "Figure 1(a): accuracy and the two thresholds", Latex("data $m$"), "accuracy",
        (Series(Latex(r"accuracy $a(m)$"), data, bound.a_np(data), style="blue"),
         Series(Latex(r"ray $c_{max}\,m$"), ray, c_max * ray, style="black, dashed"),
         Series(Latex(r"tangent at $m_0$, slope $\hat a'(m_0)$"), tangent, high * (tangent - m0),
                style="orange, dotted")),
        vertical_lines=((m0, Latex("$m_0$")), (m_t, Latex("$m_t$"))),
        caption=Latex(r"The steepest ray from the origin touches $a$ at $m_t$; its slope is the viability "
                      r"threshold $c_{max}$. The slope of $a$ at $m_0$ separates the mid and high cost regimes."),
    )


def _regime_figure(panel: str, bound: BoundAccuracy, forms: LoneAgentForms, result: IndividualResult) -> Figure:
    """Figure 1(b)-(d): accuracy, cost line and utility at one cost."""
    cost = float(result.cost)
    with mp.workdps(DPS):
        m_t = float(forms.tangent_point.evaluate(bound.values))
        interior = float(forms.optimal_data.evaluate({**bound.values, "c": result.cost}))
    right = 3 * float(result.optimal_data) if result.regime == "low" else 2 * m_t
    data = np.linspace(0, right, POINTS + 1)[1:]
    accuracy = bound.a_np(data)
    lines = [(float(result.minimum_viable_data), Latex("$m_0$"))]
    if interior > result.minimum_viable_data:
        lines.append((interior, Latex(r"$\hat a'(m) = c$")))
    return Figure(
        f"Figure 1({panel}): {result.regime} cost, c = {mp.nstr(result.cost, 4)}", Latex("data $m$"), "value",
        (Series(Latex(r"accuracy $a(m)$"), data, accuracy, style="blue"),
         Series(Latex(r"cost $c\,m$"), data, cost * data, style="gray, dashed"),
         Series(Latex(r"utility $u(m)$"), data, accuracy - cost * data, style="red")),
        vertical_lines=tuple(lines),
        caption=Latex(f"{_REGIME_CAPTIONS[result.regime]} Optimal data ${number_latex(result.optimal_data)}$, "
                      f"utility ${number_latex(result.optimal_utility)}$."),
    )


_REGIME_CAPTIONS = {
    "low": r"Low cost, $c < c_{max}$: the utility peaks above 0 at the interior optimum $m^*$.",
    "mid": r"Mid cost, $c_{max} \le c < \hat a'(m_0)$: past $m_0$ the utility rises, but never above 0.",
    "high": r"High cost, $c \ge \hat a'(m_0)$: the utility never rises.",
}


def derive() -> Section:
    """The section of Theorem 2.3 and Example 2.4, with Figure 1."""
    function = FAMILIES["simplified"]
    forms = lone_agent_forms(function)
    bound = function.bind(PARAMETERS)
    with mp.workdps(DPS):
        costs = _regime_costs(forms.viability_cost.evaluate(bound.values),
                              forms.high_cost_threshold.evaluate(bound.values))
    results = {regime: individual(bound, cost) for regime, cost in costs.items()}
    utility = function.expr - c * m
    m_star, u_star, c_max = (forms.optimal_data.closed_form, forms.optimal_utility.closed_form,
                             forms.viability_cost.closed_form)
    elasticity = sp.Function(r"\varepsilon")
    steps = (
        Step("Accuracy, Eq. (3):", sp.Eq(A_HAT(m), function.expr)),
        Step(Latex(r"Utility, Eq.~(5), for $m$ above the minimum viable data (below it $u = -c\,m$):"),
             sp.Eq(U(m), utility)),
        Step("First-order condition:", sp.Eq(sp.diff(utility, m), 0)),
        Step("Curvature of the utility:", sp.Eq(sp.Derivative(U(m), (m, 2)), sp.diff(utility, m, 2))),
        Step("Tangent point: the steepest ray from the origin touches the accuracy where",
             sp.Eq(m * sp.diff(function.expr, m), function.expr)),
        Step("Viability threshold: slope of that ray,",
             sp.Eq(sp.Symbol("c_{max}"), (function.expr / m).subs(m, sp.Symbol("m_{t}")))),
        Step(Latex(r"Elasticity $\varepsilon(y, x) = \frac{x}{y}\frac{\partial y}{\partial x}$ of the optimal data "
                   r"in the cost (Example 2.4: $m^*$ falls as $c^{-2/3}$):"),
             sp.Eq(elasticity(sp.Symbol("m^{*}"), c), sp.simplify(c * sp.diff(m_star, c) / m_star))),
        Step(Latex(r"Elasticity of the optimal data in the difficulty ($m^*$ rises with $k$):"),
             sp.Eq(elasticity(sp.Symbol("m^{*}"), k), sp.simplify(k * sp.diff(m_star, k) / m_star))),
        Step(Latex(r"Elasticity of the viability threshold in the difficulty ($c_{max}$ falls as $1/k$):"),
             sp.Eq(elasticity(sp.Symbol("c_{max}"), k), sp.simplify(k * sp.diff(c_max, k) / c_max))),
        Step("Slope of the optimal utility in the cost (negative: cheaper data, higher utility):",
             sp.Eq(sp.Derivative(sp.Symbol("u^{*}"), c), sp.diff(u_star, c))),
    )
    values = [
        (Latex("Minimum viable data $m_0$"), results["low"].minimum_viable_data),
        (Latex("Tangent point $m_t$"), forms.tangent_point.evaluate(bound.values)),
        (Latex("Viability threshold $c_{max}$"), results["low"].viability_cost),
        (Latex(r"High-cost threshold $\hat a'(m_0)$"), results["low"].high_cost_threshold),
    ]
    for regime, result in results.items():
        values += [
            (Latex(f"{regime} cost: $c$"), result.cost),
            (Latex(f"{regime} cost: regime, $m^*$, $u^*$"),
             Latex(f"{result.regime}, ${number_latex(result.optimal_data)}$, "
                   f"${number_latex(result.optimal_utility)}$")),
        ]
    figures = (_accuracy_figure(bound, forms),
               *(_regime_figure(panel, bound, forms, results[regime])
                 for panel, regime in zip("bcd", ("low", "mid", "high"))))
    return Section(
        key="s23_lone_agent",
        title="One agent alone: optimal data and the viability threshold",
        source="Theorem 2.3, Example 2.4, Figure 1",
        statement=Latex(
            r"An agent with marginal cost $c$ per data point (Eq.~(4)) maximises $u(m) = a(m) - c\,m$ "
            r"(Eq.~(5)). Theorem~2.3: $m^* = 0$ when $c \ge c_{max} = \sup_{m>0} \hat a(m)/m$, otherwise "
            r"$m^*$ is the root of $\hat a'(m) = c$ above $m_0$; $u^* \ge 0$, and a lower cost means more "
            r"data and a higher utility. Example~2.4 works this out for the simplified accuracy Eq.~(3)."),
        parameters=(*symbol_parameters(PARAMETERS),
                    (Latex("low, mid, high cost"),
                     Latex(r"$c_{max}/2$, $\sqrt{c_{max}\,\hat a'(m_0)}$, $1.5\,\hat a'(m_0)$"))),
        steps=steps,
        closed_forms=tuple((f"{d.meaning.capitalize()} ({d.source}):", Latex(d.latex())) for d in forms.all()),
        values=tuple(values),
        checks=tuple(check_rows(bound)),
        figures=figures,
        notes=(
            Latex(r"Regimes of the proof: low cost ($c < c_{max}$) gives an interior optimum with positive "
                  r"utility; mid cost ($c_{max} \le c < \hat a'(m_0)$) makes $u$ rise after $m_0$ without ever "
                  r"reaching 0, so $m^* = 0$; high cost ($c \ge \hat a'(m_0)$) makes $u$ non-increasing. "
                  r"At $c = c_{max}$ both 0 and $m_t$ are optimal (utility 0); fedsym reports 0."),
        ),
    )
