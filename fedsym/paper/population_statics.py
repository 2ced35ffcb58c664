r"""Comparative statics of agents that differ (Model §8, Model §12): how the equilibrium moves with each agent's
cost scale.

Agent ``j`` (record ``j`` of the population, all its ``count`` copies) pays
:math:`s_j C_j(m)`; the derivatives are taken at :math:`s = 1` by the implicit
function theorem on the equilibrium's defining equations, with the set of
joiners (and, under standard FL, the agent that tops the total up) held fixed:

* **Accuracy shaping** (Eq. (13) generalized): a joiner's contribution
  :math:`x_r = \bar m_r(M)` solves
  :math:`\Phi_r = s_r C_r(x_r) - s_r C_r(m_r^*) + \varepsilon(x_r - m_r^*) - w_r(M) + w_r(m_r^*) + J_r = 0`
  and :math:`M = \sum_r n_r x_r`.  With :math:`d_r = C_r'(x_r) + \varepsilon`,
  :math:`A_r = \partial x_r/\partial M = w_r'(M)/d_r` and (the lone optimum moves too,
  :math:`dm_r^*/ds_r = C_r'(m_r^*)/(w_r''(m_r^*) - C_r''(m_r^*))`)
  :math:`B_r = \partial x_r/\partial s_r = -(C_r(x_r) - C_r(m_r^*) - \varepsilon\,dm_r^*/ds_r)/d_r`:

  .. math:: \frac{dM}{ds_j} = \frac{n_j B_j}{1 - \sum_r n_r A_r},\qquad
            \frac{dx_r}{ds_j} = A_r \frac{dM}{ds_j} + \delta_{rj} B_j.

* **Standard FL** (Eq. (10) generalized): a contributor with a convex cost has
  :math:`s_r C_r'(x_r) = w_r'(M)`, so :math:`A_r = w_r''(M)/C_r''(x_r)`,
  :math:`B_r = -C_r'(x_r)/C_r''(x_r)` and the same formula gives :math:`dM/ds_j`;
  when a linear-cost agent ``t`` tops the total up to its stopping point
  :math:`w_t'(M) = s_t c_t` (Theorem 3.4 generalized), :math:`dM/ds_j = \delta_{jt}\,c_t/w_t''(M)` and
  :math:`x_t = M - \sum_{r \ne t} n_r x_r`.

The common scale ``cost_scale`` (every agent's cost times ``s``) is the sum over ``j``.
Each derivative is checked against a central difference of the equilibrium
re-solved from scratch (:func:`fedsym.paper.equilibrium.solve`) at scaled costs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow
from fedsym.core.errors import ComputationError, InputError
from fedsym.core.expression import lambdify_mpmath
from fedsym.core.latex import LatexRepr
from fedsym.core.settings import current_settings
from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import ACCURACY, Agent, Population
from fedsym.paper.equilibrium import solve
from fedsym.paper.mechanisms import parse_eps
from fedsym.paper.outcome import Equilibrium

__all__ = ["POPULATION_QUANTITIES", "PopulationStatics", "population_statics", "parse_cost_scale", "checks"]

#: quantities of a population: the equilibrium totals of Eq. (10) / Eq. (13) generalized, or each record's
#: contribution under the mechanism (``contributions`` needs ``mechanism``)
POPULATION_QUANTITIES = ("standard_total", "shaping_total", "contributions")

#: relative step of the central differences (the solvers work in double precision)
FD_STEP = 1e-5

#: without --wrt, each record's own cost scale is differentiated only for files of at most this many records
#: (each costs two re-solves of the equilibrium); above it, only the common scale
EACH_RECORD_UP_TO = 20

#: the name of the cost scale parameter: ``cost_scale`` (every agent) or ``cost_scale:j`` (record j, from 1)
COST_SCALE = "cost_scale"


def parse_cost_scale(text: str, records: int) -> int | None:
    """``cost_scale`` -> None (every agent), ``cost_scale:j`` -> record index ``j - 1``; anything else is an
    :class:`InputError` naming *text*."""
    name, sep, index = text.partition(":")
    if name != COST_SCALE or (sep and not index.strip().isdigit()):
        raise InputError(f"--wrt {text!r}: agents that differ are differentiated by cost_scale (every agent) or "
                         f"cost_scale:J (record J of the agents file, 1 to {records})")
    if not sep:
        return None
    j = int(index)
    if not 1 <= j <= records:
        raise InputError(f"--wrt {text!r}: the agents file has records 1 to {records}")
    return j - 1


@dataclass(frozen=True)
class _Curves:
    r""":math:`w = v\circ a`, :math:`C` and their first two derivatives of one agent, in mpmath (0 below
    :math:`m_0`, where :math:`a = 0`)."""

    w: tuple[Callable[..., Any], ...]
    cost: tuple[Callable[..., Any], ...]
    m0: mp.mpf

    @classmethod
    def of(cls, agent: Agent) -> _Curves:
        w = agent.value.subs(ACCURACY, agent.accuracy.expr)
        return cls(tuple(lambdify_mpmath(S.m, sp.diff(w, S.m, k)) for k in range(3)),
                   tuple(lambdify_mpmath(S.m, sp.diff(agent.cost, S.m, k)) for k in range(3)),
                   mp.mpf(agent.accuracy.minimum_viable_data))

    def value(self, k: int, m: Any) -> mp.mpf:
        """:math:`w^{(k)}(m)`."""
        m = mp.mpf(m)
        return mp.mpf(self.w[k](m)) if m > self.m0 else mp.mpf(0)

    def c(self, k: int, m: Any) -> mp.mpf:
        """:math:`C^{(k)}(m)` (:math:`C(0) = 0`; derivatives at 0 from the right)."""
        m = mp.mpf(m)
        if k == 0 and m <= 0:
            return mp.mpf(0)
        return mp.mpf(self.cost[k](max(m, mp.mpf(10) ** -300)))


@dataclass(frozen=True)
class _Profile:
    """The equilibrium per record: total, contributions (one copy of each record), lone optima, who joins."""

    total: float
    contributions: np.ndarray
    lone: np.ndarray
    joined: np.ndarray


def _profile(population: Population, mechanism: str, eps: float) -> tuple[_Profile, Equilibrium]:
    result = solve(mechanism, population, eps if mechanism == "shaping" else 0.0, verify=False)
    first = np.searchsorted(population.index, np.arange(len(population.agents)))
    assert result.joined is not None and result.lone_data is not None
    return _Profile(float(result.total), np.asarray(result.contributions)[first],
                    np.asarray(result.lone_data)[first], np.asarray(result.joined)[first]), result


def _scaled(population: Population, j: int | None, s: float) -> Population:
    """*population* with the cost of record *j* (every record when None) multiplied by *s*."""
    factor = sp.Rational(repr(s))
    return Population(tuple(dataclasses.replace(agent, cost=sp.expand(factor * agent.cost))
                            if j is None or r == j else agent for r, agent in enumerate(population.agents)))


def _shaping_parts(curves: list[_Curves], profile: _Profile, eps: mp.mpf) -> tuple[list[mp.mpf], list[mp.mpf]]:
    r""":math:`A_r = \partial x_r/\partial M` and :math:`B_r = \partial x_r/\partial s_r` of the joiners (0 for the
    others), Eq. (13) generalized."""
    total = mp.mpf(profile.total)
    a_parts, b_parts = [], []
    for r, f in enumerate(curves):
        if not profile.joined[r]:
            a_parts.append(mp.mpf(0))
            b_parts.append(mp.mpf(0))
            continue
        x, star = mp.mpf(profile.contributions[r]), mp.mpf(profile.lone[r])
        if x <= star:
            raise ComputationError(f"agent {r + 1} sits at its lone optimum (joining threshold): the shaping "
                                   "contribution is not differentiable in the cost scale there")
        d = f.c(1, x) + eps
        move = f.c(1, star) / (f.value(2, star) - f.c(2, star)) if star > 0 else mp.mpf(0)
        a_parts.append(f.value(1, total) / d)
        b_parts.append(-(f.c(0, x) - f.c(0, star) - eps * move) / d)
    return a_parts, b_parts


def _standard_parts(population: Population, curves: list[_Curves], profile: _Profile,
                    result: Equilibrium) -> tuple[list[mp.mpf], list[mp.mpf], int | None]:
    r""":math:`A_r, B_r` of the contributors with convex costs, and the linear-cost agent that tops up (if any)."""
    total = mp.mpf(profile.total)
    a_parts, b_parts = [mp.mpf(0)] * len(curves), [mp.mpf(0)] * len(curves)
    top = None
    for r, (agent, f) in enumerate(zip(population.agents, curves)):
        x = mp.mpf(profile.contributions[r])
        if not profile.joined[r] or x <= 0:
            continue
        if agent.linear_rate is not None:
            if not result.unique or agent.count > 1:
                raise ComputationError("the standard equilibrium is not unique (agents tie at the largest stopping "
                                       "point, Theorem 3.4): its total has no derivative in a cost scale")
            top = r
            continue
        curvature = f.c(2, x)
        a_parts[r] = f.value(2, total) / curvature
        b_parts[r] = -f.c(1, x) / curvature
    return a_parts, b_parts, top


def _derivatives(population: Population, curves: list[_Curves], mechanism: str, eps: mp.mpf, profile: _Profile,
                 result: Equilibrium, j: int | None) -> tuple[mp.mpf, list[mp.mpf]]:
    r""":math:`dM/ds_j` and :math:`dx_r/ds_j` for every record (``j`` None: the common scale)."""
    counts = [agent.count for agent in population.agents]
    scaled = [j is None or r == j for r in range(len(curves))]
    top = None
    if mechanism == "shaping":
        a_parts, b_parts = _shaping_parts(curves, profile, eps)
    else:
        a_parts, b_parts, top = _standard_parts(population, curves, profile, result)
    if top is not None:
        f, rate = curves[top], mp.mpf(population.agents[top].linear_rate or 0)
        d_total = rate / f.value(2, mp.mpf(profile.total)) if scaled[top] else mp.mpf(0)
    else:
        denominator = 1 - mp.fsum(n * a for n, a in zip(counts, a_parts))
        if denominator == 0:
            raise ComputationError("singular fixed point (1 - sum_r n_r dx_r/dM = 0): the implicit function "
                                   "theorem does not apply")
        d_total = mp.fsum(n * b for n, b, on in zip(counts, b_parts, scaled) if on) / denominator
    d_x = [a * d_total + (b if on else 0) for a, b, on in zip(a_parts, b_parts, scaled)]
    if top is not None:
        d_x[top] = d_total - mp.fsum(n * d for r, (n, d) in enumerate(zip(counts, d_x)) if r != top)
    return d_total, d_x


@dataclass(frozen=True)
class PopulationStatics(LatexRepr):
    r"""Derivatives of a population's equilibrium in the cost scales (see :func:`population_statics`).

    ``derivatives[wrt]`` is :math:`(dM/ds, (dx_r/ds)_r)`, ``differences[wrt]`` the central differences of the
    re-solved equilibrium; ``contributions`` one copy of each record's contribution.
    """

    mechanism: str
    quantity: str
    eps: float
    total: float
    contributions: tuple[float, ...]
    derivatives: dict[str, tuple[float, tuple[float, ...]]]
    differences: dict[str, tuple[float, tuple[float, ...]]]
    rtol: float

    def _rows(self) -> list[tuple[str, str, float, float, float]]:
        """``(wrt, y, value, derivative, central difference)`` of the chosen quantity."""
        rows = []
        for wrt, (d_total, d_x) in self.derivatives.items():
            fd_total, fd_x = self.differences[wrt]
            if self.quantity != "contributions":
                rows.append((wrt, "M", self.total, d_total, fd_total))
            else:
                rows += [(wrt, f"m_{r + 1}", x, d, fd) for r, (x, d, fd) in
                         enumerate(zip(self.contributions, d_x, fd_x))]
        return rows

    def _error(self, value: float, derivative: float, difference: float) -> float:
        """Difference from the central difference relative to the derivative or, if larger, to the value."""
        scale = max(abs(derivative), abs(difference), abs(value))
        return abs(derivative - difference) / scale if scale else 0.0

    @property
    def passed(self) -> bool:
        return all(self._error(v, d, fd) <= self.rtol for _, _, v, d, fd in self._rows())

    def to_dict(self) -> dict[str, Any]:
        derivatives: dict[str, dict[str, Any]] = {}
        for wrt, y, value, d, fd in self._rows():
            derivatives.setdefault(wrt, {})[y] = {
                "value": value, "derivative": d, "elasticity": d / value if value else None,
                "finite_difference": fd, "relative_error": self._error(value, d, fd),
                "passed": self._error(value, d, fd) <= self.rtol}
        return {"mechanism": self.mechanism, "quantity": self.quantity, "eps": self.eps, "total": self.total,
                "contributions": list(self.contributions), "method": "implicit-function",
                "derivatives": derivatives}

    def table(self) -> list[tuple[str, str, float, float, float | None, float]]:
        """``(wrt, y, value, derivative, elasticity, error vs central difference)`` rows."""
        return [(wrt, y, v, d, d / v if v else None, self._error(v, d, fd)) for wrt, y, v, d, fd in self._rows()]

    def check_rows(self) -> list[CheckRow]:
        """One row per derivative against its central difference, in units of the value (the elasticity)."""
        rows = []
        for wrt, y, value, d, fd in self._rows():
            unit = abs(value) or 1.0
            rows.append(CheckRow(f"d {y} / d {wrt}", "Model §8", f"{self.mechanism}, agents that differ",
                                 mp.mpf(d / unit), mp.mpf(fd / unit),
                                 "central difference of the re-solved equilibrium, in units of y "
                                 "(implicit-function derivative)", mp.mpf(self.rtol),
                                 quantity_tex=rf"\partial {y}/\partial {_scale_tex(wrt)}"))
        return rows

    def to_latex(self) -> str:
        """An ``align*`` block: each derivative with its elasticity."""
        lines = []
        for wrt, y, _, d, elasticity, _ in self.table():
            s = _scale_tex(wrt)
            tail = "" if elasticity is None else \
                rf",\quad \frac{{\partial\log {y}}}{{\partial\log {s}}} = {mp.nstr(elasticity, 10)}"
            lines.append(rf"\frac{{\partial {y}}}{{\partial {s}}} &= {mp.nstr(d, 10)}" + tail)
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def _scale_tex(wrt: str) -> str:
    """``cost_scale`` -> ``s``, ``cost_scale:2`` -> ``s_{2}``."""
    return "s" + (f"_{{{wrt.split(':')[1]}}}" if ":" in wrt else "")


def population_statics(population: Population, quantity: str, wrt: tuple[str, ...] | None = None, *,
                       mechanism: str | None = None, eps: Any = 0.0, rtol: float | None = None) -> PopulationStatics:
    r"""Derivatives of the equilibrium total or contributions of *population* in the agents' cost scales.

    *quantity*: ``standard_total``, ``shaping_total`` or ``contributions`` (of *mechanism*, ``standard`` or
    ``shaping``).  *wrt*: ``cost_scale`` and/or ``cost_scale:j`` (default: the common scale and, for at most
    :data:`EACH_RECORD_UP_TO` records, every record).
    *rtol*: agreement required with the central differences (default ``Settings.population_statics_rtol``).

    >>> from fedsym import Agent, Population, accuracy_function
    >>> bound = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    >>> s = population_statics(Population((Agent.paper(bound, "0.001", count=2),)), "shaping_total", ("cost_scale",))
    >>> round(s.table()[0][4], 6), s.passed   # M = n t_n (k/c^2)^(1/3): elasticity -2/3 (Example 4.5)
    (-0.666667, True)
    """
    if quantity not in POPULATION_QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r} for agents that differ (one of: "
                         f"{', '.join(POPULATION_QUANTITIES)})")
    if quantity != "contributions":
        implied = quantity.split("_")[0]
        if mechanism not in (None, implied):
            raise InputError(f"mechanism {mechanism!r} contradicts quantity {quantity} (the {implied} total)")
        mechanism = implied
    elif mechanism not in ("standard", "shaping"):
        raise InputError(f"contributions needs the mechanism (--mechanism standard or shaping), got {mechanism!r}")
    assert mechanism is not None
    records = len(population.agents)
    names = wrt or (COST_SCALE, *(f"{COST_SCALE}:{j}" for j in range(1, records + 1) if records <= EACH_RECORD_UP_TO))
    chosen = {name: parse_cost_scale(name, records) for name in names}
    margin = parse_eps(eps) if mechanism == "shaping" else 0.0
    profile, result = _profile(population, mechanism, margin)
    distinct: dict[int, _Curves] = {}  # equal records of an agents file share one Agent
    for agent in population.agents:
        if id(agent) not in distinct:
            distinct[id(agent)] = _Curves.of(agent)
    curves = [distinct[id(agent)] for agent in population.agents]
    derivatives, differences = {}, {}
    with mp.workdps(40):
        for name, j in chosen.items():
            d_total, d_x = _derivatives(population, curves, mechanism, mp.mpf(margin), profile, result, j)
            derivatives[name] = (float(d_total), tuple(float(d) for d in d_x))
            differences[name] = _central_difference(population, mechanism, margin, j)
    return PopulationStatics(mechanism, quantity, margin, profile.total, tuple(float(x) for x in profile.contributions),
                             derivatives, differences,
                             current_settings().population_statics_rtol if rtol is None else rtol)


def _central_difference(population: Population, mechanism: str, eps: float,
                        j: int | None) -> tuple[float, tuple[float, ...]]:
    """Central differences of the total and each record's contribution, re-solving at :math:`s = 1 \\pm h`."""
    up, _ = _profile(_scaled(population, j, 1 + FD_STEP), mechanism, eps)
    down, _ = _profile(_scaled(population, j, 1 - FD_STEP), mechanism, eps)
    return ((up.total - down.total) / (2 * FD_STEP),
            tuple(float(d) for d in (up.contributions - down.contributions) / (2 * FD_STEP)))


# -- checks -------------------------------------------------------------------------------

def _check_population() -> Population:
    """Three agents that differ: two of Eq. (3) with linear costs, one of Eq. (2) with a quadratic cost."""
    simplified = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"})
    return Population((Agent.of(simplified, "0.00005*m"), Agent.of(simplified, "0.002*m", count=2),
                       Agent.of(bound, "0.00001*m + 1e-7*m**2")))


def checks() -> list[CheckRow]:
    """Each cost-scale derivative of a population of agents that differ against the re-solved equilibrium."""
    population = _check_population()
    rows = population_statics(population, "contributions", mechanism="shaping", eps="0.0001").check_rows()
    rows += population_statics(population, "standard_total").check_rows()
    return rows
