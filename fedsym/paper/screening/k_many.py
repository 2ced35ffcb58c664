r"""Many agents with i.i.d. costs under the screening curves (Model §6 end, Model §9, **extension**).

Every agent is offered the curve of :class:`fedsym.paper.screening.k_curve.KScreeningMechanism`
(Eq. (14) for App. B's two types) built from the *others' realized* data.  For a realized type profile with counts
:math:`n = (n_1, \dots, n_K)` the ex-post equilibrium is sought symmetric within each
type: contributions :math:`x_k` with

.. math:: x_k = m_k\Big(\sum_j n_j x_j - x_k\Big),

(the optimal menu's type-:math:`k` point as a function of :math:`m_{-i}`; for two types
:math:`x_L = m_D(\cdot)`, :math:`x_H = m_C(\cdot)`, Theorem B.1's points), found by
Gauss-Seidel fixed-point iteration and verified for every agent by the global deviation
search of :func:`fedsym.paper.equilibrium.verify_equilibrium`.  The total depends on the profile
only through the counts, so the expected total of :math:`n` i.i.d. agents is the
multinomial sum

.. math:: \mathbb E[M] = \sum_{n_1 + \dots + n_K = n} \binom{n}{n_1, \dots, n_K}\prod_k p_k^{n_k}\, M(n_1, \dots, n_K)

over :math:`\binom{n + K - 1}{K - 1}` count vectors instead of :math:`K^n` profiles
(for :math:`K = 2` the binomial sum over the number of low types).  :mod:`fedsym.paper.screening.many`
adds the known-cost and standard totals for comparison.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import factorial, prod
from typing import Any

import mpmath as mp
import numpy as np

from fedsym.core.derived import exact_rational
from fedsym.core.errors import ConvergenceError, ParameterError
from fedsym.core.latex import LatexRepr, align, format_number
from fedsym.core.settings import current_settings
from fedsym.core.solve import DPS
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.equilibrium import Verification, verify_equilibrium
from fedsym.paper.screening.k_curve import KScreeningMechanism
from fedsym.paper.screening.k_types import KTypes, optimal_menu_k

__all__ = [
    "CountEquilibrium",
    "KExpectedTotal",
    "compositions",
    "count_equilibrium",
    "expected_total_k",
]

def compositions(n: int, size: int) -> Iterator[tuple[int, ...]]:
    """All count vectors of *size* non-negative integers summing to *n* (stars and bars)."""
    for bars in combinations(range(n + size - 1), size - 1):
        edges = (-1, *bars, n + size - 1)
        yield tuple(edges[i + 1] - edges[i] - 1 for i in range(size))


@dataclass(frozen=True)
class CountEquilibrium(LatexRepr):
    """The ex-post equilibrium for type counts ``counts`` (per-type contributions, 0 for absent types)."""

    counts: tuple[int, ...]
    contributions: tuple[mp.mpf, ...]
    iterations: int
    verification: Verification | None

    @property
    def total(self) -> mp.mpf:
        return mp.fsum(n * x for n, x in zip(self.counts, self.contributions))

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.verified

    def to_dict(self) -> dict[str, Any]:
        return {"counts": list(self.counts), "contributions": [float(x) for x in self.contributions],
                "total": float(self.total), "iterations": self.iterations, "verified": self.verified}

    def to_latex(self) -> str:
        return align([rf"M{tuple(self.counts)} &= {format_number(self.total, 10)}"])


def count_equilibrium(bound: BoundAccuracy, types: KTypes, counts: Sequence[int], *,
                      rtol: Any = None, max_iterations: int = 500,
                      verify: bool = True) -> CountEquilibrium:
    r"""Ex-post equilibrium for *counts* agents of each type (Gauss-Seidel on :math:`x_k = m_k(\cdot)`).

    Starts from the menu at :math:`m_{-i} = 0`, in mpmath at :data:`fedsym.core.solve.DPS` digits;
    raises :class:`~fedsym.core.errors.ConvergenceError` if no contribution settles within
    *max_iterations*.

    Parameters
    ----------
    bound:
        The accuracy function.
    types:
        The cost types and their probabilities (:meth:`KTypes.two` for App. B: counts :math:`(n_L, n_H)`).
    counts:
        Number of agents of each type, in cost order.
    rtol:
        Relative change of every contribution below which the iteration stops
        (default :attr:`fedsym.core.settings.Settings.fixed_point_rtol`).
    max_iterations:
        Sweeps before giving up.
    verify:
        Global deviation search for every agent on its curve
        (:func:`fedsym.paper.equilibrium.verify_equilibrium`).
    """
    counts = tuple(int(n) for n in counts)
    if len(counts) != types.size or any(n < 0 for n in counts) or sum(counts) < 1:
        raise ParameterError(f"counts {list(counts)}: {types.size} non-negative integers with a positive sum")
    with mp.workdps(DPS):
        x = list(optimal_menu_k(bound, types, 0).contributions)
        tol = mp.mpf(current_settings().fixed_point_rtol if rtol is None else rtol)
        for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported after the loop)
            done = True
            for k, n_k in enumerate(counts):
                if not n_k:
                    continue
                others = mp.fsum(n * v for n, v in zip(counts, x)) - x[k]
                new = optimal_menu_k(bound, types, exact_rational(max(others, mp.mpf(0)))).contributions[k]
                done = done and abs(new - x[k]) <= tol * max(new, 1)
                x[k] = new
            if done:
                break
        else:
            raise ConvergenceError(f"screening equilibrium: no fixed point within {max_iterations} iterations "
                                   f"(counts {list(counts)}, costs {', '.join(str(c) for c in types.costs)})")
    contributions = tuple(v if n else mp.mpf(0) for v, n in zip(x, counts))
    verification = None
    if verify:
        costs = np.repeat([float(c) for c in types.costs], counts)
        profile = np.repeat([float(v) for v in contributions], counts)
        verification = verify_equilibrium(KScreeningMechanism(bound, types), costs, profile)
    return CountEquilibrium(counts, contributions, iteration, verification)


@dataclass(frozen=True)
class KExpectedTotal(LatexRepr):
    r"""Expected total data of :math:`n` i.i.d. agents, with the realized total per count vector."""

    n: int
    types: KTypes
    expected_total: float
    rows: tuple[dict[str, Any], ...]
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, **self.types.to_dict(), "expected_total": self.expected_total,
                "verified": self.verified, "by_counts": list(self.rows)}

    def to_latex(self) -> str:
        return align([rf"\mathbb E[M] &= {format_number(self.expected_total, 10)}"])


def expected_total_k(bound: BoundAccuracy, types: KTypes, n: int, *, verify: bool = True) -> KExpectedTotal:
    """Multinomial average over the count vectors of the realized equilibrium totals (**extension**)."""
    if int(n) != n or n < 1:
        raise ParameterError(f"n={n} must be a positive integer")
    probs = [float(p) for p in types.probs]
    rows, verified, total = [], True, 0.0
    for counts in compositions(int(n), types.size):
        weight = factorial(n) / prod(factorial(c) for c in counts) * prod(p**c for p, c in zip(probs, counts))
        equilibrium = count_equilibrium(bound, types, counts, verify=verify)
        verified = verified and (equilibrium.verified or not verify)
        rows.append({"counts": list(counts), "probability": weight, "total": float(equilibrium.total)})
        total += weight * float(equilibrium.total)
    return KExpectedTotal(int(n), types, total, tuple(rows), verified)
