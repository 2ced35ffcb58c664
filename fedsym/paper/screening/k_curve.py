r"""The :math:`K`-type screening curve, generalizing Eq. (14), as a :class:`~fedsym.paper.mechanisms.Mechanism` (Model §9).

Agent ``i``, whatever its type, is offered one curve built from the menu
:math:`(m_k, \gamma_k)` of :func:`fedsym.paper.screening.k_types.optimal_menu_k` (recomputed for each
:math:`m_{-i}`), with utilities :math:`U_k = \gamma_k - c_k m_k`:

.. math::
    \gamma(m) = \max\{a(m),\ \min\{\ell(m), A(m)\}\},\qquad
    \ell(m) = \min_k \big(U_k + c_k m\big),

a chain of line pieces of slopes :math:`c_K, \dots, c_1` (the lower envelope of the
types' indifference lines through their points) under the cap :math:`A`.  On it type
:math:`k` earns :math:`\min_j (U_j + (c_j - c_k) m) \le U_k`, equal to :math:`U_k` on its own
piece, whose right end is :math:`(U_{k-1} - U_k)/\Delta_{k-1}`; IR (:math:`U_j \ge u_j^*`)
makes :math:`\ell \ge a`, so the outer :math:`\max` only matters where the curve meets
:math:`A`.  For :math:`K = 2` the curve is Eq. (14) except below :math:`m_H^*`, where
Eq. (14) gives :math:`a(m)` and this curve the line :math:`u_H^* + c_H m \ge a(m)`;
neither changes a best response.  :func:`verify_menu_k` checks by global search
(:func:`fedsym.paper.deviation.best_deviation`) that every type's best response is its menu point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.deviation import Deviation
from fedsym.paper.mechanisms import AnonymousMechanism
from fedsym.paper.screening.curve import searched_deviation
from fedsym.paper.screening.k_types import KMenu, KTypes, optimal_menu_k

__all__ = ["KScreeningMechanism", "verify_menu_k"]


@dataclass(frozen=True, eq=False)
class KScreeningMechanism(AnonymousMechanism):
    r"""The chain of line pieces under the cap that implements the :math:`K`-type menu (ties as in Eq. (14) at :math:`\varepsilon = 0`)."""

    accuracy: BoundAccuracy
    types: KTypes
    name: str = "K-type screening"
    n_agents: int | None = None

    def menu(self, others: float) -> KMenu:
        """The optimal menu for an agent facing *others* data (cached by the solver)."""
        return optimal_menu_k(self.accuracy, self.types, others)

    def gamma_total(self, i: int, m_i: np.ndarray, others: float) -> np.ndarray:
        menu = self.menu(others)
        m_i = np.asarray(m_i, dtype=float)
        lines = [float(u) + float(c) * m_i for u, c in zip(menu.utilities, self.types.costs)]
        envelope = np.minimum.reduce(lines)
        return np.maximum(self.accuracy.a_np(m_i), np.minimum(envelope, self.accuracy.a_np(m_i + others)))

    def kinks_total(self, i: int, others: float) -> tuple[float, ...]:
        r"""The menu points and the corners :math:`(U_k - U_{k+1})/\Delta_k` of the chain."""
        menu = self.menu(others)
        costs = self.types.costs
        corners = [float((menu.utilities[k] - menu.utilities[k + 1]) / float(costs[k + 1] - costs[k]))
                   for k in range(len(costs) - 1)]
        return tuple(float(m) for m in menu.contributions) + tuple(corners)


def verify_menu_k(mechanism: KScreeningMechanism, menu: KMenu, *, points: int = 4001) -> tuple[Deviation, ...]:
    r"""Global search of every type's deviations on the curve from its menu point (cost order).

    Type :math:`k`'s utility :math:`\gamma(x) - c_k x` is searched on
    :math:`[0, \max(1/c_k, 2 m_1)]` (beyond :math:`1/c_k` utility is negative), with the
    curve's kinks among the grid points.
    """
    others = float(menu.others)
    curve = mechanism.curve_total(0, others)
    special = mechanism.kinks_total(0, others)
    top = 2.0 * float(menu.contributions[0])
    results = []
    for cost, claimed in zip(menu.types.costs, menu.contributions):
        c = float(cost)

        def utility(x: np.ndarray, c: float = c) -> np.ndarray:
            return curve(x) - c * x

        results.append(searched_deviation(utility, float(claimed), max(1.0 / c, top), special, points, c))
    return tuple(results)
