r"""Private cost types of screening: :math:`c_1 < \dots < c_K` with probabilities :math:`p_k` (Model §6, §9).

App. B's two types are the case :math:`K = 2`: :math:`c_L = c_1`, :math:`c_H = c_2`,
:math:`p = p_1` (:meth:`KTypes.two`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import sympy as sp

from fedsym.core.derived import mp_value
from fedsym.core.errors import ParameterError
from fedsym.model.accuracy import parse_number
from fedsym.paper.lone_agent import parse_cost

__all__ = ["MIN_RELATIVE_COST_GAP", "PROB_SUM_TOLERANCE", "KTypes", "virtual_cost"]

#: how far the given probabilities may sum away from 1 (they are then renormalized exactly)
PROB_SUM_TOLERANCE = sp.Rational(1, 10**12)

#: smallest relative gap :math:`(c_{k+1} - c_k)/c_{k+1}` between adjacent costs: below it the
#: multipliers of IC grow like :math:`1/\Delta_k` and the double-precision certificate cannot
#: tell the types apart (1e-6 fails, 3e-6 is solved); such types are one type in practice
MIN_RELATIVE_COST_GAP = 1e-5


@dataclass(frozen=True)
class KTypes:
    r"""Cost types :math:`c_1 < \dots < c_K` and probabilities :math:`p_k > 0` (exact rationals, :math:`\sum p_k = 1`)."""

    costs: tuple[sp.Rational, ...]
    probs: tuple[sp.Rational, ...]

    @classmethod
    def of(cls, costs: Sequence[Any], probs: Sequence[Any]) -> KTypes:
        """Validate user values; :class:`ParameterError` naming the input otherwise.

        Costs must be positive and strictly increasing, adjacent ones at least
        :data:`MIN_RELATIVE_COST_GAP` apart (relative), probabilities positive with
        a sum within :data:`PROB_SUM_TOLERANCE` of 1 (then divided by their sum), and
        the two lists of equal length :math:`K \\ge 2`.
        """
        if len(costs) != len(probs):
            raise ParameterError(f"costs has {len(costs)} entries but probs has {len(probs)}")
        if len(costs) < 2:
            raise ParameterError(f"costs: give at least 2 types, got {len(costs)}")
        parsed = tuple(parse_cost(c, f"costs[{i + 1}]") for i, c in enumerate(costs))
        for i in range(len(parsed) - 1):
            if parsed[i] >= parsed[i + 1]:
                raise ParameterError(f"costs must be strictly increasing: costs[{i + 1}]={costs[i]} "
                                     f">= costs[{i + 2}]={costs[i + 1]}")
            if parsed[i + 1] - parsed[i] < MIN_RELATIVE_COST_GAP * parsed[i + 1]:
                _check_gap(parsed[i], parsed[i + 1], f"costs[{i + 1}]={costs[i]}", f"costs[{i + 2}]={costs[i + 1]}")
        prior = tuple(parse_number(f"probs[{i + 1}]", p) for i, p in enumerate(probs))
        for i, p in enumerate(prior):
            if p <= 0:
                raise ParameterError(f"probs[{i + 1}]={probs[i]} must be positive")
        total = sum(prior, sp.Integer(0))
        if abs(total - 1) > PROB_SUM_TOLERANCE:
            raise ParameterError(f"probs sum to {float(total)!r}, not 1 (tolerance 1e-12)")
        return cls(parsed, tuple(p / total for p in prior))

    @classmethod
    def two(cls, c_low: Any, c_high: Any, p: Any) -> KTypes:
        """App. B's two types: low cost *c_low* with probability *p*, else *c_high*.

        :class:`ParameterError` naming the input for ``p`` outside (0, 1), a non-positive
        cost, :math:`c_L \\ge c_H` or costs closer than :data:`MIN_RELATIVE_COST_GAP`.
        """
        low, high = parse_cost(c_low, "c_low"), parse_cost(c_high, "c_high")
        if low >= high:
            raise ParameterError(f"c_low={c_low} must be below c_high={c_high}")
        _check_gap(low, high, f"c_low={c_low}", f"c_high={c_high}")
        prior = parse_number("p", p)
        if not 0 < prior < 1:
            raise ParameterError(f"p={p} must lie strictly between 0 and 1")
        return cls((low, high), (prior, 1 - prior))

    @property
    def size(self) -> int:
        return len(self.costs)

    def _two(self, value: sp.Rational) -> sp.Rational:
        if self.size != 2:
            raise ParameterError(f"c_low, c_high and p name App. B's two types; these are {self.size} types")
        return value

    @property
    def c_low(self) -> sp.Rational:
        """:math:`c_L = c_1` (two types only)."""
        return self._two(self.costs[0])

    @property
    def c_high(self) -> sp.Rational:
        """:math:`c_H = c_2` (two types only)."""
        return self._two(self.costs[-1])

    @property
    def p(self) -> sp.Rational:
        """:math:`p = P(c_L)` (two types only)."""
        return self._two(self.probs[0])

    def to_dict(self) -> dict[str, list[float]]:
        return {"costs": [float(c) for c in self.costs], "probs": [float(p) for p in self.probs]}




def _check_gap(low: sp.Rational, high: sp.Rational, low_name: str, high_name: str) -> None:
    if high - low < MIN_RELATIVE_COST_GAP * high:
        raise ParameterError(f"{low_name} and {high_name} differ by less than {MIN_RELATIVE_COST_GAP:g} "
                             "relative: give them as one type (add their probabilities)")


def virtual_cost(types: KTypes, a: int) -> mp.mpf:
    r"""Eq. (15) generalized: :math:`s_a = c_a - p_a\Delta_a/p_{a+1}` for the 1-based type *a*.

    :math:`K = 2`, :math:`a = 1`: Eq. (15)'s right side :math:`c_L - p\,(c_H - c_L)/(1 - p)`.
    """
    c, p = types.costs, types.probs
    return mp_value(c[a - 1] - p[a - 1] * (c[a] - c[a - 1]) / p[a])
