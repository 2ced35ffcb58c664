"""Run a study file (TOML): accuracy (given or fitted), population and questions, written up as a report section.

``fedsym study FILE.toml --out DIR`` writes ``DIR/LABEL.tex`` (the section),
``DIR/LABEL-appendix.tex`` (its verification), ``DIR/LABEL.json`` (every number)
and ``fedsym.sty``; ``--pdf`` also compiles a small host document around them.
The schema is on the documentation's study page.  Every input error names the
key and its line in the file (exit status 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import print_json

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.toml", help="the study file")
    parser.add_argument("--out", default="study", metavar="DIR", help="output folder (default: study)")
    parser.add_argument("--pdf", action="store_true", help="also compile LABEL-host.tex to PDF (needs TeX)")
    parser.add_argument("--json", action="store_true", help="print every number as JSON (as DIR/LABEL.json)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files in DIR that fedsym did not write (refused by default)")


def run(args: argparse.Namespace) -> int:
    from fedsym.report.study import answer, read_study, write_study  # sympy and scipy: imported on use

    answers = answer(read_study(args.file))
    written = write_study(answers, Path(args.out), pdf=args.pdf, force=args.force)
    if args.json:
        print_json(answers.to_dict())
        return 0
    for path in (written.section, written.appendix, written.numbers, written.pdf):
        if path is not None:
            print(path)
    return 0
