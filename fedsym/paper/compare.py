r"""Mechanisms side by side on one population: welfare, benchmarks, price of anarchy (Model §11).

:func:`compare` runs each mechanism of :data:`REGISTRY` on one
:class:`~fedsym.model.agent.Population` (Model §8) and reports, at its verified
equilibrium, the contributions :math:`m_i`, the total :math:`M`, each agent's
accuracy and utility :math:`U_i`, the agents' welfare :math:`W = \sum_i U_i`,
the value of the full model :math:`\sum_i v_i(a_i(M))`, the IR slack
:math:`\min_i (U_i - u_i^*)` and who joins.  Beside them, the benchmarks of
Model §11 for any population:

* *alone*: every agent at its lone optimum, :math:`W_0 = \sum_i u_i^*`;
* *planner*: everyone gets the full model,
  :math:`\max_{m \ge 0} \sum_i v_i(a_i(M)) - \sum_i C_i(m_i) - \sum_{i\ \mathrm{joins}} J_i`
  (first-order condition :math:`C_i'(m_i) = \sum_j w_j'(M)` for contributors).
  For the paper's agents (one accuracy, linear costs, :math:`v(a) = a`, no joining
  cost) all data comes from the cheapest agent and the planner is
  :math:`\max_M n\,a(M) - c_{min} M`, whose closed form in ``n`` is
  :func:`fedsym.paper.welfare.welfare_forms`'s.  Otherwise it is solved numerically:
  choose :math:`M`, split it at least cost (equal marginal costs, :func:`least_cost`),
  search :math:`M` globally; with joining costs, who joins is improved one agent at a time;
* *first best* (data): the largest total with everyone on the full model and IR;
  accuracy shaping at :math:`\varepsilon = 0` attains it (Theorem 4.2, Model §8),
  so it is that equilibrium, and its IR constraints must all bind (a consistency check).

The price of anarchy of a mechanism is :math:`W_{planner}/W` in welfare and
:math:`M_{planner}/M` in data (infinite when the mechanism has nothing and the
planner something; 1 when both have nothing).

Mechanisms are looked up by name in :data:`REGISTRY`; a new one is one entry:
``REGISTRY["name"] = Registered(function, parameter)`` with ``function(population)``,
``function(population, eps=eps)`` (``parameter="eps"``) or ``function(population, rho)``
(``parameter="rho"``, one row per :math:`\rho`), returning a verified
:class:`~fedsym.paper.outcome.Equilibrium`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np

from fedsym.core.errors import ConvergenceError, ParameterError
from fedsym.core.latex import LatexRepr, escape_text, format_number
from fedsym.core.solve import DPS
from fedsym.model.agent import Population
from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.deviation import best_deviation, deviation_tolerance
from fedsym.paper.equilibrium import paper_agents_of, solve
from fedsym.paper.lone_agent import lone_agent_forms
from fedsym.paper.mechanisms import parse_eps
from fedsym.paper.outcome import Equilibrium, Verification
from fedsym.paper.realfm import realfm_published
from fedsym.paper.shapley import parse_rho, rho_shapley
from fedsym.paper.welfare import Benchmark, json_ratio, poa_ratio, welfare_forms

__all__ = ["Registered", "REGISTRY", "MechanismRow", "Comparison", "compare", "least_cost", "planner",
           "alone_equilibrium", "screening_equilibrium", "BENCHMARKS"]

#: the benchmarks of Model §11, in report order
BENCHMARKS = ("alone", "planner", "first_best")


# -- mechanisms ---------------------------------------------------------------------------------

def alone_equilibrium(population: Population) -> Equilibrium:
    r"""Every agent alone at its lone optimum :math:`m_i^*` (Theorem 2.3, Model §8): nothing is pooled.

    Verified by a global search of each distinct agent's :math:`w_i(x) - C_i(x)` on
    :math:`[0, X_i]` with :math:`C_i(X_i) \ge v_i(a_{opt})` (beyond, utility is negative).
    """
    cohort = Cohort.of(population)
    lone = cohort.lone
    worst, scale, checked = (0.0, 0, float(lone.data[0])), 0.0, 0
    for i in np.unique(cohort.entry, return_index=True)[1]:
        i = int(i)
        w, cost = cohort.agent_w(i), cohort.agent_cost(i)
        upper = max(1.0, 2 * float(lone.data[i]))
        while float(cost(np.array([upper]))[0]) < float(cohort.p[i]) * float(cohort.agent_curve(i).w_max):
            upper *= 2
        deviation = best_deviation(_net(w, cost), float(lone.data[i]), upper)
        scale = max(scale, abs(deviation.best_utility))
        checked += 1
        if deviation.gain > worst[0]:
            worst = (deviation.gain, i, deviation.best)
    tolerance = deviation_tolerance(scale)
    verification = Verification(worst[0] <= tolerance, worst[0], worst[1], worst[2],
                                f"all {cohort.size} agents: {checked} distinct agents searched", checked, tolerance)
    label = "; ".join(sorted({agent.accuracy.label() for agent in population.agents}))
    return Equilibrium("alone", label, "Theorem 2.3 (each agent alone)", cohort.marginal_cost(np.zeros(cohort.size)),
                       lone.data.copy(), cohort.accuracy(lone.data), lone.utility.copy(), float(lone.data.sum()), True,
                       False, 0.0, verification, 0.0, "nothing is shared: each agent trains on its own data",
                       np.zeros(cohort.size, dtype=bool), lone.data, lone.utility)


def _net(w: Callable[[np.ndarray], np.ndarray], cost: Callable[[np.ndarray], np.ndarray]
         ) -> Callable[[np.ndarray], np.ndarray]:
    r""":math:`x \mapsto w(x) - C(x)`, an agent's utility alone."""
    return lambda x: w(x) - cost(x)


def _standard(population: Population) -> Equilibrium:
    """Standard federated learning, Eq. (10) (Model §8)."""
    return solve("standard", population)


def _shaping(population: Population, eps: Any = 0.0) -> Equilibrium:
    """Accuracy shaping with known costs, Eq. (13) (Model §8 value space)."""
    return solve("shaping", population, eps)


def _screening_menu(bound: Any, costs: Sequence[float], counts: Sequence[int]) -> tuple[list[float], Any, Any]:
    """The adapter to :mod:`fedsym.paper.screening` (its one call site here): per-type contributions at the
    realized counts, the curve as a mechanism, and the verification of the ex-post equilibrium."""
    from fedsym.paper.screening.k_curve import KScreeningMechanism
    from fedsym.paper.screening.k_many import count_equilibrium
    from fedsym.paper.screening.k_types import KTypes

    n = sum(counts)
    types = KTypes.of([repr(c) for c in costs], [f"{k}/{n}" for k in counts])
    result = count_equilibrium(bound, types, counts, verify=True)
    return [float(x) for x in result.contributions], KScreeningMechanism(bound, types), result.verification


def screening_equilibrium(population: Population) -> Equilibrium:
    r"""Screening when costs are private (Model §9): the population's costs as ``K`` types.

    The types are the distinct costs with their empirical frequencies; every agent is offered
    the ``K``-type curve built from the others' data and the reported profile is the ex-post
    equilibrium at the realized counts (so the total is ``n`` times the expected data
    :math:`\sum_k p_k m_k` of the empirical distribution).  Information rents are
    :math:`U_i - u_i^*`.  With one cost type the menu is the known-cost point: accuracy
    shaping at :math:`\varepsilon = 0` (Theorem 4.2).  Needs the paper's agents (one
    accuracy, linear costs, :math:`v(a) = a`, no joining cost); :class:`ParameterError` otherwise.
    """
    paper = paper_agents_of(population)
    if paper is None:
        raise ParameterError("screening needs the paper's agents (one accuracy, linear costs, value a, "
                             "no joining cost); this population differs")
    bound, costs = paper
    distinct, inverse, counts = np.unique(costs, return_inverse=True, return_counts=True)
    if distinct.size == 1:
        shaping = solve("shaping", population, 0.0)
        return Equilibrium("screening", shaping.accuracy, "one cost type: the known-cost point (Theorem 4.2)",
                           shaping.costs, shaping.contributions, shaping.accuracies, shaping.utilities, shaping.total,
                           shaping.unique, shaping.zero_is_equilibrium, shaping.residual, shaping.verification, 0.0,
                           "all costs are equal, so the menu has one point: shaping at eps = 0",
                           shaping.joined, shaping.lone_data, shaping.lone_utility)
    per_type, mechanism, verification = _screening_menu(bound, distinct.tolist(), counts.tolist())
    profile = np.asarray(per_type)[inverse]
    accuracies = mechanism.accuracies(profile)
    lone = Cohort.of(population).lone
    return Equilibrium("screening", bound.label(), f"K-type screening, K = {distinct.size} (ex-post, realized counts)",
                       costs, profile, accuracies, accuracies - costs * profile, float(profile.sum()), False, False,
                       0.0, verification, 0.0, f"types: the {distinct.size} distinct costs with their frequencies",
                       np.ones(costs.size, dtype=bool), lone.data, lone.utility)


@dataclass(frozen=True)
class Registered:
    """A mechanism of :data:`REGISTRY`: its function and the parameter it takes (``""``, ``"eps"`` or ``"rho"``)."""

    run: Callable[..., Equilibrium]
    parameter: str = ""


#: mechanisms by name, in report order (see the module docstring to add one)
REGISTRY: dict[str, Registered] = {
    "alone": Registered(alone_equilibrium),
    "standard": Registered(_standard),
    "shaping": Registered(_shaping, "eps"),
    "screening": Registered(screening_equilibrium),
    "realfm": Registered(realfm_published, "eps"),
    "shapley": Registered(rho_shapley, "rho"),
}


# -- the planner ---------------------------------------------------------------------------------

def least_cost(cohort: Cohort, rows: np.ndarray, total: np.ndarray) -> np.ndarray:
    r""":math:`\min \sum_{i \in rows} C_i(m_i)` subject to :math:`\sum m_i = M`, for each *total* :math:`M`.

    Convex costs: at the optimum every contributor's marginal cost equals one price
    :math:`\lambda`, :math:`m_i = (C_i')^{-1}(\lambda)` (0 if :math:`C_i'(0) \ge \lambda`;
    :math:`(\lambda - c_1)/(2 c_2)` for :math:`C_i = c_1 m + c_2 m^2`); a linear cost :math:`c\,m`
    caps the price at :math:`c` and takes whatever the convex agents do not supply at :math:`c`.
    The price is found by bisection, vectorized over *total*.
    """
    total = np.asarray(total, dtype=float)
    general = cohort.general[rows]
    c1, c2 = cohort.linear[rows][~general], cohort.quadratic[rows][~general]
    linear = c2 == 0
    cap = float(np.min(c1[linear])) if np.any(linear) else np.inf
    c1, c2 = c1[~linear], c2[~linear]
    entries, counts = np.unique(cohort.entry[rows][general], return_counts=True)
    templates = [cohort.templates[int(j)] for j in entries]

    def supply(price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each convex agent's (quadratic) and each general template's data at *price* (rows: prices)."""
        quadratic = np.maximum(price[:, None] - c1[None, :], 0.0) / (2 * c2[None, :])
        others = np.zeros((price.size, len(templates)))
        for column, agent in enumerate(templates):
            others[:, column] = _inverse_marginal(agent.marginal_cost_np, price)
        return quadratic, others

    def supplied(price: np.ndarray) -> np.ndarray:
        quadratic, others = supply(price)
        return quadratic.sum(1) + others @ counts

    at_cap = float(supplied(np.array([cap]))[0]) if np.isfinite(cap) else np.inf
    lo, hi = np.zeros(total.size), np.full(total.size, cap if np.isfinite(cap) else 1.0)
    while not np.isfinite(cap) and np.any(grow := supplied(hi) < total):
        hi = np.where(grow, 2 * hi, hi)
    inside = total < at_cap
    for _ in range(_STEPS if np.any(inside) else 0):
        mid = 0.5 * (lo + hi)
        below = supplied(mid) < total
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    price = np.where(inside, 0.5 * (lo + hi), cap if np.isfinite(cap) else 0.0)
    quadratic, others = supply(price)
    rest = np.where(inside, 0.0, total - quadratic.sum(1) - others @ counts)
    cost = (c1 * quadratic + c2 * quadratic**2).sum(1)
    for column, agent in enumerate(templates):
        cost = cost + counts[column] * agent.cost_np(others[:, column])
    return cost + (cap * rest if np.isfinite(cap) else 0.0)


def _inverse_marginal(marginal: Callable[[np.ndarray], np.ndarray], price: np.ndarray) -> np.ndarray:
    r"""The :math:`m \ge 0` with :math:`C'(m) = \lambda` per price (0 where :math:`C'(0) \ge \lambda`), by bisection."""
    lo, hi = np.zeros(price.size), np.ones(price.size)
    while np.any(grow := marginal(hi) < price):
        hi = np.where(grow, 2 * hi, hi)
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        below = marginal(mid) < price
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return np.where(marginal(np.zeros(price.size)) >= price, 0.0, 0.5 * (lo + hi))


#: an IR slack within this many units in the last place of the utilities is round-off of 0
_ROUNDOFF_ULPS = 8

#: bisection steps of :func:`least_cost` (double precision, to the last bit)
_STEPS = 64


@dataclass(frozen=True)
class _Plan:
    joined: np.ndarray
    total: float
    welfare: float


def _plan(cohort: Cohort, joined: np.ndarray) -> _Plan:
    """The planner's best total for the set *joined* (non-joiners alone at :math:`u_i^*`): a global search in M."""
    rows = np.nonzero(joined)[0]
    outside = float(cohort.lone.utility[~joined].sum()) - float(cohort.joining[joined].sum())
    if rows.size == 0:
        return _Plan(joined, 0.0, outside)
    curves = [(agent, float(cohort.p[rows][cohort.curve[rows] == j].sum()))
              for j, agent in enumerate(cohort.curves) if np.any(cohort.curve[rows] == j)]

    def welfare(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        value = sum(weight * agent.w_np(x) for agent, weight in curves)
        return value - least_cost(cohort, rows, x)

    ceiling = sum(weight * agent.w_max for agent, weight in curves)
    upper = 1.0
    while float(least_cost(cohort, rows, np.array([upper]))[0]) < ceiling:
        upper *= 2
    best = best_deviation(welfare, 0.0, upper)
    return _Plan(joined, best.best, best.best_utility + outside)


def planner(population: Population) -> tuple[Benchmark, str]:
    r"""The welfare planner of Model §11 and how it was computed.

    The paper's agents: :math:`\max_M n\,a(M) - c_{min} M`, the closed form of
    :func:`fedsym.paper.welfare.welfare_forms` at :math:`c = c_{min}` (0 when
    :math:`c_{min} \ge n c_{max}`).  Other populations: :func:`least_cost` inside a
    global search over :math:`M`; agents without a joining cost always join (joining
    never lowers the best welfare: the agent can still add its :math:`m_i^*`), the
    others are added or dropped one at a time while that raises welfare.
    """
    paper = paper_agents_of(population)
    if paper is not None:
        bound, costs = paper
        c, n = mp.mpf(float(costs.min())), mp.mpf(costs.size)
        with mp.workdps(DPS):
            c_max = lone_agent_forms(bound.function).viability_cost.resolve(bound.values)[0]
            if c >= n * c_max:
                return Benchmark(mp.mpf(0), mp.mpf(0)), "the least cost is at least c_max times the number of agents: nobody gains from any data"
            forms = welfare_forms(bound.function)
            values = {**bound.values, "c": c, "n": n}
            total, how = forms.planner_total.resolve(values)
            welfare, _ = forms.planner_welfare.resolve(values)
        return Benchmark(total, welfare), f"the summed marginal accuracy equals the least cost ({how})"
    cohort = Cohort.of(population)
    plan = _plan(cohort, np.ones(cohort.size, dtype=bool))
    movable = [np.nonzero(cohort.entry == j)[0] for j in range(len(cohort.templates)) if cohort.templates[j].joining_cost]
    improved = bool(movable)
    while improved:
        improved = False
        for members in movable:
            for step in (-1, 1):  # one agent of this entry leaves / joins
                joined = plan.joined.copy()
                pool = members[joined[members]] if step < 0 else members[~joined[members]]
                if pool.size == 0:
                    continue
                joined[pool[0]] = step > 0
                candidate = _plan(cohort, joined)
                if candidate.welfare > plan.welfare + deviation_tolerance(abs(plan.welfare)):
                    plan, improved = candidate, True
    how = "least-cost split, global search over M" + (", who joins improved one agent at a time" if movable else "")
    return Benchmark(mp.mpf(plan.total), mp.mpf(plan.welfare)), how


# -- the comparison ------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class MechanismRow:
    r"""One mechanism at its equilibrium: the quantities of Model §11 and its price of anarchy."""

    name: str
    equilibrium: Equilibrium
    welfare: float
    full_model_value: float
    ir_slack: float
    welfare_poa: mp.mpf
    data_poa: mp.mpf

    @property
    def total(self) -> float:
        return float(self.equilibrium.total)

    @property
    def verified(self) -> bool:
        return self.equilibrium.verified

    def to_dict(self) -> dict[str, Any]:
        """The keys of the command-line contract (docs/cli.rst)."""
        eq = self.equilibrium
        joined = eq.joined if eq.joined is not None else np.ones(eq.contributions.size, dtype=bool)
        return {"name": self.name, "contributions": eq.contributions.tolist(), "total": self.total,
                "accuracies": eq.accuracies.tolist(), "utilities": eq.utilities.tolist(), "welfare": self.welfare,
                "ir_slack": self.ir_slack, "verified": self.verified, "joined": joined.tolist()}


@dataclass(frozen=True, eq=False)
class Comparison(LatexRepr):
    r"""Mechanisms on one population beside the benchmarks of Model §11.

    Attributes
    ----------
    n:
        Number of agents.
    rows:
        One :class:`MechanismRow` per mechanism run, in :data:`REGISTRY` order.
    alone, planner, first_best:
        :class:`~fedsym.paper.welfare.Benchmark` (total, welfare) of each benchmark.
    planner_method:
        How the planner was found.
    first_best_gap:
        :math:`\max_{\text{joiners}} |U_i - u_i^*|` at shaping with :math:`\varepsilon = 0`: 0 up to
        rounding when it is the first best (every IR binds).
    skipped:
        ``(name, reason)`` for each mechanism that does not apply to this population.
    """

    n: int
    eps: float
    rows: tuple[MechanismRow, ...]
    alone: Benchmark
    planner: Benchmark
    first_best: Benchmark
    planner_method: str
    first_best_gap: float
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def verified(self) -> bool:
        """Every mechanism's equilibrium passed the global deviation search."""
        return all(row.verified for row in self.rows)

    def row(self, name: str) -> MechanismRow:
        """The row of mechanism *name*."""
        for row in self.rows:
            if row.name == name:
                return row
        raise ParameterError(f"no mechanism {name!r} in this comparison (have: {', '.join(r.name for r in self.rows)})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, exactly the keys of the command-line contract: mechanisms, benchmarks, price_of_anarchy."""
        return {"mechanisms": [row.to_dict() for row in self.rows],
                "benchmarks": {name: getattr(self, name).to_dict() for name in BENCHMARKS},
                "price_of_anarchy": {row.name: {"welfare": json_ratio(row.welfare_poa), "data": json_ratio(row.data_poa)}
                                     for row in self.rows}}

    def table(self) -> list[tuple[str, str, str, str, str, str, str]]:
        """Rows (name, total data, mean accuracy, welfare, min IR slack, W_P/W, verified) for text and LaTeX."""
        out = []
        for row in self.rows:
            eq = row.equilibrium
            out.append((row.name, f"{row.total:.6g}", f"{float(np.mean(eq.accuracies)):.6g}", f"{row.welfare:.6g}",
                        f"{row.ir_slack:.3g}", _text_ratio(row.welfare_poa), "yes" if row.verified else "NO"))
        for name in BENCHMARKS:
            b = getattr(self, name)
            out.append((f"[{name.replace('_', ' ')}]", f"{float(b.total):.6g}", "", f"{float(b.welfare):.6g}", "",
                        _text_ratio(poa_ratio(self.planner.welfare, b.welfare)), ""))
        return out

    def summary_rows(self) -> list[tuple[str, str]]:
        r"""Per mechanism and benchmark, ``(name, LaTeX text)``: :math:`M`, :math:`W`, the least IR slack
        (when not 0), :math:`W_P/W` and verified (the mechanisms :attr:`skipped` are not rows)."""
        rows = []
        for name, total, _, welfare, slack, ratio, verified in self.table():
            text = f"$M = {format_number(float(total), 6)}$, $W = {format_number(float(welfare), 6)}$"
            if slack and float(slack) != 0:
                text += f", least IR slack ${format_number(float(slack), 3)}$"
            text += r", $W_P/W = \infty$" if ratio == "infinite" else f", $W_P/W = {format_number(float(ratio), 6)}$"
            rows.append((name, text + (f", verified: {verified}" if verified else "")))
        return rows

    def to_latex(self) -> str:
        """A ``tabular``: one row per mechanism and benchmark."""
        lines = [r"\begin{tabular}{lrrrrrl}", r"mechanism & $M$ & mean accuracy & $W$ & $\min_i U_i - u_i^*$ & "
                 r"$W_P/W$ & verified \\ \hline"]
        for name, total, accuracy, welfare, slack, ratio, verified in self.table():
            cells = [escape_text(name)] + [f"${format_number(float(x), 6)}$" if x else "" for x in
                                           (total, accuracy, welfare, slack)]
            ratio_cell = r"$\infty$" if ratio == "infinite" else (f"${format_number(float(ratio), 6)}$" if ratio else "")
            lines.append(" & ".join([*cells, ratio_cell, verified]) + r" \\")
        lines.append(r"\end{tabular}")
        return "\n".join(lines)


def _text_ratio(value: mp.mpf) -> str:
    ratio = json_ratio(value)
    return ratio if isinstance(ratio, str) else f"{ratio:.6g}"


def _row(name: str, eq: Equilibrium, planner_: Benchmark, cohort: Cohort) -> MechanismRow:
    """*eq*'s welfare, value of the full model, IR slack and price of anarchy against *planner_*."""
    if eq.lone_utility is None:
        raise ConvergenceError(f"mechanism {name}: the equilibrium carries no lone utilities u_i* (IR slack)")
    welfare = float(np.sum(eq.utilities))
    gaps = eq.utilities - eq.lone_utility
    noise = _ROUNDOFF_ULPS * np.finfo(float).eps * np.maximum(np.abs(eq.utilities), np.abs(eq.lone_utility))
    slack = float(np.min(np.where(np.abs(gaps) <= noise, 0.0, gaps)))  # round-off of a binding IR shown as 0
    return MechanismRow(name, eq, welfare, float(np.sum(cohort.w_at(float(eq.total)))), slack,
                        poa_ratio(planner_.welfare, mp.mpf(welfare)), poa_ratio(planner_.total, mp.mpf(eq.total)))


def _requested(mechanisms: Sequence[str] | None, rhos: Sequence[Any]) -> list[tuple[str, Registered, Any]]:
    """``(row name, entry, rho)`` for each mechanism to run; bad names raise ParameterError."""
    names = list(REGISTRY) if mechanisms is None else list(mechanisms)
    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        raise ParameterError(f"unknown mechanism {unknown[0]!r} (known: {', '.join(REGISTRY)})")
    out: list[tuple[str, Registered, Any]] = []
    for name in dict.fromkeys(names):
        entry = REGISTRY[name]
        if entry.parameter != "rho":
            out.append((name, entry, None))
        elif mechanisms is not None and not rhos:
            raise ParameterError(f"mechanism {name!r} needs at least one rho (--rho R ...)")
        else:
            out.extend((f"{name}(rho={rho:g})", entry, rho) for rho in map(parse_rho, rhos))
    return out


def compare(population: Population, mechanisms: Sequence[str] | None = None, eps: Any = 0.0,
            rhos: Sequence[Any] = ()) -> Comparison:
    r"""Run *mechanisms* (default: every one of :data:`REGISTRY` that applies) on *population*, with the benchmarks.

    Parameters
    ----------
    population:
        The agents (Model §8).
    mechanisms:
        Names from :data:`REGISTRY`, or ``None`` for all of them; then those that do not apply
        to this population (screening for agents that differ) are skipped, and so are the
        mechanisms taking a rho when *rhos* is empty.  A named mechanism that does not apply
        raises ``ParameterError``.
    eps:
        Slope margin :math:`\varepsilon \ge 0` of shaping (Eq. (13)) and mechanisms taking it.
    rhos:
        Values of :math:`\rho` for mechanisms taking it, one row each.

    A ``ConvergenceError`` is raised when the planner's welfare falls below a mechanism's
    (the planner's search failed) or the first best's IR does not bind.

    >>> from fedsym import accuracy_function
    >>> from fedsym.model.agent import Agent, Population
    >>> bound = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    >>> result = compare(Population((Agent.paper(bound, "0.001", count=8),)), ["standard"])
    >>> result.row("standard").total, float(result.planner.total)   # m* = 100, M_P = n^(2/3) m*
    (100.0, 400.0)
    """
    eps_value = parse_eps(eps)
    for rho in rhos:
        parse_rho(rho)
    requested = _requested(mechanisms, rhos)
    cohort = Cohort.of(population)
    planner_, how = planner(population)
    rows: list[MechanismRow] = []
    skipped: list[tuple[str, str]] = []
    for row_name, entry, rho in requested:
        try:
            if entry.parameter == "eps":
                eq = entry.run(population, eps=eps_value)
            elif entry.parameter == "rho":
                eq = entry.run(population, rho)
            else:
                eq = entry.run(population)
        except ParameterError as error:
            if mechanisms is not None:
                raise
            skipped.append((row_name, str(error)))
            continue
        rows.append(_row(row_name, eq, planner_, cohort))
    shaping = next((row.equilibrium for row in rows if row.name == "shaping" and eps_value == 0), None) \
        or solve("shaping", population, 0.0)
    lone = cohort.lone
    first_best = Benchmark(mp.mpf(shaping.total), mp.mpf(float(np.sum(shaping.utilities))))
    joined = shaping.joined if shaping.joined is not None else np.ones(cohort.size, dtype=bool)
    gap = float(np.max(np.abs(shaping.utilities - lone.utility)[joined], initial=0.0))
    scale = float(np.max(np.abs(lone.utility), initial=1.0))
    if gap > _FIRST_BEST_RTOL * max(1.0, scale):
        raise ConvergenceError(f"first best: shaping at eps = 0 leaves an IR slack of {gap:.3g} (Theorem 4.6 says 0)")
    alone = Benchmark(mp.mpf(float(lone.data.sum())), mp.mpf(float(lone.utility.sum())))
    for row in rows:
        if row.welfare > float(planner_.welfare) + _PLANNER_RTOL * max(1.0, abs(row.welfare)):
            raise ConvergenceError(f"planner ({how}): welfare {float(planner_.welfare):.12g} below mechanism "
                                   f"{row.name}'s {row.welfare:.12g}")
    return Comparison(cohort.size, eps_value, tuple(rows), alone, planner_, first_best, how, gap, tuple(skipped))


#: a mechanism may exceed the planner's welfare by this much relative before the planner counts as failed
#: (both are double precision; the planner's search locates its optimum to about 1e-10 relative)
_PLANNER_RTOL = 1e-9
#: largest IR slack, relative to the largest lone utility, that shaping at eps = 0 may leave (Theorem 4.6)
_FIRST_BEST_RTOL = 1e-9
