"""Agents that differ (MODEL.md §8): own accuracy, convex costs, joining costs, value of accuracy.

- :mod:`~fedsym.paper.agents_that_differ.cohort`: agents as numpy arrays, the lone optimum vectorized;
- :mod:`~fedsym.paper.agents_that_differ.mechanism`: Eq. (13) generalized as a mechanism object;
- :mod:`~fedsym.paper.agents_that_differ.solve`: standard FL and shaping equilibria, verified;
- :mod:`~fedsym.paper.agents_that_differ.lone`: Theorem 2.3 generalized with closed forms, and ``checks()``.
"""
