r"""Comparative statics (Model §12): how each quantity moves with each parameter.

For a quantity :math:`y(\theta)` -- Theorem 2.3's :math:`m_0, c_{max}, m^*, u^*`,
the totals of Eq. (10) and Theorem 4.2 for ``n`` agents of equal cost, and
Example 4.5's :math:`t_n` -- :func:`statics` gives :math:`\partial y/\partial\theta`
and the elasticity :math:`\partial\log y/\partial\log\theta` for every
parameter :math:`\theta` (the accuracy function's parameters, ``c``, ``n``, ``eps``):

* symbolically, ``sympy.diff`` of the closed form where the quantity has one;
* otherwise by the implicit function theorem on the defining system
  :math:`F(Y, \theta) = 0` (:math:`Y` the unknowns, ``y`` a function of them):
  :math:`dY/d\theta = -F_Y^{-1} F_\theta`, a formula in :math:`Y` evaluated at
  the solved :math:`Y`.  E.g. :math:`m^*` from :math:`\hat a'(m) = c` gives
  :math:`dm^*/dc = 1/\hat a''(m^*)`; the shaping total from
  :math:`\sum_i \bar m_i(M) = M` with
  :math:`\bar m_i(M) = m^* + (a(M) - a(m^*))/(c + \varepsilon)` (Theorem 4.2).

Regime boundaries are jumps, not derivatives: at :math:`c = c_{max}`
(Theorem 2.3) the result carries the values on both sides and no derivative.
Every derivative is checked against a 40-digit central difference of the
quantity recomputed from scratch (:func:`quantity_value`, which uses the
solvers, never the derivative formula).  :func:`derivative_sign` states the sign
a paper would state, proved by sympy under positive symbols where it can,
otherwise over a stated grid.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow, text_math
from fedsym.core.derived import exact_rational, mp_value
from fedsym.core.errors import ComputationError, FedsymError, InputError, ParameterError
from fedsym.core.expression import lambdify_mpmath
from fedsym.core.latex import Latex, LatexRepr
from fedsym.core.solve import DPS, bracketed_root, expand_bracket
from fedsym.model.accuracy import AccuracyFunction, BoundAccuracy, accuracy_function, parse_number
from fedsym.paper.example_4_5 import example_forms
from fedsym.paper.lone_agent import individual, lone_agent_forms
from fedsym.paper.welfare import welfare_forms

__all__ = ["QUANTITIES", "COST_QUANTITIES", "PLANNER", "RATIOS", "Derivative", "Statics", "quantity_value", "statics",
           "derivative_sign", "applicable_parameters", "point_values", "parameter_tex", "SYMBOLS", "checks"]

#: quantities of Model §12 covered here (the JSON keys of ``fedsym individual`` and ``fedsym equilibrium``)
QUANTITIES = ("minimum_viable_data", "viability_cost", "optimal_data", "optimal_utility", "standard_total",
              "shaping_total", "equal_cost_ratio", "planner_total", "planner_welfare", "data_poa", "welfare_poa")

#: Model §11's planner for ``n`` identical agents, :math:`n\,\hat a'(M_P) = c` (its optimum is the lone
#: optimum at cost ``c/n``)
PLANNER = ("planner_total", "planner_welfare")
#: Model §11's prices of anarchy of standard FL, :math:`M_P/M_S` and :math:`W_P/W_S` (finite for c < c_max)
RATIOS = ("data_poa", "welfare_poa")

#: quantities that depend on the cost ``c``
COST_QUANTITIES = ("optimal_data", "optimal_utility", "standard_total", "shaping_total", *PLANNER, *RATIOS)

#: quantities of ``n`` equal agents (``n`` is a parameter; ``eps`` too for shaping)
_POPULATION = {"standard_total": ("n",), "shaping_total": ("n", "eps"), "equal_cost_ratio": ("n",),
               **{name: ("n",) for name in (*PLANNER, *RATIOS)}}

#: the paper's symbols of the quantities
SYMBOLS = {"minimum_viable_data": "m_0", "viability_cost": "c_{max}", "optimal_data": "m^{*}",
           "optimal_utility": "u^{*}", "standard_total": r"M_{\mathrm{std}}", "shaping_total": "M",
           "equal_cost_ratio": "t_n", "planner_total": "M_P", "planner_welfare": "W_P", "data_poa": "M_P/M_S",
           "welfare_poa": "W_P/W_S", "low_contribution": "m_D", "high_contribution": "m_C",
           "information_rent_low": r"(R(m_C) - u_L^{*})", "expected_data": r"(p\,m_D + (1-p)\,m_C)"}

#: the quantities' names in plain text (sign statements)
PLAIN = {"minimum_viable_data": "m_0", "viability_cost": "c_max", "optimal_data": "m*", "optimal_utility": "u*",
         "standard_total": "the standard total", "shaping_total": "the shaping total M", "equal_cost_ratio": "t_n",
         "planner_total": "the planner's total M_P", "planner_welfare": "the planner's welfare W_P",
         "data_poa": "M_P/M_S", "welfare_poa": "W_P/W_S"}

#: where each quantity comes from in the paper
SOURCES = {"minimum_viable_data": "Eq. (1)", "viability_cost": "Theorem 2.3", "optimal_data": "Theorem 2.3",
           "optimal_utility": "Theorem 2.3", "standard_total": "Theorem 3.4", "shaping_total": "Theorem 4.2",
           "equal_cost_ratio": "Example 4.5", **{name: "Model §11" for name in (*PLANNER, *RATIOS)},
           "low_contribution": "App. B, Eq. (15)", "high_contribution": "App. B, Eq. (16)",
           "information_rent_low": "Theorem B.3", "expected_data": "Theorem B.1"}

#: relative step of the central differences that check each derivative
FD_STEP = mp.mpf("1e-12")
#: relative tolerance of a derivative against its central difference (error ~ step^2 plus solver noise)
FD_TOLERANCE = mp.mpf("1e-9")

#: a central difference below this many units of y/theta is read as 0 in a check row (the solvers' noise)
ZERO_ELASTICITY = mp.mpf("1e-20")

#: the symbol of each non-accuracy parameter
_EXTRA_SYMBOLS = {"c": S.c, "n": S.n, "eps": S.eps}
#: names of a point that are not the accuracy's parameters (shown in a check row's point)
POINT_NAMES = ("c", "n", "eps", "p", "c_L", "c_H", "m_others")

# unknowns of the defining systems
_MSTAR = sp.Symbol("m^*", positive=True)
_MTAN = sp.Symbol("m_t", positive=True)
_M0 = sp.Symbol("m_0", positive=True)
_TOTAL = sp.Symbol("M", positive=True)
_RATIO = sp.Symbol("t", positive=True)
_PLAN = sp.Symbol("M_P", positive=True)

#: methods of a derivative
CLOSED = "closed-form"
IMPLICIT = "implicit-function"
CONSTANT = "constant"


def applicable_parameters(function: AccuracyFunction, quantity: str) -> tuple[str, ...]:
    """The parameters *quantity* depends on: the accuracy's, then ``c``, ``n``, ``eps`` where they apply."""
    _require_quantity(quantity)
    if quantity == "equal_cost_ratio":
        return ("n",)
    own = function.parameter_names
    cost = ("c",) if quantity in COST_QUANTITIES else ()
    return own + cost + _POPULATION.get(quantity, ())


def _require_quantity(quantity: str) -> None:
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r} (one of: {', '.join(QUANTITIES)})")


# -- defining systems -------------------------------------------------------------

@dataclass(frozen=True)
class _System:
    """``equations(unknowns, theta) = 0`` defines the unknowns; ``output`` is the quantity in terms of them."""

    unknowns: tuple[sp.Symbol, ...]
    equations: tuple[sp.Expr, ...]
    output: sp.Expr


def _system(function: AccuracyFunction, quantity: str, priced_out: bool) -> _System:
    r"""The defining system of *quantity* (Theorem 2.3, Theorem 4.2, Example 4.5).

    *priced_out*: :math:`c \ge c_{max}`, where the shaping total solves
    Remark 4.4's :math:`n\,a(M)/(c+\varepsilon) = M`.
    """
    a_hat = function.expr

    def at(x: sp.Expr) -> sp.Expr:
        return a_hat.subs(S.m, x)

    slope = sp.diff(a_hat, S.m)
    foc = slope.subs(S.m, _MSTAR) - S.c
    if quantity == "minimum_viable_data":
        return _System((_M0,), (at(_M0),), _M0)
    if quantity == "viability_cost":
        return _System((_MTAN,), (_MTAN * slope.subs(S.m, _MTAN) - at(_MTAN),), at(_MTAN) / _MTAN)
    if quantity in ("optimal_data", "standard_total"):
        return _System((_MSTAR,), (foc,), _MSTAR)
    if quantity == "optimal_utility":
        return _System((_MSTAR,), (foc,), at(_MSTAR) - S.c * _MSTAR)
    if quantity == "equal_cost_ratio":
        return _System((_RATIO,), ((3 - _RATIO) ** 2 * _RATIO - 4 / S.n,), _RATIO)
    planner_foc = S.n * slope.subs(S.m, _PLAN) - S.c
    planner_welfare = S.n * at(_PLAN) - S.c * _PLAN
    if quantity in PLANNER:
        return _System((_PLAN,), (planner_foc,), _PLAN if quantity == "planner_total" else planner_welfare)
    if quantity in RATIOS:
        ratio = _PLAN / _MSTAR if quantity == "data_poa" else planner_welfare / (S.n * at(_MSTAR) - S.c * _MSTAR)
        return _System((_PLAN, _MSTAR), (planner_foc, foc), ratio)
    if priced_out:
        return _System((_TOTAL,), (S.n * at(_TOTAL) / (S.c + S.eps) - _TOTAL,), _TOTAL)
    fixed_point = S.n * (_MSTAR + (at(_TOTAL) - at(_MSTAR)) / (S.c + S.eps)) - _TOTAL
    return _System((_TOTAL, _MSTAR), (fixed_point, foc), _TOTAL)


def _symbol(function: AccuracyFunction, name: str) -> sp.Symbol:
    return _EXTRA_SYMBOLS.get(name) or S.positive_symbol(name)


@functools.lru_cache(maxsize=256)
def implicit_derivative(function: AccuracyFunction, quantity: str, wrt: str, priced_out: bool = False) -> sp.Expr:
    r""":math:`dy/d\theta` by the implicit function theorem, in terms of the unknowns and the parameters.

    :math:`dY/d\theta = -F_Y^{-1}F_\theta`, :math:`dy/d\theta = \partial y/\partial\theta + \nabla_Y y\cdot dY/d\theta`.
    """
    system = _system(function, quantity, priced_out)
    theta = _symbol(function, wrt)
    equations = sp.Matrix(system.equations)
    jacobian = equations.jacobian(sp.Matrix(system.unknowns))
    d_unknowns = -jacobian.LUsolve(equations.diff(theta))
    gradient = sp.Matrix([system.output]).jacobian(sp.Matrix(system.unknowns))
    return sp.together(sp.diff(system.output, theta) + (gradient * d_unknowns)[0, 0])


def closed_form(function: AccuracyFunction, quantity: str) -> sp.Expr | None:
    """The closed form of *quantity* when one was derived (shaping total: none; it is solved)."""
    if quantity == "equal_cost_ratio":
        return example_forms().ratio.closed_form
    if quantity == "shaping_total":
        return None
    if quantity in PLANNER or quantity in RATIOS:
        welfare: sp.Expr | None = getattr(welfare_forms(function), quantity).closed_form
        return welfare
    forms = lone_agent_forms(function)
    name = "optimal_data" if quantity == "standard_total" else quantity
    form: sp.Expr | None = getattr(forms, name).closed_form
    return form


# -- values from scratch ------------------------------------------------------------

def _point(values: Mapping[str, Any]) -> dict[str, mp.mpf]:
    return {name: mp_value(v) for name, v in values.items()}


def _rebind(function: AccuracyFunction, values: Mapping[str, mp.mpf]) -> BoundAccuracy:
    return function.bind_numbers(values)


def _shaping_fixed_point(bound: BoundAccuracy, cost: mp.mpf, n: mp.mpf, eps: mp.mpf, m_star: mp.mpf) -> mp.mpf:
    r"""Root :math:`M > n m^*` of :math:`n\,\bar m(M) = M` (Theorem 4.2; Remark 4.4 when :math:`m^* = 0`)."""
    base = bound.a(m_star)

    def excess(total: mp.mpf) -> mp.mpf:
        return n * (m_star + (bound.a(total) - base) / (cost + eps)) - total

    if m_star > 0:
        lo = n * m_star
    else:  # Remark 4.4: from the tangent point, where a(M)/M is largest
        tangent = lone_agent_forms(bound.function).tangent_point.resolve(bound.values)[0]
        lo = tangent if tangent > 0 else bound.minimum_viable_data * (1 + mp.mpf(10) ** -30)
        if excess(lo) <= 0:
            raise InputError(f"no positive shaping equilibrium: (c + eps)/n = {mp.nstr((cost + eps) / n, 8)} is at "
                             f"or above c_max (Remark 4.4: only M = 0) for accuracy {bound.label()}")
    if excess(lo) == 0:
        return lo
    try:
        return bracketed_root(excess, lo, expand_bracket(excess, lo, 2 * lo))
    except ArithmeticError as error:
        raise ComputationError(f"shaping total at c = {mp.nstr(cost, 8)}, n = {mp.nstr(n, 8)}: {error}") from None


@dataclass(frozen=True)
class _State:
    """The solved unknowns of a quantity at a point, with its value and regime."""

    value: mp.mpf
    unknowns: dict[sp.Symbol, mp.mpf]
    regime: str
    c_max: mp.mpf | None = None
    tangent: mp.mpf | None = None


def _state(function: AccuracyFunction, quantity: str, values: Mapping[str, mp.mpf]) -> _State:
    """Solve *quantity* at *values* from scratch (public solvers; no derivative is used)."""
    bound = _rebind(function, values) if quantity != "equal_cost_ratio" else None
    if quantity == "equal_cost_ratio":
        t = example_forms().ratio.resolve({"n": values["n"]})[0]
        return _State(t, {_RATIO: t}, "any")
    assert bound is not None
    forms = lone_agent_forms(function)
    if quantity == "minimum_viable_data":
        m0 = bound.minimum_viable_data
        return _State(m0, {_M0: m0}, "any")
    tangent = forms.tangent_point.resolve(bound.values)[0]
    if quantity == "viability_cost":
        if tangent <= 0:
            raise ComputationError(f"c_max of accuracy {bound.label()} is the slope at the origin: there is no "
                                   "tangent point to differentiate through")
        return _State(bound.a_hat(tangent) / tangent, {_MTAN: tangent}, "any")
    cost = values["c"]
    if quantity in PLANNER or quantity in RATIOS:
        return _planner_state(bound, quantity, values, tangent)
    result = individual(bound, exact_rational(cost))
    regime = "boundary" if cost == result.viability_cost else result.regime
    common = dict(c_max=result.viability_cost, tangent=tangent)
    if quantity in ("optimal_data", "standard_total"):
        return _State(result.optimal_data, {_MSTAR: result.optimal_data}, regime, **common)
    if quantity == "optimal_utility":
        return _State(result.optimal_utility, {_MSTAR: result.optimal_data}, regime, **common)
    total = _shaping_fixed_point(bound, cost, values["n"], values["eps"], result.optimal_data)
    return _State(total, {_TOTAL: total, _MSTAR: result.optimal_data}, regime, **common)


def _planner_state(bound: BoundAccuracy, quantity: str, values: Mapping[str, mp.mpf], tangent: mp.mpf) -> _State:
    r"""Model §11: the planner's total is the lone optimum at cost ``c/n`` (:math:`n\,\hat a'(M_P) = c`, zero
    for :math:`c/n > c_{max}`); the ratios compare it with standard FL's :math:`m^*` (Theorem 3.4)."""
    cost, n = values["c"], values["n"]
    planner = individual(bound, exact_rational(cost / n))
    total = planner.optimal_data
    welfare = n * bound.a(total) - cost * total
    if quantity in PLANNER:
        regime = "boundary" if cost / n == planner.viability_cost else planner.regime
        return _State(total if quantity == "planner_total" else welfare, {_PLAN: total}, regime,
                      c_max=planner.viability_cost * n, tangent=tangent)
    lone = individual(bound, exact_rational(cost))
    if lone.regime != "low":
        raise InputError(f"{quantity} at c = {mp.nstr(cost, 8)}: c >= c_max = {mp.nstr(lone.viability_cost, 8)}, "
                         "standard FL collects nothing (Theorem 3.4), so the price of anarchy is infinite")
    m_star = lone.optimal_data
    value = total / m_star if quantity == "data_poa" else welfare / (n * bound.a(m_star) - cost * m_star)
    return _State(value, {_PLAN: total, _MSTAR: m_star}, "low")


def quantity_value(function: AccuracyFunction, quantity: str, values: Mapping[str, Any]) -> mp.mpf:
    """*quantity* at *values* (parameters, ``c``, ``n``, ``eps``), recomputed from scratch at 40 digits."""
    _require_quantity(quantity)
    with mp.workdps(DPS):
        return _state(function, quantity, _point(values)).value


# -- derivatives -------------------------------------------------------------------------

@dataclass(frozen=True)
class Derivative:
    r""":math:`\partial y/\partial\theta` and the elasticity at one point, with its central-difference check.

    ``expression``: LaTeX of the derivative (closed form, or the implicit-function
    formula in the unknowns such as :math:`m^*`); ``elasticity`` is None when ``y = 0``.
    """

    wrt: str
    value: mp.mpf
    elasticity: mp.mpf | None
    method: str
    expression: str
    finite_difference: mp.mpf
    scale: mp.mpf

    @property
    def error(self) -> mp.mpf:
        r"""Difference from the central difference, relative to the derivative or, if larger, to
        :math:`|y/\theta|` (an error in elasticity units: a derivative that is exactly 0 is checkable)."""
        scale = max(abs(self.finite_difference), abs(self.value), self.scale)
        return abs(self.value - self.finite_difference) / scale if scale else mp.mpf(0)

    @property
    def passed(self) -> bool:
        return bool(self.error <= FD_TOLERANCE)

    def to_dict(self) -> dict[str, Any]:
        return {"derivative": float(self.value),
                "elasticity": None if self.elasticity is None else float(self.elasticity),
                "method": self.method, "expression": self.expression,
                "finite_difference": float(self.finite_difference), "relative_error": float(self.error),
                "passed": self.passed}


@dataclass(frozen=True)
class Boundary:
    r"""A regime boundary (:math:`c = c_{max}`, Theorem 2.3): the values on both sides, not a derivative."""

    at: str
    below: mp.mpf
    above: mp.mpf

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "value_below": float(self.below), "value_above": float(self.above),
                "jump": float(self.above - self.below)}


@dataclass(frozen=True)
class Statics(LatexRepr):
    """Comparative statics of one quantity at one point (see :func:`statics`)."""

    accuracy: str
    quantity: str
    at: dict[str, mp.mpf]
    value: mp.mpf
    regime: str
    derivatives: tuple[Derivative, ...]
    boundary: Boundary | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "quantity": self.quantity,
                "at": {name: float(v) for name, v in self.at.items()}, "value": float(self.value),
                "regime": self.regime, "derivatives": {d.wrt: d.to_dict() for d in self.derivatives},
                "boundary": None if self.boundary is None else self.boundary.to_dict(),
                "note": self.note}

    def check_rows(self) -> list[CheckRow]:
        r"""One row per derivative: the derivative against its central difference, in units of
        :math:`y/\theta` (so that a derivative that is exactly 0 is compared too)."""
        point = self.accuracy + "".join(f", {name} = {mp.nstr(v, 8)}" for name, v in self.at.items()
                                        if name in POINT_NAMES)
        rows = []
        for d in self.derivatives:
            unit = d.scale or mp.mpf(1)
            reference = d.finite_difference / unit
            rows.append(CheckRow(f"d {self.quantity} / d {d.wrt}", SOURCES[self.quantity], point, d.value / unit,
                                 reference if abs(reference) > ZERO_ELASTICITY else mp.mpf(0),
                                 f"central difference, in units of y/{d.wrt} ({d.method} derivative)",
                                 FD_TOLERANCE, quantity_tex=rf"\partial {SYMBOLS[self.quantity]}/\partial {parameter_tex(d.wrt)}"))
        return rows

    def to_latex(self) -> str:
        """An ``align*`` block: each derivative's formula, value and elasticity."""
        y = SYMBOLS[self.quantity]
        lines = [rf"{y} &= {mp.nstr(self.value, 10)}"]
        for d in self.derivatives:
            theta = parameter_tex(d.wrt)
            elasticity = "" if d.elasticity is None else \
                rf",\quad \frac{{\partial\log {y}}}{{\partial\log {theta}}} = {mp.nstr(d.elasticity, 10)}"
            lines.append(rf"\frac{{\partial {y}}}{{\partial {theta}}} &= {d.expression} = {mp.nstr(d.value, 10)}"
                         + elasticity)
        if self.boundary is not None:
            lines.append(rf"&\text{{jump at {self.boundary.at}: }} {mp.nstr(self.boundary.below, 10)} \to "
                         rf"{mp.nstr(self.boundary.above, 10)}")
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def parameter_tex(name: str) -> str:
    """The LaTeX of a parameter name (``eps`` -> ``\\varepsilon``, ``a_opt`` -> ``a_{opt}``)."""
    return {"eps": r"\varepsilon", "alpha": r"\alpha", "beta": r"\beta", "tau": r"\tau", "a_opt": "a_{opt}",
            "m_others": "m_{-i}"}.get(
        name, name)


def _evaluator(expr: sp.Expr, function: AccuracyFunction) -> Callable[[Mapping[sp.Symbol, mp.mpf]], mp.mpf]:
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    compiled = lambdify_mpmath(symbols, expr)

    def evaluate(at: Mapping[sp.Symbol, mp.mpf]) -> mp.mpf:
        try:
            value = compiled(*(at[s] for s in symbols))
        except ZeroDivisionError:  # a singular Jacobian: the implicit function theorem does not apply here
            value = mp.nan
        if isinstance(value, mp.mpc) or not mp.isfinite(value):
            raise ComputationError(f"derivative {sp.sstr(expr)} is not a finite real number at this point")
        return mp.mpf(value)

    return evaluate


def _central_difference(function: AccuracyFunction, quantity: str, values: Mapping[str, mp.mpf], wrt: str) -> mp.mpf:
    r"""Central difference of :func:`quantity_value` in *wrt* (relative step :data:`FD_STEP`).

    At the edge of a parameter's range (``a_opt = 1``) the step that leaves it is replaced by a
    second-order one-sided difference, :math:`(3y(\theta) - 4y(\theta \mp h) + y(\theta \mp 2h))/(\pm 2h)`.
    """
    h = values[wrt] * FD_STEP if values[wrt] != 0 else FD_STEP

    def y(step: mp.mpf) -> mp.mpf:
        return _state(function, quantity, {**values, wrt: values[wrt] + step}).value

    try:
        return (y(h) - y(-h)) / (2 * h)
    except ParameterError:
        side = -h if _outside(function, values, wrt, h) else h
        return (3 * y(mp.mpf(0)) - 4 * y(side) + y(2 * side)) / (-2 * side)


def _outside(function: AccuracyFunction, values: Mapping[str, mp.mpf], wrt: str, step: mp.mpf) -> bool:
    """Whether moving *wrt* by *step* leaves the accuracy parameter's admissible range."""
    try:
        function.bind_numbers({**values, wrt: values[wrt] + step})
    except ParameterError:
        return True
    return False


def _derivative(function: AccuracyFunction, quantity: str, state: _State, values: Mapping[str, mp.mpf],
                wrt: str) -> Derivative:
    theta = _symbol(function, wrt)
    at: dict[sp.Symbol, mp.mpf] = {**{_symbol(function, name): v for name, v in values.items()}, **state.unknowns}
    form = closed_form(function, quantity)
    if state.regime in ("mid", "high"):  # m* = 0 on a neighbourhood (Theorem 2.3)
        if quantity != "shaping_total":
            return Derivative(wrt, mp.mpf(0), None, CONSTANT, "0", _central_difference(function, quantity, values, wrt),
                              mp.mpf(0))
        expr = implicit_derivative(function, quantity, wrt, priced_out=True)
        method = IMPLICIT
    elif form is not None:
        expr = sp.diff(form, theta)
        method = CLOSED
    else:
        expr = implicit_derivative(function, quantity, wrt)
        method = IMPLICIT
    value = _evaluator(expr, function)(at) if expr.free_symbols else mp.mpf(sp.N(expr, DPS))
    elasticity = value * values[wrt] / state.value if state.value != 0 else None
    scale = abs(state.value / values[wrt]) if values[wrt] != 0 else mp.mpf(0)
    return Derivative(wrt, value, elasticity, method, sp.latex(expr),
                      _central_difference(function, quantity, values, wrt), scale)


def _boundary(function: AccuracyFunction, quantity: str, state: _State, values: Mapping[str, mp.mpf]) -> Boundary:
    r"""Values just below and at :math:`c = c_{max}`: the interior branch at the tangent point, and Theorem 2.3's 0."""
    assert state.tangent is not None and state.c_max is not None
    if quantity == "shaping_total":
        bound = _rebind(function, values)
        below = _shaping_fixed_point(bound, values["c"], values["n"], values["eps"], state.tangent)
        return Boundary("c = c_max", below, state.value)
    system = _system(function, quantity, False)
    at = {**{_symbol(function, name): v for name, v in values.items()}, _MSTAR: state.tangent, _PLAN: state.tangent}
    below = _evaluator(system.output, function)(at)
    return Boundary("c = n c_max" if quantity in PLANNER else "c = c_max", below, state.value)


def statics(bound: BoundAccuracy, quantity: str, wrt: tuple[str, ...] | None = None, *,
            at: Mapping[str, Any] | None = None) -> Statics:
    r"""Derivatives and elasticities of *quantity* at *bound* and the point *at* (``c``, ``n``, ``eps``).

    *wrt* defaults to every parameter the quantity depends on
    (:func:`applicable_parameters`).  At :math:`c = c_{max}` exactly the result
    reports the jump (:class:`Boundary`) and no derivative.  Above
    :math:`c_{max}` the lone quantities are 0 on a neighbourhood: derivatives 0.

    >>> from fedsym import accuracy_function
    >>> s = statics(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), "optimal_data", ("c",),
    ...             at={"c": "0.001"})
    >>> round(float(s.derivatives[0].elasticity), 12), s.derivatives[0].passed
    (-0.666666666667, True)
    """
    function = bound.function
    names = applicable_parameters(function, quantity)
    chosen = names if wrt is None else tuple(wrt)
    for name in chosen:
        if name not in names:
            raise InputError(f"--wrt {name}: {quantity} depends on {', '.join(names)}")
    values = point_values(bound, quantity, at or {})
    with mp.workdps(DPS):
        state = _state(function, quantity, values)
        if state.regime == "boundary":
            boundary = _boundary(function, quantity, state, values)
            return Statics(bound.label(), quantity, values, state.value, state.regime, (), boundary,
                           f"{boundary.at} is a regime boundary (Theorem 2.3): the jump is reported, not a derivative")
        derivatives = tuple(_derivative(function, quantity, state, values, name) for name in chosen)
    who = "c > n c_max: the planner collects nothing (Model §11, Theorem 2.3 at cost c/n)" if quantity in PLANNER \
        else "c > c_max: the agent alone collects nothing (Theorem 2.3)"
    note = "" if state.regime not in ("mid", "high") else who + \
        ("; the total solves Remark 4.4's n a(M)/(c + eps) = M" if quantity == "shaping_total" else
         ", on a neighbourhood, so every derivative is 0")
    return Statics(bound.label(), quantity, values, state.value, state.regime, derivatives, None, note)


def point_values(bound: BoundAccuracy, quantity: str, at: Mapping[str, Any]) -> dict[str, mp.mpf]:
    """The point: the bound parameters plus ``c``, ``n``, ``eps`` from *at* (validated; ``eps`` defaults to 0)."""
    needed = applicable_parameters(bound.function, quantity)
    extras = [name for name in needed if name in ("c", "n", "eps")]
    unknown = sorted(set(at) - {"c", "n", "eps"})
    if unknown:
        raise InputError(f"--at {unknown[0]}: only c, n and eps can be set with --at (parameters go in --param)")
    missing = [name for name in extras if name not in at and name != "eps"]
    if missing:
        raise InputError(f"{quantity} needs --at {missing[0]}=VALUE")
    with mp.workdps(DPS):
        values = {name: mp_value(v) for name, v in bound.values.items()}
        for name in extras:
            raw = at.get(name, "0")
            number = +raw if isinstance(raw, mp.mpf) else mp_value(parse_number(name, raw))
            if (name == "eps" and number < 0) or (name != "eps" and number <= 0):
                raise ParameterError(f"{name}={raw} must be {'>= 0' if name == 'eps' else 'positive'}")
            if name == "n" and number < 1:
                raise ParameterError(f"n={raw} must be at least 1 agent")
            values[name] = number
    return values


# -- signs ---------------------------------------------------------------------------------

#: costs of the sign grid, as fractions of c_max
SIGN_COST_FRACTIONS = ("0.05", "0.5", "0.9")
#: numbers of agents and eps of the sign grid
SIGN_N = ("2", "10")


def derivative_sign(function: AccuracyFunction, quantity: str, wrt: str, *, latex: bool = False) -> str:
    r"""The sign of :math:`\partial y/\partial\theta` as a paper states it, with how it was established.

    Proved by sympy when the closed-form derivative is positive or negative for
    all positive symbols; otherwise evaluated on a grid (the function's sample
    parameters, :math:`c \in \{0.05, 0.5, 0.9\}\,c_{max}`, ``n`` in 2, 10) and stated as such.
    With ``latex=True`` the sentence is :class:`~fedsym.core.latex.Latex` for a report: its symbols,
    relations and grid values in math (``$m^*$ is decreasing in $c$ for $c < c_{max}$ ...``).
    """
    def symbols(text: str) -> str:
        return f"${text_math(text)}$" if latex else text

    sentence = _sign_sentence(function, quantity, wrt, symbols)
    return Latex(sentence) if latex else sentence


def _sign_sentence(function: AccuracyFunction, quantity: str, wrt: str, symbols: Callable[[str], str]) -> str:
    """:func:`derivative_sign`'s sentence, each symbol or relation passed through *symbols*."""
    y, theta = symbols(PLAIN[quantity]), symbols(wrt)
    region = (f" for {symbols('c < n c_max')}" if quantity in PLANNER else
              f" for {symbols('c < c_max')}" if quantity in COST_QUANTITIES else "")
    form = closed_form(function, quantity)
    if form is not None:
        expr = sp.diff(form, _symbol(function, wrt))
        for option in (expr, sp.factor(expr)):
            if option.is_positive:
                return f"{y} is increasing in {theta}{region} (proved by sympy: all symbols positive)"
            if option.is_negative:
                return f"{y} is decreasing in {theta}{region} (proved by sympy: all symbols positive)"
            if option.is_zero:
                return f"{y} does not depend on {theta} (proved by sympy)"
    signs = set()
    points = 0
    for bound in function.sample_bindings():
        c_max = lone_agent_forms(function).viability_cost.resolve(bound.values)[0]
        costs = [c_max * mp.mpf(f) for f in SIGN_COST_FRACTIONS] if quantity in COST_QUANTITIES else [None]
        for cost in costs:
            for n in (SIGN_N if quantity in _POPULATION else ("1",)):
                at = {"c": cost, "n": n} if cost is not None else {"n": n}
                at = {name: v for name, v in at.items() if name in applicable_parameters(function, quantity)}
                try:
                    value = statics(bound, quantity, (wrt,), at=at).derivatives[0].value
                except FedsymError:
                    continue
                points += 1
                signs.add(int(mp.sign(value)))
    grid = f"(on a grid of {points} points: the sample parameters" + \
        (f", {symbols('c = 0.05, 0.5, 0.9 c_max')}" if quantity in COST_QUANTITIES else "") + \
        (f", {symbols('n = 2, 10')})" if quantity in _POPULATION else ")")
    if signs == {1}:
        return f"{y} is increasing in {theta}{region} {grid}"
    if signs == {-1}:
        return f"{y} is decreasing in {theta}{region} {grid}"
    if signs == {0}:
        return f"{y} does not depend on {theta} {grid}"
    return f"the sign of d{y}/d{theta} changes {grid}" if points else "no sign: no grid point could be evaluated"


# -- checks ----------------------------------------------------------------------------------

#: points of ``fedsym check``: accuracy, parameters, quantity, point
CHECK_POINTS: tuple[tuple[str, dict[str, str], str, dict[str, str]], ...] = (
    ("simplified", {"a_opt": "0.95", "k": "1"}, "optimal_data", {"c": "0.001"}),
    ("simplified", {"a_opt": "0.95", "k": "1"}, "optimal_utility", {"c": "0.001"}),
    ("simplified", {"a_opt": "0.95", "k": "1"}, "viability_cost", {}),
    ("simplified", {"a_opt": "0.95", "k": "1"}, "shaping_total", {"c": "0.001", "n": "10", "eps": "0.0001"}),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}, "optimal_data", {"c": "0.0005"}),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}, "viability_cost", {}),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}, "shaping_total", {"c": "0.0005", "n": "10"}),
    ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}, "minimum_viable_data", {}),
    ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}, "shaping_total",
     {"c": "0.01", "n": "3"}),
    ("simplified", {"a_opt": "0.95", "k": "1"}, "equal_cost_ratio", {"n": "10"}),
    ("simplified", {"a_opt": "0.95", "k": "1"}, "welfare_poa", {"c": "0.001", "n": "10"}),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}, "planner_total", {"c": "0.001", "n": "10"}),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}, "data_poa", {"c": "0.001", "n": "10"}),
)


def checks() -> list[CheckRow]:
    """Each derivative at :data:`CHECK_POINTS` against the 40-digit central difference of the recomputed quantity."""
    rows: list[CheckRow] = []
    for spec, params, quantity, at in CHECK_POINTS:
        rows.extend(statics(accuracy_function(spec).bind(params), quantity, at=at).check_rows())
    return rows

