"""Compare every closed form with independent high-precision numerics; exit 1 on a mismatch.

The table groups rows by parameter point and fits in 100 columns; ``--json``
has every detail (the reference method, both values in full).  Progress (one
line per checked module) goes to standard error.
"""

from __future__ import annotations

import argparse

from .common import print_json, print_table, progress_to_stderr

__all__ = ["add_arguments", "run", "WIDTH"]

#: widest line of the text table
WIDTH = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print every row in full as JSON")


def run(args: argparse.Namespace) -> int:
    import mpmath as mp

    from fedsym.check import run_checks

    rows = run_checks(progress=progress_to_stderr("check"))
    failed = [row for row in rows if not row.passed]
    if args.json:
        print_json({"passed": not failed, "rows": [row.to_dict() for row in rows]})
        return 1 if failed else 0
    table: list[tuple[str, ...] | str] = []
    for number, row in enumerate(rows):
        if number == 0 or row.point != rows[number - 1].point:
            table.append(f"at {row.point}:")
        table.append(("ok" if row.passed else "MISMATCH", row.quantity, mp.nstr(row.closed_form, 10),
                      mp.nstr(row.error, 2), mp.nstr(row.tolerance, 2), row.source))
    print_table(table, ("result", "quantity", "value", "rel.err", "tol", "source"), max_width=WIDTH,
                limits=(None, 28, None, None, None, None))
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed (closed form vs independent numerics; "
          "--json for the reference values)")
    return 1 if failed else 0
