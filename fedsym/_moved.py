"""Deprecated module paths of fedsym 0.1 (flat layout), kept importable with a warning.

fedsym 0.2 put its modules into layers (``fedsym.core``, ``fedsym.model``,
``fedsym.paper``, the outer ring).  ``import fedsym.agent`` and the other old
paths still work: a meta-path finder hands out the new module under the old
name and emits a :class:`DeprecationWarning` that names the new path.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

__all__ = ["MOVED"]

#: old module path -> new module path
MOVED = {
    "fedsym.symbols": "fedsym.core.symbols",
    "fedsym.errors": "fedsym.core.errors",
    "fedsym.solve": "fedsym.core.solve",
    "fedsym.derived": "fedsym.core.derived",
    "fedsym.latex": "fedsym.core.latex",
    "fedsym.accuracy": "fedsym.model.accuracy",
    "fedsym.agent": "fedsym.paper.lone_agent",
    "fedsym.mechanisms": "fedsym.paper.mechanisms",
    "fedsym.deviation": "fedsym.paper.deviation",
    "fedsym.equilibrium": "fedsym.paper.equilibrium",
    "fedsym.example_4_5": "fedsym.paper.example_4_5",
    "fedsym.screening": "fedsym.paper.screening.result",
    "fedsym.screening_menu": "fedsym.paper.screening.menu",
    "fedsym.screening_curve": "fedsym.paper.screening.curve",
    "fedsym.screening_forms": "fedsym.paper.screening.forms",
    "fedsym.screening_many": "fedsym.paper.screening.many",
}


class _Alias(importlib.abc.Loader):
    """Loads an old path as the (already importable) new module."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(f"{spec.name} is deprecated; import {self.new} (or from fedsym directly)",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the new module is already executed."""


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        return None if new is None else importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Put the finder on :data:`sys.meta_path` once."""
    if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
