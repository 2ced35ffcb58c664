"""Accuracy shaping for agents that differ (Model §8) at n = 10^5, against best-response dynamics at n = 10^3.

Run: ``python benchmarks/agents_that_differ.py [--n N] [--n-general N] [--seed S] [--eps E]``

Agents: half on the simplified accuracy (Eq. (3), a_opt 0.95, k 1), half on the
power law (Example 2.2, a_opt 0.9, tau 0.1, beta 1, alpha 0.5), chosen at random;
seeded quadratic costs ``C_i(m) = c1 m + c2 m^2`` with ``c1`` log-uniform in
[1e-4, 1e-2] and ``c2`` log-uniform in [1e-9, 1e-6]; no joining cost, ``v(a) = a``.

Prints:

1. the largest-fixed-point solve at ``n = 10^5`` (target <= 2 s on this 2-core
   machine), its relative residual |sum m_i - M| / M (target <= 1e-12) and the time
   of a sampled global verification;
2. in the same run, ``n = 10^3`` agents of the same distribution: the 1-D solver
   against Gauss-Seidel best-response dynamics (each best response a global search),
   the largest relative difference of the contributions and the time per agent.

``eps`` (default 1e-3) gives each agent a strict incentive along its line, so best
responses are unique; the one-time set-up of the two curves (concave start, lambdify)
is timed separately and not counted in the solve.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent
from fedsym.paper.agents_that_differ import Cohort
from fedsym.paper.agents_that_differ.solve import best_response_population, shaping_population, verify_population

CURVES = (("simplified", {"a_opt": "0.95", "k": "1"}),
          ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}))


def population(curves: tuple[Agent, ...], n: int, seed: int) -> Cohort:
    rng = np.random.default_rng(seed)
    curve = rng.integers(0, len(curves), n)
    linear = np.exp(rng.uniform(np.log(1e-4), np.log(1e-2), n))
    quadratic = np.exp(rng.uniform(np.log(1e-9), np.log(1e-6), n))
    return Cohort.quadratic_costs(curves, curve, linear, quadratic)


def timed(label: str, fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {label:<62s} {elapsed:9.3f} s")
    return value, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**5)
    parser.add_argument("--n-general", type=int, default=10**3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eps", type=float, default=1e-3)
    args = parser.parse_args()

    def setup() -> tuple[Agent, ...]:
        curves = tuple(Agent.of(accuracy_function(name).bind(params), 1) for name, params in CURVES)
        shaping_population(population(curves, 16, args.seed), args.eps, verify=False)  # lambdify, concavity
        return curves

    print(f"agents on {', '.join(name for name, _ in CURVES)}; quadratic costs, seed {args.seed}, eps {args.eps}")
    curves, _ = timed("set-up of the two curves (one time)", setup)
    big = population(curves, args.n, args.seed)
    print(f"n = {args.n}")
    result, solve = timed("largest fixed point of F (lone optima + 1-D solve)", shaping_population,
                          big, args.eps, verify=False)
    print(f"  total M = {result.total:.12g}, joined {int(result.joined.sum())} of {args.n}")
    print(f"  relative residual {result.residual:.3g} (target <= 1e-12: {'PASS' if result.residual <= 1e-12 else 'FAIL'})")
    print(f"  solve time {solve:.3f} s (target <= 2 s: {'PASS' if solve <= 2 else 'FAIL'})")
    verification, _ = timed("sampled global verification (deviations and leaving)", verify_population, big, "shaping",
                            result.contributions, result.joined, result.utilities, args.eps)
    print(f"  verified {verification.verified}, max gain {verification.max_deviation_gain:.3g} ({verification.scope})")

    small = population(curves, args.n_general, args.seed + 1)
    print(f"n = {args.n_general}")
    reduced, fast = timed("largest fixed point of F", shaping_population, small, args.eps, verify=False)
    dynamics, slow = timed("best-response dynamics (global search per agent)", best_response_population, small,
                           "shaping", args.eps, verify=False, rtol=1e-13, points=1001)
    difference = np.max(np.abs(dynamics.contributions - reduced.contributions) / reduced.contributions)
    print(f"  {dynamics.note}; largest relative difference of contributions {difference:.3g}")
    print(f"  time per agent: 1-D solver {fast / args.n_general:.3g} s, best responses {slow / args.n_general:.3g} s "
          f"({slow / max(fast, 1e-12):.0f}x)")


if __name__ == "__main__":
    main()
