"""Example 2.1, Eq. (2)-(3): the generalization-bound and simplified accuracy families.

Regenerates the two accuracy functions of the paper's Sec. 2.1 from the
expressions fedsym evaluates (:data:`fedsym.accuracy.FAMILIES`): their
derivatives, the limit :math:`a_{opt}`, where assumption (1) holds, the minimum
viable data :math:`m_0` (closed for Eq. (3), numeric for Eq. (2)) and a figure
of :math:`a(m) = \\max(0, \\hat a(m))` for both.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import check_rows, lone_agent_forms
from fedsym.core import DPS, CheckRow, Latex, bracketed_root, format_number, m, mp_value
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Figure, Section, Series, Step, number_latex, symbol_parameters

#: parameter values of the figure and the table (the paper's simulations use b = 4)
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: data axis of the figure: 200 log-spaced points
DATA = np.logspace(0, 7, 200)
#: the families in the order of the paper's equations
EQUATIONS = (("Eq. (2)", "generalization-bound"), ("Eq. (3)", "simplified"))

A_HAT = sp.Function(r"\hat{a}")


def _family_steps(label: str, name: str) -> tuple[Step, ...]:
    """â, its first two derivatives and its limit, from the expression the code evaluates."""
    function = FAMILIES[name]
    expr = function.expr
    steps = [
        Step(f"{label}, {name}:", sp.Eq(A_HAT(m), expr)),
        Step("Its slope (non-negative where (1) holds):", sp.Eq(sp.Derivative(A_HAT(m), m), sp.diff(expr, m))),
        Step("Its curvature (non-positive where (1) holds):",
             sp.Eq(sp.Derivative(A_HAT(m), (m, 2)), sp.diff(expr, m, 2))),
        Step("Best achievable accuracy:", sp.Eq(sp.Limit(A_HAT(m), m, sp.oo), sp.limit(expr, m, sp.oo))),
    ]
    if function.domain_lower != 0:
        steps.append(Step("Domain (the logarithm's argument keeps the root real):",
                          sp.Ge(m, function.domain_lower)))
    return tuple(steps)


def _ridder_m0(bound: BoundAccuracy) -> CheckRow:
    """m_0 of Eq. (2) by Ridder's method on :math:`a_{opt}\\sqrt m - b = \\sqrt{2k(2 + \\ln(m/k))}`
    (Eq. (2) times :math:`\\sqrt m`, hand-written from the model (docs/model.rst); independent of fedsym's bisection)."""
    with mp.workdps(DPS):
        a_opt, k, b = (mp_value(bound.values[name]) for name in ("a_opt", "k", "b"))

        def g(x: mp.mpf) -> mp.mpf:
            return a_opt * mp.sqrt(x) - b - mp.sqrt(2 * k * (2 + mp.log(x / k)))
        reference = mp.findroot(g, (k, 10**6 * k), solver="ridder")
        return CheckRow("minimum_viable_data (numeric)", "Sec. 2.1, Eq. (1)", bound.label(),
                        bound.minimum_viable_data, reference, "Ridder's method on the rearranged Eq. (2)")


def _inflection(bound: BoundAccuracy) -> mp.mpf:
    """Where the curvature of Eq. (2) changes sign, between the domain's end and m_0."""
    with mp.workdps(DPS):
        return bracketed_root(bound.a_hat_second, bound.domain_lower * (1 + mp.mpf(10) ** -6),
                              bound.minimum_viable_data)


def derive() -> Section:
    """The section of Example 2.1 (Eq. (2) and (3))."""
    bounds = {name: FAMILIES[name].bind(PARAMETERS) for _, name in EQUATIONS}
    m0 = {name: bounds[name].minimum_viable_data for name in bounds}
    simplified_m0 = lone_agent_forms(FAMILIES["simplified"]).minimum_viable_data
    bound_m0 = lone_agent_forms(FAMILIES["generalization-bound"]).minimum_viable_data
    ratio = m0["generalization-bound"] / m0["simplified"]
    series = tuple(
        Series(f"{label} {name}", DATA, bounds[name].a_np(DATA), style=style)
        for (label, name), style in zip(EQUATIONS, ("blue", "red, dashed"))
    )
    figure = Figure(
        "Accuracy of the two families", Latex("data $m$"), Latex(r"$a(m) = \max(0, \hat a(m))$"),
        series, xmode="log",
        vertical_lines=tuple((float(m0[name]), Latex(rf"$m_0^{{{label[4:]}}}$")) for label, name in EQUATIONS),
        caption=Latex(r"Example 2.1 with $a_{opt} = 0.95$, $k = 1$ and, for Eq.~(2), $b = 4$: "
                      r"no accuracy below the minimum viable data $m_0$, then a concave rise towards "
                      r"$a_{opt}$; the generalization bound needs "
                      rf"${format_number(ratio, 3)}$ times more data to become viable."),
    )
    rows = [row for name in bounds for row in check_rows(bounds[name], cost_fractions=())
            if row.quantity.startswith("minimum_viable_data")]
    rows.append(_ridder_m0(bounds["generalization-bound"]))
    return Section(
        key="s21_accuracy_families",
        title="Accuracy functions: generalization bound and simplified form",
        source="Example 2.1, Eq. (1)-(3)",
        statement=Latex(
            r"An accuracy function is $a(m) = \max(0, \hat a(m))$ with $\hat a$ continuous, "
            r"non-decreasing and concave (assumption (1)), $a_{opt} = \lim_{m\to\infty} \hat a(m) \le 1$; "
            r"data below the minimum viable data $m_0 = \inf\{m : \hat a(m) > 0\}$ is worth nothing. "
            r"Example 2.1 derives $\hat a$ from a generalization bound for a task of "
            r"pseudo-dimension $k$ (Eq.~(2), confidence term $b$) and simplifies it to Eq.~(3), "
            r"which the paper uses for every closed form."),
        parameters=symbol_parameters({**PARAMETERS, "b": "4 (Eq. (2) only)"}),
        steps=_family_steps(*EQUATIONS[0]) + _family_steps(*EQUATIONS[1]),
        closed_forms=(("Minimum viable data of Eq. (3) (root of the accuracy):", Latex(simplified_m0.latex())),),
        values=(
            *((Latex(f"$m_0$, {label}"), m0[name]) for label, name in EQUATIONS),
            *((f"Assumption (1), {label}", bounds[name].assumption.describe()) for label, name in EQUATIONS),
            *((Latex(f"$a_{{opt}}$ (limit), {label}"), bounds[name].a_opt) for label, name in EQUATIONS),
        ),
        checks=tuple(rows),
        figures=(figure,),
        notes=(
            Latex(f"Eq.~(2) has no closed minimum viable data (method: {bound_m0.method}; sympy cannot solve "
                  r"the accuracy for $m$, see the section of Figure~2 for the reasons): fedsym finds $m_0$ by "
                  r"bracketed bisection of the accuracy, and the check table compares it with Ridder's method."),
            Latex(r"Eq.~(2) is concave only beyond some $m$: its curvature changes sign at "
                  f"$m = {number_latex(_inflection(bounds['generalization-bound']))}$, where the accuracy is "
                  r"still negative, so (1) holds on the positive part (the assumption rows); fedsym refuses "
                  r"results that need (1) where it fails."),
        ),
    )
