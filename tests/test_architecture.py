"""The package's shape (issue 9; ARCHITECTURE.md): layers, no import cycles, one public front.

Imports are read with :mod:`ast` from the source (every ``import`` statement,
including those inside functions), so the test sees what a newcomer reading
the code sees.  The same contract is written for import-linter in
``pyproject.toml`` (``lint-imports`` in CI).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import pkgutil

import pytest

import fedsym
from fedsym.check import CHECKED_MODULES

pytestmark = pytest.mark.timeout(120)

ROOT = pathlib.Path(fedsym.__file__).parent

#: layer of each top-level part of the package, ground floor first (ARCHITECTURE.md)
LAYERS = {"core": 1, "model": 2, "paper": 3, "check": 4, "report": 4, "cli": 5, "__main__": 6}


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: pathlib.Path) -> set[str]:
    """fedsym modules (or packages) that *path* imports, resolved to absolute names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "fedsym" or m.startswith("fedsym.")}


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
EDGES = {name: {t for t in _imports(path) if t in MODULES and t != name} for name, path in MODULES.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_module_belongs_to_a_layer():
    """Each module lives in a layer's folder; only the front (``fedsym/__init__``) stands outside."""
    outside = sorted(m for m in MODULES if _layer(m) is None and m != "fedsym")
    assert outside == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) is not None))
def test_imports_only_own_or_lower_layers(module):
    """A module imports only from its own layer or the ones below, never the front (ARCHITECTURE.md)."""
    mine = _layer(module)
    assert mine is not None
    for target in EDGES[module]:
        theirs = _layer(target)
        assert theirs is not None, f"{module} imports the front {target}; import the defining module"
        assert theirs < mine or (theirs == mine and target.split(".")[1] == module.split(".")[1]), \
            f"{module} (layer {mine}) imports {target} (layer {theirs})"


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_import_cycle():
    """No chain of imports among fedsym modules leads back to where it started."""
    assert _cycle(EDGES) is None, " -> ".join(_cycle(EDGES) or [])


def test_cycle_detector_finds_a_planted_cycle():
    """The detector itself can fail: plant core.errors -> core.symbols -> core.errors."""
    planted = {name: set(targets) for name, targets in EDGES.items()}
    planted["fedsym.core.errors"].add("fedsym.core.symbols")
    planted["fedsym.core.symbols"].add("fedsym.core.errors")
    assert _cycle(planted) is not None


def test_public_front_exports_every_name_once():
    """Every name in ``fedsym.__all__`` imports, and none is listed twice (a missing comma fuses two names)."""
    assert len(fedsym.__all__) == len(set(fedsym.__all__))
    for name in fedsym.__all__:
        assert hasattr(fedsym, name), name


def test_every_checks_function_is_registered():
    """``fedsym check`` runs every module's ``checks()``: a module that defines one but is not registered fails."""
    defining = set()
    for info in pkgutil.walk_packages([str(ROOT / "paper")], "fedsym.paper."):
        module = importlib.import_module(info.name)
        if inspect.isfunction(getattr(module, "checks", None)) and module.checks.__module__ == info.name:
            defining.add(info.name)
    assert defining == set(CHECKED_MODULES)

