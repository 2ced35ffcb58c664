r"""Equilibria of mechanisms and their global verification (Model §3-5, Sec. 3-4).

An equilibrium (Eq. (9)) is a profile in which no agent gains by changing its
own contribution.  :func:`solve` is the one entry point, for a population of
agents that differ (Model §8) or the paper's ``(accuracy, costs)``; the paper's
agents are solved by their closed forms below, any other population by
:mod:`fedsym.paper.agents_that_differ.solve`.  Three solvers, one result type
(:class:`~fedsym.paper.outcome.Equilibrium`):

* :func:`standard_equilibrium` -- Theorem 3.4 for Eq. (10): only the cheapest
  agent contributes, its lone optimum :math:`m^*` (ties: one of many
  equilibria; Remark 3.5: nothing at all when every :math:`m_i^* = 0`);
* :func:`shaping_equilibrium` -- Theorem 4.2 for Eq. (13) through the
  one-dimensional reduction :math:`\sum_i \bar m_i(M) = M` (Remark 4.4 when
  every agent is priced out alone);
* :func:`best_response_equilibrium` -- best-response dynamics for *any*
  :class:`~fedsym.paper.mechanisms.Mechanism`, each best response found by global
  search, so the jump of Theorem 3.3 / Fig. 6 is handled.

Every reported equilibrium is checked by :func:`verify_equilibrium`: for each
agent (each distinct situation, or a stated random sample for large ``n``) a
global search over its deviations on :math:`[0, 1/c_i]`
(:func:`fedsym.paper.deviation.best_deviation`; beyond :math:`1/c_i` utility is
negative since accuracies are at most 1, while 0 gives at least 0).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np

from fedsym.core.checkrow import CheckRow, method_label
from fedsym.core.errors import ParameterError
from fedsym.core.settings import current_settings
from fedsym.core.solve import DPS, bracketed_root, expand_bracket
from fedsym.model.accuracy import BoundAccuracy, accuracy_function
from fedsym.model.agent import Population
from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.agents_that_differ.solve import solve_population
from fedsym.paper.deviation import Deviation, best_deviation, deviation_tolerance
from fedsym.paper.lone_agent import lone_agent_forms, numeric_tangent_point, optimal_data_array
from fedsym.paper.mechanisms import (
    LinearShaping,
    Mechanism,
    StandardMechanism,
    accuracy_shaping,
    parse_costs,
    parse_eps,
)
from fedsym.paper.outcome import VERIFY_ALL_UP_TO, VERIFY_SAMPLE, Equilibrium, Verification
from fedsym.paper.shaping_ceiling import ceiling_form, ceiling_row

__all__ = [
    "Equilibrium",
    "Verification",
    "standard_equilibrium",
    "shaping_equilibrium",
    "best_response_equilibrium",
    "verify_equilibrium",
    "solve",
    "ceiling_form",
    "checks",
    "MECHANISMS",
    "EXACT_GROUPS",
    "VERIFY_ALL_UP_TO",
    "VERIFY_SAMPLE",
    "paper_agents_of",
]

#: mechanisms the command line knows, by name
MECHANISMS = ("standard", "shaping")

#: up to this many distinct costs, lone optima and the reduction are computed
#: in mpmath at :data:`fedsym.core.solve.DPS` digits; beyond, per-agent values are
#: double precision (vectorized) and only the 1-D root is solved in mpmath
EXACT_GROUPS = 64

# -- verification ---------------------------------------------------------------------

def _situations(mechanism: Mechanism, costs: np.ndarray, profile: np.ndarray) -> tuple[np.ndarray, str]:
    """One representative agent per distinct situation, and how agents were grouped.

    Agents of an anonymous mechanism with equal cost, equal contribution and equal
    per-agent parameters face the same deviation problem; others are all distinct.
    The scope names the number of agents and of distinct situations searched.
    """
    n = costs.size
    parameters = mechanism.agent_parameters(n)
    if parameters is None:
        return np.arange(n), f"all {n} agents"
    first = _first_of_distinct_rows([costs, profile, *parameters.T])
    if first.size == n:
        return np.sort(first), f"all {n} agents"
    return np.sort(first), (f"all {n} agents: {first.size} distinct situation{'s' if first.size > 1 else ''} "
                            "searched (agents with equal cost, contribution and parameters share the answer)")


def _first_of_distinct_rows(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Index of the first agent of each distinct row of *columns* (as ``np.unique(axis=0, return_index=True)``).

    A stable lexicographic sort, then one sorted column at a time: a few arrays of
    ``n``, where stacking the rows and sorting them whole takes many more.
    """
    order = np.lexsort(columns[::-1])
    new = np.zeros(order.size, dtype=bool)
    new[0] = True
    for column in columns:
        ordered = column[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    return order[new]


def _best_response(mechanism: Mechanism, i: int, profile: np.ndarray, cost: float, points: int) -> Deviation:
    r"""Agent ``i``'s best deviation from *profile* (Eq. (9)): global search of :math:`\gamma_i(x; m_{-i}) - c_i x`.

    The search runs on :math:`[0, \max(1/c_i, 2 m_i)]` (beyond :math:`1/c_i` utility is
    negative since accuracies are at most 1) and includes the curve's kinks.
    """
    curve = mechanism.curve(i, profile)
    return best_deviation(lambda x: curve(x) - cost * x, float(profile[i]), max(1.0 / cost, 2.0 * float(profile[i])),
                          special=mechanism.kinks(i, profile), points=points)


def verify_equilibrium(mechanism: Mechanism, costs: Any, profile: Any, *,
                       tolerance: float | None = None, verify_all_up_to: int = VERIFY_ALL_UP_TO,
                       sample: int = VERIFY_SAMPLE, seed: int = 0, points: int = 4001) -> Verification:
    r"""Global search over each agent's deviations from *profile* (Eq. (9), Theorem 3.3).

    For agent ``i`` the utility :math:`\gamma_i(x; m_{-i}) - c_i x` is searched on
    :math:`[0, 1/c_i]` (beyond, it is negative because accuracies are at most 1)
    with :func:`fedsym.paper.deviation.best_deviation`, including the curve's kinks.

    Parameters
    ----------
    tolerance:
        Largest gain that still counts as no gain (default
        :func:`fedsym.paper.deviation.deviation_tolerance` of the largest utility searched).
    verify_all_up_to, sample, seed:
        Every distinct situation is searched when there are at most
        *verify_all_up_to*; otherwise a random sample of *sample* of them
        (fixed *seed*), and :attr:`Verification.scope` says so.
    points:
        Grid size of the search (per grid, see :func:`best_deviation`).
    """
    if getattr(mechanism, "value", None) is not None:  # a screening curve in value units (Model §8)
        raise ParameterError(f"value {mechanism.value}: verify_equilibrium searches gamma - c m, the paper's "  # type: ignore[attr-defined]
                             "v(a) = a; verify a curve with another value of accuracy with verify_menu_k")
    costs = np.asarray(costs, dtype=float)
    profile = np.asarray(profile, dtype=float)
    representatives, scope = _situations(mechanism, costs, profile)
    if representatives.size > verify_all_up_to:
        rng = np.random.default_rng(seed)
        total = representatives.size
        representatives = np.sort(rng.choice(representatives, size=sample, replace=False))
        scope = f"random sample of {sample} of {total} distinct situations ({costs.size} agents)"
    worst = (0.0, int(representatives[0]), float(profile[representatives[0]]))
    scale = 0.0
    for i in representatives:
        i = int(i)
        deviation = _best_response(mechanism, i, profile, float(costs[i]), points)
        scale = max(scale, abs(deviation.claimed_utility), abs(deviation.best_utility))
        if deviation.gain > worst[0] or i == worst[1]:
            worst = (deviation.gain, i, deviation.best)
    if tolerance is None:
        tolerance = deviation_tolerance(scale)
    payment = float(np.max(costs * profile))
    note = ""
    if 0 < payment < RESOLUTION * tolerance:
        note = (f"the largest payment c_i m_i = {payment:.3g} is below {RESOLUTION} times the tolerance "
                f"{tolerance:.3g}: a search in double precision cannot tell these contributions from others")
    return Verification(worst[0] <= tolerance and not note, worst[0], worst[1], worst[2], scope,
                        int(representatives.size), tolerance, note)


#: a verification resolves a positive profile only when some payment c_i m_i exceeds
#: this many times its tolerance: a deviation changes utility by at most about the
#: payment, so below that even a badly wrong profile would show no gain
RESOLUTION = 100


def _result(mechanism: Mechanism, name: str, method: str, costs: np.ndarray, profile: np.ndarray, total: float,
            *, unique: bool, zero: bool, residual: float, eps: float, note: str, verify: bool,
            verify_options: dict[str, Any]) -> Equilibrium:
    profile += 0.0  # no negative zero (every solver passes a profile array of its own)
    _sealed(profile)
    verification = verify_equilibrium(mechanism, costs, profile, **verify_options) if verify else \
        Verification(False, 0.0, 0, 0.0, "not verified", 0, deviation_tolerance(1.0))
    accuracies = mechanism.accuracies(profile)
    accuracies = _sealed(np.add(accuracies, 0.0, out=accuracies) if accuracies.flags.writeable and
                         accuracies.base is None else accuracies + 0.0)
    return Equilibrium(name, mechanism.accuracy.label(), method, costs, profile, accuracies,
                       _sealed(_utilities(accuracies, costs, profile)), total, unique, zero, residual,
                       verification, eps, note)


def _sealed(array: np.ndarray) -> np.ndarray:
    """*array*, which nothing else references, made read-only (the result then keeps it without a copy)."""
    array.setflags(write=False)
    return array


#: a utility within this many units in the last place of its two terms is round-off of 0
ROUNDOFF_ULPS = 8


def _utilities(accuracies: np.ndarray, costs: np.ndarray, profile: np.ndarray) -> np.ndarray:
    r""":math:`U_i = \gamma_i - c_i m_i`, with round-off of an exact 0 (e.g. ``-2.2e-16`` for a
    priced-out agent on its line) shown as 0, and no negative zero; in slices (memory at large ``n``)."""
    utilities = np.empty(profile.size)
    for lo in range(0, profile.size, SLICE):
        part = slice(lo, lo + SLICE)
        payments = costs[part] * profile[part]
        values = accuracies[part] - payments
        noise = np.maximum(np.abs(payments), np.abs(accuracies[part])) * (ROUNDOFF_ULPS * np.finfo(float).eps)
        values[np.abs(values) <= noise] = 0.0
        utilities[part] = values + 0.0
    return utilities


# -- Theorem 3.4: standard federated learning -----------------------------------------

def _lone_optimum(accuracy: BoundAccuracy, cost: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
    """:math:`(m^*, c_{max})` of Theorem 2.3 at the current precision (0 above the threshold)."""
    forms = lone_agent_forms(accuracy.function)
    c_max = forms.viability_cost.resolve(accuracy.values)[0]
    if cost >= c_max:
        return mp.mpf(0), c_max
    m_star = forms.optimal_data.resolve({**accuracy.values, "c": cost})[0]
    accuracy.require_assumption(m_star, "the optimal data m*")
    return m_star, c_max


def standard_equilibrium(accuracy: BoundAccuracy, costs: Any, *, verify: bool = True,
                         **verify_options: Any) -> Equilibrium:
    r"""Theorem 3.4, Eq. (11): under Eq. (10) only the cheapest agent contributes its :math:`m^*`.

    With :math:`i^\star = \arg\min_i c_i`: :math:`m_{i^\star} = m_{i^\star}^*`,
    :math:`m_j = 0` otherwise.  Ties at the minimum cost: the first tied agent
    contributes (every split is an equilibrium; ``unique`` is False).  Remark 3.5:
    when :math:`m_{i^\star}^* = 0` nobody contributes.  *verify_options* go to
    :func:`verify_equilibrium`.
    """
    return solve("standard", (accuracy, costs), verify=verify, **verify_options)


def _theorem_3_4(accuracy: BoundAccuracy, costs: Any, *, verify: bool = True, **verify_options: Any) -> Equilibrium:
    """Theorem 3.4 for the paper's agents (see :func:`standard_equilibrium`)."""
    costs = parse_costs(costs)
    cheapest = int(np.argmin(costs))
    tied = int(np.count_nonzero(costs == costs[cheapest]))
    with mp.workdps(DPS):
        m_star, _ = _lone_optimum(accuracy, mp.mpf(costs[cheapest]))
    profile = np.zeros_like(costs)
    profile[cheapest] = float(m_star)
    if m_star == 0:
        note = "Remark 3.5: every agent is priced out alone (c_i >= c_max), so no data at all is the only equilibrium"
        unique = True
    elif tied > 1:
        note = (f"Theorem 3.4: {tied} agents tie at the minimum cost; every split of m* among them is an "
                f"equilibrium (agent {cheapest} contributes all of it here), so it is not unique")
        unique = False
    else:
        note = f"Theorem 3.4: only the cheapest agent ({cheapest}) contributes; everyone else free-rides"
        unique = True
    return _result(StandardMechanism(accuracy), "standard", "Theorem 3.4", costs, profile, float(m_star),
                   unique=unique, zero=m_star == 0, residual=0.0, eps=0.0, note=note, verify=verify,
                   verify_options=verify_options)


# -- Theorem 4.2: accuracy shaping with known costs ----------------------------------

@dataclass(frozen=True)
class _Reduction:
    r"""The 1-D equation of Theorem 4.2 with the agents grouped by cost.

    :math:`\sum_i \bar m_i(M) = S_0 + S_1\,a(M)` with
    :math:`S_0 = \sum_i (m_i^* - a(m_i^*)/s_i)`, :math:`S_1 = \sum_i 1/s_i`,
    :math:`s_i = c_i + \varepsilon`, so each evaluation is O(1) after one O(n) pass.
    The double-precision path keeps no :math:`a(m_i^*)` array: it is recomputed
    per slice of groups (memory at ``n = 10^7``).
    """

    anchors: np.ndarray      # m_i^* per group (float)
    anchor_accuracy: Any     # a(m_i^*) per group as an mpf list (exact path), else None
    anchors_exact: Any       # m_i^* per group (mpf list when exact, else float array)
    slopes: np.ndarray       # c_i + eps per group
    counts: np.ndarray
    s0: mp.mpf
    s1: mp.mpf
    lower: mp.mpf            # sum of m_i^*

    def excess(self, accuracy: BoundAccuracy, total: mp.mpf) -> mp.mpf:
        """:math:`\\sum_i \\bar m_i(M) - M`; positive below the root, negative above."""
        return self.s0 + self.s1 * accuracy.a(total) - total

    def contributions(self, accuracy: BoundAccuracy, total: mp.mpf, lo: int = 0, hi: int | None = None) -> np.ndarray:
        r""":math:`\bar m_i(M) = m_i^* + (a(M) - a(m_i^*))/s_i` for groups ``lo:hi`` (float)."""
        a_total = accuracy.a(total)
        if isinstance(self.anchors_exact, list):
            return np.array([float(m + (a_total - am) / mp.mpf(s))
                             for m, am, s in zip(self.anchors_exact[lo:hi], self.anchor_accuracy[lo:hi],
                                                 self.slopes[lo:hi])])
        anchors = self.anchors[lo:hi]
        return anchors + (float(a_total) - accuracy.a_np(anchors)) / self.slopes[lo:hi]


#: groups handled per vector pass of the double-precision reduction
GROUP_SLICE = 1 << 18
#: agents per vector pass when per-agent utilities are formed
SLICE = 1 << 16


def _reduction(accuracy: BoundAccuracy, group_costs: np.ndarray, counts: np.ndarray, eps: float,
               anchors: np.ndarray) -> _Reduction:
    slopes = group_costs + eps if eps else group_costs
    if group_costs.size <= EXACT_GROUPS:
        exact = [_lone_optimum(accuracy, mp.mpf(c))[0] for c in group_costs]
        a_exact = [accuracy.a(m) for m in exact]
        s = [mp.mpf(c) + mp.mpf(eps) for c in group_costs]
        s0 = mp.fsum(int(k) * (m - am / si) for k, m, am, si in zip(counts, exact, a_exact, s))
        s1 = mp.fsum(int(k) / si for k, si in zip(counts, s))
        lower = mp.fsum(int(k) * m for k, m in zip(counts, exact))
        return _Reduction(np.array([float(m) for m in exact]), a_exact, exact, slopes, counts, s0, s1, lower)

    def sliced(term: Callable[[slice], np.ndarray]) -> mp.mpf:
        """Exactly rounded sum (one ``math.fsum``) of *term* over all groups, a slice at a time."""
        parts = (term(slice(lo, lo + GROUP_SLICE)) for lo in range(0, slopes.size, GROUP_SLICE))
        return mp.mpf(math.fsum(itertools.chain.from_iterable(parts)))

    s0 = sliced(lambda part: counts[part] * (anchors[part] - accuracy.a_np(anchors[part]) / slopes[part]))
    s1 = sliced(lambda part: counts[part] / slopes[part])
    lower = sliced(lambda part: counts[part] * anchors[part])
    return _Reduction(anchors, None, anchors, slopes, counts, s0, s1, lower)


def _shaping_total(accuracy: BoundAccuracy, reduction: _Reduction, eps: float) -> tuple[mp.mpf, str]:
    r"""The positive root :math:`M` of Theorem 4.2's equation (0 when none exists), and a note.

    The Remark 4.4 threshold is :math:`1/\sum_i 1/(c_i + \varepsilon)`; the note says so when
    :math:`\varepsilon > 0`.
    """
    upper = reduction.s0 + reduction.s1 * accuracy.a_opt  # a(M) < a_opt, so the excess is negative here
    if reduction.lower > 0:
        if reduction.excess(accuracy, reduction.lower) <= 0:
            return reduction.lower, ""
        if not upper > reduction.lower or reduction.excess(accuracy, upper) >= 0:
            # a_opt carries fewer digits than the cancellation at tiny costs needs: expand instead
            upper = expand_bracket(lambda x: reduction.excess(accuracy, x), reduction.lower, 2 * reduction.lower,
                                   limit=mp.inf)
        total = bracketed_root(lambda x: reduction.excess(accuracy, x), reduction.lower, upper, rtol=_fixed_point_rtol())
        accuracy.require_assumption(total, "the equilibrium total M of Theorem 4.2")
        return total, ""
    # Remark 4.4: every agent priced out alone; a positive root needs 1/sum(1/s_i) < c_max
    tangent = numeric_tangent_point(accuracy)
    threshold = f"{'1/sum(1/(c_i + eps))' if eps else '1/sum(1/c_i)'} = {mp.nstr(1 / reduction.s1, 6)}" + \
        (f" (eps = {eps:g})" if eps else "")
    c_max = accuracy.a(tangent) / tangent
    if reduction.excess(accuracy, tangent) < 0:
        return mp.mpf(0), (f"Remark 4.4: every agent is priced out alone and {threshold} "
                           f">= c_max = {mp.nstr(c_max, 6)}: no positive equilibrium; no data at all is the equilibrium")
    total = bracketed_root(lambda x: reduction.excess(accuracy, x), tangent, upper, rtol=_fixed_point_rtol()) \
        if reduction.excess(accuracy, tangent) > 0 else tangent
    return total, (f"Remark 4.4: every agent is priced out alone, but {threshold} "
                   f"< c_max = {mp.nstr(c_max, 6)}: this positive equilibrium exists, and no data at all is one too")


def shaping_equilibrium(accuracy: BoundAccuracy, costs: Any, eps: Any = 0.0, *, verify: bool = True,
                        **verify_options: Any) -> Equilibrium:
    r"""Theorem 4.2: the equilibrium of accuracy shaping with known costs, Eq. (13).

    Agent ``i`` contributes :math:`\bar m_i(M) = m_i^* + (a(M) - a(m_i^*))/(c_i + \varepsilon)`
    where the total :math:`M` is the root :math:`M > \sum_i m_i^*` of

    .. math:: \sum_i \bar m_i(M) = M

    (concave in :math:`M`; bracketed between :math:`\sum_i m_i^*` and
    :math:`\sum_i \bar m_i(\infty)`, solved at :data:`fedsym.core.solve.DPS` digits).
    With :math:`\varepsilon = 0` this is the limit the paper reports.  Agents
    are grouped by cost (one stable sort), so ``n = 10^6`` costs a few vector passes.
    Remark 4.4: when every :math:`m_i^* = 0` the positive root is reported if it
    exists, and ``zero_is_equilibrium`` is True.

    >>> from fedsym import accuracy_function
    >>> eq = shaping_equilibrium(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), [0.001, 0.001])
    >>> eq.contributions.tolist(), eq.verified  # Example 4.5: t_2 = 2, m* = 100
    ([200.0, 200.0], True)
    """
    return solve("shaping", (accuracy, costs), eps, verify=verify, **verify_options)


def _theorem_4_2(accuracy: BoundAccuracy, costs: Any, eps: Any = 0.0, *, verify: bool = True,
                 **verify_options: Any) -> Equilibrium:
    """Theorem 4.2 for the paper's agents (see :func:`shaping_equilibrium`)."""
    costs = parse_costs(costs)
    eps = parse_eps(eps)
    mechanism = accuracy_shaping(accuracy, costs, eps)
    profile, total, note, zero = _shaping_profile(accuracy, mechanism, costs, eps)
    residual = abs(float(profile.sum()) - float(total)) / float(total) if total > 0 else 0.0
    note = note or "Theorem 4.2: every agent contributes past its lone optimum until its line meets the full model"
    return _result(mechanism, "shaping", "Theorem 4.2 (1-D reduction)", costs, profile, float(total),
                   unique=not (zero and total > 0), zero=zero, residual=residual, eps=eps, note=note, verify=verify,
                   verify_options=verify_options)


def _fixed_point_rtol() -> mp.mpf:
    """Relative width at which Theorem 4.2's total counts as solved (``Settings.fixed_point_rtol``)."""
    return mp.mpf(current_settings().fixed_point_rtol)


def _shaping_profile(accuracy: BoundAccuracy, mechanism: LinearShaping, costs: np.ndarray,
                     eps: float) -> tuple[np.ndarray, mp.mpf, str, bool]:
    """Theorem 4.2's profile, total, note and whether no data is an equilibrium (Remark 4.4).

    A function of its own so that the per-group arrays are freed before the
    result is assembled (memory at ``n = 10^7``).
    """
    # memory at n = 10^7: every array of n counts, so temporaries are dropped as soon as possible
    order = np.argsort(costs)  # any agent of a group represents it (equal cost, equal anchor): no stable sort buffer
    ordered = costs[order]
    new = np.empty(costs.size, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    if new.all():  # every group is one agent: the sorted costs are the groups, no counts or starts arrays
        group_costs, counts = ordered, np.broadcast_to(np.int64(1), costs.shape)
        anchors = mechanism.anchors[order]
        slice_starts = np.arange(0, costs.size, GROUP_SLICE)
    else:
        starts = np.flatnonzero(new)
        group_costs, counts = ordered[starts], np.diff(np.append(starts, costs.size))
        anchors = mechanism.anchors[order[starts]]
        slice_starts = starts[::GROUP_SLICE].copy()  # where each slice of groups begins in sorted order
        del starts
    del ordered, new
    lost = _cancellation_digits(accuracy, mechanism.anchors, mechanism.slopes)
    if group_costs.size > EXACT_GROUPS and lost > VECTOR_DIGITS_LOST:
        raise ParameterError(
            f"costs: with {group_costs.size} distinct costs the reduction runs in double precision, and at these "
            f"costs a(M) - a(m_i*) cancels {lost} of its 16 digits; rescale the costs (at most "
            f"{EXACT_GROUPS} distinct costs are solved at any precision)")
    with mp.workdps(DPS + lost):
        reduction = _reduction(accuracy, group_costs, counts, eps, anchors)
        del group_costs, anchors
        total, note = _shaping_total(accuracy, reduction, eps)
        profile = np.zeros(costs.size)
        for number, lo in enumerate(range(0, counts.size, GROUP_SLICE) if total > 0 else ()):
            # groups lo:lo + GROUP_SLICE hold one run of agents in sorted order
            values = np.repeat(reduction.contributions(accuracy, total, lo, lo + GROUP_SLICE),
                               counts[lo:lo + GROUP_SLICE])
            first = slice_starts[number]
            profile[order[first:first + values.size]] = values
    return profile, total, note, bool(reduction.lower == 0)


#: most digits the double-precision reduction (more than EXACT_GROUPS distinct costs) may lose to cancellation
VECTOR_DIGITS_LOST = 6


def _cancellation_digits(accuracy: BoundAccuracy, anchors: np.ndarray, slopes: np.ndarray) -> int:
    r"""Digits that cancel in Theorem 4.2's reduction: :math:`\log_{10}\max_i a(m_i^*)/(s_i m_i^*)`.

    :math:`\sum_i (m_i^* - a(m_i^*)/s_i) + a(M)\sum_i 1/s_i - M` adds terms of size
    :math:`a/s_i` to get a result of size :math:`M \approx \sum_i \bar m_i`; when the
    payments :math:`s_i m_i^*` are tiny against the accuracy (costs like ``1e-120``)
    those digits are lost, so the mpmath path works with that many more.
    """
    ratio = 0.0
    for lo in range(0, anchors.size, GROUP_SLICE):  # in slices: memory at n = 10^7
        part = anchors[lo:lo + GROUP_SLICE]
        positive = part > 0
        if np.any(positive):
            part = part[positive]
            ratio = max(ratio, float(np.max(accuracy.a_np(part) / (slopes[lo:lo + GROUP_SLICE][positive] * part))))
    return max(0, math.ceil(math.log10(ratio))) if math.isfinite(ratio) and ratio > 0 else 0


# -- general solver: best-response dynamics ----------------------------------------------

def best_response_equilibrium(mechanism: Mechanism, costs: Any, *, start: Sequence[float] | None = None,
                              rtol: float = 1e-10, gain_tolerance: float = 1e-14, max_sweeps: int = 200,
                              points: int = 4001, verify: bool = True, **verify_options: Any) -> Equilibrium:
    r"""An equilibrium of any mechanism by best-response dynamics (Gauss-Seidel sweeps).

    Each agent in turn moves to its best response :math:`\arg\max_x \gamma_i(x; m_{-i}) - c_i x`,
    found by global search on :math:`[0, 1/c_i]` (:func:`fedsym.paper.deviation.best_deviation`),
    so a jump between 0 and an interior maximum (Theorem 3.3, Fig. 6) is followed.
    An agent moves only when that gains more than *gain_tolerance*; the sweeps stop
    when no contribution changes by more than *rtol* relative to the largest one.

    Parameters
    ----------
    start:
        Initial profile (default: all zeros).
    max_sweeps:
        Give up after this many sweeps; the result then says so in ``note`` and its
        verification shows how far from an equilibrium it is.
    points:
        Grid size of each search.
    """
    costs = parse_costs(costs)
    mechanism.check_size(costs.size)
    profile = np.zeros_like(costs) if start is None else np.array(start, dtype=float)
    converged, sweeps = False, 0
    while not converged and sweeps < max_sweeps:
        sweeps += 1
        change = 0.0
        for i in range(costs.size):
            deviation = _best_response(mechanism, i, profile, float(costs[i]), points)
            if deviation.gain > gain_tolerance:
                change = max(change, abs(deviation.best - profile[i]))
                profile[i] = deviation.best
        converged = change <= rtol * max(float(profile.max()), 1e-300)
    note = f"best-response dynamics converged in {sweeps} sweeps" if converged \
        else f"best-response dynamics did not converge in {max_sweeps} sweeps"
    return _result(mechanism, mechanism.name, "best-response dynamics", costs, profile, float(profile.sum()),
                   unique=False, zero=False, residual=0.0, eps=0.0, note=note, verify=verify,
                   verify_options=verify_options)


def solve(mechanism: str, population: Population | Cohort | tuple[BoundAccuracy, Any], eps: Any = 0.0,
          **options: Any) -> Equilibrium:
    r"""The equilibrium of *mechanism* (``standard``: Eq. (10); ``shaping``: Eq. (13)) for *population*, verified.

    *population* is a :class:`~fedsym.model.agent.Population` (Model §8) or the paper's ``(accuracy, costs)``.
    The paper's agents (one accuracy, linear costs, no joining cost, :math:`v(a) = a`) are the special case
    solved by its closed forms and the vectorized reduction (Theorems 3.4 and 4.2, any ``n``); a population of
    them gets the same result plus who joins (everybody) and the lone optima.  Other populations go to the
    solvers of Model §8 (:mod:`fedsym.paper.agents_that_differ.solve`).  *options*: ``verify`` and the
    options of the verifier.
    """
    if mechanism not in MECHANISMS:
        raise ParameterError(f"unknown mechanism {mechanism!r} (known: {', '.join(MECHANISMS)})")
    if mechanism == "standard" and parse_eps(eps) != 0:
        raise ParameterError(f"eps={eps}: the slope margin applies to the shaping mechanism only")
    if isinstance(population, tuple):
        accuracy, costs = population
        return _theorem_3_4(accuracy, costs, **options) if mechanism == "standard" else \
            _theorem_4_2(accuracy, costs, eps, **options)
    paper = paper_agents_of(population) if isinstance(population, Population) else None
    if paper is None:
        return solve_population(mechanism, population, eps, **options)
    result = solve(mechanism, paper, eps, **options)
    accuracy, costs = paper
    lone_data = optimal_data_array(accuracy, costs)
    with np.errstate(divide="ignore", invalid="ignore"):
        lone_utility = np.where(lone_data > 0, accuracy.a_np(np.maximum(lone_data, 1e-300)) - costs * lone_data, 0.0)
    return dataclasses.replace(result, joined=np.ones(costs.size, dtype=bool), lone_data=lone_data,
                               lone_utility=lone_utility)


def paper_agents_of(population: Population) -> tuple[BoundAccuracy, np.ndarray] | None:
    """``(accuracy, costs)`` when every agent is the paper's (§2-§5), else ``None``."""
    first = population.agents[0].accuracy
    if not all(agent.accuracy == first and agent.joining_cost == 0 and agent.value_is_identity
               and agent.linear_rate is not None for agent in population.agents):
        return None
    rates = np.array([agent.linear_rate for agent in population.agents], dtype=float)
    return first, rates[population.index]


# -- closed forms and checks ------------------------------------------------------------

#: (accuracy, parameters, costs) of ``fedsym check`` for the ceiling and Theorem 4.6
CHECK_INSTANCES: tuple[tuple[str, dict[str, str], tuple[float, ...]], ...] = (
    ("simplified", {"a_opt": "0.95", "k": "1"}, (0.001, 0.002, 0.005, 0.05)),
    ("simplified", {"a_opt": "0.6", "k": "250"}, (1e-5, 3e-5, 1e-4)),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}, (0.0005, 0.001, 0.002)),
)


def checks() -> list[CheckRow]:
    r"""Remark 4.3's ceiling and Theorem 4.6 against independent numerics.

    Ceiling: closed form against :math:`(a_{opt} - u^*)/c` with golden-section
    :math:`u^*`.  Theorem 4.6: the closed form :math:`u^*(c_i)` against the utility
    :math:`\gamma_i - c_i m_i` that the Eq. (13) mechanism object gives each agent at
    the Theorem 4.2 equilibrium (double precision, tolerance 1e-12).
    """
    rows: list[CheckRow] = []
    with mp.workdps(DPS):
        for spec, params, costs in CHECK_INSTANCES:
            bound = accuracy_function(spec).bind(params)
            forms = lone_agent_forms(bound.function)
            c_max = forms.viability_cost.evaluate(bound.values)
            eq = shaping_equilibrium(bound, costs, verify=False)
            for i, cost in enumerate(costs):
                values = {**bound.values, "c": mp.mpf(cost)}
                point = f"{bound.label()}, c = {cost:g}"
                if cost >= c_max:
                    continue
                ceiling = ceiling_row(bound, cost)  # Remark 4.3 (fedsym.paper.shaping_ceiling)
                if ceiling is not None:
                    rows.append(ceiling)
                u_star, method = forms.optimal_utility.resolve(values)
                rows.append(CheckRow(method_label(forms.optimal_utility, method) + " = equilibrium utility", "Theorem 4.6",
                                     f"{point}, costs {list(costs)}", u_star, mp.mpf(eq.utilities[i]),
                                     "mechanism (13) at the Theorem 4.2 equilibrium", mp.mpf("1e-12")))
    return rows

