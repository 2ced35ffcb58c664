r"""Agents that differ, as numpy arrays: the vector passes behind every solver of Model §8.

A :class:`Cohort` holds one row per agent: its *curve* (accuracy :math:`a_i` and
value :math:`v_i`, shared by many agents, so :math:`w_i(M) = v_i(a_i(M))` costs one
evaluation per curve), its cost (coefficients :math:`c_{1,i}, c_{2,i}` when
:math:`C_i(m) = c_1 m + c_2 m^2`, else its :class:`~fedsym.model.agent.Agent`'s
expression) and joining cost :math:`J_i`.  Everything an equilibrium needs is a
few O(n) vector passes:

* :attr:`Cohort.lone` -- :math:`m_i^*, u_i^*` (Theorem 2.3 generalized): the
  root of :math:`w_i'(m) = C_i'(m)` on the region where :math:`w_i` is concave
  (bisection in :math:`\log m` for all agents at once), compared with
  :math:`m = 0` and, where :math:`w_i` is not concave above :math:`m_0`, with a
  global grid search there;
* :meth:`Cohort.inverse_cost` -- :math:`m` with :math:`C_i(m) + \varepsilon m = y_i`
  (closed form for quadratic costs, bisection otherwise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core.errors import AssumptionError, ParameterError
from fedsym.core.solve import DPS
from fedsym.core.symbols import m as _M
from fedsym.model.agent import Agent, Population

__all__ = ["Cohort", "Lone", "concave_start"]

#: upper end of every bracket in data points (accuracies are flat long before)
_HUGE = 1e30
#: bisections in log m: the bracket [1e-12, 1e30] shrinks below double precision
_BISECTIONS = 80
#: grid points of the global search where w is not concave
_GRID = 256


def concave_start(agent: Agent) -> float:
    r"""Where :math:`w = v\circ a` becomes concave for good (at least :math:`m_0`).

    With :math:`v(a) = a` this is assumption (1)'s ``holds_from``; otherwise
    :math:`w'` is tested for increase on the accuracy's log grid (10 points per
    decade) and the last increase is refined by bisection of :math:`w'' `'s sign
    change (numeric; ``AssumptionError`` if :math:`w` is not concave for large ``m``).
    """
    return _concave_start(agent.accuracy, agent.value)


_CONCAVE_CACHE: dict[tuple[str, str], float] = {}


def _concave_start(accuracy: Any, value: Any) -> float:
    key = (f"{accuracy.function.name}|{sorted(accuracy.values.items())}", str(value))
    if key in _CONCAVE_CACHE:
        return _CONCAVE_CACHE[key]
    probe = Agent(accuracy, _M, value=value)  # its cost is not used
    with mp.workdps(DPS):
        start = float(accuracy.assumption.holds_from)
    if not probe.value_is_identity:
        grid = np.array([float(x) for x in accuracy.grid if x > accuracy.minimum_viable_data])
        slope = probe.w_prime_np(grid)
        rising = np.nonzero(np.diff(slope) > 1e-15 * np.abs(slope[1:]))[0]
        if rising.size and rising[-1] + 2 >= grid.size:
            raise AssumptionError(f"the value of accuracy {value} on {accuracy.label()} is not concave for large m")
        if rising.size:
            j = int(rising[-1]) + 1
            lo, hi = grid[j], grid[j + 1]
            for _ in range(100):
                mid = 0.5 * (lo + hi)
                if probe.w_prime_np(np.array([mid * (1 + 1e-9)]))[0] > probe.w_prime_np(np.array([mid]))[0]:
                    lo = mid
                else:
                    hi = mid
            start = max(start, hi)
    _CONCAVE_CACHE[key] = start
    return start


@dataclass(frozen=True)
class Lone:
    r"""Per agent: :math:`m_i^*`, :math:`u_i^*`, :math:`w_i(m_i^*)`, :math:`C_i(m_i^*)` and whether a global search was needed."""

    data: np.ndarray
    utility: np.ndarray
    value: np.ndarray
    cost: np.ndarray
    global_search: np.ndarray


@dataclass(frozen=True, eq=False)
class Cohort:
    """One row per agent (read-only arrays); build with :meth:`of` or :meth:`quadratic`.

    Attributes
    ----------
    curves:
        One agent per distinct (accuracy, value) pair; its cost is not used.
    curve:
        Curve of each agent.
    templates:
        The distinct agents (costs of non-quadratic agents come from here).
    entry:
        Template of each agent.
    linear, quadratic:
        :math:`c_1, c_2` per agent (NaN where the cost is not quadratic).
    joining:
        :math:`J_i` per agent.
    scale:
        :math:`p_i` per agent when its value of accuracy is :math:`p_i` times its curve's
        (:math:`v_i = p_i v`, e.g. RealFM's :math:`p_i((1-a)^{-2} - 1)`): agents whose values differ
        only by such a factor share one curve, so one compiled function serves them all (1 by default).
    """

    curves: tuple[Agent, ...]
    curve: np.ndarray
    templates: tuple[Agent, ...]
    entry: np.ndarray
    linear: np.ndarray
    quadratic: np.ndarray
    joining: np.ndarray
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.scale is None:
            object.__setattr__(self, "scale", np.ones(np.shape(self.curve)))
        for name in ("curve", "entry", "linear", "quadratic", "joining", "scale"):
            array = np.array(getattr(self, name))
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @classmethod
    def of(cls, population: Population) -> Cohort:
        """The cohort of a :class:`~fedsym.model.agent.Population` (counts expanded)."""
        templates = population.agents
        keys: dict[tuple[int, sp.Expr], int] = {}
        curves: list[Agent] = []
        template_curve, template_scale = [], []
        for agent in templates:
            factor, base = agent.value.as_content_primitive()
            if not (factor.is_Rational and factor > 0) or factor == 1:
                factor, base = sp.Integer(1), agent.value
            key = (id(agent.accuracy), base)
            if key not in keys:
                keys[key] = len(curves)
                curves.append(agent if factor == 1 else dataclasses.replace(agent, value=base))
            template_curve.append(keys[key])
            template_scale.append(float(factor))
        coefficients = np.array([agent.quadratic if agent.quadratic is not None else (np.nan, np.nan)
                                 for agent in templates], dtype=float)
        entry = population.index
        return cls(tuple(curves), np.asarray(template_curve)[entry], templates, entry,
                   coefficients[entry, 0], coefficients[entry, 1],
                   np.array([float(agent.joining_cost) for agent in templates])[entry],
                   np.asarray(template_scale)[entry])

    @classmethod
    def quadratic_costs(cls, curves: Sequence[Agent], curve: Any, linear: Any, quadratic: Any,
                        joining: Any = 0.0) -> Cohort:
        r"""Many agents with costs :math:`C_i(m) = c_{1,i} m + c_{2,i} m^2` on a few curves (for large ``n``).

        *curves* give the accuracy and value (their costs are ignored); *curve*
        is each agent's curve index.  Coefficients must be finite, >= 0, not both 0.
        """
        curve = np.asarray(curve, dtype=np.int64)
        linear, quadratic = np.asarray(linear, dtype=float), np.asarray(quadratic, dtype=float)
        joining = np.broadcast_to(np.asarray(joining, dtype=float), curve.shape)
        bad = ~np.isfinite(linear) | ~np.isfinite(quadratic) | (linear < 0) | (quadratic < 0) | (linear + quadratic <= 0)
        if np.any(bad):
            raise ParameterError(f"cost of agent {int(np.argmax(bad)) + 1}: coefficients must be finite, >= 0, not both 0")
        if np.any(~np.isfinite(joining) | (joining < 0)):
            raise ParameterError("joining costs must be finite and >= 0")
        if curve.min() < 0 or curve.max() >= len(curves):
            raise ParameterError("curve index out of range")
        return cls(tuple(curves), curve, tuple(curves), curve, linear, quadratic, joining)

    # -- shape ------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return int(self.curve.size)

    @cached_property
    def general(self) -> np.ndarray:
        """Agents whose cost is not quadratic (their cost comes from their template)."""
        return np.isnan(self.linear)

    @cached_property
    def any_general(self) -> bool:
        return bool(self.general.any())

    @cached_property
    def _general_templates(self) -> list[tuple[Agent, np.ndarray]]:
        return [(self.templates[j], np.nonzero(self.general & (self.entry == j))[0])
                for j in np.unique(self.entry[self.general])]

    @cached_property
    def concave_from(self) -> np.ndarray:
        """Per curve: where :math:`w` is concave from on (:func:`concave_start`)."""
        return np.array([concave_start(agent) for agent in self.curves])

    @cached_property
    def minimum_viable_data(self) -> np.ndarray:
        return np.array([float(agent.accuracy.minimum_viable_data) for agent in self.curves])

    @cached_property
    def w_max(self) -> np.ndarray:
        r"""Per agent :math:`v_i(a_{opt,i})`."""
        return np.array([agent.w_max for agent in self.curves])[self.curve] * self.p

    # -- per-agent evaluation -------------------------------------------------------------
    @cached_property
    def _members(self) -> list[np.ndarray]:
        return [np.nonzero(self.curve == j)[0] for j in range(len(self.curves))]

    def _per_curve(self, fn: Callable[[Agent, np.ndarray], np.ndarray], m: np.ndarray,
                   rows: np.ndarray | None = None) -> np.ndarray:
        if rows is None:
            m = np.broadcast_to(np.asarray(m, dtype=float), (self.size,))
            if len(self.curves) == 1:
                return np.asarray(fn(self.curves[0], m), dtype=float)
            out = np.empty(self.size, dtype=float)
            for agent, members in zip(self.curves, self._members):
                out[members] = fn(agent, m[members])
            return out
        m = np.broadcast_to(np.asarray(m, dtype=float), rows.shape)
        if len(self.curves) == 1:
            return np.asarray(fn(self.curves[0], m), dtype=float) * np.ones(rows.shape)
        out = np.empty(rows.shape, dtype=float)
        which = self.curve[rows]
        for j, agent in enumerate(self.curves):
            mask = which == j
            if np.any(mask):
                out[mask] = fn(agent, m[mask])
        return out

    @property
    def p(self) -> np.ndarray:
        """:attr:`scale` (typed: never ``None`` after construction)."""
        assert self.scale is not None
        return self.scale

    def _scale(self, rows: np.ndarray | None) -> np.ndarray:
        return self.p if rows is None else self.p[rows]

    def w(self, m: Any, rows: np.ndarray | None = None) -> np.ndarray:
        r""":math:`w_i(m_i) = v_i(a_i(m_i))` for the agents *rows* (all by default)."""
        return self._per_curve(lambda agent, x: agent.w_np(x), m, rows) * self._scale(rows)

    def w_at(self, total: float) -> np.ndarray:
        r""":math:`w_i(M)` for every agent at one total *M* (one evaluation per curve)."""
        per_curve = np.array([float(agent.w_np(np.array([total]))[0]) for agent in self.curves])
        return per_curve[self.curve] * self.p

    def agent_curve(self, i: int) -> Agent:
        """The curve (accuracy and value up to the factor :attr:`scale`) of agent ``i``."""
        return self.curves[int(self.curve[i])]

    def agent_w(self, i: int) -> Callable[[np.ndarray], np.ndarray]:
        r"""Agent ``i``'s :math:`w_i = v_i \circ a_i` as a numpy function (for one agent's searches)."""
        w, factor = self.agent_curve(i).w_np, float(self.p[i])
        return w if factor == 1 else lambda x: factor * w(x)

    def agent_cost(self, i: int) -> Callable[[np.ndarray], np.ndarray]:
        """Agent ``i``'s cost :math:`C_i` as a numpy function (fast path for one agent's searches)."""
        if self.general[i]:
            return self.templates[int(self.entry[i])].cost_np
        c1, c2 = float(self.linear[i]), float(self.quadratic[i])
        return lambda x: c1 * x + c2 * x * x

    def accuracy(self, m: Any, rows: np.ndarray | None = None) -> np.ndarray:
        r""":math:`a_i(m_i)`."""
        return self._per_curve(lambda agent, x: agent.accuracy.a_np(x), m, rows)

    def value_inverse(self, y: Any, rows: np.ndarray | None = None) -> np.ndarray:
        r""":math:`v_i^{-1}(y_i)` for values in :math:`[0, v_i(a_{opt})]`."""
        return self._per_curve(lambda agent, x: agent.value_inverse_np(x), np.asarray(y) / self._scale(rows), rows)

    def value(self, a: Any, rows: np.ndarray | None = None) -> np.ndarray:
        r""":math:`v_i(a_i)` for accuracies *a*."""
        return self._per_curve(lambda agent, x: agent.value_np(x), a, rows) * self._scale(rows)

    def w_prime(self, m: Any, rows: np.ndarray | None = None) -> np.ndarray:
        r""":math:`w_i'(m_i)` (0 at and below :math:`m_0`)."""
        return self._per_curve(lambda agent, x: agent.w_prime_np(x), m, rows) * self._scale(rows)

    def _cost_part(self, fn: Callable[[Agent, np.ndarray], np.ndarray],
                   quad: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], m: Any,
                   rows: np.ndarray | None) -> np.ndarray:
        if rows is None:
            m = np.broadcast_to(np.asarray(m, dtype=float), (self.size,))
            out = quad(self.linear, self.quadratic, m)
            if not self.any_general:
                return out
            rows = np.arange(self.size)
        else:
            m = np.broadcast_to(np.asarray(m, dtype=float), rows.shape)
            out = quad(self.linear[rows], self.quadratic[rows], m)
        if np.any(self.general[rows]):
            for agent, members in self._general_templates:
                mask = np.isin(rows, members)
                if np.any(mask):
                    out[mask] = fn(agent, m[mask])
        return out

    def cost(self, m: Any, rows: np.ndarray | None = None) -> np.ndarray:
        """:math:`C_i(m_i)`."""
        return self._cost_part(lambda agent, x: agent.cost_np(x), lambda c1, c2, x: c1 * x + c2 * x * x, m, rows)

    def marginal_cost(self, m: Any, rows: np.ndarray | None = None) -> np.ndarray:
        """:math:`C_i'(m_i)`."""
        return self._cost_part(lambda agent, x: agent.marginal_cost_np(x), lambda c1, c2, x: c1 + 2 * c2 * x, m, rows)

    def inverse_cost(self, target: Any, eps: float, rows: np.ndarray | None = None) -> np.ndarray:
        r"""The :math:`m \ge 0` with :math:`C_i(m) + \varepsilon m = y_i` (*target*, >= 0), per agent.

        Quadratic costs: :math:`m = 2y/(b + \sqrt{b^2 + 4 c_2 y})`, :math:`b = c_1 + \varepsilon`
        (stable for :math:`c_2 \to 0`); other costs: bisection (the left side increases).
        """
        if rows is None and not self.any_general:
            y = np.maximum(np.asarray(target, dtype=float), 0.0)
            b = self.linear + eps
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(y > 0, 2 * y / (b + np.sqrt(b * b + 4 * self.quadratic * y)), 0.0)
        rows = np.arange(self.size) if rows is None else rows
        y = np.maximum(np.broadcast_to(np.asarray(target, dtype=float), rows.shape), 0.0)
        b = self.linear[rows] + eps
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(y > 0, 2 * y / (b + np.sqrt(b * b + 4 * self.quadratic[rows] * y)), 0.0)
        general = self.general[rows]
        if np.any(general):
            sub = np.nonzero(general)[0]
            out[sub] = _increasing_root(lambda x: self.cost(x, rows[sub]) + eps * x, y[sub])
        return out

    # -- Theorem 2.3 generalized -----------------------------------------------------------
    @cached_property
    def lone(self) -> Lone:
        r""":math:`m_i^* = \arg\max_m w_i(m) - C_i(m)` (largest maximizer) and :math:`u_i^*`, vectorized.

        On the concave region of :math:`w_i` (from :attr:`concave_from`) the first-order
        condition has at most one root (its left side decreases); it competes with
        :math:`m = 0` and, where :math:`w_i` is not concave above :math:`m_0`, with the
        best of a global grid search there (flagged in ``global_search``).
        """
        root = self.foc_roots
        utility = np.where(root > 0, self.w(root) - self.cost(root), -np.inf)
        best_m, best_u = np.where(utility >= 0, root, 0.0), np.maximum(utility, 0.0)
        nonconcave = self.concave_from[self.curve] > self.minimum_viable_data[self.curve] * (1 + 1e-12)
        for j in np.nonzero(self.concave_from > self.minimum_viable_data * (1 + 1e-12))[0]:
            rows = np.nonzero(self.curve == j)[0]
            grid = np.geomspace(max(self.minimum_viable_data[j], 1e-12), self.concave_from[j], _GRID)
            values = np.stack([self.w(np.full(rows.size, x), rows) - self.cost(np.full(rows.size, x), rows)
                               for x in grid])
            k = np.argmax(values, axis=0)
            better = values[k, np.arange(rows.size)] > best_u[rows]
            best_m[rows[better]] = grid[k[better]]
            best_u[rows[better]] = values[k[better], np.nonzero(better)[0]]
        return Lone(_frozen(best_m), _frozen(best_u), _frozen(self.w(best_m)), _frozen(self.cost(best_m)),
                    _frozen(nonconcave))

    @cached_property
    def foc_roots(self) -> np.ndarray:
        r"""Root of :math:`w_i'(m) = C_i'(m)` on the concave region of :math:`w_i` (0 where there is none).

        For a linear cost this is agent ``i``'s stopping point in standard federated
        learning (Model §8): it adds data while the total is below it.
        """
        start = np.maximum(self.concave_from[self.curve], 1e-12)

        def excess(x: np.ndarray) -> np.ndarray:
            return self.w_prime(x) - self.marginal_cost(x)

        positive = excess(start * (1 + 1e-12)) > 0
        if np.any(excess(np.full(self.size, _HUGE))[positive] >= 0):
            raise AssumptionError("a marginal value of accuracy exceeds the marginal cost for every amount of data")
        root = _log_root(lambda x: -excess(x), np.where(positive, start, 1.0), np.full(self.size, _HUGE))
        return _frozen(np.where(positive, root, 0.0))

    @cached_property
    def thresholds(self) -> np.ndarray:
        r"""Joining threshold per agent: the least total :math:`M` with :math:`w_i(M) - w_i(m_i^*) \ge J_i`.

        0 when :math:`J_i = 0`: such an agent loses nothing by joining (up to :math:`m_i^*` it keeps its own
        model, Eq. (13)'s first branch), so it is always in, as in the paper; :math:`+\infty` when even
        :math:`v_i(a_{opt})` falls short of :math:`w_i(m_i^*) + J_i`.
        """
        lone = self.lone
        target = lone.value + self.joining
        out = np.where(self.joining == 0, 0.0, np.inf)
        search = (self.joining > 0) & (target < self.w_max)
        if np.any(search):
            rows = np.nonzero(search)[0]
            lo = np.log(np.maximum(self.minimum_viable_data[self.curve[rows]], 1e-12))
            hi = np.full(rows.size, np.log(_HUGE))
            for _ in range(_BISECTIONS):
                mid = 0.5 * (lo + hi)
                short = self.w(np.exp(mid), rows) < target[rows]
                lo, hi = np.where(short, mid, lo), np.where(short, hi, mid)
            found = self.w(np.exp(hi), rows) >= target[rows]
            out[rows] = np.where(found, np.exp(hi), np.inf)
        return _frozen(out)


def _log_root(f: Callable[[np.ndarray], np.ndarray], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Elementwise root of an increasing *f* between *lo* (``f < 0``) and *hi* (``f >= 0``), in ``log x``.

    Bisection narrows every bracket to a relative width of about 1e-4, then Illinois
    (regula falsi) steps, kept inside the bracket, polish to double precision.
    """
    a, b = np.log(lo), np.log(hi)
    for _ in range(20):
        mid = 0.5 * (a + b)
        low = f(np.exp(mid)) < 0
        a, b = np.where(low, mid, a), np.where(low, b, mid)
    fa, fb = f(np.exp(a)), f(np.exp(b))
    previous = np.zeros(a.shape, dtype=bool)
    for _ in range(12):
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.where(fb != fa, (a * fb - b * fa) / (fb - fa), 0.5 * (a + b))
        x = np.where((x > a) & (x < b), x, 0.5 * (a + b))
        fx = f(np.exp(x))
        low = fx < 0
        # Illinois: halve the kept end's value when the same end moved twice in a row
        fa, fb = np.where(~low & ~previous, 0.5 * fa, fa), np.where(low & previous, 0.5 * fb, fb)
        a, fa = np.where(low, x, a), np.where(low, fx, fa)
        b, fb = np.where(low, b, x), np.where(low, fb, fx)
        previous = low
    return np.exp(b)


def _increasing_root(f: Callable[[np.ndarray], np.ndarray], y: np.ndarray) -> np.ndarray:
    """Elementwise root of ``f(x) = y`` for increasing *f* with ``f(0) = 0`` (bisection in log x)."""
    lo, hi = np.full(y.shape, np.log(1e-300)), np.full(y.shape, np.log(_HUGE))
    for _ in range(2 * _BISECTIONS):
        mid = 0.5 * (lo + hi)
        below = f(np.exp(mid)) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return np.where(y > 0, np.exp(hi), 0.0)


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)
    array.setflags(write=False)
    return array
