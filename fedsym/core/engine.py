r"""One derivation engine: a theorem's quantities as a table, run the same way for every theorem.

A :class:`Table` lists the quantities of one result of the paper as :class:`Row`\ s
(name, symbol, source, defining equation, unknown, validity condition,
independent numeric solver).  :func:`run` derives them all:

1. each row's candidates come from a bounded sympy attempt
   (:func:`fedsym.core.solve.symbolic`): the roots of its defining equation in its
   unknown, or the branches its own :attr:`Row.branches` function gives (e.g.
   Viète's three roots of a cubic); a row defined from earlier rows
   (:attr:`Row.form`) substitutes their closed forms instead;
2. a candidate is kept only if, at **every** sample point of the table, it is a
   finite real, satisfies the row's validity condition and agrees with the
   row's numeric solver to :attr:`fedsym.core.settings.Settings.agreement_rtol`
   (one sample policy, one tolerance for every theorem);
3. otherwise the row is numeric and its note says why (sympy's timeout, no
   solution, or no branch that passed validation);
4. the outcome (closed forms and notes, not the numeric code) goes through the
   derivation store and cache (:func:`fedsym.core.cache.derivation`), keyed by the
   table's kind and description, so the shipped store answers built-in tables;
5. every row becomes a :class:`fedsym.core.derived.Derived`, which keeps the
   numeric solver and re-checks the closed form at the point of evaluation.

The engine knows nothing of the paper: the tables live beside their theorems.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core.cache import Outcome, derivation
from fedsym.core.derived import Derived, mp_value, simplest
from fedsym.core.expression import lambdify_mpmath
from fedsym.core.settings import current_settings
from fedsym.core.solve import DPS, symbolic
from fedsym.core.symbols import positive_symbol

__all__ = ["Row", "Table", "run", "derive", "revalidate", "value_at", "agree"]

Values = Mapping[str, mp.mpf]


@dataclass(frozen=True)
class Row:
    r"""One quantity of a theorem: how to find its closed form and how to compute it without one.

    Exactly one of ``equation`` (with ``unknown``), ``branches`` or ``form`` says where
    the closed form comes from.

    Parameters
    ----------
    name, symbol, meaning, source, arguments:
        As in :class:`~fedsym.core.derived.Derived` (``symbol`` is LaTeX).
    numeric:
        Independent solver ``numeric(values) -> mpf``: the reference a candidate
        must agree with at every sample point, and the fallback.
    equation, unknown:
        Defining equation ``equation = 0`` in ``unknown``; its roots (``sympy.solve``,
        bounded in time) are the candidates.
    branches, branch_args:
        Instead of an equation: a module-level function (it runs in a child
        process) with its arguments, giving the candidate branches.
    form:
        Instead of a search: built from earlier rows' (or other tables') closed forms,
        ``form(forms)`` gives the closed form itself, a list of candidates (validated
        like sympy's roots), or a string saying why there is none.
    needs:
        Rows whose closed forms ``form`` uses; when one has none, neither has this row
        (its note names the missing row by its ``title``).
    condition:
        Validity of a candidate's value at a sample point, ``condition(values, value)``
        (the domain, a second-order sign), on top of agreement with ``numeric``.
    applies:
        The case of the theorem in which the quantity's formula holds, ``applies(values)``
        (e.g. an interior regime): the row is validated only at the sample points where it holds.
    simplify:
        Whether a closed form from ``form`` is replaced by its shortest simplification
        that agrees with it at the sample points (:func:`fedsym.core.derived.simplest`).
    title:
        Words naming the quantity in another row's note ("no closed *tangent point*").
    key:
        Name of the closed form in the derivation store (default ``name``).
    note_key:
        Name of its note in the store (default ``key.note``; ``None``: the store keeps no note).
    numeric_array, verify:
        Passed on to :class:`~fedsym.core.derived.Derived`.
    """

    name: str
    symbol: str
    meaning: str
    source: str
    arguments: tuple[str, ...]
    numeric: Callable[[Values], mp.mpf]
    equation: sp.Expr | None = None
    unknown: sp.Symbol | None = None
    branches: Callable[..., list[sp.Expr]] | None = None
    branch_args: tuple[Any, ...] = ()
    form: Callable[[Mapping[str, sp.Expr]], sp.Expr | list[sp.Expr] | str] | None = None
    needs: tuple[str, ...] = ()
    condition: Callable[[Values, mp.mpf], bool] | None = None
    applies: Callable[[Values], bool] | None = None
    simplify: bool = False
    title: str = ""
    key: str = ""
    note_key: str | None = ""
    numeric_array: Callable[[Mapping[str, np.ndarray]], np.ndarray] | None = field(default=None, repr=False)
    verify: Callable[[Values, mp.mpf], bool] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        sources = (self.equation is not None, self.branches is not None, self.form is not None)
        if sum(sources) != 1 or (self.equation is not None) != (self.unknown is not None):
            raise ValueError(f"row {self.name}: give exactly one of equation (with unknown), branches or form")

    @property
    def stored(self) -> str:
        """Name of the closed form in the derivation store."""
        return self.key or self.name

    @property
    def stored_note(self) -> str | None:
        """Name of the note in the derivation store, or None."""
        return None if self.note_key is None else self.note_key or f"{self.stored}.note"

    def fields(self) -> tuple[str, ...]:
        """Names this row contributes to the stored outcome."""
        return (self.stored,) if self.stored_note is None else (self.stored, self.stored_note)


@dataclass(frozen=True)
class Table:
    """The quantities of one result: rows derived in order, validated at the same sample points.

    Parameters
    ----------
    kind, description:
        Key of the derivation store and cache (:func:`fedsym.core.cache.derivation`).
    rows:
        The quantities; a row may use the closed forms of rows before it.
    samples:
        Builds the sample points (by argument name) at which every candidate is
        validated (a row at every point that gives all its arguments); called
        only when the table is derived afresh.
    """

    kind: str
    description: Mapping[str, Any]
    rows: tuple[Row, ...]
    samples: Callable[[], Sequence[Mapping[str, Any]]]

    def fields(self) -> tuple[str, ...]:
        return tuple(name for row in self.rows for name in row.fields())


def agree(a: Any, b: Any, rtol: Any = None) -> bool:
    """Relative agreement of two numbers (default :attr:`Settings.agreement_rtol`; tiny values absolutely)."""
    tolerance = mp.mpf(current_settings().agreement_rtol if rtol is None else rtol)
    a, b = mp.mpf(a), mp.mpf(b)
    return bool(abs(a - b) <= tolerance * max(abs(a), abs(b), mp.mpf(10) ** (10 - DPS)))


def value_at(expr: sp.Expr, values: Values) -> mp.mpf | None:
    """*expr* at *values* (by symbol name, positive symbols), or None when it is not a finite real there."""
    names = tuple(values)
    try:
        result = lambdify_mpmath([positive_symbol(name) for name in names], expr)(*(values[n] for n in names))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, NameError, ArithmeticError):
        return None
    if isinstance(result, mp.mpc):
        if result.imag != 0:
            return None
        result = result.real
    try:
        result = mp.mpf(result)
    except (TypeError, ValueError):
        return None
    return result if mp.isfinite(result) else None


class _Samples:
    """The table's sample points, restricted to each row's arguments, with cached references.

    A row is validated at every point that gives all its arguments and where its
    case of the theorem applies (duplicates dropped).
    """

    def __init__(self, points: Sequence[Mapping[str, Any]]) -> None:
        self.points = [{name: mp_value(v) for name, v in point.items()} for point in points]
        self._references: dict[tuple[str, Any], mp.mpf | None] = {}

    def of(self, row: Row) -> list[dict[str, mp.mpf]]:
        unique: dict[tuple[Any, ...], dict[str, mp.mpf]] = {}
        for point in self.points:
            if all(name in point for name in row.arguments) and (row.applies is None or row.applies(point)):
                restricted = {name: point[name] for name in row.arguments}
                unique.setdefault(tuple(restricted.values()), restricted)
        return list(unique.values())

    def reference(self, row: Row, point: dict[str, mp.mpf]) -> mp.mpf | None:
        key = (row.name, tuple(point.values()))
        if key not in self._references:
            try:
                self._references[key] = mp.mpf(row.numeric(point))
            except (ArithmeticError, ValueError):
                self._references[key] = None
        return self._references[key]

    def valid(self, row: Row, candidate: sp.Expr) -> bool:
        """True when *candidate* is real, meets the row's condition and agrees with its numeric solver everywhere."""
        points = self.of(row)
        for point in points:
            value = value_at(candidate, point)
            reference = self.reference(row, point)
            if value is None or reference is None or not agree(value, reference):
                return False
            if row.condition is not None and not row.condition(point, value):
                return False
        return bool(points)

    def same(self, row: Row, a: sp.Expr, b: sp.Expr) -> bool:
        """True when *a* and *b* agree at every sample point (a simplification is still the same form)."""
        def close(point: dict[str, mp.mpf]) -> bool:
            x, y = value_at(a, point), value_at(b, point)
            return x is not None and y is not None and agree(x, y)
        points = self.of(row)
        return bool(points) and all(close(point) for point in points)


def _validated(row: Row, candidates: list[Any], samples: _Samples, origin: str,
               empty: str = "sympy found no solution") -> tuple[sp.Expr | None, str]:
    """The first of *candidates* that passes validation at the samples, or ``(None, why)``."""
    # a branch that is NaN for some parameters (a Piecewise from Min/Max) is no closed form
    candidates = [cand for cand in candidates if isinstance(cand, sp.Expr) and not cand.has(sp.nan)]
    if not candidates:
        return None, empty
    for candidate in candidates:
        if samples.valid(row, candidate):
            return candidate, ""
    return None, f"none of {origin.format(len(candidates))} passed validation"


def _searched(row: Row, samples: _Samples) -> tuple[sp.Expr | None, str]:
    """A row's first candidate from sympy (or its branches function) that passes validation, or ``(None, why)``."""
    if row.equation is not None:
        outcome, origin = symbolic(sp.solve, row.equation, row.unknown), "sympy's {} branch(es)"
    else:
        assert row.branches is not None
        outcome = symbolic(row.branches, *row.branch_args)
        origin = "the {} branch(es) of " + row.branches.__name__
    if not outcome.ok:
        return None, outcome.failure or "sympy failed"
    return _validated(row, list(outcome.value), samples, origin)


def _formed(row: Row, forms: Mapping[str, sp.Expr | None], notes: Mapping[str, str],
            titles: Mapping[str, str], samples: _Samples) -> tuple[sp.Expr | None, str]:
    """A row's closed form from earlier closed forms (validated if it is a list of candidates), or ``(None, why)``."""
    for need in row.needs:
        if forms.get(need) is None:
            return None, f"no closed {titles[need]} ({notes[need]})"
    assert row.form is not None
    built = row.form({name: expr for name, expr in forms.items() if expr is not None})
    if isinstance(built, str):
        return None, built
    if isinstance(built, list):
        chosen, note = _validated(row, built, samples, "the {} candidate branch(es)", "no symbolic candidate")
        if chosen is None:
            return None, note
        built = chosen
    if row.simplify:
        built = simplest(built, functools.partial(samples.same, row, built))
    return built, ""


def _title(table: Table, name: str) -> str:
    """The words naming row *name* of *table* in other rows' notes."""
    return next(row.title or row.name for row in table.rows if row.name == name)


def derive(table: Table) -> Outcome:
    """Derive every row of *table* afresh (no store, no cache): closed forms validated at the samples, and notes."""
    outcome: Outcome = {}
    forms: dict[str, sp.Expr | None] = {}
    notes: dict[str, str] = {}
    titles = {row.name: _title(table, row.name) for row in table.rows}
    with mp.workdps(DPS):
        samples = _Samples(table.samples())
        for row in table.rows:
            if row.form is not None:
                expr, note = _formed(row, forms, notes, titles, samples)
            else:
                expr, note = _searched(row, samples)
            forms[row.name], notes[row.name] = expr, note
            outcome[row.stored] = expr
            if row.stored_note is not None:
                outcome[row.stored_note] = note
    return outcome


def revalidate(table: Table, outcome: Outcome) -> bool:
    """Whether every closed form of a cached *outcome* still passes validation at the table's sample points.

    The user cache is a file anyone may edit: before its outcome is believed, each
    stored closed form must be a finite real, meet its row's condition and agree
    with the row's numeric solver at every sample point where the row applies
    (the test of :func:`derive`, without asking sympy again).  A row with no such
    point cannot be re-validated, so its closed form is not believed either.
    """
    with mp.workdps(DPS):
        samples = _Samples(table.samples())
        return all(samples.valid(row, form) for row in table.rows
                   if isinstance(form := outcome.get(row.stored), sp.Expr))


def run(table: Table) -> dict[str, Derived]:
    """The rows of *table* as :class:`~fedsym.core.derived.Derived`, by name (through the store and cache).

    An outcome read from the user cache is re-validated first (:func:`revalidate`); one that fails is derived afresh.
    """
    outcome = derivation(table.kind, table.description, functools.partial(derive, table), table.fields(),
                         check=functools.partial(revalidate, table))
    derived: dict[str, Derived] = {}
    for row in table.rows:
        form = outcome[row.stored]
        note = outcome.get(row.stored_note, "") if row.stored_note is not None else ""
        missing = [need for need in row.needs if derived[need].closed_form is None]
        if row.stored_note is None and missing:  # the store keeps no note: the reason is the missing row's
            need = derived[missing[0]]
            note = f"no closed {_title(table, need.name)} ({need.note})"
        derived[row.name] = Derived(row.name, row.symbol, row.meaning, row.source, row.arguments,
                                    form if isinstance(form, sp.Expr) else None, row.numeric,
                                    note if isinstance(note, str) else "",
                                    numeric_array=row.numeric_array, verify=row.verify)
    return derived
