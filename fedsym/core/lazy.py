"""Lazy package fronts (PEP 562): a name is imported from its defining module on first access.

A front lists each public name with the module that defines it (``"module"``,
or ``"module:attribute"`` when the front gives it another name); importing the
front imports none of them, so ``import fedsym`` and ``fedsym --help`` do not
load sympy.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_front"]


def lazy_front(package: str, table: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of *package*, resolving the names of *table*.

    Parameters
    ----------
    package : str
        The front's module name (its ``__name__``); a resolved name is stored in its namespace.
    table : Mapping[str, str]
        Public name -> ``"defining.module"`` or ``"defining.module:attribute"``.
    """
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attribute = table[name].partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
