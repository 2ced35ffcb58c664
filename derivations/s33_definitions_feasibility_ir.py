"""Definitions 3.1 and 3.2: feasibility and individual rationality of Eq. (10), (13) and (14).

A mechanism is feasible (Def. 3.1) when no agent gets a model better than the
one all the data can train, :math:`\\gamma_i(m) \\le a(\\sum_j m_j)`, and
individually rational (Def. 3.2, Eq. (8)) when no agent gets a model worse than
the one its own data trains, :math:`\\gamma_i(m_i; m_{-i}) \\ge a(m_i)`.  The
section runs :func:`fedsym.paper.mechanisms.check_feasibility` and
:func:`~fedsym.paper.mechanisms.check_individual_rationality` (random profiles,
each agent's own data on a grid plus the mechanism's kinks) on standard
federated learning Eq. (10), accuracy shaping Eq. (13) and the screening curve
Eq. (14), and draws one agent's curve under each between the two bounds.
"""

from __future__ import annotations

import numpy as np

from fedsym import (
    KScreeningMechanism,
    KTypes,
    Mechanism,
    PropertyReport,
    StandardMechanism,
    accuracy_shaping,
    check_feasibility,
    check_individual_rationality,
)
from fedsym.core import Latex
from fedsym.model import FAMILIES, BoundAccuracy
from fedsym.report import Figure, Section, Series, Step, accuracy_parameters, number_latex

#: the paper's running example, Eq. (3)
PARAMETERS = {"a_opt": "0.95", "k": "1"}
#: costs of the four agents under Eq. (13), and its slope margin
COSTS = ("0.001", "0.002", "0.005", "0.05")
EPS = "0.01"
#: the two cost types of Eq. (14) (Example B.4's costs c and 2c, p = 1/2)
TYPES = ("0.001", "0.002", "0.5")
#: random profiles per check (each agent's own data on a 400-point grid plus the kinks)
SAMPLES = 50
#: the figure: agent 1 (cost 0.002 under Eq. (13)) facing the other three agents' data
PROFILE = (0.0, 150.0, 100.0, 50.0)
AGENT = 1
#: own-data axis of the figure
OWN = np.linspace(0.0, 600.0, 241)


def bound() -> BoundAccuracy:
    """The simplified accuracy Eq. (3) at :data:`PARAMETERS`."""
    return FAMILIES["simplified"].bind(PARAMETERS)


def mechanisms(accuracy: BoundAccuracy) -> dict[str, Mechanism]:
    """Eq. (10), (13) and (14) on the same accuracy, by the paper's equation number."""
    return {
        "10": StandardMechanism(accuracy),
        "13": accuracy_shaping(accuracy, list(COSTS), EPS),
        "14": KScreeningMechanism(accuracy, KTypes.two(*TYPES)),
    }


def _verdict(report: PropertyReport) -> Latex:
    """``holds`` or ``fails``, with the worst violation found and where."""
    if report.holds:
        return Latex(f"holds (worst violation ${number_latex(report.worst_violation)}$)")
    return Latex(rf"\textbf{{fails}}: by ${number_latex(report.worst_violation)}$ for agent {report.agent + 1} at "
                 rf"$m_i = {number_latex(report.m_i)}$, $m_{{-i}} = {number_latex(report.others)}$")


def figure(accuracy: BoundAccuracy, mechs: dict[str, Mechanism]) -> Figure:
    """One agent's accuracy under each mechanism, between the IR floor a(m_i) and the feasibility cap."""
    profile = np.array(PROFILE)
    others = float(profile.sum() - profile[AGENT])
    curves = [
        Series(Latex(r"Eq.~(14), screening"), OWN, mechs["14"].gamma(AGENT, OWN, profile),
               style="black!60!green, line width=2.5pt, opacity=0.5"),
        Series(Latex(r"Eq.~(13), $c_i = 0.002$"), OWN, mechs["13"].gamma(AGENT, OWN, profile),
               style="orange, very thick"),
        Series(Latex(r"cap $a(m_i + m_{-i})$ = Eq.~(10)"), OWN, accuracy.a_np(OWN + others), style="black, dashed"),
        Series(Latex(r"floor $a(m_i)$"), OWN, accuracy.a_np(OWN), style="blue"),
    ]
    return Figure(
        "Feasibility and individual rationality of one agent's model", Latex("own data $m_i$"),
        "accuracy", tuple(curves), xlimits=(0.0, float(OWN[-1])), ylimits=(0.0, 1.0),
        caption=Latex(
            rf"Eq.~(3) with $a_{{opt}} = {PARAMETERS['a_opt']}$, $k = {PARAMETERS['k']}$; agent $i$ faces "
            rf"$m_{{-i}} = {number_latex(others)}$. Every mechanism's curve stays between the floor of Def.~3.2 "
            r"(what the agent's own data trains) and the cap of Def.~3.1 (what all the data trains); standard "
            r"federated learning is the cap itself."),
    )


def derive() -> Section:
    """The section of Definitions 3.1 and 3.2."""
    accuracy = bound()
    mechs = mechanisms(accuracy)
    values = []
    for number, mechanism in mechs.items():
        feasible = check_feasibility(mechanism, samples=SAMPLES)
        rational = check_individual_rationality(mechanism, samples=SAMPLES)
        values.append((Latex(f"Eq.~({number}), {mechanism.name}: feasibility (Def.~3.1)"), _verdict(feasible)))
        values.append((Latex(f"Eq.~({number}), {mechanism.name}: IR (Def.~3.2)"), _verdict(rational)))
    return Section(
        key="s33_definitions_feasibility_ir",
        title="Feasibility and individual rationality of the three mechanisms",
        source="Definitions 3.1 and 3.2, Eq. (8), (10), (13), (14)",
        statement=Latex(
            r"A mechanism gives agent $i$ a model of accuracy $\gamma_i(m_i; m_{-i})$. It is \emph{feasible} "
            r"(Definition~3.1) if no agent gets a model better than all the data can train, and "
            r"\emph{individually rational} (Definition~3.2) if no agent gets a model worse than its own data "
            r"trains: joining never hurts. Standard federated learning, Eq.~(10), meets both with equality on the "
            r"cap; accuracy shaping, Eq.~(13), and the screening curve, Eq.~(14), bend the model between the two "
            r"bounds to make data pay. fedsym checks both definitions numerically, on "
            rf"{SAMPLES} random profiles of contributions per mechanism, each agent's own data on a grid that "
            r"includes the mechanism's kinks."),
        parameters=(
            *accuracy_parameters("simplified, Eq. (3)", accuracy.function.expr, PARAMETERS),
            (Latex(r"Eq.~(13): costs $c_i$, margin $\varepsilon$"),
             Latex(f"${', '.join(COSTS)}$; ${EPS}$")),
            (Latex(r"Eq.~(14): $c_L$, $c_H$, $p$"), Latex(f"${', '.join(TYPES)}$")),
        ),
        steps=(
            Step(Latex(r"Feasibility (Definition~3.1), for every agent $i$ and profile $m$:"),
                 Latex(r"\gamma_i(m_i; m_{-i}) \le a\Big(\sum_j m_j\Big)")),
        ),
        closed_forms=(
            (Latex(r"Individual rationality (Definition~3.2), for all $m_i$ and $m_{-i}$:"),
             Latex(r"\gamma_i(m_i; m_{-i}) \ge a(m_i)"), "8"),
            (Latex(r"Standard federated learning sits on the cap:"),
             Latex(r"\gamma_i(m) = a\Big(\sum_j m_j\Big)"), "10"),
            (Latex(r"Accuracy shaping is the own model up to $m_i^*$, then a line capped by the full model:"),
             Latex(r"\gamma_i(m_i; m_{-i}) = \begin{cases} a(m_i) & m_i \le m_i^* \\ "
                   r"\min\{a(m_i^*) + (c_i + \varepsilon)(m_i - m_i^*),\ a(m_i + m_{-i})\} & m_i > m_i^* "
                   r"\end{cases}"), "13"),
        ),
        values=tuple(values),
        figures=(figure(accuracy, mechs),),
        notes=(Latex(r"The line of Eq.~(13) starts on the floor at $m_i^*$ and rises faster than $a$ (concave, "
                     r"slope $\le c_i$ past $m_i^*$), so it never falls below the floor; the $\min$ with the cap "
                     r"keeps it feasible. Eq.~(14) is a $\max$ with $a(m)$ and a $\min$ with the cap, so both "
                     r"definitions hold by construction; the sampled worst violations confirm it numerically."),),
    )
