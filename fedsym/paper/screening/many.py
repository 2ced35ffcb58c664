r"""Screening against known costs and the standard mechanism for :math:`n` i.i.d. agents (Model §6 end, **extension**).

The expected total under the screening curves is :func:`fedsym.paper.screening.k_many.expected_total_k`
(for App. B's two types the binomial sum :math:`\sum_j \binom{n}{j} p^j (1-p)^{n-j} M(j, n - j)`
over the number :math:`j` of low types); this module puts beside it, for every realized count
vector, the total the server would collect knowing the costs (Theorem 4.2, Eq. (13)) and the
standard mechanism's (Theorem 3.4, Eq. (10)), averaged with the same weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fedsym.core.frozen import FrozenMapping
from fedsym.core.latex import LatexRepr, align, format_number
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.equilibrium import shaping_equilibrium, standard_equilibrium
from fedsym.paper.screening.cost_types import KTypes
from fedsym.paper.screening.k_many import expected_total_k

__all__ = ["ExpectedTotals", "expected_totals"]


@dataclass(frozen=True)
class ExpectedTotals(LatexRepr):
    r"""Expected total data of :math:`n` i.i.d. agents over the prior, three mechanisms.

    ``rows`` holds, for each count vector (agents of each type, cost order): its probability
    and the realized totals under screening, known costs (Eq. (13), :math:`\varepsilon = 0`)
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
                "verified": self.verified, "by_counts": [dict(row) for row in self.rows]}

    def to_latex(self) -> str:
        return align([rf"\mathbb E[M_{{\text{{screening}}}}] &= {format_number(self.screening, 10)}",
                      rf"\mathbb E[M_{{\text{{known costs}}}}] &= {format_number(self.known_cost, 10)}",
                      rf"\mathbb E[M_{{\text{{standard}}}}] &= {format_number(self.standard, 10)}"])


def expected_totals(bound: BoundAccuracy, types: KTypes, n: int, *, verify: bool = True) -> ExpectedTotals:
    r""":func:`fedsym.paper.screening.k_many.expected_total_k`, with the known-cost and standard totals (**extension**).

    For each count vector: the screening equilibrium of
    :func:`~fedsym.paper.screening.k_many.count_equilibrium` (verified when *verify*),
    :func:`fedsym.paper.equilibrium.shaping_equilibrium` with the realized costs (the server
    knowing them) and :func:`fedsym.paper.equilibrium.standard_equilibrium`; weights multinomial.
    """
    screening = expected_total_k(bound, types, n, verify=verify)
    rows = []
    for row in screening.rows:
        costs = [float(c) for c, count in zip(types.costs, row["counts"]) for _ in range(count)]
        rows.append({"counts": list(row["counts"]), "probability": row["probability"], "screening": row["total"],
                     "known_cost": float(shaping_equilibrium(bound, costs, verify=False).total),
                     "standard": float(standard_equilibrium(bound, costs, verify=False).total)})
    return ExpectedTotals(screening.n, types, screening.expected_total,
                          sum(r["probability"] * r["known_cost"] for r in rows),
                          sum(r["probability"] * r["standard"] for r in rows),
                          tuple(rows), screening.verified)
