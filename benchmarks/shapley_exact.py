"""Exact Shapley values for n = 6000 agents in two groups of equal contributions (Model §11 item 6, issue 22).

Run: ``python benchmarks/shapley_exact.py [--n N]``

Coalition value ``V(S) = a(sum_{j in S} m_j)`` of Eq. (3) (a_opt 0.95, k 1); half the agents give 50 points,
half 200.  The exact values count coalitions per group: ``2 (n/2) (n/2 + 1)`` classes (1.8e7 at n = 6000).
In the same run, for n = 60 and for n (default 6000): the fastest of three computations, the number of
classes, and the efficiency residual ``|sum phi_i - V(N)| / V(N)``.  Prints the time at n (target <= 2 s)
and the ratio to n = 60.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fedsym.model.accuracy import accuracy_function
from fedsym.paper.shapley import shapley_values

#: computations timed per n; the fastest counts (the machine is shared)
REPEATS = 3


def measure(n: int) -> tuple[float, int, float]:
    """Seconds for the exact Shapley values of n agents in two groups, the classes, the efficiency residual."""
    worth = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}).a_np
    m = np.r_[np.full(n // 2, 50.0), np.full(n - n // 2, 200.0)]
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        phi = shapley_values(m, worth)
        times.append(time.perf_counter() - start)
    assert phi.exact
    full = float(worth(np.array([m.sum()]))[0])
    return min(times), phi.classes, abs(float(phi.values.sum()) - full) / full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6000)
    args = parser.parse_args()
    rows = {n: measure(n) for n in (60, args.n)}
    for n, (seconds, classes, residual) in rows.items():
        print(f"  n = {n:<6d} {classes:>10d} classes   {seconds:8.3f} s   |sum phi - V(N)|/V(N) = {residual:.1e}")
    print(f"  n = {args.n}: {rows[args.n][0]:.3f} s (target <= 2 s); ratio to n = 60: {rows[args.n][0] / rows[60][0]:.0f}")


if __name__ == "__main__":
    main()
