"""Accuracy functions :math:`a(m) = \\max(0, \\hat a(m))` (Model §1, Sec. 2.1).

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.cache import Outcome, derivation
from fedsym.core.derived import exact_rational
from fedsym.core.engine import value_at
from fedsym.core.errors import AssumptionError, ExpressionError, ParameterError
from fedsym.core.expression import (
    MAX_EXPONENT,
    MAX_LITERAL_DIGITS,
    check_reserved,
    check_sympy_expression,
    lambdify_mpmath,
    lambdify_numpy,
    parse_expression,
)
from fedsym.core.latex import escape_text, sympy_latex
from fedsym.core.settings import settings_cache
from fedsym.core.solve import DPS, bracketed_root, symbolic

__all__ = [
    "ParameterSpec",
    "AccuracyFunction",
    "BoundAccuracy",
    "AssumptionReport",
    "FAMILIES",
    "accuracy_function",
    "parse_number",
    "symbolic_limit",
]

#: magnitudes a user number may have besides 0: results are reported as doubles, and a normal double covers them
NUMBER_RANGE = (Fraction(1, 10**300), Fraction(10**300))

_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE](?P<exp>[+-]?[0-9]+))?\Z")


def parse_number(name: str, value: Any) -> sp.Rational:
    """Exact rational value of a user number (``"1e-3"`` and ``numpy.float64(0.001)`` become ``1/1000``).

    Accepts strings (decimal or ``p/q``), ints, floats and numpy integer and
    real scalars (a float is read through its shortest decimal ``repr``), and
    sympy rationals as they are.  Raises :class:`ParameterError` naming *name*
    for anything else: NaN, infinities, complex numbers, booleans, text that is
    not a number, and numbers whose magnitude is outside :data:`NUMBER_RANGE`
    (``[1e-300, 1e300]``; 0 is allowed, ranges of the parameters are checked
    by their :class:`ParameterSpec`).
    """
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{name}: {value!r} is a boolean, not a number")
    if isinstance(value, (int, np.integer)):
        if int(value).bit_length() > 1000:  # over 1e301: refused before str() (which stops at 4300 digits)
            raise ParameterError(f"{name}: an integer of {int(value).bit_length()} bits is outside the accepted "
                                 "magnitudes [1e-300, 1e300] (or 0)")
        text = str(int(value))
    elif isinstance(value, sp.Float):  # a sympy float by its decimal text, as Agent costs read it
        text = str(value)
    elif isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ParameterError(f"{name}: {value!r} is not a finite number")
        # a float64 by its shortest round-trip decimal; float32/longdouble by theirs (np.float32(0.001) is 1/1000)
        text = repr(float(value)) if isinstance(value, float) else np.format_float_scientific(value, unique=True)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ParameterError(f"{name}: {value!r} is not a number")
    number = _exact_decimal(name, text)
    if number != 0 and not NUMBER_RANGE[0] <= abs(number) <= NUMBER_RANGE[1]:
        raise ParameterError(f"{name}={text[:40]} is outside the accepted magnitudes [1e-300, 1e300] (or 0)")
    return sp.Rational(number.numerator, number.denominator)


def _exact_decimal(name: str, text: str) -> Fraction:
    """``p`` or ``p/q`` in decimal notation, with bounded digits and exponents (no huge integers built)."""
    parts = text.split("/")
    if len(parts) > 2 or not text:
        raise ParameterError(f"{name}: {text!r} is not a number")
    fractions = []
    for part in parts:
        match = _NUMBER.match(part.strip())
        if match is None:
            raise ParameterError(f"{name}: {text!r} is not a number" if text.lower().lstrip("+-") not in
                                 ("nan", "inf", "infinity") else f"{name}: {text!r} is not a finite number")
        mantissa = "".join(ch for ch in part.split("e")[0].split("E")[0] if ch.isdigit()).lstrip("0")
        if len(mantissa.rstrip("0")) > MAX_LITERAL_DIGITS:
            raise ParameterError(f"{name}={text[:40]}... has more than {MAX_LITERAL_DIGITS} significant digits")
        if len(mantissa) > 2 * MAX_EXPONENT or (match["exp"] and abs(int(match["exp"])) > MAX_EXPONENT):
            raise ParameterError(f"{name}={text[:40]} is outside the accepted magnitudes [1e-300, 1e300] (or 0)")
        fractions.append(Fraction(part.strip()))
    if len(fractions) == 2 and fractions[1] == 0:
        raise ParameterError(f"{name}: {text!r} divides by zero")
    return fractions[0] / fractions[1] if len(fractions) == 2 else fractions[0]


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
    """Parse a user expression in ``m`` with the safe parser; every other name becomes a positive symbol."""
    return parse_expression(text, what="accuracy expression", variables={"m"})


def _increasing_concave(d1: sp.Expr, d2: sp.Expr) -> bool:
    """Whether sympy proves :math:`\\hat a' \\ge 0` and :math:`\\hat a'' \\le 0` for all m > 0 (run bounded)."""
    return bool(sp.ask(sp.Q.nonnegative(d1), sp.Q.positive(S.m)) and sp.ask(sp.Q.nonpositive(d2), sp.Q.positive(S.m)))


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

    def description(self) -> dict[str, Any]:
        r"""What a derivation from this function depends on, canonical and JSON-ready (a derivation cache key).

        ``srepr`` of :math:`\hat a` and of the domain's lower end, and each parameter's
        range and sample range (branches are validated at sample points); not the name.
        """
        return {"expr": sp.srepr(self.expr), "domain_lower": sp.srepr(self.domain_lower),
                "parameters": [[p.name, repr(p.lower), p.lower_closed, repr(p.upper), p.upper_closed,
                                [repr(x) for x in p.sample]] for p in self.parameters]}

    def latex(self) -> str:
        r"""LaTeX of :math:`\hat a(m)`, from the same expression the code evaluates."""
        return sympy_latex(self.expr)

    def bind(self, values: Mapping[str, Any] | None = None) -> BoundAccuracy:
        """Fix parameter values (strings, ints, floats or rationals); defaults fill gaps.

        Raises :class:`ParameterError` naming a missing or unknown parameter or
        a value out of range, and :class:`AssumptionError` if the function is
        never positive, exceeds 1, or violates (1) for large ``m``.
        """
        if values is not None and not isinstance(values, Mapping):
            raise ParameterError(f"parameter values of accuracy {self.name!r} must be a mapping of name to value, "
                                 f"not {type(values).__name__}")
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


@settings_cache(256)
def _bind(function: AccuracyFunction, items: tuple[tuple[str, sp.Rational], ...]) -> BoundAccuracy:
    bound = BoundAccuracy(function, dict(items))
    bound.validate()
    return bound


def _derive_limit(expr: sp.Expr) -> Outcome:
    outcome = symbolic(sp.limit, expr, S.m, sp.oo)
    usable = outcome.ok and isinstance(outcome.value, sp.Expr) and not outcome.value.has(sp.AccumBounds, sp.Limit)
    return {"limit": outcome.value if usable else None}


#: parameter values at which a cached limit is re-checked (every parameter takes each value in turn)
LIMIT_CHECK_VALUES = ("0.9", "0.37", "2.5")

#: sizes m = 10^j at which a cached limit is compared with the accuracy's tail
LIMIT_CHECK_DECADES = (40, 80, 160, 320)


def _limit_consistent(expr: sp.Expr, outcome: Outcome) -> bool:
    r"""Whether a cached :math:`\lim_{m\to\infty}\hat a(m)` agrees with the tail of :math:`\hat a` (the user cache
    can be edited).

    At each parameter point of :data:`LIMIT_CHECK_VALUES` where both are finite
    reals, :math:`\hat a(10^{j})` for :math:`j` in :data:`LIMIT_CHECK_DECADES` must
    approach the limit: its distance to it at the last size is at most ten times
    the tail's last step (a finite limit), or the steps do not shrink (an infinite
    one).  A None (no limit found) is always believed; a limit no point can test is not.
    """
    limit = outcome["limit"]
    if limit is None:
        return True
    if not isinstance(limit, sp.Expr):
        return False
    names = sorted(symbol.name for symbol in expr.free_symbols if symbol != S.m)
    decided = False
    with mp.workdps(60):
        for value in LIMIT_CHECK_VALUES:
            point = {name: mp.mpf(value) for name in names}
            values = [value_at(expr, {**point, S.m.name: mp.mpf(10) ** j}) for j in LIMIT_CHECK_DECADES]
            tail = [t for t in values if t is not None]
            if len(tail) < len(values):
                continue
            steps = [abs(b - a) for a, b in zip(tail, tail[1:])]
            if limit.is_infinite:
                rising = 1 if limit.is_extended_positive else -1
                consistent = bool(steps[-1] >= steps[-2] / 2 > 0 and mp.sign(tail[-1] - tail[0]) == rising)
            else:
                at = value_at(limit, point)
                if at is None:
                    continue
                consistent = bool(abs(tail[-1] - at) <= 10 * steps[-1] + mp.mpf(10) ** -50 * max(1, abs(at)))
            if not consistent:
                return False
            decided = True
    return decided


@settings_cache(64)
def symbolic_limit(expr: sp.Expr) -> sp.Expr | None:
    """:math:`\\lim_{m\\to\\infty}\\hat a(m)` by sympy (bounded in time; derivation store and cache), or None.

    A limit read from the user cache is believed only if the tail of *expr* approaches it (:func:`_limit_consistent`).
    """
    limit = derivation("limit", {"expr": sp.srepr(expr)}, functools.partial(_derive_limit, expr), ("limit",),
                       check=functools.partial(_limit_consistent, expr))["limit"]
    return limit if isinstance(limit, sp.Expr) else None


#: smallest :math:`m_0 > 0` told apart from 0 (below the smallest double, so every reportable one is found);
#: a positive lower end of the domain is resolved to its own precision, relative :math:`10^{5-DPS}`
ORIGIN_RESOLUTION = mp.mpf(10) ** -400


@dataclass(frozen=True, eq=False)
class BoundAccuracy:
    r"""An accuracy function with numeric parameters: evaluation and assumption (1).

    ``a_hat`` and its derivatives evaluate in mpmath at the current
    ``mp.mp.dps``; the ``*_np`` methods are vectorized numpy versions for sweeps.
    ``a(m) = max(0, â(m))`` is 0 for ``m <= m_0`` (Model §1).
    """

    function: AccuracyFunction
    values: dict[str, sp.Rational] = field(repr=True)
    _memo: dict[tuple[str, int], Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _at_precision(self, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` at ``max(DPS, mp.mp.dps)`` digits, once per precision.

        The numeric properties are thus exact to at least :data:`DPS` digits, and to
        more for a caller working at more, whoever asked first (Issue 15).
        """
        dps = max(DPS, mp.mp.dps)
        key = (name, dps)
        if key not in self._memo:
            with mp.workdps(dps):
                self._memo[key] = compute()
        return self._memo[key]

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
        return tuple(lambdify_mpmath(S.m, d) for d in self._derivatives)

    @cached_property
    def _np(self) -> tuple[Callable[..., Any], ...]:
        return tuple(lambdify_numpy(S.m, _numpy_safe(d)) for d in self._derivatives)

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
    @property
    def domain_lower(self) -> mp.mpf:
        """Lower end of the domain of :math:`\\hat a` (exclusive), to ``max(DPS, mp.mp.dps)`` digits."""
        exact = self.function.domain_lower.subs(self.substitutions)
        return self._at_precision("domain_lower", lambda: mp.mpf(sp.N(exact, mp.mp.dps + 5)))

    @cached_property
    def a_opt_exact(self) -> sp.Expr | None:
        r""":math:`a_{opt} = \lim_{m\to\infty}\hat a(m)` exactly (sympy's limit, bounded in time), or None."""
        limit = symbolic_limit(self.function.expr)
        if limit is None:
            return None
        value = limit.subs(self.substitutions)
        if value.is_infinite:
            return sp.oo
        return value if value.is_number and value.is_finite else None

    @property
    def a_opt(self) -> mp.mpf:
        r""":math:`a_{opt}` to ``max(DPS, mp.mp.dps)`` digits: the exact limit, else :math:`\hat a(10^{40})`."""
        def compute() -> mp.mpf:
            exact = self.a_opt_exact
            if exact is None:
                return self.a_hat(mp.mpf(10) ** 40)
            return mp.inf if exact is sp.oo else mp.mpf(sp.N(exact, mp.mp.dps + 5))
        return self._at_precision("a_opt", compute)

    @property
    def minimum_viable_data(self) -> mp.mpf:
        r"""Minimum viable data :math:`m_0 = \inf\{m : \hat a(m) > 0\}` (Sec. 2.1), numerically.

        Scans :attr:`grid` for the first positive value and brackets the sign
        change before it.  When :math:`\hat a` is already positive at the
        grid's first point, steps towards the domain's lower end on a log scale
        of the distance to it (factors :math:`10^{12}, 10^{24}, 10^{48}, \dots`)
        until :math:`\hat a \le 0` or undefined, at as many digits as the
        distance needs, so a tiny :math:`m_0` (e.g. :math:`8.7\cdot 10^{-13}`) is
        found down to :data:`ORIGIN_RESOLUTION`; below that (or within relative
        :math:`10^{5-DPS}` of a positive lower end) :math:`m_0 =` the lower end.
        The search runs at ``max(DPS, mp.mp.dps)`` digits and is kept per precision.
        """
        return self._at_precision("minimum_viable_data", self._first_positive)

    def _viable(self, m: mp.mpf) -> mp.mpf:
        r""":math:`\hat a(m)` where it is defined and not 0, else -1: its sign change is :math:`m_0`
        even where :math:`\hat a` is 0 on an interval (``Max(0, ...)``)."""
        value = self._safe(self.a_hat, m) if m > self.domain_lower else None
        return mp.mpf(-1) if value is None or value == 0 else value

    def _first_positive(self) -> mp.mpf:
        grid = self.grid
        for i, x in enumerate(grid):  # noqa: B007 (i is used after the loop)
            if self._viable(x) > 0:
                break
        else:
            raise AssumptionError(f"accuracy {self.label()} is never positive: no amount of data is viable")
        if i > 0:
            return bracketed_root(self._viable, grid[i - 1], x)
        # positive at the grid's first point: bracket towards the domain's lower end on a log scale of the
        # distance to it, evaluating with enough digits that 1 - exp(-m) at m = 1e-300 is not rounded to 0
        lower = self.domain_lower
        scale, floor = (lower, lower * mp.mpf(10) ** (5 - DPS)) if lower > 0 else (mp.mpf(1), ORIGIN_RESOLUTION)
        step, log_hi = 12, mp.log(x - lower)
        while True:
            log_lo = log_hi - step * mp.ln10
            if mp.exp(log_lo) < floor:
                return lower
            digits = DPS + 10 + int(mp.ceil(mp.log10(scale) - log_lo / mp.ln10))
            with mp.workdps(digits):
                if self._viable(lower + mp.exp(log_lo)) <= 0:
                    root = bracketed_root(lambda u: self._viable(lower + mp.exp(u)), log_lo, log_hi)
                    return lower + mp.exp(root)
            log_hi, step = log_lo, 2 * step

    @property
    def grid(self) -> list[mp.mpf]:
        """Log-spaced points from just above the domain's lower end to 1e24 (10 per decade)."""
        def compute() -> list[mp.mpf]:
            lo = max(self.domain_lower * (1 + mp.mpf(10) ** -12), mp.mpf(10) ** -12)
            decades = int(mp.ceil(mp.log10(mp.mpf(10) ** 24 / lo)))
            return [lo * mp.mpf(10) ** (mp.mpf(j) / 10) for j in range(10 * decades + 1)]
        return self._at_precision("grid", compute)

    @staticmethod
    def _safe(f: Callable[[mp.mpf], Any], x: mp.mpf) -> mp.mpf | None:
        try:
            v = f(x)
        except (ValueError, ArithmeticError, TypeError):
            return None
        if isinstance(v, mp.mpc) or not mp.isfinite(v):
            return None
        return mp.mpf(v)

    def _sign(self, f: Callable[[mp.mpf], Any], x: mp.mpf, refusing: int) -> int:
        """Sign of ``f(x)`` (0 where undefined), confirmed at more digits when it is the *refusing* sign.

        A derivative at large m cancels: :math:`\\hat a''` of ``a_opt*m**2/(k + m**2)`` at m = 1e24 is about
        1e-96 from terms of about 1e-48, so 40 digits give noise of either sign.  A sign that would refuse is
        recomputed with ``4 log10(m) + 30`` more digits, which covers the cancellation of the grid's
        rational terms (powers of m up to the fourth).
        """
        value = self._safe(f, x)
        if not value or mp.sign(value) != refusing:
            return 0 if not value else int(mp.sign(value))
        extra = 30 + 4 * max(0, int(mp.log10(x)))
        with mp.extradps(extra):
            value = self._safe(f, x) or mp.mpf(0)
        return int(mp.sign(value))

    @property
    def assumption(self) -> AssumptionReport:
        """Where (1) holds: sympy decides it with the values substituted, else a grid decides.

        ``holds_from`` to ``max(DPS, mp.mp.dps)`` digits.  Raises :class:`AssumptionError`
        if (1) fails for arbitrarily large ``m``.
        """
        return self._at_precision("assumption", self._check_assumption)

    def _check_assumption(self) -> AssumptionReport:
        m0 = self.minimum_viable_data
        if self._proved_increasing_concave:
            return AssumptionReport("symbolic", m0, True)
        grid = [x for x in self.grid if x > m0]
        bad_increasing = [x for x in grid if self._sign(self.a_hat_prime, x, -1) < 0
                          or self._sign(self.a_hat, x, -1) <= 0]
        bad_concave = [x for x in grid if self._sign(self.a_hat_second, x, 1) > 0]
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

    @cached_property
    def _proved_increasing_concave(self) -> bool:
        """Whether sympy proves :math:`\\hat a' \\ge 0` and :math:`\\hat a'' \\le 0` for all m > 0 at these values.

        The answer goes through the derivation store and cache
        (:func:`fedsym.core.cache.derivation`, keyed by the substituted expression).
        """
        def prove() -> Outcome:
            _, d1, d2 = self._derivatives
            outcome = symbolic(_increasing_concave, d1, d2)  # time-bounded: ten nested tanh took minutes
            return {"proved": "yes" if outcome.ok and outcome.value else "no"}

        return derivation("assumption", {"expr": sp.srepr(self.expr)}, prove, ("proved",),
                          check=self._verdict_consistent)["proved"] == "yes"

    def _verdict_consistent(self, outcome: Outcome) -> bool:
        r"""Whether a cached verdict of the proof agrees with a fresh numeric look (the user cache can be edited).

        "no" only sends (1) to the grid, so it is always safe; "yes" is believed only if
        no point of :attr:`grid` shows :math:`\hat a' < 0` or :math:`\hat a'' > 0`.
        """
        if outcome["proved"] != "yes":
            return outcome["proved"] == "no"
        return not any(self._sign(self.a_hat_prime, x, -1) < 0 or self._sign(self.a_hat_second, x, 1) > 0
                       for x in self.grid)

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


def _numpy_safe(expr: sp.Expr) -> sp.Expr:
    """*expr* with its numbers evaluated to floats when an integer exceeds int64.

    numpy cannot apply ``sqrt`` to a Python integer beyond int64 (a parameter
    bound from 40 digits by :meth:`AccuracyFunction.bind_numbers` gives one);
    other expressions are left exact so their numpy values do not move.
    """
    if any(abs(int(i)) >= 2**63 for i in expr.atoms(sp.Integer)):
        return expr.evalf(DPS)
    return expr


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


def accuracy_function(spec: str | sp.Expr) -> AccuracyFunction:
    """A family by name, or a user expression (string or sympy) in ``m``; anything else is refused.

    >>> accuracy_function("simplified").expr
    a_opt - 2*sqrt(k)/sqrt(m)
    """
    try:
        hash(spec)
    except TypeError:  # a list or a dict: lru_cache would raise a raw TypeError
        raise ExpressionError(f"accuracy {str(spec)[:80]!r} is neither a family name nor an expression") from None
    return _accuracy_function(spec)


@functools.lru_cache(maxsize=128)
def _accuracy_function(spec: str | sp.Expr) -> AccuracyFunction:
    """A family by name, or a user expression (string or sympy) in ``m``.

    >>> accuracy_function("simplified").expr
    a_opt - 2*sqrt(k)/sqrt(m)
    >>> accuracy_function("a_opt - 2*sqrt(k/m)").expr == accuracy_function("simplified").expr
    True
    """
    if not isinstance(spec, (str, sp.Expr)):
        raise ExpressionError(f"accuracy {str(spec)[:80]!r} is neither a family name nor an expression")
    if isinstance(spec, str) and spec in FAMILIES:
        return FAMILIES[spec]
    if isinstance(spec, str):
        if _IDENTIFIER.match(spec) and "-" in spec:
            raise ExpressionError(f"unknown accuracy family {spec!r} (families: {', '.join(FAMILIES)})")
        expr = _parse_expression(spec)
        name = spec
    elif isinstance(spec, sp.Expr):
        check_sympy_expression(spec, what="accuracy expression")
        name = str(spec)
        check_reserved({s.name for s in spec.free_symbols} - {"m"}, what="accuracy expression", text=name)
        expr = spec.subs({s: S.positive_symbol(s.name) for s in spec.free_symbols})
        if expr.has(sp.Min, sp.Max):  # as the parser does: derivatives of Piecewise evaluate, of Min/Max do not
            expr = expr.rewrite(sp.Piecewise)
    else:
        raise ExpressionError(f"accuracy {spec!r} is neither a family name nor an expression")
    names = sorted(s.name for s in expr.free_symbols if s.name != "m")
    return AccuracyFunction(name, expr, tuple(_user_parameter(n) for n in names))
