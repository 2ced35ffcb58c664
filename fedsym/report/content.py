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
from fedsym.report.tex import GENERATED_HEADER, Value, paper_references, render

__all__ = ["Series", "Figure", "Step", "Section", "accuracy_parameters", "symbol_parameters",
           "verification_latex", "RESERVED_KEYS"]

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.-]*")
_AXIS_MODES = ("normal", "log")

#: keys of the generated files that are not sections
RESERVED_KEYS = ("main", "verification")
#: "Figure 4(a): ..." at the start of a title: the paper's figure number
_PAPER_FIGURE = re.compile(r"(?:the paper's\s+)?Fig(?:ure|\.)\s*([0-9]+(?:\([a-z]\))?)\s*[:.,-]?\s*", re.IGNORECASE)
#: visible characters of the two longest legend entries side by side that still fit a column of a two-column
#: paper (IEEEtran, acmart) in the legend's footnotesize; longer entries are stacked in one legend column
LEGEND_ROW_CHARACTERS = 48
#: LaTeX markup that prints nothing in a legend entry: commands, braces, math shifts, sub/superscript marks
_MARKUP = re.compile(r"\\[A-Za-z]+|[{}$_^~]")
#: what fedsym.sty adds around a reference to the paper's equation by default: "[KGJ22, " and "]"
_CITE_CHARACTERS = len("[KGJ22, ]")
#: a figure or equation number of the paper: 4, 4(a), B.1, 13a
_NUMBER = re.compile(r"[A-Z]?[0-9.]*[0-9][a-z]?(?:\([a-z]\))?")

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


def _legend_columns(labels: Sequence[str]) -> int:
    """Columns of a legend: two unless its two longest entries side by side exceed :data:`LEGEND_ROW_CHARACTERS`."""
    marked = [paper_references(str(label)) for label in labels]
    widths = sorted((len(_MARKUP.sub("", text)) + _CITE_CHARACTERS * text.count(r"\fedsympaperref")
                     for text in marked), reverse=True)
    return 1 if sum(widths[:2]) > LEGEND_ROW_CHARACTERS else 2


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
    xlimits, ylimits : (float, float) or None
        Range of an axis (``xmin``, ``xmax``); by default pgfplots fits the
        drawn points exactly, e.g. a curve that ends at a threshold.  Start an
        axis at 0 where the quantity does.
    number : str
        The paper's number of this figure, e.g. ``"4(a)"``: the caption reads
        "Figure 4(a)" and no second number appears.  Empty for a figure the
        paper does not have, numbered R1, R2, ... (``fedsym.sty``).  A title
        that starts with "Figure 4(a):" gives its number when this is empty.
    points : tuple of (x, y, label, anchor)
        Marked points with a label placed at a TikZ anchor (``"above left"``).
    axis_options : str
        Trusted pgfplots axis options appended to the defaults, e.g.
        ``"legend pos=south east"``.

    The title is the caption's first sentence; the plot itself carries no
    title, so the figure has one number and one heading.
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
    number: str = ""
    ylimits: tuple[float, float] | None = None
    points: tuple[tuple[float, float, str, str], ...] = ()
    axis_options: str = ""

    def __post_init__(self) -> None:
        numbered = _PAPER_FIGURE.match(self.title)
        if numbered and not self.number:
            title = self.title[numbered.end():]
            object.__setattr__(self, "number", numbered.group(1))
            object.__setattr__(self, "title", Latex(title) if isinstance(self.title, Latex) else title)
        if self.number and not _NUMBER.fullmatch(self.number):
            raise ValueError(f"figure {self.title!r}: number {self.number!r} must match {_NUMBER.pattern}")
        object.__setattr__(self, "axis_options", Latex(self.axis_options))  # trusted, like a Series style
        object.__setattr__(self, "points", tuple((float(x), float(y), text, Latex(anchor))
                                                 for x, y, text, anchor in self.points))
        for axis, mode in (("xmode", self.xmode), ("ymode", self.ymode)):
            if mode not in _AXIS_MODES:
                raise ValueError(f"figure {self.title!r}: {axis} must be one of {_AXIS_MODES}, got {mode!r}")
        object.__setattr__(self, "series", tuple(self.series))
        object.__setattr__(
            self, "vertical_lines", tuple((float(x), text) for x, text in self.vertical_lines)
        )
        for name, mode in (("xlimits", self.xmode), ("ylimits", self.ymode)):
            limits = getattr(self, name)
            if limits is not None:
                low, high = (float(x) for x in limits)
                if not (_drawable(low, mode) and _drawable(high, mode) and low < high):
                    raise ValueError(f"figure {self.title!r}: {name} {limits!r} must be two increasing "
                                     f"finite values (positive on a log axis)")
                object.__setattr__(self, name, (low, high))

    def caption_latex(self) -> Latex:
        """The caption: the title as its first sentence, then the caption text (both escaped unless Latex)."""
        title = escape_text(self.title).strip().rstrip(".")
        title = title[:1].upper() + title[1:]
        text = escape_text(self.caption).strip()
        return Latex(f"{title}. {text}" if title and text else title or text)

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
        # a y inside the drawn range for the vertical lines' axis coordinate (a far one overflows TeX's dimensions)
        anchor_y = plots[0][1][0][1]
        return render("figure.tex", figure=self, plots=plots, vertical_lines=lines, anchor_y=anchor_y,
                       label=Latex(label), caption=self.caption_latex(), description=self.title,
                       legend_columns=_legend_columns([legend for _, _, legend in plots if legend]))


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


def _closed_form(label: str, formula: Any, number: str = "") -> tuple[str, Latex, str]:
    """A closed form as ``(label, math, paper's number or "")``."""
    if number and not _NUMBER.fullmatch(number):
        raise ValueError(f"closed form {label!r}: number {number!r} must match {_NUMBER.pattern}")
    return (label, math(formula), number)


def _lead_in(label: str, number: str) -> Latex:
    """A closed form's lead-in, with ``\\fedsymcf{Eq.~(13)}`` before its closing colon if the paper numbers it.

    ``fedsym.sty`` prints "(cf. [KGJ22, Eq. (13)])" there when the host numbers the equation, nothing when
    the fragment keeps the paper's numbers.
    """
    text = escape_text(label).rstrip()
    if not number:
        return Latex(text)
    colon = ":" if text.endswith(":") else ""
    return Latex(rf"{text[:len(text) - len(colon)]}\fedsymcf{{Eq.~({number})}}{colon}")


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
    parameters : tuple of tuple
        Inputs as ``(name, value)`` pairs; a value is text, Latex, a number or a sympy expression.
    steps : tuple of Step
        Derivation steps (utility, first-order condition, solution, ...).
    closed_forms : tuple of (label, Latex or sympy expression[, number])
        Results, shown as numbered equations: with the paper's number when a
        third item gives it (``"13"`` is typeset ``\\tag{13}``), else with
        the report's own number (R1, R2, ..., from ``fedsym.sty``), so no
        number means two things.
    values : tuple of tuple
        Numeric values of the results, as ``(name, value)`` pairs.
    checks : tuple of CheckRow
        Closed form against independent numerics; typeset in the verification
        appendix (:func:`verification_latex`), the section says how many pass.
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
    closed_forms: tuple[tuple[str, Latex] | tuple[str, Latex, str], ...] = ()
    values: tuple[tuple[str, Value], ...] = ()
    checks: tuple[CheckRow, ...] = ()
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key) or self.key in RESERVED_KEYS:
            raise ValueError(f"section key {self.key!r} must match {_KEY.pattern} and not be one of "
                             f"{RESERVED_KEYS}")
        object.__setattr__(self, "parameters", _pairs(self.parameters))
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "closed_forms", tuple(_closed_form(*item) for item in self.closed_forms))
        object.__setattr__(self, "values", _pairs(self.values))
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "figures", tuple(self.figures))
        object.__setattr__(self, "notes", tuple(self.notes))

    def to_latex(self) -> Latex:
        """The section as a ``.tex`` fragment to ``\\input`` after ``\\usepackage{fedsym}``."""
        figures = [f.to_latex(f"fig:{self.key}:{n}") for n, f in enumerate(self.figures, 1)]
        failed = sum(1 for row in self.checks if not row.passed)
        normalized = (_closed_form(*item) for item in self.closed_forms)  # already normal: typed as such
        closed_forms = [(_lead_in(name, number), formula, number) for name, formula, number in normalized]
        return render("section.tex", section=self, header=GENERATED_HEADER, closed_forms=closed_forms,
                       label=Latex(f"sec:{self.key}"), figures=figures, failed=failed)

    def check_groups(self) -> list[tuple[CheckRow, list[CheckRow]]]:
        """The check rows grouped by quantity, source, method and tolerance, in first-seen order."""
        groups: dict[tuple[str, str, str, str], list[CheckRow]] = {}
        for row in self.checks:
            key = (row.quantity_math, row.source, row.method, str(row.tolerance))
            groups.setdefault(key, []).append(row)
        return [(rows[0], rows) for rows in groups.values()]

    def _repr_latex_(self) -> str:
        """Jupyter display: the title, derivation steps and closed forms as one display.

        Notebook front ends render LaTeX with MathJax, which typesets math but
        not sections, tables or pgfplots, so only the formulas are shown;
        :meth:`to_latex` gives the full fragment.
        """
        rows = [rf"&\textbf{{{escape_text(self.title)}}}"]
        formulas = [*((s.label, s.math) for s in self.steps), *self.closed_forms]
        rows += [rf"\text{{{escape_text(label)}}} &\quad {formula}" for label, formula, *_ in formulas]
        return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"


def verification_latex(sections: Sequence[Section]) -> Latex:
    """The verification appendix: every section's closed-form-vs-numerics rows, typeset as math.

    One table per quantity (its source, the independent method and the
    tolerance in the heading), one row per point; a section without checks
    is left out.
    """
    return render("verification.tex", header=GENERATED_HEADER,
                  sections=[s for s in sections if s.checks])
