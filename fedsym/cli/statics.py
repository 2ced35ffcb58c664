"""Comparative statics (Model §12): derivatives and elasticities of a quantity with respect to each parameter."""

from __future__ import annotations

import argparse

from fedsym.core.errors import InputError

from .common import (
    add_accuracy_arguments,
    add_output_arguments,
    bound_accuracy,
    print_json,
    print_machine_readable,
    print_table,
)

__all__ = ["add_arguments", "run", "add_point_arguments", "parse_at"]

#: quantity names (the JSON keys of the other commands); kept here so that building the parser imports no sympy
QUANTITY_NAMES = ("minimum_viable_data", "viability_cost", "optimal_data", "optimal_utility", "standard_total",
                  "shaping_total", "equal_cost_ratio")


def add_point_arguments(parser: argparse.ArgumentParser) -> None:
    """``--at NAME=VALUE`` (repeatable): the cost ``c``, the number of equal agents ``n``, shaping's ``eps``."""
    parser.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                        help="c=COST, n=AGENTS (equal costs) or eps=MARGIN (Eq. (13)); repeatable")


def parse_at(items: list[str]) -> dict[str, str]:
    """``["c=0.001", "n=10"]`` to a dict; a malformed, repeated or unknown name is an error naming it."""
    point: dict[str, str] = {}
    for item in items:
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not value or name not in ("c", "n", "eps"):
            raise InputError(f"--at {item!r}: expected c=VALUE, n=VALUE or eps=VALUE")
        if name in point:
            raise InputError(f"--at {name} is given twice")
        point[name] = value
    return point


def quantity_name(text: str) -> str:
    if text not in QUANTITY_NAMES:
        raise InputError(f"unknown quantity {text!r} (one of: {', '.join(QUANTITY_NAMES)})")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accuracy_arguments(parser)
    parser.add_argument("--quantity", required=True, metavar="Q", help=", ".join(QUANTITY_NAMES))
    parser.add_argument("--wrt", action="append", metavar="P",
                        help="parameter to differentiate by (repeatable; default: every one the quantity depends on)")
    add_point_arguments(parser)
    parser.add_argument("--signs", action="store_true",
                        help="also state the sign of each derivative over the parameter region (proved by sympy "
                        "where it can, else on a stated grid; seconds per parameter for a numeric quantity)")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import mpmath as mp

    from fedsym.paper.statics import derivative_sign, statics

    bound = bound_accuracy(args)
    result = statics(bound, quantity_name(args.quantity), tuple(args.wrt) if args.wrt else None,
                     at=parse_at(args.at))
    signs = {d.wrt: derivative_sign(bound.function, result.quantity, d.wrt) for d in result.derivatives} \
        if args.signs else {}
    if args.json:
        print_json({**result.to_dict(), **({"signs": signs} if args.signs else {})})
        return 0
    if print_machine_readable(result, args):
        return 0
    print(f"{result.quantity} = {mp.nstr(result.value, 12)} at {result.accuracy}"
          + "".join(f", {name} = {mp.nstr(v, 8)}" for name, v in result.at.items() if name in ("c", "n", "eps"))
          + f" (regime {result.regime})")
    rows = [(d.wrt, mp.nstr(d.value, 12), "" if d.elasticity is None else mp.nstr(d.elasticity, 12), d.method,
             mp.nstr(d.error, 2)) for d in result.derivatives]
    if rows:
        print_table(rows, ("wrt", "derivative", "elasticity", "method", "vs central difference"))
    if result.boundary is not None:
        b = result.boundary
        print(f"jump at {b.at}: {mp.nstr(b.below, 12)} below, {mp.nstr(b.above, 12)} at and above")
    for statement in signs.values():
        print(statement)
    if result.note:
        print(result.note)
    return 0
