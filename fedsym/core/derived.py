"""A quantity derived from the model: a validated closed form, or a numeric solver.

:func:`simplest` picks the shortest of several simplifications that still
agrees numerically with the original (the derivation engine,
:mod:`fedsym.core.engine`, finds and validates the closed forms).
:class:`Derived` carries the result: its closed form if one survived, the
independent numeric solver either way, the method used and why, its source in
the paper, LaTeX, and evaluation at any mpmath precision or over numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core.expression import lambdify_mpmath, lambdify_numpy
from fedsym.core.latex import LatexRepr, align, sympy_latex
from fedsym.core.solve import DPS, symbolic
from fedsym.core.symbols import positive_symbol

__all__ = ["Derived", "DerivedForms", "simplest", "mp_value", "exact_rational", "CLOSED_FORM",
           "NUMERIC"]

CLOSED_FORM = "closed-form"
NUMERIC = "numeric"

Values = Mapping[str, Any]


def mp_value(value: Any) -> mp.mpf:
    """A number (str, int, float, sympy Rational or mpf) as an mpf at the current precision."""
    if isinstance(value, sp.Rational):
        return mp.mpf(value.p) / value.q
    if isinstance(value, mp.mpf):
        return +value
    return mp.mpf(str(value)) if isinstance(value, str) else mp.mpf(value)


def exact_rational(value: Any) -> sp.Rational:
    """*value* as an exact rational through its decimal digits at :data:`fedsym.core.solve.DPS` (to rebind solvers)."""
    with mp.workdps(DPS):
        return sp.Rational(mp.nstr(mp_value(value), DPS))


def _simplifications(expr: sp.Expr) -> list[sp.Expr]:
    """Three simplifications of *expr* (module level: :func:`~fedsym.core.solve.symbolic` pickles it)."""
    return [sp.simplify(expr),
            sp.simplify(sp.powdenest(expr, force=True)),
            sp.simplify(sp.powsimp(sp.powdenest(sp.expand_power_base(expr, force=True), force=True), force=True))]


def simplest(expr: sp.Expr, agrees: Callable[[sp.Expr], bool]) -> sp.Expr:
    """The shortest simplification of *expr* for which ``agrees(candidate)`` holds.

    Some simplifications (``force=True``) assume positivity that may not hold,
    so each is kept only if *agrees* confirms it numerically; *expr* itself is
    the fallback.  Bounded in time like every symbolic step.
    """
    outcome = symbolic(_simplifications, expr)
    options = outcome.value if outcome.ok else []
    best = expr
    for option in options:
        if sp.count_ops(option) < sp.count_ops(best) and agrees(option):
            best = option
    return best


@dataclass(frozen=True, eq=False)
class Derived:
    r"""A quantity of the model: closed form when validated, numeric solver always.

    Parameters
    ----------
    name:
        Key used in results and JSON, e.g. ``optimal_data``.
    symbol:
        LaTeX symbol, e.g. ``m^{*}``.
    meaning:
        One line of prose.
    source:
        Equation or theorem of the paper, e.g. ``Theorem 2.3, Eq. (6)``.
    arguments:
        Names of the parameters it depends on (model parameters, then ``c`` ...).
    closed_form:
        Validated sympy expression in the argument symbols, or ``None``.
    numeric:
        Independent solver ``numeric(values) -> mpf`` at the current mpmath
        precision; used when there is no closed form, and by ``fedsym check``.
    note:
        Why the quantity is numeric (empty for a closed form).
    numeric_array:
        Optional vectorized numeric path ``numeric_array(values) -> ndarray``
        for sweeps; without it arrays are evaluated point by point.
    verify:
        Optional cheap test ``verify(values, value) -> bool`` of the closed
        form's defining condition at the point of evaluation; where it fails,
        :meth:`resolve` uses the numeric solver instead (never a wrong branch).
    """

    name: str
    symbol: str
    meaning: str
    source: str
    arguments: tuple[str, ...]
    closed_form: sp.Expr | None
    numeric: Callable[[Values], mp.mpf]
    note: str = ""
    numeric_array: Callable[[Mapping[str, np.ndarray]], np.ndarray] | None = field(default=None, repr=False)
    verify: Callable[[Values, mp.mpf], bool] | None = field(default=None, repr=False)

    @property
    def method(self) -> str:
        """``closed-form`` or ``numeric``."""
        return CLOSED_FORM if self.closed_form is not None else NUMERIC

    @cached_property
    def _symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(positive_symbol(name) for name in self.arguments)

    @cached_property
    def _mpmath(self) -> Callable[..., Any]:
        return lambdify_mpmath(self._symbols, self.closed_form)

    @cached_property
    def _numpy(self) -> Callable[..., Any]:
        return lambdify_numpy(self._symbols, self.closed_form)

    def _ordered(self, values: Values) -> list[Any]:
        missing = [name for name in self.arguments if name not in values]
        if missing:
            raise KeyError(f"{self.name} needs {', '.join(missing)}")
        return [values[name] for name in self.arguments]

    def evaluate(self, values: Values, dps: int = DPS) -> mp.mpf:
        """Value at *values* (by argument name) with *dps* digits: closed form if any, else numeric."""
        if self.closed_form is None:
            return self.evaluate_numeric(values, dps)
        with mp.workdps(dps):
            result = self._mpmath(*(mp_value(v) for v in self._ordered(values)))
            if isinstance(result, mp.mpc):
                raise ArithmeticError(f"{self.name}: closed form is complex at {dict(values)}")
            return +mp.mpf(result)

    def resolve(self, values: Values, dps: int = DPS) -> tuple[mp.mpf, str]:
        """``(value, method)`` at *values*: the closed form if it exists and passes
        ``verify`` there, else the numeric solver."""
        if self.closed_form is not None:
            value = self.evaluate(values, dps)
            with mp.workdps(dps):
                if self.verify is None or self.verify({n: mp_value(v) for n, v in values.items()}, value):
                    return value, CLOSED_FORM
        return self.evaluate_numeric(values, dps), NUMERIC

    def evaluate_numeric(self, values: Values, dps: int = DPS) -> mp.mpf:
        """Value from the independent numeric solver, whatever the method."""
        with mp.workdps(dps):
            return +mp.mpf(self.numeric({name: mp_value(v) for name, v in values.items()}))

    def evaluate_array(self, values: Mapping[str, Any]) -> np.ndarray:
        """Vectorized double-precision values over broadcast numpy arrays (for sweeps)."""
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in self._ordered(values)))
        if self.closed_form is not None:
            result = np.asarray(self._numpy(*arrays), dtype=float)
            # a constant form gives a scalar: broadcast it (no second array when the shape is already right)
            return result if result.shape == arrays[0].shape else np.broadcast_to(result, arrays[0].shape).copy()
        named = dict(zip(self.arguments, arrays))
        if self.numeric_array is not None:
            return self.numeric_array(named)
        flat = [{name: float(a.flat[i]) for name, a in named.items()} for i in range(arrays[0].size)]
        return np.array([float(self.evaluate_numeric(point, 17)) for point in flat]).reshape(arrays[0].shape)

    def aligned(self) -> str:
        """One line of an ``align*`` block: ``symbol &= closed form`` or ``symbol &: numeric``."""
        if self.closed_form is None:
            return rf"{self.symbol} &: \text{{numeric (no closed form)}}"
        return rf"{self.symbol} &= {sympy_latex(self.closed_form)}"

    def latex(self) -> str:
        """``symbol = closed form`` in LaTeX (from the same expression the code evaluates)."""
        if self.closed_form is None:
            return rf"{self.symbol} \text{{ (numeric: no closed form)}}"
        return rf"{self.symbol} = {sympy_latex(self.closed_form)}"

    def to_latex(self) -> str:
        """The displayed equation, for write-ups."""
        return rf"\[ {self.latex()} \]"

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "meaning": self.meaning, "source": self.source,
                "method": self.method, "closed_form": sympy_latex(self.closed_form) if self.closed_form is not None else None,
                "note": self.note}


class DerivedForms(LatexRepr):
    """Mixin for a set of derived quantities (``all()``): LaTeX of every closed form, aligned."""

    def all(self) -> tuple[Derived, ...]:
        return tuple(value for value in vars(self).values() if isinstance(value, Derived))

    def to_latex(self) -> str:
        """An ``align*`` block with one line per quantity (closed form, or marked numeric)."""
        return align(d.aligned() for d in self.all())
