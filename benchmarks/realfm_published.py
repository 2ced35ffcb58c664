"""RealFM as published beside exact value-space shaping on RealFM-like populations (Model §11 item 5, issue 22).

Run: ``python benchmarks/realfm_published.py [--n N ...] [--accuracy simplified|generalization-bound] [--seed S]``

Agent ``i`` has the accuracy of Eq. (2) (``generalization-bound``, a_opt 0.95, k 1, b 4: RealFM's own) or
Eq. (3), the linear cost ``0.001 m`` and RealFM's value ``p_i ((1 - a)^{-2} - 1)`` with ``p_i ~ U(0.9, 1.1)``
(seeded).  For each n (default 4, 16, 100): the seconds of ``realfm_published`` (Nelder-Mead lone optima,
Taylor reward, one-shot federated accuracy, truncated roots, and the verification under the published rule)
and of ``solve("shaping", ...)``, both totals, how much more data the exact mechanism collects, and whether
each profile is verified (with the published one's largest gain from deviating).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.equilibrium import solve
from fedsym.paper.realfm import realfm_published

PARAMS = {"simplified": {"a_opt": "0.95", "k": "1"},
          "generalization-bound": {"a_opt": "0.95", "k": "1", "b": "4"}}


def population(accuracy: object, n: int, seed: int) -> Population:
    """RealFM-like agents: value p_i ((1 - a)^-2 - 1), p_i ~ U(0.9, 1.1), cost 0.001 m."""
    scales = np.random.default_rng(seed).uniform(0.9, 1.1, n)
    return Population(tuple(Agent.of(accuracy, 0.001, 0, f"{p:.6f}*((1 - a)**(-2) - 1)") for p in scales))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[4, 16, 100])
    parser.add_argument("--accuracy", default="generalization-bound", choices=sorted(PARAMS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    accuracy = accuracy_function(args.accuracy).bind(PARAMS[args.accuracy])
    for n in args.n:
        agents = population(accuracy, n, args.seed)
        start = time.perf_counter()
        published = realfm_published(agents)
        middle = time.perf_counter()
        exact = solve("shaping", agents)
        end = time.perf_counter()
        print(f"  n = {n:<4d} published {published.total:12.0f} ({middle - start:6.2f} s, verified "
              f"{published.verified}, largest gain {published.max_deviation_gain:.2e})   exact {exact.total:12.0f} "
              f"({end - middle:6.2f} s, verified {exact.verified})   exact collects "
              f"{exact.total / published.total - 1:.1%} more")


if __name__ == "__main__":
    main()
