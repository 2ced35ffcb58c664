r"""The report's figures drawn with matplotlib: for notebooks and the documentation's gallery.

A :class:`~fedsym.report.content.Figure` is data (curves, vertical lines,
marked points, axis scales) that the report typesets with pgfplots; :func:`draw`
draws the same data on a matplotlib axis, so a notebook shows the figure the
report prints without TeX.  :func:`section_figures` runs one derivation file of
the report (``derivations/<key>.py``, shipped with the package) and returns its
figures.  matplotlib is an optional extra (``pip install 'fedsym[plot]'``),
imported when a figure is drawn.

Labels are the report's LaTeX: math (``$...$``) goes to matplotlib's mathtext
with ``\text`` read as ``\mathrm``; a label mathtext cannot parse is shown as
plain text instead of failing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fedsym.core.errors import InputError
from fedsym.report.content import Figure, Series
from fedsym.report.runner import derivation_files, load_sections, shipped_derivations

if TYPE_CHECKING:  # matplotlib is optional: only its types are needed here
    from matplotlib.axes import Axes

__all__ = ["draw", "section_figures", "mathtext_label"]

#: pgfplots colour names of the derivations' styles, as matplotlib colours
_COLOURS = ("blue", "red", "black", "gray", "green", "orange", "violet", "brown", "teal", "magenta", "cyan")
#: pgfplots dash patterns, as matplotlib line styles (longest name first: "densely dashed" before "dashed")
_DASHES = (("densely dashed", (0, (3, 1))), ("loosely dashed", (0, (5, 5))), ("dashed", "--"),
           ("densely dotted", (0, (1, 1))), ("dotted", ":"), ("dashdotted", "-."))
_MARKS = {"*": "o", "o": "o", "x": "x", "+": "+", "square*": "s", "square": "s", "triangle*": "^"}
_TEXT_MACROS = re.compile(r"\\(?:text|textrm|operatorname)\{")


def _mathtext_ok(text: str) -> bool:
    """Whether matplotlib's mathtext parses every ``$...$`` of *text*."""
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    try:
        for math in re.findall(r"\$[^$]+\$", text):
            parser.parse(math)
    except ValueError:
        return False
    return True


def mathtext_label(text: Any) -> str:
    r"""A report label as matplotlib text: ``~`` becomes a space, ``\text{..}`` becomes ``\mathrm{..}``.

    A label whose math mathtext cannot parse loses its ``$`` and backslashes (readable, never an error).
    """
    label = _TEXT_MACROS.sub(r"\\mathrm{", str(text)).replace("~", " ")
    if _mathtext_ok(label):
        return label
    return re.sub(r"\\[A-Za-z]+|[${}]", "", label)


def _style(style: str) -> dict[str, Any]:
    """matplotlib keyword arguments for a series' pgfplots style (colour, dashes, marks)."""
    options = [part.strip() for part in style.split(",")]
    kwargs: dict[str, Any] = {"linewidth": 1.4}
    colour = next((c for c in options if c in _COLOURS), None)
    if colour is not None:
        kwargs["color"] = colour
    for name, dash in _DASHES:
        if name in options:
            kwargs["linestyle"] = dash
            break
    mark = next((o.split("=", 1)[1].strip() for o in options if o.startswith("mark=")), "none")
    if mark in _MARKS:
        kwargs["marker"] = _MARKS[mark]
        kwargs["markersize"] = 4
    if "only marks" in options:
        kwargs["linestyle"] = "none"
    return kwargs


def _plot_series(ax: Axes, series: Series, xmode: str, ymode: str) -> None:
    points = series.plottable(xmode, ymode)
    if not points:
        return
    xs, ys = zip(*points)
    label = mathtext_label(series.label) if str(series.label) else None
    ax.plot(xs, ys, label=label, **_style(str(series.style)))


def draw(figure: Figure, ax: Axes | None = None) -> Axes:
    """Draw *figure* (the report's data) on *ax* (a new figure's axis by default) and return the axis.

    The title is the report's: "Figure N: title" where the paper numbers the figure.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # the optional extra is missing
        raise InputError("drawing a figure needs matplotlib: pip install 'fedsym[plot]'") from exc
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.6))
    for series in figure.series:
        _plot_series(ax, series, figure.xmode, figure.ymode)
    for x, text in figure.vertical_lines:
        ax.axvline(x, color="gray", linestyle="--", linewidth=0.9)
        ax.annotate(mathtext_label(text), (x, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -12),
                    textcoords="offset points", fontsize=8, color="dimgray")
    for x, y, text, _anchor in figure.points:
        ax.plot([x], [y], marker="o", color="black", markersize=4)
        ax.annotate(mathtext_label(text), (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8)
    if figure.xmode == "log":
        ax.set_xscale("log")
    if figure.ymode == "log":
        ax.set_yscale("log")
    if figure.xlimits is not None:
        ax.set_xlim(*figure.xlimits)
    if figure.ylimits is not None:
        ax.set_ylim(*figure.ylimits)
    ax.set_xlabel(mathtext_label(figure.xlabel))
    ax.set_ylabel(mathtext_label(figure.ylabel))
    number = f"Figure {figure.number}: " if figure.number else ""
    ax.set_title(number + mathtext_label(figure.title), fontsize=10)
    if any(str(series.label) for series in figure.series):
        ax.legend(fontsize=8)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return ax


def section_figures(key: str, folder: Path | None = None) -> list[Figure]:
    """The figures of the report's derivation *key* (``"s24_figure2_generalization_bound"``), computed now.

    *folder* holds the derivation files (default: the paper's, shipped with fedsym).  An unknown key is an
    :class:`~fedsym.core.errors.InputError` that lists the known ones.
    """
    files = {path.stem: path for path in derivation_files([folder or shipped_derivations()])}
    if key not in files:
        raise InputError(f"no derivation {key!r} (known: {', '.join(sorted(files))})")
    return [figure for section in load_sections(files[key]) for figure in section.figures]
