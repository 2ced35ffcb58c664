r"""Many agents with i.i.d. two-point costs under the screening curve (Model §6 end, **extension**).

Every agent is offered the curve of Eq. (14) built from the *others' realized*
data (:class:`fedsym.paper.screening.curve.ScreeningMechanism`).  For a realized type
profile with :math:`n_L` low and :math:`n_H` high agents, the ex-post
equilibrium is sought symmetric within each type: contributions
:math:`(x_L, x_H)` with

.. math::
    x_L = m_D\big((n_L - 1)x_L + n_H x_H\big),\qquad x_H = m_C\big(n_L x_L + (n_H - 1)x_H\big),

(Theorem B.1's points as functions of :math:`m_{-i}`), found by fixed-point
iteration and then verified for every agent by the global deviation search of
:func:`fedsym.paper.equilibrium.verify_equilibrium`.  Over the prior, for identical
agents, the expected total is the binomial sum
:math:`\sum_j \binom{n}{j} p^j (1-p)^{n-j} M(j, n - j)`, compared with the
same sum for known costs (Theorem 4.2, Eq. (13)) and for the standard mechanism
(Theorem 3.4, Eq. (10)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core.derived import exact_rational
from fedsym.core.errors import ConvergenceError, ParameterError
from fedsym.core.frozen import FrozenMapping
from fedsym.core.latex import LatexRepr, align, format_number
from fedsym.core.solve import DPS
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.equilibrium import Verification, shaping_equilibrium, standard_equilibrium, verify_equilibrium
from fedsym.paper.screening.cost_types import KTypes
from fedsym.paper.screening.curve import ScreeningMechanism
from fedsym.paper.screening.menu import optimal_menu

__all__ = ["TypeProfileEquilibrium", "ExpectedTotals", "ex_post_equilibrium", "expected_totals",
           "FIXED_POINT_RTOL"]

#: relative change of both contributions below which the fixed-point iteration stops
FIXED_POINT_RTOL = mp.mpf("1e-30")


@dataclass(frozen=True)
class TypeProfileEquilibrium(LatexRepr):
    """The ex-post equilibrium for ``n_low`` low and ``n_high`` high agents (per-type contributions)."""

    n_low: int
    n_high: int
    low_contribution: mp.mpf
    high_contribution: mp.mpf
    iterations: int
    verification: Verification | None

    @property
    def total(self) -> mp.mpf:
        return self.n_low * self.low_contribution + self.n_high * self.high_contribution

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.verified

    def to_dict(self) -> dict[str, Any]:
        return {"n_low": self.n_low, "n_high": self.n_high, "low_contribution": float(self.low_contribution),
                "high_contribution": float(self.high_contribution), "total": float(self.total),
                "iterations": self.iterations, "verified": self.verified,
                "max_deviation_gain": float(self.verification.max_deviation_gain) if self.verification else 0.0}

    def to_latex(self) -> str:
        """Per-type contributions and the total of the ex-post equilibrium, with its verification."""
        return align([rf"m_L &= {format_number(self.low_contribution, 10)} \quad (n_L = {self.n_low})",
                      rf"m_H &= {format_number(self.high_contribution, 10)} \quad (n_H = {self.n_high})",
                      rf"M &= {format_number(self.total, 10)} \quad \text{{{'verified' if self.verified else 'NOT verified'}}}"])


def _others(value: mp.mpf) -> sp.Rational:
    return exact_rational(max(value, mp.mpf(0)))


def ex_post_equilibrium(bound: BoundAccuracy, types: KTypes, profile: Sequence[str], *,
                        rtol: Any = FIXED_POINT_RTOL, max_iterations: int = 2000,
                        verify: bool = True) -> TypeProfileEquilibrium:
    r"""Ex-post equilibrium of the screening curves for a realized type *profile* (``"L"``/``"H"`` per agent).

    Fixed-point iteration of :math:`(x_L, x_H) \mapsto (m_D(\cdot), m_C(\cdot))` from the lone
    optima, in mpmath at :data:`fedsym.core.solve.DPS` digits, until both change by less
    than *rtol* (relative); raises :class:`~fedsym.core.errors.ConvergenceError` if it has not after
    *max_iterations*.  *verify*: global deviation search for every agent on its curve.
    """
    labels = [str(t).upper() for t in profile]
    if not labels or any(t not in ("L", "H") for t in labels):
        raise ParameterError(f"type profile {list(profile)!r}: give at least one agent, each 'L' or 'H'")
    n_low, n_high = labels.count("L"), labels.count("H")
    with mp.workdps(DPS):
        start = optimal_menu(bound, types, 0)
        x_l, x_h = start.low_contribution, start.high_contribution
        tol = mp.mpf(rtol)
        for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported after the loop)
            new_l = optimal_menu(bound, types, _others((n_low - 1) * x_l + n_high * x_h)).low_contribution \
                if n_low else x_l
            new_h = optimal_menu(bound, types, _others(n_low * new_l + (n_high - 1) * x_h)).high_contribution \
                if n_high else x_h
            done = abs(new_l - x_l) <= tol * max(new_l, 1) and abs(new_h - x_h) <= tol * max(new_h, 1)
            x_l, x_h = new_l, new_h
            if done:
                break
        else:
            raise ConvergenceError(f"screening equilibrium: no fixed point within {max_iterations} iterations")
    verification = None
    if verify:
        costs = np.array([float(types.c_low) if t == "L" else float(types.c_high) for t in labels])
        contributions = np.array([float(x_l) if t == "L" else float(x_h) for t in labels])
        verification = verify_equilibrium(ScreeningMechanism(bound, types), costs, contributions)
    return TypeProfileEquilibrium(n_low, n_high, x_l if n_low else mp.mpf(0), x_h if n_high else mp.mpf(0),
                                  iteration, verification)


@dataclass(frozen=True)
class ExpectedTotals(LatexRepr):
    r"""Expected total data of :math:`n` identical agents over the prior, three mechanisms.

    ``rows`` holds, for each number ``j`` of low types: its probability and the
    realized totals under screening, known costs (Eq. (13), :math:`\varepsilon = 0`)
    and the standard mechanism (Eq. (10)).
    """

    n: int
    types: KTypes
    screening: float
    known_cost: float
    standard: float
    rows: tuple[Mapping[str, Any], ...]
    verified: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(FrozenMapping(row) for row in self.rows))

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, **self.types.to_dict(), "expected_total_screening": self.screening,
                "expected_total_known_cost": self.known_cost, "expected_total_standard": self.standard,
                "verified": self.verified, "by_number_of_low_types": [dict(row) for row in self.rows]}

    def to_latex(self) -> str:
        return align([rf"\mathbb E[M_{{\text{{screening}}}}] &= {format_number(self.screening, 10)}",
                      rf"\mathbb E[M_{{\text{{known costs}}}}] &= {format_number(self.known_cost, 10)}",
                      rf"\mathbb E[M_{{\text{{standard}}}}] &= {format_number(self.standard, 10)}"])


def expected_totals(bound: BoundAccuracy, types: KTypes, n: int, *, verify: bool = True) -> ExpectedTotals:
    r"""Binomial average over the number of low types of the realized equilibrium totals (**extension**).

    For each :math:`j = 0..n`: :func:`ex_post_equilibrium` with :math:`j` low agents
    (verified when *verify*), :func:`fedsym.paper.equilibrium.shaping_equilibrium` with the
    realized costs (the server knowing them) and
    :func:`fedsym.paper.equilibrium.standard_equilibrium`; weights
    :math:`\binom{n}{j} p^j (1-p)^{n-j}`.
    """
    if int(n) != n or n < 1:
        raise ParameterError(f"n={n} must be a positive integer")
    p = float(types.p)
    rows, verified = [], True
    for j in range(n + 1):
        weight = float(sp.binomial(n, j)) * p**j * (1 - p) ** (n - j)
        screening = ex_post_equilibrium(bound, types, ["L"] * j + ["H"] * (n - j), verify=verify)
        verified = verified and (screening.verified or not verify)
        costs = [float(types.c_low)] * j + [float(types.c_high)] * (n - j)
        known = shaping_equilibrium(bound, costs, verify=False).total
        standard = standard_equilibrium(bound, costs, verify=False).total
        rows.append({"n_low": j, "probability": weight, "screening": float(screening.total),
                     "known_cost": float(known), "standard": float(standard)})
    return ExpectedTotals(n, types,
                          sum(r["probability"] * r["screening"] for r in rows),
                          sum(r["probability"] * r["known_cost"] for r in rows),
                          sum(r["probability"] * r["standard"] for r in rows),
                          tuple(rows), verified)
