"""The report (outer ring): LaTeX sections, pgfplots figures and the master document.

- :mod:`~fedsym.report.tex`: the one escaping gate, templates and the packages they need;
- :mod:`~fedsym.report.content`: :class:`Section`, :class:`Step`, :class:`Figure`, :class:`Series`,
  what a ``derivations/*.py`` file's ``derive()`` returns;
- :mod:`~fedsym.report.runner`: :func:`run_report` runs the derivations (by default the paper's,
  :func:`shipped_derivations`) and writes the fragments;
- :mod:`~fedsym.report.pdf`: :func:`compile_pdf`;
- :mod:`~fedsym.report.plot`: :func:`draw` a figure with matplotlib (optional extra ``plot``),
  :func:`section_figures` of one derivation.
"""

from fedsym.report.content import Figure, Section, Series, Step, accuracy_parameters, symbol_parameters, verification_latex
from fedsym.report.pdf import TexError, compile_pdf
from fedsym.report.plot import draw, section_figures
from fedsym.report.runner import (
    DEFAULT_TITLE,
    ReportResult,
    derivation_files,
    load_sections,
    run_report,
    shipped_derivations,
)
from fedsym.report.tex import GENERATED_HEADER, STYLE_FILE, Package, number_latex, preamble, required_packages

__all__ = [
    "Series",
    "Figure",
    "Step",
    "Section",
    "Package",
    "ReportResult",
    "TexError",
    "required_packages",
    "preamble",
    "accuracy_parameters",
    "symbol_parameters",
    "verification_latex",
    "number_latex",
    "STYLE_FILE",
    "run_report",
    "shipped_derivations",
    "derivation_files",
    "compile_pdf",
    "GENERATED_HEADER",
    "DEFAULT_TITLE",
    "load_sections",
    "draw",
    "section_figures",
]
