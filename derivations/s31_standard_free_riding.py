"""Theorem 3.4 and Remark 3.5: standard federated learning, Eq. (10), and catastrophic free-riding.

Under Eq. (10) every agent receives the full model :math:`a(\\sum_j m_j)`, so an
agent's first-order condition is the lone agent's, written in the *total*: the
best response tops the total up to the agent's own :math:`m^*(c_i)`.  Only the
cheapest agent contributes (Theorem 3.4; ties split it in many ways), and when
everyone is priced out alone nobody contributes (Remark 3.5).  The equilibria
come from :func:`fedsym.equilibrium.standard_equilibrium` and are verified by a
global search over every agent's deviations; the check table compares the
closed-form :math:`m^*, u^*` of the cheapest agent with golden-section
maximisation, and the equilibrium total with best-response dynamics.
"""

from __future__ import annotations

from collections.abc import Iterable

import mpmath as mp
import sympy as sp

from fedsym import Equilibrium, StandardMechanism, best_response_equilibrium, lone_agent_forms, maximize_utility, standard_equilibrium
from fedsym.core import CLOSED_FORM, DPS, CheckRow, Latex, c, format_gain, m, prose_math
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Section, Step, accuracy_parameters, number_latex

#: the paper's running example, Eq. (3)
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: Theorem 3.4: two agents tie at the cheapest cost 0.001; one agent is priced out alone (c_max ~ 0.0318)
COSTS = ("0.002", "0.001", "0.001", "0.005", "0.05")
#: Remark 3.5: every cost at or above c_max
PRICED_OUT_COSTS = ("0.04", "0.05", "0.1")
#: best-response dynamics finds an arg-max in double precision on a flat optimum: agreement to ~1e-8
DYNAMICS_TOLERANCE = mp.mpf("1e-6")
#: golden section pins an arg-max only to ~1e-19 at 40 digits (the optimum is flat)
ARGMAX_TOLERANCE = mp.mpf("1e-12")

M_I, M_OTHERS, C_I, C_MIN, TOTAL = (sp.Symbol(name, positive=True)
                                    for name in ("m_i", "m_{-i}", "c_i", "c_{min}", "T"))
J = sp.Symbol("j", integer=True, positive=True)
GAMMA = sp.Function(r"\gamma_i")
A = sp.Function("a")
U = sp.Function("U_i")
BR = sp.Function(r"\mathrm{BR}_i")


def bound() -> BoundAccuracy:
    """The simplified accuracy Eq. (3) at :data:`PARAMETERS`."""
    return FAMILIES["simplified"].bind(PARAMETERS)


def equilibria() -> tuple[Equilibrium, Equilibrium]:
    """Theorem 3.4's equilibrium at :data:`COSTS` and Remark 3.5's at :data:`PRICED_OUT_COSTS` (verified)."""
    return standard_equilibrium(bound(), COSTS), standard_equilibrium(bound(), PRICED_OUT_COSTS)


def _costs_text(costs: tuple[str, ...]) -> Latex:
    return Latex("$" + ", ".join(number_latex(float(x)) for x in costs) + "$")


def _profile_text(values: Iterable[float]) -> Latex:
    return Latex("$(" + ", ".join(number_latex(float(x)) for x in values) + ")$")


def _check_rows(accuracy: BoundAccuracy, free_riding: Equilibrium) -> list[CheckRow]:
    """Cheapest agent's closed-form m*, u* vs golden section; equilibrium total vs best-response dynamics."""
    forms = lone_agent_forms(accuracy.function)
    cheapest = min(COSTS, key=float)
    rows = []
    with mp.workdps(DPS):
        values = {**accuracy.values, "c": sp.Rational(cheapest)}
        m_star, u_star = maximize_utility(accuracy, mp.mpf(cheapest))
        point = f"{accuracy.label()}, c = {cheapest}"
        for derived, reference, tolerance in ((forms.optimal_data, m_star, ARGMAX_TOLERANCE),
                                              (forms.optimal_utility, u_star, mp.mpf("1e-15"))):
            value, method = derived.resolve(values)
            label = derived.name if method == CLOSED_FORM else f"{derived.name} ({method})"
            rows.append(CheckRow(label, derived.source, point, value, reference, "golden-section max of u(m)",
                                 tolerance))
        dynamics = best_response_equilibrium(StandardMechanism(accuracy), [float(x) for x in COSTS], verify=False)
        rows.append(CheckRow("equilibrium total = m*(min c_i)", "Theorem 3.4, Eq. (11)",
                             f"{accuracy.label()}, costs {', '.join(COSTS)}", mp.mpf(free_riding.total),
                             mp.mpf(float(dynamics.contributions.sum())),
                             "best-response dynamics with global search (double precision)", DYNAMICS_TOLERANCE))
    return rows


def derive() -> Section:
    """The section of Theorem 3.4 and Remark 3.5."""
    accuracy = bound()
    function = accuracy.function
    forms = lone_agent_forms(function)
    free_riding, priced_out = equilibria()
    a_hat = function.expr
    utility = a_hat.subs(m, M_I + M_OTHERS) - C_I * M_I
    m_star = forms.optimal_data.closed_form.subs(c, C_I)
    with mp.workdps(DPS):
        c_max = forms.viability_cost.evaluate(accuracy.values)
    steps = (
        Step("Standard federated learning, Eq. (10): every agent gets the model trained on all the data,",
             sp.Eq(GAMMA(M_I, M_OTHERS), A(M_I + M_OTHERS))),
        Step(Latex(r"Utility of agent $i$ with the accuracy Eq.~(3), the others giving $m_{-i}$ in total:"),
             sp.Eq(U(M_I), utility)),
        Step("First-order condition:", sp.Eq(sp.diff(utility, M_I), 0)),
        Step(Latex(r"It depends on $m_i$ only through the total $T = m_i + m_{-i}$: it is the lone agent's "
                   r"condition $\hat a'(T) = c_i$,"),
             sp.Eq(sp.diff(a_hat, m).subs(m, TOTAL), C_I)),
        Step("so the total the agent wants is its own lone optimum (Theorem 2.3):",
             sp.Eq(TOTAL, m_star)),
        Step("Best response: top the others' data up to that total, or give nothing:",
             sp.Eq(BR(M_OTHERS), sp.Max(0, m_star - M_OTHERS))),
        Step(Latex(r"Every agent with $c_i > c_{min} = \min_j c_j$ wants a smaller total than the cheapest one; "
                   r"at the cheapest agent's total it gives nothing. Equilibrium, Eq.~(11):"),
             sp.Eq(sp.Sum(sp.Indexed(sp.IndexedBase("m"), J), (J, 1, sp.Symbol("n"))),
                   forms.optimal_data.closed_form.subs(c, C_MIN))),
    )
    values = [
        (Latex("Viability threshold $c_{max}$"), c_max),
        (Latex("Theorem 3.4: costs $c_i$"), _costs_text(COSTS)),
        (Latex("Theorem 3.4: contributions $m_i^{eq}$"), _profile_text(free_riding.contributions)),
        (Latex(r"Theorem 3.4: total $\sum_i m_i^{eq} = m^*(\min_i c_i)$"), free_riding.total),
        (Latex("Theorem 3.4: accuracy of every agent"), float(free_riding.accuracies[0])),
        (Latex("Theorem 3.4: utilities $U_i$"), _profile_text(free_riding.utilities)),
        ("Theorem 3.4: unique", "no (two agents tie at the cheapest cost)" if not free_riding.unique else "yes"),
        ("Theorem 3.4: verified (global deviation search)", Latex(
            f"{'yes' if free_riding.verified else 'NO'}, largest gain ${format_gain(free_riding.max_deviation_gain)}$"
            f" ({free_riding.verification.scope})")),
        (Latex("Remark 3.5: costs $c_i \\ge c_{max}$"), _costs_text(PRICED_OUT_COSTS)),
        (Latex("Remark 3.5: contributions $m_i^{eq}$"), _profile_text(priced_out.contributions)),
        ("Remark 3.5: verified (global deviation search)", Latex(
            f"{'yes' if priced_out.verified else 'NO'}, largest gain ${format_gain(priced_out.max_deviation_gain)}$"
            f" ({priced_out.verification.scope})")),
    ]
    return Section(
        key="s31_standard_free_riding",
        title="Standard federated learning: catastrophic free-riding",
        source="Theorem 3.4, Eq. (10)-(11), Remark 3.5",
        statement=Latex(
            r"Under standard federated learning (Eq.~(10)) every agent receives $a(\sum_j m_j)$. "
            r"Theorem~3.4: with $i^\star = \arg\min_i c_i$ the equilibrium is $m_{i^\star} = m_{i^\star}^*$ and "
            r"$m_j = 0$ for $j \ne i^\star$, so the federation collects no more data than its cheapest member "
            r"would alone; with ties at the minimum cost every split of $m_{i^\star}^*$ among the tied agents is "
            r"an equilibrium. Remark~3.5: when every $m_i^* = 0$ ($c_i \ge c_{max}$) nobody contributes."),
        parameters=(
            *accuracy_parameters("simplified, Eq. (3)", function.expr, PARAMETERS),
            (Latex("costs $c_i$ (Theorem 3.4)"), _costs_text(COSTS)),
            (Latex("costs $c_i$ (Remark 3.5)"), _costs_text(PRICED_OUT_COSTS)),
        ),
        steps=steps,
        closed_forms=(
            (Latex(r"Total data at equilibrium (Theorem~3.4), $c_{min} = \min_i c_i$:"),
             sp.Eq(sp.Sum(sp.Indexed(sp.IndexedBase("m"), J), (J, 1, sp.Symbol("n"))),
                   forms.optimal_data.closed_form.subs(c, C_MIN))),
            (Latex(r"Remark~3.5: no data at all when"), sp.GreaterThan(C_MIN, forms.viability_cost.closed_form)),
        ),
        values=tuple(values),
        checks=tuple(_check_rows(accuracy, free_riding)),
        notes=(
            prose_math(free_riding.note + "."),
            prose_math(priced_out.note + "."),
            Latex(r"Equilibria are verified for every distinct agent situation by a global grid search with "
                  r"golden-section refinement over all deviations in $[0, 1/c_i]$ (beyond it the utility is "
                  r"negative)."),
        ),
    )
