"""Fit accuracy functions to a measured learning curve (CSV or LCDB) and choose one by AIC (Model §10)."""

from __future__ import annotations

import argparse
from typing import Any

from fedsym.core.errors import ParameterError
from fedsym.model.learning_curve import LCDB_SCORES, LearningCurve, read_csv, read_lcdb

from .common import add_output_arguments, print_json, print_table

__all__ = ["MAX_AGENTS", "add_arguments", "run"]

#: most equal agents of --agents: each band solves both equilibria 2p + 1 times (p fitted parameters), about
#: 3 s at this limit (memory and time grow linearly: 10^9 agents took 16 GB)
MAX_AGENTS = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", metavar="FILE", help="CSV file with a header row (repeated sizes = seeds)")
    source.add_argument("--lcdb", metavar="OPENMLID:LEARNER", help="an LCDB curve, e.g. 6:SVC_linear "
                        "(needs pip install 'fedsym[lcdb]')")
    parser.add_argument("--size-column", default="size", metavar="S", help="CSV column of training-set sizes")
    parser.add_argument("--score-column", default="accuracy", metavar="A", help="CSV column of accuracies in [0, 1]")
    parser.add_argument("--score", default="valid", choices=LCDB_SCORES, help="LCDB score column (default valid)")
    parser.add_argument("--family", action="append", metavar="F",
                        help="family or expression in m to fit (repeatable; default: the built-in families Eq. (3), "
                             "Eq. (2) and the power law)")
    parser.add_argument("--cost", metavar="C", help="marginal cost: optimal data and viability cost of the best "
                        "fit, with delta-method bands")
    parser.add_argument("--agents", type=int, metavar="N", help="with --cost: totals of N equal agents under "
                        f"standard FL, Eq. (10), and accuracy shaping, Eq. (13), with bands (N <= {MAX_AGENTS})")
    add_output_arguments(parser)


def _curve(args: argparse.Namespace) -> LearningCurve:
    if args.csv is not None:
        return read_csv(args.csv, args.size_column, args.score_column)
    return read_lcdb(args.lcdb, args.score)


def run(args: argparse.Namespace) -> int:
    if args.agents is not None and (args.cost is None or not 1 <= args.agents <= MAX_AGENTS):
        raise ParameterError(f"--agents {args.agents}: needs --cost and 1 <= N <= {MAX_AGENTS}")
    from fedsym.model.accuracy_block import accuracy_block
    from fedsym.paper.fitting import DEFAULT_FAMILIES, fit_curve  # scipy and sympy: imported on use
    from fedsym.paper.lone_agent import parse_cost

    cost = None if args.cost is None else parse_cost(args.cost, "--cost")
    fits = fit_curve(_curve(args), args.family or DEFAULT_FAMILIES)
    data: dict[str, Any] = fits.to_dict()
    best_fit = fits.best
    # the chosen fit as an accuracy block that individual --from-fit, an agents file and a study read as is
    data["accuracy"] = None if best_fit is None else accuracy_block(best_fit.function, best_fit.values)
    if cost is not None:
        best = fits.require_best()
        data["cost"] = float(cost)
        data["optimal_data"] = best.optimal_data(args.cost).to_dict()
        data["viability_cost"] = best.viability_cost().to_dict()
        if args.agents is not None:
            data["agents"] = args.agents
            data["totals"] = {k: band.to_dict() for k, band in best.equilibrium_totals(args.cost, args.agents).items()}
    if args.json:
        print_json(data)
        return 0
    if args.latex:
        from fedsym.report.study.fit_table import fit_table

        print(fit_table(fits))
        return 0
    curve = fits.curve
    print(f"curve {curve.label} ({curve.source}): {len(curve.sizes)} measurements at "
          f"{curve.groups.sizes.size} sizes in [{curve.size_range[0]:g}, {curve.size_range[1]:g}]")
    rows = [(f.family, ", ".join(f"{n}={v:.4g}±{se:.2g}" for (n, v), (_, se) in zip(f.parameters, f.standard_errors)),
             f"{f.rmse:.4g}", f"{f.aic:.2f}", f"{f.bic:.2f}",
             "yes" if f.assumption.holds_over_data and not f.measured_fall else "NO")
            for f in fits.fits]
    print_table(rows, ("family", "parameters ± standard error", "RMSE", "AIC", "BIC", "(1) over data"))
    for name, fit in data["families"].items():
        if fit["unusable_reason"]:
            print(f"{name} is not usable downstream: {fit['unusable_reason']}")
    print(f"best by AIC among usable fits: {data['best']}")
    for key in ("optimal_data", "viability_cost"):
        if key in data:
            band = data[key]
            print(f"{key}: {band['value']:.6g}, 95% band {_band_text(band)} ({band['method']})")
    for name, band in data.get("totals", {}).items():
        print(f"total data, {name}, n = {args.agents}: {band['value']:.6g}, 95% band {_band_text(band)}")
    return 0


def _band_text(band: dict[str, Any]) -> str:
    """``[lower, upper]`` of a band's JSON form (upper None: unbounded)."""
    lower, upper = band["band"]
    return f"[{lower:.6g}, {'inf' if upper is None else format(upper, '.6g')}]"
