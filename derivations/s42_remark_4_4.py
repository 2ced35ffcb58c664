"""Remark 4.4: accuracy shaping when every agent is priced out alone (equal costs c >= c_max).

With :math:`m^* = 0` Theorem 4.2's crossing becomes :math:`a(M) = cM/n`; with
Eq. (3) it is a cubic in :math:`\\sqrt M` whose Viète root comes from
:func:`fedsym.example_4_5.example_forms`.  A positive root exists iff
:math:`n > c/c_{max}`.  The table lists :math:`M` for a few ``n`` from the
closed form and from the Theorem 4.2 solver (globally verified).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import example_4_5_checks as checks
from fedsym import example_forms, lone_agent_forms, shaping_equilibrium
from fedsym.core import DPS, Latex, M, a_opt, c, format_gain, k, m, n
from fedsym.model import FAMILIES
from fedsym.report import Section, Step, accuracy_parameters, number_latex

#: the paper's running example, Eq. (3) (c_max ~ 0.0318)
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: a common cost above c_max
COST = "0.05"
#: numbers of agents in the table
TABLE_N = (1, 2, 3, 5, 10, 100)

S = sp.Symbol("s", positive=True)


def derive() -> Section:
    """The section of Remark 4.4."""
    accuracy = FAMILIES["simplified"].bind(PARAMETERS)
    function = accuracy.function
    forms = lone_agent_forms(function)
    examples = example_forms()
    total, threshold = examples.priced_out_total, examples.existence_threshold
    equation = sp.Eq(function.expr.subs(m, M), c * M / n)
    cubic = sp.expand((c * M / n - function.expr.subs(m, M)).subs(M, S**2) * S)
    values = {**accuracy.values, "c": sp.Rational(COST)}
    with mp.workdps(DPS):
        c_max = forms.viability_cost.evaluate(accuracy.values)
        n_min = threshold.evaluate(values)
    rows = [(Latex("Viability threshold $c_{max}$"), c_max),
            (Latex(f"Existence threshold $c/c_{{max}}$ at $c = {COST}$"), n_min),
            (Latex(r"Bound threshold $32ck/a_{opt}^3$ of Example~4.5"),
             float((32 * c * k / a_opt**3).subs({a_opt: values["a_opt"], k: values["k"], c: values["c"]})))]
    verified, gain = True, 0.0
    for count in TABLE_N:
        eq = shaping_equilibrium(accuracy, np.full(count, float(COST)))
        verified, gain = verified and eq.verified, max(gain, eq.max_deviation_gain)
        if count > n_min:
            with mp.workdps(DPS):
                closed = number_latex(total.evaluate({**values, "n": count}))
            text = (f"${closed}$, solver ${number_latex(eq.total)}$, "
                    f"$n a_{{opt}}/(2c) = {number_latex(count * float(PARAMETERS['a_opt']) / (2 * float(COST)))}$")
        else:
            text = f"no positive root; solver $M = {number_latex(eq.total)}$"
        rows.append((Latex(f"$n = {count}$: $M$"), Latex(text)))
    rows.append(("Verified (global deviation search)", Latex(
        f"{'all' if verified else 'NOT all'} {len(TABLE_N)}, largest gain ${format_gain(gain)}$")))
    steps = (
        Step(Latex(r"Every agent has $m^* = 0$, so each contributes $\bar m = a(M)/c$ and $M = n\bar m$:"), equation),
        Step(Latex(r"With $s = \sqrt{M}$, multiplied by $s$: a cubic"), sp.Eq(cubic, 0)),
        Step(Latex(r"A positive root exists iff the ray $cM/n$ is less steep than the steepest ray "
                   r"$c_{max}M$ touching $a$:"),
             sp.StrictGreaterThan(n, threshold.closed_form)),
        Step(Latex(r"Its larger positive root (Viète form, branch validated against a bracketed root):"),
             sp.Eq(M, total.closed_form)),
    )
    return Section(
        key="s42_remark_4_4",
        title="Remark 4.4: agents priced out alone",
        source="Remark 4.4, Example 4.5",
        statement=Latex(
            r"When every agent's cost is at least $c_{max}$, alone nobody collects data ($m^* = 0$). Under "
            r"accuracy shaping with equal costs the total $M$ solves $a(M) = cM/n$; a positive root exists iff "
            r"$c/n < c_{max}$, and $M = 0$ remains an equilibrium too. With Eq.~(3), $M \ge n a_{opt}/(2c)$ once "
            r"$n \ge 32ck/a_{opt}^3$; $M$ grows with $n$ and falls with $c$."),
        parameters=(
            *accuracy_parameters("simplified, Eq. (3)", function.expr, PARAMETERS),
            (Latex("common cost $c$"), float(COST)),
        ),
        steps=steps,
        closed_forms=(
            (Latex(r"Total data (Remark~4.4, Eq.~(3)):"), Latex(total.latex())),
            (Latex(r"Fewest agents for a positive equilibrium:"), Latex(threshold.latex())),
        ),
        values=tuple(rows),
        checks=tuple(row for row in checks() if row.source.startswith("Remark 4.4")),
        notes=(Latex(rf"The bound threshold is $32/27 \approx {number_latex(32 / 27)}$ times the existence "
                     r"threshold: a little beyond the fewest agents that make data worth collecting, the total "
                     r"passes $n a_{opt}/(2c)$."),),
    )
