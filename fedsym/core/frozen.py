"""Immutable result values: read-only arrays, read-only mappings, equality and hashing by content.

Results are values: a frozen dataclass may still hold a numpy
array or a dict, which could be changed in place behind the result's back
(``eq.contributions[0] = 5`` while ``eq.total`` stays), and which make the
generated ``==`` raise (arrays) or ``hash`` fail (both).  This module gives:

* :func:`frozen_array` -- a private read-only copy (no per-element Python
  work: fine for ``n = 10^6``);
* :class:`FrozenMapping` -- a read-only mapping that compares like a dict and hashes;
* :class:`ValueEquality` -- ``__eq__``/``__hash__`` for a dataclass declared with
  ``eq=False``, comparing array fields by shape and content.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields
from typing import Any, TypeVar

import numpy as np

__all__ = ["frozen_array", "FrozenMapping", "ValueEquality"]

V = TypeVar("V")


def frozen_array(values: Any, dtype: Any = float) -> np.ndarray:
    """*values* as a read-only array of *dtype* (writing to it raises ``ValueError``).

    A copy, unless *values* already is such an array owning its data (nobody
    holds a writable view of it), which is kept as is: no second copy at large ``n``.
    """
    if isinstance(values, np.ndarray) and values.dtype == np.dtype(dtype) and not values.flags.writeable \
            and values.base is None:
        return values
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


class FrozenMapping(Mapping[str, V]):
    """A read-only ``str``-keyed mapping that equals a dict with the same items and hashes by them."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, V] | None = None) -> None:
        self._items: dict[str, V] = dict(items or {})

    def __getitem__(self, key: str) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return self._items == dict(other.items())

    def __repr__(self) -> str:
        return repr(self._items)


def _hash_key(value: Any) -> Any:
    """A hashable stand-in for *value*: an array by shape, dtype and bytes (``-0.0`` as ``0.0``)."""
    if isinstance(value, np.ndarray):
        data = value + 0.0 if value.dtype.kind == "f" else value
        return value.shape, value.dtype.str, np.ascontiguousarray(data).tobytes()
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and bool(np.array_equal(a, b))
    return bool(a == b)


class ValueEquality:
    """Mixin for a frozen dataclass (declared ``eq=False``) holding arrays: equal and hashed by content.

    Fields with ``compare=False`` are ignored, as in a generated ``__eq__``.
    """

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self) if f.compare)  # type: ignore[arg-type]

    def __hash__(self) -> int:
        return hash(tuple(_hash_key(getattr(self, f.name)) for f in fields(self) if f.compare))  # type: ignore[arg-type]
