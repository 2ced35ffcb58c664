"""One agent alone (Theorem 2.3): minimum viable data, viability cost, optimal data and utility."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from fedsym.core.errors import ParameterError

from .common import add_accuracy_arguments, add_output_arguments, bound_accuracy, print_machine_readable, print_table

if TYPE_CHECKING:
    from fedsym.model.accuracy import BoundAccuracy

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accuracy_arguments(parser, required=False)
    parser.add_argument("--from-fit", metavar="FILE",
                        help="the accuracy of `fedsym fit --json` output (its accuracy block), instead of --accuracy")
    cost = parser.add_mutually_exclusive_group(required=True)
    cost.add_argument("--cost", metavar="C", help="marginal cost per data point (> 0)")
    cost.add_argument("--cost-function", metavar="EXPR",
                      help="cost C(m): an expression in m, increasing and convex with C(0) = 0 (Model §8)")
    parser.add_argument("--value", metavar="EXPR",
                        help="value of accuracy v(a), increasing with v(0) = 0 (default a; Model §8)")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.cost_function is not None or args.value is not None:
        return _run_general(args)
    import mpmath as mp

    from fedsym.paper.lone_agent import individual

    result = individual(_accuracy(args), args.cost)
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


def _run_general(args: argparse.Namespace) -> int:
    """Theorem 2.3 generalized (Model §8): any convex cost, any value of accuracy."""
    import mpmath as mp

    from fedsym.model.agent import Agent
    from fedsym.paper.agents_that_differ.lone import lone_agent

    cost = args.cost_function if args.cost_function is not None else _number(args.cost)
    agent = Agent.of(_accuracy(args), cost, value=args.value or "a")
    result = lone_agent(agent)
    if print_machine_readable(result, args):
        return 0
    data = result.to_dict()
    rows = [(name, mp.nstr(getattr(result, name), 12), data["method"].get(name, ""), data["closed_form"].get(name, ""))
            for name in ("optimal_data", "optimal_utility", "viability_cost")]
    print(f"accuracy {result.accuracy}, cost C(m) = {result.cost_function} = {mp.nstr(result.cost_scale, 12)} * "
          f"({result.cost_shape}), value v(a) = {result.value}")
    print_table(rows, ("quantity", "value", "method", "closed form in c (LaTeX)"))
    print("viability_cost: the cost scale c from which the agent collects nothing alone (c_max = sup w/g)")
    if result.note:
        print(result.note)
    return 0


def _accuracy(args: argparse.Namespace) -> BoundAccuracy:
    """``--accuracy`` with ``--param``, or the accuracy block of ``--from-fit FILE``."""
    if args.from_fit is None:
        if args.accuracy is None:
            raise ParameterError("give --accuracy (with --param) or --from-fit FILE")
        return bound_accuracy(args)
    if args.accuracy is not None or args.param:
        raise ParameterError("--from-fit gives the accuracy and its parameters: drop --accuracy and --param")
    from fedsym.model.accuracy_block import load_accuracy_block

    return load_accuracy_block(args.from_fit)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ParameterError(f"--cost {text!r} is not a number") from None
