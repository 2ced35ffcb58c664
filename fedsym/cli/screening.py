"""Unknown costs (App. B): the screening menu for one agent facing others' data.

Two types with ``--c-low/--c-high/--p`` (Theorem B.1), or ``K >= 2`` types with
``--costs C1,...,CK --probs P1,...,PK`` (Model §9); both are solved by :func:`fedsym.screen`
(for two types App. B's closed forms give the regime and are cross-checked against it).
``--value EXPR`` gives the types a value of accuracy :math:`v(a)` (Model §8); App. B's closed forms
are then out of reach and every ``K`` is reported as the K-type menu.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from fedsym.core.errors import ParameterError

from .common import (
    add_accuracy_arguments,
    add_output_arguments,
    bound_accuracy,
    gain_text,
    print_machine_readable,
    print_table,
)

if TYPE_CHECKING:
    from fedsym.paper.screening.result import ScreeningResult

__all__ = ["add_arguments", "run"]

TWO_TYPE = ("c_low", "c_high", "p")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accuracy_arguments(parser)
    parser.add_argument("--c-low", metavar="CL", help="marginal cost of the low type (> 0)")
    parser.add_argument("--c-high", metavar="CH", help="marginal cost of the high type (> CL)")
    parser.add_argument("--p", metavar="P", help="prior probability of the low type, in (0, 1)")
    parser.add_argument("--costs", metavar="C1,...,CK",
                        help="K >= 2 strictly increasing marginal costs (instead of --c-low/--c-high/--p)")
    parser.add_argument("--probs", metavar="P1,...,PK", help="their probabilities (> 0, summing to 1)")
    parser.add_argument("--others", required=True, metavar="M", help="data contributed by the other agents (>= 0)")
    parser.add_argument("--value", metavar="EXPR",
                        help="value of accuracy v(a), increasing with v(0) = 0 (default a; Model §8); v o a must be "
                             "concave beyond the others' data")
    add_output_arguments(parser)


def _split(text: str, name: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise ParameterError(f"--{name} {text!r}: expected comma-separated numbers")
    return items


def run(args: argparse.Namespace) -> int:
    import mpmath as mp

    from fedsym.paper.screening.cost_types import KTypes
    from fedsym.paper.screening.result import screen

    two_type = [name for name in TWO_TYPE if getattr(args, name) is not None]
    if args.costs is not None or args.probs is not None:
        if two_type:
            raise ParameterError("give either --costs/--probs or --c-low/--c-high/--p, not both")
        if args.costs is None or args.probs is None:
            raise ParameterError("--costs and --probs go together")
        types = KTypes.of(_split(args.costs, "costs"), _split(args.probs, "probs"))
        return _print_k(screen(bound_accuracy(args), types, args.others, value=args.value), args)
    if len(two_type) != len(TWO_TYPE):
        raise ParameterError("give --c-low, --c-high and --p (two types) or --costs and --probs (K types)")
    result = screen(bound_accuracy(args), KTypes.two(args.c_low, args.c_high, args.p), args.others, value=args.value)
    if result.closed_form is None:  # another value of accuracy: the K-type solver's menu, no App. B regime
        return _print_k(result, args)
    if print_machine_readable(result, args):
        return 0
    menu = result.two_type
    print(f"accuracy {result.accuracy}, c_low {args.c_low}, c_high {args.c_high}, p {args.p}, "
          f"others {args.others}: regime {result.regime}{' (pooling)' if menu.pooling else ''}")
    print_table(((name, mp.nstr(value, 12)) for name, value in menu.values().items()), ("quantity", "value"))
    status = "verified" if result.verified else "NOT verified"
    print(f"constraints and best responses on the curve: {status} (max gain from deviating {gain_text(result.max_deviation_gain)})")
    return 0


def _print_k(result: ScreeningResult, args: argparse.Namespace) -> int:
    import mpmath as mp

    if print_machine_readable(result, args):
        return 0
    menu, data = result.menu, result.to_dict()
    regime = f", regime {result.regime}" if result.regime else ""
    value = f", value of accuracy v(a) = {data['value']}" if args.value is not None else ""
    print(f"K = {menu.size} types, others {args.others}{value}: expected data {mp.nstr(menu.expected_data, 12)}{regime}")
    print_table(((k + 1, c, p, f"{m:.10g}", f"{g:.10g}", f"{r:.6g}", " ".join(b) or "-")
                 for k, (c, p, m, g, r, b) in enumerate(zip(data["costs"], data["probs"], data["contributions"],
                                                           data["accuracies"], data["information_rents"],
                                                           data["binding"]))),
                ("type", "cost", "prob", "data", "accuracy", "rent", "binding"))
    pooled = ", ".join("=".join(str(k) for k in group) for group in data["pooled"]) or "none"
    status = "verified" if data["verified"] else "NOT verified"
    print(f"pooled: {pooled}; constraints and best responses on the curve {status} "
          f"(max violation {data['max_violation']:.3g}, max gain from deviating {gain_text(data['max_deviation_gain'])})")
    return 0
