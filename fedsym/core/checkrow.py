"""One row of ``fedsym check``: a closed form against an independent numeric value.

A row compares one closed form, evaluated at one parameter point, with a value
computed by a different method (direct maximisation or bracketed root finding
at :data:`fedsym.core.solve.DPS` digits) and passes when the relative error is
at most ``tolerance``.  Each module that derives closed forms builds its rows
with this type and exposes ``checks() -> list[CheckRow]``; the registry
(:mod:`fedsym.check`) gathers them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp

from fedsym.core.derived import CLOSED_FORM, NUMERIC, Derived
from fedsym.core.latex import Latex, escape_text, format_number
from fedsym.core.solve import DPS

__all__ = ["CheckRow", "derived_row", "method_label", "relative_error", "text_math", "prose_math",
           "IDENTIFIER_MATH",
           "DEFAULT_TOLERANCE"]

#: Default relative tolerance of a check.  The closed form is evaluated at
#: ``DPS = 40`` digits and the independent numerics converge to about 20 digits
#: (golden-section search loses half the digits of the objective), so 1e-15
#: leaves a wide margin while still catching any wrong branch or formula.
DEFAULT_TOLERANCE = mp.mpf("1e-15")


def relative_error(closed: Any, numeric: Any) -> mp.mpf:
    """``|closed - numeric| / max(|numeric|, tiny)`` (absolute error when numeric is 0)."""
    with mp.workdps(DPS):
        closed, numeric = mp.mpf(closed), mp.mpf(numeric)
        scale = abs(numeric) if numeric != 0 else mp.mpf(1)
        return abs(closed - numeric) / scale


#: Math for the code identifiers that name quantities and parameters in check rows
#: (the names of :class:`~fedsym.core.derived.Derived` quantities, family labels, short names).
IDENTIFIER_MATH: dict[str, str] = {
    "minimum_viable_data": "m_0",
    "tangent_point": "m_t",
    "viability_cost": "c_{max}",
    "high_cost_threshold": r"\hat a'(m_0)",
    "optimal_data": "m^*",
    "optimal_utility": "u^*",
    "per_agent_ceiling": "m_i^{max}",
    "priced_out_total": "M",
    "priced_out_threshold": r"n_{\min}",
    "equal_cost_ratio": "t_n",
    "known_cost_contribution": r"\bar m_\theta",
    "minimum_high_contribution": "m_C^{min}",
    "example_b4_ratio": "m_C / m_L^*",
    "simplified": r"\text{Eq.~(3)}",
    "generalization-bound": r"\text{Eq.~(2)}",
    "power-law": r"\text{power law}",
    "eps": r"\varepsilon",
    "alpha": r"\alpha",
    "beta": r"\beta",
    "tau": r"\tau",
    "gamma": r"\gamma",
    "theta": r"\theta",
    "log": r"\log",
    "exp": r"\exp",
    "sqrt": r"\sqrt",
    "min": r"\min",
    "max": r"\max",
    "m_eq": "m^{eq}",
    "best_deviation": r"\texttt{best\_deviation}",
}

_TOKEN = re.compile(
    r"(?P<ref>(?:Theorem|Example|Remark|Lemma|Definition|Eq\.|Sec\.|Fig\.)\s+\(?(?:[A-Z]\.)?\d+(?:\.\d+)?\)?)"
    r"|(?P<space>\s+)"
    r"|(?P<number>\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9]*(?:_-?[A-Za-z0-9]+)*(?:-[A-Za-z]+)*(?:'[a-z]+)?\*?(?![A-Za-z]))"
    r"|(?P<op><=|>=|!=|[-+*/=^(),:;<>\[\]|])"
    r"|(?P<other>.)"
)

#: Math for the operators of a plain label (others are written as they are).
_OPERATORS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", ",": r",\ ", ":": r"\colon", "*": r"\cdot"}


def _name_math(name: str) -> str | None:
    """Math for one identifier, or None when it is an ordinary word."""
    star = name.endswith("*")
    base = name.rstrip("*")
    if base in IDENTIFIER_MATH:
        tex = IDENTIFIER_MATH[base]
    elif "_" in base:
        head, *subs = base.split("_")
        bar = bool(subs) and subs[0] == "bar"
        subs = subs[1:] if bar else subs
        head_tex = IDENTIFIER_MATH.get(head, head if len(head) == 1 else rf"\mathit{{{head}}}")
        tex = (rf"\bar {head_tex}" if bar else head_tex) + (f"_{{{','.join(subs)}}}" if subs else "")
    elif len(base) == 1:
        tex = base
    else:
        return None
    return f"{tex}^*" if star else tex


def text_math(text: str) -> Latex:
    """Math-mode LaTeX for a check row's label written with code identifiers.

    Known identifiers become the paper's symbols (:data:`IDENTIFIER_MATH`:
    ``minimum_viable_data`` is :math:`m_0`); ``x_sub`` becomes
    :math:`x_{sub}`, ``x_bar_i`` :math:`\\bar x_i`, a trailing ``*`` a star
    (``u_L*`` is :math:`u_L^*`), ``1e-4`` a power of ten and a lone ``x``
    between blanks a times sign; other words stay upright text.

    Examples
    --------
    >>> print(text_math("threshold m_-i, c_i = 0.05"))
    \\text{threshold } m_{-i} ,\\ c_{i} = 0.05
    >>> print(text_math("simplified(a_opt=0.95, k=1), c = 1e-4 c_max"))
    \\text{Eq.~(3)} \\colon a_{opt} = 0.95 ,\\ k = 1 ,\\ c = 0.0001 \\, c_{max}
    """
    text = re.sub(r"^(.*?)\(([^()]*=[^()]*)\)", lambda g: f"{g.group(1)}: {g.group(2)}", text, count=1)
    parts: list[tuple[str, str]] = []     # (kind, tex), kind one of "text", "space", "math"
    tokens = list(_TOKEN.finditer(text))
    for i, token in enumerate(tokens):
        kind, value = token.lastgroup, token.group(0)
        if kind == "space":
            parts.append(("space", " "))
        elif kind == "number":
            parts.append(("math", format_number(float(value), 10) if "e" in value else value))
        elif kind == "name":
            between = 0 < i < len(tokens) - 1 and tokens[i - 1].lastgroup == "space" \
                and tokens[i + 1].lastgroup == "space"
            tex = r"\times" if value == "x" and between else _name_math(value)
            if tex is not None and i > 1 and tokens[i - 2].lastgroup == "number" and between is False \
                    and tokens[i - 1].lastgroup == "space":
                parts.append(("math", r"\,"))  # 0.5 c_max: a coefficient times a symbol
            parts.append(("text", escape_text(value)) if tex is None else ("math", tex))
        elif kind == "op":
            parts.append(("math", _OPERATORS.get(value, value)))
        else:
            parts.append(("text", escape_text(value).replace("Eq. ", "Eq.~")))
    return Latex(_join(parts))


_PROSE_MATH = re.compile(
    r"(?<![\w\\])(?:[A-Za-z]+(?:_-?[A-Za-z0-9]+)+\*?|[A-Za-z]\*)"
    r"(?:\s*(?:>=|<=|=|<|>)\s*(?:[A-Za-z]+(?:_-?[A-Za-z0-9]+)*\*?|\d+(?:\.\d+)?))*"
)


def prose_math(text: str) -> Latex:
    """Plain prose with its code names (``c_i >= c_max``, ``m*``) set as inline math, the rest escaped.

    Examples
    --------
    >>> print(prose_math("every agent is priced out (c_i >= c_max): m* = 0"))
    every agent is priced out ($c_{i} \\ge c_{max}$): $m^* = 0$
    """
    out, last = [], 0
    for match in _PROSE_MATH.finditer(text):
        out += [escape_text(text[last:match.start()]), f"${text_math(match.group(0))}$"]
        last = match.end()
    return Latex("".join([*out, escape_text(text[last:])]))


def _join(parts: list[tuple[str, str]]) -> str:
    """Merge runs of words (and the blanks next to them) into ``\\text{...}``; other blanks vanish."""
    out: list[str] = []
    run: list[str] = []
    for n, (kind, tex) in enumerate(parts):
        near_text = kind == "space" and any(0 <= j < len(parts) and parts[j][0] == "text" for j in (n - 1, n + 1))
        if kind == "text" or near_text:
            run.append(tex)
            continue
        if run:
            out.append(rf"\text{{{''.join(run)}}}")
            run = []
        if kind == "math":
            out.append(tex)
    if run:
        out.append(rf"\text{{{''.join(run)}}}")
    return " ".join(out).replace(r"\  ", r"\ ")


@dataclass(frozen=True)
class CheckRow:
    """One closed form at one point against an independent numeric value.

    ``quantity_tex`` and ``point_tex`` are optional math-mode labels for the
    report; without them :meth:`quantity_math` and :meth:`point_math` derive
    one from the plain labels with :func:`text_math`.
    """

    quantity: str        # e.g. "optimal_data"
    source: str          # e.g. "Example 2.4"
    point: str           # e.g. "simplified(a_opt=0.95, k=1), c=0.001"
    closed_form: mp.mpf
    numeric: mp.mpf
    method: str          # how the numeric value was found
    tolerance: mp.mpf = DEFAULT_TOLERANCE
    quantity_tex: str = ""   # e.g. r"\bar m_i"
    point_tex: str = ""      # e.g. r"c_i = 0.05,\ \varepsilon = 0.01"

    @property
    def quantity_math(self) -> Latex:
        """The quantity in math mode (``quantity_tex``, or :func:`text_math` of ``quantity``)."""
        return Latex(self.quantity_tex) if self.quantity_tex else text_math(self.quantity)

    @property
    def point_math(self) -> Latex:
        """The point in math mode (``point_tex``, or :func:`text_math` of ``point``)."""
        return Latex(self.point_tex) if self.point_tex else text_math(self.point)

    @property
    def method_math(self) -> Latex:
        """How the numeric value was found, in math mode (:func:`text_math`)."""
        return text_math(self.method)

    @property
    def error(self) -> mp.mpf:
        return relative_error(self.closed_form, self.numeric)

    @property
    def passed(self) -> bool:
        return bool(self.error <= self.tolerance)

    def to_latex(self) -> str:
        """One line: both values, the relative error against the tolerance, and the verdict."""
        verdict = "passed" if self.passed else "FAILED"
        return (rf"\text{{{escape_text(self.quantity)} at {escape_text(self.point)}: }}"
                rf"{format_number(self.closed_form, 12)} \text{{ vs }} {format_number(self.numeric, 12)},\ "
                rf"\text{{rel. error }} {format_number(self.error, 2)} \le {format_number(self.tolerance, 2)}"
                rf"\ \text{{{verdict}}}")

    def _repr_latex_(self) -> str:
        return f"${self.to_latex()}$"

    def to_dict(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "source": self.source, "point": self.point,
                "closed_form": float(self.closed_form), "numeric": float(self.numeric),
                "method": self.method, "relative_error": float(self.error),
                "tolerance": float(self.tolerance), "passed": self.passed}


def method_label(derived: Derived, method: str) -> str:
    """The quantity's name, marked ``(numeric)`` unless its closed form was used."""
    return derived.name if method == CLOSED_FORM else f"{derived.name} ({NUMERIC})"


def derived_row(derived: Derived, values: Mapping[str, Any], reference: Any, how: str, point: str,
                tolerance: Any = DEFAULT_TOLERANCE) -> CheckRow:
    """A row comparing *derived* at *values* (closed form if it holds there) with *reference*, found by *how*."""
    value, method = derived.resolve(values)
    return CheckRow(method_label(derived, method), derived.source, point, value, mp.mpf(reference), how,
                    mp.mpf(tolerance))
