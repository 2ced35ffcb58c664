"""Options and output shared by the subcommands: ``--accuracy``, ``--param``, ``--json``."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fedsym.core.errors import ParameterError

if TYPE_CHECKING:
    from fedsym.model.accuracy import BoundAccuracy

__all__ = ["add_accuracy_arguments", "add_output_arguments", "bound_accuracy", "parse_params", "print_json",
           "print_machine_readable", "print_table", "shorten",
           "progress_to_stderr"]


def add_accuracy_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--accuracy A`` and repeatable ``--param NAME=VALUE``."""
    parser.add_argument("--accuracy", required=required, metavar="A",
                        help="simplified, generalization-bound, power-law, or an expression in m "
                        "(numbers, names, + - * / **, sqrt log ln exp atan tanh erf Abs Min Max, pi E)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="value of a parameter of the accuracy function (repeatable)")


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``--json`` (keys as in the documentation's command-line page) and ``--latex``."""
    parser.add_argument("--json", action="store_true", help="print JSON (keys as in the documentation's command-line page)")
    parser.add_argument("--latex", action="store_true", help="print the result as LaTeX")


def print_machine_readable(result: Any, args: argparse.Namespace) -> bool:
    """Print *result* as JSON or LaTeX when ``--json``/``--latex`` asks for it; True if printed."""
    if args.json:
        print_json(result.to_dict())
    elif args.latex:
        print(result.to_latex())
    return bool(args.json or args.latex)


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """``["k=1", "a_opt=0.95"]`` to a dict; a malformed or repeated item is an error naming it."""
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier() or not value:
            raise ParameterError(f"--param {item!r}: expected NAME=VALUE, e.g. --param k=1")
        if name in params:
            raise ParameterError(f"--param {name} is given twice")
        params[name] = value
    return params


def bound_accuracy(args: argparse.Namespace) -> BoundAccuracy:
    """The accuracy function of ``--accuracy`` bound to the ``--param`` values."""
    from fedsym.model.accuracy import accuracy_function  # imported on use: ``fedsym --help`` stays light

    return accuracy_function(args.accuracy).bind(parse_params(args.param))


def print_json(data: Any) -> None:
    """Print *data* as JSON on standard output; never ``Infinity`` or ``NaN``.

    A non-finite number raises :class:`ParameterError` naming its key (the
    inputs were beyond double precision) before anything is printed.  1-D
    numpy arrays (per-agent values at large ``n``) are written in slices with
    the same shortest round-trip digits as ``json``, without building a list
    of Python floats for the whole array.
    """
    where = _non_finite(data, "")
    if where is not None:
        raise ParameterError(f"--json: {where[0]} is {where[1]}, which JSON cannot hold "
                             "(an input is beyond the range of double precision)")
    arrays: list[np.ndarray] = []

    def skeleton(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            arrays.append(value)
            return _PLACEHOLDER.format(len(arrays) - 1)
        if isinstance(value, dict):
            return {key: skeleton(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [skeleton(item) for item in value]
        return value

    text = json.dumps(skeleton(data), indent=2, allow_nan=False)
    write = sys.stdout.write
    for number, array in enumerate(arrays):
        head, text = text.split(json.dumps(_PLACEHOLDER.format(number)), 1)
        write(head)
        write("[")
        for start in range(0, array.size, _SLICE):
            write((", " if start else "") + ", ".join(map(repr, array[start:start + _SLICE].tolist())))
        write("]")
    write(text + "\n")


#: stands for the i-th array in the JSON skeleton
_PLACEHOLDER = "\u0000array {}\u0000"
#: array elements formatted at a time
_SLICE = 1 << 16


def _non_finite(value: Any, path: str) -> tuple[str, str] | None:
    """``(key path, value)`` of the first inf or NaN in *value*, else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "a value", repr(value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(value))
        return (f"{path}[{bad[0]}]", repr(float(value.flat[bad[0]]))) if bad.size else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else ()
    for key, item in items:
        found = _non_finite(item, f"{path}.{key}" if isinstance(key, str) and path else
                            str(key) if isinstance(key, str) else f"{path}[{key}]")
        if found is not None:
            return found
    return None


def print_table(rows: Iterable[Sequence[Any] | str], header: Sequence[str] | None = None,
                max_width: int | None = None, limits: Sequence[int | None] | None = None) -> None:
    """A plain aligned text table.

    A row that is a ``str`` is a heading printed on its own line.  *limits*
    caps the width of each column (``None``: no cap); with *max_width* every
    line is cut to that many columns.  Cut text ends in ``...``.
    """
    items: list[str | list[str]] = [row if isinstance(row, str) else [str(cell) for cell in row] for row in rows]
    if header is not None:
        items.insert(0, list(header))
    cells = [row for row in items if isinstance(row, list)]
    if limits is not None:
        for row in cells:
            row[:] = [cell if limit is None else shorten(cell, limit) for cell, limit in zip(row, limits)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))] if cells else []
    if header is not None:
        items.insert(1, ["-" * w for w in widths])
    for item in items:
        line = item if isinstance(item, str) else "  ".join(cell.ljust(w) for cell, w in zip(item, widths))
        print(shorten(line.rstrip(), max_width) if max_width is not None else line.rstrip())


def gain_text(value: float) -> str:
    """A largest gain from deviating for the terminal: round-off (below ``GAIN_FLOOR``) as ``< 1e-14``, as in
    the LaTeX (:func:`fedsym.core.latex.format_gain`); otherwise three significant digits."""
    from fedsym.core.latex import GAIN_FLOOR  # here, not at the top: --help must not import sympy

    return "< 1e-14" if value != 0 and abs(value) < GAIN_FLOOR else f"{value:.3g}"


def shorten(text: str, width: int) -> str:
    """*text* cut to *width* characters, ending in ``...`` when cut."""
    return text if len(text) <= width else text[:width - 3] + "..."


def progress_to_stderr(command: str) -> Callable[[str], None]:
    """A progress callback printing ``fedsym COMMAND: message`` to standard error (stdout stays the result)."""
    def progress(message: str) -> None:
        print(f"fedsym {command}: {message}", file=sys.stderr, flush=True)
    return progress
