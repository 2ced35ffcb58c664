r"""Equilibria of agents that differ, verified (Model §8): the general solvers behind
:func:`fedsym.paper.equilibrium.solve` (which keeps the paper's agents on their closed forms).

* :func:`standard_population` -- Eq. (10) generalized: every participant
  gets :math:`a_i(M)`; an agent with a convex cost contributes
  :math:`m_i(M) = (C_i')^{-1}(w_i'(M))`, an agent with a linear cost only if its
  stopping point (:math:`w_i'(M_i) = c_i`) is the largest (Theorem 3.4 generalized);
  agents join only if that beats staying alone (:math:`u_i^*`) after their joining cost, and
  the data-maximizing set of joiners is the largest one no agent leaves or joins (found by
  removal from everybody, then a search of its subsets checked by deviations).
* :func:`shaping_population` -- Eq. (13) generalized: the **largest** fixed
  point of the non-decreasing :math:`F(M) = \sum_i` (``i`` joins at ``M`` ?
  :math:`\bar m_i(M)` : 0), found piece by piece between joining
  thresholds from the top (every point above it has :math:`F(M) < M`); the least
  fixed point is reported too when it differs (e.g. nobody joining).

Non-joiners (Model §8): an agent that does not join works alone at :math:`m_i^*`
and shares none of its data, under either mechanism: its contribution is 0 and
:math:`M` counts joiners only; its utility is :math:`u_i^*`.  An agent without a
joining cost always joins under shaping (up to :math:`m_i^*` it keeps its own
model, so joining costs it nothing), as in the paper.

Every equilibrium is verified by :func:`verify_population`: for each distinct agent
situation a certified global search over its contributions
(:func:`fedsym.paper.deviation.certified_deviations`, bounded on intervals by
:func:`_piece_bound`) and the option of leaving (utility :math:`u_i^*`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fedsym.core.errors import ParameterError
from fedsym.core.settings import current_settings
from fedsym.model.agent import Population
from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.agents_that_differ.mechanism import HeterogeneousShaping
from fedsym.paper.deviation import best_deviation, certified_deviations, deviation_tolerance
from fedsym.paper.mechanisms import parse_eps
from fedsym.paper.outcome import VERIFY_ALL_UP_TO, VERIFY_SAMPLE, Equilibrium, Verification

__all__ = ["standard_population", "shaping_population", "verify_population",
           "best_response_population", "solve_population"]

#: bisection steps of a 1-D root in double precision (to the last bit)
_STEPS = 200
#: grid points that look for a positive part of F(M) - M inside one piece
_PIECE_GRID = 9
#: data points beyond any equilibrium contribution (every accuracy is flat long before)
_MOST_DATA = 1e30
#: sets of joiners searched below the largest stable one (standard FL), up to interchangeable agents
_JOIN_SETS = 256


def _result(mechanism: str, accuracy: str, method: str, contributions: np.ndarray, accuracies: np.ndarray,
            utilities: np.ndarray, cohort: Cohort, joined: np.ndarray, total: float, unique: bool, zero: bool,
            residual: float, verification: Verification, eps: float, note: str, other: str,
            gap: float | None) -> Equilibrium:
    """The common :class:`~fedsym.paper.outcome.Equilibrium` with the fields of Model §8 filled in."""
    return Equilibrium(mechanism, accuracy, method, cohort.marginal_cost(np.zeros(cohort.size)), contributions + 0.0,
                       accuracies, utilities, total, unique, zero, residual, verification, eps, note, joined,
                       cohort.lone.data, cohort.lone.utility, other, gap, _lone_method(cohort))


def _cohort(agents: Population | Cohort) -> Cohort:
    return agents if isinstance(agents, Cohort) else Cohort.of(agents)


def _lone_method(cohort: Cohort) -> str:
    flagged = int(cohort.lone.global_search.sum())
    if flagged:
        return (f"first-order condition where v o a is concave, plus a global grid search where it is not "
                f"({flagged} agents)")
    return "first-order condition on the concave region of v o a (compared with m = 0)"


def _labels(cohort: Cohort) -> str:
    return "; ".join(dict.fromkeys(agent.accuracy.label() for agent in cohort.curves))


def _unverified() -> Verification:
    """The verification of a result solved with ``verify=False``."""
    return Verification(False, 0.0, 0, 0.0, "not verified", 0, deviation_tolerance(1.0))


# -- verification ------------------------------------------------------------------------------

def verify_population(cohort: Cohort, mechanism: str, contributions: np.ndarray, joined: np.ndarray,
                  utilities: np.ndarray, eps: float = 0.0, *, tolerance: float | None = None,
                  verify_all_up_to: int = VERIFY_ALL_UP_TO, sample: int = VERIFY_SAMPLE, seed: int = 0,
                  points: int = 65) -> Verification:
    r"""Global search over every distinct agent's deviations, leaving the federation included.

    Agent ``i`` (others' total :math:`M_{-i} = M - m_i` fixed) may leave (utility
    :math:`u_i^*`) or give any :math:`x \in [0, X_i]` with :math:`C_i(X_i) = v_i(a_{opt})`
    (beyond, utility is negative): under standard FL it gets
    :math:`v_i(a_i(M_{-i} + x)) - C_i(x) - J_i`; under shaping its own model for
    :math:`x \le m_i^*` (no joining cost) and the generalized Eq. (13) beyond.  The
    gain is the best of these minus the claimed utility; it counts as none up to *tolerance*
    (default :func:`~fedsym.paper.deviation.deviation_tolerance` of the largest utility, claimed,
    found or alone, so values of accuracy in the thousands are judged relative to their size).

    The search is certified (:func:`~fedsym.paper.deviation.certified_deviations`, from grids of
    *points* each): bounds on intervals show that no contribution gains more than the best found plus
    a tenth of the tolerance; where they cannot, the equilibrium is not verified and the scope says so.
    """
    contributions = np.asarray(contributions, dtype=float)
    total = float(contributions.sum())
    keys = np.column_stack([_agent_keys(cohort), contributions, joined])
    _, first = np.unique(keys, axis=0, return_index=True)
    representatives, scope = np.sort(first), "all distinct agents"
    if representatives.size > verify_all_up_to:
        rng = np.random.default_rng(seed)
        count = representatives.size
        representatives = np.sort(rng.choice(representatives, size=sample, replace=False))
        scope = f"random sample of {sample} of {count} distinct agents"
    shaping = HeterogeneousShaping(cohort, eps) if mechanism == "shaping" else None
    lone = cohort.lone
    rows = representatives
    scale = float(max(np.max(np.abs(utilities[rows])), np.max(np.abs(lone.utility[rows]))))
    resolution = 0.1 * (deviation_tolerance(scale) if tolerance is None else tolerance)
    others = total - contributions[rows]
    upper = np.maximum.reduce([cohort.inverse_cost(cohort.w_max[rows], 0.0, rows), 2 * contributions[rows],
                               2 * lone.data[rows], np.full(rows.size, 1e-9)])
    deviations, ceiling = certified_deviations(
        *_participation_utility_and_bound(cohort, rows, others, shaping), contributions[rows], upper,
        lone.data[rows][:, None] if shaping is not None else np.full((rows.size, 1), np.nan),
        np.full(rows.size, resolution), points=points)
    worst = (0.0, int(rows[0]), float(contributions[rows[0]]))
    uncertain = 0.0
    for i, deviation, top in zip((int(j) for j in rows), deviations, ceiling):
        best_u, best_x = max((deviation.best_utility, deviation.best), (float(lone.utility[i]), -1.0))
        gain = max(0.0, best_u - float(utilities[i]))
        uncertain = max(uncertain, float(top) - best_u)
        scale = max(scale, abs(best_u))
        if gain > worst[0] or i == worst[1]:
            worst = (gain, i, best_x)
    if tolerance is None:
        tolerance = deviation_tolerance(scale)
    verified = worst[0] <= tolerance and uncertain <= resolution
    if uncertain > resolution:
        scope += f", bounds not certified to within {uncertain:.3g}"
    return Verification(verified, worst[0], worst[1], worst[2], scope + ", leaving included",
                        int(rows.size), tolerance)


def _agent_keys(cohort: Cohort) -> np.ndarray:
    """One row per agent that is equal for interchangeable agents (curve, value factor, costs, joining cost)."""
    return np.column_stack([cohort.curve, cohort.p, np.nan_to_num(cohort.linear, nan=-1.0),
                            np.nan_to_num(cohort.quadratic, nan=-1.0), cohort.joining,
                            np.where(cohort.general, cohort.entry, -1)])


def _participation_utility_and_bound(
        cohort: Cohort, rows: np.ndarray, others: np.ndarray, shaping: HeterogeneousShaping | None
) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]]:
    r"""The utility of agent ``rows[r]`` at contribution ``x`` (others' total ``others[r]`` fixed), and an
    upper bound of it on an interval :math:`[a, b]`, as :func:`~fedsym.paper.deviation.certified_deviations`
    takes them (flat arrays ``r, x`` and ``r, a, b``).

    Standard FL: :math:`U = w_i(x + M_{-i}) - C_i(x) - J_i`.  Shaping: up to :math:`m_i^*` the agent's own
    model, :math:`w_i(x) - C_i(x)`; beyond, :math:`\min(\ell_i(x), w_i(x + M_{-i}) - C_i(x) - J_i)` where
    :math:`\ell_i = u_i^* + \varepsilon(x - m_i^*)` is Eq. (13)'s line less cost and joining cost (generalized,
    Model §8), non-decreasing.  Each smooth piece :math:`w_i(\cdot) - C_i` is bounded on :math:`[a, b]` by
    :func:`_piece_bound`, the line by its value at ``b``.
    """
    join, anchor = cohort.joining[rows], cohort.lone.data[rows]
    concave = cohort.concave_from[cohort.curve[rows]] * (1 + 1e-9)

    def line(r: np.ndarray, x: np.ndarray) -> np.ndarray:
        assert shaping is not None
        return shaping.line_value(rows[r], x) - cohort.cost(x, rows[r]) - join[r]

    def utility(r: np.ndarray, x: np.ndarray) -> np.ndarray:
        spent = cohort.cost(x, rows[r])
        shared = cohort.w(x + others[r], rows[r]) - spent - join[r]
        if shaping is None:
            return shared
        own = x <= anchor[r]
        out = np.minimum(line(r, x), shared)
        out[own] = cohort.w(x[own], rows[r[own]]) - spent[own]
        return out

    def bound(r: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if shaping is None:
            return _piece_bound(cohort, rows[r], others[r], join[r], concave[r], a, b)
        own, far = a < anchor[r], b > anchor[r]
        out = np.full(a.shape, -np.inf)
        out[own] = _piece_bound(cohort, rows[r[own]], 0.0, 0.0, concave[r[own]], a[own],
                                np.minimum(b[own], anchor[r[own]]))
        start = np.maximum(a[far], anchor[r[far]])
        beyond = np.minimum(line(r[far], b[far]),
                            _piece_bound(cohort, rows[r[far]], others[r[far]], join[r[far]], concave[r[far]], start,
                                         b[far]))
        out[far] = np.maximum(out[far], beyond)
        return out

    return utility, bound


def _piece_bound(cohort: Cohort, rows: np.ndarray, shift: Any, join: Any, concave: np.ndarray, a: np.ndarray,
                 b: np.ndarray) -> np.ndarray:
    r"""An upper bound of :math:`f(x) = w_i(x + s) - C_i(x) - J` on :math:`[a, b]` for the agents *rows*.

    :math:`w_i` and :math:`C_i` are non-decreasing (Model §8), so :math:`f \le w_i(b + s) - C_i(a) - J` always.
    Where :math:`a + s` is past the point from which :math:`w_i` is concave (*concave*), :math:`f` is concave
    (:math:`C_i` is convex) and lies below its tangents at ``a`` and ``b``: its maximum is at most where they
    meet, :math:`f(a)` if :math:`f'(a) \le 0`, :math:`f(b)` if :math:`f'(b) \ge 0`.  That bound closes on the
    maximum quadratically in the width, so flat maxima need few intervals.
    """
    shift = np.broadcast_to(np.asarray(shift, dtype=float), a.shape)
    join = np.broadcast_to(np.asarray(join, dtype=float), a.shape)
    fb = cohort.w(b + shift, rows) - cohort.cost(b, rows) - join
    ca = cohort.cost(a, rows)
    monotone = fb + cohort.cost(b, rows) - ca
    smooth = a + shift >= concave
    if not np.any(smooth):
        return monotone
    fa = cohort.w(a + shift, rows) - ca - join
    da = cohort.w_prime(a + shift, rows) - cohort.marginal_cost(a, rows)
    db = cohort.w_prime(b + shift, rows) - cohort.marginal_cost(b, rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        meet = fa + da * np.clip((fb - fa - db * (b - a)) / (da - db), 0.0, b - a)
    tangent = np.where(da <= 0, fa, np.where(db >= 0, fb, meet))
    return np.where(smooth, np.minimum(monotone, tangent), monotone)


def _participation_utility(cohort: Cohort, i: int, others: float,
                           shaping: HeterogeneousShaping | None) -> Callable[[np.ndarray], np.ndarray]:
    join = float(cohort.joining[i])
    w, cost = cohort.agent_w(i), cohort.agent_cost(i)
    line = shaping.agent_line(i) if shaping is not None else None
    anchor = float(cohort.lone.data[i])

    def utility(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        spent = cost(x)
        cap = w(x + others)
        if line is None:
            return cap - spent - join
        return np.where(x <= anchor, w(x) - spent, np.minimum(line(x), cap) - spent - join)

    return utility


# -- standard federated learning ------------------------------------------------------------

def _convex_response(cohort: Cohort, rows: np.ndarray, total: float) -> np.ndarray:
    r""":math:`m_i(M) = (C_i')^{-1}(w_i'(M))`, 0 when :math:`C_i'(0) \ge w_i'(M)`."""
    if rows.size == 0:
        return np.zeros(0)
    slope = cohort.w_prime(np.full(rows.size, total), rows)
    base = cohort.marginal_cost(np.zeros(rows.size), rows)
    quadratic = ~cohort.general[rows]
    out = np.zeros(rows.size)
    c1, c2 = cohort.linear[rows], cohort.quadratic[rows]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # capped where a tiny c_2 (a denormal) would overflow: no accuracy gains anything past _MOST_DATA
        out[quadratic] = np.clip((slope - c1) / (2 * c2), 0.0, _MOST_DATA)[quadratic]
    general = np.nonzero(~quadratic)[0]
    for j in general:
        target = slope[j] - base[j]
        if target > 0:
            row = rows[j:j + 1]
            lo, hi = 0.0, 1.0
            while cohort.marginal_cost(np.array([hi]), row)[0] < slope[j] and hi < 1e30:
                hi *= 4
            for _ in range(_STEPS):
                mid = 0.5 * (lo + hi)
                if mid in (lo, hi):
                    break
                lo, hi = (mid, hi) if cohort.marginal_cost(np.array([mid]), row)[0] < slope[j] else (lo, mid)
            out[j] = hi
    return out


def _root_between(g: Callable[[float], float], a: float, b: float) -> float:
    """The end ``a`` of a bracket ``g(a) >= 0 > g(b)`` shrunk by Illinois steps (regula falsi with halving,
    bisection whenever a step would leave the bracket) to ``Settings.fixed_point_rtol`` or the last bits."""
    rtol = current_settings().fixed_point_rtol
    ga, gb = g(a), g(b)
    for _ in range(_STEPS):
        x = (a * gb - b * ga) / (gb - ga) if gb != ga else 0.5 * (a + b)
        if not a < x < b:
            x = 0.5 * (a + b)
            if not a < x < b:
                break
        gx = g(x)
        if gx >= 0:
            a, ga, gb = x, gx, 0.5 * gb
        else:
            b, gb, ga = x, gx, 0.5 * ga
        if b - a <= max(4 * np.spacing(b), rtol * b):
            break
    return a


def _largest_root(g: Callable[[float], float], lo: float, hi: float) -> float:
    """The largest ``x`` in ``[lo, hi]`` with ``g(x) >= 0`` near a sign change (``g(lo) >= 0 > g(hi)``):
    a coarse grid locates the last non-negative cell (``g`` need not be concave), Illinois pins it."""
    grid = np.linspace(lo, hi, _PIECE_GRID)
    values = [g(float(x)) for x in grid[1:]]
    nonnegative = [j + 1 for j, v in enumerate(values) if v >= 0]
    last = nonnegative[-1] if nonnegative else 0
    if last == grid.size - 1:
        return float(hi)
    return _root_between(g, float(grid[last]), float(grid[last + 1]))


def _standard_profile(cohort: Cohort, joined: np.ndarray) -> tuple[np.ndarray, float, str, bool]:
    """Contributions of the joiners under Eq. (10) generalized, the total, a note, uniqueness."""
    n = cohort.size
    profile = np.zeros(n)
    linear = joined & ~cohort.general & (cohort.quadratic == 0)
    convex = np.nonzero(joined & ~linear)[0]

    def excess(total: float) -> float:
        return float(_convex_response(cohort, convex, total).sum()) - total

    total = 0.0
    if convex.size:
        lo = float(cohort.concave_from[np.unique(cohort.curve[convex])].max()) * (1 + 1e-9)
        if excess(lo) > 0:
            hi = lo + float(_convex_response(cohort, convex, lo).sum())
            total = _largest_root(excess, lo, hi)
        else:
            grid = np.geomspace(max(float(cohort.minimum_viable_data.min()), 1e-12), lo, 257)
            positive = [float(x) for x in grid if excess(float(x)) >= 0]
            total = _largest_root(excess, positive[-1], lo) if positive else 0.0
    convex_total = total
    note = "Model §8: agents with convex costs contribute (C_i')^-1(w_i'(M))"
    unique = True
    stops = np.where(linear, cohort.foc_roots, 0.0)
    for i in np.argsort(-stops, kind="stable"):
        i = int(i)
        if stops[i] <= convex_total:
            break
        viable = cohort.lone.data[i] > 0 or convex_total >= cohort.concave_from[cohort.curve[i]]
        if not viable:
            continue
        total = float(stops[i])
        ties = int(np.count_nonzero(linear & np.isclose(stops, total, rtol=1e-12, atol=0.0)))
        profile[i] = total - float(_convex_response(cohort, convex, total).sum())
        unique = ties == 1
        note = (f"Theorem 3.4 generalized: agent {i + 1} has the largest stopping point among linear costs and "
                f"tops the total up to it; other linear-cost agents free-ride")
        if ties > 1:
            note += f" ({ties} agents tie: every split among them is an equilibrium, so it is not unique)"
        break
    profile[convex] = _convex_response(cohort, convex, total)
    return profile, total, note, unique


@dataclass(frozen=True)
class _StandardOutcome:
    """Eq. (10) generalized for one set of joiners: contributions, total, utilities, accuracies, note."""

    joined: np.ndarray
    profile: np.ndarray
    total: float
    utilities: np.ndarray
    accuracies: np.ndarray
    note: str
    unique: bool

    @classmethod
    def of(cls, cohort: Cohort, joined: np.ndarray) -> _StandardOutcome:
        profile, total, note, unique = _standard_profile(cohort, joined)
        inside = cohort.w_at(total) - cohort.cost(profile) - cohort.joining
        utilities = np.where(joined, inside, cohort.lone.utility)
        accuracies = np.where(joined, cohort.accuracy(np.full(cohort.size, total)), cohort.accuracy(cohort.lone.data))
        return cls(joined, profile, total, utilities, accuracies, note, unique)

    def leavers(self, cohort: Cohort) -> np.ndarray:
        """Joiners worse off than alone (:math:`u_i^*`), beyond round-off."""
        lone = cohort.lone.utility
        return self.joined & (lone - self.utilities > 1e-12 * max(1.0, float(np.abs(lone).max())))


def _greatest_joining_set(cohort: Cohort) -> _StandardOutcome:
    r"""The largest set of joiners in which nobody is worse off than alone (Model §8), and its outcome.

    Starting from everybody in, every joiner below :math:`u_i^*` leaves (all at once), until nobody is.
    A joiner's utility is its best response to the others' total :math:`M_{-i}`, which grows when agents
    join (the total grows and each convex agent's own part :math:`m_i(M)` falls), so an agent that is
    worse off in a set is worse off in every subset: no equilibrium contains it, and the iteration ends
    at the largest set that contains every equilibrium's joiners.  An outsider's check differs (it joins
    against the others' *unchanged* total), so that set need not be an equilibrium itself
    (:func:`_join_sets`).
    """
    joined = np.ones(cohort.size, dtype=bool)
    while True:
        outcome = _StandardOutcome.of(cohort, joined)
        leave = outcome.leavers(cohort)
        if not leave.any():
            return outcome
        joined = joined & ~leave


def _join_sets(cohort: Cohort, top: np.ndarray) -> tuple[list[np.ndarray], int]:
    """The sets of joiners below *top* to search, up to interchangeable agents, and how many there are.

    Each group of interchangeable agents (:func:`_agent_keys`) inside *top* may send any number of its
    members; when there are more than :data:`_JOIN_SETS` such sets, only *top* and nobody are searched.
    """
    _, group = np.unique(_agent_keys(cohort), axis=0, return_inverse=True)
    members = [np.nonzero(top & (group.ravel() == g))[0] for g in np.unique(group[top])]
    count = int(np.prod([float(m.size + 1) for m in members]))
    if count > _JOIN_SETS:
        return [top, np.zeros(cohort.size, dtype=bool)], count
    sets = []
    for sizes in itertools.product(*(range(m.size, -1, -1) for m in members)):
        joined = np.zeros(cohort.size, dtype=bool)
        for m, k in zip(members, sizes):
            joined[m[:k]] = True
        sets.append(joined)
    return sets, count


def standard_population(agents: Population | Cohort, *, verify: bool = True,
                        **verify_options: Any) -> Equilibrium:
    r"""Standard federated learning, Eq. (10) generalized (Model §8), with joining decisions.

    The data-maximizing equilibrium: the largest set of joiners in which nobody is worse off than alone
    (:func:`_greatest_joining_set`) unless an outsider gains most by joining there; then the subsets of it
    (:func:`_join_sets`) by decreasing total data, the first whose outcome passes
    :func:`verify_population` (nobody gains by joining, leaving or giving another amount).  Nobody joining
    (everybody alone at :math:`m_i^*`) is always an equilibrium (joining alone gives at most
    :math:`u_i^* - J_i`), so the search ends there at the latest.  With joining costs a larger federation
    may have no equilibrium (an agent gains by leaving when in and by joining when out); the note says so.
    Who joins is decided by the deviation check, so it runs even with ``verify=False``.
    """
    cohort = _cohort(agents)
    top = _greatest_joining_set(cohort)

    def check(outcome: _StandardOutcome) -> Verification:
        return verify_population(cohort, "standard", outcome.profile, outcome.joined, outcome.utilities,
                                 **verify_options)

    chosen, verification = top, check(top)
    first, searched, count = verification, 1, 1
    if not verification.verified and not top.joined[verification.worst_agent]:
        sets, count = _join_sets(cohort, top.joined)
        outcomes = sorted((_StandardOutcome.of(cohort, joined) for joined in sets[1:]),
                          key=lambda o: (-o.total, -int(o.joined.sum())))
        for outcome in outcomes:
            if outcome.leavers(cohort).any():
                continue
            searched += 1
            found = check(outcome)
            if found.verified:
                chosen, verification = outcome, found
                break
    note = chosen.note
    left = int((~chosen.joined).sum())
    if left:
        note += f"; {left} agent(s) stay alone"
    if searched > 1:
        note += (f"; the largest set in which every joiner beats staying alone ({int(top.joined.sum())} join, "
                 f"M = {top.total:.10g}) is no equilibrium (agent {first.worst_agent + 1} gains "
                 f"{first.max_deviation_gain:.3g} by joining); {searched} of its {count} subsets checked by "
                 "deviations")
    other = ""
    nobody = np.zeros(cohort.size, dtype=bool)
    if searched > 1 and chosen.total > 0 and check(_StandardOutcome.of(cohort, nobody)).verified:
        other = "nobody joining (M = 0, everybody alone at m_i*) is an equilibrium too (verified)"
    if not verify:
        verification = _unverified()
    return _result("standard", _labels(cohort), "Eq. (10) generalized (Model §8)", chosen.profile,
                   chosen.accuracies, chosen.utilities, cohort, chosen.joined, chosen.total,
                   chosen.unique and count <= _JOIN_SETS and not other, chosen.total == 0 or bool(other), 0.0,
                   verification, 0.0, note, other, None)


# -- accuracy shaping --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Shaping:
    """:math:`F(M)` of Model §8 for a cohort and a slope margin."""

    cohort: Cohort
    eps: float

    def contributions(self, total: float, joined: np.ndarray) -> np.ndarray:
        r"""Per agent: :math:`\bar m_i(M)` for *joined*, else 0 (a non-joiner shares nothing, Model §8)."""
        lone, c = self.cohort.lone, self.cohort
        gain = np.maximum(c.w_at(total) - lone.value - c.joining, 0.0)
        bar = c.inverse_cost(lone.cost + self.eps * lone.data + gain, self.eps)
        return np.where(joined, np.maximum(bar, lone.data), 0.0)

    def excess(self, total: float, joined: np.ndarray) -> float:
        return float(self.contributions(total, joined).sum()) - total

    def upper(self) -> float:
        """:math:`F(\\infty)`: nobody's line reaches past :math:`v_i(a_{opt})`, so every fixed point is below."""
        lone, c = self.cohort.lone, self.cohort
        finite = np.isfinite(c.thresholds)
        gain = np.maximum(c.w_max - lone.value - c.joining, 0.0)
        bar = c.inverse_cost(lone.cost + self.eps * lone.data + gain, self.eps)
        return float(np.where(finite, np.maximum(bar, lone.data), 0.0).sum())

    @property
    def _sorted_thresholds(self) -> np.ndarray:
        t = self.cohort.thresholds
        return np.unique(t[np.isfinite(t)])

    def largest(self) -> tuple[float, np.ndarray]:
        r"""The largest fixed point and its joiners.

        From ``x = F(\infty)`` down: on the piece ``[p, x]`` below ``x`` on which the joiner set is fixed
        (``p`` the largest threshold <= ``x``), a fixed point is looked for (sign of ``F - M`` at ``p`` and on a
        grid); without one, ``x = F(p^-) < p`` is the next upper bound (:math:`F` is non-decreasing, so
        iterates from above stay above the largest fixed point) and pieces in between are skipped.
        """
        x = self.upper()
        thresholds = self._sorted_thresholds
        while True:
            below = thresholds[thresholds <= x]
            low = float(below[-1]) if below.size else 0.0
            joined = self.cohort.thresholds <= low

            def g(y: float, joined: np.ndarray = joined) -> float:
                return self.excess(y, joined)

            if x <= 0 or g(low) >= 0:
                return (_largest_root(g, low, x) if x > low else low), joined
            grid = np.linspace(low, x, _PIECE_GRID)[1:-1]
            values = np.array([g(float(y)) for y in grid])
            if values.size and values.max() >= 0:
                return _largest_root(g, float(grid[int(np.argmax(values))]), x), joined
            x = float(self.contributions(low, self.cohort.thresholds < low).sum())

    def least(self) -> tuple[float, np.ndarray]:
        r"""The least fixed point and its joiners: from ``x = 0`` up (``F(0) >= 0``), the mirror of :meth:`largest`
        (iterates ``x = F(x)`` from below stay below the least fixed point)."""
        upper = self.upper()
        thresholds = self._sorted_thresholds
        x = 0.0
        while True:
            joined = self.cohort.thresholds <= x
            if self.excess(x, joined) <= 1e-15 * max(x, 1.0):
                return x, joined
            above = thresholds[thresholds > x]
            high = float(above[0]) if above.size and above[0] <= upper else upper
            grid = np.linspace(x, high, _PIECE_GRID)
            values = [self.excess(float(y), joined) for y in grid[1:]]
            negative = [k + 1 for k, v in enumerate(values) if v < 0]
            if negative:
                root = _root_between(functools.partial(self.excess, joined=joined),
                                     float(grid[negative[0] - 1]), float(grid[negative[0]]))
                return root, self.cohort.thresholds <= root
            x = max(high, float(self.contributions(high, self.cohort.thresholds <= high).sum()))


def shaping_population(agents: Population | Cohort, eps: Any = 0.0, *, verify: bool = True,
                               **verify_options: Any) -> Equilibrium:
    r"""Accuracy shaping for agents that differ (Eq. (13) generalized, Model §8): the largest fixed point.

    Agent ``i`` joins at total ``M`` iff :math:`v_i(a_i(M)) - v_i(a_i(m_i^*)) \ge J_i` and then gives
    :math:`\bar m_i(M)`, the root of
    :math:`C_i(m) - C_i(m_i^*) + \varepsilon(m - m_i^*) = v_i(a_i(M)) - v_i(a_i(m_i^*)) - J_i`.
    Unlike standard FL, no outsider gains by joining at the largest fixed point :math:`M`: if
    :math:`w_i(M + m_i^*) - w_i(m_i^*) \ge J_i` for an outsider, :math:`F(M + x) \ge M + x` for some
    :math:`x \le m_i^*` (:math:`\bar m_i \ge m_i^*`), so a larger fixed point would exist; below that its
    line gives at most :math:`u_i^*` (plus :math:`\varepsilon` terms, checked by the verifier).
    Reports the least fixed point in ``other_equilibria`` when it is smaller (with its own
    verification), and checks Theorem 4.6 (:math:`U_i = u_i^* + \varepsilon(\bar m_i - m_i^*)` for joiners,
    with :math:`U_i` from the mechanism object's accuracies).
    """
    cohort = _cohort(agents)
    eps = parse_eps(eps)
    shaping = _Shaping(cohort, eps)
    lone = cohort.lone
    total, joined = shaping.largest()
    profile = shaping.contributions(total, joined)
    residual = abs(float(profile.sum()) - total) / total if total > 0 else 0.0
    utilities, accuracies = _shaping_outcome(cohort, eps, profile, joined)
    gap = float(np.max(np.abs(utilities - lone.utility - eps * (profile - lone.data))[joined])) if joined.any() else 0.0
    verification = verify_population(cohort, "shaping", profile, joined, utilities, eps, **verify_options) if verify \
        else _unverified()
    least, least_joined = shaping.least()
    other = ""
    if least < total * (1 - 1e-9):
        least_profile = shaping.contributions(least, least_joined)
        who = "no data at all" if least == 0 else "nobody joins" if not least_joined.any() else \
            f"{int(least_joined.sum())} of {cohort.size} join"
        other = f"a smaller fixed point M = {least:.10g} ({who})"
        if verify:
            least_u, _ = _shaping_outcome(cohort, eps, least_profile, least_joined)
            check = verify_population(cohort, "shaping", least_profile, least_joined, least_u, eps, **verify_options)
            other += (" is an equilibrium too (verified)" if check.verified else
                      f" is not an equilibrium (an agent gains {check.max_deviation_gain:.3g} by deviating)")
    note = (f"Model §8: {int(joined.sum())} of {cohort.size} agents join, each giving at least its lone optimum "
            "m_i*; the others work alone at m_i* and share nothing")
    return _result("shaping", _labels(cohort), "Eq. (13) generalized: largest fixed point of F (Model §8)",
                   profile, accuracies, utilities, cohort, joined, total, not other, least == 0, residual,
                   verification, eps, note, other, gap)


def _shaping_outcome(cohort: Cohort, eps: float, profile: np.ndarray,
                     joined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Utilities and accuracies from the mechanism object (joiners pay J_i; others get u_i* alone)."""
    mechanism = HeterogeneousShaping(cohort, eps)
    accuracies = mechanism.accuracies(profile)
    inside = cohort.value(accuracies) - cohort.cost(profile) - cohort.joining
    return np.where(joined, inside, cohort.lone.utility), np.where(joined, accuracies, cohort.accuracy(cohort.lone.data))


def best_response_population(agents: Population | Cohort, mechanism: str, eps: Any = 0.0, *, rtol: float = 1e-10,
                         max_sweeps: int = 200, points: int = 2001, verify: bool = True,
                         **verify_options: Any) -> Equilibrium:
    r"""An equilibrium by best-response dynamics, agent by agent (Gauss-Seidel), for either mechanism.

    Starts from the lone optima (everybody joined at :math:`m_i^*`); each agent in turn
    moves to its best response to the others' total, found by the same global search
    as :func:`verify_population` (leaving included: then it works alone at :math:`m_i^*` and
    contributes nothing).  Stops when
    no contribution changes by more than *rtol* relative to the total.  The independent
    reference of the one-dimensional solvers (benchmarks, tests); O(n) searches per sweep.
    """
    cohort = _cohort(agents)
    eps = parse_eps(eps)
    shaping = HeterogeneousShaping(cohort, eps) if mechanism == "shaping" else None
    lone = cohort.lone
    profile = np.array(lone.data, dtype=float)
    joined = np.ones(cohort.size, dtype=bool)
    sweeps, converged = 0, False
    while not converged and sweeps < max_sweeps:
        sweeps += 1
        change = 0.0
        for i in range(cohort.size):
            others = float(profile.sum() - profile[i])
            utility = _participation_utility(cohort, i, others, shaping)
            upper = max(float(cohort.inverse_cost(np.array([cohort.w_max[i]]), 0.0, np.array([i]))[0]),
                        2 * float(profile[i]), 2 * float(lone.data[i]), 1e-9)
            special = shaping.kinks_total(i, others) if shaping is not None else ()
            deviation = best_deviation(utility, float(profile[i]), upper, special=special, points=points)
            leave = float(lone.utility[i]) > deviation.best_utility
            new = 0.0 if leave else deviation.best
            change = max(change, abs(new - profile[i]))
            profile[i], joined[i] = new, not leave
        converged = change <= rtol * max(float(profile.sum()), 1e-300)
    total = float(profile.sum())
    if shaping is not None:
        utilities, accuracies = _shaping_outcome(cohort, eps, profile, joined)
    else:
        inside = cohort.w_at(total) - cohort.cost(profile) - cohort.joining
        utilities = np.where(joined, inside, lone.utility)
        accuracies = np.where(joined, cohort.accuracy(np.full(cohort.size, total)), cohort.accuracy(lone.data))
    verification = verify_population(cohort, mechanism, profile, joined, utilities, eps, **verify_options) if verify \
        else _unverified()
    note = f"best-response dynamics {'converged' if converged else 'did not converge'} in {sweeps} sweeps"
    return _result(mechanism, _labels(cohort), "best-response dynamics", profile, accuracies, utilities, cohort,
                   joined, total, False, False, 0.0, verification, eps, note, "", None)


def solve_population(mechanism: str, agents: Population | Cohort, eps: Any = 0.0, **options: Any) -> Equilibrium:
    """The solver of *mechanism* (``standard`` or ``shaping``) for agents that differ."""
    if mechanism == "standard":
        if parse_eps(eps) != 0:
            raise ParameterError(f"eps={eps}: the slope margin applies to the shaping mechanism only")
        return standard_population(agents, **options)
    if mechanism == "shaping":
        return shaping_population(agents, eps, **options)
    raise ParameterError(f"unknown mechanism {mechanism!r} (known: standard, shaping)")
