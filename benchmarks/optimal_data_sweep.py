"""Benchmark: optimal data m* for Eq (2) over the data of Figure 2 (issue 2).

5001 log-spaced costs in [1e-5, 1e-1] x k in {1, 10, 100}, a_opt = 0.95, b = 4.
Times the vectorized numpy path (``optimal_data_array``) against a per-point
mpmath loop (bracketed root of the first-order condition at 40 digits, the
package's numeric fallback), in the same run, and prints both times, the
speed ratio and the largest relative difference.  Targets: >= 100x faster,
<= 1e-10 apart.  Derivation and binding happen before timing (both paths share
them).

Run: ``python benchmarks/optimal_data_sweep.py [--stride S]`` (``--stride``
times the mpmath loop on every S-th cost only and scales its time up).
"""

from __future__ import annotations

import argparse
import time

import mpmath as mp
import numpy as np

from fedsym import accuracy_function, individual, lone_agent_forms, optimal_data_array
from fedsym.core.solve import DPS
from fedsym.paper.lone_agent import numeric_optimal_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stride", type=int, default=1, help="time the mpmath loop on every S-th cost")
    args = parser.parse_args()
    costs = np.geomspace(1e-5, 1e-1, 5001)
    function = accuracy_function("generalization-bound")
    lone_agent_forms(function)
    bounds = {kk: function.bind({"a_opt": "0.95", "k": str(kk)}) for kk in (1, 10, 100)}
    c_max = {kk: individual(b, "1e-3").viability_cost for kk, b in bounds.items()}  # warm caches

    start = time.perf_counter()
    fast = {kk: optimal_data_array(b, costs) for kk, b in bounds.items()}
    t_fast = time.perf_counter() - start

    sample = np.arange(0, costs.size, args.stride)
    start = time.perf_counter()
    slow = {}
    with mp.workdps(DPS):
        for kk, b in bounds.items():
            slow[kk] = np.array([float(numeric_optimal_data(b, mp.mpf(float(costs[i])))) if costs[i] < c_max[kk] else 0.0
                                 for i in sample])
    t_slow = (time.perf_counter() - start) * costs.size / sample.size

    worst = 0.0
    for kk in bounds:
        ref, got = slow[kk], fast[kk][sample]
        positive = ref > 0
        assert np.all(got[~positive] == 0), "vectorized path reports data above c_max"
        worst = max(worst, float(np.max(np.abs(got[positive] / ref[positive] - 1))))
    points = 3 * costs.size
    print(f"points: {points} (3 values of k x {costs.size} costs); mpmath loop on every {args.stride}-th point")
    print(f"vectorized numpy : {t_fast:9.4f} s")
    print(f"mpmath loop      : {t_slow:9.4f} s{' (scaled from the sample)' if args.stride > 1 else ''}")
    print(f"speed ratio      : {t_slow / t_fast:9.1f}x  (target >= 100x)")
    print(f"max rel. diff    : {worst:9.2e}  (target <= 1e-10)")


if __name__ == "__main__":
    main()
