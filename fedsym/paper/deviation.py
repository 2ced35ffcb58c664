r"""Global search over one agent's deviations: the verifier of every equilibrium.

A mechanism's utility :math:`U_i(m_i) = \gamma_i(m_i; m_{-i}) - c_i m_i` is
piecewise smooth with kinks and, because of the :math:`\max(0,\cdot)` in
Theorem 3.3, jumps (Fig. 6); a local test at the claimed point misses a better
deviation far away.  :func:`best_deviation` therefore evaluates the utility on
a dense grid over ``[0, upper]`` (linear and logarithmic, plus points the
caller knows are special: kinks, thresholds), then refines the best few grid
maxima by golden-section search on their neighbouring cells.

A gain counts as none when it is at most :func:`deviation_tolerance` of the
utilities' scale: ``Settings.deviation_tolerance * max(1, scale)``, so utilities
of :math:`10^5` (a value of accuracy like RealFM's) are judged like accuracies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from fedsym.core.settings import Settings, current_settings
from fedsym.core.solve import golden_section

__all__ = ["Deviation", "best_deviation", "best_deviations", "deviation_tolerance", "DEVIATION_TOLERANCE"]

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


def best_deviations(
    utility: Callable[[np.ndarray], np.ndarray],
    claimed: np.ndarray,
    upper: np.ndarray,
    special: np.ndarray,
    *,
    points: int = 4001,
    refine: int = 5,
) -> list[Deviation]:
    """:func:`best_deviation` for many agents at once, the same grids and refinement, vectorized over agents.

    ``utility(x)`` takes an array of shape ``(k, j)`` whose row ``r`` holds contributions of agent ``r``
    and returns their utilities; *claimed* and *upper* have one entry per agent, *special* one row per agent
    (NaN where an agent has fewer special points).  Golden-section refinement runs on all agents' best
    cells together, to the same width as :func:`best_deviation`.
    """
    claimed, upper = np.asarray(claimed, dtype=float), np.asarray(upper, dtype=float)
    if not np.all((upper > 0) & np.isfinite(upper)):
        raise ValueError("search bounds must be positive and finite")
    extra = np.column_stack([np.where(np.isfinite(special), special, claimed[:, None]), claimed])
    unit = np.concatenate([np.linspace(0.0, 1.0, points), np.geomspace(1e-12, 1.0, points)])
    grid = np.concatenate([upper[:, None] * unit, extra, extra * (1 - 1e-9), extra * (1 + 1e-9)], axis=1)
    grid = np.sort(np.clip(grid, 0.0, upper[:, None]), axis=1)
    values = np.asarray(utility(grid), dtype=float)
    if not np.all(np.isfinite(values)):
        raise ArithmeticError("utility is not finite on the search grid")
    rows = np.arange(claimed.size)
    best_index = np.argmax(values, axis=1)
    best_x, best_u = grid[rows, best_index], values[rows, best_index]
    count = min(refine, values.shape[1])
    top = np.argpartition(values, values.shape[1] - count, axis=1)[:, values.shape[1] - count:]
    lo = grid[rows[:, None], np.maximum(top - 1, 0)]
    hi = grid[rows[:, None], np.minimum(top + 1, grid.shape[1] - 1)]
    x, u = _golden_rows(utility, lo, hi)
    better = np.argmax(u, axis=1)
    refined_x, refined_u = x[rows, better], u[rows, better]
    best_x, best_u = np.where(refined_u > best_u, refined_x, best_x), np.maximum(refined_u, best_u)
    claimed_u = np.asarray(utility(claimed[:, None]), dtype=float)[:, 0]
    return [Deviation(float(bx), float(bu), float(c), float(cu))
            for bx, bu, c, cu in zip(best_x, best_u, claimed, claimed_u)]


#: golden-section steps at most (each shrinks a cell by 0.618: 200 take any double cell below its width)
_GOLDEN_STEPS = 200


def _golden_rows(utility: Callable[[np.ndarray], np.ndarray], a: np.ndarray,
                 b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Golden-section maximization on every cell ``[a, b]`` at once, to the width of :func:`_golden`."""
    invphi = (5 ** 0.5 - 1) / 2
    width = 1e-13 * np.maximum(1.0, np.abs(a) + np.abs(b))
    x1, x2 = b - invphi * (b - a), a + invphi * (b - a)
    f1, f2 = utility(x1), utility(x2)
    for _ in range(_GOLDEN_STEPS):
        if not np.any(np.abs(b - a) > width):
            break
        left = f1 < f2  # the maximum is right of x1
        a, b = np.where(left, x1, a), np.where(left, b, x2)
        x1, x2, f1, f2 = np.where(left, x2, b - invphi * (b - a)), np.where(left, a + invphi * (b - a), x1), \
            np.where(left, f2, 0.0), np.where(left, 0.0, f1)
        fresh = utility(np.where(left, x2, x1))
        f1, f2 = np.where(left, f1, fresh), np.where(left, fresh, f2)
    x = (a + b) / 2
    return x, np.asarray(utility(x), dtype=float)


def _golden(utility: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> tuple[float, float]:
    """Golden-section refinement of one grid cell in double precision."""
    def f(x: float) -> float:
        return float(np.asarray(utility(np.array([x])))[0])

    return golden_section(f, lo, hi, 1e-13 * max(1.0, abs(lo) + abs(hi)))
