"""Regenerate the worked examples: one LaTeX section per derivation file, a master document, optionally the PDF.

Derivation files are Python code and are run as such: only point
``--derivations`` at files you trust.  Progress (one line per file) goes to
standard error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fedsym.core.errors import InputFileError
from fedsym.report import run_report

from .common import progress_to_stderr

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--derivations", default="derivations", metavar="DIR",
                        help="folder of derivation files (default: derivations); each *.py file in it is RUN "
                             "as Python code, so use only files you trust")
    parser.add_argument("--out", default="reports", metavar="DIR",
                        help="output folder, created if missing (default: reports)")
    parser.add_argument("--pdf", action="store_true", help="also compile main.tex with latexmk/pdflatex")


def run(args: argparse.Namespace) -> int:
    derivations = Path(args.derivations)
    if not derivations.is_dir():
        raise InputFileError(f"--derivations {args.derivations}: no such folder")
    result = run_report(derivations, Path(args.out), pdf=args.pdf, progress=progress_to_stderr("report"))
    print(f"wrote {result.main} with {len(result.sections)} section(s)")
    if result.pdf is not None:
        print(f"compiled {result.pdf}")
    return 0
