"""The accuracy block: an accuracy function and its parameter values as data (Model §10).

``fedsym fit --json`` writes the chosen fit as ``"accuracy": {"family":
"simplified", "params": {"a_opt": "0.9512", "k": "3.1"}}`` (``"expression"``
instead of ``"family"`` for a user expression).  The values are exact decimal
strings (each float's shortest round-trip ``repr``), so binding the block gives
the very accuracy function the fit used downstream.  An agents file's record,
``fedsym individual --from-fit FILE`` and a study file read the block as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fedsym.core.errors import FedsymError, InputFileError, ParameterError
from fedsym.core.files import require_regular_file
from fedsym.model.accuracy import FAMILIES, AccuracyFunction, BoundAccuracy, accuracy_function

__all__ = ["BLOCK_KEYS", "accuracy_block", "read_accuracy_block", "load_accuracy_block"]

#: keys of an accuracy block: exactly one of family and expression, and params
BLOCK_KEYS = ("family", "expression", "params")


def accuracy_block(function: AccuracyFunction, values: Mapping[str, float]) -> dict[str, Any]:
    """The block of *function* bound to *values* (floats written as exact decimal strings).

    >>> from fedsym.model.accuracy import accuracy_function
    >>> accuracy_block(accuracy_function("simplified"), {"a_opt": 0.95, "k": 1.0})
    {'family': 'simplified', 'params': {'a_opt': '0.95', 'k': '1.0'}}
    """
    kind = "family" if function.name in FAMILIES else "expression"
    return {kind: function.name, "params": {name: repr(float(value)) for name, value in values.items()}}


def read_accuracy_block(block: Any, where: str = "accuracy") -> BoundAccuracy:
    """The accuracy function of a block; a bad block raises :class:`ParameterError` ``"{where}.KEY: ..."``.

    A family must be one of :data:`~fedsym.model.accuracy.FAMILIES` (a typo is
    not read as an expression); an expression goes through the safe parser.
    """
    if not isinstance(block, Mapping):
        raise ParameterError(f"{where}: expected an object with 'family' or 'expression' and 'params'")
    unknown = sorted(set(block) - set(BLOCK_KEYS))
    if unknown:
        raise ParameterError(f"{where}.{unknown[0]}: unknown key (known: {', '.join(BLOCK_KEYS)})")
    kinds = [key for key in ("family", "expression") if key in block]
    if len(kinds) != 1:
        raise ParameterError(f"{where}: give exactly one of 'family' and 'expression'")
    kind = kinds[0]
    text = block[kind]
    if not isinstance(text, str):
        raise ParameterError(f"{where}.{kind}: {text!r} is not a string")
    if kind == "family" and text not in FAMILIES:
        raise ParameterError(f"{where}.family: unknown family {text!r} (families: {', '.join(FAMILIES)})")
    params = block.get("params", {})
    if not isinstance(params, Mapping):
        raise ParameterError(f"{where}.params: expected an object of parameter values")
    try:
        function = accuracy_function(text)
    except FedsymError as error:
        raise ParameterError(f"{where}.{kind}: {error}") from None
    try:
        return function.bind(dict(params))
    except FedsymError as error:
        raise ParameterError(f"{where}.params: {error}") from None


def load_accuracy_block(path: str) -> BoundAccuracy:
    """The accuracy of a JSON file: the output of ``fedsym fit --json`` (its ``accuracy`` key) or a bare block.

    Raises :class:`InputFileError` with one line naming the file.
    """
    where = f"fit file {path}"
    require_regular_file(path, where)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"{where}: cannot be read ({error.__class__.__name__})") from None
    except (json.JSONDecodeError, RecursionError) as error:
        raise InputFileError(f"{where}: not valid JSON ({error})") from None
    block = data["accuracy"] if isinstance(data, dict) and "accuracy" in data else data
    if block is None:
        raise InputFileError(f"{where}: accuracy is null (no fitted family was usable)")
    try:
        return read_accuracy_block(block)
    except ParameterError as error:
        raise InputFileError(f"{where}: {error}") from None
