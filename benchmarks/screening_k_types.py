"""K-type screening (Model §9): K = 200 and K = 20 solved and certified, against the brute force at K = 3.

Run: ``PYTHONPATH=. python benchmarks/screening_k_types.py [--seed S]``

Prints, for the simplified accuracy (Eq. (3), a_opt = 0.9, k = 10) and m_{-i} = 5000:

0. K = 200 types (issue 18: solved and certified in <= 10 s) and K = 2 in the same run: solve +
   certificate + constraint check times and their ratio;
1. K = 20 types, costs spread over [0.0005, 0.004], seeded random probabilities:
   solve time (target <= 2 s), verification (all K(K-1) IC, IR, feasibility, KKT
   certificate) and the global best-response check on the mechanism curve;
2. in the same run, K = 3: the solver and the brute force of
   ``tests/screening_k_brute.py`` (random search + Nelder-Mead over utilities),
   their expected data and the time ratio.

The one-time symbolic derivation of the accuracy function is done before timing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from fedsym import KScreeningMechanism, KTypes, optimal_menu_k, verify_menu_k
from fedsym.model.accuracy import accuracy_function

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from screening_k_brute import BruteForce

BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
OTHERS = 5000


def instance(size: int, seed: int) -> KTypes:
    rng = random.Random(seed)
    costs = sorted({round(rng.uniform(0.0005, 0.004), 6) for _ in range(4 * size)})
    costs = [costs[i * len(costs) // size] for i in range(size)]
    weights = [rng.randint(1, 20) for _ in range(size)]
    return KTypes.of([str(c) for c in costs], [f"{w}/{sum(weights)}" for w in weights])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    optimal_menu_k(BOUND, KTypes.of(["0.001", "0.002"], ["0.5", "0.5"]), 1)  # symbolic set-up, untimed

    timings = {}
    for size in (2, 200):
        start = time.perf_counter()
        big = optimal_menu_k(BOUND, instance(size, args.seed), OTHERS)
        certified = big.verified  # all K(K-1) IC, IR, feasibility and the KKT certificate
        timings[size] = time.perf_counter() - start
        print(f"K = {size}: solved and certified in {timings[size]:.3f} s, verified {certified}, "
              f"KKT residual {big.kkt_residual:.1e}, corrections {big.corrections}")
    print(f"ratio K=200 / K=2 = {timings[200] / timings[2]:.0f} (target: K=200 <= 10 s)")

    types = instance(20, args.seed)
    start = time.perf_counter()
    menu = optimal_menu_k(BOUND, types, OTHERS)
    solve = time.perf_counter() - start
    start = time.perf_counter()
    verified, violation = menu.verified, float(menu.max_violation)
    check = time.perf_counter() - start
    start = time.perf_counter()
    gain = max(d.gain for d in verify_menu_k(KScreeningMechanism(BOUND, types), menu))
    curve = time.perf_counter() - start
    print(f"K = 20: solve {solve:.3f} s (target <= 2 s), constraint check {check:.3f} s, "
          f"verified {verified}, max violation {violation:.2e}, KKT residual {menu.kkt_residual:.1e}")
    print(f"        curve best responses {curve:.3f} s, max gain {gain:.1e}; pooled {menu.pooled()}; "
          f"types with rent {sum(1 for r in menu.information_rents if r > 1e-12)}")

    small = instance(3, args.seed)
    start = time.perf_counter()
    menu3 = optimal_menu_k(BOUND, small, OTHERS)
    solve3 = time.perf_counter() - start
    brute = BruteForce(0.9, 10.0, [float(c) for c in small.costs], [float(p) for p in small.probs], OTHERS)
    start = time.perf_counter()
    best, _ = brute.search()
    brute_time = time.perf_counter() - start
    print(f"K = 3:  solver {solve3:.3f} s, expected data {float(menu3.expected_data):.12g}; "
          f"brute force {brute_time:.3f} s, {best:.12g} "
          f"(relative gap {(float(menu3.expected_data) - best) / float(menu3.expected_data):.1e})")
    print(f"ratios: K=20 solve / K=3 brute force = {solve / brute_time:.3f}; "
          f"K=3 brute force / K=3 solve = {brute_time / solve3:.0f}")


if __name__ == "__main__":
    main()
