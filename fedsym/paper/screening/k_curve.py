r"""The screening mechanism curve: Eq. (14) for two types (App. B), a chain of lines for :math:`K` (Model §6, §9).

Agent ``i``, whatever its type, is offered one curve built from the menu
:math:`(m_k, \gamma_k)` of :func:`fedsym.paper.screening.k_types.optimal_menu_k` (recomputed for each
:math:`m_{-i}`), with utilities :math:`U_k = \gamma_k - c_k m_k` and the dearest type's lone
optimum :math:`m_K^*`:

.. math::
    \gamma(m) = \max\{a(m),\ \min\{\ell(m), A(m)\}\},\qquad
    \ell(m) = \begin{cases} a(m) & m \le m_K^* \\ \min_k \ell_k(m) & m > m_K^* \end{cases},\qquad
    \ell_k(m) = y_k + (c_k + \varepsilon)(m - x_k),

:math:`\ell_k` the line of type :math:`k`'s slope (raised by :math:`\varepsilon \ge 0`) through
its menu point :math:`(x_k, y_k) = (m_k, \gamma_k)` for :math:`k < K`, and for the dearest type
through the point of its indifference line at its lone optimum,
:math:`(m_K^*, U_K + c_K m_K^*)`: point A of Fig. 5, :math:`(m_H^*, a(m_H^*))`, since its IR binds.
At :math:`\varepsilon = 0`, :math:`\ell_k = U_k + c_k m` and :math:`\ell` beyond :math:`m_K^*` is the
lower envelope of the types' indifference lines, a chain of line pieces of slopes
:math:`c_K, \dots, c_1` under the cap :math:`A`; on it type :math:`k` earns
:math:`\min_j (U_j + (c_j - c_k) m) \le U_k`, equal to :math:`U_k` on its own piece, and below
:math:`m_K^*` at most :math:`a(m_K^*) - c_k m_K^* \le U_k`.  IR (:math:`U_j \ge u_j^*`) makes
:math:`\ell_k \ge a`, so the outer :math:`\max` only matters where the curve meets :math:`A`
(or where :math:`\varepsilon > 0` lowers a line left of its point).  For :math:`K = 2` this is
Eq. (14): :math:`\ell = \min\{a(m_H^*) + c_H(m - m_H^*),\ R + c_L m\}` beyond :math:`m_H^*`,
:math:`R` the low type's utility.  :math:`\varepsilon > 0` makes each best response strict (and moves
a kink where an IC binds by :math:`O(\varepsilon)`).  :func:`verify_menu_k` checks by global search
(:func:`fedsym.paper.deviation.best_deviation`) that every type's best response is its menu point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np

from fedsym.core.derived import mp_value
from fedsym.core.errors import ComputationError, ConvergenceError
from fedsym.core.solve import DPS
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.deviation import Deviation, best_deviation
from fedsym.paper.mechanisms import AnonymousMechanism, parse_eps
from fedsym.paper.screening.k_types import KMenu, KTypes, optimal_menu_k

__all__ = ["KScreeningMechanism", "verify_menu_k"]


@dataclass(frozen=True, eq=False)
class KScreeningMechanism(AnonymousMechanism):
    r"""Eq. (14) for :math:`K` types: the same curve offered to every agent, built on the optimal menu.

    Feasible (:math:`\gamma \le A`) and IR (:math:`\gamma \ge a`) by construction.

    Parameters
    ----------
    accuracy:
        The accuracy function :math:`a`.
    types:
        The cost types and prior (:class:`fedsym.paper.screening.cost_types.KTypes`;
        :meth:`KTypes.two <fedsym.paper.screening.cost_types.KTypes.two>` for App. B).
    eps:
        Slope margin :math:`\varepsilon \ge 0` (default 0, the paper's limit).
    value:
        Value of accuracy :math:`v(a)` (default ``None``: :math:`v(a) = a`); the curve is then built in value
        units and mapped back through :math:`v^{-1}` (:mod:`fedsym.paper.screening.value`).  A type's
        utility on it is :math:`v(\gamma) - c\,m`: check it with :func:`verify_menu_k`, not with
        :func:`fedsym.paper.equilibrium.verify_equilibrium` (whose utility is :math:`\gamma - c\,m`; it refuses
        such a curve).
    """

    accuracy: BoundAccuracy
    types: KTypes
    eps: float = 0.0
    name: str = "screening"
    n_agents: int | None = None
    value: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "eps", parse_eps(self.eps))

    def menu(self, others: float) -> KMenu:
        """The optimal menu for an agent facing *others* data (cached by the solver)."""
        return optimal_menu_k(self.accuracy, self.types, others, self.value)

    def lines(self, menu: KMenu) -> tuple[mp.mpf, tuple[tuple[mp.mpf, mp.mpf, mp.mpf], ...]]:
        r""":math:`m_K^*` and, per type (cost order), the line :math:`\ell_k` as ``(x_k, y_k, c_k + eps)``
        (value units, :attr:`KMenu.levels <fedsym.paper.screening.k_types.KMenu.levels>`)."""
        with mp.workdps(DPS):
            start = menu.alone_data[-1]
            points = [*zip(menu.contributions[:-1], menu.levels[:-1]),
                      (start, menu.utilities[-1] + mp_value(self.types.costs[-1]) * start)]
            return start, tuple((x, y, mp_value(c) + self.eps) for (x, y), c in zip(points, self.types.costs))

    def gamma_total(self, i: int, m_i: np.ndarray, others: float) -> np.ndarray:
        r""":math:`\gamma(m)`: the curve built in value units, :math:`v^{-1}(\max\{w, \min\{\ell, W\}\})`
        (:math:`v(a) = a`: Eq. (14) as it stands)."""
        menu = self.menu(others)
        start, lines = self.lines(menu)
        cap = menu.cap
        m_i = np.asarray(m_i, dtype=float)
        own = cap.level_np(self.accuracy.a_np(m_i))
        envelope = np.minimum.reduce([float(y) + float(slope) * (m_i - float(x)) for x, y, slope in lines])
        shaped = np.maximum(own, np.minimum(envelope, cap.level_np(self.accuracy.a_np(m_i + others))))
        return cap.accuracy_np(np.where(m_i <= float(start), own, shaped))

    def kinks_total(self, i: int, others: float) -> tuple[float, ...]:
        r""":math:`m_K^*`, the menu points, the corners of adjacent lines and the known-cost
        contributions :math:`\bar m_k` (where a line through a lone optimum meets the cap)."""
        menu = self.menu(others)
        start, lines = self.lines(menu)
        with mp.workdps(DPS):
            corners = [(y0 - y1 - s0 * x0 + s1 * x1) / (s1 - s0) for (x0, y0, s0), (x1, y1, s1) in zip(lines, lines[1:])]
        return tuple(float(m) for m in (start, *menu.contributions, *corners, *menu.known_cost))


def verify_menu_k(mechanism: KScreeningMechanism, menu: KMenu, *, points: int = 4001) -> tuple[Deviation, ...]:
    r"""Global search of every type's deviations on the curve from its menu point (cost order).

    Type :math:`k`'s utility :math:`v(\gamma(x)) - c_k x` (:math:`v` the menu's value of accuracy, Model §8)
    is searched on :math:`[0, \max(\max(1, v(a_{opt}))/c_k, 2 m_1)]` (beyond :math:`v(a_{opt})/c_k` utility is
    negative), with the curve's kinks among the grid points.
    """
    others = float(menu.others)
    curve = mechanism.curve_total(0, others)
    special = mechanism.kinks_total(0, others)
    top, level = 2.0 * float(menu.contributions[0]), max(1.0, float(menu.cap.top))
    results = []
    for cost, claimed in zip(menu.types.costs, menu.contributions):
        c = float(cost)

        def utility(x: np.ndarray, c: float = c) -> np.ndarray:
            return menu.cap.level_np(curve(x)) - c * x

        results.append(_searched_deviation(utility, float(claimed), max(level / c, top), special, points, c))
    return tuple(results)


def _searched_deviation(utility: Callable[[np.ndarray], np.ndarray], claimed: float, top: float,
                        special: tuple[float, ...], points: int, cost: float) -> Deviation:
    """:func:`fedsym.paper.deviation.best_deviation` on ``[0, top]``; a search that cannot run in
    double precision (utility not finite: data beyond 1e308) is a :class:`ConvergenceError` naming the type."""
    try:  # a non-finite utility is refused by best_deviation: no overflow warnings on the way
        with np.errstate(over="ignore", invalid="ignore"):
            return best_deviation(utility, claimed, top, special=special, points=points)
    except ArithmeticError as error:
        if isinstance(error, ComputationError):
            raise
        raise ConvergenceError(f"screening: best-response search of the type with cost {cost:g} failed ({error})") from None
