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
                  "shaping_total", "equal_cost_ratio", "planner_total", "planner_welfare", "data_poa", "welfare_poa")
#: quantities of App. B's two-type menu (``--at p=, c_L=, c_H=, m_others=``)
SCREENING_NAMES = ("low_contribution", "high_contribution", "information_rent_low", "expected_data")
#: names --at accepts
POINT_NAMES = ("c", "n", "eps", "p", "c_L", "c_H", "m_others")
#: quantities of agents that differ (``--agents``)
AGENT_QUANTITY_NAMES = ("standard_total", "shaping_total", "contributions")


def add_point_arguments(parser: argparse.ArgumentParser) -> None:
    """``--at NAME=VALUE`` (repeatable): the cost ``c``, the number of equal agents ``n``, shaping's ``eps``;
    a screening menu's ``p``, ``c_L``, ``c_H``, ``m_others``."""
    parser.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                        help="c=COST, n=AGENTS (equal costs) or eps=MARGIN (Eq. (13)); for a screening menu "
                        "(App. B) p=, c_L=, c_H=, m_others=; repeatable")


def parse_at(items: list[str]) -> dict[str, str]:
    """``["c=0.001", "n=10"]`` to a dict; a malformed, repeated or unknown name is an error naming it."""
    point: dict[str, str] = {}
    for item in items:
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not value or name not in POINT_NAMES:
            raise InputError(f"--at {item!r}: expected NAME=VALUE with NAME one of {', '.join(POINT_NAMES)}")
        if name in point:
            raise InputError(f"--at {name} is given twice")
        point[name] = value
    return point


def quantity_name(text: str) -> str:
    if text not in QUANTITY_NAMES + SCREENING_NAMES:
        raise InputError(f"unknown quantity {text!r} (one of: {', '.join(QUANTITY_NAMES + SCREENING_NAMES)})")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accuracy_arguments(parser, required=False)
    parser.add_argument("--agents", metavar="FILE",
                        help="JSON list of agents that differ (Model §8, as for `fedsym equilibrium`): derivatives "
                        "of standard_total, shaping_total or contributions in the cost scales, --wrt cost_scale "
                        "(every agent's cost) or cost_scale:J (record J); excludes --accuracy/--param")
    parser.add_argument("--mechanism", choices=("standard", "shaping"),
                        help="with --agents and --quantity contributions: the mechanism whose contributions")
    parser.add_argument("--quantity", required=True, metavar="Q",
                        help=", ".join(QUANTITY_NAMES + SCREENING_NAMES) + "; with --agents: "
                        + ", ".join(AGENT_QUANTITY_NAMES))
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

    if args.agents is not None:
        return _run_agents(args)
    if args.accuracy is None:
        raise InputError("--accuracy A is required (or --agents FILE for agents that differ)")
    bound = bound_accuracy(args)
    wrt = tuple(args.wrt) if args.wrt else None
    if quantity_name(args.quantity) in SCREENING_NAMES:
        from fedsym.paper.screening_statics import screening_statics

        if args.signs:
            raise InputError("--signs: not available for a screening menu")
        result = screening_statics(bound, args.quantity, wrt, at=parse_at(args.at))
    else:
        result = statics(bound, args.quantity, wrt, at=parse_at(args.at))
    signs = {d.wrt: derivative_sign(bound.function, result.quantity, d.wrt) for d in result.derivatives} \
        if args.signs else {}
    if args.json:
        print_json({**result.to_dict(), **({"signs": signs} if args.signs else {})})
        return 0
    if print_machine_readable(result, args):
        return 0
    print(f"{result.quantity} = {mp.nstr(result.value, 12)} at {result.accuracy}"
          + "".join(f", {name} = {mp.nstr(v, 8)}" for name, v in result.at.items() if name in POINT_NAMES)
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


def _run_agents(args: argparse.Namespace) -> int:
    """``--agents FILE``: derivatives of the equilibrium of agents that differ in their cost scales."""
    import mpmath as mp

    from fedsym.model.agent import load_agents
    from fedsym.paper.population_statics import population_statics

    if args.accuracy is not None or args.param:
        raise InputError("--agents FILE gives each agent its accuracy: drop --accuracy/--param")
    if args.signs:
        raise InputError("--signs applies to one accuracy function, not to --agents")
    if args.quantity not in AGENT_QUANTITY_NAMES:
        raise InputError(f"--quantity {args.quantity!r}: with --agents one of {', '.join(AGENT_QUANTITY_NAMES)}")
    point = parse_at(args.at)
    if set(point) - {"eps"}:
        raise InputError("--at: with --agents only eps=VALUE can be set (each agent's cost is in the file)")
    population = load_agents(args.agents)
    result = population_statics(population, args.quantity, tuple(args.wrt) if args.wrt else None,
                                mechanism=args.mechanism, eps=point.get("eps", "0"))
    if print_machine_readable(result, args):
        return 0

    def number(x: float, digits: int = 12) -> str:
        return str(mp.nstr(mp.mpf(x), digits))

    print(f"{result.mechanism} equilibrium of {population.size} agents: total {number(result.total)}"
          + (f", eps = {number(result.eps, 8)}" if result.mechanism == "shaping" else ""))
    print_table([(wrt, y, number(value), number(d), "" if e is None else number(e), number(err, 2))
                 for wrt, y, value, d, e, err in result.table()],
                ("wrt", "y", "value", "derivative", "elasticity", "vs central difference"))
    print("implicit function theorem on the equilibrium (Model §8), joiners held fixed; checked against central "
          "differences of the equilibrium re-solved at scaled costs")
    return 0
