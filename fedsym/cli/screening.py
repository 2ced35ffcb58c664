"""Unknown costs, two types (App. B): the screening menu for one agent facing others' data."""

from __future__ import annotations

import argparse

from .common import add_accuracy_arguments, add_output_arguments, bound_accuracy, print_machine_readable, print_table

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accuracy_arguments(parser)
    parser.add_argument("--c-low", required=True, metavar="CL", help="marginal cost of the low type (> 0)")
    parser.add_argument("--c-high", required=True, metavar="CH", help="marginal cost of the high type (> CL)")
    parser.add_argument("--p", required=True, metavar="P", help="prior probability of the low type, in (0, 1)")
    parser.add_argument("--others", required=True, metavar="M", help="data contributed by the other agents (>= 0)")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import mpmath as mp

    from fedsym.paper.screening.result import screen

    result = screen(bound_accuracy(args), args.c_low, args.c_high, args.p, args.others)
    if print_machine_readable(result, args):
        return 0
    menu = result.menu
    print(f"accuracy {result.accuracy}, c_low {args.c_low}, c_high {args.c_high}, p {args.p}, "
          f"others {args.others}: regime {result.regime}{' (pooling)' if menu.pooling else ''}")
    print_table(((name, mp.nstr(value, 12)) for name, value in menu.values().items()), ("quantity", "value"))
    status = "verified" if result.verified else "NOT verified"
    print(f"best responses on the Eq. (14) curve: {status} (max gain from deviating {result.max_deviation_gain:.3g})")
    return 0
