"""Regenerate the worked examples: one LaTeX section per derivation file, a master document, optionally the PDF.

Derivation files are Python code and are run as such: only point
``--derivations`` at files you trust.  Progress (one line per file) goes to
standard error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fedsym.core.errors import InputFileError

from .common import progress_to_stderr

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--derivations", action="append", default=[], metavar="DIR",
                        help="folder of your own derivation files, run with the paper's; a file named like one "
                             "of the paper's replaces it (repeatable). Each *.py file in it is RUN as Python "
                             "code, so use only files you trust")
    parser.add_argument("--no-shipped", action="store_true",
                        help="run only the --derivations folders, not the paper's derivations that ship with fedsym")
    parser.add_argument("--out", default="reports", metavar="DIR", help="output folder, created if missing (default: reports)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files in --out that fedsym did not write (refused otherwise)")
    parser.add_argument("--pdf", action="store_true", help="also compile main.tex with latexmk/pdflatex")
    parser.add_argument("--author", default="", help="author on the title page (default: none)")
    parser.add_argument("--date", default="", help="date on the title page (default: none, so the output "
                                                   "stays byte-reproducible)")


def run(args: argparse.Namespace) -> int:
    from fedsym.report import run_report, shipped_derivations

    folders = [Path(d) for d in args.derivations]
    for folder, text in zip(folders, args.derivations):
        if not folder.is_dir():
            raise InputFileError(f"--derivations {text}: no such folder")
    if args.no_shipped:
        if not folders:
            raise InputFileError("--no-shipped needs at least one --derivations DIR")
    else:
        folders.insert(0, shipped_derivations())
    result = run_report(folders, Path(args.out), pdf=args.pdf, author=args.author, date=args.date,
                        progress=progress_to_stderr("report"), force=args.force)
    print(f"wrote {result.main} with {len(result.sections)} section(s)")
    if result.pdf is not None:
        print(f"compiled {result.pdf}")
    return 0
