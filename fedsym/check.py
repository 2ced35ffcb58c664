"""The check registry behind ``fedsym check``: every closed form against independent numerics.

Each module of the paper layer that derives closed forms exposes
``checks() -> list[CheckRow]`` (rows of :class:`fedsym.core.checkrow.CheckRow`);
:data:`CHECKED_MODULES` lists them in the order ``fedsym check`` prints them,
and a test fails if a module defines ``checks()`` without being listed here.
"""

from __future__ import annotations

import importlib

from fedsym.core.checkrow import CheckRow

__all__ = ["CHECKED_MODULES", "run_checks"]

#: modules whose ``checks()`` make up ``fedsym check``, in print order
CHECKED_MODULES = (
    "fedsym.paper.lone_agent",
    "fedsym.paper.equilibrium",
    "fedsym.paper.best_response",
    "fedsym.paper.example_4_5",
    "fedsym.paper.screening.forms",
    "fedsym.paper.screening.k_types",
    "fedsym.paper.agents_that_differ.lone",
)


def run_checks() -> list[CheckRow]:
    """Every closed-form check of the package, in the order of :data:`CHECKED_MODULES`."""
    return [row for name in CHECKED_MODULES for row in importlib.import_module(name).checks()]
