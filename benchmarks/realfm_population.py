"""A RealFM-like population (Model §8, issue 18): n agents, each with its own value of accuracy, solved and verified.

Run: ``python benchmarks/realfm_population.py [--n N] [--accuracy simplified|generalization-bound] [--seed S]``

Agent ``i`` has the accuracy of Eq. (3) (``simplified``, a_opt 0.99, k 1) or Eq. (2)
(``generalization-bound``), the linear cost ``0.001 m``, no joining cost and RealFM's value of
accuracy ``v_i(a) = p_i ((1 - a)^{-2} - 1)`` with ``p_i ~ U(0.9, 1.1)`` (seeded), so utilities are
in the thousands.  In the same run, for ``n = 2`` and for ``n`` (default 100):

1. building the agents (``Agent.of``: parsing and checking each value function);
2. ``solve("shaping", population)``: lone optima, the largest fixed point and the global
   verification (a warm-up solve of an unrelated 2-agent population is run first, so the
   one-time set-up of the accuracy is not counted for either); the fastest of three solves counts.

Prints the times, whether each equilibrium is verified, and the ratios n / 2 (issue 18's target:
solve and verify within 2x).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.equilibrium import solve

#: solves timed per population; the fastest counts (the machine is shared)
REPEATS = 3

PARAMS = {"simplified": {"a_opt": "0.99", "k": "1"},
          "generalization-bound": {"a_opt": "0.99", "k": "1", "b": "4"}}


def agents(accuracy: Any, n: int, seed: int) -> list[Agent]:
    """RealFM-like agents: value p_i ((1 - a)^-2 - 1), p_i ~ U(0.9, 1.1), cost 0.001 m."""
    scales = np.random.default_rng(seed).uniform(0.9, 1.1, n)
    return [Agent.of(accuracy, "0.001*m", 0, f"{p:.6f}*((1 - a)**(-2) - 1)") for p in scales]


def measure(accuracy: Any, n: int, seed: int) -> tuple[float, float, bool, float]:
    """Seconds to build and to solve + verify, the verdict and the largest utility."""
    start = time.perf_counter()
    built = agents(accuracy, n, seed)
    build = time.perf_counter() - start
    times = []
    for _ in range(REPEATS):  # a fresh Population each time: nothing is reused between solves
        start = time.perf_counter()
        result = solve("shaping", Population(tuple(built)))
        times.append(time.perf_counter() - start)
    return build, min(times), result.verified, float(np.abs(result.utilities).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--accuracy", default="simplified", choices=sorted(PARAMS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    accuracy = accuracy_function(args.accuracy).bind(PARAMS[args.accuracy])
    measure(accuracy, 2, args.seed + 1)  # warm-up: the accuracy's one-time set-up
    rows = {n: measure(accuracy, n, args.seed) for n in (2, args.n)}
    for n, (build, seconds, verified, scale) in rows.items():
        print(f"  n = {n:<5d} build {build:8.3f} s   solve + verify {seconds:8.3f} s   verified {verified}   "
              f"max |U_i| {scale:.4g}")
    (b2, s2, _, _), (bn, sn, _, _) = rows[2], rows[args.n]
    print(f"  ratio n = {args.n} / n = 2: solve + verify {sn / s2:.2f} (target <= 2); "
          f"with building the agents {(bn + sn) / (b2 + s2):.2f}")


if __name__ == "__main__":
    main()
