"""Compile a report to PDF with ``latexmk`` (or ``pdflatex``) where TeX is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fedsym.core.errors import FedsymError

__all__ = ["TexError", "compile_pdf"]

_INSTALL_HINT = (
    "no TeX installation found (install texlive-latex-base "
    "texlive-latex-recommended texlive-pictures latexmk lmodern)"
)


class TexError(FedsymError):
    """The report could not be compiled to PDF (no TeX, or a LaTeX error)."""


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------

def _tex_commands(tex_file: Path) -> list[list[str]]:
    """``latexmk -pdf``, or else ``pdflatex`` twice (for the table of contents)."""
    flags = ["-interaction=nonstopmode", "-halt-on-error"]
    latexmk, pdflatex = shutil.which("latexmk"), shutil.which("pdflatex")
    if latexmk:
        return [[latexmk, "-pdf", *flags, tex_file.name]]
    if pdflatex:
        return [[pdflatex, *flags, tex_file.name]] * 2
    raise TexError(_INSTALL_HINT)


def _failure(tex_file: Path, command: list[str], done: subprocess.CompletedProcess[str]) -> str:
    """One line naming the log file and LaTeX's first ``!`` error."""
    log = tex_file.with_suffix(".log")
    if log.exists():
        text = log.read_text(encoding="utf-8", errors="replace")
        error = next((line for line in text.splitlines() if line.startswith("!")), None)
        if error is not None:
            return f"LaTeX failed on {tex_file}: {error} (see {log})"
    output = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    last = output[-1].strip() if output else "no output"
    return (f"{Path(command[0]).name} failed on {tex_file} with status {done.returncode}: "
            f"{last} (see {log})")


def compile_pdf(tex_file: Path) -> Path:
    """Compile a LaTeX file to PDF in its own directory.

    Uses ``latexmk -pdf -interaction=nonstopmode -halt-on-error``, or runs
    ``pdflatex`` twice when latexmk is missing.

    Parameters
    ----------
    tex_file : Path
        The document, e.g. ``reports/main.tex``.

    Returns
    -------
    Path
        The PDF next to *tex_file*.

    Raises
    ------
    TexError
        If neither latexmk nor pdflatex is installed, or LaTeX stops on an
        error (the message names the log file and the first ``!`` line).
    """
    tex_file = Path(tex_file).resolve()
    for command in _tex_commands(tex_file):
        done = subprocess.run(command, cwd=tex_file.parent, capture_output=True,
                              text=True, errors="replace", stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise TexError(_failure(tex_file, command, done))
    return tex_file.with_suffix(".pdf")
