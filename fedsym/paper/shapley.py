r"""ρ-Shapley model rewards (Sim, Zhang, Chan, Low 2020), Model §11 item 6.

Agents share one accuracy :math:`a` and one value of accuracy :math:`v`; a
coalition :math:`S` is worth :math:`V(S) = v(a(\sum_{j\in S} m_j))`, :math:`V(\emptyset) = 0`.
With :math:`\phi_i` the Shapley value of agent ``i``, the server gives agent ``i``
a model of value

.. math:: r_i = \Big(\frac{\phi_i}{\max_j \phi_j}\Big)^{\rho} V(N), \qquad \rho \in [0, 1],

i.e. the accuracy :math:`v^{-1}(r_i)`; :math:`\rho = 0` is standard federated learning
(Eq. (10)).  Agents choose :math:`m_i` knowing the rule (:class:`RhoShapley`);
:func:`rho_shapley` finds a Nash equilibrium and verifies it by the global deviation search.

Exact Shapley values (:func:`group_shapley`): :math:`V(S)` depends on :math:`S` only
through how many members of each group of equal contributions it holds, so the
:math:`2^{n-1}` coalitions of the others collapse into :math:`\prod_g (n_g + 1)` classes
:math:`k = (k_1, \dots, k_G)`, each weighted by
:math:`\prod_g \binom{n_g}{k_g}\,|S|!\,(n - |S| - 1)!/n!` (logarithms of the
binomials and factorials: stable at :math:`n = 6000`).  Where the classes exceed
:data:`EXACT_CLASS_LIMIT`, :func:`shapley_values` samples random permutations and
states a 95 % confidence interval.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from math import factorial
from typing import Any

import mpmath as mp
import numpy as np
from scipy.special import gammaln

from fedsym.core.checkrow import CheckRow
from fedsym.core.errors import ComputationError, ParameterError
from fedsym.core.frozen import frozen_array
from fedsym.model.accuracy import BoundAccuracy, accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.deviation import best_deviation, deviation_tolerance, search_deviations
from fedsym.paper.mechanisms import Mechanism
from fedsym.paper.outcome import Equilibrium, Verification

__all__ = ["ShapleyValues", "group_shapley", "shapley_values", "shapley_by_enumeration", "RhoShapley", "parse_rho",
           "rho_shapley", "EXACT_CLASS_LIMIT", "CONFIDENCE_Z", "checks"]

#: most coalition classes (summed over the groups) counted exactly; beyond, permutation sampling
#: (2e7 classes take about two seconds; n = 6000 in two groups of 3000 is 1.8e7)
EXACT_CLASS_LIMIT = 20_000_000
#: the normal quantile of the stated confidence interval of sampled Shapley values (95 %)
CONFIDENCE_Z = 1.959963984540054
#: coalition classes times evaluation points handled in one numpy pass (memory bound)
_CHUNK = 1 << 20


def _class_count(sizes: np.ndarray) -> int:
    """Coalition classes summed over the groups: :math:`\\sum_h \\prod_g (r_g + 1)`, :math:`r_g = n_g - [g = h]`."""
    total = 0
    for h in range(sizes.size):
        reduced = sizes - (np.arange(sizes.size) == h)
        total += int(np.prod((reduced + 1).astype(object)))
    return total


@functools.lru_cache(maxsize=256)
def _log_binomials(r: int) -> np.ndarray:
    r""":math:`\log\binom{r}{k}` for :math:`k = 0, \dots, r` (read-only, cached: groups repeat across calls)."""
    k = np.arange(r + 1)
    return frozen_array(gammaln(r + 1) - gammaln(k + 1) - gammaln(r - k + 1))


def group_shapley(sizes: Any, contributions: Any, worth: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    r"""Exact Shapley value of one member of each group of equal contributions.

    Parameters
    ----------
    sizes:
        :math:`n_g \ge 1`, members of group ``g``.
    contributions:
        :math:`\mu_g`, the contribution of each member of group ``g``; shape ``(G,)`` or ``(G, X)``
        for ``X`` profiles at once (e.g. one agent's candidate contributions).
    worth:
        :math:`M \mapsto v(a(M))`, vectorized, 0 at 0.

    Returns
    -------
    numpy.ndarray
        :math:`\phi_g` of shape ``(G,)`` or ``(G, X)``: :math:`\phi_h = \sum_k \prod_g \binom{r_g}{k_g}
        \frac{s!(n-s-1)!}{n!} [V(\sum_g k_g\mu_g + \mu_h) - V(\sum_g k_g \mu_g)]`, :math:`r_g = n_g - [g = h]`,
        :math:`s = \sum_g k_g`.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    mu = np.asarray(contributions, dtype=float)
    single = mu.ndim == 1
    mu = mu[:, None] if single else mu
    if sizes.ndim != 1 or sizes.size != mu.shape[0] or np.any(sizes < 1):
        raise ParameterError("group_shapley needs one size >= 1 per group of contributions")
    n = int(sizes.sum())
    # log(s! (n-s-1)! / n!) for s = 0..n-1, and log binomials per group: tables, indexed below
    s_all = np.arange(n)
    log_order = gammaln(s_all + 1) + gammaln(n - s_all) - gammaln(n + 1)
    phi = np.zeros(mu.shape)
    for h in range(sizes.size):
        reduced = sizes - (np.arange(sizes.size) == h)
        log_binom = [_log_binomials(int(r)) for r in reduced]
        # the classes as a grid: the group with most classes is one numpy axis, the others are enumerated
        inner = int(np.argmax(reduced))
        outer = [g for g in range(sizes.size) if g != inner]
        inner_k = np.arange(reduced[inner] + 1)
        inner_total = inner_k[:, None] * mu[inner][None, :]
        count = int(np.prod([reduced[g] + 1 for g in outer], dtype=object))
        step = max(1, _CHUNK // (inner_k.size * mu.shape[1]))
        for start in range(0, count, step):
            rest = np.arange(start, min(start + step, count), dtype=np.int64)
            log_weight, members = np.zeros(rest.size), np.zeros(rest.size, dtype=np.int64)
            totals = np.zeros((rest.size, mu.shape[1]))
            for g in outer:
                k, rest = rest % (reduced[g] + 1), rest // (reduced[g] + 1)
                log_weight += log_binom[g][k]
                members += k
                totals += k[:, None] * mu[g][None, :]
            weight = np.exp(log_weight[:, None] + log_binom[inner][None, :]
                            + log_order[members[:, None] + inner_k[None, :]])
            grid = totals[:, None, :] + inner_total[None, :, :]
            gain = worth(grid + mu[h]) - worth(grid)
            phi[h] += np.einsum("ok,okx->x", weight, gain)
    return phi[:, 0] if single else phi


def shapley_by_enumeration(contributions: Any, worth: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    r"""Shapley values by the definition, summing over all :math:`2^{n-1}` coalitions of the others (small ``n``).

    :math:`\phi_i = \sum_{S \subseteq N\setminus i} \frac{|S|!(n-|S|-1)!}{n!}[V(S\cup i) - V(S)]`, exact
    factorials; the independent reference of :func:`group_shapley` (tests, :func:`checks`).
    """
    m = np.asarray(contributions, dtype=float)
    n = m.size
    if n > 20:
        raise ParameterError(f"enumeration of coalitions is for n <= 20 agents, got {n}")
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for coalition in combinations(others, size):
                base = float(sum(m[j] for j in coalition))
                phi[i] += weight * float(worth(np.array([base + m[i]]))[0] - worth(np.array([base]))[0])
    return phi


@dataclass(frozen=True)
class ShapleyValues:
    """Shapley values of every agent, how they were found, and their 95 % confidence half-widths (0 if exact)."""

    values: np.ndarray
    half_width: np.ndarray
    method: str
    classes: int
    samples: int = 0

    def __post_init__(self) -> None:
        for name in ("values", "half_width"):
            object.__setattr__(self, name, frozen_array(getattr(self, name)))

    @property
    def exact(self) -> bool:
        return self.samples == 0


def shapley_values(contributions: Any, worth: Callable[[np.ndarray], np.ndarray], *,
                   max_classes: int = EXACT_CLASS_LIMIT, samples: int = 2000, seed: int = 0) -> ShapleyValues:
    r"""Shapley values of all agents: exact by coalition classes, or by permutation sampling beyond *max_classes*.

    Sampling draws *samples* random orders (fixed *seed*); an agent's marginal contribution in an order is
    :math:`V(\text{predecessors} \cup i) - V(\text{predecessors})`.  Members of one group of equal
    contributions have equal Shapley values (symmetry), so the estimate of a group is the mean over its
    members and the orders; the half-width is :data:`CONFIDENCE_Z` times the standard error over the orders.
    """
    m = np.asarray(contributions, dtype=float)
    if m.ndim != 1 or m.size == 0 or np.any(~np.isfinite(m) | (m < 0)):
        raise ParameterError("contributions must be a non-empty list of finite numbers >= 0")
    levels, group, sizes = np.unique(m, return_inverse=True, return_counts=True)
    classes = _class_count(sizes)
    if classes <= max_classes:
        phi = group_shapley(sizes, levels, worth)
        return ShapleyValues(phi[group], np.zeros(m.size), "exact (coalition classes per group of equal "
                             "contributions)", classes)
    if samples < 2:
        raise ParameterError(f"samples={samples}: permutation sampling needs at least 2 orders")
    rng = np.random.default_rng(seed)
    per_order = np.zeros((samples, levels.size))
    for t in range(samples):
        order = rng.permutation(m.size)
        after = np.cumsum(m[order])
        gain = worth(after) - worth(after - m[order])
        per_order[t] = np.bincount(group[order], weights=gain, minlength=levels.size) / sizes
    mean = per_order.mean(axis=0)
    half = CONFIDENCE_Z * per_order.std(axis=0, ddof=1) / np.sqrt(samples)
    return ShapleyValues(mean[group], half[group], f"permutation sampling ({samples} orders, 95 % interval)",
                         classes, samples)


def _common_curve(population: Population) -> Agent:
    """The agent carrying the common accuracy and value, else :class:`ParameterError`."""
    first = population.agents[0]
    for number, agent in enumerate(population.agents, start=1):
        if agent.accuracy != first.accuracy or agent.value != first.value:
            raise ParameterError(f"rho-Shapley needs one accuracy and one value of accuracy for all agents "
                                 f"(agent entry {number} differs: {agent.label()})")
        if agent.joining_cost != 0:
            raise ParameterError(f"rho-Shapley: agent entry {number} has a joining cost; "
                                 "the mechanism is defined without joining costs")
    return first


def parse_rho(rho: Any) -> float:
    r""":math:`\rho` as a float in :math:`[0, 1]`; :class:`ParameterError` naming the bad value."""
    try:
        value = float(rho)
    except (TypeError, ValueError):
        raise ParameterError(f"rho {str(rho)[:40]!r} is not a number") from None
    if not 0 <= value <= 1:
        raise ParameterError(f"rho {str(rho)[:40]} must be in [0, 1]")
    return value


@dataclass(frozen=True, eq=False)
class RhoShapley(Mechanism):
    r"""ρ-Shapley model rewards (Model §11 item 6): agent ``i`` gets the accuracy :math:`v^{-1}(r_i)`,
    :math:`r_i = (\phi_i/\max_j \phi_j)^\rho\, V(N)`; :math:`\rho = 0` is Eq. (10).

    ``template`` carries the common accuracy :math:`a` and value :math:`v` (its cost is not used).
    Shapley values are exact (:func:`group_shapley`); :meth:`rewards` raises
    :class:`~fedsym.core.errors.ComputationError` for a profile with more coalition classes than
    :data:`EXACT_CLASS_LIMIT` rather than reward agents by a sampled estimate.
    """

    template: Agent
    rho: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "rho", parse_rho(self.rho))

    @property
    def accuracy(self) -> BoundAccuracy:  # type: ignore[override]
        return self.template.accuracy

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"shapley(rho={self.rho:g})"

    def worth(self, total: np.ndarray) -> np.ndarray:
        r""":math:`V = v(a(M))` of a coalition with *total* data."""
        return self.template.w_np(total)

    def rewards(self, i: int, m_i: Any, profile: Any) -> np.ndarray:
        r""":math:`r_i` (value units) when agent ``i`` gives each entry of *m_i* and the others *profile*."""
        x = np.atleast_1d(np.asarray(m_i, dtype=float))
        others = np.delete(np.asarray(profile, dtype=float), i)
        levels, sizes = np.unique(others, return_counts=True)
        group_sizes = np.append(sizes, 1)
        if _class_count(group_sizes) > EXACT_CLASS_LIMIT:
            raise ComputationError(f"rho-Shapley: {others.size + 1} agents in {levels.size + 1} groups of equal "
                                   f"contributions exceed {EXACT_CLASS_LIMIT} coalition classes (exact values only)")
        mu = np.vstack([np.repeat(levels[:, None], x.size, axis=1), x[None, :]])
        phi = group_shapley(group_sizes, mu, self.worth)
        top = phi.max(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(top > 0, np.clip(phi[-1] / top, 0.0, 1.0), 1.0)
        full = self.worth(x + others.sum())
        return ratio ** self.rho * full

    def gamma(self, i: int, m_i: Any, profile: Any) -> np.ndarray:
        shape = np.shape(m_i)
        return self.template.value_inverse_np(self.rewards(i, m_i, profile)).reshape(shape)


#: grid cells refined by golden section per best response of the dynamics (the verification refines its default 5)
_DYNAMICS_REFINE = 2


@dataclass(frozen=True)
class _Game:
    """The ρ-Shapley game of a population: the mechanism, the agents' costs and lone optima."""

    mechanism: RhoShapley
    cohort: Cohort

    @cached_property
    def upper(self) -> np.ndarray:
        r"""Per agent: beyond :math:`C_i^{-1}(v(a_{opt}))` every contribution has negative utility."""
        c = self.cohort
        return np.maximum(c.inverse_cost(c.w_max, 0.0), 2 * c.lone.data) * 1.01 + 1e-9

    def utility(self, i: int, profile: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        cost = self.cohort.agent_cost(i)
        return lambda x: self.mechanism.rewards(i, x, profile) - cost(np.asarray(x, dtype=float))

    def dynamics(self, start: np.ndarray, max_sweeps: int, rtol: float,
                 points: int) -> tuple[np.ndarray, np.ndarray, str]:
        """Gauss-Seidel best responses from *start* (all joined): the profile, who joined, and what happened."""
        lone = self.cohort.lone
        profile, joined = np.array(start, dtype=float), np.ones(self.cohort.size, dtype=bool)
        sweeps, converged = 0, False
        while not converged and sweeps < max_sweeps:
            sweeps += 1
            change = 0.0
            for i in range(self.cohort.size):
                deviation = best_deviation(self.utility(i, profile), float(profile[i]), float(self.upper[i]),
                                           points=points, refine=_DYNAMICS_REFINE)
                leave = float(lone.utility[i]) > deviation.best_utility
                new = 0.0 if leave else deviation.best
                change = max(change, abs(new - profile[i]))
                profile[i], joined[i] = new, not leave
            converged = change <= rtol * max(float(profile.sum()), 1e-300)
        return profile + 0.0, joined, f"{'converged' if converged else 'did not converge'} in {sweeps} sweeps"

    def outcome(self, profile: np.ndarray, joined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Utilities and accuracies at *profile*: joiners get :math:`r_i`, the others :math:`u_i^*` alone."""
        c = self.cohort
        rewards = np.array([float(self.mechanism.rewards(i, profile[i], profile)[0]) for i in range(c.size)])
        utilities = np.where(joined, rewards - c.cost(profile), c.lone.utility)
        return utilities, np.where(joined, self.mechanism.template.value_inverse_np(rewards), c.accuracy(c.lone.data))

    def verify(self, profile: np.ndarray, joined: np.ndarray, utilities: np.ndarray) -> Verification:
        c = self.cohort
        keys = np.column_stack([np.nan_to_num(c.linear, nan=-1.0), np.nan_to_num(c.quadratic, nan=-1.0),
                                np.where(c.general, c.entry, -1), profile, joined])
        return search_deviations(lambda i: self.utility(i, profile), profile, utilities, c.lone.utility,
                                 self.upper, keys)


def rho_shapley(population: Population, rho: Any, *, max_sweeps: int = 100, rtol: float = 1e-9,
                points: int = 2001, verify: bool = True) -> Equilibrium:
    r"""A Nash equilibrium of ρ-Shapley model rewards (Model §11 item 6), verified by the global deviation search.

    Best-response dynamics (Gauss-Seidel): from the lone optima :math:`m_i^*` each agent in turn moves
    to its best response to the others' contributions, found by the global search of
    :func:`~fedsym.paper.deviation.best_deviation` with the option of leaving (then it works alone at
    :math:`m_i^*` and contributes 0).  Stops when no contribution moves by more than *rtol* relative to
    the total.  With *verify* the same dynamics also run from no data at all; of the distinct profiles
    reached, the verified one with the largest total is reported (the data-maximizing equilibrium found,
    Model §11) and the other is named in ``other_equilibria`` with its own verification (with
    :math:`\rho = 0`, standard FL, another agent carries the same total).  Uniqueness is not established
    (``unique`` is False).  Requires one accuracy and one value for all agents (the coalition value
    :math:`V(S) = v(a(\sum_{S} m_j))` is then well defined) and no joining costs.
    """
    curve = _common_curve(population)
    game = _Game(RhoShapley(curve, rho), Cohort.of(population))
    cohort, lone = game.cohort, game.cohort.lone
    starts = (("the lone optima", lone.data), ("no data", np.zeros(cohort.size))) if verify else \
        (("the lone optima", lone.data),)
    found: list[_Reached] = []
    for label, start in starts:
        profile, joined, how = game.dynamics(start, max_sweeps, rtol, points)
        utilities, accuracies = game.outcome(profile, joined)
        if any(np.allclose(profile, r.profile, rtol=1e-6, atol=1e-9 * max(float(profile.sum()), 1.0))
               and np.array_equal(joined, r.joined) for r in found):
            continue
        verification = game.verify(profile, joined, utilities) if verify else \
            Verification(False, 0.0, 0, 0.0, "not verified", 0, deviation_tolerance(1.0))
        found.append(_Reached(label, how, profile, joined, utilities, accuracies, verification))
    # the data-maximizing verified profile (Model §11); the first reached when none verifies
    verified = [r for r in found if r.verification.verified]
    best = max(verified, key=lambda r: float(r.profile.sum())) if verified else found[0]
    other = "; ".join(
        f"from {r.start} best-response dynamics reach M = {r.profile.sum():.10g}, "
        + ("an equilibrium too (verified)" if r.verification.verified else
           f"not an equilibrium (an agent gains {r.verification.max_deviation_gain:.3g} by deviating)")
        for r in found if r is not best)
    note = (f"best-response dynamics from {' and from '.join(label for label, _ in starts)}: {len(found)} distinct "
            f"profile(s); reported: the one reached from {best.start} ({best.how}), the largest verified total; "
            "uniqueness is not established")
    return Equilibrium(game.mechanism.name, curve.accuracy.label(), "best-response dynamics (Model §11 item 6)",
                       cohort.marginal_cost(np.zeros(cohort.size)), best.profile, best.accuracies, best.utilities,
                       float(best.profile.sum()), False, bool(np.all(lone.utility <= 0)), 0.0, best.verification,
                       0.0, note, best.joined, lone.data, lone.utility, other, None,
                       "lone optima of Model §8 (the dynamics start there; leaving returns to them)")


@dataclass(frozen=True)
class _Reached:
    """A profile best-response dynamics reached from *start*, with its outcome and verification."""

    start: str
    how: str
    profile: np.ndarray
    joined: np.ndarray
    utilities: np.ndarray
    accuracies: np.ndarray
    verification: Verification


#: the points of :func:`checks`: (accuracy, parameters, contributions)
CHECK_POINTS = (("simplified", {"a_opt": "0.95", "k": "1"}, (40.0, 40.0, 40.0, 120.0, 120.0, 300.0, 0.0, 9.0)),
                ("generalization-bound", {"a_opt": "0.99", "k": "1", "b": "4"},
                 (200.0, 200.0, 350.0, 350.0, 350.0, 1000.0, 1000.0, 1000.0, 1000.0, 5.0)))


def checks() -> list[CheckRow]:
    r"""Exact Shapley values by coalition classes against the definition (enumeration of all coalitions).

    :math:`V(S) = a(\sum_S m_j)` of Eq. (3) and Eq. (2), profiles with repeated contributions (so the
    classes are fewer than the coalitions) and a zero contribution (a null player).
    """
    rows = []
    for spec, params, profile in CHECK_POINTS:
        worth = accuracy_function(spec).bind(params).a_np
        grouped = shapley_values(np.array(profile), worth).values
        reference = shapley_by_enumeration(np.array(profile), worth)
        for i in sorted({profile.index(x) for x in profile}):
            rows.append(CheckRow("shapley_value", "Model §11 item 6", f"{spec}, m = {profile}, agent {i + 1}",
                                 mp.mpf(float(grouped[i])), mp.mpf(float(reference[i])),
                                 "sum over all 2^(n-1) coalitions (exact factorials)", mp.mpf("1e-12"),
                                 quantity_tex=rf"\phi_{{{i + 1}}}"))
    return rows
