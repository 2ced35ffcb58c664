"""The check registry behind ``fedsym check``: every closed form against independent numerics.

Each module of the paper layer that derives closed forms exposes
``checks() -> list[CheckRow]`` (rows of :class:`fedsym.core.checkrow.CheckRow`);
:data:`CHECKED_MODULES` lists them in the order ``fedsym check`` prints them,
and a test fails if a module defines ``checks()`` without being listed here.
A module whose import or ``checks()`` raises gives one failed row naming the
module and the error, and the other modules' rows are still computed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import mpmath as mp

from fedsym.core.checkrow import CheckRow

__all__ = ["CHECKED_MODULES", "run_checks", "crashed_row"]

#: modules whose ``checks()`` make up ``fedsym check``, in print order
CHECKED_MODULES = (
    "fedsym.paper.lone_agent",
    "fedsym.paper.equilibrium",
    "fedsym.paper.best_response",
    "fedsym.paper.example_4_5",
    "fedsym.paper.welfare",
    "fedsym.paper.screening.forms",
    "fedsym.paper.screening.k_types",
    "fedsym.paper.agents_that_differ.lone",
    "fedsym.paper.statics",
    "fedsym.paper.population_statics",
    "fedsym.paper.screening_statics",
    "fedsym.paper.shapley",
    "fedsym.paper.realfm",
)


def run_checks(progress: Callable[[str], None] | None = None) -> list[CheckRow]:
    """Every closed-form check of the package, in the order of :data:`CHECKED_MODULES`.

    *progress*, if given, is called with ``"[i/n] module"`` before each module's checks run.
    """
    rows: list[CheckRow] = []
    for number, name in enumerate(CHECKED_MODULES, start=1):
        if progress is not None:
            progress(f"[{number}/{len(CHECKED_MODULES)}] {name}")
        try:
            rows.extend(importlib.import_module(name).checks())
        except Exception as error:  # noqa: BLE001 -- any crash of one module is that module's failed row
            rows.append(crashed_row(name, error))
    return rows


def crashed_row(module: str, error: BaseException) -> CheckRow:
    """A failed row for *module* whose checks raised *error* (relative error 1 against tolerance 0)."""
    message = " ".join(str(error).split())[:200]
    return CheckRow(f"{module}.checks()", module, "checks() crashed", mp.mpf(1), mp.mpf(0),
                    f"crashed: {type(error).__name__}: {message}", mp.mpf(0))
