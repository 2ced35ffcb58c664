r"""Unknown costs: two-type screening for one agent, verified (Model §6, App. B).

The front of the screening modules: :func:`screen` computes Theorem B.1's
data-maximizing menu (:func:`fedsym.paper.screening.menu.optimal_menu`), builds the
mechanism curve of Eq. (14) that implements it
(:class:`fedsym.paper.screening.curve.ScreeningMechanism`) and checks by global
search that the high type's best response on it is :math:`m_C` and the low
type's :math:`m_D`.  The result carries the points A-D of Fig. 5, the expected
data, the low type's information rent (Theorem B.3) and the regime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fedsym.core.latex import LatexRepr, align, format_number
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.deviation import DEVIATION_TOLERANCE, Deviation
from fedsym.paper.screening.curve import ScreeningMechanism, verify_menu
from fedsym.paper.screening.menu import CostTypes, Menu, optimal_menu

__all__ = ["ScreeningResult", "screen"]


@dataclass(frozen=True)
class ScreeningResult(LatexRepr):
    r"""Theorem B.1's menu for one agent, with the verified best responses on Eq. (14)'s curve.

    ``high_deviation`` and ``low_deviation`` are the global searches
    (:func:`fedsym.paper.deviation.best_deviation`) of each type's utility on the
    mechanism curve from its claimed point; ``verified`` when neither type gains
    more than ``tolerance`` by any deviation.
    """

    accuracy: str
    menu: Menu
    high_deviation: Deviation | None
    low_deviation: Deviation | None
    tolerance: float = DEVIATION_TOLERANCE

    @property
    def regime(self) -> str:
        return self.menu.regime

    @property
    def max_deviation_gain(self) -> float:
        return max((d.gain for d in (self.high_deviation, self.low_deviation) if d is not None), default=0.0)

    @property
    def verified(self) -> bool:
        checked = self.high_deviation is not None and self.low_deviation is not None
        return checked and self.max_deviation_gain <= self.tolerance

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary with the keys of the command-line contract (docs/cli.rst)."""
        data: dict[str, Any] = {"accuracy": self.accuracy, **self.menu.types.to_dict(),
                                "others": float(self.menu.others)}
        data.update({key: float(value) for key, value in self.menu.values().items()})
        data.update(regime=self.regime, pooling=self.menu.pooling, method=self.menu.method,
                    verified=self.verified, max_deviation_gain=float(self.max_deviation_gain),
                    tolerance=float(self.tolerance))
        return data

    def to_latex(self) -> str:
        """An ``align*`` block: the points of Fig. 5, expected data, rent, regime and verification."""
        status = r"\text{verified}" if self.verified else r"\text{NOT verified}"
        verification = (r"\max \text{gain from deviating} &= "
                        rf"{format_number(self.max_deviation_gain, 3)}\ {status}")
        return align([*self.menu.latex_lines(), verification])


def screen(bound: BoundAccuracy, c_low: Any, c_high: Any, p: Any, others: Any, *, verify: bool = True,
           tolerance: float = DEVIATION_TOLERANCE, points: int = 4001) -> ScreeningResult:
    r"""App. B for one agent facing *others* data: Theorem B.1's menu, verified on Eq. (14).

    Parameters
    ----------
    bound:
        The accuracy function.
    c_low, c_high:
        Marginal costs of the two types, :math:`0 < c_L < c_H`.
    p:
        Prior probability of the low type, in (0, 1).
    others:
        Data of the other agents, :math:`m_{-i} \ge 0`.
    verify:
        Search each type's deviations globally on the curve of Eq. (14).
    tolerance:
        Largest gain from deviating that counts as none
        (default :data:`fedsym.paper.deviation.DEVIATION_TOLERANCE`).
    points:
        Grid size of the deviation search.
    """
    types = CostTypes.of(c_low, c_high, p)
    menu = optimal_menu(bound, types, others)
    high = low = None
    if verify:
        high, low = verify_menu(ScreeningMechanism(bound, types), menu, points=points)
    return ScreeningResult(bound.label(), menu, high, low, tolerance)
