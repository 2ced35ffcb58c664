r"""Unknown costs: screening for one agent, verified (Model §6, §9, App. B) -- the front of the screening modules.

:func:`screen` is the one screening solver: for :math:`K \ge 2` cost types
(:class:`~fedsym.paper.screening.cost_types.KTypes`) it computes the data-maximizing menu
(:func:`fedsym.paper.screening.k_types.optimal_menu_k`, certified by its KKT conditions),
checks every constraint, and searches each type's best response on the mechanism curve
(:class:`fedsym.paper.screening.k_curve.KScreeningMechanism`, Eq. (14) generalized).
For :math:`K = 2` (App. B) it also computes Theorem B.1's menu from its closed forms
(:func:`fedsym.paper.screening.menu.optimal_menu`: the regime of Model §6, points A-D of
Fig. 5) and cross-checks the two: their expected data must agree to
:attr:`fedsym.core.settings.Settings.agreement_rtol`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath as mp

from fedsym.core.errors import ConvergenceError, ParameterError
from fedsym.core.latex import LatexRepr, align, format_gain
from fedsym.core.settings import current_settings
from fedsym.core.solve import DPS
from fedsym.model.accuracy import BoundAccuracy
from fedsym.model.agent import ACCURACY
from fedsym.paper.deviation import DEVIATION_TOLERANCE, Deviation
from fedsym.paper.screening.cost_types import KTypes
from fedsym.paper.screening.k_curve import KScreeningMechanism, verify_menu_k
from fedsym.paper.screening.k_types import KMenu, optimal_menu_k
from fedsym.paper.screening.menu import Menu, optimal_menu

__all__ = ["ScreeningResult", "screen", "screen_two_types"]


@dataclass(frozen=True)
class ScreeningResult(LatexRepr):
    r"""The optimal menu for one agent, its constraints and every type's best response checked.

    ``menu`` is the :math:`K`-type menu (:class:`~fedsym.paper.screening.k_types.KMenu`);
    ``closed_form`` for :math:`K = 2` Theorem B.1's menu from App. B's closed forms (with its
    regime), else ``None``; ``deviations`` the global searches of each type's utility on the
    mechanism curve from its menu point (cost order, ``None`` when not searched).
    ``verified`` when the menu passes its constraint check and KKT certificate and no type
    gains more than ``tolerance`` by deviating.
    """

    menu: KMenu
    closed_form: Menu | None
    deviations: tuple[Deviation, ...] | None
    tolerance: float = DEVIATION_TOLERANCE

    @property
    def accuracy(self) -> str:
        return self.menu.cap.bound.label()

    @property
    def two_type(self) -> Menu:
        """Theorem B.1's menu (App. B, :math:`K = 2` only; :class:`ParameterError` otherwise)."""
        if self.closed_form is None:
            raise ParameterError(f"App. B's two-type menu exists for K = 2 types, not K = {self.menu.size}")
        return self.closed_form

    @property
    def regime(self) -> str | None:
        """Model §6's regime for :math:`K = 2` (``separating``, ``interior``, ``high-capped``, ``both-capped``)."""
        return self.closed_form.regime if self.closed_form is not None else None

    @property
    def max_deviation_gain(self) -> float:
        return max((d.gain for d in self.deviations or ()), default=0.0)

    @property
    def verified(self) -> bool:
        return self.menu.verified and self.deviations is not None and self.max_deviation_gain <= self.tolerance

    def to_dict(self) -> dict[str, Any]:
        """The menu's keys (:meth:`fedsym.paper.screening.k_types.KMenu.to_dict`), for :math:`K = 2` with
        App. B's (``c_low``, ``c_high``, ``p``, the points of Fig. 5, ``regime``, ``pooling``, ``method``);
        ``verified`` covers the curve too (the command-line contract, docs/cli.rst)."""
        data = self.menu.to_dict()
        if self.closed_form is not None:
            two = self.closed_form
            data.update({"c_low": float(two.types.c_low), "c_high": float(two.types.c_high), "p": float(two.types.p)})
            data.update({key: float(value) for key, value in two.values().items()})
            data.update(regime=two.regime, pooling=two.pooling, method=two.method)
        data.update(verified=self.verified, max_deviation_gain=self.max_deviation_gain, tolerance=self.tolerance)
        return data

    def to_latex(self) -> str:
        """An ``align*`` block: the menu (for :math:`K = 2` the points of Fig. 5 and the regime) and the check."""
        status = r"\text{verified}" if self.verified else r"\text{NOT verified}"
        gain = format_gain(self.max_deviation_gain, relation=True)
        lines = self.closed_form.latex_lines() if self.closed_form is not None else self.menu.latex_lines()
        return align([*lines, rf"\max \text{{gain from deviating on the curve}} &{gain}\ {status}"])


def screen(bound: BoundAccuracy, types: KTypes, others: Any, *, value: Any = None, verify: bool = True,
           tolerance: float = DEVIATION_TOLERANCE, points: int = 4001) -> ScreeningResult:
    r"""Screening for one agent facing *others* data (Model §9; App. B for :math:`K = 2`), verified.

    Parameters
    ----------
    bound:
        The accuracy function.
    types:
        The cost types and their probabilities (:meth:`KTypes.of`, or :meth:`KTypes.two` for App. B).
    others:
        Data of the other agents, :math:`m_{-i} \ge 0`.
    value:
        Value of accuracy :math:`v(a)` (Model §8: an expression in ``a``, increasing, :math:`v(0) = 0`;
        default ``None``, the paper's :math:`v(a) = a`).  Types then earn :math:`v(\gamma_k) - c_k m_k` and the
        menu is solved in value units (:mod:`fedsym.paper.screening.value`); App. B's closed forms hold
        for :math:`v(a) = a` only, so with another :math:`v` there is no ``closed_form`` and no cross-check.
    verify:
        Search each type's deviations globally on the mechanism curve.
    tolerance:
        Largest gain from deviating that counts as none
        (default :data:`fedsym.paper.deviation.DEVIATION_TOLERANCE`).
    points:
        Grid size of the deviation search.

    Raises
    ------
    ParameterError
        A *value* refused as an agent's would be (:class:`~fedsym.core.errors.AssumptionError`,
        :class:`~fedsym.core.errors.ExpressionError`), or whose :math:`v\circ a` is not concave on
        :math:`[m_{-i}, \infty)`, named ``value``.
    ConvergenceError
        No certified menu, or (:math:`K = 2`) App. B's closed forms and the certified menu disagree.
    """
    menu = optimal_menu_k(bound, types, others, value)
    identity = menu.cap.value_of_accuracy == ACCURACY
    closed_form = optimal_menu(bound, types, others) if types.size == 2 and identity else None
    if closed_form is not None:
        _cross_check(menu, closed_form)
    mechanism = KScreeningMechanism(bound, types, value=None if identity else menu.cap.value_of_accuracy)
    deviations = verify_menu_k(mechanism, menu, points=points) if verify else None
    return ScreeningResult(menu, closed_form, deviations, tolerance)


def screen_two_types(bound: BoundAccuracy, c_low: Any, c_high: Any, p: Any, others: Any,
                     **options: Any) -> ScreeningResult:
    """App. B's form of :func:`screen`: low cost *c_low* with probability *p*, else *c_high*."""
    return screen(bound, KTypes.two(c_low, c_high, p), others, **options)


def _cross_check(menu: KMenu, closed_form: Menu) -> None:
    r"""App. B's closed forms against the certified :math:`K = 2` menu: the expected data (the optimum's
    value) must agree.  The menu itself need not: where Eq. (15)'s slope is met all along the cap
    (:math:`A' = s^* = 0` when :math:`m_{-i}` dwarfs the data) every :math:`m_C` in an interval is optimal."""
    rtol = mp.mpf(current_settings().agreement_rtol)
    with mp.workdps(DPS):
        gap = abs(menu.expected_data - closed_form.expected_data) / (menu.expected_data or mp.mpf(1))
    if gap > rtol:
        types = closed_form.types
        raise ConvergenceError(f"screening: App. B's closed forms and the KKT menu differ in expected data by "
                               f"{mp.nstr(gap, 3)} relative (c_low {float(types.c_low):g}, c_high {float(types.c_high):g}, "
                               f"p {float(types.p):g}, others {mp.nstr(menu.others, 8)})")
