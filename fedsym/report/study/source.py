"""A study file as text and data: TOML read with the standard library, every key with its line.

``tomllib`` (Python 3.11+, ``tomli`` before) gives the data but no line numbers,
so :func:`key_lines` finds each key's line by scanning the text: table headers
(``[a.b]``, ``[[a.b]]``, counted per array of tables), ``key = value`` lines
(dotted and quoted keys included) and the keys of an inline table on the same
line.  Every input error is :class:`~fedsym.core.errors.InputFileError`
``"FILE:LINE: KEY: message"`` (:meth:`StudyFile.error`); a missing key names the
line of its table.  The text is data: nothing in it is executed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fedsym.core.errors import InputFileError
from fedsym.core.files import require_regular_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli (a dependency there)
    import tomli as tomllib

__all__ = ["Key", "StudyFile", "Table", "key_lines", "key_text", "read_study_file"]

#: a key path: table and key names, and the position in an array (``population.agents[1].cost``)
Key = tuple[str | int, ...]

#: largest study file read (a study is a page of settings)
MAX_BYTES = 1 << 20

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_PART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_ARRAY_TABLE = re.compile(rf"\[\[\s*({_DOTTED})\s*\]\]")
_TABLE = re.compile(rf"\[\s*({_DOTTED})\s*\]")
_ASSIGNMENT = re.compile(rf"({_DOTTED})\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")


def _parts(dotted: str) -> tuple[str, ...]:
    """``a."b.c".d`` as ``("a", "b.c", "d")``."""
    return tuple(part.strip()[1:-1] if part.strip()[:1] in "\"'" else part.strip()
                 for part in re.findall(_PART, dotted))


def key_lines(text: str) -> dict[Key, int]:
    """The line (from 1) where each key or table of a TOML text is first written.

    >>> lines = key_lines('[accuracy]\\nfamily = "simplified"\\nparams = { a_opt = 0.9, k = 1 }\\n')
    >>> lines[("accuracy",)], lines[("accuracy", "family")], lines[("accuracy", "params", "k")]
    (1, 2, 3)
    """
    lines: dict[Key, int] = {}
    table: Key = ()
    counts: dict[Key, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        array = _ARRAY_TABLE.match(stripped)
        plain = None if array else _TABLE.match(stripped)
        if array or plain:
            path: Key = _parts((array or plain).group(1))  # type: ignore[union-attr]
            if array:
                counts[path] = counts.get(path, -1) + 1
                lines.setdefault(path, number)
                path = (*path, counts[path])
            table = path
            lines.setdefault(table, number)
            continue
        assignment = _ASSIGNMENT.match(stripped)
        if assignment is None:
            continue
        key: Key = (*table, *_parts(assignment.group(1)))
        lines.setdefault(key, number)
        for inner in _INLINE_KEY.finditer(stripped, assignment.end()):
            lines.setdefault((*key, *_parts(inner.group(1))), number)
    return lines


def key_text(key: Key) -> str:
    """``("population", "agents", 1, "cost")`` as ``population.agents[1].cost``."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class StudyFile:
    """The text of a study file, its data and the line of every key."""

    path: Path
    text: str
    data: dict[str, Any]
    lines: Mapping[Key, int]

    @property
    def folder(self) -> Path:
        """Where relative paths in the file (a CSV, an agents file) start."""
        return self.path.parent

    def line(self, key: Key) -> int:
        """The line of *key*, else of its nearest written ancestor (a missing key: its table), else the last line."""
        for end in range(len(key), 0, -1):
            if key[:end] in self.lines:
                return self.lines[key[:end]]
        return max(1, self.text.count("\n") + (not self.text.endswith("\n")))

    def error(self, key: Key, message: str) -> InputFileError:
        """``FILE:LINE: KEY: message`` as an :class:`InputFileError`."""
        return InputFileError(f"{self.path}:{self.line(key)}: {key_text(key)}: {message}")

    def root(self, known: Sequence[str]) -> Table:
        """The top level, refusing keys outside *known*."""
        return Table(self, (), self.data, known)


def read_study_file(path: str | Path) -> StudyFile:
    """Read and parse a study file; a syntax error names the file and TOML's line and column."""
    path = Path(path)
    where = f"study file {path}"
    require_regular_file(str(path), where)
    try:
        raw = path.read_bytes()[:MAX_BYTES + 1]
        text = raw.decode("utf-8")
    except OSError as error:
        raise InputFileError(f"{where}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{where}: not UTF-8 text") from None
    if len(raw) > MAX_BYTES:
        raise InputFileError(f"{where}: larger than {MAX_BYTES} bytes (a study file is a page of settings)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputFileError(f"{where}: not valid TOML: {error}") from None
    except RecursionError:
        raise InputFileError(f"{where}: arrays or tables nested too deeply (a study file is a page of settings)") \
            from None
    return StudyFile(path, text, data, key_lines(text))


_TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", float: "a number", list: "an array",
               dict: "a table"}


@dataclass(frozen=True)
class Table:
    """One table of a study file, read key by key with its type checked; unknown keys are refused."""

    file: StudyFile
    key: Key
    data: Mapping[str, Any]
    known: Sequence[str]

    def __post_init__(self) -> None:
        for name in self.data:
            if name not in self.known:
                raise self.file.error((*self.key, name), f"unknown key (known here: {', '.join(self.known)})")

    def has(self, name: str) -> bool:
        return name in self.data

    def error(self, name: str | int, message: str) -> InputFileError:
        return self.file.error((*self.key, name), message)

    def value(self, name: str, kinds: tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        """The value of *name* if its type is one of *kinds* (a bool is not a number); *default* when absent."""
        if name not in self.data:
            if required:
                raise self.error(name, "missing")
            return default
        value = self.data[name]
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            wanted = " or ".join(_TYPE_NAMES.get(kind, kind.__name__) for kind in kinds)
            raise self.error(name, f"expected {wanted}, got {_TYPE_NAMES.get(type(value), type(value).__name__)}")
        return value

    def number(self, name: str, default: Any = None, required: bool = False) -> Any:
        """A number, or a string holding one (exact decimals: ``"0.001"``), left to the model's parsers."""
        return self.value(name, (int, float, str), default, required)

    def strings(self, name: str, default: Sequence[str] = (), required: bool = False) -> tuple[str, ...]:
        """An array of strings."""
        items = self.value(name, (list,), None, required)
        if items is None:
            return tuple(default)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self.file.error((*self.key, name, index), "expected a string")
        return tuple(items)

    def numbers(self, name: str, required: bool = False) -> tuple[Any, ...]:
        """An array of numbers (or strings holding them)."""
        items = self.value(name, (list,), None, required) or []
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (int, float, str)):
                raise self.file.error((*self.key, name, index), "expected a number")
        return tuple(items)

    def table(self, name: str, known: Sequence[str], required: bool = False) -> Table | None:
        """The sub-table *name* (None when absent and not *required*)."""
        data = self.value(name, (dict,), None, required)
        return None if data is None else Table(self.file, (*self.key, name), data, known)

    def tables(self, name: str, known: Sequence[str]) -> tuple[Table, ...]:
        """An array of tables (``[[name]]`` or ``name = [{...}, ...]``)."""
        items = self.value(name, (list,), None) or []
        tables = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.file.error((*self.key, name, index), "expected a table")
            tables.append(Table(self.file, (*self.key, name, index), item, known))
        return tuple(tables)
