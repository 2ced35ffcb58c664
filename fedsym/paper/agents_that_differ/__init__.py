"""Agents that differ (Model §8): own accuracy, convex costs, joining costs, value of accuracy.

- :mod:`~fedsym.paper.agents_that_differ.cohort`: agents as numpy arrays, the lone optimum vectorized;
- :mod:`~fedsym.paper.agents_that_differ.lone`: Theorem 2.3 generalized with derived closed forms, ``checks()``;
- :mod:`~fedsym.paper.agents_that_differ.mechanism`: Eq. (13) generalized as a mechanism object;
- :mod:`~fedsym.paper.agents_that_differ.solve`: standard FL and shaping equilibria, verified (called through
  :func:`fedsym.paper.equilibrium.solve`, the one entry point).
"""

from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.agents_that_differ.lone import LoneAgentResult, cost_shape_check_rows, cost_shape_forms, lone_agent
from fedsym.paper.agents_that_differ.mechanism import HeterogeneousShaping

__all__ = ["Cohort", "LoneAgentResult", "cost_shape_forms", "lone_agent", "HeterogeneousShaping", "cost_shape_check_rows"]
