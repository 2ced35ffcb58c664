r"""One agent alone with any cost and value of accuracy: Theorem 2.3 generalized (Model §8).

The agent maximises :math:`u(m) = w(m) - C(m)`, :math:`w = v\circ a`.  Writing the
cost as a scale times a shape, :math:`C(m) = c\,g(m)` (the coefficient of a
monomial cost, else :math:`c = 1`), :func:`cost_shape_forms` *derives* with sympy
and validates at sample points:

* :math:`m^*(c)`, the root of :math:`w'(m) = c\,g'(m)` with :math:`w'' - c g'' < 0`
  (Eq. (3), :math:`v = a`, :math:`g = m^2`: :math:`m^* = (\sqrt k/(2c))^{2/5}`);
* :math:`u^*(c) = w(m^*) - c\,g(m^*)`;
* the viability threshold :math:`c_{max} = \sup_{m>0} w(m)/g(m)` (via the tangent
  point :math:`w' g = w g'`): for :math:`c \ge c_{max}` the agent collects nothing.

Where sympy finds no valid branch the quantity is numeric (bracketed root on the
concave region of :math:`w`); where :math:`w` is not concave above :math:`m_0`
a global grid search decides and the result says so.  :func:`checks` compares
each quantity with golden-section maximisation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow, derived_row
from fedsym.core.derived import CLOSED_FORM, Derived, DerivedForms, mp_value
from fedsym.core.engine import Row, Table, agree, run
from fedsym.core.errors import AssumptionError
from fedsym.core.expression import lambdify_mpmath
from fedsym.core.latex import LatexRepr, align, format_number, sympy_latex
from fedsym.core.settings import settings_cache
from fedsym.core.solve import DPS, bracketed_root, expand_bracket, maximize_unimodal
from fedsym.model.accuracy import AccuracyFunction, BoundAccuracy, accuracy_function
from fedsym.model.agent import ACCURACY, Agent, cost_function, value_function
from fedsym.paper.agents_that_differ.cohort import concave_start

__all__ = ["CostShapeForms", "LoneAgentResult", "cost_shape_forms", "lone_agent", "split_cost", "checks", "cost_shape_check_rows"]

#: grid points of the global search on a non-concave stretch of w
_GLOBAL_GRID = 200


def split_cost(cost: sp.Expr) -> tuple[sp.Rational, sp.Expr]:
    r""":math:`C(m) = c\,g(m)`: the coefficient and shape of a monomial cost, else ``(1, C)``."""
    coefficient, shape = cost.as_coeff_Mul()
    if coefficient.is_Rational and coefficient > 0 and shape.free_symbols == {S.m}:
        return coefficient, shape
    return sp.Integer(1), cost


# -- numerics at a bound point -----------------------------------------------------------

@dataclass(frozen=True)
class _Curve:
    """:math:`w = v\\circ a` and a cost shape :math:`g` for one bound accuracy, in mpmath."""

    bound: BoundAccuracy
    value: sp.Expr
    shape: sp.Expr

    @functools.cached_property
    def _fns(self) -> tuple[Callable[..., Any], ...]:
        w = self.value.subs(ACCURACY, self.bound.expr)
        return tuple(lambdify_mpmath(S.m, e) for e in
                     (w, sp.diff(w, S.m), self.shape, sp.diff(self.shape, S.m)))

    def w(self, x: mp.mpf) -> mp.mpf:
        return self._fns[0](x) if x > self.bound.minimum_viable_data else mp.mpf(0)

    def w_prime(self, x: mp.mpf) -> mp.mpf:
        return self._fns[1](x) if x > self.bound.minimum_viable_data else mp.mpf(0)

    def g(self, x: mp.mpf) -> mp.mpf:
        return self._fns[2](x) if x > 0 else mp.mpf(0)

    def g_prime(self, x: mp.mpf) -> mp.mpf:
        return self._fns[3](x)

    @functools.cached_property
    def concave_from(self) -> mp.mpf:
        probe = Agent(self.bound, S.m, value=self.value)
        return mp.mpf(concave_start(probe)) * (1 + mp.mpf(10) ** -12)

    @functools.cached_property
    def nonconcave(self) -> bool:
        return bool(self.concave_from > self.bound.minimum_viable_data * (1 + mp.mpf(10) ** -9))

    def optimum(self, c: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
        r""":math:`(m^*, u^*)`: FOC root on the concave region vs 0 vs the non-concave stretch (largest maximizer)."""
        def foc(x: mp.mpf) -> mp.mpf:
            return self.w_prime(x) - c * self.g_prime(x)

        best = (mp.mpf(0), mp.mpf(0))
        lo = self.concave_from
        if foc(lo) > 0:
            root = bracketed_root(foc, lo, expand_bracket(foc, lo, 2 * lo))
            u = self.w(root) - c * self.g(root)
            if u >= 0:
                best = (u, root)
        if self.nonconcave:
            u, x = self._global(lambda y: self.w(y) - c * self.g(y))
            if u > best[0]:
                best = (u, x)
        return best[1], best[0]

    def _global(self, f: Callable[[mp.mpf], mp.mpf]) -> tuple[mp.mpf, mp.mpf]:
        m0 = max(self.bound.minimum_viable_data, mp.mpf(10) ** -12)
        grid = [m0 * (self.concave_from / m0) ** (mp.mpf(j) / _GLOBAL_GRID) for j in range(_GLOBAL_GRID + 1)]
        values = [f(x) for x in grid]
        j = max(range(len(grid)), key=lambda i: values[i])
        x, u = maximize_unimodal(f, grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)])
        return (u, x) if u >= values[j] else (values[j], grid[j])

    def tangent(self) -> mp.mpf:
        r"""Where :math:`w/g` is largest: the root of :math:`w'g - wg'` on the concave region."""
        def h(x: mp.mpf) -> mp.mpf:
            return self.w_prime(x) * self.g(x) - self.w(x) * self.g_prime(x)

        lo = self.concave_from
        if h(lo) <= 0:
            return lo
        return bracketed_root(h, lo, expand_bracket(h, lo, 2 * lo))

    def golden_ratio_max(self) -> tuple[mp.mpf, mp.mpf]:
        """Reference :math:`\\sup w/g` without derivatives: best grid point, then golden section."""
        grid = [x for x in self.bound.grid if x > self.bound.minimum_viable_data]
        ratios = [self.w(x) / self.g(x) for x in grid]
        j = max(range(len(grid)), key=lambda i: ratios[i])
        return maximize_unimodal(lambda x: self.w(x) / self.g(x), grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)])

    def golden_optimum(self, c: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
        """Reference :math:`(m^*, u^*)` by golden section of :math:`u` (derivatives only bracket it)."""
        lo = self.concave_from
        hi = expand_bracket(lambda x: self.w_prime(x) - c * self.g_prime(x), lo, 2 * lo)
        return maximize_unimodal(lambda x: self.w(x) - c * self.g(x), lo, hi)


# -- symbolic derivation -------------------------------------------------------------------

@dataclass(frozen=True)
class CostShapeForms(DerivedForms):
    r"""Derived quantities for accuracy ``function``, value ``value`` and cost :math:`c\,g(m)`.

    Arguments: the function's parameters, then ``c`` for :attr:`optimal_data` and :attr:`optimal_utility`.
    """

    function: AccuracyFunction
    value: sp.Expr
    shape: sp.Expr
    tangent_point: Derived
    viability_cost: Derived
    optimal_data: Derived
    optimal_utility: Derived


def _numerator(equation: sp.Expr) -> sp.Expr:
    """The numerator of *equation* over a common denominator: same positive roots, and sympy solves it faster."""
    return sp.numer(sp.together(equation))


def _samples(function: AccuracyFunction, value: sp.Expr, shape: sp.Expr) -> list[dict[str, mp.mpf]]:
    r"""Sample points: bindings where :math:`\sup w/g` is found, each with costs ``c_max * {0.05, 0.5, 0.9}``."""
    points: list[dict[str, mp.mpf]] = []
    for bound in function.sample_bindings():
        try:
            _, c_max = _Curve(bound, value, shape).golden_ratio_max()
        except (ArithmeticError, AssumptionError):
            continue
        values = {name: mp_value(v) for name, v in bound.values.items()}
        points.extend({**values, "c": c_max * mp.mpf(f)} for f in ("0.05", "0.5", "0.9"))
    return points


def _table(function: AccuracyFunction, shape: sp.Expr, value: sp.Expr) -> Table:
    r"""The generalized Theorem 2.3 as a table of :mod:`fedsym.core.engine` (Model §8).

    The tangent point is the root of :math:`w'g = wg'`; :math:`m^*(c)` the root of
    :math:`w' = c g'` on the concave region of :math:`w`; :math:`c_{max}` and :math:`u^*`
    follow by substitution (simplified).
    """
    params = function.parameter_names
    w_expr = value.subs(ACCURACY, function.expr)
    w1 = sp.diff(w_expr, S.m)

    @settings_cache(maxsize=32)
    def curve_of(point: tuple[tuple[str, mp.mpf], ...]) -> _Curve:
        return _Curve(function.bind_numbers(dict(point)), value, shape)

    def curve_at(values: Mapping[str, mp.mpf]) -> _Curve:
        return curve_of(tuple((name, values[name]) for name in params))

    def numeric_cmax(values: Mapping[str, mp.mpf]) -> mp.mpf:
        curve = curve_at(values)
        x = curve.tangent()
        return curve.w(x) / curve.g(x)

    def concave_region(values: Mapping[str, mp.mpf], v: mp.mpf) -> bool:
        return bool(v >= curve_at(values).concave_from)

    def verify_mstar(values: Mapping[str, mp.mpf], v: mp.mpf) -> bool:
        curve = curve_at(values)
        return not curve.nonconcave and v >= curve.concave_from and \
            agree(curve.w_prime(v), values["c"] * curve.g_prime(v)) and curve.w(v) - values["c"] * curve.g(v) >= 0

    rows = (
        Row("tangent_point", r"m_{t}", "where the value per unit of cost shape is largest", "Model §8", params,
            lambda values: curve_at(values).tangent(),
            equation=_numerator(w1 * shape - w_expr * sp.diff(shape, S.m)), unknown=S.m,
            title="tangent point", key="tangent", note_key="tangent_note"),
        Row("viability_cost", r"c_{max}", "cost scale from which the agent collects nothing",
            "Model §8 (Theorem 2.3 generalized)", params, numeric_cmax,
            form=lambda f: (w_expr / shape).subs(S.m, f["tangent_point"]), needs=("tangent_point",), simplify=True,
            key="c_max", note_key=None),
        Row("optimal_data", r"m^{*}", "optimal data of the agent alone", "Model §8", params + ("c",),
            lambda values: curve_at(values).optimum(values["c"])[0],
            equation=_numerator(w1 - S.c * sp.diff(shape, S.m)), unknown=S.m, condition=concave_region,
            title="optimal data", key="optimum", note_key="optimum_note", verify=verify_mstar),
        Row("optimal_utility", r"u^{*}", "utility of the agent alone", "Model §8", params + ("c",),
            lambda values: curve_at(values).optimum(values["c"])[1],
            form=lambda f: w_expr.subs(S.m, f["optimal_data"]) - S.c * shape.subs(S.m, f["optimal_data"]),
            needs=("optimal_data",), simplify=True, key="utility", note_key=None),
    )
    description = {**function.description(), "value": sp.srepr(value), "shape": sp.srepr(shape)}
    return Table("cost_shape", description, rows, functools.partial(_samples, function, value, shape))


@settings_cache(maxsize=64)
def cost_shape_forms(function: AccuracyFunction, shape: sp.Expr, value: sp.Expr = ACCURACY) -> CostShapeForms:
    r"""Derive :math:`m^*(c)`, :math:`u^*(c)`, the tangent point and :math:`c_{max}` (Model §8).

    Each sympy branch is kept only if it matches the numeric solver at four sample
    bindings and three costs below :math:`c_{max}` (``c_max * {0.05, 0.5, 0.9}``);
    otherwise the quantity is numeric and says why.  The table :func:`_table` runs on
    the derivation engine (:func:`fedsym.core.engine.run`).  Cached per settings (precision, symbolic budget).
    """
    return CostShapeForms(function, value, shape, **run(_table(function, shape, value)))


# -- evaluation ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoneAgentResult(LatexRepr):
    r"""Theorem 2.3 generalized for one agent: :math:`m^*, u^*` and the viability threshold of its cost scale."""

    accuracy: str
    cost_function: str
    value: str
    cost_scale: mp.mpf
    cost_shape: str
    optimal_data: mp.mpf
    optimal_utility: mp.mpf
    viability_cost: mp.mpf
    method: dict[str, str]
    closed_form: dict[str, str]
    note: str
    forms: CostShapeForms | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "cost_function": self.cost_function, "value": self.value,
                "cost_scale": float(self.cost_scale), "cost_shape": self.cost_shape,
                "optimal_data": float(self.optimal_data), "optimal_utility": float(self.optimal_utility),
                "viability_cost": float(self.viability_cost), "method": dict(self.method),
                "closed_form": dict(self.closed_form), "note": self.note}

    def to_latex(self) -> str:
        lines = []
        for name, symbol in (("optimal_data", "m^{*}"), ("optimal_utility", "u^{*}"), ("viability_cost", "c_{max}")):
            number = format_number(getattr(self, name), 10)
            form = self.closed_form.get(name)
            lines.append(rf"{symbol} &= {form} = {number}" if form else rf"{symbol} &= {number} \quad\text{{(numeric)}}")
        return align(lines)


def lone_agent(agent: Agent) -> LoneAgentResult:
    r"""Theorem 2.3 generalized (Model §8) for *agent*: closed forms where derived and valid, else numerics.

    The cost is split as :math:`C = c\,g(m)` (:func:`split_cost`); :math:`m^* = 0` when
    :math:`c \ge c_{max} = \sup w/g` and :math:`w` is concave above :math:`m_0`.  Where
    :math:`w` is not concave there, the optimum comes from a global search and the note says so.
    """
    scale, shape = split_cost(agent.cost)
    forms = cost_shape_forms(agent.accuracy.function, shape, agent.value)
    values: dict[str, Any] = {**agent.accuracy.values, "c": scale}
    method: dict[str, str] = {}
    curve = _Curve(agent.accuracy, agent.value, shape)
    with mp.workdps(DPS):
        def resolved(derived: Derived) -> mp.mpf:
            number, how = derived.resolve(values)
            method[derived.name] = how
            return number

        c_max = resolved(forms.viability_cost)
        c = mp_value(scale)
        note = ""
        if curve.nonconcave:
            m_star, u_star = curve.optimum(c)
            method["optimal_data"] = method["optimal_utility"] = "global search"
            note = (f"v o a is not concave on (m_0, {mp.nstr(curve.concave_from, 6)}): m* found by a global "
                    "search there as well as from the first-order condition beyond")
        elif c >= c_max:
            m_star, u_star = mp.mpf(0), mp.mpf(0)
            method["optimal_data"] = method["optimal_utility"] = method["viability_cost"]
            note = "the cost scale is at or above c_max: the agent collects nothing alone"
        else:
            m_star, u_star = resolved(forms.optimal_data), resolved(forms.optimal_utility)
    closed = {d.name: sympy_latex(d.closed_form) for d in forms.all()
              if d.closed_form is not None and method.get(d.name) == CLOSED_FORM}
    return LoneAgentResult(agent.accuracy.label(), str(agent.cost), str(agent.value), mp_value(scale), str(shape),
                           m_star, u_star, c_max, method, closed, note, forms)


# -- checks -------------------------------------------------------------------------------------

#: (accuracy, parameters, cost shape, value) checked by ``fedsym check``
CHECK_POINTS: tuple[tuple[str, dict[str, str], str, str], ...] = (
    ("simplified", {"a_opt": "0.95", "k": "1"}, "m**2", "a"),
    ("simplified", {"a_opt": "0.8", "k": "30"}, "m**2", "a"),
    ("simplified", {"a_opt": "0.95", "k": "1"}, "m**(3/2)", "a"),
    ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}, "m**2", "a"),
    ("simplified", {"a_opt": "0.95", "k": "1"}, "m", "(1 - a)**(-2) - 1"),
)

#: cost scales checked, as fractions of c_max
COST_FRACTIONS = ("0.01", "0.5", "0.9")


def checks() -> list[CheckRow]:
    """Every point of :data:`CHECK_POINTS` through :func:`cost_shape_check_rows`."""
    return [row for point in CHECK_POINTS for row in cost_shape_check_rows(*point)]


def cost_shape_check_rows(spec: str, params: Mapping[str, str], shape_text: str, value_text: str) -> list[CheckRow]:
    r"""The derived quantities of one (accuracy, cost shape, value) against golden-section numerics.

    References (no first-order condition): :math:`c_{max}` and the tangent point by golden-section
    maximisation of :math:`w/g` around the best grid point; :math:`m^*, u^*` by golden-section
    maximisation of :math:`w - c g` at ``c = fraction * c_max`` (:data:`COST_FRACTIONS`).
    Tolerances 1e-15 for values and 1e-12 for arg-max locations (golden section pins a flat optimum
    to about half the working digits).
    """
    rows: list[CheckRow] = []
    with mp.workdps(DPS):
        bound = accuracy_function(spec).bind(params)
        shape, _ = cost_function(shape_text)
        value, _ = value_function(value_text, bound.a_opt)
        forms = cost_shape_forms(bound.function, shape, value)
        curve = _Curve(bound, value, shape)
        point = f"{bound.label()}, C = c*{shape_text}, v = {value_text}"
        m_t, ratio = curve.golden_ratio_max()
        rows.append(derived_row(forms.tangent_point, bound.values, m_t, "golden-section max of w/g", point, "1e-12"))
        rows.append(derived_row(forms.viability_cost, bound.values, ratio, "golden-section max of w/g", point))
        for fraction in COST_FRACTIONS:
            c = ratio * mp.mpf(fraction)
            m_star, u_star = curve.golden_optimum(c)
            values = {**bound.values, "c": c}
            at = f"{point}, c = {fraction} c_max"
            rows.append(derived_row(forms.optimal_data, values, m_star, "golden-section max of u", at, "1e-12"))
            rows.append(derived_row(forms.optimal_utility, values, u_star, "golden-section max of u", at))
    return rows
