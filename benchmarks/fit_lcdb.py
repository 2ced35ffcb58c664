"""Benchmark: fit every built-in family to every LCDB curve of one learner (issue 12).

Reads all curves of the learner (one pass over the lcdb package's accuracy CSV,
timed separately), fits Eq. (3), Eq. (2) and the power law to each with
:func:`fedsym.paper.fitting.fit_curve`, and prints the fitting time (target <= 60 s),
how many curves' measured means break assumption (1) beyond 3 standard errors
(:meth:`fedsym.model.learning_curve.LearningCurve.shape`), how many fitted curves
break (1) over the data range per family, how often each family has the lowest
AIC, its mean AIC rank, and how many curves have no fit satisfying (1).

Run: ``python benchmarks/fit_lcdb.py [--learner SVC_linear] [--score valid]``
(needs ``pip install 'fedsym[lcdb]'``).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from fedsym.model.learning_curve import LCDB_SCORES, read_lcdb_learner
from fedsym.paper.fitting import DEFAULT_FAMILIES, fit_curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learner", default="SVC_linear")
    parser.add_argument("--score", default="valid", choices=LCDB_SCORES)
    args = parser.parse_args()

    start = time.perf_counter()
    curves = read_lcdb_learner(args.learner, args.score)
    t_read = time.perf_counter() - start
    usable = [c for c in curves if c.groups.sizes.size > 3]
    fit_curve(usable[0])  # lambdify the families once, outside the timing

    start = time.perf_counter()
    results = [fit_curve(curve) for curve in usable]
    t_fit = time.perf_counter() - start

    shapes = [c.shape() for c in usable]
    broken: Counter[str] = Counter()
    wins: Counter[str] = Counter()
    ranks: dict[str, list[int]] = {name: [] for name in DEFAULT_FAMILIES}
    for fits in results:
        order = sorted(fits.fits, key=lambda f: f.aic)
        wins[order[0].family] += 1
        for rank, fit in enumerate(order, 1):
            ranks[fit.family].append(rank)
            broken[fit.family] += not fit.assumption.holds_over_data
    print(f"learner {args.learner}, score_{args.score}: {len(curves)} curves read in {t_read:.1f} s; "
          f"{len(usable)} with more than 3 sizes fitted")
    print(f"fit {len(DEFAULT_FAMILIES)} families x {len(usable)} curves: {t_fit:.1f} s "
          f"({1000 * t_fit / (len(usable) * len(DEFAULT_FAMILIES)):.1f} ms per fit; target <= 60 s)")
    print(f"measured means breaking (1) beyond 3 standard errors: {sum(not s.satisfies_assumption for s in shapes)} "
          f"(not monotone {sum(not s.monotone for s in shapes)}, not concave {sum(not s.concave for s in shapes)})")
    print("family                 lowest AIC  mean AIC rank  fitted curve breaks (1) over the data")
    for name in DEFAULT_FAMILIES:
        print(f"{name:22s} {wins[name]:10d}  {np.mean(ranks[name]):13.2f}  {broken[name]:6d}")
    print("curves with no fit satisfying (1) over the data: "
          f"{sum(not any(f.assumption.holds_over_data for f in r.fits) for r in results)}")


if __name__ == "__main__":
    main()
