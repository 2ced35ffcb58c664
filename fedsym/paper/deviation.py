r"""Global search over one agent's deviations: the verifier of every equilibrium.

A mechanism's utility :math:`U_i(m_i) = \gamma_i(m_i; m_{-i}) - c_i m_i` is
piecewise smooth with kinks and, because of the :math:`\max(0,\cdot)` in
Theorem 3.3, jumps (Fig. 6); a local test at the claimed point misses a better
deviation far away.  :func:`best_deviation` therefore evaluates the utility on
a dense grid over ``[0, upper]`` (linear and logarithmic, plus points the
caller knows are special: kinks, thresholds), then refines the best few grid
maxima by golden-section search on their neighbouring cells.

:func:`certified_deviations` searches many agents at once and cannot miss a
peak: from coarse grids it halves every interval on which an upper bound of the
utility (given by the caller, e.g. from monotonicity and concavity) still exceeds
the best value found, so the result is the maximum to within a stated resolution.

A gain counts as none when it is at most :func:`deviation_tolerance` of the
utilities' scale: ``Settings.deviation_tolerance * max(1, scale)``, so utilities
of :math:`10^5` (a value of accuracy like RealFM's) are judged like accuracies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from fedsym.core.errors import ComputationError
from fedsym.core.settings import Settings, current_settings
from fedsym.core.solve import golden_section
from fedsym.paper.outcome import VERIFY_ALL_UP_TO, VERIFY_SAMPLE, Verification

__all__ = ["Deviation", "best_deviation", "certified_deviations", "search_deviations", "deviation_tolerance", "DEVIATION_TOLERANCE"]

#: The default of ``Settings.deviation_tolerance`` for utilities of scale at most 1
#: (the paper's: accuracies minus costs, rounding below 1e-13 in double precision).
DEVIATION_TOLERANCE = Settings().deviation_tolerance


def deviation_tolerance(scale: float) -> float:
    """The largest gain that counts as no gain for utilities of magnitude *scale*:
    ``Settings.deviation_tolerance * max(1, scale)`` (relative to the utilities, absolute below 1)."""
    return current_settings().deviation_tolerance * max(1.0, float(scale))


@dataclass(frozen=True)
class Deviation:
    """The best deviation found: where, its utility, and the gain over the claimed point."""

    best: float
    best_utility: float
    claimed: float
    claimed_utility: float

    @property
    def gain(self) -> float:
        """Utility gained by moving from the claimed point to the best one (>= 0 up to rounding)."""
        return max(0.0, self.best_utility - self.claimed_utility)

    def verified(self, tolerance: float = DEVIATION_TOLERANCE) -> bool:
        return self.gain <= tolerance


def best_deviation(
    utility: Callable[[np.ndarray], np.ndarray],
    claimed: float,
    upper: float,
    *,
    special: Iterable[float] = (),
    points: int = 4001,
    refine: int = 5,
) -> Deviation:
    """Globally search ``utility`` (vectorized over numpy arrays) on ``[0, upper]``.

    Parameters
    ----------
    utility:
        :math:`m \\mapsto U_i(m)` for one agent, others fixed; vectorized.
    claimed:
        The agent's equilibrium contribution.
    upper:
        Upper end of the search; beyond it utility must be lower (e.g. where
        cost exceeds the best accuracy, :math:`m > 1/c_i`).
    special:
        Extra points to include (kinks, thresholds, the claimed point's neighbours).
    points:
        Grid size of each of the linear and logarithmic grids.
    refine:
        Number of best grid cells refined by golden-section search.
    """
    if not (upper > 0 and np.isfinite(upper)):
        raise ValueError(f"search bound must be positive and finite, got {upper!r}")
    linear = np.linspace(0.0, upper, points)
    logarithmic = np.geomspace(upper * 1e-12, upper, points)
    extra = np.array([x for x in special if 0 <= x <= upper] + [claimed], dtype=float)
    grid = np.unique(np.concatenate([linear, logarithmic, extra, extra * (1 - 1e-9), extra * (1 + 1e-9)]))
    grid = grid[(grid >= 0) & (grid <= upper)]
    values = np.asarray(utility(grid), dtype=float)
    if not np.all(np.isfinite(values)):
        raise ArithmeticError("utility is not finite on the search grid")
    best_x, best_u = float(grid[np.argmax(values)]), float(values.max())
    for index in np.argsort(values)[::-1][:refine]:
        lo, hi = grid[max(index - 1, 0)], grid[min(index + 1, grid.size - 1)]
        x, u = _golden(utility, float(lo), float(hi))
        if u > best_u:
            best_x, best_u = x, u
    claimed_u = float(np.asarray(utility(np.array([claimed], dtype=float)))[0])
    return Deviation(best_x, best_u, float(claimed), claimed_u)


def search_deviations(utility_of: Callable[[int], Callable[[np.ndarray], np.ndarray]], contributions: np.ndarray,
                      utilities: np.ndarray, alone: np.ndarray, upper: np.ndarray, keys: np.ndarray, *,
                      special: Callable[[int], tuple[float, ...]] = lambda i: (), points: int = 4001,
                      verify_all_up_to: int = VERIFY_ALL_UP_TO, sample: int = VERIFY_SAMPLE,
                      seed: int = 0) -> Verification:
    r"""The global deviation search (:func:`best_deviation`) over each distinct agent,
    leaving included.

    Agent ``i`` may give any :math:`x \in [0, \text{upper}_i]` (utility ``utility_of(i)(x)``, the others fixed)
    or leave and work alone (utility ``alone[i]``, :math:`u_i^*`); its gain is the best of these minus its
    claimed ``utilities[i]``.  Agents with equal rows of *keys* face the same problem and one is searched.
    The tolerance is :func:`deviation_tolerance` of the largest utility seen.
    """
    _, first = np.unique(keys, axis=0, return_index=True)
    representatives, scope = np.sort(first), "all distinct agents"
    if representatives.size > verify_all_up_to:
        count = representatives.size
        representatives = np.sort(np.random.default_rng(seed).choice(representatives, size=sample, replace=False))
        scope = f"random sample of {sample} of {count} distinct agents"
    worst, scale = (0.0, int(representatives[0]), float(contributions[representatives[0]])), 0.0
    for i in (int(j) for j in representatives):
        deviation = best_deviation(utility_of(i), float(contributions[i]), float(upper[i]), special=special(i),
                                   points=points)
        best_u, best_x = max((deviation.best_utility, deviation.best), (float(alone[i]), -1.0))
        gain = max(0.0, best_u - float(utilities[i]))
        scale = max(scale, abs(best_u), abs(float(utilities[i])))
        if gain > worst[0] or i == worst[1]:
            worst = (gain, i, best_x)
    tolerance = deviation_tolerance(scale)
    return Verification(worst[0] <= tolerance, worst[0], worst[1], worst[2], scope + ", leaving included",
                        int(representatives.size), tolerance)


def certified_deviations(
    utility: Callable[[np.ndarray, np.ndarray], np.ndarray],
    bound: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    claimed: np.ndarray,
    upper: np.ndarray,
    nodes: np.ndarray,
    resolution: np.ndarray,
    *,
    points: int = 65,
    max_intervals: int = 4096,
) -> tuple[list[Deviation], np.ndarray]:
    """Global search of many agents' deviations, each certified by bounds on intervals (branch and bound).

    Agent ``r``'s utility on ``[0, upper[r]]`` is ``utility(r, x)`` (flat arrays of agents and
    contributions); ``bound(r, a, b)`` is an upper bound of it on ``[a, b]``, e.g. ``G(b) - H(a)`` when
    the utility is ``G - H`` with both non-decreasing.  Each agent starts from a linear and a logarithmic
    grid of *points* each plus its *nodes* (one row per agent, NaN where it has fewer) and its claimed
    point; every interval whose bound exceeds the best utility found by more than ``resolution[r]`` is
    halved, until none does.  Unlike a grid, this cannot miss a narrow peak: no contribution is better
    than the best found by more than the resolution.

    Returns the best deviation of each agent and the certified upper bound of its utility (the best
    found plus at most the resolution; more only where the budget of *max_intervals* open intervals
    per agent, on average, stopped the halving first).
    """
    claimed, upper = np.asarray(claimed, dtype=float), np.asarray(upper, dtype=float)
    if not np.all((upper > 0) & np.isfinite(upper)):
        raise ValueError("search bounds must be positive and finite")
    count = claimed.size
    unit = np.concatenate([np.linspace(0.0, 1.0, points), np.geomspace(1e-12, 1.0, points)])
    extra = np.where(np.isfinite(nodes), nodes, claimed[:, None])
    grid = np.concatenate([upper[:, None] * unit, extra, claimed[:, None]], axis=1)
    grid = np.sort(np.clip(grid, 0.0, upper[:, None]), axis=1)
    agent = np.repeat(np.arange(count), grid.shape[1])
    values = _finite(utility(agent, grid.ravel())).reshape(grid.shape)
    best_index = np.argmax(values, axis=1)
    best_x, best_u = grid[np.arange(count), best_index], values[np.arange(count), best_index]
    a, b = grid[:, :-1].ravel(), grid[:, 1:].ravel()
    which = np.repeat(np.arange(count), grid.shape[1] - 1)
    keep = b > a
    which, a, b = which[keep], a[keep], b[keep]
    certified = best_u.copy()
    while which.size:
        ceiling = bound(which, a, b)
        mid = 0.5 * (a + b)
        open_ = (ceiling > best_u[which] + resolution[which]) & (mid > a) & (mid < b)  # halved: still undecided
        settled = ~open_  # decided, or too narrow to halve in double precision: its bound stands
        np.maximum.at(certified, which[settled], ceiling[settled])
        which, a, b, mid = which[open_], a[open_], b[open_], mid[open_]
        if not which.size:
            break
        if 2 * which.size > max_intervals * count:
            np.maximum.at(certified, which, bound(which, a, b))
            break
        found = _finite(utility(which, mid))
        order = np.lexsort((found, which))  # per agent, its largest new value last
        last = np.r_[which[order][1:] != which[order][:-1], True]
        rows, top = which[order][last], order[last]
        better = found[top] > best_u[rows]
        best_u[rows[better]], best_x[rows[better]] = found[top][better], mid[top][better]
        which, a, b = np.concatenate([which, which]), np.concatenate([a, mid]), np.concatenate([mid, b])
    claimed_u = _finite(utility(np.arange(count), claimed))
    deviations = [Deviation(float(bx), float(bu), float(c), float(cu))
                  for bx, bu, c, cu in zip(best_x, best_u, claimed, claimed_u)]
    return deviations, np.maximum(certified, best_u)


def _finite(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(values)):
        raise ComputationError("a deviation's utility is not finite on the search grid")
    return values


def _golden(utility: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> tuple[float, float]:
    """Golden-section refinement of one grid cell in double precision."""
    def f(x: float) -> float:
        return float(np.asarray(utility(np.array([x])))[0])

    return golden_section(f, lo, hi, 1e-13 * max(1.0, abs(lo) + abs(hi)))
