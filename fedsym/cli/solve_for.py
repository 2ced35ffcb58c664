"""Inverse questions (Model §12): the value of one parameter at which a quantity reaches a target."""

from __future__ import annotations

import argparse

from fedsym.core.errors import InputError

from .common import add_accuracy_arguments, add_output_arguments, bound_accuracy, print_machine_readable
from .statics import add_point_arguments, parse_at, quantity_name

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("parameter", metavar="P", help="the parameter to solve for (c, n, eps or a --param name)")
    parser.add_argument("--target", required=True, metavar="Q=VALUE", help="e.g. optimal_data=1000")
    add_accuracy_arguments(parser)
    add_point_arguments(parser)
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import mpmath as mp

    from fedsym.paper.inverse import solve_for

    name, sep, value = (part.strip() for part in args.target.partition("="))
    if not sep or not value:
        raise InputError(f"--target {args.target!r}: expected QUANTITY=VALUE, e.g. optimal_data=1000")
    result = solve_for(bound_accuracy(args), args.parameter, quantity_name(name), value, at=parse_at(args.at))
    if print_machine_readable(result, args):
        return 0
    print(f"{result.parameter} = {mp.nstr(result.value, 12)}: {result.quantity} = {mp.nstr(result.reached, 12)} "
          f"(regime {result.regime})")
    print(f"bracket [{mp.nstr(result.bracket[0], 8)}, {mp.nstr(result.bracket[1], 8)}]; scanned "
          f"{result.parameter} in [{mp.nstr(result.scanned[0], 6)}, {mp.nstr(result.scanned[1], 6)}], "
          f"{'monotone' if result.monotone else f'not monotone, {result.crossings} crossings (first reported)'}")
    low, high = result.reachable
    print(f"reachable: ({mp.nstr(low, 10)}, {mp.nstr(high, 10)}) ({result.reachable_how})")
    return 0
