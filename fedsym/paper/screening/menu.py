r"""Theorem B.1: the data-maximizing two-type screening menu for one agent (Model §6, App. B).

An agent has low marginal cost :math:`c_L` with probability :math:`p`, else
high cost :math:`c_H > c_L`; the server knows only :math:`p`.  With the
others' data :math:`m_{-i}` fixed, the full model the agent could get is the
cap :math:`A(m) = a(m + m_{-i})`.  The server offers two points, ``C`` for the
high type and ``D`` for the low type (Fig. 5), and maximises the expected data
:math:`p\,m_D + (1-p)\,m_C` (Theorem B.1):

* the high type's IR binds: :math:`\gamma_C = u_H^* + c_H m_C`,
  :math:`m_C \in [m_H^*, \bar m_H]`;
* the low type keeps :math:`R(m_C) = \max(u_L^*, u_H^* + (c_H - c_L) m_C)` and
  contributes :math:`m_D(m_C)`, the largest :math:`m` with :math:`A(m) - c_L m \ge R(m_C)`.

The objective is concave in :math:`m_C` on :math:`[m_C^{min}, \bar m_H]`, with
:math:`m_C^{min} = (u_L^* - u_H^*)/(c_H - c_L)`, so its maximiser is the
stationary point of Eq. (15) clipped to that interval.  Four regimes result
(:data:`REGIMES`): ``separating`` (the paper's case), ``interior``,
``high-capped`` (pooling when :math:`m_D = \bar m_H`) and ``both-capped``.

:func:`optimal_menu` computes the menu in mpmath at :data:`fedsym.core.solve.DPS`
digits (roots bracketed).  The mechanism curve of Eq. (14) that implements it
is :mod:`fedsym.paper.screening.k_curve`; :func:`fedsym.paper.screening.result.screen` puts the two
together and verifies both best responses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core.derived import mp_value
from fedsym.core.errors import ParameterError
from fedsym.core.latex import LatexRepr, align, format_number
from fedsym.core.solve import DPS, bracketed_root
from fedsym.model.accuracy import BoundAccuracy, parse_number
from fedsym.model.agent import ACCURACY
from fedsym.paper.lone_agent import individual, lone_agent_forms
from fedsym.paper.screening.cost_types import KTypes, virtual_cost

__all__ = [
    "Cap",
    "Menu",
    "parse_others",
    "optimal_menu",
    "REGIMES",
    "LEVEL_RTOL",
]

#: the four regimes of Model §6, in its order
REGIMES = ("separating", "interior", "high-capped", "both-capped")

#: relative tolerance under which a surplus above a level counts as zero
#: (a tangency, e.g. :math:`\bar m_\theta = m_\theta^*` when :math:`m_{-i} = 0`):
#: far above the rounding of :data:`DPS`-digit arithmetic, far below any modelled quantity
LEVEL_RTOL = mp.mpf(10) ** (-(DPS - 8))


def parse_others(value: Any) -> sp.Rational:
    """The others' data :math:`m_{-i} \\ge 0` (finite), else :class:`ParameterError` naming ``others``."""
    others = parse_number("others", value)
    if others < 0:
        raise ParameterError(f"others={value} must be >= 0 (data contributed by the other agents)")
    return others


@dataclass(frozen=True, eq=False)
class Cap:
    r"""The full model agent ``i`` could get: :math:`A(m) = a(m + m_{-i})` (Model §6)."""

    bound: BoundAccuracy
    others: mp.mpf

    def value(self, m: Any) -> mp.mpf:
        r""":math:`A(m)`."""
        return self.bound.a(mp.mpf(m) + self.others)

    def slope(self, m: Any) -> mp.mpf:
        r""":math:`A'(m) = \hat a'(m + m_{-i})` where :math:`A > 0`, else 0."""
        x = mp.mpf(m) + self.others
        return self.bound.a_hat_prime(x) if x > self.bound.minimum_viable_data else mp.mpf(0)

    def second(self, m: Any) -> mp.mpf:
        r""":math:`A''(m) = \hat a''(m + m_{-i})` where :math:`A > 0`, else 0."""
        x = mp.mpf(m) + self.others
        return self.bound.a_hat_second(x) if x > self.bound.minimum_viable_data else mp.mpf(0)

    def derivative_np(self, m: float, order: int) -> float:
        r""":math:`A^{(order)}(m)` in double precision (orders 0-2; the derivatives are 0 where :math:`A = 0`)."""
        bound, x = self.bound, np.array([m + float(self.others)])
        if order == 0:
            return float(bound.a_np(x)[0])
        if x[0] <= float(bound.minimum_viable_data):
            return 0.0
        return float((bound.a_hat_prime_np(x) if order == 1 else bound.a_hat_second_np(x))[0])

    def level_np(self, accuracy: np.ndarray) -> np.ndarray:
        r"""Accuracies in the cap's units: the identity here, :math:`v(a)` for
        :class:`fedsym.paper.screening.value.ValueCap`."""
        return accuracy

    def accuracy_np(self, level: np.ndarray) -> np.ndarray:
        r"""The accuracy that carries a level of the cap's units: the identity here, :math:`v^{-1}` for
        :class:`fedsym.paper.screening.value.ValueCap`."""
        return level

    def accuracy(self, level: mp.mpf) -> mp.mpf:
        """:meth:`accuracy_np` in mpmath."""
        return level

    @property
    def top(self) -> mp.mpf:
        r""":math:`\sup A = a_{opt}`."""
        return self.bound.a_opt

    @property
    def value_of_accuracy(self) -> sp.Expr:
        r"""The value of accuracy :math:`v(a) = a` (the paper's; :class:`fedsym.paper.screening.value.ValueCap`
        holds another)."""
        return ACCURACY

    def alone(self, cost: sp.Rational) -> tuple[mp.mpf, mp.mpf]:
        r""":math:`(m^*, u^*)` of a type with marginal cost *cost* alone (Theorem 2.3)."""
        lone = individual(self.bound, cost)
        return lone.optimal_data, lone.optimal_utility

    def surplus(self, m: Any, cost: mp.mpf) -> mp.mpf:
        r""":math:`A(m) - c\,m`: utility of a type with cost :math:`c` that receives the full model."""
        return self.value(m) - cost * mp.mpf(m)

    def peak(self, cost: mp.mpf, start: mp.mpf) -> mp.mpf:
        r"""Maximiser of :math:`A(m) - c\,m` on :math:`[start, \infty)`; it decreases beyond.

        :math:`A' = c` at :math:`m = m^*(c) - m_{-i}` (:math:`m^*(c)` the interior
        root of Theorem 2.3, the lone agent's closed form when one exists); where
        there is no such root in the concave region, :math:`A' < c` and the surplus
        decreases from *start* on.
        """
        optimal_data = lone_agent_forms(self.bound.function).optimal_data
        try:
            root, _ = optimal_data.resolve({**self.bound.values, "c": cost})
        except ArithmeticError:
            return start
        return max(start, root - self.others)

    def right_crossing(self, cost: mp.mpf, level: mp.mpf, start: mp.mpf) -> mp.mpf:
        r"""Largest :math:`m \ge start` with :math:`A(m) - c\,m \ge level`.

        The caller guarantees :math:`A(start) - c\cdot start \ge level`.  Beyond
        :meth:`peak` the surplus decreases, so the root is bracketed between the
        peak and :math:`(a_{opt} - level)/c` (where :math:`A < a_{opt}`).  When the
        surplus at the peak exceeds *level* by no more than :data:`LEVEL_RTOL`
        (a tangency) the answer is *start*.
        """
        peak = self.peak(cost, start)
        excess = self.surplus(peak, cost) - level
        if excess <= LEVEL_RTOL * max(abs(level), mp.mpf(1)):
            return start
        hi = (self.top - level) / cost
        if self.surplus(hi, cost) >= level:
            # exactly, A(hi) < a_opt makes the surplus at hi fall short of *level*; computed as no
            # shortfall, the cap there is a_opt to working precision (m_{-i} ~ 1e300): hi is the root
            return hi
        return bracketed_root(lambda m: self.surplus(m, cost) - level, peak, hi)


@dataclass(frozen=True)
class Menu(LatexRepr):
    r"""The data-maximizing two-point menu of Theorem B.1 for one agent situation (mpmath values).

    Attributes follow Fig. 5: ``high_alone`` :math:`m_H^*` (point A),
    ``low_alone`` :math:`m_L^*` (point B), ``high_known_cost`` :math:`\bar m_H`,
    ``low_known_cost`` :math:`\bar m_L`, ``minimum_high_contribution``
    :math:`m_C^{min}`, ``high_contribution`` :math:`m_C` (point C),
    ``low_contribution`` :math:`m_D` (point D), ``low_utility`` :math:`R(m_C)`.
    """

    types: KTypes
    others: mp.mpf
    high_alone: mp.mpf
    high_utility_alone: mp.mpf
    low_alone: mp.mpf
    low_utility_alone: mp.mpf
    high_known_cost: mp.mpf
    low_known_cost: mp.mpf
    minimum_high_contribution: mp.mpf
    high_contribution: mp.mpf
    low_contribution: mp.mpf
    low_utility: mp.mpf
    regime: str
    pooling: bool
    method: str

    @property
    def high_accuracy(self) -> mp.mpf:
        r""":math:`\gamma_C = u_H^* + c_H m_C` (the high type's IR binds)."""
        return self.high_utility_alone + mp_value(self.types.c_high) * self.high_contribution

    @property
    def low_accuracy(self) -> mp.mpf:
        r""":math:`\gamma_D = R(m_C) + c_L m_D` (on the cap)."""
        return self.low_utility + mp_value(self.types.c_low) * self.low_contribution

    @property
    def expected_data(self) -> mp.mpf:
        r""":math:`p\,m_D + (1 - p)\,m_C`, the objective of Theorem B.1."""
        p = mp_value(self.types.p)
        return p * self.low_contribution + (1 - p) * self.high_contribution

    @property
    def information_rent_low(self) -> mp.mpf:
        r"""Theorem B.3: the low type's rent :math:`R(m_C) - u_L^* \ge 0` (the high type's is 0)."""
        return self.low_utility - self.low_utility_alone

    def latex_lines(self) -> list[str]:
        """``align*`` lines: the points of Fig. 5, expected data, rent and regime."""
        rows = [(r"m_H^{*}", self.high_alone), (r"m_L^{*}", self.low_alone), (r"\bar m_H", self.high_known_cost),
                (r"\bar m_L", self.low_known_cost), (r"m_C", self.high_contribution), (r"m_D", self.low_contribution),
                (r"p\,m_D + (1-p)\,m_C", self.expected_data), (r"R(m_C) - u_L^{*}", self.information_rent_low)]
        lines = [rf"{symbol} &= {format_number(value, 10)}" for symbol, value in rows]
        lines.append(rf"\text{{regime}} &: \text{{{self.regime}{', pooling' if self.pooling else ''}}}")
        return lines

    def to_latex(self) -> str:
        """An ``align*`` block of :meth:`latex_lines`."""
        return align(self.latex_lines())

    def values(self) -> dict[str, mp.mpf]:
        """The quantities of the command-line contract (docs/cli.rst), by JSON key."""
        return {"high_alone": self.high_alone, "low_alone": self.low_alone,
                "high_known_cost": self.high_known_cost, "low_known_cost": self.low_known_cost,
                "minimum_high_contribution": self.minimum_high_contribution,
                "high_contribution": self.high_contribution, "low_contribution": self.low_contribution,
                "expected_data": self.expected_data, "information_rent_low": self.information_rent_low,
                "high_accuracy": self.high_accuracy, "low_accuracy": self.low_accuracy}


def optimal_menu(bound: BoundAccuracy, types: KTypes, others: Any) -> Menu:
    r"""Theorem B.1: the menu :math:`(m_C, \gamma_C), (m_D, \gamma_D)` maximizing expected data.

    Regimes (Model §6), decided by the sign of the objective's slope
    :math:`1 - p + p\,(c_H - c_L)/(A'(m_D) - c_L)` at the ends of
    :math:`[m_C^{min}, \bar m_H]`:

    1. ``both-capped`` if :math:`\bar m_H \le m_C^{min}`: :math:`m_C = \bar m_H`, :math:`m_D = \bar m_L`, no rent;
    2. ``separating`` if :math:`p \ge c_L/c_H` or :math:`A'(\bar m_L) \ge s^*`
       (:math:`s^*` the right side of Eq. (15)): :math:`m_C = m_C^{min}`, :math:`m_D = \bar m_L`;
    3. ``high-capped`` if the slope is still positive at :math:`m_C = \bar m_H`:
       :math:`m_C = \bar m_H`, :math:`m_D` the largest root of :math:`A(m) - c_L m = R(\bar m_H)`
       (``pooling`` when it is :math:`\bar m_H`);
    4. ``interior`` otherwise: :math:`m_D` solves Eq. (15) :math:`A'(m_D) = s^*`
       (:math:`m^*(s^*) - m_{-i}`, Theorem 2.3's root at cost :math:`s^*`) and
       :math:`m_C` is Eq. (16).

    Computed in mpmath at :data:`fedsym.core.solve.DPS` digits; every crossing is a
    bracketed root (:meth:`Cap.right_crossing`).
    """
    others_value = parse_others(others)
    with mp.workdps(DPS):
        return _menu(bound, types, others_value)


@functools.lru_cache(maxsize=512)
def _menu(bound: BoundAccuracy, types: KTypes, others: sp.Rational) -> Menu:
    cap = Cap(bound, mp_value(others))
    low, high = mp_value(types.c_low), mp_value(types.c_high)
    alone_h, alone_l = individual(bound, types.c_high), individual(bound, types.c_low)
    m_h, u_h, m_l, u_l = alone_h.optimal_data, alone_h.optimal_utility, alone_l.optimal_data, alone_l.optimal_utility
    bar_h = cap.right_crossing(high, u_h, m_h)
    bar_l = cap.right_crossing(low, u_l, m_l)
    c_min = (u_l - u_h) / (high - low)
    target = virtual_cost(types, 1)
    method = "bracketed crossings"

    def rent_level(m_c: mp.mpf) -> mp.mpf:
        return max(u_l, u_h + (high - low) * m_c)

    pooling = False
    if bar_h <= c_min:
        regime, m_c, m_d = "both-capped", bar_h, bar_l
    elif target <= 0 or cap.slope(bar_l) >= target:
        regime, m_c, m_d = "separating", c_min, bar_l
    else:
        capped_d = cap.right_crossing(low, rent_level(bar_h), bar_h)
        if cap.slope(capped_d) <= target:
            regime, m_c, m_d = "high-capped", bar_h, capped_d
            pooling = capped_d == bar_h
        else:
            regime = "interior"
            m_d, how = _stationary_low_contribution(cap, target, capped_d, bar_l)
            m_c = (cap.surplus(m_d, low) - u_h) / (high - low)
            method = f"Eq. (15) by {how}"
    return Menu(types, cap.others, m_h, u_h, m_l, u_l, bar_h, bar_l, c_min, m_c, m_d, rent_level(m_c),
                regime, pooling, method)


def _stationary_low_contribution(cap: Cap, target: mp.mpf, lo: mp.mpf, hi: mp.mpf) -> tuple[mp.mpf, str]:
    r"""Eq. (15): the :math:`m_D \in [lo, hi]` with :math:`A'(m_D) = s^*`.

    :math:`A'(m) = \hat a'(m + m_{-i})`, so :math:`m_D = m^*(s^*) - m_{-i}` with
    Theorem 2.3's interior root (closed form when the lone agent has one); if
    that lands outside the bracket, a bracketed root of :math:`A' - s^*` (decreasing).
    """
    optimal_data = lone_agent_forms(cap.bound.function).optimal_data
    root, how = optimal_data.resolve({**cap.bound.values, "c": target})
    m_d = root - cap.others
    if lo <= m_d <= hi:
        return m_d, how
    return bracketed_root(lambda m: cap.slope(m) - target, lo, hi), "bracketed root"
