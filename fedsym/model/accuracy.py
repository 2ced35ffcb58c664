"""Accuracy functions :math:`a(m) = \\max(0, \\hat a(m))` (MODEL.md §1, Sec. 2.1).

An :class:`AccuracyFunction` is a sympy expression :math:`\\hat a(m)` in the
data symbol ``m`` and positive parameter symbols, with a declared range for each
parameter.  :meth:`AccuracyFunction.bind` fixes numeric parameter values and
returns a :class:`BoundAccuracy`, which evaluates :math:`\\hat a`, its
derivatives and :math:`a` in mpmath (any precision) and numpy (vectorized),
knows its minimum viable data :math:`m_0` and checks assumption (1): non-decreasing
and concave where it is positive.

The paper's families are :data:`FAMILIES` (``simplified``, Eq. (3);
``generalization-bound``, Eq. (2); ``power-law``, Example 2.2); any other
expression in ``m`` is accepted through :func:`accuracy_function`.
"""

from __future__ import annotations

import functools
import math
import random
import re
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from io import StringIO
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from fedsym.core import symbols as S
from fedsym.core.derived import exact_rational
from fedsym.core.errors import AssumptionError, ExpressionError, ParameterError
from fedsym.core.latex import escape_text
from fedsym.core.solve import DPS, bracketed_root, symbolic

__all__ = [
    "ParameterSpec",
    "AccuracyFunction",
    "BoundAccuracy",
    "AssumptionReport",
    "FAMILIES",
    "accuracy_function",
    "parse_number",
]

#: functions and constants a user expression may use
_ALLOWED_FUNCTIONS: dict[str, Any] = {
    "sqrt": sp.sqrt, "log": sp.log, "ln": sp.log, "exp": sp.exp,
    "atan": sp.atan, "tanh": sp.tanh, "erf": sp.erf, "Min": sp.Min, "Max": sp.Max,
    "pi": sp.pi, "E": sp.E,
}


def parse_number(name: str, value: Any) -> sp.Rational:
    """Exact rational value of a user number (``"1e-3"`` becomes ``1/1000``).

    Raises :class:`ParameterError` naming *name* for anything that is not a
    finite real number.
    """
    if isinstance(value, sp.Rational):
        return value
    text = str(value).strip()
    try:
        number = sp.Rational(text) if not isinstance(value, float) else sp.Rational(repr(value))
    except (TypeError, ValueError, SyntaxError):
        raise ParameterError(f"{name}: {text!r} is not a number") from None
    if not number.is_finite or not number.is_real:
        raise ParameterError(f"{name}: {text!r} is not a finite number")
    return number


@dataclass(frozen=True)
class ParameterSpec:
    """A positive model parameter and its admissible range ``(lower, upper]``.

    ``sample`` is the range from which derivations draw test points when they
    validate a symbolic branch (log-uniform when ``sample[0] > 0``).
    """

    name: str
    meaning: str = "user parameter"
    lower: float = 0.0
    lower_closed: bool = False
    upper: float = math.inf
    upper_closed: bool = False
    default: str | None = None
    sample: tuple[float, float] = (0.5, 2.0)

    @property
    def symbol(self) -> sp.Symbol:
        return S.positive_symbol(self.name)

    def describe_range(self) -> str:
        left = "[" if self.lower_closed else "("
        right = "]" if self.upper_closed else ")"
        upper = "inf" if math.isinf(self.upper) else f"{self.upper:g}"
        return f"{left}{self.lower:g}, {upper}{right}"

    def validate(self, value: Any) -> sp.Rational:
        """Exact value of this parameter, or :class:`ParameterError` naming it."""
        number = parse_number(f"parameter {self.name}", value)
        lower = sp.Rational(self.lower)
        upper = sp.oo if math.isinf(self.upper) else sp.Rational(self.upper)
        below = number < lower or (number == lower and not self.lower_closed)
        above = number > upper or (number == upper and not self.upper_closed)
        if below or above:
            raise ParameterError(
                f"parameter {self.name}={value} is outside its range {self.describe_range()}"
            )
        return number


def _user_parameter(name: str) -> ParameterSpec:
    """Range of a parameter of a user expression: a family's if the name is one, else positive."""
    for family in FAMILIES.values():
        for spec in family.parameters:
            if spec.name == name:
                return ParameterSpec(name, spec.meaning, spec.lower, spec.lower_closed,
                                     spec.upper, spec.upper_closed, None, spec.sample)
    return ParameterSpec(name)


def _parse_expression(text: str) -> sp.Expr:
    """Parse a user expression in ``m``; every other name becomes a positive symbol."""
    if "__" in text or ";" in text:
        raise ExpressionError(f"accuracy expression {text!r}: invalid characters")
    try:
        tokens = tokenize.generate_tokens(StringIO(text).readline)
        names = {tok.string for tok in tokens if tok.type == tokenize.NAME}
    except (tokenize.TokenError, IndentationError, SyntaxError):
        raise ExpressionError(f"accuracy expression {text!r} cannot be parsed") from None
    local: dict[str, Any] = {name: S.positive_symbol(name) for name in names if name not in _ALLOWED_FUNCTIONS}
    local.update({name: fn for name, fn in _ALLOWED_FUNCTIONS.items() if name in names})
    try:
        expr = parse_expr(text, local_dict=local, global_dict={"Integer": sp.Integer, "Float": sp.Float,
                                                                "Rational": sp.Rational, "Symbol": sp.Symbol})
    except Exception:  # sympy raises many kinds of error for bad syntax
        raise ExpressionError(f"accuracy expression {text!r} cannot be parsed") from None
    if not isinstance(expr, sp.Expr) or isinstance(expr, (sp.logic.boolalg.BooleanAtom, sp.core.relational.Relational)):
        raise ExpressionError(f"accuracy expression {text!r} is not an expression in m")
    unknown = expr.atoms(sp.core.function.AppliedUndef)
    if unknown:
        raise ExpressionError(f"accuracy expression {text!r} uses an unknown function {next(iter(unknown)).func}")
    return sp.nsimplify(expr, rational=True) if expr.atoms(sp.Float) else expr


@dataclass(frozen=True)
class AssumptionReport:
    """Where assumption (1) holds for a bound accuracy function.

    ``holds_from`` is the smallest ``m`` beyond which :math:`\\hat a` is
    non-decreasing and concave (it equals :math:`m_0` when (1) holds on the whole
    positive part); ``method`` says whether sympy proved it (``symbolic``) or a
    log-spaced grid of ``grid_points`` points with bracketed refinement found it
    (``numeric``).
    """

    method: str
    holds_from: mp.mpf
    holds_on_positive_part: bool
    grid_points: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "holds_from": float(self.holds_from),
                "holds_on_positive_part": self.holds_on_positive_part}

    def to_latex(self) -> str:
        """The description as LaTeX text."""
        return rf"\text{{Assumption (1): {escape_text(self.describe())}}}"

    def _repr_latex_(self) -> str:
        return f"${self.to_latex()}$"

    def describe(self) -> str:
        where = "on its whole positive part" if self.holds_on_positive_part \
            else f"for m >= {mp.nstr(self.holds_from, 6)} only"
        how = "proved by sympy" if self.method == "symbolic" else f"checked numerically on {self.grid_points} points"
        return f"non-decreasing and concave {where} ({how})"


@dataclass(frozen=True)
class AccuracyFunction:
    """An accuracy function :math:`\\hat a(m)` with named positive parameters (Eq. (1)).

    Parameters
    ----------
    name:
        ``simplified``, ``generalization-bound``, ``power-law`` or the
        expression text for a user function.
    expr:
        :math:`\\hat a(m)` as a sympy expression in :data:`fedsym.core.symbols.m`.
    parameters:
        One :class:`ParameterSpec` per free symbol other than ``m``.
    domain_lower:
        Lower end of the domain of :math:`\\hat a` (``k e^{-2}`` for Eq. (2), else 0).
    source:
        Where the function comes from in the paper.
    """

    name: str
    expr: sp.Expr
    parameters: tuple[ParameterSpec, ...]
    domain_lower: sp.Expr = sp.Integer(0)
    source: str = "user-defined"

    def __post_init__(self) -> None:
        free = {s.name for s in self.expr.free_symbols}
        if "m" not in free:
            raise ExpressionError(f"accuracy expression {self.name!r} does not depend on m")
        declared = {p.name for p in self.parameters}
        if free - {"m"} != declared:
            raise ExpressionError(f"accuracy {self.name!r}: parameters {sorted(declared)} "
                                  f"do not match the expression's symbols {sorted(free - {'m'})}")

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def parameter_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(p.symbol for p in self.parameters)

    def latex(self) -> str:
        r"""LaTeX of :math:`\hat a(m)`, from the same expression the code evaluates."""
        return sp.latex(self.expr)

    def bind(self, values: Mapping[str, Any] | None = None) -> BoundAccuracy:
        """Fix parameter values (strings, ints, floats or rationals); defaults fill gaps.

        Raises :class:`ParameterError` naming a missing or unknown parameter or
        a value out of range, and :class:`AssumptionError` if the function is
        never positive, exceeds 1, or violates (1) for large ``m``.
        """
        values = dict(values or {})
        unknown = sorted(set(values) - set(self.parameter_names))
        if unknown:
            raise ParameterError(f"unknown parameter {unknown[0]!r} for accuracy {self.name!r} "
                                 f"(its parameters: {', '.join(self.parameter_names) or 'none'})")
        exact: dict[str, sp.Rational] = {}
        for spec in self.parameters:
            if spec.name in values:
                exact[spec.name] = spec.validate(values[spec.name])
            elif spec.default is not None:
                exact[spec.name] = spec.validate(spec.default)
            else:
                raise ParameterError(f"missing parameter {spec.name!r} for accuracy {self.name!r} "
                                     f"(give it as --param {spec.name}=VALUE)")
        return _bind(self, tuple(sorted(exact.items())))

    def bind_numbers(self, values: Mapping[str, Any]) -> BoundAccuracy:
        """:meth:`bind` from numbers at any precision (mpf, float, ...), ignoring keys that are not parameters.

        Each value is turned into an exact rational through its decimal digits at
        :data:`fedsym.core.solve.DPS`; solvers use this to rebind from a point such as
        ``{"a_opt": ..., "k": ..., "c": ...}``.
        """
        with mp.workdps(DPS):
            return self.bind({name: exact_rational(values[name]) for name in self.parameter_names})

    def sample_bindings(self, count: int = 4, *, seed: int = 0, tries: int = 60) -> list[BoundAccuracy]:
        """Up to *count* valid bindings at random parameters (fixed *seed*).

        Used to validate symbolic branches at points other than the user's.
        """
        rng = random.Random(seed)
        found: list[BoundAccuracy] = []
        for _ in range(tries):
            point = {}
            for spec in self.parameters:
                lo, hi = spec.sample
                x = math.exp(rng.uniform(math.log(lo), math.log(hi))) if lo > 0 else rng.uniform(lo, hi)
                point[spec.name] = sp.Rational(f"{x:.6g}")
            try:
                found.append(self.bind(point))
            except (ParameterError, AssumptionError):
                continue
            if len(found) == count:
                break
        return found


@functools.lru_cache(maxsize=256)
def _bind(function: AccuracyFunction, items: tuple[tuple[str, sp.Rational], ...]) -> BoundAccuracy:
    bound = BoundAccuracy(function, dict(items))
    bound.validate()
    return bound


@functools.lru_cache(maxsize=64)
def _symbolic_limit(expr: sp.Expr) -> sp.Expr | None:
    """:math:`\\lim_{m\\to\\infty}\\hat a(m)` by sympy (bounded in time), or None."""
    outcome = symbolic(sp.limit, expr, S.m, sp.oo)
    if outcome.ok and not outcome.value.has(sp.AccumBounds, sp.Limit):
        return outcome.value
    return None


@dataclass(frozen=True, eq=False)
class BoundAccuracy:
    r"""An accuracy function with numeric parameters: evaluation and assumption (1).

    ``a_hat`` and its derivatives evaluate in mpmath at the current
    ``mp.mp.dps``; the ``*_np`` methods are vectorized numpy versions for sweeps.
    ``a(m) = max(0, â(m))`` is 0 for ``m <= m_0`` (MODEL.md §1).
    """

    function: AccuracyFunction
    values: dict[str, sp.Rational] = field(repr=True)

    @cached_property
    def substitutions(self) -> dict[sp.Symbol, sp.Rational]:
        return {S.positive_symbol(name): value for name, value in self.values.items()}

    @cached_property
    def expr(self) -> sp.Expr:
        r""":math:`\hat a(m)` with the parameter values substituted (exact)."""
        return self.function.expr.subs(self.substitutions)

    @cached_property
    def _derivatives(self) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
        return self.expr, sp.diff(self.expr, S.m), sp.diff(self.expr, S.m, 2)

    @cached_property
    def _mp(self) -> tuple[Callable[..., Any], ...]:
        return tuple(sp.lambdify(S.m, d, "mpmath") for d in self._derivatives)

    @cached_property
    def _np(self) -> tuple[Callable[..., Any], ...]:
        return tuple(sp.lambdify(S.m, d, "numpy") for d in self._derivatives)

    # -- evaluation -------------------------------------------------------
    def a_hat(self, m: Any) -> mp.mpf:
        r""":math:`\hat a(m)` in mpmath (``m`` inside the domain)."""
        return self._mp[0](mp.mpf(m))

    def a_hat_prime(self, m: Any) -> mp.mpf:
        r""":math:`\hat a'(m)` in mpmath."""
        return self._mp[1](mp.mpf(m))

    def a_hat_second(self, m: Any) -> mp.mpf:
        r""":math:`\hat a''(m)` in mpmath."""
        return self._mp[2](mp.mpf(m))

    def a(self, m: Any) -> mp.mpf:
        r""":math:`a(m) = \max(0, \hat a(m))`, Eq. (1); 0 at and below :math:`m_0`."""
        m = mp.mpf(m)
        if m <= self.minimum_viable_data:
            return mp.mpf(0)
        return max(mp.mpf(0), self.a_hat(m))

    def _np_derivative(self, order: int, m: np.ndarray) -> np.ndarray:
        m = np.asarray(m, dtype=float)
        return np.asarray(self._np[order](m), dtype=float) * np.ones_like(m)  # constants broadcast

    def a_hat_np(self, m: np.ndarray) -> np.ndarray:
        r""":math:`\hat a` on a numpy array."""
        return self._np_derivative(0, m)

    def a_hat_prime_np(self, m: np.ndarray) -> np.ndarray:
        r""":math:`\hat a'` on a numpy array."""
        return self._np_derivative(1, m)

    def a_hat_second_np(self, m: np.ndarray) -> np.ndarray:
        r""":math:`\hat a''` on a numpy array."""
        return self._np_derivative(2, m)

    def a_np(self, m: np.ndarray) -> np.ndarray:
        r""":math:`a(m) = \max(0, \hat a(m))` on a numpy array (0 at and below :math:`m_0`)."""
        m = np.asarray(m, dtype=float)
        viable = m > float(self.minimum_viable_data)
        with np.errstate(all="ignore"):
            values = self.a_hat_np(np.where(viable, m, np.inf))
        return np.where(viable, np.maximum(0.0, values), 0.0)

    # -- derived properties --------------------------------------------------
    @cached_property
    def domain_lower(self) -> mp.mpf:
        """Lower end of the domain of :math:`\\hat a` (exclusive)."""
        with mp.workdps(DPS):
            return mp.mpf(sp.N(self.function.domain_lower.subs(self.substitutions), DPS + 5))

    @cached_property
    def a_opt(self) -> mp.mpf:
        r""":math:`a_{opt} = \lim_{m\to\infty}\hat a(m)`: sympy's limit, else :math:`\hat a(10^{40})`."""
        limit = _symbolic_limit(self.function.expr)
        if limit is not None:
            value = limit.subs(self.substitutions)
            if value.is_infinite:
                return mp.inf
            if value.is_number and value.is_finite:
                with mp.workdps(DPS + 5):  # mpf() rounds to the working precision (53 bits outside)
                    return mp.mpf(sp.N(value, DPS + 5))
        with mp.workdps(DPS):
            return self.a_hat(mp.mpf(10) ** 40)

    @cached_property
    def minimum_viable_data(self) -> mp.mpf:
        r"""Minimum viable data :math:`m_0 = \inf\{m : \hat a(m) > 0\}` (Sec. 2.1), numerically.

        Scans a log grid for the first positive value, then bisects the sign
        change; :math:`m_0 =` the domain's lower end when :math:`\hat a` is
        positive there.
        """
        with mp.workdps(DPS):
            return self._first_positive()

    def _first_positive(self) -> mp.mpf:
        grid = self.grid
        values = [self._safe(self.a_hat, x) for x in grid]
        for i, v in enumerate(values):
            if v is not None and v > 0:
                if i == 0:
                    return self.domain_lower
                lo = grid[i - 1]
                j = i - 1
                while j >= 0 and values[j] is None:
                    j -= 1
                lo = grid[j] if j >= 0 else self.domain_lower
                return bracketed_root(lambda x: self.a_hat(x) if x > self.domain_lower else mp.mpf(-1), lo, grid[i])
        raise AssumptionError(f"accuracy {self.label()} is never positive: no amount of data is viable")

    @cached_property
    def grid(self) -> list[mp.mpf]:
        """Log-spaced points from just above the domain's lower end to 1e24 (10 per decade)."""
        lo = max(self.domain_lower * (1 + mp.mpf(10) ** -12), mp.mpf(10) ** -12)
        decades = int(mp.ceil(mp.log10(mp.mpf(10) ** 24 / lo)))
        return [lo * mp.mpf(10) ** (mp.mpf(j) / 10) for j in range(10 * decades + 1)]

    @staticmethod
    def _safe(f: Callable[[mp.mpf], Any], x: mp.mpf) -> mp.mpf | None:
        try:
            v = f(x)
        except (ValueError, ZeroDivisionError, TypeError):
            return None
        if isinstance(v, mp.mpc) or not mp.isfinite(v):
            return None
        return mp.mpf(v)

    @cached_property
    def assumption(self) -> AssumptionReport:
        """Where (1) holds: sympy decides it with the values substituted, else a grid decides.

        Raises :class:`AssumptionError` if (1) fails for arbitrarily large ``m``.
        """
        with mp.workdps(DPS):
            return self._check_assumption()

    def _check_assumption(self) -> AssumptionReport:
        m0 = self.minimum_viable_data
        _, d1, d2 = self._derivatives
        if sp.ask(sp.Q.nonnegative(d1), sp.Q.positive(S.m)) and sp.ask(sp.Q.nonpositive(d2), sp.Q.positive(S.m)):
            return AssumptionReport("symbolic", m0, True)
        grid = [x for x in self.grid if x > m0]
        bad_increasing = [x for x in grid if (self._safe(self.a_hat_prime, x) or 0) < 0
                          or (self._safe(self.a_hat, x) or 0) <= 0]
        bad_concave = [x for x in grid if (self._safe(self.a_hat_second, x) or 0) > 0]
        if bad_increasing and bad_increasing[-1] == grid[-1]:
            raise AssumptionError(f"accuracy {self.label()} is decreasing for large m: assumption (1) fails")
        if bad_concave and bad_concave[-1] == grid[-1]:
            raise AssumptionError(f"accuracy {self.label()} is not concave for large m: assumption (1) fails")
        start = m0
        for bad, f in ((bad_increasing, self._rising), (bad_concave, self.a_hat_second)):
            if bad:
                nxt = grid[grid.index(bad[-1]) + 1]
                root = bracketed_root(f, bad[-1], nxt)
                start = max(start, root)
        return AssumptionReport("numeric", start, start == m0, len(grid))

    def _rising(self, m: mp.mpf) -> mp.mpf:
        r"""Negative where :math:`\hat a` is not positive or decreases, positive where both hold."""
        return min(self.a_hat(m), self.a_hat_prime(m))

    def validate(self) -> None:
        r"""Raise :class:`AssumptionError` unless :math:`\hat a` is positive somewhere, (1) holds for
        large m, and :math:`a_{opt} \le 1`."""
        _ = self.minimum_viable_data  # raises when never positive
        _ = self.assumption  # raises when (1) fails for large m
        if not mp.isfinite(self.a_opt) or self.a_opt > 10**6:
            raise AssumptionError(f"accuracy {self.label()} grows without bound; an accuracy is at most 1")
        if self.a_opt > 1 + mp.mpf(10) ** -12:
            raise AssumptionError(f"accuracy {self.label()} exceeds 1 (a_opt = {mp.nstr(self.a_opt, 6)})")

    def require_assumption(self, m: Any, what: str) -> None:
        """Refuse a result that needs (1) at a point *m* where it does not hold."""
        report = self.assumption
        if mp.mpf(m) < report.holds_from * (1 - mp.mpf(10) ** -10):
            raise AssumptionError(
                f"{what} falls at m = {mp.nstr(mp.mpf(m), 6)}, where accuracy {self.label()} is not "
                f"concave and non-decreasing (assumption (1) holds for m >= {mp.nstr(report.holds_from, 6)})")

    def label(self) -> str:
        """``name(p1=v1, ...)`` for messages and reports."""
        inner = ", ".join(f"{k}={_format_rational(v)}" for k, v in self.values.items())
        return f"{self.function.name}({inner})" if inner else repr(self.function.name)


def _format_rational(value: sp.Rational) -> str:
    return str(value) if value.q == 1 else f"{float(value):g}"


def _family(name: str, text: str, parameters: tuple[ParameterSpec, ...], source: str,
            domain_lower: sp.Expr = sp.Integer(0)) -> AccuracyFunction:
    return AccuracyFunction(name, _parse_expression(text), parameters, domain_lower, source)


_A_OPT = ParameterSpec("a_opt", "best achievable accuracy", 0.0, False, 1.0, True, None, (0.5, 1.0))
_K = ParameterSpec("k", "difficulty (pseudo-dimension)", sample=(0.1, 100.0))

#: The paper's accuracy families, by command-line name.
FAMILIES: dict[str, AccuracyFunction] = {}
FAMILIES["simplified"] = _family(
    "simplified", "a_opt - 2*sqrt(k/m)", (_A_OPT, _K), "Example 2.1, Eq. (3)")
FAMILIES["generalization-bound"] = _family(
    "generalization-bound", "a_opt - (sqrt(2*k*(2 + log(m/k))) + b)/sqrt(m)",
    (_A_OPT, _K, ParameterSpec("b", "confidence term", default="4", sample=(1.0, 6.0))),
    "Example 2.1, Eq. (2)", domain_lower=S.k * sp.exp(-2))
FAMILIES["power-law"] = _family(
    "power-law", "a_opt - tau - beta*m**(-alpha)",
    (_A_OPT, ParameterSpec("tau", "regulatory threshold", 0.0, True, 1.0, False, None, (0.01, 0.3)),
     ParameterSpec("beta", "scale of the learning curve", sample=(0.1, 10.0)),
     ParameterSpec("alpha", "exponent of the learning curve", sample=(0.2, 2.0))),
    "Example 2.2")

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9-]*$")


@functools.lru_cache(maxsize=128)
def accuracy_function(spec: str | sp.Expr) -> AccuracyFunction:
    """A family by name, or a user expression (string or sympy) in ``m``.

    >>> accuracy_function("simplified").expr
    a_opt - 2*sqrt(k)/sqrt(m)
    >>> accuracy_function("a_opt - 2*sqrt(k/m)").expr == accuracy_function("simplified").expr
    True
    """
    if isinstance(spec, str) and spec in FAMILIES:
        return FAMILIES[spec]
    if isinstance(spec, str):
        if _IDENTIFIER.match(spec) and "-" in spec:
            raise ExpressionError(f"unknown accuracy family {spec!r} (families: {', '.join(FAMILIES)})")
        expr = _parse_expression(spec)
        name = spec
    elif isinstance(spec, sp.Expr):
        expr = spec.subs({s: S.positive_symbol(s.name) for s in spec.free_symbols})
        name = str(spec)
    else:
        raise ExpressionError(f"accuracy {spec!r} is neither a family name nor an expression")
    names = sorted(s.name for s in expr.free_symbols if s.name != "m")
    return AccuracyFunction(name, expr, tuple(_user_parameter(n) for n in names))
