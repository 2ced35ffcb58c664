"""fedsym.report.plot: a report Figure drawn with matplotlib shows the figure's own data (issue 20: notebook figures).

The expectations are the Figure's inputs, written here: the drawn lines must
carry exactly the points the report's pgfplots would draw (finite, positive on
a log axis), in order, with the axis scales, limits and vertical lines asked for.
"""

from __future__ import annotations

import math

import pytest

from fedsym.core import Latex
from fedsym.core.errors import InputError
from fedsym.report import Figure, Series, draw, section_figures
from fedsym.report.plot import mathtext_label

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

pytestmark = pytest.mark.timeout(60)


def _figure(**overrides: object) -> Figure:
    options: dict[str, object] = dict(
        title="A test figure", xlabel=Latex(r"data $m$"), ylabel="accuracy",
        series=(Series(Latex(r"accuracy $a(m)$"), [1.0, 2.0, 3.0, 4.0], [0.1, math.nan, 0.3, -0.5], style="blue"),
                Series("", [1.0, 4.0], [0.0, 0.0], style="gray, dotted")),
        vertical_lines=((2.5, Latex(r"$m^*$")),))
    options.update(overrides)
    return Figure(**options)  # type: ignore[arg-type]


def test_draw_shows_exactly_the_points_the_report_would_draw() -> None:
    ax = draw(_figure())
    lines = [line for line in ax.get_lines() if line.get_linestyle() != "--"]  # the vertical line is dashed
    assert [list(line.get_xdata()) for line in lines] == [[1.0, 3.0, 4.0], [1.0, 4.0]]  # the NaN point dropped
    assert [list(line.get_ydata()) for line in lines] == [[0.1, 0.3, -0.5], [0.0, 0.0]]
    assert lines[0].get_color() == "blue" and lines[1].get_linestyle() == ":"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [r"accuracy $a(m)$"]  # unlabelled: no entry
    vertical = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(vertical) == 1 and list(vertical[0].get_xdata()) == [2.5, 2.5]
    matplotlib.pyplot.close("all")


def test_draw_on_log_axes_drops_non_positive_points_and_keeps_limits() -> None:
    ax = draw(_figure(ymode="log", xmode="log", xlimits=(0.5, 8.0), number="4(a)"))
    first = ax.get_lines()[0]
    assert list(first.get_ydata()) == [0.1, 0.3]  # -0.5 cannot be drawn on a log axis
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert tuple(ax.get_xlim()) == (0.5, 8.0)
    assert ax.get_title().startswith("Figure 4(a): ")
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize(("label", "expected"), [
    (r"Eq.~(13), $c_i = 0.002$", r"Eq. (13), $c_i = 0.002$"),
    (r"$\text{gain}$", r"$\mathrm{gain}$"),
    (r"$\notamacro{x}$", "x"),  # mathtext cannot parse it: plain text, not an error at drawing time
])
def test_labels_become_mathtext_or_plain_text(label: str, expected: str) -> None:
    assert mathtext_label(label) == expected


def test_section_figures_of_a_shipped_derivation_and_an_unknown_key() -> None:
    figures = section_figures("s24_figure2_generalization_bound")
    assert [f.number for f in figures] == ["2"]
    with pytest.raises(InputError, match="no derivation 'nope'.*s24_figure2"):
        section_figures("nope")
