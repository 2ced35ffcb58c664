r"""An agent as a value: its own accuracy, cost, joining cost and value of accuracy (Model §8).

Agent ``i`` of Model §8 has an accuracy function :math:`a_i(m)` (any family
or expression, its own parameters), a cost function :math:`C_i(m)` with
:math:`C_i(0) = 0`, increasing and convex on :math:`m \ge 0`, a joining cost
:math:`J_i \ge 0` paid only when it takes the federation's model, and a value of
accuracy :math:`v_i(a)`, increasing on :math:`[0, a_{opt}]` with :math:`v_i(0) = 0`.
The paper's agent (§2-§5) is :math:`C_i(m) = c_i m`, :math:`J_i = 0`,
:math:`v_i(a) = a`: :meth:`Agent.paper` builds it.

:class:`Agent` validates its pieces when it is built; each check says how it
was decided (``symbolic``: sympy proved the sign on :math:`m > 0`; ``numeric``:
a log-spaced grid, stated with its range).  :class:`Population` is a tuple of
agents with repetition counts and the expanded per-agent view the solvers use.
:func:`load_agents` reads the JSON agents file of ``fedsym equilibrium --agents``.

User text (cost and value expressions) goes through :func:`_parse_user_expression`,
the one place that turns text into sympy here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import text_math
from fedsym.core.errors import AssumptionError, ExpressionError, FedsymError, InputFileError, ParameterError
from fedsym.core.expression import check_sympy_expression, lambdify_mpmath, lambdify_numpy, parse_expression
from fedsym.core.files import require_regular_file
from fedsym.core.latex import format_number, sympy_latex
from fedsym.core.settings import settings_cache
from fedsym.core.solve import BRACKET_LIMIT, DPS
from fedsym.model.accuracy import BoundAccuracy, accuracy_function, parse_number
from fedsym.model.accuracy_block import read_accuracy_block

__all__ = [
    "Agent",
    "Population",
    "ACCURACY",
    "cost_function",
    "value_function",
    "joining_cost",
    "load_agents",
    "agents_from_records",
    "AGENT_KEYS",
    "MAX_VALUE",
]

#: the accuracy variable of a value function :math:`v(a)`
ACCURACY = S.positive_symbol("a")

#: keys of one agent in the agents file
AGENT_KEYS = ("accuracy", "params", "cost", "joining_cost", "value", "count", "name")

#: most agents one record may stand for, and in a whole population (the vectorized solvers' scale)
MAX_AGENTS = 10**7

#: log-spaced grid on which a cost the symbolic test cannot decide is checked (data points)
_COST_GRID = tuple(mp.mpf(10) ** (mp.mpf(j) / 8) for j in range(-9 * 8, 12 * 8 + 1))
#: points of the grid on which a value function is checked on (0, a_opt]
_VALUE_POINTS = 2001
#: largest value of accuracy :math:`v(a_{opt})` an agent may have: the solvers hold :math:`w = v\circ a` and
#: utilities in double precision (``exp(800*a) - 1`` overflowed there)
MAX_VALUE = mp.mpf(10) ** 300


def _parse_user_expression(text: str, what: str, variable: sp.Symbol) -> sp.Expr:
    """Parse user text into a sympy expression whose only free symbol may be *variable*.

    The one entry point for user expressions of this module: the safe parser
    (:func:`fedsym.core.expression.parse_expression`) with *variable* as the
    only model variable; raises :class:`ExpressionError` naming *what*.
    """
    expr = parse_expression(text, what=what, variables={variable.name})
    unknown = sorted(s.name for s in expr.free_symbols if s != variable)
    if unknown:
        raise ExpressionError(f"{what} {text!r} uses unknown name {unknown[0]!r} (only {variable.name} is allowed)")
    return expr


def _decided(statement: Any, assumption: Any) -> bool | None:
    try:
        return sp.ask(statement, assumption)
    except Exception:  # sympy's assumption system raises assorted errors on odd expressions
        return None


def cost_function(value: Any) -> tuple[sp.Expr, str]:
    r"""A cost function :math:`C(m)` and how its shape was checked (Model §8).

    A number ``c > 0`` means :math:`C(m) = c\,m`; text is an expression in ``m``.
    :math:`C(0) = 0`, :math:`C' > 0` and :math:`C'' \ge 0` on :math:`m > 0` are
    proved by sympy when it can (``symbolic``), else checked at 169 log-spaced
    points on :math:`[10^{-9}, 10^{12}]` (``numeric``).  Raises
    :class:`ExpressionError` or :class:`AssumptionError` naming the defect.
    """
    if isinstance(value, sp.Float):  # a sympy number: its decimal text, read exactly like a float's
        value = parse_number("cost", str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool) or isinstance(value, sp.Rational):
        rate = parse_number("cost", value)
        if rate <= 0:
            raise ParameterError(f"cost {value} must be positive")
        return rate * S.m, "symbolic (linear)"
    if not isinstance(value, (str, sp.Expr)):
        raise ExpressionError(f"cost {value!r} is neither a number nor an expression in m")
    expr = _parse_user_expression(value, "cost", S.m) if isinstance(value, str) else \
        sp.nsimplify(check_sympy_expression(value, what="cost"), rational=True)
    if expr.is_number:
        raise ExpressionError(f"cost {value!r} is a number written as text: give the number itself for a "
                              "linear cost c*m, or an expression in m")
    if S.m not in expr.free_symbols:
        raise AssumptionError(f"cost {value!r} does not depend on m (a fixed cost is a joining_cost)")
    at_zero = expr.subs(S.m, 0)
    if at_zero.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        at_zero = sp.limit(expr, S.m, 0, "+")
    if at_zero != 0:
        raise AssumptionError(f"cost {value!r} is {at_zero} at m = 0; C(0) must be 0 (a fixed cost is a joining_cost)")
    return expr, _checked(_check_cost, expr, repr(value))


def _check_cost(expr: sp.Expr, shown: str) -> str:
    r"""How :math:`C' > 0` and :math:`C'' \ge 0` on :math:`m > 0` were decided for *expr* (*shown* in messages)."""
    d1, d2 = sp.diff(expr, S.m), sp.diff(expr, S.m, 2)
    increasing = _decided(sp.Q.positive(d1), sp.Q.positive(S.m))
    # C'' of a Piecewise (Min, Max, Abs) is blind to its kinks: only the grid's slopes see Min(2*m, m + 100) bend down
    convex = None if expr.has(sp.Piecewise) else _decided(sp.Q.nonnegative(d2), sp.Q.positive(S.m))
    # bounded exp: exp(exp(m)) is refused at the grid's far end instead of computing exp(10^434294) for minutes
    slope, curvature = lambdify_mpmath(S.m, d1, strict=True), lambdify_mpmath(S.m, d2, strict=True)
    previous = mp.mpf(0)
    with mp.workdps(DPS):
        for x in _COST_GRID:
            s, q = _real(slope, x), _real(curvature, x)
            if s is None or q is None:
                raise AssumptionError(f"cost {shown} is not a finite real number at m = {mp.nstr(x, 6)}")
            if increasing is False or s <= 0:
                raise AssumptionError(f"cost {shown} is not increasing (C'({mp.nstr(x, 6)}) = {mp.nstr(s, 6)})")
            if convex is False or q < -mp.mpf(10) ** -30 * max(1, abs(s)):
                raise AssumptionError(f"cost {shown} is not convex (C''({mp.nstr(x, 6)}) = {mp.nstr(q, 6)})")
            if s < previous * (1 - mp.mpf(10) ** -30):  # a kink like Min(2*m, m + 100) has C'' = 0 on both sides
                raise AssumptionError(f"cost {shown} is not convex (its slope falls from {mp.nstr(previous, 6)} "
                                      f"to {mp.nstr(s, 6)} before m = {mp.nstr(x, 6)})")
            previous = s
    if increasing and convex:  # the grid still ran: it refuses costs beyond the range fedsym evaluates
        return "symbolic"
    return f"numeric ({len(_COST_GRID)} points on [1e-9, 1e12])"


def _real(f: Callable[[Any], Any], x: Any) -> mp.mpf | None:
    try:
        y = f(x)
    except (ValueError, ZeroDivisionError, TypeError):
        return None
    if isinstance(y, mp.mpc) or not mp.isfinite(y):
        return None
    return mp.mpf(y)


def value_function(value: Any, a_opt: Any) -> tuple[sp.Expr, str]:
    r"""A value of accuracy :math:`v(a)` and how it was checked (Model §8).

    Text is an expression in ``a`` (default ``"a"``, the paper's).  Requires
    :math:`v(0) = 0`, :math:`v` finite at :math:`a_{opt}` and increasing on
    :math:`[0, a_{opt}]`: sympy proves :math:`v' > 0` for all :math:`a > 0`
    (``symbolic``) or 2001 evenly spaced points of :math:`(0, a_{opt}]` decide
    (``numeric``).
    """
    if not isinstance(value, (str, sp.Expr)):
        raise ExpressionError(f"value {value!r} is not an expression in a")
    expr = _parse_user_expression(value, "value", ACCURACY) if isinstance(value, str) else \
        check_sympy_expression(value, what="value")
    if ACCURACY not in expr.free_symbols:
        raise AssumptionError(f"value {value!r} does not depend on a")
    return expr, _checked(_check_value, expr, repr(value), mp.mpf(a_opt))


def _check_value(expr: sp.Expr, shown: str, a_opt: mp.mpf) -> str:
    r"""How :math:`v(0) = 0`, :math:`v(a_{opt})` finite and :math:`v' > 0` were decided for *expr* (*shown* in messages)."""
    if sp.simplify(expr.subs(ACCURACY, 0)) != 0:
        raise AssumptionError(f"value {shown} is not 0 at a = 0")
    d1 = sp.diff(expr, ACCURACY)
    slope = lambdify_mpmath(ACCURACY, d1)
    with mp.workdps(DPS):
        top = _real(lambdify_mpmath(ACCURACY, expr), mp.mpf(a_opt))
        if top is None:
            raise AssumptionError(f"value {shown} is not finite at a_opt = {mp.nstr(mp.mpf(a_opt), 6)}")
        if _decided(sp.Q.positive(d1), sp.Q.positive(ACCURACY)):
            return "symbolic"
        for j in range(1, _VALUE_POINTS + 1):
            x = mp.mpf(a_opt) * j / _VALUE_POINTS
            s = _real(slope, x)
            if s is None or s <= 0:
                raise AssumptionError(f"value {shown} is not increasing on [0, a_opt] (v'({mp.nstr(x, 6)}) "
                                      f"= {mp.nstr(s, 6) if s is not None else 'undefined'})")
    return f"numeric ({_VALUE_POINTS} points on (0, a_opt])"


def _checked(check: Callable[..., str], expr: sp.Expr, shown: str, *args: Any) -> str:
    """How *check* validated *expr*, checking each shape once for all expressions that differ by a positive factor.

    A factor :math:`p > 0` keeps every sign the checks test (:math:`C' > 0`, :math:`C'' \\ge 0`,
    :math:`v' > 0`, :math:`v(0) = 0`, finiteness), so :math:`p\\,g` is valid when :math:`g` is: the shape
    :math:`g` is checked once per settings (:func:`~fedsym.core.settings.settings_cache`), and 100 agents
    with values :math:`p_i((1-a)^{-2} - 1)` cost one check.  A shape that fails is checked again as the
    user wrote it, so the message names the user's input and its numbers.
    """
    _, shape = _positive_factor(expr)
    try:
        return _checked_shape(check, shape, *args)
    except AssumptionError:
        return check(expr, shown, *args)


@settings_cache(maxsize=1024)
def _checked_shape(check: Callable[..., str], shape: sp.Expr, *args: Any) -> str:
    return check(shape, repr(str(shape)), *args)


@functools.lru_cache(maxsize=256)
def _compiled(expr: sp.Expr, variable: sp.Symbol, order: int) -> Callable[[Any], Any]:
    """The *order*-th derivative of *expr* in *variable*, compiled for mpmath once per expression (the shape
    of many agents' values or costs that differ by a positive factor)."""
    return lambdify_mpmath(variable, sp.diff(expr, variable, order))


def _positive_factor(expr: sp.Expr) -> tuple[sp.Rational, sp.Expr]:
    """``(p, g)`` with ``expr = p*g`` and ``p > 0`` the rational content of *expr* (``(1, expr)`` if there is none)."""
    factor, shape = expr.as_content_primitive()
    if factor.is_Rational and factor > 0:
        return factor, shape
    return sp.Integer(1), expr


def joining_cost(value: Any) -> sp.Rational:
    """A joining cost :math:`J \\ge 0` (exact), else :class:`ParameterError`."""
    number = parse_number("joining_cost", value)
    if number < 0:
        raise ParameterError(f"joining_cost {value} must be >= 0")
    return number


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"count {str(value)[:40]!r} must be a whole number >= 1")
    if value > MAX_AGENTS:
        raise ParameterError(f"count {value} is above the limit of {MAX_AGENTS:.0e} agents")
    return value


@dataclass(frozen=True, eq=False)
class Agent:
    r"""One agent of Model §8: accuracy :math:`a_i`, cost :math:`C_i`, joining cost :math:`J_i`, value :math:`v_i`.

    Build it with :meth:`of` (validates user input) or :meth:`paper`.  Evaluators:
    :meth:`cost_np`, :meth:`marginal_cost_np` (numpy), :meth:`w_np`, :meth:`w_prime_np`
    for :math:`w_i = v_i\circ a_i` and its derivative (0 at and below :math:`m_0`).

    Attributes
    ----------
    accuracy:
        The bound accuracy function :math:`a_i`.
    cost:
        :math:`C_i(m)`, a sympy expression in :data:`fedsym.core.symbols.m` with exact coefficients.
    joining_cost:
        :math:`J_i \ge 0`, exact.
    value:
        :math:`v_i(a)` in :data:`ACCURACY`.
    count:
        How many identical agents this entry stands for.
    checks:
        How the cost and the value were validated (``symbolic`` or ``numeric (...)``).
    """

    accuracy: BoundAccuracy
    cost: sp.Expr
    joining_cost: sp.Rational = sp.Integer(0)
    value: sp.Expr = ACCURACY
    count: int = 1
    name: str = ""
    checks: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, accuracy: BoundAccuracy, cost: Any, joining: Any = 0, value: Any = "a", count: int = 1,
           name: str = "") -> Agent:
        """An agent from user input: each piece validated by :func:`cost_function`, :func:`joining_cost`,
        :func:`value_function`."""
        if not isinstance(accuracy, BoundAccuracy):
            raise ParameterError(f"accuracy {str(accuracy)[:80]!r} is not a bound accuracy function "
                                 "(build one with accuracy_function(...).bind({...}))")
        cost_expr, cost_how = cost_function(cost)
        value_expr, value_how = value_function(value, accuracy.a_opt)
        agent = cls(accuracy, cost_expr, joining_cost(joining), value_expr, _count(count), name,
                    (("cost", cost_how), ("value", value_how)))
        agent._check_solvable(repr(value))
        return agent

    def _check_solvable(self, shown: str) -> None:
        r"""Refuse a value of accuracy (*shown* in messages) beyond the range the numeric solvers work in.

        :math:`v(a_{opt})` must not exceed :data:`MAX_VALUE`; and unless :math:`v(a) = a` (whose optimum
        Theorem 2.3 gives in closed form), the marginal value :math:`w'(m) = v'(a(m))\,\hat a'(m)` must
        have fallen below the marginal cost :math:`C'(m)` at :data:`~fedsym.core.solve.BRACKET_LIMIT`
        (``1e60``), the largest size the first-order conditions are bracketed in (``exp(700*a) - 1`` spent
        the symbolic budget and then failed to bracket).  A point where either side cannot be evaluated
        refuses nothing.
        """
        value_factor, value_shape = _positive_factor(self.value)
        cost_factor, cost_shape = _positive_factor(self.cost)
        with mp.workdps(DPS):
            value_scale = mp.mpf(value_factor.p) / value_factor.q
            cost_scale = mp.mpf(cost_factor.p) / cost_factor.q
            top = _real(_compiled(value_shape, ACCURACY, 0), self.accuracy.a_opt)
            top = None if top is None else top * value_scale
            if top is not None and abs(top) > MAX_VALUE:
                raise AssumptionError(f"value {shown} is {mp.nstr(top, 6)} at a_opt = "
                                      f"{mp.nstr(mp.mpf(self.accuracy.a_opt), 6)}, above the limit of "
                                      f"{mp.nstr(MAX_VALUE, 1)} (the solvers work in double precision)")
            if self.value_is_identity or not self.accuracy.minimum_viable_data < BRACKET_LIMIT:
                return
            slope = _real(_compiled(value_shape, ACCURACY, 1), self.accuracy.a(BRACKET_LIMIT))
            rise = _real(self.accuracy.a_hat_prime, BRACKET_LIMIT)
            cost = _real(_compiled(cost_shape, S.m, 1), BRACKET_LIMIT)
            if slope is None or rise is None or cost is None:
                return
            marginal_value, marginal_cost = value_scale * slope * rise, cost_scale * cost
            if marginal_value > marginal_cost:
                raise AssumptionError(
                    f"value {shown}: the marginal value v'(a) a'(m) = {mp.nstr(marginal_value, 6)} still exceeds "
                    f"the marginal cost C'(m) = {mp.nstr(marginal_cost, 6)} at m = {mp.nstr(BRACKET_LIMIT, 1)}, "
                    "the largest training-set size fedsym solves for (a value growing this fast, or a cost this low, "
                    "is beyond its range)")

    @classmethod
    def paper(cls, accuracy: BoundAccuracy, cost: Any, count: int = 1) -> Agent:
        """The paper's agent (§2-§5): linear cost ``c m``, no joining cost, :math:`v(a) = a`."""
        return cls.of(accuracy, parse_number("cost", cost) if not isinstance(cost, sp.Rational) else cost,
                      count=count)

    # -- cost ------------------------------------------------------------------
    @cached_property
    def quadratic(self) -> tuple[float, float] | None:
        r"""``(c1, c2)`` when :math:`C(m) = c_1 m + c_2 m^2`, else ``None`` (then solvers go numeric)."""
        if not self.cost.is_polynomial(S.m):
            return None
        poly = sp.Poly(self.cost, S.m)
        if poly.degree() > 2:
            return None
        return float(poly.coeff_monomial(S.m)), float(poly.coeff_monomial(S.m**2))

    @property
    def linear_rate(self) -> float | None:
        """:math:`c` when :math:`C(m) = c\\,m`, else ``None``."""
        q = self.quadratic
        return q[0] if q is not None and q[1] == 0 else None

    @cached_property
    def _cost_np(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        return (lambdify_numpy(S.m, self.cost), lambdify_numpy(S.m, sp.diff(self.cost, S.m)))

    @cached_property
    def _cost_mp(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        return (lambdify_mpmath(S.m, self.cost), lambdify_mpmath(S.m, sp.diff(self.cost, S.m)))

    def cost_np(self, m: Any) -> np.ndarray:
        """:math:`C(m)` on a numpy array (0 at 0)."""
        m = np.asarray(m, dtype=float)
        with np.errstate(all="ignore"):
            return np.where(m > 0, np.asarray(self._cost_np[0](np.maximum(m, 1e-300)), dtype=float) * np.ones_like(m), 0.0)

    def marginal_cost_np(self, m: Any) -> np.ndarray:
        """:math:`C'(m)` on a numpy array (the right derivative at 0)."""
        m = np.asarray(m, dtype=float)
        with np.errstate(all="ignore"):  # exp-type costs overflow to inf far out, which brackets want
            return np.asarray(self._cost_np[1](np.maximum(m, 1e-300)), dtype=float) * np.ones_like(m)

    def cost_mp(self, m: Any) -> mp.mpf:
        """:math:`C(m)` in mpmath (0 at 0)."""
        m = mp.mpf(m)
        return mp.mpf(0) if m <= 0 else mp.mpf(self._cost_mp[0](m))

    # -- value of accuracy -----------------------------------------------------------
    @cached_property
    def _value_np(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        return (lambdify_numpy(ACCURACY, self.value), lambdify_numpy(ACCURACY, sp.diff(self.value, ACCURACY)))

    @cached_property
    def _value_mp(self) -> Callable[..., Any]:
        return lambdify_mpmath(ACCURACY, self.value)

    @property
    def value_is_identity(self) -> bool:
        return bool(self.value == ACCURACY)

    def value_np(self, a: Any) -> np.ndarray:
        """:math:`v(a)` on a numpy array of accuracies."""
        a = np.asarray(a, dtype=float)
        if self.value_is_identity:
            return a
        with np.errstate(all="ignore"):
            return np.where(a > 0, np.asarray(self._value_np[0](np.maximum(a, 0.0)), dtype=float) * np.ones_like(a), 0.0)

    def value_inverse_np(self, y: Any) -> np.ndarray:
        r""":math:`v^{-1}(y)` for values :math:`y \in [0, v(a_{opt})]` (bisection on the increasing :math:`v`)."""
        y = np.asarray(y, dtype=float)
        if self.value_is_identity:
            return y
        lo, hi = np.zeros_like(y), np.full_like(y, float(self.accuracy.a_opt))
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            below = self.value_np(mid) < y
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return 0.5 * (lo + hi)

    def w_np(self, m: Any) -> np.ndarray:
        r""":math:`w(m) = v(a(m))`, the value of a model trained on *m* points (0 at and below :math:`m_0`)."""
        return self.value_np(self.accuracy.a_np(m))

    def w_prime_np(self, m: Any) -> np.ndarray:
        r""":math:`w'(m) = v'(a(m))\,\hat a'(m)` above :math:`m_0`, 0 at and below."""
        m = np.asarray(m, dtype=float)
        viable = m > float(self.accuracy.minimum_viable_data)
        safe = np.where(viable, m, np.inf)
        with np.errstate(all="ignore"):
            slope = self.accuracy.a_hat_prime_np(safe)
            if not self.value_is_identity:
                slope = slope * np.asarray(self._value_np[1](np.maximum(self.accuracy.a_np(safe), 0.0)), dtype=float)
        return np.where(viable, slope, 0.0)

    def w_mp(self, m: Any) -> mp.mpf:
        """:math:`w(m)` in mpmath."""
        return mp.mpf(self._value_mp(self.accuracy.a(m))) if not self.value_is_identity else self.accuracy.a(m)

    @cached_property
    def w_max(self) -> float:
        r""":math:`v(a_{opt})`: the supremum of the value a model can have."""
        return float(self.value_np(np.array([float(self.accuracy.a_opt)]))[0])

    # -- description -----------------------------------------------------------------
    def label(self) -> str:
        """One line: name (if any), accuracy, cost, joining cost, value, count."""
        parts = [self.accuracy.label(), f"C(m) = {self.cost}"]
        if self.joining_cost:
            parts.append(f"J = {float(self.joining_cost):g}")
        if not self.value_is_identity:
            parts.append(f"v(a) = {self.value}")
        text = ", ".join(parts)
        text = f"{self.name}: {text}" if self.name else text
        return f"{text} (x{self.count})" if self.count > 1 else text

    def latex(self) -> str:
        """:meth:`label` as math: the accuracy with its parameters, :math:`C(m)`, :math:`J`, :math:`v(a)`, the count."""
        parts = [text_math(self.accuracy.label()), rf"C(m) = {sympy_latex(self.cost)}"]
        if self.joining_cost:
            parts.append(rf"J = {format_number(self.joining_cost)}")
        if not self.value_is_identity:
            parts.append(rf"v(a) = {sympy_latex(self.value)}")
        text = r",\ ".join(parts)
        return rf"{text}\ (\times {self.count})" if self.count > 1 else text

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "accuracy": self.accuracy.label(), "cost": str(self.cost),
                "joining_cost": float(self.joining_cost), "value": str(self.value), "count": self.count,
                "checks": dict(self.checks)}


@dataclass(frozen=True)
class Population:
    """Agents with repetition counts (Model §8); :attr:`expanded` lists one entry per agent.

    ``index`` maps each agent of the expanded view to its entry in :attr:`agents`.
    """

    agents: tuple[Agent, ...]

    def __post_init__(self) -> None:
        if not self.agents:
            raise ParameterError("a population needs at least one agent")
        if self.size > MAX_AGENTS:
            raise ParameterError(f"a population of {self.size} agents is above the limit of {MAX_AGENTS:.0e}")

    @cached_property
    def index(self) -> np.ndarray:
        """Entry of :attr:`agents` for every agent of the expanded view (read-only)."""
        counts = [agent.count for agent in self.agents]
        index = np.repeat(np.arange(len(self.agents)), counts)
        index.setflags(write=False)
        return index

    @property
    def size(self) -> int:
        """Number of agents, counts expanded."""
        return int(sum(agent.count for agent in self.agents))

    @property
    def expanded(self) -> tuple[Agent, ...]:
        """One entry per agent (repeated agents repeated)."""
        return tuple(self.agents[j] for j in self.index)


def agents_from_records(records: Any, where: str = "agents") -> Population:
    """A population from a list of agent records (the parsed JSON of an agents file).

    Each record is a mapping with the keys of :data:`AGENT_KEYS` (``accuracy`` and
    ``cost`` required).  A bad record raises :class:`InputFileError`
    ``"{where}: agent N: FIELD: what is wrong"`` (``N`` counts from 1).

    Each distinct piece (accuracy with its parameters, cost, value) is parsed and
    checked once, and equal records share one :class:`Agent`, so a file of
    :math:`10^5` records of a few kinds is read in a second.
    """
    if not isinstance(records, list) or not records:
        raise InputFileError(f"{where}: expected a non-empty JSON list of agents")
    agents = []
    built: dict[str, Agent] = {}
    pieces: dict[tuple[str, str], Any] = {}
    for number, record in enumerate(records, start=1):
        def fail(key: str, message: str, number: int = number) -> InputFileError:
            return InputFileError(f"{where}: agent {number}: {key}: {message}")

        if not isinstance(record, Mapping):
            raise fail("record", "expected a JSON object")
        unknown = sorted(set(record) - set(AGENT_KEYS))
        if unknown:
            raise fail(unknown[0], f"unknown key (known: {', '.join(AGENT_KEYS)})")
        for key in ("accuracy", "cost"):
            if key not in record:
                raise fail(key, "missing")
        key = _canonical(record)
        if key not in built:
            built[key] = _agent_from_record(record, fail, pieces)
        agents.append(built[key])
    try:
        return Population(tuple(agents))
    except ParameterError as error:
        raise InputFileError(f"{where}: {error}") from None


def _canonical(value: Any) -> str:
    """JSON text of a record's piece that equal pieces share (``1`` and ``"1"`` stay different)."""
    return json.dumps(value, sort_keys=True, default=repr)


def _agent_from_record(record: Mapping[str, Any], fail: Callable[[str, str], InputFileError],
                       pieces: dict[tuple[str, str], Any]) -> Agent:
    """The agent of one record; *pieces* keeps each checked accuracy, cost and value by its text."""
    steps: list[tuple[str, Callable[[], Any]]] = []
    values: dict[str, Any] = {}
    params = record.get("params", {})
    accuracy_key = _canonical([record["accuracy"], params])

    def once(kind: str, key: str, build: Callable[[], Any]) -> Any:
        if (kind, key) not in pieces:
            pieces[kind, key] = build()
        return pieces[kind, key]

    steps.append(("params", lambda: _params(params)))
    steps.append(("accuracy", lambda: once("accuracy", accuracy_key,
                                           lambda: _accuracy(record["accuracy"], values["params"]))))
    steps.append(("cost", lambda: once("cost", _canonical(record["cost"]), lambda: cost_function(record["cost"]))))
    steps.append(("joining_cost", lambda: joining_cost(record.get("joining_cost", 0))))
    steps.append(("value", lambda: once("value", _canonical([record.get("value", "a"), accuracy_key]),
                                        lambda: value_function(_text(record.get("value", "a")),
                                                               values["accuracy"].a_opt))))
    steps.append(("count", lambda: _count(record.get("count", 1))))
    steps.append(("name", lambda: _text(record.get("name", ""))))
    for key, step in steps:
        try:
            values[key] = step()
        except FedsymError as error:
            raise fail(key, str(error)) from None
    (cost, cost_how), (value, value_how) = values["cost"], values["value"]
    return Agent(values["accuracy"], cost, values["joining_cost"], value, values["count"], values["name"],
                 (("cost", cost_how), ("value", value_how)))


def _accuracy(accuracy: Any, params: Mapping[str, Any]) -> BoundAccuracy:
    """A family or expression bound to *params*, or the accuracy block of ``fedsym fit --json`` as it is
    (:mod:`fedsym.model.accuracy_block`; it carries its own params)."""
    if isinstance(accuracy, Mapping):
        if params:
            raise ParameterError("an accuracy block carries its own params: drop the record's params")
        return read_accuracy_block(accuracy, "accuracy")
    return accuracy_function(_text(accuracy)).bind({str(k): str(v) for k, v in params.items()})


def _params(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParameterError("expected a JSON object of parameter values")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ParameterError(f"{value!r} is not a string")
    return value


def load_agents(path: str) -> Population:
    """The agents file of ``fedsym equilibrium --agents F``: a JSON list of agent records.

    Example record: ``{"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1},
    "cost": "0.001*m + 1e-7*m**2", "joining_cost": 0.01, "value": "a", "count": 3}``.  The ``accuracy`` may
    also be the accuracy block of ``fedsym fit --json`` as it is (it carries its own ``params``).
    Raises :class:`InputFileError` with one line naming the file, the agent and the field.
    """
    where = f"agents file {path}"
    require_regular_file(path, where)
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"{where}: cannot be read ({error.__class__.__name__})") from None
    try:
        records = json.loads(text, object_pairs_hook=_without_duplicates)
    except json.JSONDecodeError as error:
        raise InputFileError(f"{where}: not valid JSON (line {error.lineno}: {error.msg})") from None
    except _DuplicateKey as error:
        raise InputFileError(f"{where}: key {error.args[0]!r} appears twice in one JSON object "
                             "(which one to use is ambiguous)") from None
    except RecursionError:
        raise InputFileError(f"{where}: JSON nested too deeply (an agents file is a list of flat records)") from None
    return agents_from_records(records, where)


class _DuplicateKey(Exception):
    """A JSON object of the agents file repeats a key (``json`` would keep the last one silently)."""


def _without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _DuplicateKey(next(key for key in keys if keys.count(key) > 1))
    return dict(pairs)
