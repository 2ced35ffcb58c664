"""Options and output shared by the subcommands: ``--accuracy``, ``--param``, ``--json``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from fedsym.core.errors import ParameterError

if TYPE_CHECKING:
    from fedsym.model.accuracy import BoundAccuracy

__all__ = ["add_accuracy_arguments", "add_output_arguments", "bound_accuracy", "parse_params", "print_json",
           "print_machine_readable", "print_table"]


def add_accuracy_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--accuracy A`` and repeatable ``--param NAME=VALUE``."""
    parser.add_argument("--accuracy", required=required, metavar="A",
                        help="simplified, generalization-bound, power-law, or an expression in m "
                        "(numbers, names, + - * / **, sqrt log ln exp atan tanh erf Abs Min Max, pi E)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="value of a parameter of the accuracy function (repeatable)")


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``--json`` (keys as in DESIGN.md) and ``--latex``."""
    parser.add_argument("--json", action="store_true", help="print JSON (keys as in DESIGN.md)")
    parser.add_argument("--latex", action="store_true", help="print the result as LaTeX")


def print_machine_readable(result: Any, args: argparse.Namespace) -> bool:
    """Print *result* as JSON or LaTeX when ``--json``/``--latex`` asks for it; True if printed."""
    if args.json:
        print_json(result.to_dict())
    elif args.latex:
        print(result.to_latex())
    return bool(args.json or args.latex)


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """``["k=1", "a_opt=0.95"]`` to a dict; a malformed or repeated item is an error naming it."""
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier() or not value:
            raise ParameterError(f"--param {item!r}: expected NAME=VALUE, e.g. --param k=1")
        if name in params:
            raise ParameterError(f"--param {name} is given twice")
        params[name] = value
    return params


def bound_accuracy(args: argparse.Namespace) -> BoundAccuracy:
    """The accuracy function of ``--accuracy`` bound to the ``--param`` values."""
    from fedsym.model.accuracy import accuracy_function  # imported on use: ``fedsym --help`` stays light

    return accuracy_function(args.accuracy).bind(parse_params(args.param))


def print_json(data: Any) -> None:
    """JSON with floats only (``allow_nan=False``: a NaN is a bug, never output)."""
    print(json.dumps(data, indent=2, allow_nan=False))


def print_table(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> None:
    """A plain aligned text table."""
    body = [[str(cell) for cell in row] for row in rows]
    if header is not None:
        body.insert(0, list(header))
    widths = [max(len(row[i]) for row in body) for i in range(len(body[0]))] if body else []
    for j, row in enumerate(body):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if header is not None and j == 0:
            print("  ".join("-" * w for w in widths))
