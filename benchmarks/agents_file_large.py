"""Reading an agents file of 10^5 records (issue 18: <= 10 s), with the ratio against 10^3 records in the same run.

Run: ``.venv/bin/python benchmarks/agents_file_large.py [N]``.  Records cycle through four kinds (two accuracies,
three costs, two values, distinct names), as a real file of many agents of a few types would.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from fedsym.model.agent import load_agents

KINDS = [
    {"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": 0.001},
    {"accuracy": "simplified", "params": {"a_opt": 0.9, "k": 2}, "cost": "0.001*m + 1e-7*m**2"},
    {"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.002*m", "value": "a**2"},
    {"accuracy": "a_opt - k/m", "params": {"a_opt": 0.9, "k": 3}, "cost": 0.003, "joining_cost": 0.01},
]


def seconds_to_read(n: int, folder: Path) -> float:
    path = folder / f"agents_{n}.json"
    path.write_text(json.dumps([dict(KINDS[i % len(KINDS)], name=f"agent {i}") for i in range(n)]))
    start = time.perf_counter()
    population = load_agents(str(path))
    elapsed = time.perf_counter() - start
    assert population.size == n
    return elapsed


def main() -> None:
    large = int(sys.argv[1]) if len(sys.argv) > 1 else 10**5
    with tempfile.TemporaryDirectory() as folder:
        small_time = seconds_to_read(10**3, Path(folder))
        large_time = seconds_to_read(large, Path(folder))
    print(f"read + Population of 1000 records: {small_time:.2f} s")
    print(f"read + Population of {large} records: {large_time:.2f} s (target <= 10 s)")
    print(f"ratio: {large_time / small_time:.1f} for {large // 1000}x the records")


if __name__ == "__main__":
    main()
