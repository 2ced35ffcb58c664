"""One agent alone (Theorem 2.3): minimum viable data, viability cost, optimal data and utility."""

from __future__ import annotations

import argparse

from .common import add_accuracy_arguments, add_output_arguments, bound_accuracy, print_machine_readable, print_table

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accuracy_arguments(parser)
    parser.add_argument("--cost", required=True, metavar="C", help="marginal cost per data point (> 0)")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import mpmath as mp

    from fedsym.paper.lone_agent import individual

    result = individual(bound_accuracy(args), args.cost)
    if print_machine_readable(result, args):
        return 0
    data = result.to_dict()
    rows = [(name, mp.nstr(getattr(result, name), 12), data["method"][name], data["closed_form"].get(name, ""))
            for name in ("minimum_viable_data", "viability_cost", "high_cost_threshold", "optimal_data", "optimal_utility")]
    print(f"accuracy {result.accuracy}, cost {mp.nstr(result.cost, 12)}: regime {result.regime}")
    print(f"assumption (1): {result.assumption.describe()}")
    print_table(rows, ("quantity", "value", "method", "closed form (LaTeX)"))
    if result.note:
        print(result.note)
    return 0
