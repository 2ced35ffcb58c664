"""Equilibrium of n agents under standard federated learning (Theorem 3.4) or accuracy shaping (Theorem 4.2), verified."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

from fedsym.core.errors import InputFileError, ParameterError

if TYPE_CHECKING:
    import numpy as np

from .common import add_accuracy_arguments, bound_accuracy, print_json, print_table

__all__ = ["add_arguments", "run", "read_costs_file"]

#: per-agent rows printed in text mode before the table is cut short
TEXT_ROWS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mechanism", required=True, metavar="{standard,shaping}",
                        help="standard (Eq. 10) or shaping (accuracy shaping with known costs, Eq. 13); "
                             "another name is refused by the solver")
    add_accuracy_arguments(parser, required=False)
    costs = parser.add_mutually_exclusive_group(required=True)
    costs.add_argument("--costs", metavar="C1,C2,...", help="comma-separated marginal costs, one per agent")
    costs.add_argument("--costs-file", metavar="F", help="file with one cost per line (blank lines and # comments skipped)")
    costs.add_argument("--agents", metavar="FILE",
                       help="JSON list of agents that differ (MODEL.md §8), e.g. [{\"accuracy\": \"simplified\", "
                            "\"params\": {\"a_opt\": 0.95, \"k\": 1}, \"cost\": \"0.001*m + 1e-7*m**2\", "
                            "\"joining_cost\": 0.01, \"value\": \"a\", \"count\": 3}]; excludes --accuracy/--param")
    parser.add_argument("--eps", default="0", metavar="E", help="slope margin of Eq. (13), >= 0 (default 0, the limit)")
    parser.add_argument("--summary", action="store_true", help="totals and ranges only, no per-agent lists")
    parser.add_argument("--json", action="store_true", help="print JSON (keys as in DESIGN.md)")


def read_costs_file(path: str) -> np.ndarray:
    """Costs from a file, one per line; a bad line raises :class:`InputFileError` naming its number."""
    import numpy as np

    try:
        lines = Path(path).read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"--costs-file {path}: cannot be read ({error.__class__.__name__})") from None
    costs = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            raise InputFileError(f"--costs-file {path}, line {number}: {text!r} is not a number") from None
        if not math.isfinite(value) or value <= 0:
            raise InputFileError(f"--costs-file {path}, line {number}: cost {text} must be finite and positive")
        costs.append(value)
    if not costs:
        raise InputFileError(f"--costs-file {path}: no costs in the file")
    return np.array(costs, dtype=float)


def run(args: argparse.Namespace) -> int:
    if args.agents is not None:
        return _run_agents(args)
    if args.accuracy is None:
        raise ParameterError("--accuracy is required with --costs or --costs-file")
    from fedsym.paper.equilibrium import solve_equilibrium
    from fedsym.paper.mechanisms import parse_costs

    accuracy = bound_accuracy(args)
    costs = read_costs_file(args.costs_file) if args.costs_file is not None else \
        parse_costs([item.strip() for item in args.costs.split(",")] if args.costs.strip() else [])
    result = solve_equilibrium(args.mechanism, accuracy, costs, args.eps)
    data = result.to_dict(summary=args.summary)
    if args.json:
        print_json(data)
        return 0
    print(f"{result.mechanism} mechanism, accuracy {result.accuracy}, n = {result.costs.size}: {result.method}")
    if not args.summary:
        shown = min(result.costs.size, TEXT_ROWS)
        print_table(((i, f"{result.costs[i]:.6g}", f"{result.contributions[i]:.10g}", f"{result.accuracies[i]:.10g}",
                      f"{result.utilities[i]:.10g}") for i in range(shown)),
                    ("agent", "cost", "contribution", "accuracy", "utility"))
        if shown < result.costs.size:
            print(f"... {result.costs.size - shown} more agents (use --json for all)")
    print(f"total data {result.total:.12g}; unique: {result.unique}; no data is an equilibrium too: "
          f"{result.zero_is_equilibrium}")
    print(f"verified: {result.verified} (max gain from deviating {result.max_deviation_gain:.3g}, "
          f"{result.verification.scope})")
    print(result.note)
    return 0


def _run_agents(args: argparse.Namespace) -> int:
    """``--agents FILE``: the generalized solvers of MODEL.md §8."""
    from fedsym.model.agent import load_agents
    from fedsym.paper.agents_that_differ.solve import AgentsEquilibrium, solve_agents

    if args.accuracy is not None or args.param:
        raise ParameterError("--agents FILE gives each agent its accuracy: drop --accuracy/--param")
    result: AgentsEquilibrium = solve_agents(args.mechanism, load_agents(args.agents), args.eps)
    data = result.to_dict()
    if args.json:
        print_json(data)
        return 0
    n = result.contributions.size
    print(f"{result.mechanism} mechanism, agents that differ, n = {n}: {result.method}")
    print(f"accuracy: {result.accuracy}")
    if not args.summary:
        shown = min(n, TEXT_ROWS)
        print_table(((i + 1, "yes" if result.joined[i] else "no", f"{result.lone_data[i]:.10g}",
                      f"{result.contributions[i]:.10g}", f"{result.accuracies[i]:.10g}", f"{result.utilities[i]:.10g}")
                     for i in range(shown)),
                    ("agent", "joined", "alone m*", "contribution", "accuracy", "utility"))
        if shown < n:
            print(f"... {n - shown} more agents (use --json for all)")
    print(f"total data {result.total:.12g}; residual {result.residual:.3g}")
    print(f"verified: {result.verified} (max gain from deviating or leaving {result.max_deviation_gain:.3g}, "
          f"{result.verification.scope})")
    if result.theorem_4_6_gap is not None:
        print(f"Theorem 4.6: max |U_i - u_i* - eps (m_i - m_i*)| over joiners = {result.theorem_4_6_gap:.3g}")
    if result.other_equilibria:
        print(f"other equilibria: {result.other_equilibria}")
    print(result.note)
    return 0
