"""What a derivation returns: a :class:`Section` with its :class:`Step` s and pgfplots :class:`Figure` s.

A derivation file (``derivations/*.py``) defines ``derive()``, which returns a
:class:`Section` (or a list of them): the statement, parameters, derivation
steps, closed forms, numeric values, the closed-form-vs-numeric rows
(:class:`fedsym.core.checkrow.CheckRow`) and :class:`Figure` objects whose data
fedsym computed.  Each renders through :func:`fedsym.report.tex.render`.
"""

from __future__ import annotations

import math as _math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from fedsym.core.checkrow import CheckRow
from fedsym.core.latex import Latex, escape_text, math
from fedsym.report.tex import GENERATED_HEADER, Value, render

__all__ = ["Series", "Figure", "Step", "Section", "accuracy_parameters", "symbol_parameters"]

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.-]*")
_AXIS_MODES = ("normal", "log")

# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------

def _floats(values: Iterable[Any]) -> tuple[float, ...]:
    """Coordinates as a tuple of Python floats (accepts lists, numpy arrays, mpf)."""
    return tuple(float(v) for v in values)


@dataclass(frozen=True)
class Series:
    """One curve of a figure: points ``(xs[i], ys[i])`` computed by the caller.

    Parameters
    ----------
    label : str or Latex
        Legend entry; empty for a curve without one.
    xs, ys : sequence of float
        Coordinates, of equal length (converted to tuples of floats).
        Non-finite points are dropped when the figure is drawn.
    style : str
        Trusted pgfplots options appended to the defaults
        (``mark=none, thick``), e.g. ``"dashed, red"``.
    """

    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    style: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "xs", _floats(self.xs))
        object.__setattr__(self, "ys", _floats(self.ys))
        if len(self.xs) != len(self.ys):
            raise ValueError(
                f"series {self.label!r} has {len(self.xs)} x values but {len(self.ys)} y values"
            )

    def plottable(self, xmode: str = "normal", ymode: str = "normal") -> list[tuple[float, float]]:
        """The points that can be drawn: finite, and positive on a log axis."""
        return [
            (x, y) for x, y in zip(self.xs, self.ys)
            if _drawable(x, xmode) and _drawable(y, ymode)
        ]


def _drawable(value: float, mode: str) -> bool:
    """Whether a coordinate can be drawn on an axis of scale *mode*."""
    return _math.isfinite(value) and (mode != "log" or value > 0)


@dataclass(frozen=True)
class Figure:
    """A pgfplots axis with curves and labelled vertical lines.

    Parameters
    ----------
    title, xlabel, ylabel : str or Latex
        Plain text is escaped; use ``Latex(r"$m$")`` for math.
    series : tuple of Series
        The curves, drawn in order.
    xmode, ymode : {"normal", "log"}
        Axis scales.  On a log axis non-positive points are dropped.
    vertical_lines : tuple of (float, str or Latex)
        Dashed vertical lines at ``x`` with a label (e.g. a threshold).
    caption : str or Latex
        Figure caption; empty for none.
    xlimits : (float, float) or None
        Range of the x axis (``xmin``, ``xmax``); by default pgfplots fits
        the drawn points, e.g. a curve that ends at a threshold.
    """

    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    xmode: str = "normal"
    ymode: str = "normal"
    vertical_lines: tuple[tuple[float, str], ...] = ()
    caption: str = ""
    xlimits: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        for axis, mode in (("xmode", self.xmode), ("ymode", self.ymode)):
            if mode not in _AXIS_MODES:
                raise ValueError(f"figure {self.title!r}: {axis} must be one of {_AXIS_MODES}, got {mode!r}")
        object.__setattr__(self, "series", tuple(self.series))
        object.__setattr__(
            self, "vertical_lines", tuple((float(x), text) for x, text in self.vertical_lines)
        )
        if self.xlimits is not None:
            low, high = (float(x) for x in self.xlimits)
            if not (_drawable(low, self.xmode) and _drawable(high, self.xmode) and low < high):
                raise ValueError(f"figure {self.title!r}: xlimits {self.xlimits!r} must be two increasing "
                                 f"finite values (positive on a log axis)")
            object.__setattr__(self, "xlimits", (low, high))

    def to_latex(self, label: str = "") -> Latex:
        """The ``figure`` environment, with ``\\label{label}`` if *label* is given.

        Raises
        ------
        ValueError
            If *label* is not a plain identifier, or no point of any series
            can be drawn.
        """
        if label and not _LABEL.fullmatch(label):
            raise ValueError(f"figure label {label!r} must match {_LABEL.pattern}")
        plots = []
        for one in self.series:
            points = one.plottable(self.xmode, self.ymode)
            if points:
                options = ["mark=none", "thick", *([] if one.label else ["forget plot"]), one.style]
                plots.append((Latex(", ".join(o for o in options if o)), points, one.label))
        if not plots:
            raise ValueError(f"figure {self.title!r} has no finite point to draw")
        lines = [(x, text) for x, text in self.vertical_lines if _drawable(x, self.xmode)]
        return render("figure.tex", figure=self, plots=plots, vertical_lines=lines,
                       label=Latex(label))


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One step of a derivation: a label and a displayed formula.

    ``math`` is trusted LaTeX (:class:`~fedsym.core.latex.Latex`) or a sympy
    expression, converted with :func:`fedsym.core.latex.math`.
    """

    label: str
    math: Latex

    def __post_init__(self) -> None:
        object.__setattr__(self, "math", math(self.math))


def _pairs(items: Iterable[Sequence[Any]]) -> tuple[tuple[Any, Any], ...]:
    """``(name, value)`` rows as a tuple of 2-tuples."""
    return tuple((name, value) for name, value in items)


def symbol_parameters(values: Mapping[str, Any]) -> tuple[tuple[Latex, Any], ...]:
    """Rows of a parameter table, each name shown as the model's symbol (``a_opt`` as :math:`a_{opt}`)."""
    return tuple((Latex(f"${math(sp.Symbol(name, positive=True))}$"), value) for name, value in values.items())


def accuracy_parameters(label: str, expr: sp.Expr, values: Mapping[str, Any]) -> tuple[tuple[Latex, Any], ...]:
    """Rows of a parameter table for an accuracy function: ``label: formula``, then :func:`symbol_parameters`.

    *expr* is the expression the code evaluates (e.g. ``function.expr``), so the
    displayed formula is never typed by hand.
    """
    return ((Latex("accuracy"), Latex(f"{escape_text(label)}: ${math(expr)}$")), *symbol_parameters(values))


@dataclass(frozen=True)
class Section:
    """One worked example: everything its report section shows.

    Parameters
    ----------
    key : str
        File name and label stem, ``[A-Za-z0-9][A-Za-z0-9_-]*`` and not ``main``.
    title : str
        Section title.
    source : str
        Where the example comes from, e.g. ``"Example 2.4"``.
    statement : Latex
        The problem, as a paragraph (plain text is escaped).
    parameters : tuple of (name, value)
        Inputs; a value is text, Latex, a number or a sympy expression.
    steps : tuple of Step
        Derivation steps (utility, first-order condition, solution, ...).
    closed_forms : tuple of (label, Latex or sympy expression)
        Results, shown as numbered equations.
    values : tuple of (name, value)
        Numeric values of the results.
    checks : tuple of CheckRow
        Closed form against independent numerics.
    figures : tuple of Figure
        Figures, labelled ``fig:<key>:<n>``.
    notes : tuple of str
        Remarks, one paragraph each.
    """

    key: str
    title: str
    source: str
    statement: Latex
    parameters: tuple[tuple[str, Value], ...] = ()
    steps: tuple[Step, ...] = ()
    closed_forms: tuple[tuple[str, Latex], ...] = ()
    values: tuple[tuple[str, Value], ...] = ()
    checks: tuple[CheckRow, ...] = ()
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key) or self.key == "main":
            raise ValueError(f"section key {self.key!r} must match {_KEY.pattern} and not be 'main'")
        object.__setattr__(self, "parameters", _pairs(self.parameters))
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(
            self, "closed_forms", tuple((label, math(f)) for label, f in self.closed_forms)
        )
        object.__setattr__(self, "values", _pairs(self.values))
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "figures", tuple(self.figures))
        object.__setattr__(self, "notes", tuple(self.notes))

    def to_latex(self) -> Latex:
        """The section as a ``.tex`` fragment to ``\\input`` (packages: :func:`preamble`)."""
        figures = [f.to_latex(f"fig:{self.key}:{n}") for n, f in enumerate(self.figures, 1)]
        return render("section.tex", section=self, header=GENERATED_HEADER,
                       label=Latex(f"sec:{self.key}"), figures=figures)

    def _repr_latex_(self) -> str:
        """Jupyter display: the title, derivation steps and closed forms as one display.

        Notebook front ends render LaTeX with MathJax, which typesets math but
        not sections, tables or pgfplots, so only the formulas are shown;
        :meth:`to_latex` gives the full fragment.
        """
        rows = [rf"&\textbf{{{escape_text(self.title)}}}"]
        formulas = [*((s.label, s.math) for s in self.steps), *self.closed_forms]
        rows += [rf"\text{{{escape_text(label)}}} &\quad {formula}" for label, formula in formulas]
        return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"
