"""``fedsym equilibrium --costs-file`` at large n: the command line against the library solve, and its memory.

Run: ``python benchmarks/cli_equilibrium_large_n.py [--n N] [--n-memory N] [--seed S]``

Prints, for seeded costs uniform in [1e-3, 2e-3] (one per line, 17 digits) and
the simplified accuracy (Eq. (3), a_opt = 0.95, k = 1), Eq. (13) with eps = 0:

1. at ``n`` (default 10^6): the library solve (``solve`` with its
   sampled verification, derivation already cached) against the whole command
   line (``python -m fedsym equilibrium --costs-file F``, a fresh process: start-up,
   derivation, reading and parsing the file, solve, output) with ``--summary`` and
   with ``--json`` to a file; target: command line <= 2x the solve.  The same
   command with 2 agents measures the part that does not grow with ``n``
   (interpreter start-up, imports, the symbolic derivation of Theorem 2.3 in a
   fresh process), and the ratio is also printed without it.  Also the file
   reader alone against ``numpy.loadtxt``;
2. at ``n-memory`` (default 10^7): the peak resident memory of the command line
   with ``--summary`` (``ru_maxrss`` of the child), target well under 1 GB; for
   scale, the costs alone take 8 bytes each.

All ratios are measured in the same run, so a loaded machine slows both sides.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fedsym.cli.equilibrium import read_costs_file
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import solve
from fedsym.paper.lone_agent import lone_agent_forms

PARAMS = {"a_opt": "0.95", "k": "1"}
ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "fedsym", "equilibrium", "--mechanism", "shaping", "--accuracy", "simplified",
           "--param", "a_opt=0.95", "--param", "k=1"]


def write_costs(path: Path, n: int, seed: int) -> None:
    """*n* costs uniform in [1e-3, 2e-3], written in slices (the writer's memory stays small)."""
    rng = np.random.default_rng(seed)
    with path.open("w") as handle:
        for start in range(0, n, 10**6):
            np.savetxt(handle, rng.uniform(1e-3, 2e-3, min(10**6, n - start)), fmt="%.17g")


def run_cli(*args: str, stdout: int | None = subprocess.DEVNULL) -> float:
    """Wall time of one command-line run (a fresh interpreter)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run([*COMMAND, *args], check=True, stdout=stdout, env=env)
    return time.perf_counter() - start


def peak_memory_mb(*args: str) -> float:
    """Peak resident memory (MB) of one command-line run, measured in a helper process of its own."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe, *COMMAND, *args], check=True, capture_output=True,
                         text=True, env=env)
    return int(out.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--n-memory", type=int, default=10**7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bound = accuracy_function("simplified").bind(PARAMS)
    lone_agent_forms(bound.function)
    with tempfile.TemporaryDirectory() as folder:
        costs_file = Path(folder) / "costs.txt"
        write_costs(costs_file, args.n, args.seed)
        print(f"n = {args.n}: {bound.label()}, costs uniform in [1e-3, 2e-3], file {costs_file.stat().st_size / 1e6:.0f} MB")
        start = time.perf_counter()
        costs = read_costs_file(str(costs_file))
        read = time.perf_counter() - start
        start = time.perf_counter()
        reference = np.loadtxt(costs_file)
        loadtxt = time.perf_counter() - start
        assert np.array_equal(costs, reference)
        print(f"  read_costs_file {read:7.3f} s   numpy.loadtxt {loadtxt:7.3f} s   ratio {read / loadtxt:.2f}")
        start = time.perf_counter()
        result = solve("shaping", (bound, costs))
        solved = time.perf_counter() - start
        print(f"  library solve + verification (warm)      {solved:7.3f} s   verified {result.verified}")
        fixed = run_cli("--costs", "0.001,0.002", "--summary")
        print(f"  command line with n = 2 (start-up + symbolic derivation)  {fixed:7.3f} s")
        summary = run_cli("--costs-file", str(costs_file), "--summary")
        print(f"  command line --summary (fresh process)   {summary:7.3f} s   ratio to solve {summary / solved:.2f} "
              f"(target <= 2); without the n = 2 overhead {(summary - fixed) / solved:.2f}")
        with (Path(folder) / "out.json").open("w") as out:
            full = run_cli("--costs-file", str(costs_file), "--json", stdout=out.fileno())
        size = (Path(folder) / "out.json").stat().st_size / 1e6
        print(f"  command line --json to a file ({size:.0f} MB)  {full:7.3f} s   ratio to solve {full / solved:.2f}; "
              f"without the n = 2 overhead {(full - fixed) / solved:.2f}")
        costs_file.unlink()
        if args.n_memory:
            write_costs(costs_file, args.n_memory, args.seed)
            peak = peak_memory_mb("--costs-file", str(costs_file), "--summary")
            print(f"n = {args.n_memory}: peak memory of the command line --summary {peak:7.0f} MB "
                  f"(costs alone {args.n_memory * 8 / 2**20:.0f} MB; target well under 1024 MB)")


if __name__ == "__main__":
    main()
