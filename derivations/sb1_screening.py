"""Appendix B: screening two cost types (Theorems B.1, B.3, Example B.4, Figure 5).

Two sections.  The first states Theorems B.1 and B.3, derives the menu from
sympy expressions (the cap, the binding constraints, :math:`m_C^{min}`,
Eq. (15), Eq. (16), the information rent) and works out Example B.4 for the
simplified accuracy Eq. (3) with :math:`p = 1/2` and costs :math:`\\{c, 2c\\}`,
including Figure 5 (mechanism (14) with the points A-D).  The second shows
one instance of each of the four regimes of Model §6.

Every number comes from :func:`fedsym.screen` (Theorem B.1's menu,
best responses verified on the curve of Eq. (14)).  The check tables compare
it with

* the sympy expressions shown in the derivation, evaluated at the solver's
  points (Eq. (15), Eq. (16), the rent of Theorem B.3, Example B.4's ratio), and
* an independent maximisation of the expected data: golden-section search
  over :math:`m_C` of :math:`p\\,m_D(m_C) + (1-p)\\,m_C`, each :math:`m_D(m_C)`
  a bracketed root of :math:`A(m) - c_L m = R(m_C)`, the lone optima found by
  golden-section maximisation of the utility (no first-order condition used).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import Cap, KScreeningMechanism, ScreeningResult, lone_agent_forms, maximize_utility, screen_two_types
from fedsym.core import (
    DPS,
    CheckRow,
    Latex,
    bracketed_root,
    c,
    c_H,
    c_L,
    escape_text,
    lambdify_mpmath,
    m,
    math,
    maximize_unimodal,
    mp_value,
    p,
    positive_symbol,
)
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Figure, Section, Series, Step, number_latex

#: accuracy of Example B.4 and Figure 5: Eq. (3)
PARAMETERS = {"a_opt": "0.9", "k": "10"}
#: Example B.4: p = 1/2, costs {c, 2c}, with c = 0.001 and data of the others m_{-i} = 5000
EXAMPLE = ("0.001", "0.002", "0.5", "5000")
#: one instance per regime of Model §6: (c_L, c_H, p, m_{-i})
REGIME_INSTANCES = {
    "separating": EXAMPLE,
    "interior": ("0.001", "0.0015", "0.1", "10"),
    "high-capped": ("0.001", "0.0015", "0.3", "1000"),
    "both-capped": ("0.001", "0.0015", "0.3", "0"),
}
#: points of each curve of Figure 5
POINTS = 200
#: values of m_C in Figure 7 (each needs one bracketed crossing at 40 digits)
VARIATION_POINTS = 41
#: a value (expected data, rent, Eq. (15)/(16) at the solver's points) against its reference
VALUE_TOLERANCE = mp.mpf("1e-15")
#: an arg-max location: golden-section search pins a smooth maximum only to about 1e-20 at 40 digits
ARGMAX_TOLERANCE = mp.mpf("1e-12")

# -- the symbols and expressions of the derivation (displayed and evaluated) ----------

OTHERS = positive_symbol("m_{-i}")
M_H = positive_symbol("m_H^{*}")
M_L = positive_symbol("m_L^{*}")
M_C = positive_symbol("m_C")
M_D = positive_symbol("m_D")
U_H = sp.Symbol("u_H^{*}", real=True)
U_L = sp.Symbol("u_L^{*}", real=True)
GAMMA_C = sp.Symbol(r"\gamma_C", real=True)
CAP = sp.Function("A")
R = sp.Function("R")

FUNCTION = FAMILIES["simplified"]
#: the cap A(m) = a(m + m_{-i}) of the simplified accuracy, at m = m_D
CAP_AT_D = FUNCTION.expr.subs(m, M_D + OTHERS)
#: the high type's binding IR: gamma_C = u_H^* + c_H m_C
HIGH_ACCURACY = U_H + c_H * M_C
#: the low type's utility R(m_C): its IR or "pretend to be high" binds
LOW_UTILITY = sp.Max(U_L, U_H + (c_H - c_L) * M_C)
#: smallest m_C at which the low type would gain by pretending to be high
C_MIN = (U_L - U_H) / (c_H - c_L)
#: Theorem B.3: the low type's information rent
RENT = LOW_UTILITY - U_L
#: right-hand side of Eq. (15)
TARGET = c_L - p * (c_H - c_L) / (1 - p)
#: Eq. (15) for the simplified accuracy: A'(m_D) = TARGET
EQ15 = sp.Eq(sp.diff(CAP_AT_D, M_D), TARGET)
#: Eq. (16): C where the line of slope c_H from A meets the line of slope c_L through D
EQ16 = (CAP_AT_D - c_L * M_D - FUNCTION.expr.subs(m, M_H) + c_H * M_H) / (c_H - c_L)

#: names set by _setup() on first use, not at import (nothing runs a derivation at import time)
_DERIVED = ("FORMS", "BOUND", "EQ15_SOLUTION", "LONE", "EXAMPLE_RATIO", "EXAMPLE_HIGH_RATIO")


def _setup() -> None:
    """Derive the expressions that need Theorem 2.3's closed forms (once, on first use)."""
    global FORMS, BOUND, EQ15_SOLUTION, LONE, EXAMPLE_RATIO, EXAMPLE_HIGH_RATIO
    if "EXAMPLE_HIGH_RATIO" in globals():
        return
    FORMS = lone_agent_forms(FUNCTION)
    BOUND = FUNCTION.bind(PARAMETERS)
    #: Eq. (15) solved: m_D = m^*(TARGET) - m_{-i}, Theorem 2.3's root at cost TARGET
    EQ15_SOLUTION = FORMS.optimal_data.closed_form.subs(c, TARGET) - OTHERS
    #: the lone agents' closed forms (Theorem 2.3) at each cost
    LONE = {U_H: FORMS.optimal_utility.closed_form.subs(c, c_H), U_L: FORMS.optimal_utility.closed_form.subs(c, c_L),
            M_H: FORMS.optimal_data.closed_form.subs(c, c_H), M_L: FORMS.optimal_data.closed_form.subs(c, c_L)}
    #: Example B.4: m_C = m_C^min relative to m_L^*, with c_L = c and c_H = 2c
    EXAMPLE_RATIO = sp.simplify((C_MIN.subs(LONE) / LONE[M_L]).subs({c_L: c, c_H: 2 * c}))
    #: Example B.4: m_H^* relative to m_L^*
    EXAMPLE_HIGH_RATIO = sp.simplify((LONE[M_H] / LONE[M_L]).subs({c_L: c, c_H: 2 * c}))


def __getattr__(name: str) -> Any:
    """The derived names of :data:`_DERIVED`, derived on first access from outside."""
    if name in _DERIVED:
        _setup()
        return globals()[name]
    raise AttributeError(name)


def evaluate(expr: sp.Expr, values: dict[sp.Symbol, Any]) -> mp.mpf:
    """*expr* at *values* in mpmath at :data:`fedsym.solve.DPS` digits (the displayed expression, evaluated)."""
    with mp.workdps(DPS):
        symbols = sorted(expr.free_symbols, key=str)
        return mp.mpf(lambdify_mpmath(symbols, expr)(*(mp_value(values[s]) for s in symbols)))


# -- the independent reference: maximise the expected data directly ------------------

@dataclass(frozen=True)
class Reference:
    """Theorem B.1's optimum found without the solver: golden-section search over :math:`m_C`."""

    high_contribution: mp.mpf
    expected_data: mp.mpf
    rent: mp.mpf
    low_alone: mp.mpf


def reference(bound: BoundAccuracy, c_low: str, c_high: str, prior: str, others: str) -> Reference:
    r"""Maximise :math:`p\,m_D(m_C) + (1-p)\,m_C` over :math:`m_C \in [m_H^*, \bar m_H]` directly.

    The lone optima :math:`(m_\theta^*, u_\theta^*)` come from golden-section
    maximisation of :math:`a(m) - c_\theta m`; :math:`\bar m_H` and
    :math:`m_D(m_C)` are the right roots of :math:`A(m) - c\,m = \text{level}`,
    bracketed between the peak :math:`\max(0, m_\theta^* - m_{-i})` of the
    surplus and :math:`(a_{opt} - \text{level})/c`.
    """
    with mp.workdps(DPS):
        low, high, p_low, rest = (mp_value(sp.Rational(v)) for v in (c_low, c_high, prior, others))
        (m_h, u_h), (m_l, u_l) = maximize_utility(bound, high), maximize_utility(bound, low)

        def right_root(cost: mp.mpf, lone: mp.mpf, level: mp.mpf) -> mp.mpf:
            def surplus(x: mp.mpf) -> mp.mpf:
                return bound.a(x + rest) - cost * x - level
            peak = max(mp.mpf(0), lone - rest)
            if surplus(peak) <= 0:  # tangency: the level is the peak
                return peak
            return bracketed_root(surplus, peak, (bound.a_opt - level) / cost)

        def low_utility(m_c: mp.mpf) -> mp.mpf:
            return max(u_l, u_h + (high - low) * m_c)

        def expected(m_c: mp.mpf) -> mp.mpf:
            return p_low * right_root(low, m_l, low_utility(m_c)) + (1 - p_low) * m_c

        upper = max(m_h, right_root(high, m_h, u_h))
        m_c, value = maximize_unimodal(expected, m_h, upper)
        return Reference(m_c, value, low_utility(m_c) - u_l, m_l)


# -- rows of the check tables ----------------------------------------------------------

def _point(result: ScreeningResult) -> str:
    types = result.two_type.types
    return (f"c_L = {float(types.c_low):g}, c_H = {float(types.c_high):g}, "
            f"p = {float(types.p):g}, m_-i = {float(result.two_type.others):g}")


def _substitutions(result: ScreeningResult) -> dict[sp.Symbol, Any]:
    """The symbols of the derivation at the solver's menu."""
    menu = result.two_type
    return {**BOUND.substitutions, c_L: menu.types.c_low, c_H: menu.types.c_high, p: menu.types.p, OTHERS: menu.others,
            U_H: menu.high_utility_alone, U_L: menu.low_utility_alone, M_H: menu.high_alone,
            M_C: menu.high_contribution, M_D: menu.low_contribution}


def check_rows(result: ScreeningResult, ref: Reference) -> list[CheckRow]:
    """The solver's menu against the sympy expressions at its points and against :func:`reference`."""
    menu, point, at = result.two_type, _point(result), _substitutions(result)
    source = f"Theorem B.1, {menu.regime}"
    rows = [
        CheckRow("m_C (solver)", source, point, menu.high_contribution, ref.high_contribution,
                 "golden-section max of expected data", ARGMAX_TOLERANCE),
        CheckRow("expected data (solver)", source, point, menu.expected_data, ref.expected_data,
                 "golden-section max of expected data", VALUE_TOLERANCE),
        CheckRow("rent R(m_C) - u_L*", "Theorem B.3", point, evaluate(RENT, at), ref.rent,
                 "at the golden-section m_C", VALUE_TOLERANCE),
    ]
    if menu.regime != "both-capped":
        rows.append(CheckRow("m_C by Eq. (16) at the solver's m_D", "Eq. (16)", point, evaluate(EQ16, at),
                             menu.high_contribution, "Theorem B.1 solver", VALUE_TOLERANCE))
    if menu.regime == "interior":
        rows.append(CheckRow("m_D by Eq. (15)", "Eq. (15)", point, evaluate(EQ15_SOLUTION, at),
                             menu.low_contribution, "Theorem B.1 solver", VALUE_TOLERANCE))
    return rows


def instances() -> dict[str, tuple[ScreeningResult, Reference]]:
    """The solver's result and the independent reference for each regime instance."""
    _setup()
    return {regime: (screen_two_types(BOUND, *args), reference(BOUND, *args)) for regime, args in REGIME_INSTANCES.items()}


# -- Figure 5 ------------------------------------------------------------------------

def figure_5(result: ScreeningResult) -> Figure:
    """Mechanism (14) for one instance: a(m), the cap A(m), the two lines, the curve, points A-D."""
    menu = result.two_type
    m_h, m_l, m_c, m_d = (float(x) for x in (menu.high_alone, menu.low_alone, menu.high_contribution,
                                             menu.low_contribution))
    bar_h, others = float(menu.high_known_cost), float(menu.others)
    c_low, c_high = float(menu.types.c_low), float(menu.types.c_high)
    a_h, a_l, gamma_c, gamma_d = (float(x) for x in (BOUND.a(menu.high_alone), BOUND.a(menu.low_alone),
                                                     menu.high_accuracy, menu.low_accuracy))
    data = np.linspace(0, 1.15 * float(menu.low_known_cost), POINTS)
    high_line = np.linspace(m_h, bar_h, POINTS)
    low_line = np.linspace(0.75 * m_c, m_d, POINTS)
    curve = KScreeningMechanism(BOUND, menu.types).curve_total(0, others)
    return Figure(
        "Figure 5: the screening mechanism (14)", Latex("data $m$ of agent $i$"), "accuracy",
        # the mechanism first, wide and light, so the thin lines it follows stay visible on top of it
        (Series(Latex(r"mechanism $\gamma(m)$, Eq.~(14)"), data, curve(data),
                style="orange, line width=4pt, opacity=0.35"),
         Series(Latex(r"accuracy $a(m)$"), data, BOUND.a_np(data), style="blue"),
         Series(Latex(r"cap $A(m) = a(m + m_{-i})$"), data, BOUND.a_np(data + others), style="black, dashed"),
         Series(Latex(r"slope $c_H$ from A"), high_line, a_h + c_high * (high_line - m_h), style="red, densely dotted"),
         Series(Latex(r"slope $c_L$ through D"), low_line, gamma_d + c_low * (low_line - m_d),
                style="black!60!green, dashdotted")),
        ylimits=(0.0, 0.9), axis_options=r"height=0.62\linewidth",
        points=((m_h, a_h, "A", "below right"), (m_l, a_l, "B", "below right"),
                (m_c, gamma_c, "C", "above left"), (m_d, gamma_d, "D", "below right")),
        vertical_lines=((float(menu.high_known_cost), Latex(r"$\bar m_H$")),
                        (float(menu.low_known_cost), Latex(r"$\bar m_L$"))),
        caption=Latex(
            rf"Example~B.4 with $a_{{opt}} = {number_latex(BOUND.a_opt)}$, $k = {number_latex(BOUND.values['k'])}$, "
            rf"$c_L = {number_latex(c_low)}$, $c_H = {number_latex(c_high)}$, $p = {number_latex(menu.types.p)}$, "
            rf"$m_{{-i}} = {number_latex(others)}$. A and B are the lone optima of the high and low type; the high "
            rf"type contributes at C (where the line of slope $c_H$ from A meets the line of slope $c_L$ through D), "
            rf"the low type at D on the cap. A type's utility is the intercept of the line of its slope through its "
            rf"point."),
    )


def figure_7(result: ScreeningResult) -> Figure:
    """Theorem B.1's variational step: expected data as the high type's point C slides along its line.

    For each :math:`m_C` up to :math:`\\bar m_H` the low type's point is the largest
    :math:`m_D` with :math:`A(m_D) - c_L m_D \\ge R(m_C)`, found by the solver's own
    :class:`~fedsym.paper.screening.menu.Cap`; the expected data peaks at the solver's :math:`m_C`.
    """
    menu = result.two_type
    cap = Cap(BOUND, mp_value(menu.others))
    low, high, prior = (mp_value(x) for x in (menu.types.c_low, menu.types.c_high, menu.types.p))
    with mp.workdps(DPS):
        # from m_C^min, or from 4 times the distance between the solver's m_C and its cap before it, to the cap
        start = max(menu.minimum_high_contribution,
                    menu.high_contribution - 4 * (menu.high_known_cost - menu.high_contribution))
        grid = [start + (menu.high_known_cost - start) * j / (VARIATION_POINTS - 1) for j in range(VARIATION_POINTS)]
        expected = []
        for m_c in grid:
            rent = max(menu.low_utility_alone, menu.high_utility_alone + (high - low) * m_c)
            m_d = cap.right_crossing(low, rent, m_c)
            expected.append(prior * m_d + (1 - prior) * m_c)
    m_c, best = float(menu.high_contribution), float(menu.expected_data)
    return Figure(
        "The variational step of Theorem B.1", Latex(r"high type's contribution $m_C$"),
        Latex(r"expected data $p\,m_D(m_C) + (1-p)\,m_C$"),
        (Series(Latex(r"expected data, $m_D(m_C)$ from the cap"), grid, expected, style="blue"),),
        number="7",
        xlimits=(float(grid[0]), float(grid[-1])),
        vertical_lines=((m_c, Latex(r"solver's $m_C$")),),
        points=((m_c, best, Latex(f"${number_latex(best)}$"), "below"),),
        caption=Latex(
            rf"Interior instance: $c_L = {number_latex(low)}$, $c_H = {number_latex(high)}$, "
            rf"$p = {number_latex(prior)}$, $m_{{-i}} = {number_latex(menu.others)}$. Sliding C to the right along "
            r"the high type's line by $\delta$ gains $(1-p)\,\delta$ from the high type but raises the low "
            r"type's rent $R(m_C)$ by $(c_H - c_L)\,\delta$, which pushes D back along the cap; the two balance "
            r"where $A'(m_D) = c_L - p(c_H - c_L)/(1-p)$, Eq.~(15). Each point is the solver's crossing "
            r"$m_D(m_C)$, drawn up to $\bar m_H$; the maximum sits at the solver's $m_C$."),
    )


# -- the sections ----------------------------------------------------------------------

def _symbol(name: str) -> Latex:
    return Latex(f"${name}$")


def _menu_values(result: ScreeningResult) -> list[tuple[Latex, Any]]:
    menu = result.two_type
    status = "yes" if result.verified else "NO"
    return [
        (Latex(r"Point A: $m_H^*$, $a(m_H^*)$"), Latex(f"${number_latex(menu.high_alone)}$, "
                                                    f"${number_latex(BOUND.a(menu.high_alone))}$")),
        (Latex(r"Point B: $m_L^*$, $a(m_L^*)$"), Latex(f"${number_latex(menu.low_alone)}$, "
                                                    f"${number_latex(BOUND.a(menu.low_alone))}$")),
        (Latex(r"Point C: $m_C$, $\gamma_C$"), Latex(f"${number_latex(menu.high_contribution)}$, "
                                                 f"${number_latex(menu.high_accuracy)}$")),
        (Latex(r"Point D: $m_D$, $\gamma_D$"), Latex(f"${number_latex(menu.low_contribution)}$, "
                                                 f"${number_latex(menu.low_accuracy)}$")),
        (Latex(r"Lone utilities $u_H^*$, $u_L^*$"), Latex(f"${number_latex(menu.high_utility_alone)}$, "
                                                       f"${number_latex(menu.low_utility_alone)}$")),
        (Latex(r"Known-cost contributions $\bar m_H$, $\bar m_L$"),
         Latex(f"${number_latex(menu.high_known_cost)}$, ${number_latex(menu.low_known_cost)}$")),
        (Latex(r"$m_C^{min}$"), menu.minimum_high_contribution),
        (Latex(r"$m_C / m_L^*$"), menu.high_contribution / menu.low_alone),
        (Latex(r"Expected data $p\,m_D + (1-p)\,m_C$"), menu.expected_data),
        (Latex(r"Information rent $R(m_C) - u_L^*$"), menu.information_rent_low),
        ("Regime", menu.regime + (" (pooling)" if menu.pooling else "")),
        (Latex("Best responses on Eq.~(14) verified"),
         Latex(f"{status} (largest gain from deviating ${number_latex(result.max_deviation_gain)}$)")),
    ]


def _steps() -> tuple[Step, ...]:
    return (
        Step(Latex(r"Accuracy, Eq.~(3), and the cap (the full model agent $i$ could get):"),
             sp.Eq(CAP(M_D), CAP_AT_D)),
        Step("Lone optima of each type (Theorem 2.3):",
             Latex(rf"{math(sp.Eq(M_H, LONE[M_H]))},\quad {math(sp.Eq(U_H, LONE[U_H]))},\quad "
                   rf"{math(sp.Eq(U_L, LONE[U_L]))}")),
        Step("High type's IR binds at C (Theorem B.3: it keeps its lone utility):", sp.Eq(GAMMA_C, HIGH_ACCURACY)),
        Step("Low type's utility: its IR or the pretend-to-be-high constraint binds:",
             sp.Eq(R(M_C), LOW_UTILITY)),
        Step(Latex(r"The low type starts to gain by pretending above $m_C^{min}$:"),
             sp.Eq(sp.Symbol("m_C^{min}"), C_MIN)),
        Step(Latex(r"Eq.~(16): C is where the line of slope $c_H$ from A meets the line of slope $c_L$ "
                   r"through D:"),
             sp.Eq(M_C, EQ16)),
        Step(Latex(r"Eq.~(15): interior optimum of the expected data $p\,m_D + (1 - p)\,m_C$:"), EQ15),
        Step(Latex(r"Eq.~(15) solved: Theorem 2.3's $m^*$ at the cost on the right, less $m_{-i}$:"),
             sp.Eq(M_D, EQ15_SOLUTION)),
        Step("Theorem B.3: the low type's information rent (the high type's is 0):",
             Latex(rf"R(m_C) - u_L^{{*}} = {math(RENT)}")),
        Step(Latex(r"Example B.4 ($p = 1/2 \ge c_L/c_H$, so $m_C = m_C^{min}$), with $c_L = c$, $c_H = 2c$:"),
             Latex(rf"\frac{{m_C}}{{m_L^*}} = {math(EXAMPLE_RATIO)} \approx "
                   rf"{number_latex(evaluate(EXAMPLE_RATIO, {}))},\qquad "
                   rf"\frac{{m_H^*}}{{m_L^*}} = {math(EXAMPLE_HIGH_RATIO)}")),
    )


def _regime_table(results: dict[str, tuple[ScreeningResult, Reference]]) -> Latex:
    """One column per regime instance, one row per quantity."""
    rows = [
        (r"$c_L$, $c_H$", lambda r: f"${number_latex(r.two_type.types.c_low)}$, ${number_latex(r.two_type.types.c_high)}$"),
        (r"$p$", lambda r: f"${number_latex(r.two_type.types.p)}$"),
        (r"$m_{-i}$", lambda r: f"${number_latex(r.two_type.others)}$"),
        (r"$m_H^*$, $m_L^*$", lambda r: f"${number_latex(r.two_type.high_alone)}$, "
                                        f"${number_latex(r.two_type.low_alone)}$"),
        (r"$\bar m_H$", lambda r: f"${number_latex(r.two_type.high_known_cost)}$"),
        (r"$\bar m_L$", lambda r: f"${number_latex(r.two_type.low_known_cost)}$"),
        (r"$m_C^{min}$", lambda r: f"${number_latex(r.two_type.minimum_high_contribution)}$"),
        (r"$m_C$ (point C)", lambda r: f"${number_latex(r.two_type.high_contribution)}$"),
        (r"$m_D$ (point D)", lambda r: f"${number_latex(r.two_type.low_contribution)}$"),
        (r"expected data", lambda r: f"${number_latex(r.two_type.expected_data)}$"),
        (r"rent $R(m_C) - u_L^*$", lambda r: f"${number_latex(r.two_type.information_rent_low)}$"),
        (r"pooling", lambda r: "yes" if r.two_type.pooling else "no"),
        (r"verified (max gain)", lambda r: f"{'yes' if r.verified else 'NO'} "
                                           f"(${number_latex(r.max_deviation_gain)}$)"),
    ]
    header = " & ".join(escape_text(regime) for regime in results)
    body = "\n".join(rf"    {name} & " + " & ".join(cell(result) for result, _ in results.values()) + r" \\"
                     for name, cell in rows)
    return Latex("\\begin{fedsymwide}\n\\small\n\\begin{tabular}{@{}l" + "r" * len(results) + "@{}}\n"
                 f"    \\toprule\n    Quantity & {header} \\\\\n    \\midrule\n{body}\n"
                 "    \\bottomrule\n\\end{tabular}\n\\end{fedsymwide}")


def derive() -> list[Section]:
    """Theorem B.1/B.3 with Example B.4 and Figure 5; the four regimes."""
    _setup()
    results = instances()
    example, example_ref = results["separating"]
    parameters = (
        ("accuracy", Latex(r"simplified, Eq.~(3): $" + math(FUNCTION.expr) + "$")),
        *((_symbol(math(positive_symbol(name))), value) for name, value in PARAMETERS.items()),
        *((_symbol(name), _symbol(number_latex(sp.Rational(value))))
          for name, value in zip(("c_L = c", "c_H = 2c", "p", "m_{-i}"), EXAMPLE)),
    )
    theorem = Section(
        key="sb1_screening_example_b4",
        title="Unknown costs: screening two types",
        source="Appendix B: Theorem B.1, Remark B.2, Theorem B.3, Example B.4, Figure 5",
        statement=Latex(
            r"Each agent has low marginal cost $c_L$ with probability $p$, else high cost $c_H > c_L$; the server "
            r"knows only $p$. With the others' data $m_{-i}$ fixed, agent $i$ could get at most the cap "
            r"$A(m) = a(m + m_{-i})$. The server offers a point C $= (m_C, \gamma_C)$ for the high type and a "
            r"point D $= (m_D, \gamma_D)$ for the low type. \emph{Theorem B.1}: the mechanism (14) built on the "
            r"menu of Eqs.~(15)--(16) maximizes the expected data $p\,m_D + (1-p)\,m_C$, with the high type's IR "
            r"binding at C and D on the cap; $m_H^* \le m_C \le \bar m_H$ and $m_D \le \bar m_L$ (Remark B.2). "
            r"\emph{Theorem B.3}: the high type gets its lone utility $u_H^*$; the low type earns the "
            r"information rent $R(m_C) - u_L^* \ge 0$. \emph{Example B.4}: for the simplified accuracy with "
            r"$p = 1/2$ and costs $\{c, 2c\}$, $m_D = \bar m_L$ and $m_C = 3(2^{1/3} - 1)\,m_L^*$, between "
            r"$m_H^* = 2^{-2/3} m_L^*$ and $m_L^*$, with no rent."),
        parameters=parameters,
        steps=_steps(),
        closed_forms=(
            ("Example B.4, the high type's contribution:", sp.Eq(M_C, EXAMPLE_RATIO * M_L)),
            ("Example B.4, the high type's lone optimum:", sp.Eq(M_H, EXAMPLE_HIGH_RATIO * M_L)),
            ("Example B.4, the low type's contribution and rent:",
             Latex(r"m_D = \bar m_L,\qquad R(m_C) - u_L^* = 0")),
        ),
        values=tuple(_menu_values(example)),
        checks=(CheckRow("m_C / m_L* (Example B.4 closed form)", "Example B.4", _point(example),
                         evaluate(EXAMPLE_RATIO, {}), example_ref.high_contribution / example_ref.low_alone,
                         "golden-section max of expected data and of u_L", ARGMAX_TOLERANCE),
                *check_rows(*results["separating"])),
        figures=(figure_5(example),),
        notes=(
            Latex(r"The solver (\texttt{fedsym.screening}) decides the regime from the slope of the expected data "
                  r"at the ends of $[m_C^{min}, \bar m_H]$, solves every crossing as a bracketed root at 40 digits, "
                  r"and verifies by global search that on the curve of Eq.~(14) the high type's best response is "
                  r"$m_C$ and the low type's $m_D$."),
        ),
    )
    regimes = Section(
        key="sb2_screening_regimes",
        title="Screening two types: the four regimes",
        source="Appendix B, Theorem B.1 (regimes of Model §6)",
        statement=Latex(
            r"Depending on $p$, the costs and the others' data, Theorem B.1's optimum lies in one of four regimes: "
            r"\emph{separating} ($p \ge c_L/c_H$ or Eq.~(15) beyond $\bar m_L$: $m_C = m_C^{min}$, "
            r"$m_D = \bar m_L$, no rent; the paper's case), \emph{interior} (Eq.~(15) holds, the low type earns "
            r"rent), \emph{high-capped} (Eq.~(15) would need $m_C > \bar m_H$: $m_C = \bar m_H$, pooling when "
            r"$m_D = \bar m_H$) and \emph{both-capped} ($\bar m_H \le m_C^{min}$, e.g. $m_{-i} = 0$: "
            r"$m_C = \bar m_H$, $m_D = \bar m_L$, no rent). One instance of each, for the simplified accuracy with "
            rf"$a_{{opt}} = {number_latex(BOUND.a_opt)}$, $k = {number_latex(BOUND.values['k'])}$:"
            "\n\n" + _regime_table(results)),
        checks=tuple(row for result, ref in results.values() for row in check_rows(result, ref)),
        figures=(figure_7(results["interior"][0]),),
    )
    return [theorem, regimes]
