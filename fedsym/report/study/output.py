"""Write a study: the section, its verification appendix, every number as JSON, and optionally a PDF.

Files in the output folder, named by the presentation's label ``L``:
``L.tex`` (the section, to ``\\input`` after ``\\usepackage{fedsym}``),
``L-appendix.tex`` (its check rows, :func:`~fedsym.report.content.verification_latex`),
``L.json`` (:meth:`~fedsym.report.study.answers.Answers.to_dict`), ``fedsym.sty``,
and with ``pdf`` a small host document ``L-host.tex`` (the report's ``main.tex``
template, two columns when the study asks for them) compiled to ``L-host.pdf``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fedsym.core.errors import ComputationError, InputFileError
from fedsym.core.latex import Latex
from fedsym.report.content import verification_latex
from fedsym.report.pdf import compile_pdf
from fedsym.report.runner import prepare_output, refuse_foreign
from fedsym.report.tex import GENERATED_HEADER, STYLE_FILE, preamble, render

from .answers import Answers
from .section import study_section

__all__ = ["StudyOutput", "write_study"]

#: the document class line of the report's main.tex, and its two-column form
_ONE_COLUMN = r"\documentclass[11pt]{article}"
_TWO_COLUMNS = r"\documentclass[11pt,twocolumn]{article}"


@dataclass(frozen=True)
class StudyOutput:
    """What :func:`write_study` wrote."""

    section: Path
    appendix: Path | None
    numbers: Path
    pdf: Path | None

    def to_dict(self) -> dict[str, Any]:
        return {"section": str(self.section), "appendix": None if self.appendix is None else str(self.appendix),
                "json": str(self.numbers), "pdf": None if self.pdf is None else str(self.pdf)}


def _write(path: Path, text: str) -> Path:
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8", newline="\n")
    return path


def _refuse_foreign_numbers(path: Path, force: bool) -> None:
    """Refuse to overwrite a JSON file that is not a study's numbers (an object with ``study`` and ``checks``)."""
    if force or not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ours = isinstance(data, dict) and {"study", "checks"} <= set(data)
    except (ValueError, UnicodeDecodeError, OSError):
        ours = False
    if not ours:
        raise InputFileError(f"{path}: exists and was not written by fedsym study; "
                             "choose another output folder or pass --force to overwrite it")


def write_study(answers: Answers, out_dir: Path, pdf: bool = False, force: bool = False) -> StudyOutput:
    """Write the study's files to *out_dir* (created if needed); with *pdf* compile the host document.

    A file of the same name that fedsym did not write is not overwritten unless *force*.

    Raises
    ------
    InputFileError
        If *out_dir* is not a writable folder, or a file there would be overwritten that fedsym did not write.
    TexError
        If *pdf* and TeX is missing or fails.
    """
    out_dir = prepare_output(out_dir)
    label = answers.study.presentation.label
    refuse_foreign([out_dir / f"{label}{suffix}.tex" for suffix in ("", "-appendix", "-host")]
                   + [out_dir / STYLE_FILE.name], force)
    _refuse_foreign_numbers(out_dir / f"{label}.json", force)
    section = study_section(answers)
    try:
        numbers = json.dumps(answers.to_dict(), indent=2, allow_nan=False)
    except ValueError as error:
        raise ComputationError(f"study {label}: a number is not finite, which JSON cannot hold ({error})") from None
    section_path = _write(out_dir / f"{label}.tex", section.to_latex())
    appendix = _write(out_dir / f"{label}-appendix.tex", verification_latex([section])) if section.checks else None
    numbers_path = _write(out_dir / f"{label}.json", numbers)
    _write(out_dir / STYLE_FILE.name, STYLE_FILE.read_text(encoding="utf-8"))
    compiled = None
    if pdf:
        inputs = [Latex(label), *([Latex(f"{label}-appendix")] if appendix is not None else [])]
        host = render("main.tex", header=GENERATED_HEADER, preamble=preamble(), title=answers.study.presentation.title,
                      author="", date="", inputs=inputs, verification=False)
        if answers.study.presentation.columns == 2:
            host = Latex(host.replace(_ONE_COLUMN, _TWO_COLUMNS, 1))
        compiled = compile_pdf(_write(out_dir / f"{label}-host.tex", host))
    return StudyOutput(section_path, appendix, numbers_path, compiled)
