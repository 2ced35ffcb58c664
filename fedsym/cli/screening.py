"""Unknown costs, two types (App. B): the screening menu for one agent facing others' data."""

from __future__ import annotations

import argparse

import mpmath as mp

from ..screening import screen
from .common import add_accuracy_arguments, bound_accuracy, print_json, print_table

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accuracy_arguments(parser)
    parser.add_argument("--c-low", required=True, metavar="CL", help="marginal cost of the low type (> 0)")
    parser.add_argument("--c-high", required=True, metavar="CH", help="marginal cost of the high type (> CL)")
    parser.add_argument("--p", required=True, metavar="P", help="prior probability of the low type, in (0, 1)")
    parser.add_argument("--others", required=True, metavar="M", help="data contributed by the other agents (>= 0)")
    parser.add_argument("--json", action="store_true", help="print JSON (keys as in DESIGN.md)")
    parser.add_argument("--latex", action="store_true", help="print the result as LaTeX")


def run(args: argparse.Namespace) -> int:
    result = screen(bound_accuracy(args), args.c_low, args.c_high, args.p, args.others)
    if args.json:
        print_json(result.to_dict())
        return 0
    if args.latex:
        print(result.to_latex())
        return 0
    menu = result.menu
    print(f"accuracy {result.accuracy}, c_low {args.c_low}, c_high {args.c_high}, p {args.p}, "
          f"others {args.others}: regime {result.regime}{' (pooling)' if menu.pooling else ''}")
    print_table(((name, mp.nstr(value, 12)) for name, value in menu.values().items()), ("quantity", "value"))
    status = "verified" if result.verified else "NOT verified"
    print(f"best responses on the Eq. (14) curve: {status} (max gain from deviating {result.max_deviation_gain:.3g})")
    return 0
