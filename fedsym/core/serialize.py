"""sympy expressions as JSON trees, read back through an allow-list (never eval, never pickle).

The derivation cache and the shipped derivation store (:mod:`fedsym.core.cache`)
keep closed forms on disk.  A file on disk may have been written by anyone, so
reading it must not run code: :func:`decode` builds an expression only from

* ``{"sym": name}``: a positive symbol (the model's symbols are all positive,
  :mod:`fedsym.core.symbols`);
* ``{"int": "123"}``, ``{"rat": ["p", "q"]}``, ``{"float": "digits", "prec": bits}``;
* ``{"const": "pi"}`` for the constants in :data:`CONSTANTS`;
* ``{"f": "Add", "args": [...]}`` for the heads in :data:`FUNCTIONS`, built
  unevaluated so the tree read back is the tree written (``==`` and ``srepr`` agree).

Anything else raises :class:`SerializationError`: :func:`encode` refuses an
expression it could not read back, :func:`decode` a tree it did not write.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

__all__ = ["SerializationError", "encode", "decode", "FUNCTIONS", "CONSTANTS"]


class SerializationError(ValueError):
    """An expression outside the allow-list, or a tree that is not one :func:`encode` writes."""


#: expression heads a tree may name, each built with ``evaluate=False``
FUNCTIONS: dict[str, Any] = {cls.__name__: cls for cls in (
    sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.asin, sp.acos, sp.atan,
    sp.sinh, sp.cosh, sp.tanh, sp.erf, sp.LambertW, sp.Abs, sp.sign, sp.Min, sp.Max, sp.re, sp.im)}

#: constants a tree may name
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E, "I": sp.I, "oo": sp.oo, "-oo": -sp.oo, "zoo": sp.zoo,
                                  "nan": sp.nan}

_CONSTANT_NAMES = {value: name for name, value in CONSTANTS.items()}

#: deepest tree :func:`decode` accepts (a planted file must not exhaust the stack)
MAX_DEPTH = 200
#: most nodes of one tree :func:`decode` accepts
MAX_NODES = 20_000
#: precision range (bits) of a stored float: sympy hangs on ``prec`` 0 and allocates without bound above
FLOAT_PRECISION = (1, 10_000)
#: largest magnitude of a numeric power's exponent (numerator and denominator) in a stored tree;
#: ``2**(10**9999)`` would otherwise be computed by the first simplification that touches it
MAX_EXPONENT = 10_000
#: largest integer (in bits, about 3000 digits) a stored tree may hold; Python refuses to print longer ones
MAX_INTEGER_BITS = 10_000


def encode(expr: Any) -> dict[str, Any]:
    """The JSON tree of *expr*; :class:`SerializationError` if it holds anything outside the allow-list."""
    if not isinstance(expr, sp.Basic):
        raise SerializationError(f"not a sympy expression: {type(expr).__name__}")
    if expr in _CONSTANT_NAMES:
        return {"const": _CONSTANT_NAMES[expr]}
    if isinstance(expr, sp.Symbol):
        if type(expr) is not sp.Symbol or expr != sp.Symbol(expr.name, positive=True):
            raise SerializationError(f"symbol {expr.name!r} is not a plain positive symbol")
        return {"sym": expr.name}
    if isinstance(expr, sp.Rational):
        if max(abs(expr.p), expr.q).bit_length() > MAX_INTEGER_BITS:  # str() of such an int raises ValueError
            raise SerializationError(f"an integer of more than {MAX_INTEGER_BITS} bits")
        if isinstance(expr, sp.Integer):
            return {"int": str(expr.p)}
        return {"rat": [str(expr.p), str(expr.q)]}
    if isinstance(expr, sp.Float):
        return {"float": str(expr), "prec": int(expr._prec)}
    head = type(expr).__name__
    if FUNCTIONS.get(head) is not type(expr):
        raise SerializationError(f"{head} is not among the functions a stored expression may use")
    return {"f": head, "args": [encode(arg) for arg in expr.args]}


#: a stored symbol's name: an identifier or a LaTeX-style name such as ``m_{-i}`` or ``\varepsilon``
#: (a name only labels a positive symbol; nothing is evaluated)
_SYMBOL_NAME = re.compile(r"[A-Za-z\\][A-Za-z0-9_{}^\\*+-]{0,99}")


def decode(tree: Any) -> sp.Expr:
    """The expression a tree of :func:`encode` describes; :class:`SerializationError` for any other input.

    The tree is decoded within bounds (:data:`MAX_DEPTH`, :data:`MAX_NODES`,
    :data:`FLOAT_PRECISION`, :data:`MAX_EXPONENT`), so a planted tree cannot
    make a later computation hang.
    """
    return _decode(tree, 0, [MAX_NODES])


def _decode(tree: Any, depth: int, budget: list[int]) -> sp.Expr:
    if depth > MAX_DEPTH:
        raise SerializationError("expression tree too deep")
    budget[0] -= 1
    if budget[0] < 0:
        raise SerializationError(f"expression tree of more than {MAX_NODES} nodes")
    if not isinstance(tree, dict) or len(tree) not in (1, 2):
        raise SerializationError("an expression node must be an object with one kind")
    try:
        if set(tree) == {"sym"} and isinstance(tree["sym"], str) and _SYMBOL_NAME.fullmatch(tree["sym"]):
            return sp.Symbol(tree["sym"], positive=True)
        if set(tree) == {"int"}:
            return sp.Integer(_digits(tree["int"]))
        if set(tree) == {"rat"} and isinstance(tree["rat"], list) and len(tree["rat"]) == 2:
            p, q = _digits(tree["rat"][0]), _digits(tree["rat"][1])
            if q <= 0:
                raise SerializationError(f"not a rational: {p}/{q}")
            return sp.Rational(p, q)
        if set(tree) == {"float", "prec"} and type(tree["prec"]) is int and isinstance(tree["float"], str):
            if not FLOAT_PRECISION[0] <= tree["prec"] <= FLOAT_PRECISION[1]:
                raise SerializationError(f"float precision {tree['prec']} outside {list(FLOAT_PRECISION)} bits")
            return sp.Float(_number(tree["float"]), precision=tree["prec"])
        if set(tree) == {"const"} and tree["const"] in CONSTANTS:
            return CONSTANTS[tree["const"]]
        if set(tree) == {"f", "args"} and tree["f"] in FUNCTIONS and isinstance(tree["args"], list):
            args = [_decode(arg, depth + 1, budget) for arg in tree["args"]]
            if tree["f"] == "Pow" and len(args) == 2:
                _check_exponent(args[1])
            return FUNCTIONS[tree["f"]](*args, evaluate=False)
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise SerializationError(f"malformed expression node: {exc}") from None
    raise SerializationError(f"unknown expression node {sorted(tree)}")


def _check_exponent(exponent: sp.Expr) -> None:
    """Refuse a numeric exponent beyond :data:`MAX_EXPONENT` (in numerator or denominator) or a float one beyond it."""
    if exponent.is_Rational and max(abs(exponent.p), exponent.q) > MAX_EXPONENT:
        raise SerializationError(f"power with exponent {str(exponent)[:30]} beyond {MAX_EXPONENT}")
    if exponent.is_Float and not abs(exponent) <= MAX_EXPONENT:
        raise SerializationError(f"power with exponent {str(exponent)[:30]} beyond {MAX_EXPONENT}")


def _digits(text: Any) -> int:
    """An integer written as decimal digits with an optional sign (and nothing else)."""
    if not isinstance(text, str) or not text.lstrip("-").isdigit() or len(text) > 10_000:
        raise SerializationError(f"not an integer: {text!r}")
    return int(text)


def _number(text: str) -> str:
    """A decimal number as written by ``str(sympy.Float)`` (digits, sign, point, exponent)."""
    if not text or len(text) > 10_000 or not set(text) <= set("0123456789+-.e"):
        raise SerializationError(f"not a decimal number: {text!r}")
    return text
