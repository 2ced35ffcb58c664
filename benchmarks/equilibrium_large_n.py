"""Theorem 4.2 for very many agents: the 1-D reduction against best-response dynamics.

Run: ``python benchmarks/equilibrium_large_n.py [--n N] [--n-general N] [--seed S]``

Prints, for seeded log-uniform costs in [1e-4, 1e-2]:

1. the Eq. (13) equilibrium of ``n = 10^6`` agents with the simplified accuracy
   (Eq. (3)): solve time (target <= 1 s), relative residual |sum m_i - M| / M
   (target <= 1e-12), and the time of a sampled global verification;
2. in the same run, the general best-response solver on ``n = 10^3`` agents of
   the same distribution, its agreement with the reduction, and the speed ratio
   per agent;
3. the same ``n = 10^6`` solve with the generalization-bound accuracy (Eq. (2),
   no closed-form m*: numeric path).

The one-time symbolic derivation of each accuracy function (cached afterwards)
is timed separately and not counted in the solve.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import best_response_equilibrium, shaping_equilibrium, verify_equilibrium
from fedsym.paper.lone_agent import lone_agent_forms
from fedsym.paper.mechanisms import accuracy_shaping

PARAMS = {"a_opt": "0.95", "k": "1"}


def log_uniform_costs(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.exp(rng.uniform(np.log(1e-4), np.log(1e-2), n))


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {label:<58s} {elapsed:9.3f} s")
    return value, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--n-general", type=int, default=10**3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    costs = log_uniform_costs(args.n, args.seed)

    for name in ("simplified", "generalization-bound"):
        bound = accuracy_function(name).bind(PARAMS)
        print(f"{bound.label()}, n = {args.n}, costs log-uniform in [1e-4, 1e-2], seed {args.seed}")
        timed("symbolic derivation of Theorem 2.3 (one time, cached)", lone_agent_forms, bound.function)
        result, solve = timed("Theorem 4.2 solve (1-D reduction)", shaping_equilibrium, bound, costs, verify=False)
        print(f"  total M = {result.total:.12g}; relative residual |sum m_i - M|/M = {result.residual:.2e}; "
              f"per agent {solve / args.n * 1e9:.0f} ns")
        verification, _ = timed("global verification of a random sample of 100 agents", verify_equilibrium,
                                accuracy_shaping(bound, costs), costs, result.contributions)
        print(f"  verified: {verification.verified}, max gain {verification.max_deviation_gain:.2e} "
              f"({verification.scope})")
        if name == "simplified":
            small = log_uniform_costs(args.n_general, args.seed)
            reduced, fast = timed(f"Theorem 4.2 solve, n = {args.n_general}", shaping_equilibrium, bound, small,
                                  verify=False)
            general, slow = timed(f"best-response dynamics, n = {args.n_general} (eps = 1e-6 c_min)",
                                  best_response_equilibrium, accuracy_shaping(bound, small, 1e-6 * small.min()),
                                  small, start=small * 0 + 1.0, verify=False)
            reference = shaping_equilibrium(bound, small, 1e-6 * small.min(), verify=False)
            gap = np.max(np.abs(general.contributions - reference.contributions) / reference.contributions)
            print(f"  best-response vs reduction (same eps): max relative gap {gap:.1e}; {general.note}")
            per_agent_general = slow / args.n_general
            per_agent_reduced = solve / args.n
            print(f"  speed ratio per agent: best-response {per_agent_general * 1e3:.2f} ms/agent at n = "
                  f"{args.n_general} vs reduction {per_agent_reduced * 1e9:.0f} ns/agent at n = {args.n}: "
                  f"{per_agent_general / per_agent_reduced:.2e}x "
                  f"(reduction at n = {args.n_general}: {fast / args.n_general * 1e6:.1f} us/agent)")
        print()


if __name__ == "__main__":
    main()
