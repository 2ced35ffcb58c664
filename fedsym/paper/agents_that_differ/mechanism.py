r"""Accuracy shaping for agents that differ, Eq. (13) generalized in value space (Model §8).

For :math:`m_i \le m_i^*` agent ``i`` gets its own model :math:`a_i(m_i)` (no joining
cost); beyond,

.. math::
    v_i(\gamma_i) = \min\{v_i(a_i(m_i^*)) + J_i + C_i(m_i) - C_i(m_i^*) + \varepsilon(m_i - m_i^*),\
                          v_i(a_i(m_i + M_{-i}))\}

so every extra point buys slightly more value than it costs, the joining cost is
refunded in accuracy, and the cap is the full model.  :class:`HeterogeneousShaping`
is a :class:`~fedsym.paper.mechanisms.BroadcastMechanism`: the feasibility and IR
checks of :mod:`fedsym.paper.mechanisms` run on it (against each agent's own
accuracy, :meth:`accuracy_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fedsym.core.solve import last_nonnegative
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.mechanisms import BroadcastMechanism, parse_eps

__all__ = ["CohortMechanism", "HeterogeneousShaping"]


@dataclass(frozen=True, eq=False)
class CohortMechanism(BroadcastMechanism):
    """A broadcast mechanism for the agents of a :class:`Cohort`, each with its own accuracy curve.

    ``accuracy`` is the first curve's (the base class's single accuracy); the
    property checks use :meth:`accuracy_of` for each agent.
    """

    cohort: Cohort

    @property
    def accuracy(self) -> BoundAccuracy:  # type: ignore[override]
        return self.cohort.curves[0].accuracy

    @property
    def n_agents(self) -> int:  # type: ignore[override]
        return self.cohort.size

    def accuracy_of(self, i: int) -> BoundAccuracy:
        """Agent ``i``'s own accuracy function :math:`a_i`."""
        return self.cohort.curves[int(self.cohort.curve[i])].accuracy


@dataclass(frozen=True, eq=False)
class HeterogeneousShaping(CohortMechanism):
    r"""Eq. (13) generalized (Model §8) for the agents of a :class:`Cohort`."""

    eps: float = 0.0
    name: str = "shaping"

    def __post_init__(self) -> None:
        object.__setattr__(self, "eps", parse_eps(self.eps))

    def agent_parameters(self, n: int) -> np.ndarray:
        """Curve and value factor, cost coefficients, joining cost, template and :math:`m_i^*` of each agent."""
        c = self.cohort
        return np.column_stack([c.curve, c.p, np.nan_to_num(c.linear, nan=-1.0), np.nan_to_num(c.quadratic, nan=-1.0),
                                c.joining, c.entry, c.lone.data])

    def line_value(self, rows: np.ndarray, m_i: np.ndarray) -> np.ndarray:
        r"""The linear piece in value space: :math:`v_i(a_i(m_i^*)) + J_i + C_i(m_i) - C_i(m_i^*) + \varepsilon(m_i - m_i^*)`."""
        c, lone = self.cohort, self.cohort.lone
        return (lone.value[rows] + c.joining[rows] + c.cost(m_i, rows) - lone.cost[rows]
                + self.eps * (m_i - lone.data[rows]))

    def gamma_total(self, i: Any, m_i: np.ndarray, others: Any) -> np.ndarray:
        rows, x, rest = np.broadcast_arrays(np.asarray(i), np.asarray(m_i, dtype=float), np.asarray(others, dtype=float))
        rows, x, rest = rows.ravel(), x.ravel(), rest.ravel()
        c = self.cohort
        line = self.line_value(rows, x)
        cap = c.w(x + rest, rows)
        shaped = np.where(line < cap, c.value_inverse(np.minimum(line, cap), rows), c.accuracy(x + rest, rows))
        out = np.where(x <= c.lone.data[rows], c.accuracy(x, rows), shaped)
        return out.reshape(np.broadcast(np.asarray(i), np.asarray(m_i), np.asarray(others)).shape)

    def kinks_total(self, i: int, others: float) -> tuple[float, ...]:
        r""":math:`m_i^*` and where the line meets the cap (:math:`\bar m_i`), when it does."""
        anchor = float(self.cohort.lone.data[i])
        line = self.agent_line(i)
        w = self.cohort.agent_w(i)

        def gap(x: float) -> float:
            return float(w(np.array([x + others]))[0] - line(np.array([x]))[0])

        upper = max(anchor, 1e-12) * 2
        while gap(upper) >= 0 and upper < 1e30:
            upper *= 4
        if gap(anchor) < 0 or gap(upper) >= 0:
            return (anchor,)
        return (anchor, last_nonnegative(gap, anchor, upper))

    def agent_line(self, i: int) -> Callable[[np.ndarray], np.ndarray]:
        """Agent ``i``'s linear piece in value space as a numpy function of its contribution."""
        lone, cost = self.cohort.lone, self.cohort.agent_cost(i)
        base = float(lone.value[i] + self.cohort.joining[i] - lone.cost[i])
        anchor, eps = float(lone.data[i]), self.eps
        return lambda x: base + cost(x) + eps * (x - anchor)
