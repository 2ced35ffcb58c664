"""One row of ``fedsym check``: a closed form against an independent numeric value.

A row compares one closed form, evaluated at one parameter point, with a value
computed by a different method (direct maximisation or bracketed root finding
at :data:`fedsym.core.solve.DPS` digits) and passes when the relative error is
at most ``tolerance``.  Each module that derives closed forms builds its rows
with this type and exposes ``checks() -> list[CheckRow]``; the registry
(:mod:`fedsym.check`) gathers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp

from fedsym.core.derived import CLOSED_FORM, NUMERIC, Derived
from fedsym.core.latex import escape_text, format_number
from fedsym.core.solve import DPS

__all__ = ["CheckRow", "derived_row", "method_label", "relative_error", "DEFAULT_TOLERANCE"]

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


@dataclass(frozen=True)
class CheckRow:
    """One closed form at one point against an independent numeric value."""

    quantity: str        # e.g. "optimal_data"
    source: str          # e.g. "Example 2.4"
    point: str           # e.g. "simplified(a_opt=0.95, k=1), c=0.001"
    closed_form: mp.mpf
    numeric: mp.mpf
    method: str          # how the numeric value was found
    tolerance: mp.mpf = DEFAULT_TOLERANCE

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
