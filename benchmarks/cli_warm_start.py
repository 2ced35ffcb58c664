"""Benchmark: warm command-line calls against start-up (Issue 8).

In one run, with a fresh temporary ``FEDSYM_CACHE_DIR``, times (best of
``--repeat`` wall-clock runs of a fresh interpreter each):

* ``python -c pass`` (the bare interpreter), importing sympy, mpmath and numpy
  (what any computing call must load) and ``fedsym --help`` (start-up: the
  interpreter and the command line, which imports no sympy);
* ``fedsym individual --json`` for each built-in family, warm (the shipped
  store answers), and for a user expression cold (empty cache: derived) and
  warm (the user cache answers), and with ``--no-cache``;
* ``fedsym check`` cold (empty cache) and warm.

Prints each time and its ratio to ``fedsym --help``.  Targets: warm
``individual`` <= 2x start-up; warm ``fedsym check`` <= 15 s.

Run: ``python benchmarks/cli_warm_start.py [--repeat R] [--no-check]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

POINTS = {
    "simplified": ("--param", "a_opt=0.95", "--param", "k=1"),
    "generalization-bound": ("--param", "a_opt=0.95", "--param", "k=1"),
    "power-law": ("--param", "a_opt=0.9", "--param", "tau=0.1", "--param", "beta=1", "--param", "alpha=0.5"),
}
USER = ("--accuracy", "a_opt - 4*sqrt(k/m)", "--param", "a_opt=0.9", "--param", "k=2")


def timed(args: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def best(args: Sequence[str], env: dict[str, str], repeat: int) -> float:
    return min(timed(args, env) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per warm measurement (the best is kept)")
    parser.add_argument("--no-check", action="store_true", help="skip the (slow) fedsym check timings")
    args = parser.parse_args()
    fedsym = [sys.executable, "-m", "fedsym"]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "FEDSYM_CACHE_DIR": folder}
        env.pop("FEDSYM_NO_CACHE", None)
        rows = [("python -c pass", best([sys.executable, "-c", "pass"], env, args.repeat)),
                ("python -c 'import sympy, mpmath, numpy' (floor of any computing call)",
                 best([sys.executable, "-c", "import sympy, mpmath, numpy"], env, args.repeat))]
        startup = best([*fedsym, "--help"], env, args.repeat)
        rows.append(("fedsym --help (start-up)", startup))
        for family, params in POINTS.items():
            command = [*fedsym, "individual", "--accuracy", family, *params, "--cost", "0.001", "--json"]
            rows.append((f"individual {family} (warm: shipped store)", best(command, env, args.repeat)))
        user = [*fedsym, "individual", *USER, "--cost", "0.001", "--json"]
        rows.append(("individual user expression, --no-cache", timed([*fedsym, "--no-cache", *user[3:]], env)))
        rows.append(("individual user expression, cold", timed(user, env)))
        rows.append(("individual user expression, warm", best(user, env, args.repeat)))
        if not args.no_check:
            with tempfile.TemporaryDirectory() as empty:
                rows.append(("check, cold (empty user cache)", timed([*fedsym, "check"], {**env, "FEDSYM_CACHE_DIR": empty})))
            timed([*fedsym, "check"], env)  # fill the cache
            rows.append(("check, warm", timed([*fedsym, "check"], env)))
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.2f} s  {seconds / startup:5.2f}x start-up")


if __name__ == "__main__":
    main()
