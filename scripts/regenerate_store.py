"""Regenerate the shipped derivation store ``fedsym/core/derivations.json`` (Issue 15).

Runs every derivation of ``fedsym check`` and of the report (``derivations/``)
afresh, with a generous time budget per symbolic attempt (default 120 s) and
neither the old store nor the user cache, and writes what each produced.
Run it after changing a derivation; CI re-derives and compares
(tests/test_derivation_store.py).

    python scripts/regenerate_store.py [--budget SECONDS] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from fedsym.check import run_checks
from fedsym.core.cache import STORE_BUDGET, STORE_PATH, regenerate
from fedsym.report import run_report

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"


def derive_all() -> None:
    """Every built-in derivation: those of ``fedsym check`` and of the worked examples."""
    run_checks()
    with tempfile.TemporaryDirectory() as out:
        run_report(DERIVATIONS, Path(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=STORE_BUDGET, help="seconds per symbolic attempt")
    parser.add_argument("--out", type=Path, default=STORE_PATH, help="where to write the store")
    args = parser.parse_args(argv)
    data = regenerate(derive_all, args.out, args.budget)
    print(f"wrote {len(data['entries'])} derivations to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
