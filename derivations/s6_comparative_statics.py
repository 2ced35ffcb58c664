"""Comparative statics (Model §12): elasticities of Theorem 2.3's quantities and of the shaping total.

For Eq. (2), Eq. (3) and the power law, the elasticity
:math:`\\partial\\log y/\\partial\\log\\theta` of :math:`m_0, c_{max}, m^*, u^*` and
of the total of accuracy shaping for ten agents of equal cost (Theorem 4.2),
of Model §11's planner total and price of anarchy in data, with respect to
every parameter, at a tenth of each function's viability threshold, from
:func:`fedsym.statics` (closed forms where they exist, the implicit function
theorem otherwise), each checked against a 40-digit central difference; the
elasticities of App. B's interior screening menu for Eq. (3)
(:func:`fedsym.screening_statics`); and a figure of the cost elasticity of
:math:`m^*` and of the shaping total against the cost.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np

from fedsym import FAMILIES, BoundAccuracy, Latex, derivative_sign, lone_agent_forms, screening_statics, statics
from fedsym.report import Figure, Section, Series

#: the paper's families and the parameters of its running examples
FAMILY_POINTS = (
    ("simplified", "Eq. (3)", {"a_opt": "0.95", "k": "1"}),
    ("generalization-bound", "Eq. (2)", {"a_opt": "0.95", "k": "1", "b": "4"}),
    ("power-law", "power law", {"a_opt": "0.95", "tau": "0.3", "beta": "20", "alpha": "1.7"}),
)
#: the cost of the table, as a fraction of c_max
COST_FRACTION = "0.1"
#: agents of the shaping total
AGENTS = "10"
#: quantities of the table, with their symbols
QUANTITIES = (("minimum_viable_data", "m_0"), ("viability_cost", "c_{max}"), ("optimal_data", "m^*"),
              ("optimal_utility", "u^*"), ("shaping_total", "M"), ("planner_total", "M_P"), ("data_poa", "M_P/M_S"))
#: App. B's interior menu of the screening table (Eq. (3)): parameters and point
SCREENING_POINT = ({"a_opt": "0.9", "k": "10"}, {"p": "0.1", "c_L": "0.001", "c_H": "0.0015", "m_others": "10"})
#: the menu's quantities, with their symbols
SCREENING_QUANTITIES = (("low_contribution", "m_D"), ("high_contribution", "m_C"),
                        ("information_rent_low", r"R - u_L^*"), ("expected_data", r"\mathbb{E}[m]"))
#: cost fractions of the figure (of c_max)
FIGURE_FRACTIONS = np.geomspace(1e-3, 0.95, 16)

_PARAMETER_TEX = {"a_opt": "a_{opt}", "alpha": r"\alpha", "beta": r"\beta", "tau": r"\tau", "eps": r"\varepsilon",
                  "m_others": "m_{-i}"}


def _at(quantity: str, cost: str) -> dict[str, str]:
    return {"c": cost, "n": AGENTS} if quantity in ("shaping_total", "planner_total", "data_poa") else \
        {"c": cost} if quantity in ("optimal_data", "optimal_utility") else {}


def _cost(spec: str, params: dict[str, str], fraction: float | str) -> str:
    bound = FAMILIES[spec].bind(params)
    with mp.workdps(40):
        c_max = lone_agent_forms(bound.function).viability_cost.resolve(bound.values)[0]
        return mp.nstr(c_max * mp.mpf(fraction), 30)


def _table(spec: str, params: dict[str, str]) -> tuple[Latex, list]:
    """The elasticity array of one family, and the results (for their check rows)."""
    bound = FAMILIES[spec].bind(params)
    cost = _cost(spec, params, COST_FRACTION)
    results = [statics(bound, quantity, at=_at(quantity, cost)) for quantity, _ in QUANTITIES]
    return _array(QUANTITIES, results, list(bound.function.parameter_names) + ["c", "n"]), results


def _screening_table() -> tuple[Latex, list]:
    """The elasticity array of App. B's interior menu for Eq. (3), and the results."""
    params, at = SCREENING_POINT
    bound = FAMILIES["simplified"].bind(params)
    results = [screening_statics(bound, quantity, at=at) for quantity, _ in SCREENING_QUANTITIES]
    return _array(SCREENING_QUANTITIES, results, list(bound.function.parameter_names) + list(at)), results


def _array(quantities: tuple[tuple[str, str], ...], results: list, columns: list[str]) -> Latex:
    """Rows: the quantities' symbols; columns: the parameters; cells: elasticities ("-" where not applicable)."""
    header = " & ".join(_PARAMETER_TEX.get(name, name) for name in columns)
    rows = []
    for (_, symbol), result in zip(quantities, results):
        by_wrt = {d.wrt: d.elasticity for d in result.derivatives if d.wrt != "eps"}
        cells = [_number(by_wrt[name]) if by_wrt.get(name) is not None else "-" for name in columns]
        rows.append(f"{symbol} & " + " & ".join(cells))
    body = r" \\ ".join(rows)
    return Latex(r"\begin{array}{l" + "r" * len(columns) + r"} & " + header + r" \\ \hline " + body + r"\end{array}")


def _number(value: mp.mpf) -> str:
    """Six significant digits, without a trailing ``.0``."""
    text = mp.nstr(value, 6)
    return text[:-2] if text.endswith(".0") else text


def _cost_elasticity(bound: BoundAccuracy, quantity: str, cost: str) -> float:
    elasticity = statics(bound, quantity, ("c",), at=_at(quantity, cost)).derivatives[0].elasticity
    return float("nan") if elasticity is None else float(elasticity)


def _figure() -> Figure:
    series = []
    styles = {"Eq. (3)": "blue", "Eq. (2)": "red", "power law": "black!60!green"}
    for spec, label, params in FAMILY_POINTS:
        bound = FAMILIES[spec].bind(params)
        for quantity, symbol, dash in (("optimal_data", "m^*", ""), ("shaping_total", "M", ", dashed")):
            ys = [_cost_elasticity(bound, quantity, _cost(spec, params, f)) for f in FIGURE_FRACTIONS]
            series.append(Series(Latex(f"${symbol}$, {label}"), FIGURE_FRACTIONS.tolist(), ys,
                                 style=styles[label] + dash))
    return Figure(
        "Cost elasticity of the optimal data and of the shaping total", Latex(r"cost $c/c_{max}$"),
        Latex(r"elasticity $\partial\log y/\partial\log c$"), tuple(series), xmode="log",
        caption=Latex(r"Solid: $m^*$ of one agent alone (Theorem~2.3); dashed: the total $M$ of accuracy "
                      r"shaping for ten agents of equal cost (Theorem~4.2, $\varepsilon = 0$). For Eq.~(3) both "
                      r"are $-2/3$ at every cost (Example~4.5: $M = n\,t_n\,m^*$)."))


def derive() -> Section:
    """The section of comparative statics: elasticity tables, signs and the cost-elasticity figure."""
    closed_forms = []
    checks = []
    for spec, label, params in FAMILY_POINTS:
        array, results = _table(spec, params)
        closed_forms.append((Latex(f"Elasticities for {label} at $c = {COST_FRACTION}\\,c_{{max}}$, $n = {AGENTS}$ "
                                   "(rows: quantities; columns: parameters):"), array))
        for result in results:
            checks.extend(result.check_rows())
    array, results = _screening_table()
    params, at = SCREENING_POINT
    closed_forms.append((Latex("Elasticities of App.~B's menu for Eq.~(3), interior regime, at "
                               + ", ".join(f"${_PARAMETER_TEX.get(k, k)} = {v}$" for k, v in {**params, **at}.items())
                               + r" ($\mathbb{E}[m] = p\,m_D + (1-p)\,m_C$):"), array))
    for result in results:
        checks.extend(result.check_rows())
    eq3 = FAMILIES["simplified"]
    signs = tuple((Latex(f"Sign, Eq.~(3): ${symbol}$ in ${_PARAMETER_TEX.get(wrt, wrt)}$"),
                   derivative_sign(eq3, quantity, wrt, latex=True))
                  for quantity, symbol, wrt in (("optimal_data", "m^*", "c"), ("optimal_data", "m^*", "k"),
                                                ("viability_cost", "c_{max}", "k"),
                                                ("optimal_utility", "u^*", "c")))
    return Section(
        key="s6_comparative_statics",
        title="Comparative statics: how the results move with each parameter",
        source="Theorem 2.3, Theorem 4.2, Example 4.5, App. B (Model §11, Model §12)",
        statement=Latex(
            r"The elasticity $\partial\log y/\partial\log\theta$ of each quantity $y$ with respect to each "
            r"parameter $\theta$: by differentiating the closed form where there is one, otherwise by the "
            r"implicit function theorem on the defining equation ($\hat a'(m^*) = c$ for $m^*$; "
            r"$n\,(m^* + (a(M) - a(m^*))/(c+\varepsilon)) = M$ for the shaping total, "
            r"$n\,\hat a'(M_P) = c$ for the planner's total), "
            r"$dY/d\theta = -F_Y^{-1}F_\theta$ evaluated at the solved $Y$."),
        parameters=((Latex("cost"), Latex(rf"$c = {COST_FRACTION}\,c_{{max}}$ of each function")),
                    (Latex("agents (shaping, planner)"), Latex(f"$n = {AGENTS}$, $\\varepsilon = 0$"))),
        closed_forms=tuple(closed_forms),
        values=signs,
        checks=tuple(checks),
        figures=(_figure(),),
        notes=(Latex(r"At $c = c_{max}$ the optimal data jumps from the tangent point to 0 (Theorem~2.3): "
                     r"fedsym reports the jump there, not a derivative. Above $c_{max}$ the lone quantities "
                     r"are 0 on a neighbourhood and the shaping total solves Remark~4.4's equation."),),
    )
