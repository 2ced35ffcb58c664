"""Safe LaTeX text: one escaping function, one marker for trusted LaTeX.

Everything fedsym writes into a ``.tex`` file is either plain text, which goes
through :func:`escape_text`, or a :class:`Latex` string, which is trusted and
written as is.  Numbers become LaTeX through :func:`format_number` (fixed,
deterministic digits) and sympy expressions through :func:`math` (which calls
:func:`sympy.latex`, so the displayed formula is the one the code evaluates).

Examples
--------
>>> escape_text("optimal_data & 50% of $c$")
'optimal\\\\_data \\\\& 50\\\\% of \\\\$c\\\\$'
>>> format_number(3.17e-5)
'3.17 \\\\times 10^{-5}'
>>> import sympy as sp
>>> math(sp.sqrt(sp.Symbol("k")))
Latex('\\\\sqrt{k}')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Context, Decimal
from numbers import Integral, Rational
from typing import Any

import mpmath as mp
import sympy as sp
from sympy.printing.latex import LatexPrinter

from fedsym.core.symbols import LATEX_NAMES

__all__ = ["Latex", "LatexRepr", "align", "escape_text", "format_number", "math", "round_floats", "sympy_latex",
           "format_gain", "GAIN_FLOOR"]


class Latex(str):
    """Trusted LaTeX source, written verbatim (never escaped).

    Wrap a string in ``Latex`` only when it is meant as LaTeX code, e.g.
    ``Latex(r"$\\hat a(m)$")``.  String operations on a ``Latex`` return a plain
    ``str``, so anything built from it is escaped again unless re-wrapped.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Latex({str.__repr__(self)})"


#: Replacement of each LaTeX special character in text mode.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}

#: Unicode symbols common in economics and learning-theory prose that
#: pdflatex's default utf8 input encoding cannot typeset.
_UNICODE_MATH = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta",
    "ε": r"\varepsilon", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu",
    "π": r"\pi", "σ": r"\sigma", "τ": r"\tau", "Δ": r"\Delta",
    "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx",
    "±": r"\pm", "×": r"\times", "·": r"\cdot", "−": "-",
    "∞": r"\infty", "→": r"\to", "∈": r"\in", "∉": r"\notin",
    "√": r"\surd", "Σ": r"\Sigma", "∑": r"\sum",
}

_TEXT_PATTERN = re.compile(
    "|".join(re.escape(ch) for ch in [*_SPECIAL, *_UNICODE_MATH]) + r"|\s*\n\s*"
)


def _replace(match: re.Match[str]) -> str:
    token = match.group(0)
    if token in _SPECIAL:
        return _SPECIAL[token]
    if token in _UNICODE_MATH:
        return rf"\ensuremath{{{_UNICODE_MATH[token]}}}"
    return " "


def escape_text(text: str) -> str:
    """Escape plain text so LaTeX typesets it literally.

    The ten special characters ``& % $ # _ { } ~ ^ \\`` are replaced by
    commands that print them; Greek letters and the common math symbols
    (``≤ ≥ ≠ ≈ ± × · − ∞ → ∈ ∉``) become ``\\ensuremath{...}``.  Every line
    break, with the blanks around it, becomes one space, so the result is safe
    in any argument (section titles, table cells, axis labels); a new
    paragraph is a separate note, not a blank line.

    Parameters
    ----------
    text : str
        Plain text.  A :class:`Latex` instance is trusted and returned
        unchanged.

    Returns
    -------
    str
        LaTeX source that prints *text*.

    Examples
    --------
    >>> print(escape_text("a_opt ~ 0.95\\n& more"))
    a\\_opt \\textasciitilde{} 0.95 \\& more
    >>> escape_text(Latex(r"$\\tau$"))
    Latex('$\\\\tau$')
    """
    if isinstance(text, Latex):
        return text
    return _TEXT_PATTERN.sub(_replace, text)


def _exact_decimal(value: Any) -> Decimal:
    """The exact decimal value of a Python, numpy, sympy or mpmath number."""
    if isinstance(value, sp.Basic):
        value = value.evalf(60)
        if not isinstance(value, sp.Float):  # oo, -oo, nan (or not a number)
            return Decimal(float(value))
    if isinstance(value, Integral):
        return Decimal(int(value))
    if hasattr(value, "_mpf_"):
        sign, mantissa, exponent, _ = value._mpf_
        if mantissa == 0 and exponent != 0:  # mpmath's inf, -inf, nan
            return Decimal(float(mp.mpf(value)))
        if exponent >= 0:
            return Decimal((-1) ** sign * (mantissa << exponent))
        return Decimal((-1) ** sign * mantissa * 5 ** -exponent).scaleb(exponent)
    if isinstance(value, Rational):
        return Context(prec=60).divide(Decimal(int(value.numerator)), Decimal(int(value.denominator)))
    return Decimal(float(value))


def _plain(number: Decimal) -> str:
    """Fixed-point digits of *number* without trailing zeros or exponent."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_number(value: Any, digits: int = 6) -> str:
    """Stable LaTeX (math mode) for a number, rounded to *digits* significant digits.

    Like ``%g``: fixed notation when the decimal exponent is in
    ``[-4, digits)``, otherwise :math:`d \\times 10^{e}`; trailing zeros are
    dropped; rounding is half-to-even on the exact binary value, so the same
    number always gives the same text.

    Parameters
    ----------
    value : float, int, numpy number, sympy number or mpmath.mpf
        The number.  NaN is refused; :math:`\\pm\\infty` gives ``\\infty``.
    digits : int, default 6
        Significant digits, at least 1.

    Returns
    -------
    str
        LaTeX source for math mode.

    Raises
    ------
    ValueError
        If *value* is NaN or *digits* < 1.

    Examples
    --------
    >>> [format_number(x) for x in (0.65, 100, 3.17e-5, -2.5e7, 0.0001)]
    ['0.65', '100', '3.17 \\\\times 10^{-5}', '-2.5 \\\\times 10^{7}', '0.0001']
    >>> format_number(float("inf"))
    '\\\\infty'
    """
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits}")
    exact = _exact_decimal(value)
    if exact.is_nan():
        raise ValueError(f"cannot format NaN ({value!r}) as a number")
    if exact.is_infinite():
        return r"-\infty" if exact < 0 else r"\infty"
    if exact == 0:
        return "0"
    rounded = Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(exact)
    exponent = rounded.adjusted()
    if -4 <= exponent < digits:
        return _plain(rounded)
    mantissa = _plain(rounded.scaleb(-exponent))
    power = f"10^{{{exponent}}}"
    if mantissa in ("1", "-1"):
        return power if mantissa == "1" else f"-{power}"
    return rf"{mantissa} \times {power}"


#: integers longer than this many bits print rounded (Python prints at most 4300 digits, about 14000 bits)
LONG_INTEGER_BITS = 10_000


#: A gain from deviating below this (in utility) is floating-point round-off, not a gain: "< 10^{-14}".
GAIN_FLOOR = 1e-14


def format_gain(value: Any, digits: int = 3, *, relation: bool = False) -> str:
    """LaTeX (math mode) for a largest gain from deviating: round-off shown as ``< 10^{-14}``, not as a number.

    A verified equilibrium's gain is 0 up to a few ulps of the utilities (``2.22e-16`` is one ulp of 1);
    printed as it is, it reads as a real gain.  Exactly 0 stays ``0``; a gain of at least
    :data:`GAIN_FLOOR` in magnitude is :func:`format_number` with *digits* digits.  With *relation* the
    text starts with its relation, for the right side of an ``align`` row (``= 0.0123`` or ``< 10^{-14}``).

    >>> [format_gain(v) for v in (0.0, 2.220446049250313e-16, -5.551115123125783e-17, 0.0123456)]
    ['0', '< 10^{-14}', '< 10^{-14}', '0.0123']
    >>> [format_gain(v, relation=True) for v in (2.220446049250313e-16, 0.0123456)]
    ['< 10^{-14}', '= 0.0123']
    """
    if value != 0 and abs(float(value)) < GAIN_FLOOR:
        return r"< 10^{-14}"
    return f"= {format_number(value, digits)}" if relation else format_number(value, digits)


class _Printer(LatexPrinter):
    r"""sympy's LaTeX printer with Euler's number upright (``\mathrm{e}``, ISO 80000-2).

    A parameter named ``e`` prints as the italic :math:`e`, so ``e*E`` is
    :math:`e\,\mathrm{e}`, not the ambiguous ``e e``.
    """

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if expr is sp.E:  # before sympy's own Exp1._latex, which would print the italic e
            return r"\mathrm{e}"
        return str(super()._print(expr, **kwargs))

    def _print_int(self, expr: int, **kwargs: Any) -> str:
        """An integer Python cannot print exactly (over 4300 digits, ``ValueError``) in 15 significant digits."""
        if abs(expr).bit_length() <= LONG_INTEGER_BITS:
            return str(expr)
        with mp.workdps(30):
            return format_number(mp.mpf(expr), 15)

    def _print_ExpBase(self, expr: Any, exp: Any = None) -> str:
        return str(self._do_exponent(rf"\mathrm{{e}}^{{{self._print(expr.args[0])}}}", exp))


def sympy_latex(expr: Any, **settings: Any) -> str:
    r"""The one LaTeX printer of sympy expressions: :func:`sympy.latex` with Euler's number as ``\mathrm{e}``.

    Inverse trigonometric functions print as ``\arccos`` (``inv_trig_style="full"``), not ``acos``; the
    symbols of :data:`fedsym.core.symbols.LATEX_NAMES` print in the paper's notation (``m_others`` as
    :math:`m_{-i}`, ``epsilon`` as :math:`\varepsilon`).

    >>> e = sp.Symbol("e", positive=True)
    >>> sympy_latex(e * sp.E)
    '\\mathrm{e} e'
    """
    settings.setdefault("inv_trig_style", "full")  # \arccos, not acos
    settings.setdefault("symbol_names", LATEX_NAMES)  # m_{-i}, \varepsilon: the paper's notation
    return str(_Printer(settings).doprint(expr))


def math(expr: Any, **settings: Any) -> Latex:
    """LaTeX (math mode) for a sympy expression, via :func:`sympy.latex`.

    Parameters
    ----------
    expr : sympy.Basic, int, float or Latex
        A sympy expression (or a number sympy can print).  A :class:`Latex`
        instance is returned unchanged.
    **settings
        Passed to :func:`sympy.latex` (e.g. ``mul_symbol="dot"``).

    Returns
    -------
    Latex
        The math-mode source, without surrounding ``$``.

    Raises
    ------
    TypeError
        If *expr* is a plain ``str``: it is ambiguous whether it is LaTeX or
        a sympy expression; pass ``Latex(...)`` or ``sympy.sympify(...)``.

    Examples
    --------
    >>> from fedsym.core.symbols import a_opt, k, m
    >>> math(a_opt - 2 * sp.sqrt(k / m))
    Latex('a_{opt} - \\\\frac{2 \\\\sqrt{k}}{\\\\sqrt{m}}')
    """
    if isinstance(expr, Latex):
        return expr
    if isinstance(expr, str):
        raise TypeError(
            f"math() got the plain string {expr!r}; wrap trusted LaTeX in "
            "Latex(...) or pass a sympy expression"
        )
    if isinstance(expr, sp.Basic) and expr.has(sp.Float):
        expr = round_floats(expr)
    return Latex(sympy_latex(expr, **settings))


def round_floats(expr: sp.Basic, digits: int = 6) -> sp.Basic:
    """*expr* with every floating-point number shown to *digits* significant digits.

    A float that rounds to an integer becomes that integer (``3440.0`` is
    ``3440``) and one below ``1e-12`` in magnitude, round-off, becomes 0, so a
    displayed formula follows the report's number policy; exact numbers
    (integers, rationals, radicals) are left as they are.

    Examples
    --------
    >>> m = sp.Symbol("m", positive=True)
    >>> round_floats(sp.Float("610.58671432") - sp.Float("3440.0") / sp.sqrt(m))
    610.587 - 3440/sqrt(m)
    """
    def rounded(value: sp.Float) -> sp.Expr:
        if abs(value) < sp.Float("1e-12"):
            return sp.Integer(0)
        short = sp.Float(format_number(value, digits).replace(r" \times 10^{", "e").rstrip("}"), 15)
        return sp.Integer(int(short)) if float(short).is_integer() else short
    return expr.replace(lambda e: e.is_Float, rounded)


def align(lines: Iterable[str]) -> Latex:
    r"""An ``align*`` environment with one line per item (each line holds its ``&``).

    >>> print(align([r"m^{*} &= 100", r"u^{*} &= 0.65"]))
    \begin{align*}
    m^{*} &= 100 \\
    u^{*} &= 0.65
    \end{align*}
    """
    return Latex("\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}")


class LatexRepr:
    """Mixin: ``_repr_latex_`` (Jupyter) shows the class's own ``to_latex()``."""

    def _repr_latex_(self) -> str:
        return str(self.to_latex())  # type: ignore[attr-defined]
