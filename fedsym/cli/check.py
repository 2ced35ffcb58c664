"""Compare every closed form with independent high-precision numerics; exit 1 on a mismatch."""

from __future__ import annotations

import argparse

from .common import print_json, print_table

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")


def run(args: argparse.Namespace) -> int:
    import mpmath as mp

    from fedsym.check import run_checks

    rows = run_checks()
    failed = [row for row in rows if not row.passed]
    if args.json:
        print_json({"passed": not failed, "rows": [row.to_dict() for row in rows]})
    else:
        print_table(((row.quantity, row.source, row.point, mp.nstr(row.closed_form, 15), mp.nstr(row.numeric, 15),
                      mp.nstr(row.error, 3), mp.nstr(row.tolerance, 2), "ok" if row.passed else "MISMATCH")
                     for row in rows),
                    ("quantity", "source", "point", "closed form", "numeric", "rel. error", "tol", ""))
        print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
