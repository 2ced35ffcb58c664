r"""Comparative statics of App. B's screening menu in its closed-form regimes (Model §6, Model §12).

The menu for two cost types (low :math:`c_L` with probability :math:`p`, high
:math:`c_H`; others' data :math:`m_{-i}`) has closed forms in three of its four
regimes (Model §6), built from :func:`fedsym.paper.screening.forms.screening_forms`:

1. *no rent* (:math:`p \ge c_L/c_H`, or Eq. (15)'s :math:`m_D \ge \bar m_L`):
   :math:`m_D = \bar m_L`, :math:`m_C = m_C^{min} = (u_L^* - u_H^*)/(c_H - c_L)`, rent 0;
2. *interior*: :math:`m_D` from Eq. (15), :math:`m_C` from Eq. (16), rent of Theorem B.3;
3. *pooling* (Eq. (16)'s :math:`m_C \ge \bar m_H`): :math:`m_C = \bar m_H`, rent
   :math:`(c_H - c_L)(\bar m_H - m_C^{min})`; :math:`m_D` solves an equation without a closed form, so it
   and the expected data are refused there;
4. *capped* (:math:`\bar m_H \le m_C^{min}`): :math:`m_C = \bar m_H`, :math:`m_D = \bar m_L`, rent 0.

:func:`screening_statics` differentiates the regime's closed form (``sympy.diff``)
with respect to ``p``, ``c_L``, ``c_H``, ``m_others`` and the accuracy's
parameters.  On a regime boundary it reports the values of both regimes' forms
there instead of a derivative.  Each derivative is checked against a 40-digit
central difference of the menu solved numerically from scratch (the numeric
side of :func:`~fedsym.paper.screening.forms.screening_forms`, which solves the
optimal menu whatever its regime), so a wrong regime shows as a failed check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow
from fedsym.core.derived import mp_value
from fedsym.core.errors import ComputationError, InputError, ParameterError
from fedsym.core.solve import DPS
from fedsym.model.accuracy import BoundAccuracy, accuracy_function, parse_number
from fedsym.paper.screening.forms import ScreeningForms, screening_forms
from fedsym.paper.statics import CLOSED, FD_STEP, Boundary, Derivative, Statics

__all__ = ["SCREENING_QUANTITIES", "SCREENING_POINT", "screening_statics", "screening_regime", "checks"]

#: quantities of the two-type menu: the low type's data m_D, the high type's m_C, the low type's information
#: rent, the expected data p m_D + (1 - p) m_C
SCREENING_QUANTITIES = ("low_contribution", "high_contribution", "information_rent_low", "expected_data")

#: the point of a menu: the types and the others' data
SCREENING_POINT = ("p", "c_L", "c_H", "m_others")

#: the closed-form regimes (Model §6's numbering 1, 2, 4)
NO_RENT, INTERIOR, CAPPED, POOLING = "no-rent", "interior", "capped", "pooling"

#: a regime margin below this many units of its scale is a boundary
BOUNDARY_RTOL = mp.mpf("1e-30")

_SYMBOLS = {"p": S.p, "c_L": S.c_L, "c_H": S.c_H, "m_others": S.m_others}


@dataclass(frozen=True)
class _Forms:
    """The menu's closed forms in the three closed-form regimes, from :class:`ScreeningForms`."""

    known_low: sp.Expr
    known_high: sp.Expr
    minimum_high: sp.Expr
    interior_low: sp.Expr
    interior_high: sp.Expr
    interior_rent: sp.Expr

    @classmethod
    def of(cls, forms: ScreeningForms, label: str) -> _Forms:
        needed = (forms.known_cost_contribution, forms.minimum_high_contribution, forms.interior_low_contribution,
                  forms.interior_high_contribution, forms.interior_information_rent)
        missing = [d.name for d in needed if d.closed_form is None]
        if missing:
            raise InputError(f"screening statics need App. B's closed forms; accuracy {label} has none for "
                             f"{', '.join(missing)}")
        known = forms.known_cost_contribution.closed_form
        assert known is not None
        return cls(known.subs(S.c, S.c_L), known.subs(S.c, S.c_H),
                   *(d.closed_form for d in needed[1:]))

    def menu(self, regime: str) -> tuple[sp.Expr | None, sp.Expr, sp.Expr]:
        r""":math:`(m_D, m_C, \text{rent})` in *regime* (:math:`m_D` None when pooling: no closed form).

        The rent is :math:`R(m_C) - u_L^* = (c_H - c_L)(m_C - m_C^{min})` (Theorem B.3) where it is positive.
        """
        if regime == INTERIOR:
            return self.interior_low, self.interior_high, self.interior_rent
        if regime == POOLING:
            return None, self.known_high, (S.c_H - S.c_L) * (self.known_high - self.minimum_high)
        return self.known_low, self.minimum_high if regime == NO_RENT else self.known_high, sp.Integer(0)

    def quantity(self, regime: str, name: str) -> sp.Expr:
        low, high, rent = self.menu(regime)
        if name in ("high_contribution", "information_rent_low"):
            return high if name == "high_contribution" else rent
        if low is None:
            raise InputError(f"{name}: the menu pools (App. B regime 3, m_C = m_H-bar) and m_D has no closed form "
                             "there, so no closed-form derivative (high_contribution and information_rent_low have one)")
        return low if name == "low_contribution" else S.p * low + (1 - S.p) * high


def _number(expr: sp.Expr, values: Mapping[sp.Symbol, mp.mpf]) -> mp.mpf:
    value = sp.N(expr.subs(values), DPS)
    if not value.is_real:
        return mp.inf  # Eq. (15) has no interior solution (its s* <= 0): outside the interior regime
    return mp.mpf(str(value))


def screening_regime(forms: _Forms, values: Mapping[sp.Symbol, mp.mpf]) -> tuple[str, str]:
    r"""The regime at *values* and, on a boundary between two regimes, the other one (else ``""``).

    Margins (Model §6): :math:`\bar m_H - m_C^{min}` (capped when :math:`\le 0`), :math:`c_L/c_H - p` and
    :math:`\bar m_L - m_D^{(15)}` (no rent when :math:`\le 0`), :math:`\bar m_H - m_C^{(16)}` (pooling when
    :math:`\le 0`); a margin within :data:`BOUNDARY_RTOL` of 0 is a boundary.
    """
    def margin(a: sp.Expr, b: sp.Expr) -> tuple[mp.mpf, mp.mpf]:
        x, y = _number(a, values), _number(b, values)
        return x - y, max(abs(x), abs(y), mp.mpf(1))

    def on_edge(gap: tuple[mp.mpf, mp.mpf]) -> bool:
        return mp.isfinite(gap[0]) and abs(gap[0]) <= BOUNDARY_RTOL * gap[1]

    capped = margin(forms.known_high, forms.minimum_high)
    if capped[0] <= 0 or on_edge(capped):
        return CAPPED, (NO_RENT if on_edge(capped) else "")
    share = values[S.c_L] / values[S.c_H] - values[S.p]
    if share <= 0:
        return NO_RENT, ""
    rent = margin(forms.known_low, forms.interior_low)
    if rent[0] <= 0 or on_edge(rent):
        return NO_RENT, (INTERIOR if on_edge(rent) else "")
    pooling = margin(forms.known_high, forms.interior_high)
    if on_edge(pooling):
        return INTERIOR, POOLING
    return (POOLING if pooling[0] < 0 else INTERIOR), ""


def _point(bound: BoundAccuracy, at: Mapping[str, Any]) -> dict[str, mp.mpf]:
    """The bound parameters plus ``p``, ``c_L``, ``c_H``, ``m_others`` from *at*, validated."""
    unknown = sorted(set(at) - set(SCREENING_POINT))
    if unknown:
        raise InputError(f"--at {unknown[0]}: a screening menu takes --at p, c_L, c_H, m_others")
    missing = [name for name in SCREENING_POINT if name not in at]
    if missing:
        raise InputError(f"a screening menu needs --at {missing[0]}=VALUE")
    with mp.workdps(DPS):
        values = {name: mp_value(v) for name, v in bound.values.items()}
        for name in SCREENING_POINT:
            raw = at[name]
            values[name] = +raw if isinstance(raw, mp.mpf) else mp_value(parse_number(name, raw))
    if not 0 < values["p"] < 1:
        raise ParameterError(f"p={at['p']} must be in (0, 1)")
    if not 0 < values["c_L"] < values["c_H"]:
        raise ParameterError(f"c_L={at['c_L']} and c_H={at['c_H']} must satisfy 0 < c_L < c_H")
    if values["m_others"] <= 0:
        raise ParameterError(f"m_others={at['m_others']} must be > 0 (at 0 the known-cost line touches the cap at "
                             "m* instead of crossing it, and the closed forms are not differentiable there)")
    return values


def _symbolic_point(values: Mapping[str, mp.mpf]) -> dict[sp.Symbol, mp.mpf]:
    return {_SYMBOLS.get(name) or S.positive_symbol(name): v for name, v in values.items()}


def _solved(forms: ScreeningForms, quantity: str, values: Mapping[str, mp.mpf]) -> mp.mpf:
    """*quantity* of the menu solved numerically from scratch (the optimal menu, whatever its regime)."""
    low = forms.interior_low_contribution.evaluate_numeric(values)
    high = forms.interior_high_contribution.evaluate_numeric(values)
    if quantity == "information_rent_low":
        return forms.interior_information_rent.evaluate_numeric(values)
    return {"low_contribution": low, "high_contribution": high,
            "expected_data": values["p"] * low + (1 - values["p"]) * high}[quantity]


def _central_difference(forms: ScreeningForms, quantity: str, values: Mapping[str, mp.mpf], wrt: str) -> mp.mpf:
    """Central difference of :func:`_solved` in *wrt* (relative step :data:`~fedsym.paper.statics.FD_STEP`)."""
    h = values[wrt] * FD_STEP if values[wrt] != 0 else FD_STEP
    up = _solved(forms, quantity, {**values, wrt: values[wrt] + h})
    return (up - _solved(forms, quantity, {**values, wrt: values[wrt] - h})) / (2 * h)


def screening_statics(bound: BoundAccuracy, quantity: str, wrt: tuple[str, ...] | None = None, *,
                      at: Mapping[str, Any]) -> Statics:
    r"""Derivatives and elasticities of a two-type menu's *quantity* (App. B) in its closed-form regime.

    *at* gives ``p``, ``c_L``, ``c_H``, ``m_others``; *wrt* defaults to those and the accuracy's parameters.
    The pooling regime has no closed form and is refused (:class:`InputError`); on a regime boundary the
    result carries both regimes' values (:class:`~fedsym.paper.statics.Boundary`) and no derivative.

    >>> from fedsym import accuracy_function
    >>> bound = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
    >>> s = screening_statics(bound, "high_contribution", ("p",),
    ...                       at={"p": "0.1", "c_L": "0.001", "c_H": "0.0015", "m_others": "10"})
    >>> s.regime, s.derivatives[0].passed
    ('interior', True)
    """
    if quantity not in SCREENING_QUANTITIES:
        raise InputError(f"unknown screening quantity {quantity!r} (one of: {', '.join(SCREENING_QUANTITIES)})")
    function = bound.function
    names = function.parameter_names + SCREENING_POINT
    chosen = names if wrt is None else tuple(wrt)
    for name in chosen:
        if name not in names:
            raise InputError(f"--wrt {name}: {quantity} depends on {', '.join(names)}")
    values = _point(bound, at)
    derived = screening_forms(function)
    forms = _Forms.of(derived, bound.label())
    with mp.workdps(DPS):
        point = _symbolic_point(values)
        regime, other = screening_regime(forms, point)
        value = _number(forms.quantity(regime, quantity), point)
        if other:
            boundary = Boundary(f"{regime} | {other} regimes", value, _number(forms.quantity(other, quantity), point))
            return Statics(bound.label(), quantity, values, value, "boundary", (), boundary,
                           f"a boundary between the {regime} and {other} regimes (App. B): both values, "
                           "no derivative")
        expr = forms.quantity(regime, quantity)
        derivatives = []
        for name in chosen:
            theta = _SYMBOLS.get(name) or S.positive_symbol(name)
            d_expr = sp.diff(expr, theta)
            d = _number(d_expr, point)
            if not (mp.isfinite(d) and mp.isfinite(value)):
                raise ComputationError(f"d {quantity}/d {name} is not a finite real number at {bound.label()}, "
                                       + ", ".join(f"{k} = {mp.nstr(values[k], 8)}" for k in SCREENING_POINT))
            derivatives.append(Derivative(name, d, d * values[name] / value if value != 0 else None, CLOSED,
                                          sp.latex(d_expr), _central_difference(derived, quantity, values, name),
                                          abs(value / values[name]) if values[name] != 0 else mp.mpf(0)))
    return Statics(bound.label(), quantity, values, value, regime, tuple(derivatives), None,
                   f"App. B, {regime} regime")


# -- checks --------------------------------------------------------------------------------

#: (accuracy, parameters, quantity, point) of ``fedsym check``: an interior menu and a no-rent one (Example B.4)
CHECK_POINTS: tuple[tuple[str, dict[str, str], str, dict[str, str]], ...] = (
    ("simplified", {"a_opt": "0.9", "k": "10"}, "expected_data",
     {"p": "0.1", "c_L": "0.001", "c_H": "0.0015", "m_others": "10"}),
    ("simplified", {"a_opt": "0.9", "k": "10"}, "information_rent_low",
     {"p": "0.1", "c_L": "0.001", "c_H": "0.0015", "m_others": "10"}),
    ("simplified", {"a_opt": "0.9", "k": "10"}, "high_contribution",
     {"p": "0.5", "c_L": "0.001", "c_H": "0.002", "m_others": "5000"}),
)


def checks() -> list[CheckRow]:
    """Each closed-form derivative of the menu against the central difference of the numerically solved menu."""
    rows: list[CheckRow] = []
    for spec, params, quantity, at in CHECK_POINTS:
        rows.extend(screening_statics(accuracy_function(spec).bind(params), quantity, at=at).check_rows())
    return rows
