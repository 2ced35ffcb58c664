"""Derivation outcomes on disk: the shipped derivation store, then the user's cache.

A *derivation* is a symbolic computation whose outcome is a few named values
(sympy expressions, ``None`` or notes), such as the validated closed forms of
Theorem 2.3 for one accuracy function.  :func:`derivation` looks its outcome up

1. in the **shipped store** (``fedsym/core/derivations.json``, package data): the
   built-in families and the paper's worked examples, derived once with a
   generous time budget by ``python scripts/regenerate_store.py``
   (:func:`regenerate`) and checked in CI against a fresh derivation.  Their
   outcome never depends on the machine's speed or ``FEDSYM_SYMBOLIC_TIMEOUT``;
2. in the **user cache** (:func:`cache_dir`: ``$FEDSYM_CACHE_DIR``, else the
   platform's user cache directory), keyed by the canonical description of the
   derivation, the fedsym and sympy versions and the time budget.  Off with
   ``fedsym --no-cache``, ``FEDSYM_NO_CACHE=1`` or :func:`set_cache_enabled`;
3. else it derives, and writes the outcome to the user cache (atomically:
   a temporary file then :func:`os.replace`).

Files are JSON; expressions are read back through an allow-list
(:mod:`fedsym.core.serialize`), never ``eval`` or ``pickle``, so a planted file
cannot run code.  An entry that is corrupt, of another schema or version, or
written for another key is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import sympy as sp

from fedsym.core.serialize import SerializationError, decode, encode
from fedsym.core.settings import current_settings, set_settings, using_settings
from fedsym.core.solve import fixed_budget

__all__ = ["Outcome", "SCHEMA", "STORE_PATH", "STORE_BUDGET", "cache_dir", "cache_enabled", "set_cache_enabled",
           "derivation", "regenerate", "store_entries", "recording", "disabled", "read_user_file", "write_user_file"]

#: what a derivation produces: named closed forms (or None) and notes
Outcome = dict[str, "sp.Expr | str | None"]

#: version of the file format; entries of another schema are ignored
SCHEMA = 1

#: the shipped derivation store (package data)
STORE_PATH = Path(__file__).with_name("derivations.json")

#: seconds each symbolic attempt may take when the store is generated
STORE_BUDGET = 120.0

_use_store = True
_recorded: dict[str, dict[str, Any]] | None = None


def cache_enabled() -> bool:
    """Whether derivations read and write the user cache: ``current_settings().cache``
    (the shipped store is always read)."""
    return current_settings().cache


def set_cache_enabled(enabled: bool) -> None:
    """Turn the user cache on or off for the rest of the context (prefer ``using_settings(cache=...)``)."""
    set_settings(cache=bool(enabled))


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Within the block the user cache is neither read nor written: ``using_settings(cache=False)``."""
    with using_settings(cache=False):
        yield


def cache_dir() -> Path:
    """The user cache directory of fedsym.

    ``current_settings().cache_dir`` (env ``$FEDSYM_CACHE_DIR``) if set; else ``%LOCALAPPDATA%\\fedsym\\Cache`` on Windows,
    ``~/Library/Caches/fedsym`` on macOS and ``$XDG_CACHE_HOME/fedsym`` (default
    ``~/.cache/fedsym``) elsewhere.
    """
    override = current_settings().cache_dir
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "fedsym" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "fedsym"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fedsym"


@functools.lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    try:
        fedsym_version = importlib.metadata.version("fedsym")
    except importlib.metadata.PackageNotFoundError:
        fedsym_version = "unknown"
    return {"fedsym": fedsym_version, "sympy": sp.__version__}


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _encode_outcome(outcome: Outcome) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    for name, value in outcome.items():
        if value is None or isinstance(value, str):
            encoded[name] = value
        else:
            encoded[name] = {"expr": encode(value)}
    return encoded


def _decode_outcome(data: Any, fields: tuple[str, ...]) -> Outcome:
    if not isinstance(data, dict) or sorted(data) != sorted(fields):
        raise SerializationError("an outcome must be an object with the derivation's fields")
    outcome: Outcome = {}
    for name, value in data.items():
        if value is None or isinstance(value, str):
            outcome[name] = value
        elif isinstance(value, dict) and set(value) == {"expr"}:
            outcome[name] = decode(value["expr"])
        else:
            raise SerializationError(f"outcome {name!r} is neither an expression, a note nor null")
    return outcome


@functools.lru_cache(maxsize=1)
def _store() -> dict[str, Any]:
    try:
        data = json.loads(STORE_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("entries"), dict):
        return {}
    return data["entries"]


def store_entries() -> dict[str, Any]:
    """The shipped store's entries, by digest of their description (read once)."""
    return dict(_store())


def _from_store(digest: str, key: Mapping[str, Any], fields: tuple[str, ...]) -> Outcome | None:
    entry = _store().get(digest) if _use_store else None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    try:
        return _decode_outcome(entry.get("outcome"), fields)
    except (SerializationError, RecursionError):
        return None


def _read(path: Path, header: Mapping[str, Any], fields: tuple[str, ...]) -> Outcome | None:
    """The outcome stored at *path* if it is a well-formed entry for *header*, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(data, dict) or any(data.get(name) != value for name, value in header.items()):
        return None
    try:
        return _decode_outcome(data.get("outcome"), fields)
    except (SerializationError, RecursionError):
        return None


def _write(path: Path, data: Mapping[str, Any]) -> None:
    """Write *data* as JSON to *path* atomically (temporary file in the same folder, then replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, sort_keys=True, indent=1)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


#: largest user-cache file :func:`read_user_file` reads (bytes)
MAX_USER_FILE = 64 * 2**20


def _user_path(name: str) -> Path:
    if not name or name != Path(name).name or name.startswith("."):
        raise ValueError(f"cache file name {name!r} must be a plain file name")
    return cache_dir() / name


def read_user_file(name: str, check: Callable[[Any], bool]) -> Any | None:
    """The JSON data of the user-cache file *name* if the cache is on, the file is readable and *check* accepts it.

    For caches other than derivations (e.g. the LCDB index).  The folder is
    :func:`cache_dir` (so ``FEDSYM_CACHE_DIR`` is honoured), nothing is read
    under ``--no-cache``, a file over :data:`MAX_USER_FILE` bytes is ignored,
    and *check* (which must verify the data against its source, not only its
    shape) returning False or raising means "rebuild": None is returned.
    """
    if not current_settings().cache:
        return None
    path = _user_path(name)
    try:
        if path.stat().st_size > MAX_USER_FILE:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    try:
        return data if check(data) else None
    except (ArithmeticError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None


def write_user_file(name: str, data: Any) -> None:
    """Write *data* as JSON to the user-cache file *name* atomically; nothing under ``--no-cache``; OSError ignored."""
    if not current_settings().cache:
        return
    with contextlib.suppress(OSError):
        _write(_user_path(name), data)


def derivation(kind: str, description: Mapping[str, Any], derive: Callable[[], Outcome], fields: tuple[str, ...],
               check: Callable[[Outcome], bool] | None = None) -> Outcome:
    """The outcome of the derivation *kind* described by *description*: shipped store, user cache, or *derive()*.

    *description* is the canonical, JSON-ready description of the derivation's input
    (e.g. ``srepr`` of the accuracy expression and its parameter ranges); equal
    descriptions must mean equal outcomes.  The user cache is also keyed by the
    fedsym and sympy versions and the settings (:meth:`Settings.key`: precision,
    symbolic time budget, agreement tolerances).  *fields* are the
    names the outcome has; an entry with other names is ignored.  An outcome
    that cannot be serialized is returned but not stored.

    The user cache is a file anyone may edit: an outcome read from it is
    believed only if *check* (a cheap re-validation, e.g. the closed form at
    its sample points against the numeric solver) returns True on it; otherwise,
    or if *check* raises, it is derived afresh and rewritten.
    """
    key = {"kind": kind, **description}
    digest = _digest(key)
    outcome = _from_store(digest, key, fields)
    if outcome is None:
        settings = current_settings()
        header = {"schema": SCHEMA, "key": key, **_versions(), "budget": settings.symbolic_timeout,
                  "settings": settings.key()}
        path = cache_dir() / f"{kind}-{_digest(header)[:40]}.json"
        outcome = _read(path, header, fields) if settings.cache else None
        if outcome is not None and check is not None and not _believed(check, outcome):
            outcome = None
        if outcome is None:
            outcome = derive()
            if settings.cache:
                with contextlib.suppress(OSError, SerializationError, RecursionError):
                    _write(path, {**header, "outcome": _encode_outcome(outcome)})
    if _recorded is not None:
        _recorded[digest] = {"key": key, "outcome": _encode_outcome(outcome)}
    return outcome


def _believed(check: Callable[[Outcome], bool], outcome: Outcome) -> bool:
    """Whether a cached *outcome* passes its re-validation (a check that fails on it says no)."""
    try:
        return bool(check(outcome))
    except (ArithmeticError, ValueError, TypeError, ZeroDivisionError, RecursionError):
        return False


@contextlib.contextmanager
def recording(budget: float = STORE_BUDGET) -> Iterator[dict[str, dict[str, Any]]]:
    """Derive afresh (no store, no cache) with *budget* seconds per attempt, recording every outcome.

    Yields the dictionary that fills with store entries (digest -> key and outcome).
    In-memory caches of derived forms must be cleared by the caller first.
    """
    global _recorded, _use_store
    saved = _recorded, _use_store
    _recorded, _use_store = {}, False
    try:
        with fixed_budget(budget), using_settings(cache=False):
            yield _recorded
    finally:
        _recorded, _use_store = saved


def regenerate(derive_all: Callable[[], None], path: Path = STORE_PATH, budget: float = STORE_BUDGET) -> dict[str, Any]:
    """Run *derive_all* (every built-in derivation) afresh with *budget* seconds per attempt; write the store to *path*."""
    with recording(budget) as entries:
        derive_all()
    data = {"schema": SCHEMA, "budget": budget, **_versions(), "entries": dict(sorted(entries.items()))}
    _write(path, data)
    _store.cache_clear()
    return data
