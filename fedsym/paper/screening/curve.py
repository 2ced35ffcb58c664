r"""The screening mechanism curve, Eq. (14), as a :class:`~fedsym.paper.mechanisms.Mechanism` (App. B).

Agent ``i``, whatever its type, is offered one curve; with :math:`A(m) = a(m + m_{-i})`,

.. math::
    \gamma(m) = \max\{a(m),\ \min\{\ell(m), A(m)\}\},\qquad
    \ell(m) = \begin{cases} a(m) & m \le m_H^* \\
    \min\{a(m_H^*) + (c_H + \varepsilon)(m - m_H^*),\ \gamma_D + (c_L + \varepsilon)(m - m_D)\} & m > m_H^*
    \end{cases}

where :math:`(m_D, \gamma_D)` is the low type's point of Theorem B.1's menu
(:func:`fedsym.paper.screening.menu.optimal_menu`, recomputed for each :math:`m_{-i}`;
with :math:`\varepsilon = 0` the second line is :math:`R + c_L m` of Model §6).
The high type's best response is the kink :math:`m_C`, the low type's :math:`m_D`;
:func:`verify_menu` checks both by global search.  :math:`\varepsilon > 0` makes
each best response strict (and moves the high type's kink by :math:`O(\varepsilon)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fedsym.core.errors import ComputationError, ConvergenceError
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.deviation import Deviation, best_deviation
from fedsym.paper.mechanisms import AnonymousMechanism, parse_eps
from fedsym.paper.screening.cost_types import KTypes
from fedsym.paper.screening.menu import Menu, optimal_menu

__all__ = ["ScreeningMechanism", "searched_deviation", "verify_menu"]


@dataclass(frozen=True, eq=False)
class ScreeningMechanism(AnonymousMechanism):
    r"""Eq. (14): the two-type screening curve, the same menu offered to every agent.

    Feasible (:math:`\gamma \le A`) and IR (:math:`\gamma \ge a`) by construction.

    Parameters
    ----------
    accuracy:
        The accuracy function :math:`a`.
    types:
        The cost types and prior (:class:`fedsym.paper.screening.cost_types.KTypes`).
    eps:
        Slope margin :math:`\varepsilon \ge 0` (default 0, the paper's limit).
    """

    accuracy: BoundAccuracy
    types: KTypes
    eps: float = 0.0
    name: str = "screening"
    n_agents: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "eps", parse_eps(self.eps))

    def menu(self, others: float) -> Menu:
        """Theorem B.1's menu for an agent facing *others* data (cached)."""
        return optimal_menu(self.accuracy, self.types, others)

    def gamma_total(self, i: int, m_i: np.ndarray, others: float) -> np.ndarray:
        menu = self.menu(others)
        m_i = np.asarray(m_i, dtype=float)
        anchor = float(menu.high_alone)
        own = self.accuracy.a_np(m_i)
        high_line = float(self.accuracy.a_np(np.array([anchor]))[0]) + (float(self.types.c_high) + self.eps) * (m_i - anchor)
        low_line = float(menu.low_accuracy) + (float(self.types.c_low) + self.eps) * (m_i - float(menu.low_contribution))
        shaped = np.minimum(np.minimum(high_line, low_line), self.accuracy.a_np(m_i + others))
        return np.where(m_i <= anchor, own, np.maximum(own, shaped))

    def kinks_total(self, i: int, others: float) -> tuple[float, ...]:
        r""":math:`m_H^*, m_C, m_D, \bar m_H, \bar m_L`: where the curve may bend."""
        menu = self.menu(others)
        return tuple(float(x) for x in (menu.high_alone, menu.high_contribution, menu.low_contribution,
                                        menu.high_known_cost, menu.low_known_cost))


def verify_menu(mechanism: ScreeningMechanism, menu: Menu, *, points: int = 4001) -> tuple[Deviation, Deviation]:
    r"""Global search of each type's deviations on the curve (Eq. (9) for both types).

    The high type's utility :math:`\gamma(x) - c_H x` is searched from :math:`m_C`,
    the low type's :math:`\gamma(x) - c_L x` from :math:`m_D`, each on
    :math:`[0, \max(1/c_\theta, 2 m_D)]` (beyond :math:`1/c_\theta` utility is
    negative) including the curve's kinks.  Returns ``(high, low)``.
    """
    others = float(menu.others)
    curve = mechanism.curve_total(0, others)
    special = mechanism.kinks_total(0, others)
    results = []
    for cost, claimed in ((float(menu.types.c_high), float(menu.high_contribution)),
                          (float(menu.types.c_low), float(menu.low_contribution))):
        def utility(x: np.ndarray, c: float = cost) -> np.ndarray:
            return curve(x) - c * x

        results.append(searched_deviation(utility, claimed, max(1.0 / cost, 2.0 * float(menu.low_contribution)),
                                          special, points, cost))
    return results[0], results[1]


def searched_deviation(utility: Callable[[np.ndarray], np.ndarray], claimed: float, top: float,
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
