"""The model's symbols, declared once with their assumptions.

Every sympy expression in fedsym is written in these symbols, so that
expressions built in different modules compare equal and simplify under the
same (positive) assumptions.  Names follow the paper (the model, docs/model.rst).
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "m", "c", "a_opt", "k", "b", "tau", "beta", "alpha", "n", "t", "M",
    "eps", "p", "c_L", "c_H", "m_i", "m_others", "c_i", "s", "x", "positive_symbol", "LATEX_NAMES",
    "RESERVED",
]


def positive_symbol(name: str) -> sp.Symbol:
    """Return the positive real symbol called *name* (the one sympy caches)."""
    return sp.Symbol(name, positive=True)


#: data points contributed by one agent
m = positive_symbol("m")
#: marginal cost of one data point, Eq. (4)
c = positive_symbol("c")
#: best achievable accuracy, :math:`\lim_{m\to\infty}\hat a(m)`
a_opt = positive_symbol("a_opt")
#: difficulty of the task (pseudo-dimension), Eq. (2)-(3)
k = positive_symbol("k")
#: confidence term of the generalization bound, Eq. (2)
b = positive_symbol("b")
#: regulatory accuracy threshold, Example 2.2
tau = positive_symbol("tau")
#: scale of the power law, Example 2.2
beta = positive_symbol("beta")
#: exponent of the power law, Example 2.2
alpha = positive_symbol("alpha")
#: number of agents
n = positive_symbol("n")
#: equilibrium data relative to the lone optimum, Example 4.5
t = positive_symbol("t")
#: total data of all agents
M = positive_symbol("M")
#: slope margin of accuracy shaping, Eq. (13)
eps = positive_symbol("epsilon")
#: prior probability of the low-cost type, Appendix B
p = positive_symbol("p")
#: low and high marginal costs, Appendix B
c_L = positive_symbol("c_L")
c_H = positive_symbol("c_H")
#: one agent's own data and marginal cost, Theorem 3.3
m_i = positive_symbol("m_i")
c_i = positive_symbol("c_i")
#: data of the other agents, :math:`m_{-i}` (Theorem 3.3, Appendix B)
m_others = positive_symbol("m_others")
#: square root of a total, in which Remark 4.4's and App. B's equations under Eq. (3) are cubics
s = positive_symbol("s")
x = positive_symbol("x")

#: how a symbol prints in LaTeX when its sympy name is not the paper's notation (applied by
#: :func:`fedsym.core.latex.sympy_latex`): the others' data :math:`m_{-i}`, the slope margin :math:`\varepsilon`
LATEX_NAMES: dict[sp.Symbol, str] = {m_others: "m_{-i}", eps: r"\varepsilon"}

#: names the solvers bind, with their meaning: a user parameter may not take them
#: (it would silently become the solver's symbol); ``m`` and ``a`` are the model variables
RESERVED: dict[str, str] = {
    "m": "the data of an agent (the model variable)",
    "a": "the accuracy (the variable of a value function)",
    "c": "the cost per data point",
    "n": "the number of agents",
    "M": "the total data of all agents",
    "t": "the equilibrium data relative to the lone optimum (Example 4.5)",
    "epsilon": "the slope margin of accuracy shaping (Eq. 13)",
    "p": "the prior probability of the low-cost type (Appendix B)",
    "c_L": "the low marginal cost (Appendix B)",
    "c_H": "the high marginal cost (Appendix B)",
    "m_others": "the data of the other agents (Appendix B)",
}
