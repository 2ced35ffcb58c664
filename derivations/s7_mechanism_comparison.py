"""Comparing mechanisms on one population: welfare, the planner, the first best, the price of anarchy (Model §11).

Two populations: the paper's 10 equal agents (Eq. (3), a_opt 0.95, k 1, cost 0.001 each) and a RealFM-like
population of 16 agents (Eq. (3), a_opt 0.99, k 1, cost 0.001 m, value p_i ((1 - a)^{-2} - 1), p_i ~ U(0.9, 1.1),
seed 0).  The check table compares standard FL with the lone m*, shaping with Example 4.5's total and the planner
with a bisection of n a'(M) = c, all derived independently of :mod:`fedsym.paper.compare`.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import Agent, Comparison, Population, accuracy_function, compare, welfare_forms
from fedsym.core import CheckRow, Latex, prose_math
from fedsym.report import Figure, Section, Series, Step

#: marginal costs of the figure (10 equal agents); c_max of Eq. (3) with a_opt 0.95, k 1 is 0.95^3/27 = 0.0318
COSTS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 2e-2)
STYLES = {"alone": "gray, mark=o", "standard": "red, mark=x", "shaping": "blue, mark=*", "screening": "teal, mark=+",
          "realfm": "orange, mark=triangle"}
#: the values of rho of the rho-Shapley rows (rho = 0 gives everyone the full model: standard FL)
RHOS = ("0", "0.5", "1")


def paper_agents(cost: float = 0.001, n: int = 10) -> Population:
    """The paper's n equal agents: Eq. (3), a_opt 0.95, k 1, linear cost *cost*."""
    return Population((Agent.paper(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), str(cost),
                                   count=n),))


def realfm_agents(n: int = 16, seed: int = 0) -> Population:
    """RealFM-like agents: value p_i ((1 - a)^-2 - 1), p_i ~ U(0.9, 1.1), cost 0.001 m."""
    bound = accuracy_function("simplified").bind({"a_opt": "0.99", "k": "1"})
    scales = np.random.default_rng(seed).uniform(0.9, 1.1, n)
    return Population(tuple(Agent.of(bound, "0.001*m", 0, f"{p:.6f}*((1 - a)**(-2) - 1)") for p in scales))


def table(name: str, result: Comparison) -> list[tuple[object, object]]:
    """One value row per mechanism and benchmark: total data, welfare, least IR slack, W_P/W, verified."""
    return [(Latex(f"{name}: {mechanism}"), Latex(text)) for mechanism, text in result.summary_rows()]


def figures() -> tuple[Figure, Figure]:
    """Total data and welfare against the marginal cost, each mechanism and the planner (10 equal agents)."""
    results = [compare(paper_agents(c)) for c in COSTS]
    names = [row.name for row in results[0].rows]
    data = [Series(name, COSTS, [r.row(name).total for r in results], style=STYLES.get(name, "")) for name in names]
    data.append(Series("planner", COSTS, [float(r.planner.total) for r in results], style="black, dashed, mark=square"))
    welfare = [Series(name, COSTS, [r.row(name).welfare for r in results], style=STYLES.get(name, ""))
               for name in names if name != "screening"]
    welfare.append(Series("planner", COSTS, [float(r.planner.welfare) for r in results],
                          style="black, dashed, mark=square"))
    caption = Latex(r"10 equal agents, Eq.~(3), $a_{opt} = 0.95$, $k = 1$. Screening has one cost type here and "
                    r"coincides with shaping (its welfare curve is omitted).")
    return (Figure("Total data against the marginal cost", "marginal cost c", "total data M", tuple(data),
                   xmode="log", ymode="log", caption=caption),
            Figure("Welfare against the marginal cost", "marginal cost c", "welfare W = sum of utilities",
                   tuple(welfare), xmode="log", caption=caption))


def check_rows(result: Comparison, n: int, cost: float) -> list[CheckRow]:
    """Standard FL = m*, shaping = Example 4.5's n t_n m*, planner = root of n a'(M) = c (bisection)."""
    point = f"Eq. (3), a_opt = 0.95, k = 1, c = {cost:g}, n = {n}"
    with mp.workdps(30):
        m_star = (1 / mp.mpf(cost) ** 2) ** (mp.mpf(1) / 3)
        t_n = mp.findroot(lambda t: (3 - t) ** 2 * t - mp.mpf(4) / n, (mp.mpf(1), mp.mpf(3) - mp.mpf(10) ** -20),
                          solver="bisect")
        planner = mp.findroot(lambda x: n * x ** mp.mpf(-1.5) - mp.mpf(cost), (mp.mpf(1), mp.mpf(10) ** 8),
                              solver="bisect")
    tolerance = mp.mpf("1e-9")
    return [CheckRow("standard FL total = m*", "Theorem 3.4", point, mp.mpf(result.row("standard").total), m_star,
                     "m* = (k/c^2)^(1/3)", tolerance),
            CheckRow("shaping total = n t_n m*", "Example 4.5", point, mp.mpf(result.row("shaping").total),
                     n * t_n * m_star, "bisection of (3 - t)^2 t = 4/n", tolerance),
            CheckRow("planner total", "Model §11", point, mp.mpf(result.planner.total), planner,
                     "bisection of n a'(M) = c", tolerance)]


def derive() -> Section:
    """The section comparing mechanisms."""
    paper, realfm = compare(paper_agents(), rhos=RHOS), compare(realfm_agents(), rhos=RHOS)
    forms = welfare_forms(accuracy_function("simplified"))
    closed = [(f"Eq. (3), {d.meaning}:", Latex(d.latex())) for d in
              (forms.planner_total, forms.planner_welfare, forms.standard_welfare, forms.welfare_poa, forms.data_poa,
               forms.welfare_poa_limit, forms.data_poa_exponent) if d.closed_form is not None]
    w, c_sym = sp.Function("w_j"), sp.Symbol("C_i'")
    big_m = sp.Symbol("M", positive=True)
    steps = (
        Step(Latex(r"Planner: everyone gets the full model; each contributor's marginal cost equals the summed "
                   r"marginal value:"), sp.Eq(c_sym, sp.Sum(sp.Derivative(w(big_m), big_m), (sp.Symbol("j"), 1,
                                                                                              sp.Symbol("n"))))),
        Step(Latex(r"Price of anarchy of a mechanism with welfare $W$ and total $M$:"),
             sp.Eq(sp.Symbol("PoA"), sp.Symbol("W_P") / sp.Symbol("W"))),
    )
    values = table("10 equal agents", paper) + table("16 RealFM-like agents", realfm)
    skipped: dict[str, str] = {}
    for name, why in realfm.skipped:   # one line per mechanism (not per rho), the reason without the agent's label
        skipped.setdefault(name.split("(")[0], why.split(" (")[0].split(";")[0])
    values.append((Latex("16 RealFM-like agents: not applicable"), "; ".join(f"{k}: {v}" for k, v in skipped.items())))
    return Section(
        key="s7_mechanism_comparison",
        title="Comparing mechanisms: welfare, the planner and the price of anarchy",
        source="Model §11, Theorems 2.3, 3.4, 4.2, 4.6, Example 4.5",
        statement=Latex(
            r"On one population every mechanism is solved and verified, then set beside three benchmarks: every agent "
            r"alone, the welfare planner (everyone gets the full model) and the data first best (shaping at "
            r"$\varepsilon = 0$, where every IR binds). Shaping collects the most data and leaves each agent "
            r"$u_i^*$; standard FL collects the least but keeps more welfare; the planner maximizes welfare. "
            r"Beside them, two mechanisms from the literature: RealFM as published (a Taylor step of the reward "
            r"curve, contributions truncated to integers) and $\rho$-Shapley model rewards "
            r"($\rho = 0$ is standard FL)."),
        parameters=((Latex("10 equal agents"), Latex(r"Eq.~(3), $a_{opt} = 0.95$, $k = 1$, $c = 0.001$")),
                    (Latex("16 RealFM-like agents"), Latex(r"Eq.~(3), $a_{opt} = 0.99$, $k = 1$, $C = 0.001m$, "
                                                           r"$v_i = p_i((1-a)^{-2} - 1)$, $p_i \sim U(0.9, 1.1)$, seed 0"))),
        steps=steps,
        closed_forms=tuple(closed),
        values=tuple(values),
        checks=tuple(check_rows(paper, 10, 0.001)),
        figures=figures(),
        notes=(prose_math(f"Planner: {paper.planner_method} (10 equal agents); {realfm.planner_method} (16 agents)."),
               "RealFM as published is verified under its own reward rule; 'NO' means an agent gains by deviating "
               "from the truncated Taylor-step contribution (the rule is an approximation, not an equilibrium).",
               "rho-Shapley: best-response dynamics from the lone optima and from no data; the row is the largest "
               "verified total (uniqueness is not established)."),
    )
