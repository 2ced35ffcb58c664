r"""RealFM as published (Bornstein et al. 2023), Model §11 item 5, beside the exact mechanism it approximates.

RealFM's agents value accuracy by :math:`v_i(a) = p_i((1 - a)^{-2} - 1)` and pay :math:`c_i` per data
point.  The published code (``utils/equilibrium.py`` of marcobornstein/RealFM) computes each agent's
contribution in four steps, reproduced here step by step:

1. the lone optimum :math:`m_i^*` by Nelder-Mead (``scipy.optimize.fmin``, default tolerances) on
   :math:`-(v_i(a_i(m)) - c_i m)` from :math:`m = 10^4`, truncated to an integer (0 when the utility
   found is :math:`\le 0`);
2. the federated accuracy once, at the sum of the lone optima: :math:`a_{fed} = a_i(\sum_j m_j^*)`
   (one shot, no fixed point);
3. the reward accuracy above :math:`\bar a_i = a_i(m_i^*)` by a second-order Taylor step of
   :math:`\varphi = v_i` around :math:`\bar a_i`: :math:`\gamma` solves
   :math:`\varphi'(\bar a_i)\gamma + \tfrac12\varphi''(\bar a_i)\gamma^2 = (c_i + \varepsilon)(m - m_i^*)`;
4. the contribution: the root of :math:`a_{fed} = \bar a_i + \gamma(m)` by ``scipy.optimize.root``
   (``hybr``) from :math:`m_i^*`, truncated to an integer.

:class:`PublishedRealFM` is that reward rule as a mechanism (own model up to :math:`m_i^*`, then
:math:`\min\{\bar a_i + \gamma(m), a_{fed}\}`), on which :func:`realfm_published` verifies the profile
by the global deviation search.  :func:`realfm_gap` compares it with accuracy shaping in value space
(Eq. (13) generalized, Model §8), the exact mechanism it approximates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import scipy.optimize
import sympy as sp

from fedsym.core.checkrow import CheckRow
from fedsym.core.errors import ConvergenceError, ParameterError
from fedsym.core.expression import lambdify_numpy
from fedsym.core.solve import DPS
from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import ACCURACY, Agent, Population
from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.agents_that_differ.mechanism import CohortMechanism
from fedsym.paper.deviation import search_deviations
from fedsym.paper.equilibrium import solve
from fedsym.paper.mechanisms import parse_eps
from fedsym.paper.outcome import Equilibrium

__all__ = ["published_lone_optimum", "PublishedRealFM", "realfm_published", "RealFMGap", "realfm_gap",
           "NELDER_MEAD_START", "checks"]

#: where the published code starts Nelder-Mead for the lone optimum
NELDER_MEAD_START = 1e4


def published_lone_optimum(agent: Agent) -> tuple[int, float]:
    r"""Step 1: :math:`m_i^*` by Nelder-Mead from :data:`NELDER_MEAD_START`, truncated; 0 when utility :math:`\le 0`.

    Returns the integer :math:`m_i^*` and the utility the published code reports (at the untruncated
    point Nelder-Mead found).
    """
    rate = _linear_rate(agent)

    def loss(x: np.ndarray) -> float:  # undefined (NaN in the published code) for m < 0: never accepted
        return -float(agent.w_np(x)[0] - rate * x[0]) if x[0] >= 0 else np.inf

    point = float(scipy.optimize.fmin(loss, np.array([NELDER_MEAD_START]), disp=False)[0])
    utility = -loss(np.array([point]))
    return (0, 0.0) if utility <= 0 else (int(point), utility)


def _linear_rate(agent: Agent) -> float:
    rate = agent.linear_rate
    if rate is None or agent.joining_cost != 0:
        raise ParameterError(f"RealFM as published needs a linear cost c*m and no joining cost; agent "
                             f"{agent.label()!r} has C(m) = {agent.cost}, J = {agent.joining_cost}")
    return rate


def _taylor_step(slope: Any, curvature: Any, price: Any, extra: Any) -> np.ndarray:
    r""":math:`\gamma \ge 0` with :math:`\varphi'\gamma + \frac12\varphi''\gamma^2 = s\,\Delta m` (*price* :math:`s`,
    *extra* :math:`\Delta m`), written :math:`2s\Delta m/(\varphi' + \sqrt{\varphi'^2 + 2\varphi'' s\Delta m})`
    (no cancellation; :math:`\varphi'' = 0` gives the linear step of Eq. (13))."""
    rise = np.asarray(price) * np.asarray(extra)
    with np.errstate(invalid="ignore"):
        return 2 * rise / (slope + np.sqrt(slope * slope + 2 * curvature * rise))


@dataclass(frozen=True, eq=False)
class PublishedRealFM(CohortMechanism):
    r"""The published reward rule: :math:`a_i(m)` for :math:`m \le m_i^*`, then
    :math:`\min\{\bar a_i + \gamma_i(m), a_{fed,i}\}` with the Taylor step :math:`\gamma_i` (steps 2-3 above).

    The cap :math:`a_{fed,i}` is the one-shot federated accuracy, fixed whatever the others give.
    """

    anchors: np.ndarray
    federated: np.ndarray
    slope: np.ndarray
    curvature: np.ndarray
    price: np.ndarray
    name: str = "realfm"

    def gamma_total(self, i: Any, m_i: np.ndarray, others: Any) -> np.ndarray:
        rows, x, _ = np.broadcast_arrays(np.asarray(i), np.asarray(m_i, dtype=float), np.asarray(others, dtype=float))
        shape = rows.shape
        rows, x = rows.ravel(), x.ravel()
        anchor = self.anchors[rows]
        own = self.cohort.accuracy(x, rows)
        step = _taylor_step(self.slope[rows], self.curvature[rows], self.price[rows], np.maximum(x - anchor, 0.0))
        shaped = np.minimum(self.cohort.accuracy(anchor, rows) + step, self.federated[rows])
        return np.where(x <= anchor, own, shaped).reshape(shape)

    def root(self, i: int) -> float:
        r"""Step 4 before truncation: the root of :math:`a_{fed} - \bar a_i - \gamma(m)` by ``hybr`` from :math:`m_i^*`."""
        anchor = float(self.anchors[i])
        target = float(self.federated[i] - self.cohort.accuracy(np.array([anchor]), np.array([i]))[0])
        if target <= 0:
            return anchor
        args = (float(self.slope[i]), float(self.curvature[i]), float(self.price[i]))
        solution = scipy.optimize.root(lambda m: target - _taylor_step(*args, m - anchor), np.array([anchor]),
                                       method="hybr")
        if not solution.success:
            raise ConvergenceError(f"RealFM step 4: hybr found no root of a_fed = a_bar + gamma(m) for agent {i + 1} "
                                   f"(m_i* = {anchor:g}, a_fed - a_bar = {target:.3g}): {solution.message}")
        return float(solution.x[0])


def _published_rule(population: Population, eps: float) -> PublishedRealFM:
    """Steps 1-3 for every agent of *population*: the reward rule with its anchors and the one-shot cap."""
    templates = population.agents
    lone = np.array([published_lone_optimum(agent)[0] for agent in templates], dtype=float)[population.index]
    rates = np.array([_linear_rate(agent) for agent in templates])[population.index]
    cohort = Cohort.of(population)
    anchor_accuracy = cohort.accuracy(lone)
    federated = cohort.accuracy(np.full(cohort.size, float(lone.sum())))
    derivatives = []
    for agent in templates:
        first, second = (lambdify_numpy(ACCURACY, sp.diff(agent.value, ACCURACY, order)) for order in (1, 2))
        derivatives.append((first, second))
    slope, curvature = np.empty(cohort.size), np.empty(cohort.size)
    for j, (first, second) in enumerate(derivatives):
        rows = population.index == j
        slope[rows] = np.asarray(first(anchor_accuracy[rows]), dtype=float) * np.ones(int(rows.sum()))
        curvature[rows] = np.asarray(second(anchor_accuracy[rows]), dtype=float) * np.ones(int(rows.sum()))
    if np.any(~np.isfinite(slope) | (slope <= 0) | ~np.isfinite(curvature)):
        raise ParameterError("RealFM's Taylor step needs v' > 0 and finite v'' at each agent's a(m_i*)")
    return PublishedRealFM(cohort, lone, federated, slope, curvature, rates + eps)


def realfm_published(population: Population, eps: float = 0.0) -> Equilibrium:
    r"""RealFM's published mechanism (Model §11 item 5) on *population*, verified under its own reward rule.

    Each agent's contribution is the integer part of the root of step 4 (module docstring); its accuracy
    and utility are those the rule :class:`PublishedRealFM` gives it there.  The verification is the
    global deviation search under that rule (each agent's reward does not depend on the others, because
    the cap :math:`a_{fed}` is computed once), leaving included (utility :math:`u_i^*`, the exact lone
    optimum of Model §8).  Truncating the root to an integer leaves a gain on the table whenever the
    reward grows faster than the cost along the Taylor curve (:math:`\varepsilon > 0`, or the third and
    higher derivatives of :math:`v_i`), so the profile is often *not* verified: the result says so.

    Requires linear costs and no joining costs (as the published code).  *eps* is the slope margin of
    step 3 (the published code adds ``1e-9`` inside its Taylor step; pass ``eps=1e-9`` to match it).
    """
    eps = parse_eps(eps)
    rule = _published_rule(population, eps)
    cohort, lone = rule.cohort, rule.cohort.lone
    roots = np.array([rule.root(i) for i in range(cohort.size)])
    profile = np.floor(roots)
    accuracies = rule.accuracies(profile)
    rates = rule.price - eps
    utilities = cohort.value(accuracies) - rates * profile
    keys = np.column_stack([cohort.curve, cohort.p, rates, profile, rule.anchors])

    def utility_of(i: int) -> Any:
        row = np.array([i])
        return lambda x: cohort.value(rule.gamma_total(i, x, 0.0), np.full(np.shape(x), i)) - rates[row] * x

    upper = 1.01 * np.maximum(cohort.w_max / rates, 2 * np.maximum(roots, lone.data)) + 1e-9
    verification = search_deviations(utility_of, profile, utilities, lone.utility, upper, keys,
                                     special=lambda i: (float(rule.anchors[i]), float(roots[i])))
    residual = float(np.max(np.abs(rule.federated - rule.accuracies(roots)))) if cohort.size else 0.0
    note = (f"one-shot federated accuracy at sum m_i* = {rule.anchors.sum():.0f} (Nelder-Mead lone optima, "
            f"truncated); contributions are the truncated roots of a_fed = a_bar + gamma(m)")
    return Equilibrium("realfm", "; ".join(dict.fromkeys(c.accuracy.label() for c in cohort.curves)),
                       "RealFM as published (Bornstein et al. 2023; Model §11 item 5)", rates, profile, accuracies,
                       utilities, float(profile.sum()), True, False, residual, verification, eps, note,
                       np.ones(cohort.size, dtype=bool), lone.data, lone.utility, "", None,
                       "exact lone optima of Model §8 (the reward rule is anchored at the published ones)")


@dataclass(frozen=True)
class RealFMGap:
    """RealFM as published beside the exact value-space shaping it approximates (same population and eps)."""

    published: Equilibrium
    exact: Equilibrium

    @property
    def more_data(self) -> float:
        """How much more data the exact mechanism collects, as a fraction of the published total."""
        return self.exact.total / self.published.total - 1 if self.published.total > 0 else float("inf")


def realfm_gap(population: Population, eps: float = 0.0) -> RealFMGap:
    r""":func:`realfm_published` and ``solve("shaping", population, eps)`` (Eq. (13) in value space, Model §8)."""
    return RealFMGap(realfm_published(population, eps), solve("shaping", population, eps))


#: the points of :func:`checks`: (accuracy, parameters, value of accuracy, costs)
CHECK_POINTS = (("simplified", {"a_opt": "0.95", "k": "1"}, "a", (0.0015, 0.002)),
                ("generalization-bound", {"a_opt": "0.95", "k": "1", "b": "4"}, "(1 - a)**(-2) - 1",
                 (0.001, 0.0012, 0.0009)))


def checks() -> list[CheckRow]:
    r"""Step 4's ``hybr`` root against its closed form, at 40 digits.

    :math:`\bar a_i + \gamma(m) = a_{fed}` with the Taylor step of step 3 is
    :math:`m = m_i^* + (\varphi'\Delta + \tfrac12\varphi''\Delta^2)/(c_i + \varepsilon)`,
    :math:`\Delta = a_{fed} - \bar a_i` (:math:`\varphi'' = 0` for the paper's :math:`v(a) = a`: Eq. (13)'s line).
    """
    rows = []
    for spec, params, value, costs in CHECK_POINTS:
        accuracy = accuracy_function(spec).bind(params)
        agents = tuple(Agent.of(accuracy, c, 0, value) for c in costs)
        rule = _published_rule(Population(agents), 0.0)
        for i, (agent, c) in enumerate(zip(agents, costs)):
            with mp.workdps(DPS):
                anchor = mp.mpf(float(rule.anchors[i]))
                a_bar = accuracy.a(anchor)
                delta = accuracy.a(mp.mpf(float(rule.anchors.sum()))) - a_bar
                slope, curvature = (mp.mpf(sp.diff(agent.value, ACCURACY, k).subs(ACCURACY, a_bar).evalf(DPS))
                                    for k in (1, 2))
                closed = anchor + (slope * delta + curvature * delta**2 / 2) / mp.mpf(c)
            rows.append(CheckRow("realfm_root", "Model §11 item 5",
                                 f"{spec}, v(a) = {value}, costs {costs}, agent {i + 1}", closed,
                                 mp.mpf(rule.root(i)), "scipy.optimize.root (hybr) from m_i*", ROOT_TOLERANCE,
                                 quantity_tex=r"m_i^{root}"))
    return rows


#: relative agreement of hybr's root (its default xtol 1.49e-8 bounds the relative step) with the closed form
ROOT_TOLERANCE = mp.mpf("1e-8")
