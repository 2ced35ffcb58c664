r"""Inverse questions (Model §12): the parameter value at which a quantity reaches a target.

"Up to which cost does an agent still collect 1000 points?" is
:math:`m^*(c) = 1000` solved for ``c``.  :func:`solve_for` scans the
parameter's range on a logarithmic grid, recomputing the quantity from scratch
(:func:`fedsym.paper.statics.quantity_value`), brackets the first crossing of the
target and polishes it with :func:`fedsym.core.solve.bracketed_root` at 40
digits.  It reports the bracket, the regime of Theorem 2.3 the answer lies in,
and whether the quantity is monotone on the scanned range; a target outside
the range of values the scan reached is refused (:class:`InputError`) with
that range.

Where the quantity is monotone in the parameter with known limits
(:func:`analytic_range`: :math:`m^*`, the standard and planner totals and
:math:`u^*` in the cost, for the paper's families), the reachable range is the
exact open interval between those limits, a target outside it is refused with
the reason, and a target inside it but beyond the scan is bracketed by
extending the scan towards the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp

from fedsym.core.derived import mp_value
from fedsym.core.errors import ComputationError, FedsymError, InputError
from fedsym.core.latex import LatexRepr
from fedsym.core.solve import DPS, bracketed_root
from fedsym.model.accuracy import FAMILIES, BoundAccuracy, parse_number
from fedsym.paper.lone_agent import lone_agent_forms
from fedsym.paper.statics import (
    COST_QUANTITIES,
    PLANNER,
    SYMBOLS,
    applicable_parameters,
    parameter_tex,
    point_values,
    quantity_value,
    statics,
)

__all__ = ["InverseResult", "Limits", "solve_for", "analytic_range", "SCAN_POINTS", "SCAN_DECADES"]

#: points of the logarithmic scan of the parameter's range
SCAN_POINTS = 121
#: the scan covers the current value times 10^(-SCAN_DECADES .. SCAN_DECADES) (within the parameter's range)
SCAN_DECADES = 8
#: the cost scan stops this far (relatively) below a regime boundary
EDGE = mp.mpf("1e-12")


@dataclass(frozen=True)
class InverseResult(LatexRepr):
    """The parameter value reaching a target (see :func:`solve_for`)."""

    accuracy: str
    parameter: str
    quantity: str
    target: mp.mpf
    value: mp.mpf
    reached: mp.mpf
    bracket: tuple[mp.mpf, mp.mpf]
    scanned: tuple[mp.mpf, mp.mpf]
    reachable: tuple[mp.mpf, mp.mpf]
    regime: str
    monotone: bool
    crossings: int
    reachable_how: str = "scan"

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "parameter": self.parameter, "quantity": self.quantity,
                "target": float(self.target), "value": float(self.value), "reached": float(self.reached),
                "bracket": [float(x) for x in self.bracket], "scanned": [float(x) for x in self.scanned],
                "reachable": [float(x) if mp.isfinite(x) else None for x in self.reachable],  # None: unbounded
                "regime": self.regime,
                "monotone": self.monotone, "crossings": self.crossings, "reachable_how": self.reachable_how}

    def to_latex(self) -> str:
        """One display: the parameter's value, the quantity it reaches, the bracket and the regime."""
        return (rf"\[ {parameter_tex(self.parameter)} = {mp.nstr(self.value, 12)}:\quad "
                rf"{SYMBOLS[self.quantity]} = {mp.nstr(self.reached, 12)}\quad\text{{(bracket "
                rf"[{mp.nstr(self.bracket[0], 8)}, {mp.nstr(self.bracket[1], 8)}], regime {self.regime})}} \]")


def _range(bound: BoundAccuracy, quantity: str, parameter: str, values: Mapping[str, mp.mpf]) -> tuple[mp.mpf, mp.mpf]:
    """The interval scanned for *parameter*: its admissible range around the current value; for the cost
    of a lone quantity, :math:`(0, c_{max})` (above it the agent alone collects nothing, Theorem 2.3), of the
    planner's, :math:`(0, n c_{max})`."""
    if parameter == "c" and quantity in COST_QUANTITIES and quantity != "shaping_total":
        c_max = lone_agent_forms(bound.function).viability_cost.resolve(bound.values)[0]
        if quantity in PLANNER:  # Model §11: the planner collects data up to c = n c_max
            c_max *= values["n"]
        return c_max * mp.mpf(10) ** (-2 * SCAN_DECADES), c_max * (1 - EDGE)
    if parameter == "n":
        return mp.mpf(1), mp.mpf(10) ** (2 * SCAN_DECADES)
    centre = values.get(parameter) or mp.mpf("0.01")
    lo, hi = centre * mp.mpf(10) ** -SCAN_DECADES, centre * mp.mpf(10) ** SCAN_DECADES
    spec = next((p for p in bound.function.parameters if p.name == parameter), None)
    if spec is not None:
        lo = max(lo, mp.mpf(spec.lower) * (1 + EDGE))
        hi = min(hi, mp.mpf(spec.upper) if mp.isfinite(spec.upper) else hi)
    return lo, hi


@dataclass(frozen=True)
class Limits:
    """The exact open range ``(low, high)`` of a quantity decreasing in the parameter, and why."""

    low: mp.mpf
    high: mp.mpf
    why: str


#: decades the scan is extended by, per step, towards a limit the target lies beyond (at most EXTENSIONS steps)
EXTENSION_DECADES = 8
EXTENSIONS = 40


def analytic_range(bound: BoundAccuracy, quantity: str, parameter: str) -> Limits | None:
    r"""The exact range of *quantity* as the cost ``c`` runs over its interval, for the paper's families.

    :math:`\hat a` rises strictly to :math:`a_{opt}` (Eq. (2), Eq. (3), the power law), so
    :math:`dm^*/dc = 1/\hat a''(m^*) < 0` takes :math:`m^*` from :math:`\infty` (:math:`c \to 0`) down to the
    tangent point :math:`m_t` (:math:`c \to c_{max}`, Theorem 2.3; the planner's total likewise, at cost
    ``c/n``, Model §11), and :math:`du^*/dc = -m^* < 0` takes :math:`u^*` from :math:`a_{opt}` down to 0.
    ``None`` for other quantities, parameters and accuracy functions (then the scan's range is reported).
    """
    if parameter != "c" or bound.function not in FAMILIES.values():
        return None
    if quantity in ("optimal_data", "standard_total", "planner_total"):
        tangent = lone_agent_forms(bound.function).tangent_point.resolve(bound.values)[0]
        if not tangent > 0:
            return None
        edge = "n c_max" if quantity in PLANNER else "c_max"
        return Limits(tangent, mp.inf, f"it falls from infinity (c -> 0) to the tangent point m_t = "
                      f"{mp.nstr(tangent, 10)} (c -> {edge}), Theorem 2.3")
    if quantity == "optimal_utility":
        return Limits(mp.mpf(0), bound.a_opt, f"u* falls from a_opt = {mp.nstr(bound.a_opt, 10)} (c -> 0) to 0 "
                      "(c -> c_max): du*/dc = -m* < 0")
    return None


def _extend(value: Callable[[mp.mpf], mp.mpf], goal: mp.mpf,
            scanned: tuple[mp.mpf, mp.mpf]) -> tuple[mp.mpf, mp.mpf] | None:
    """A bracket of *goal* beyond the scanned interval, stepping towards the limit the goal lies beyond: down
    towards ``c -> 0`` (by :data:`EXTENSION_DECADES` decades) or up towards the regime edge (the gap to it
    shrunk by as many decades)."""
    lo, hi = scanned
    edge = hi / (1 - EDGE)
    larger = goal > value(lo)  # decreasing: a larger value lies towards c -> 0
    inner = lo if larger else hi
    for step in range(1, EXTENSIONS + 1):
        shrink = mp.mpf(10) ** (-EXTENSION_DECADES * step)
        outer = lo * shrink if larger else edge * (1 - EDGE * shrink)
        if outer == edge:
            return None
        reached = value(outer)
        if (reached >= goal) == larger:
            return (outer, inner) if larger else (inner, outer)
        inner = outer
    return None


def solve_for(bound: BoundAccuracy, parameter: str, quantity: str, target: Any, *,
              at: Mapping[str, Any] | None = None) -> InverseResult:
    r"""The value of *parameter* at which *quantity* equals *target*, the others held at *bound* and *at*.

    Raises :class:`InputError` for an unknown parameter or a target outside the
    values reached on the scanned range (naming that range), and
    :class:`ComputationError` if the crossing cannot be polished.

    >>> from fedsym import accuracy_function
    >>> r = solve_for(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), "c", "optimal_data", 1000)
    >>> float(r.value), r.regime   # (k/c^2)^(1/3) = 1000: c = 10^-4.5
    (3.1622776601683795e-05, 'low')
    """
    names = applicable_parameters(bound.function, quantity)
    if parameter not in names:
        raise InputError(f"solve-for {parameter}: {quantity} depends on {', '.join(names)}")
    goal = mp_value(parse_number(quantity, target))
    with mp.workdps(DPS):
        given = dict(at or {})
        if parameter in ("c", "n"):
            given.setdefault(parameter, "1")  # a placeholder: the scan sets it
        base = point_values(bound, quantity, given)
        lo, hi = _range(bound, quantity, parameter, base)
        grid = [lo * (hi / lo) ** (mp.mpf(i) / (SCAN_POINTS - 1)) for i in range(SCAN_POINTS)]

        def value(x: mp.mpf) -> mp.mpf:
            return quantity_value(bound.function, quantity, {**base, parameter: x})

        sampled: list[tuple[mp.mpf, mp.mpf]] = []
        for x in grid:
            try:
                sampled.append((x, value(x)))
            except FedsymError:
                continue
        if not sampled:
            raise ComputationError(f"{quantity} could not be computed anywhere on {parameter} in "
                                   f"[{mp.nstr(lo, 6)}, {mp.nstr(hi, 6)}]")
        ys = [y for _, y in sampled]
        reachable = (min(ys), max(ys))
        crossings = [(a, b) for a, b in zip(sampled, sampled[1:]) if (a[1] - goal) * (b[1] - goal) <= 0]
        limits = analytic_range(bound, quantity, parameter)
        how = "scan"
        if limits is not None:
            how = f"analytic: {limits.why}"
            reachable = (limits.low, limits.high)
            if not limits.low < goal < limits.high:
                raise InputError(f"target {quantity}={mp.nstr(goal, 10)} is not reached: as {parameter} varies, "
                                 f"{limits.why}, so {quantity} takes exactly the values in "
                                 f"({mp.nstr(limits.low, 10)}, {mp.nstr(limits.high, 10)})")
            if not crossings:
                bracket = _extend(value, goal, (sampled[0][0], sampled[-1][0]))
                if bracket is None:
                    raise ComputationError(f"target {quantity}={mp.nstr(goal, 10)} lies in the exact range "
                                           f"({mp.nstr(limits.low, 10)}, {mp.nstr(limits.high, 10)}) but no "
                                           f"{parameter} within {EXTENSIONS * EXTENSION_DECADES} more decades "
                                           "reaches it at this precision")
                crossings = [((bracket[0], value(bracket[0])), (bracket[1], value(bracket[1])))]
        if not crossings:
            raise InputError(f"target {quantity}={mp.nstr(goal, 10)} is not reached: for {parameter} in "
                             f"[{mp.nstr(sampled[0][0], 6)}, {mp.nstr(sampled[-1][0], 6)}] it ranges over "
                             f"[{mp.nstr(reachable[0], 10)}, {mp.nstr(reachable[1], 10)}]")
        (x0, _), (x1, _) = crossings[0]
        steps = [b[1] - a[1] for a, b in zip(sampled, sampled[1:])]
        monotone = all(s > 0 for s in steps) or all(s < 0 for s in steps)
        root = bracketed_root(lambda x: value(x) - goal, x0, x1)
        point = {name: v for name, v in {**base, parameter: root}.items() if name in ("c", "n", "eps")}
        solved = statics(bound.function.bind_numbers({**base, parameter: root}), quantity, (), at=point)
    return InverseResult(bound.label(), parameter, quantity, goal, root, solved.value, (x0, x1),
                         (sampled[0][0], sampled[-1][0]), reachable, solved.regime, monotone or limits is not None,
                         len(crossings), how)
