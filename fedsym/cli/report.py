"""Regenerate the worked examples: one LaTeX section per derivation file, a master document, optionally the PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from fedsym.core.errors import InputFileError
from fedsym.report import run_report

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--derivations", default="derivations", metavar="DIR",
                        help="folder of derivation files (default: derivations)")
    parser.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    parser.add_argument("--pdf", action="store_true", help="also compile main.tex with latexmk/pdflatex")
    parser.add_argument("--author", default="", help="author on the title page (default: none)")
    parser.add_argument("--date", default="", help="date on the title page (default: none, so the output "
                                                   "stays byte-reproducible)")


def run(args: argparse.Namespace) -> int:
    derivations = Path(args.derivations)
    if not derivations.is_dir():
        raise InputFileError(f"--derivations {args.derivations}: no such folder")
    result = run_report(derivations, Path(args.out), pdf=args.pdf, author=args.author, date=args.date)
    print(f"wrote {result.main} with {len(result.sections)} section(s)")
    if result.pdf is not None:
        print(f"compiled {result.pdf}")
    return 0
