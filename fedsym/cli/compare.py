"""Compare mechanisms on one population: welfare, the planner's benchmark and the price of anarchy (Model §11)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .common import add_output_arguments, print_machine_readable, print_table

if TYPE_CHECKING:
    from fedsym.paper.compare import Comparison

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", required=True, metavar="FILE",
                        help="JSON list of agents (Model §8), as for `fedsym equilibrium --agents`")
    parser.add_argument("--mechanisms", nargs="+", metavar="NAME",
                        help="mechanisms to run (space- or comma-separated; default: every one that applies, "
                             "of alone standard shaping screening realfm shapley; shapley needs --rho)")
    parser.add_argument("--eps", default="0", metavar="E", help="slope margin of Eq. (13), >= 0 (default 0, the limit)")
    parser.add_argument("--rho", nargs="+", default=[], metavar="R",
                        help="values of rho in [0, 1] for rho-Shapley (one row each)")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from fedsym.model.agent import load_agents
    from fedsym.paper.compare import compare

    mechanisms = None if args.mechanisms is None else \
        [name.strip() for item in args.mechanisms for name in item.split(",") if name.strip()]
    result = compare(load_agents(args.agents), mechanisms, args.eps, args.rho)
    if not print_machine_readable(result, args):
        _print(result)
    return 0


def _print(result: Comparison) -> None:
    """One row per mechanism and benchmark, then how the planner was found and what was skipped."""
    eps = f", eps = {result.eps:g}" if result.eps else ""
    print(f"{result.n} agents{eps}: mechanisms at their equilibria, benchmarks in brackets (Model §11)")
    print_table(result.table(), ("mechanism", "total data", "mean accuracy", "welfare", "min IR slack",
                                 "W_planner/W", "verified"))
    print(f"planner: {result.planner_method}")
    print(f"first best = shaping at eps = 0: max IR slack of joiners {result.first_best_gap:.3g} (0: every IR binds)")
    for name, reason in result.skipped:
        print(f"skipped {name}: {reason}")
    print("every equilibrium verified" if result.verified else "NOT every equilibrium verified (see the table)")
