"""The one parser of every expression a user types ("User text is data, never code").

:func:`parse_expression` reads text such as ``"a_opt - 2*sqrt(k/m)"`` with
Python's :mod:`ast` (``mode="eval"``), walks the tree itself and builds the
sympy expression node by node.  Nothing is evaluated: no ``eval``, no
``sympify``, no ``parse_expr``.  The language is

* numbers: decimal integer and float literals, read exactly from their text
  (``0.95`` is ``19/20``, ``1e-3`` is ``1/1000``);
* names: ASCII identifiers not starting with ``_``; the model variables given
  by the caller (``m`` for an accuracy, ``a`` for a value function) become
  their model symbols, the constants ``pi`` and ``E`` theirs, every other name
  a positive parameter symbol (:func:`fedsym.core.symbols.positive_symbol`);
* ``+ - * / **``, unary ``+``/``-`` and parentheses;
* calls of the allow-listed functions :data:`FUNCTIONS` by bare name, with
  positional expression arguments and the right number of them.

Everything else (strings, attributes, subscripts, lambdas, comprehensions,
f-strings, keyword or starred arguments, comparisons, ...) is refused with an
:class:`~fedsym.core.errors.ExpressionError` naming the input.  Sizes are bounded
(:data:`MAX_LENGTH` characters, :data:`MAX_NODES` tree nodes, nesting depth
:data:`MAX_DEPTH` (a flat sum or product counts as one level), function calls nested
:data:`MAX_CALL_DEPTH` deep, :data:`MAX_LITERAL_DIGITS` digits and decimal exponents up
to :data:`MAX_EXPONENT` in a literal, numeric powers up to :data:`MAX_EXPONENT`
and :data:`MAX_NUMBER_DIGITS` digits), so parsing takes milliseconds whatever
the text.

Names the solvers bind (the cost ``c``, the number of agents ``n``, ...) are
*reserved*: a user parameter with such a name would silently become the
solver's symbol (``a_opt - 2*sqrt(c/m)`` with ``c`` the cost), so it is
refused with a message that says what the name means and asks to rename it.
"""

from __future__ import annotations

import ast
import math
import re
import types
from collections.abc import Callable, Collection, Mapping
from fractions import Fraction
from typing import Any

import mpmath as mp
import sympy as sp

import fedsym.core.symbols as S
from fedsym.core.errors import ExpressionError

__all__ = [
    "CONSTANTS",
    "EXP_ARGUMENT_LIMIT",
    "FUNCTIONS",
    "MAX_CALL_DEPTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL_DIGITS",
    "MAX_NODES",
    "MAX_NUMBER_DIGITS",
    "bounded_exp",
    "check_reserved",
    "check_sympy_expression",
    "lambdify_mpmath",
    "lambdify_numpy",
    "parse_expression",
]

#: longest accepted text, in characters
MAX_LENGTH = 2000
#: most nodes in the syntax tree
MAX_NODES = 1000
#: deepest nesting of the syntax tree
MAX_DEPTH = 60
#: deepest nesting of function calls (``tanh(tanh(m))`` is 2): ten nested ``tanh`` took minutes and gigabytes in
#: sympy (each derivative grows with the depth); the families and the paper's examples nest at most three
MAX_CALL_DEPTH = 6
#: most digits in one numeric literal
MAX_LITERAL_DIGITS = 60
#: largest magnitude of a literal's decimal exponent and of a numeric power's exponent
MAX_EXPONENT = 1000
#: most decimal digits of a number sympy computes exactly from literals (e.g. ``10**400 * 10**400``)
MAX_NUMBER_DIGITS = 5000
#: most digits used to evaluate a constant that cancels (``tanh(1000) - 1`` needs about 900; ``erf(100) - 1``,
#: about 1e-4345, is refused in about a second)
CANCELLATION_DIGITS = 1920
#: largest argument of ``exp`` that fedsym evaluates; mpmath would need that many bits of ln 2 for ``exp(exp(10**24))``
EXP_ARGUMENT_LIMIT = mp.mpf(10) ** 100


def bounded_exp(x: Any) -> Any:
    """``mpmath.exp`` in bounded time: 0 below ``-EXP_ARGUMENT_LIMIT`` (underflow), refused above it.

    Raises :class:`ExpressionError` (a ``ValueError``, which evaluations on a
    grid treat as "undefined here") for an argument above the limit.
    """
    x = mp.mpmathify(x)
    if isinstance(x, mp.mpf) and abs(x) > EXP_ARGUMENT_LIMIT:
        if x < 0:
            return mp.mpf(0)
        raise ExpressionError(f"exp({mp.nstr(x, 6)}) is beyond the range fedsym evaluates "
                              f"(arguments up to {mp.nstr(EXP_ARGUMENT_LIMIT, 1)})")
    return mp.exp(x)


def _strict_exp(x: Any) -> Any:
    """:func:`bounded_exp` that also refuses large negative arguments (sympy would evalf those)."""
    if isinstance(x, mp.mpf) and x < -EXP_ARGUMENT_LIMIT:
        raise ExpressionError(f"exp({mp.nstr(x, 6)}) is beyond the range fedsym evaluates")
    return bounded_exp(x)


#: stands for ``base**exponent`` with a non-constant exponent in lambdified code
_bounded_power = sp.Function("bounded_power")


def _private(variables: Any, expr: sp.Expr) -> tuple[list[sp.Symbol], sp.Expr]:
    """*variables* and *expr* with every symbol renamed ``_x0, _x1, ...`` (arguments) or ``_free0, ...``.

    A user's names never start with ``_`` (the parser refuses them), so after
    the renaming no parameter can shadow a name of the generated code's
    namespace (a parameter ``e`` would otherwise *be* mpmath's Euler number in
    ``e*E``, one named ``mpf`` would replace mpmath's number type).  Symbols
    are matched by name, as lambdify itself does, so a symbol declared with
    other assumptions is still the same argument.  A free symbol that is not
    an argument gets a private name too: evaluating it fails (``NameError``)
    instead of silently reading a namespace value.
    """
    flat = [variables] if isinstance(variables, sp.Basic) else list(variables)
    renamed = {v.name: sp.Symbol(f"_x{i}") for i, v in enumerate(flat)}
    free = sorted((s for s in expr.free_symbols if isinstance(s, sp.Symbol)), key=lambda s: s.name)
    replace: dict[sp.Basic, sp.Basic] = {}
    for symbol in free:
        if symbol.name not in renamed:
            renamed[symbol.name] = sp.Symbol(f"_free{len(renamed)}")
        replace[symbol] = renamed[symbol.name]
    return [renamed[v.name] for v in flat], expr.xreplace(replace)


def _code_names(code: types.CodeType) -> set[str]:
    """Global and attribute names *code* (and the code objects it holds) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


#: integers longer than this many bits are compiled as floats of :data:`LONG_NUMBER_DIGITS` digits
#: (Python refuses to print an integer of over 4300 digits, about 14000 bits, as source code)
LONG_NUMBER_BITS = 10_000

#: significant digits of a number too long to compile exactly
LONG_NUMBER_DIGITS = 100


def _printable(expr: sp.Expr) -> sp.Expr:
    """*expr* with every rational whose numerator or denominator exceeds :data:`LONG_NUMBER_BITS` bits as a float.

    A closed form of the cost ``m**1000`` holds ``1000**(1/999)``-like powers of
    integers with thousands of digits; printed exactly they end in Python's
    ``ValueError`` of int -> str, as a float of :data:`LONG_NUMBER_DIGITS` digits
    they evaluate to well beyond the working precision.
    """
    def long(atom: sp.Basic) -> bool:
        return isinstance(atom, sp.Rational) and max(abs(atom.p), atom.q).bit_length() > LONG_NUMBER_BITS

    if not any(long(atom) for atom in expr.atoms(sp.Rational)):
        return expr
    return expr.xreplace({atom: sp.Float(atom, LONG_NUMBER_DIGITS) for atom in expr.atoms(sp.Rational) if long(atom)})


def _compiled(variables: Any, expr: sp.Expr, modules: Any) -> Callable[..., Any]:
    """``sympy.lambdify`` with private argument names and a namespace of only the names the code uses."""
    arguments, private = _private(variables, _printable(expr))
    generated = sp.lambdify(arguments, private, modules)
    namespace = generated.__globals__
    kept = {name: namespace[name] for name in _code_names(generated.__code__) if name in namespace}
    kept["__builtins__"] = namespace.get("__builtins__", {})
    return types.FunctionType(generated.__code__, kept, generated.__name__,
                              generated.__defaults__, generated.__closure__)


def lambdify_mpmath(variables: Any, expr: sp.Expr, *, strict: bool = False) -> Callable[..., Any]:
    """The one compiler of sympy expressions to mpmath: ``sympy.lambdify`` that evaluates in bounded time.

    ``exp`` is :func:`bounded_exp`, and a power whose exponent is not a
    constant (``2**(-2**m)``) is ``exp(exponent*log(base))`` through it, since
    mpmath's own power would build an integer of :math:`2^{10^{24}}` bits.
    Every symbol is renamed to a private name first (:func:`_private`), so no
    parameter name shadows a name of the generated code.
    """
    exp = _strict_exp if strict else bounded_exp

    def power(base: Any, exponent: Any) -> Any:
        with mp.extradps(30):  # guard digits: exp amplifies the absolute error of exponent*log(base)
            value = exp(exponent * mp.log(base))
        return +value

    expr = sp.sympify(expr).replace(lambda e: e.is_Pow and not e.exp.is_number,
                                    lambda e: _bounded_power(e.base, e.exp))
    return _compiled(variables, expr, [{"exp": exp, "bounded_power": power}, "mpmath"])


def lambdify_numpy(variables: Any, expr: sp.Expr) -> Callable[..., Any]:
    """The one compiler of sympy expressions to numpy (vectorized float evaluation).

    Every symbol is renamed to a private name first (:func:`_private`), so no
    parameter name (``e``, ``where``, ``select``, ``inf``, ...) shadows a name
    of the generated code.
    """
    return _compiled(variables, sp.sympify(expr), "numpy")


#: allow-listed functions: name -> (builder, least and most number of arguments)
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int]] = {
    "sqrt": (sp.sqrt, 1, 1),
    "log": (sp.log, 1, 1),
    "ln": (sp.log, 1, 1),
    "exp": (sp.exp, 1, 1),
    "atan": (sp.atan, 1, 1),
    "tanh": (sp.tanh, 1, 1),
    "erf": (sp.erf, 1, 1),
    "Abs": (sp.Abs, 1, 1),
    "Min": (sp.Min, 2, 8),
    "Max": (sp.Max, 2, 8),
}

#: functions rewritten as one flat ``Piecewise`` once the whole text is built: their derivatives are then
#: ``Piecewise`` too (not ``Heaviside``/``DiracDelta``, which the numeric code cannot evaluate), and a nested
#: ``Min(m, Min(...))`` is folded by sympy first instead of nesting ``Piecewise`` inside conditions
_PIECEWISE = (sp.Abs, sp.Min, sp.Max)

#: named constants
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_DECIMAL = re.compile(r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?\Z")

_OPERATORS: dict[type, str] = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not",
}

_REFUSED: dict[type, str] = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripting", ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension", ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string",
    ast.Compare: "a comparison", ast.BoolOp: "a boolean operator", ast.IfExp: "a conditional expression",
    ast.NamedExpr: "an assignment expression", ast.Starred: "a starred argument",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set", ast.Dict: "a dictionary",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "a slice",
}


def _shown(text: str) -> str:
    """The input as quoted in a message: one line, at most 80 characters."""
    return repr(text if len(text) <= 80 else text[:77] + "...")


def check_reserved(names: Collection[str], *, what: str, text: str,
                   reserved: Mapping[str, str] | None = None) -> None:
    """Refuse a parameter name that a solver binds (:data:`fedsym.core.symbols.RESERVED` by default).

    Raises :class:`ExpressionError` naming the input, the name and its meaning.
    """
    reserved = S.RESERVED if reserved is None else reserved
    for name in sorted(names):
        if name in reserved:
            raise ExpressionError(f"{what} {_shown(text)}: {name!r} is reserved for {reserved[name]}; "
                                  "rename this parameter")


#: sympy node types an expression built by :func:`parse_expression` may contain (the allow-listed functions,
#: their ``Piecewise`` forms and its conditions)
_SYMPY_NODES: tuple[type, ...] = (
    sp.Symbol, sp.Number, sp.NumberSymbol, sp.Add, sp.Mul, sp.Pow, sp.log, sp.exp, sp.atan, sp.tanh, sp.erf,
    sp.Abs, sp.Min, sp.Max, sp.Piecewise, sp.core.containers.Tuple, sp.logic.boolalg.BooleanAtom,
    sp.core.relational.Relational, sp.And, sp.Or, sp.Not, sp.functions.elementary.piecewise.ExprCondPair)


def check_sympy_expression(expr: Any, *, what: str) -> sp.Expr:
    """*expr* if it is a sympy expression of the parser's language, else :class:`ExpressionError` naming *what*.

    The Python API accepts sympy expressions too; an unevaluated ``Integral``, a ``Derivative`` or any function
    outside :data:`FUNCTIONS` is refused here instead of failing later inside sympy or the numeric code.
    """
    if not isinstance(expr, sp.Expr):
        raise ExpressionError(f"{what} {str(expr)[:80]!r} is not an expression")
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, _SYMPY_NODES):
            raise ExpressionError(f"{what} {_shown(str(expr))}: {type(node).__name__} is not allowed "
                                  f"(functions: {', '.join(FUNCTIONS)})")
    if expr.has(sp.I, sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ExpressionError(f"{what} {_shown(str(expr))} is not a finite real expression")
    return expr


def parse_expression(text: str, *, what: str, variables: Collection[str],
                     reserved: Mapping[str, str] | None = None) -> sp.Expr:
    """Parse user *text* into a sympy expression, running none of it.

    Parameters
    ----------
    text:
        The expression, e.g. ``"a_opt - 2*sqrt(k/m)"`` (accuracy :math:`\\hat a(m)`, Eq. (1)).
    what:
        What the text is, for messages: ``"accuracy expression"``, ``"cost function of agent 2"``.
    variables:
        Names that are model variables (``{"m"}``); they become
        ``positive_symbol(name)``, exactly like every parameter, but may not be
        reserved.
    reserved:
        Names a user parameter may not take, with their meaning; default
        :data:`fedsym.core.symbols.RESERVED` minus *variables*.

    Raises
    ------
    ExpressionError
        One line naming *what* and the text, saying what is not allowed.

    >>> parse_expression("a_opt - 2*sqrt(k/m)", what="accuracy expression", variables={"m"})
    a_opt - 2*sqrt(k)/sqrt(m)
    >>> parse_expression("0.95 - 1e-3/m", what="accuracy expression", variables={"m"})
    19/20 - 1/(1000*m)
    """
    if not isinstance(text, str):
        raise ExpressionError(f"{what} {text!r} is not text")
    if reserved is None:
        reserved = {name: meaning for name, meaning in S.RESERVED.items() if name not in variables}
    return _Builder(text, what, frozenset(variables), reserved).build()


class _Builder:
    """Checks the tree of one text and builds its sympy expression."""

    def __init__(self, text: str, what: str, variables: frozenset[str], reserved: Mapping[str, str]) -> None:
        self.text, self.what, self.variables, self.reserved = text, what, variables, reserved
        self.calls = 0  # depth of function calls around the node being built

    def fail(self, problem: str) -> ExpressionError:
        return ExpressionError(f"{self.what} {_shown(self.text)}: {problem}")

    def build(self) -> sp.Expr:
        tree = self._tree()
        expr = self.node(tree.body)
        if not isinstance(expr, sp.Expr):  # pragma: no cover - every builder returns an Expr
            raise self.fail("is not an expression")
        if expr.has(*_PIECEWISE):
            expr = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
        check_reserved({s.name for s in expr.free_symbols} - self.variables, what=self.what,
                       text=self.text, reserved=self.reserved)
        return expr

    def _tree(self) -> ast.Expression:
        text = self.text
        if len(text) > MAX_LENGTH:
            raise self.fail(f"longer than {MAX_LENGTH} characters")
        if not text.strip():
            raise self.fail("is empty")
        for position, char in enumerate(text):
            if not (" " <= char <= "~" or char in "\t\n\r"):
                raise self.fail(f"character {char!r} at position {position} is not allowed "
                                "(ASCII letters, digits, operators and parentheses only)")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            raise self.fail("cannot be parsed (syntax error)") from None
        nodes = 0
        stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
        while stack:
            node, depth = stack.pop()
            nodes += 1
            if nodes > MAX_NODES:
                raise self.fail(f"more than {MAX_NODES} syntax nodes")
            if depth > MAX_DEPTH:
                raise self.fail(f"nested deeper than {MAX_DEPTH} levels")
            stack.extend((child, depth if _continues(node, child) else depth + 1)
                         for child in ast.iter_child_nodes(node))
        return tree

    # -- nodes ---------------------------------------------------------------------
    def node(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.node(node.operand)
            if isinstance(node.op, ast.UAdd):
                return self.node(node.operand)
            raise self.fail(f"operator {_OPERATORS.get(type(node.op), type(node.op).__name__)!r} is not allowed")
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(f"{_REFUSED.get(type(node), type(node).__name__)} is not allowed")

    def constant(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = {str: "a string", bytes: "bytes", complex: "a complex number", bool: "a boolean"}.get(
                type(value), f"the constant {value!r}")
            raise self.fail(f"{kind} is not allowed here")
        source = ast.get_source_segment(self.text.strip(), node) or ""
        return self.literal(source.replace("_", ""))

    def literal(self, source: str) -> sp.Rational:
        """Exact value of a decimal literal from its text (``0.95`` -> ``19/20``)."""
        match = _DECIMAL.match(source)
        if match is None or not (match["int"] or match["frac"]):
            raise self.fail(f"number {source!r} is not a decimal number")
        digits = (match["int"] + (match["frac"] or "")).lstrip("0")
        if len(digits) > MAX_LITERAL_DIGITS:
            raise self.fail(f"number {source[:20]}... has more than {MAX_LITERAL_DIGITS} digits")
        if match["exp"] is not None and abs(int(match["exp"])) > MAX_EXPONENT:
            raise self.fail(f"number {source!r} has an exponent beyond +-{MAX_EXPONENT}")
        value = Fraction(source)
        return sp.Rational(value.numerator, value.denominator)

    def name(self, name: str) -> sp.Expr:
        if name.startswith("_") or not _NAME.match(name):
            raise self.fail(f"name {name!r} is not allowed (names start with a letter)")
        if name in FUNCTIONS:
            raise self.fail(f"function {name!r} needs an argument in parentheses, e.g. {name}(m)")
        if name in CONSTANTS:
            return CONSTANTS[name]
        return S.positive_symbol(name)

    def binary(self, node: ast.BinOp) -> sp.Expr:
        op = node.op
        left, right = self.node(node.left), self.node(node.right)
        if isinstance(op, ast.Add):
            return self.sized(left + right)
        if isinstance(op, ast.Sub):
            return self.sized(left - right)
        if isinstance(op, ast.Mult):
            return self.sized(left * right)
        if isinstance(op, ast.Div):
            if right == 0:
                raise self.fail("division by zero")
            return self.sized(left / right)
        if isinstance(op, ast.Pow):
            return self.power(left, right)
        raise self.fail(f"operator {_OPERATORS.get(type(op), type(op).__name__)!r} is not allowed")

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        """``base**exponent`` with a numeric exponent of at most :data:`MAX_EXPONENT`, computed only when small."""
        if exponent.is_number:
            if abs(self.magnitude(exponent)) > MAX_EXPONENT:
                raise self.fail(f"exponent {_short(exponent)} is beyond +-{MAX_EXPONENT}")
            if base == 0 and exponent.is_negative:
                raise self.fail("division by zero (0 to a negative power)")
            if base.is_Rational and exponent.is_Rational:
                size = (_digits(base) * abs(exponent))
                if size > MAX_NUMBER_DIGITS:
                    raise self.fail(f"number {_short(base)}**{_short(exponent)} has more than "
                                    f"{MAX_NUMBER_DIGITS} digits")
        return self.sized(base**exponent)

    def sized(self, expr: sp.Expr) -> sp.Expr:
        """*expr*, refused if sympy computed a rational with more than :data:`MAX_NUMBER_DIGITS` digits
        or it is a constant that is not real or too large to evaluate."""
        for atom in expr.atoms(sp.Rational):
            if _digits(atom) > MAX_NUMBER_DIGITS:
                raise self.fail(f"a number in it has more than {MAX_NUMBER_DIGITS} digits")
        if expr.has(sp.I, sp.zoo, sp.oo, sp.nan):
            raise self.fail(f"{_short(expr)} is not a finite real number")
        if expr.is_number and not expr.is_Rational:
            self.magnitude(expr)
            return self.without_cancellation(expr)
        return expr

    def without_cancellation(self, number: sp.Expr) -> sp.Expr:
        """*number*, or its value as an exact 40-digit decimal when it cancels.

        ``erf(10) - 1`` is about -2.1e-45: at the 40 digits of the numeric code it is rounding noise of
        either sign, and ``(erf(10) - 1)*1e45/m`` became a wrong accuracy.  A constant whose value at
        15 and at 60 digits disagree, or is 0 at 60 digits, is evaluated with more digits until two agree (up to
        :data:`CANCELLATION_DIGITS`), then replaced by that value; if they never agree it is refused.
        """
        def at(digits: int) -> mp.mpf:
            with mp.workdps(digits):
                return mp.mpf(lambdify_mpmath((), number, strict=True)())

        try:
            previous, digits = at(60), 60
            if previous and (abs(at(15) - previous) <= mp.mpf(10) ** -10 * abs(previous)
                             or abs(mp.log10(abs(previous))) > MAX_NUMBER_DIGITS):
                return number  # accurate, or so far out (exp(exp(100))) that 15 digits differ without cancelling
            while digits < CANCELLATION_DIGITS:
                digits *= 2
                value = at(digits)
                if value and abs(value - previous) <= mp.mpf(10) ** -30 * abs(value):
                    return sp.Rational(mp.nstr(value, 40, min_fixed=1, max_fixed=0))  # exact decimal of 40 digits
                previous = value
        except (ValueError, ArithmeticError, TypeError):
            pass
        raise self.fail(f"the constant {_short(number)} cancels to below what {CANCELLATION_DIGITS} digits resolve")

    def magnitude(self, number: sp.Expr) -> mp.mpf:
        """Value of a constant at 15 digits, evaluated with bounded ``exp`` (so sympy may compare it safely)."""
        if number.is_Rational:
            return mp.mpf(number.p) / number.q
        with mp.workdps(15):
            try:
                value = mp.mpf(lambdify_mpmath((), number, strict=True)())
            except (ValueError, ArithmeticError, TypeError):
                raise self.fail(f"the constant {_short(number)} is too large to evaluate") from None
        if not mp.isfinite(value):
            raise self.fail(f"{_short(number)} is not a finite real number")
        return value

    def call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only allow-listed functions may be called, by their bare name "
                            f"({', '.join(FUNCTIONS)})")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(f"unknown function {name!r} (allowed: {', '.join(FUNCTIONS)})")
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in {name}(...)")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.fail(f"starred arguments are not allowed in {name}(...)")
        builder, least, most = FUNCTIONS[name]
        if not least <= len(node.args) <= most:
            count = str(least) if least == most else f"{least} to {most}"
            raise self.fail(f"{name} takes {count} argument{'s' if most > 1 else ''}, got {len(node.args)}")
        self.calls += 1
        if self.calls > MAX_CALL_DEPTH:
            raise self.fail(f"function calls nested deeper than {MAX_CALL_DEPTH} levels")
        args = [self.node(arg) for arg in node.args]
        self.calls -= 1
        return self.sized(builder(*args))


#: operators a flat sum or product chains without nesting (``a + b - c`` is one level, not two)
_CHAINED = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))


def _continues(parent: ast.AST, child: ast.AST) -> bool:
    """Whether *child* is the left operand of *parent* in one flat sum or product (no deeper nesting).

    A chain is bounded by :data:`MAX_NODES`, and the builder recurses once per term, far below Python's limit.
    """
    if not (isinstance(parent, ast.BinOp) and isinstance(child, ast.BinOp) and child is parent.left):
        return False
    return any(isinstance(parent.op, ops) and isinstance(child.op, ops) for ops in _CHAINED)


def _digits(number: sp.Rational) -> int:
    """Decimal digits of numerator and denominator together (an upper bound from bit lengths)."""
    return math.ceil((abs(int(number.p)).bit_length() + int(number.q).bit_length()) * math.log10(2)) + 1


def _short(number: sp.Expr) -> str:
    text = str(number)
    return text if len(text) <= 30 else text[:27] + "..."
