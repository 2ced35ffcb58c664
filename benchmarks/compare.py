"""`compare` on a RealFM-like population of 100 agents with distinct value scales (issue 22's target: <= 10 s).

Run: ``python benchmarks/compare.py [--n N] [--seed S]``

Agent ``i``: Eq. (3) (``simplified``, a_opt 0.99, k 1), cost ``0.001 m``, value
``p_i ((1 - a)^{-2} - 1)`` with ``p_i ~ U(0.9, 1.1)`` (seeded), as in ``benchmarks/realfm_population.py``.
Every mechanism that applies is run (screening needs the paper's agents and is skipped), each verified,
with the planner and the first best.  RealFM as published is verified under its own reward rule and usually
fails (its contributions are truncated Taylor steps, not an equilibrium): the rows' verdicts are printed.
Prints the time for ``n`` and for 10 agents in the same run
(after a warm-up on 2 agents, so one-time set-up is not counted) and their ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.compare import compare


def population(n: int, seed: int) -> Population:
    """RealFM-like agents: value p_i ((1 - a)^-2 - 1), p_i ~ U(0.9, 1.1), cost 0.001 m."""
    bound = accuracy_function("simplified").bind({"a_opt": "0.99", "k": "1"})
    scales = np.random.default_rng(seed).uniform(0.9, 1.1, n)
    return Population(tuple(Agent.of(bound, "0.001*m", 0, f"{p:.6f}*((1 - a)**(-2) - 1)") for p in scales))


def measure(n: int, seed: int) -> tuple[float, str, int]:
    """Seconds of one comparison (agents built beforehand), each row's verdict, rows run."""
    agents = population(n, seed)
    start = time.perf_counter()
    result = compare(agents)
    verdicts = ", ".join(f"{row.name} {'yes' if row.verified else 'NO'}" for row in result.rows)
    return time.perf_counter() - start, verdicts, len(result.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    measure(2, args.seed + 1)  # warm-up
    small, small_ok, _ = measure(10, args.seed)
    large, large_ok, rows = measure(args.n, args.seed)
    print(f"compare, 10 agents: {small:.2f} s, verified: {small_ok}")
    print(f"compare, {args.n} agents: {large:.2f} s, {rows} mechanisms (target <= 10 s), verified: {large_ok}")
    print(f"ratio {args.n}/10: {large / small:.1f}x")


if __name__ == "__main__":
    main()
