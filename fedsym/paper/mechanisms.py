r"""Mechanisms: the accuracy :math:`\gamma_i(m_i; m_{-i})` each agent receives (Model §3-5, Sec. 3-4).

A :class:`Mechanism` maps a contribution profile :math:`m = (m_1, \dots, m_n)`
to the accuracy of the model agent ``i`` receives, Eq. (7); an agent paying
:math:`c_i` per point then has utility :math:`U_i = \gamma_i(m_i; m_{-i}) - c_i m_i`.
The protocol is one abstract method, :meth:`Mechanism.gamma`, vectorized over
:math:`m_i` with numpy, plus the accuracy function the mechanism is built on;
everything else (utilities, the curve seen by one agent, the feasibility and
individual-rationality checks, equilibrium solvers and the global verifier of
:mod:`fedsym.paper.equilibrium`) works on *any* mechanism, including one a user
writes as a subclass or wraps with :class:`FunctionMechanism`.

Shipped mechanisms:

* :class:`StandardMechanism`, Eq. (10): :math:`\gamma_i = a(\sum_j m_j)`;
* :class:`LinearShaping`, the family behind Eq. (13): the agent's own
  accuracy up to an anchor, then a line of given slope capped by the full
  model; :func:`accuracy_shaping` builds Eq. (13) itself (anchor
  :math:`m_i^*`, slope :math:`c_i + \varepsilon`);
* :class:`PartialSharing`: :math:`\gamma_i = a(m_i + \lambda\,m_{-i})`,
  :math:`\lambda\in[0,1]`, a comparison family for data maximization (Eq. (12)).

:func:`check_feasibility` (Def. 3.1) and :func:`check_individual_rationality`
(Def. 3.2, Eq. (8)) sample random profiles and report the worst violation.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import mpmath as mp
import numpy as np

from fedsym.core.errors import ParameterError
from fedsym.core.frozen import frozen_array
from fedsym.core.latex import escape_text, format_number
from fedsym.core.solve import DPS, last_nonnegative
from fedsym.model.accuracy import BoundAccuracy
from fedsym.paper.lone_agent import optimal_data_array, parse_cost

__all__ = [
    "Mechanism",
    "AnonymousMechanism",
    "FunctionMechanism",
    "StandardMechanism",
    "LinearShaping",
    "PartialSharing",
    "accuracy_shaping",
    "parse_costs",
    "parse_eps",
    "PropertyReport",
    "check_feasibility",
    "check_individual_rationality",
    "PROPERTY_TOLERANCE",
]

#: Default tolerance (absolute, accuracy units) of the feasibility and IR checks:
#: accuracies are at most 1 and evaluated in double precision, so rounding stays
#: below 1e-14; anything above 1e-12 is a real violation.
PROPERTY_TOLERANCE = 1e-12


def parse_costs(values: Sequence[Any]) -> np.ndarray:
    """Marginal costs of the agents as a float array; each must be finite and > 0 in double precision.

    Raises :class:`ParameterError` for an empty list or a bad entry, naming
    the entry's position (``cost #3``) -- including an entry that is a valid
    number but overflows to infinity or underflows below the smallest normal
    double (``1/c`` must stay finite).  A float array is checked in one vector
    pass (no per-element Python work).
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        costs = np.asarray(values, dtype=float)
        costs = costs if costs.ndim == 1 else costs.ravel()  # no view of a 1-D array: a result keeps it as is
        if costs.size == 0:
            raise ParameterError("costs: the list of costs is empty (give at least one agent)")
        bad = np.flatnonzero(~(np.isfinite(costs) & (costs >= _TINY)))
        if bad.size:
            value = float(costs[bad[0]])
            raise ParameterError(f"cost #{bad[0] + 1}={value!r} must be finite and positive" if value <= 0 or
                                 not math.isfinite(value) else _out_of_range(f"cost #{bad[0] + 1}", value, value))
        return costs
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ParameterError(f"costs {str(values)[:40]!r}: give a list of numbers, one per agent (a list of one "
                             "for a single agent; text is not split into costs)")
    values = list(np.ravel(values)) if isinstance(values, np.ndarray) else list(values)
    if not values:
        raise ParameterError("costs: the list of costs is empty (give at least one agent)")
    costs = np.empty(len(values))
    for i, value in enumerate(values):
        name = f"cost #{i + 1}"
        costs[i] = float(parse_cost(float(value) if isinstance(value, np.floating) else value, name))
        if not math.isfinite(costs[i]) or costs[i] < _TINY:
            raise ParameterError(_out_of_range(name, value, float(costs[i])))
    return costs


#: smallest normal double: below it 1/c overflows and costs lose precision
_TINY = float(np.finfo(float).tiny)


def _out_of_range(name: str, value: Any, as_double: float) -> str:
    return (f"{name}={value} is outside the range of double precision (as a double it is {as_double!r}); "
            "rescale the costs")


def parse_eps(value: Any) -> float:
    """The slope margin :math:`\\varepsilon \\ge 0` of Eq. (13), else :class:`ParameterError`."""
    try:
        eps = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"eps={value!r} is not a number") from None
    if not np.isfinite(eps) or eps < 0:
        raise ParameterError(f"eps={value!r} must be a finite number >= 0")
    return eps


class Mechanism(ABC):
    r"""A mechanism, Eq. (7): agent ``i`` receives accuracy :math:`\gamma_i(m_i; m_{-i})`.

    Subclasses implement :meth:`gamma`; they may override :meth:`curve` (for
    speed, e.g. when :math:`\gamma_i` depends on the others only through their
    total) and :meth:`kinks` (points where :math:`\gamma_i(\cdot; m_{-i})` is not
    smooth, which the global deviation search then inspects).

    Attributes
    ----------
    accuracy:
        The accuracy function :math:`a` the mechanism is built on (feasibility
        and IR are stated against it).
    name:
        Short name for messages and JSON.
    n_agents:
        Number of agents the mechanism is defined for, or ``None`` for any.
    """

    accuracy: BoundAccuracy
    name: str = "mechanism"
    n_agents: int | None = None

    @abstractmethod
    def gamma(self, i: int, m_i: Any, profile: Any) -> np.ndarray:
        r""":math:`\gamma_i(m_i; m_{-i})` for every entry of the array *m_i*.

        Parameters
        ----------
        i:
            Index of the agent (``0 <= i < n``).
        m_i:
            Agent ``i``'s candidate contributions (array; the result has its shape).
        profile:
            Contributions of all ``n`` agents; entry ``i`` is ignored.
        """

    def curve(self, i: int, profile: Any) -> Callable[[np.ndarray], np.ndarray]:
        r""":math:`m_i \mapsto \gamma_i(m_i; m_{-i})` with the others' data fixed at *profile*."""
        profile = np.array(profile, dtype=float)
        return lambda m_i: self.gamma(i, m_i, profile)

    def kinks(self, i: int, profile: Any) -> tuple[float, ...]:
        """Contributions of agent ``i`` where its curve is not smooth (none by default)."""
        return ()

    def accuracies(self, profile: Any) -> np.ndarray:
        r""":math:`\gamma_i(m)` of every agent at *profile* (one call of :meth:`gamma` per agent)."""
        profile = np.asarray(profile, dtype=float)
        return np.array([float(self.gamma(i, profile[i:i + 1], profile)[0]) for i in range(profile.size)])

    def accuracy_of(self, i: int) -> BoundAccuracy:
        """Agent ``i``'s accuracy function, against which feasibility and IR are stated (:attr:`accuracy` by default)."""
        return self.accuracy

    def agent_parameters(self, n: int) -> np.ndarray | None:
        """Per-agent parameters that, with its cost and contribution, fix agent ``i``'s deviation problem.

        One row per agent.  Agents with equal rows, costs and contributions face the
        same problem, so the equilibrium verification checks one of them.  ``None``
        (the default) means every agent may be different: all are checked.
        """
        return None

    def utility(self, i: int, m_i: Any, profile: Any, cost: float) -> np.ndarray:
        r"""Utility :math:`U_i = \gamma_i(m_i; m_{-i}) - c_i m_i`, Eq. (7), over an array *m_i*."""
        m_i = np.asarray(m_i, dtype=float)
        return self.gamma(i, m_i, profile) - cost * m_i

    def check_size(self, n: int) -> None:
        """Raise :class:`ParameterError` unless the mechanism is defined for *n* agents."""
        if n < 1:
            raise ParameterError("the mechanism needs at least one agent")
        if self.n_agents is not None and n != self.n_agents:
            raise ParameterError(f"mechanism {self.name} is defined for {self.n_agents} agents, got {n}")

    def describe(self) -> str:
        """One line for reports and messages."""
        return f"{self.name} on {self.accuracy.label()}"


class AnonymousMechanism(Mechanism):
    r"""A mechanism in which :math:`\gamma_i` depends on the others only through their total.

    Subclasses implement :meth:`gamma_total`; :meth:`gamma` and :meth:`curve`
    follow (the curve costs O(1) per evaluation, whatever ``n`` is).
    """

    @abstractmethod
    def gamma_total(self, i: int, m_i: np.ndarray, others: float) -> np.ndarray:
        r""":math:`\gamma_i` when agent ``i`` gives *m_i* (array) and the others give *others* in total."""

    def gamma(self, i: int, m_i: Any, profile: Any) -> np.ndarray:
        profile = np.asarray(profile, dtype=float)
        return self.gamma_total(i, np.asarray(m_i, dtype=float), float(profile.sum() - profile[i]))

    def curve(self, i: int, profile: Any) -> Callable[[np.ndarray], np.ndarray]:
        profile = np.asarray(profile, dtype=float)
        return self.curve_total(i, float(profile.sum() - profile[i]))

    def curve_total(self, i: int, others: float) -> Callable[[np.ndarray], np.ndarray]:
        """Agent ``i``'s curve when the others give *others* in total."""
        return lambda m_i: self.gamma_total(i, np.asarray(m_i, dtype=float), others)

    def kinks(self, i: int, profile: Any) -> tuple[float, ...]:
        profile = np.asarray(profile, dtype=float)
        return self.kinks_total(i, float(profile.sum() - profile[i]))

    def kinks_total(self, i: int, others: float) -> tuple[float, ...]:
        """Kinks of agent ``i``'s curve when the others give *others* in total (none by default)."""
        return ()


class BroadcastMechanism(AnonymousMechanism):
    """An anonymous mechanism whose :meth:`gamma_total` accepts an array of agent indices.

    :meth:`accuracies` is then one vector pass over all agents, whatever ``n`` is.
    """

    @abstractmethod
    def gamma_total(self, i: int | np.ndarray, m_i: np.ndarray, others: float | np.ndarray) -> np.ndarray:
        r""":math:`\gamma_i`; *i*, *m_i* and *others* broadcast together."""

    def accuracies(self, profile: Any) -> np.ndarray:
        """One vector pass, in slices of :data:`SLICE` agents so temporaries stay small at large ``n``."""
        profile = np.asarray(profile, dtype=float)
        total = profile.sum()
        result = np.empty(profile.size)
        for start in range(0, profile.size, SLICE):
            part = profile[start:start + SLICE]
            result[start:start + part.size] = self.gamma_total(np.arange(start, start + part.size), part, total - part)
        return result


#: agents per vector pass of :meth:`BroadcastMechanism.accuracies`
SLICE = 1 << 18


@dataclass(frozen=True, eq=False)
class FunctionMechanism(Mechanism):
    r"""A user's mechanism from a function ``gamma(i, m_i, profile) -> array`` (see :meth:`Mechanism.gamma`)."""

    accuracy: BoundAccuracy
    function: Callable[[int, np.ndarray, np.ndarray], np.ndarray] = field(repr=False)
    name: str = "user mechanism"
    n_agents: int | None = None

    def gamma(self, i: int, m_i: Any, profile: Any) -> np.ndarray:
        m_i = np.asarray(m_i, dtype=float)
        return np.asarray(self.function(i, m_i, np.asarray(profile, dtype=float)), dtype=float) * np.ones_like(m_i)


@dataclass(frozen=True, eq=False)
class StandardMechanism(BroadcastMechanism):
    r"""Standard federated learning, Eq. (10): every agent gets the full model.

    .. math:: \gamma_i(m_i; m_{-i}) = a\Big(\sum_j m_j\Big)

    Feasible and IR (Model §4); its equilibrium is Theorem 3.4.
    """

    accuracy: BoundAccuracy
    name: str = "standard"
    n_agents: int | None = None

    def gamma_total(self, i: int | np.ndarray, m_i: np.ndarray, others: float | np.ndarray) -> np.ndarray:
        return self.accuracy.a_np(m_i + others)

    def agent_parameters(self, n: int) -> np.ndarray:
        """No per-agent parameters: agents differ only by cost and contribution."""
        return np.zeros((n, 0))


@dataclass(frozen=True, eq=False)
class PartialSharing(BroadcastMechanism):
    r"""Agent ``i`` gets a model trained on its data and a share :math:`\lambda` of the others'.

    .. math:: \gamma_i(m_i; m_{-i}) = a\Big(m_i + \lambda \sum_{j\ne i} m_j\Big),\quad \lambda\in[0, 1]

    Feasible and IR for every :math:`\lambda` (``a`` is non-decreasing);
    :math:`\lambda = 1` is Eq. (10).  A comparison family for Eq. (12).
    """

    accuracy: BoundAccuracy
    share: float = 1.0
    name: str = "partial-sharing"
    n_agents: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 1:
            raise ParameterError(f"share lambda={self.share!r} must lie in [0, 1]")

    def gamma_total(self, i: int | np.ndarray, m_i: np.ndarray, others: float | np.ndarray) -> np.ndarray:
        return self.accuracy.a_np(m_i + self.share * others)

    def agent_parameters(self, n: int) -> np.ndarray:
        """No per-agent parameters: agents differ only by cost and contribution."""
        return np.zeros((n, 0))


@dataclass(frozen=True, eq=False)
class LinearShaping(BroadcastMechanism):
    r"""Linear accuracy shaping: own accuracy up to an anchor, then a line capped by the full model.

    .. math::
        \gamma_i(m_i; m_{-i}) = \begin{cases} a(m_i) & m_i \le \mu_i \\
        \min\{a(\mu_i) + s_i (m_i - \mu_i),\ a(m_i + \textstyle\sum_{j\ne i} m_j)\} & m_i > \mu_i
        \end{cases}

    With anchors :math:`\mu_i = m_i^*` and slopes :math:`s_i = c_i + \varepsilon`
    this is Eq. (13) (built by :func:`accuracy_shaping`).  Feasible always; IR
    when each line lies above :math:`a` beyond its anchor (true when
    :math:`s_i \ge \hat a'(\mu_i)`, by concavity), which :func:`check_individual_rationality` tests.
    """

    accuracy: BoundAccuracy
    anchors: np.ndarray
    slopes: np.ndarray
    name: str = "linear-shaping"

    def __post_init__(self) -> None:
        anchors = np.ravel(np.asarray(self.anchors, dtype=float))
        slopes = np.ravel(np.asarray(self.slopes, dtype=float))
        if anchors.shape != slopes.shape or anchors.size == 0:
            raise ParameterError("linear shaping needs one anchor and one slope per agent")
        if np.any(~np.isfinite(anchors) | (anchors < 0)) or np.any(~np.isfinite(slopes) | (slopes <= 0)):
            raise ParameterError("linear shaping: anchors must be >= 0 and slopes > 0 (finite)")
        # one read-only (n, 2) array: anchors and slopes are its columns, agent_parameters() is it (no copy)
        both = np.column_stack([anchors, slopes])
        both.setflags(write=False)
        object.__setattr__(self, "_parameters", both)
        object.__setattr__(self, "anchors", both[:, 0])
        object.__setattr__(self, "slopes", both[:, 1])

    @property
    def n_agents(self) -> int:  # type: ignore[override]
        return int(self.anchors.size)

    @cached_property
    def anchor_accuracy(self) -> np.ndarray:
        r""":math:`a(\mu_i)` for every agent (read-only)."""
        return frozen_array(self.accuracy.a_np(self.anchors))

    def agent_parameters(self, n: int) -> np.ndarray:
        """Each agent's anchor and slope (read-only)."""
        return self._parameters  # type: ignore[attr-defined]

    def gamma_total(self, i: int | np.ndarray, m_i: np.ndarray, others: float | np.ndarray) -> np.ndarray:
        anchor, slope = self.anchors[i], self.slopes[i]
        line = self.anchor_accuracy[i] + slope * (m_i - anchor)
        shaped = np.minimum(line, self.accuracy.a_np(m_i + others))
        return np.where(m_i <= anchor, self.accuracy.a_np(m_i), shaped)

    def kinks_total(self, i: int, others: float) -> tuple[float, ...]:
        r"""The anchor and the crossing :math:`\bar m_i` of the line with the cap (when it exists)."""
        anchor, slope, a_anchor = float(self.anchors[i]), float(self.slopes[i]), float(self.anchor_accuracy[i])
        a_opt = float(self.accuracy.a_opt)
        # the line exceeds the cap's supremum beyond this point, so the crossing lies below it
        upper = anchor + max(a_opt - a_anchor, 0.0) / slope
        gap = lambda x: float(self.accuracy.a_np(np.array([x + others]))[0]) - (a_anchor + slope * (x - anchor))  # noqa: E731
        if upper <= anchor or gap(upper) >= 0 or gap(anchor) < 0:
            return (anchor,)
        return (anchor, last_nonnegative(gap, anchor, upper))


def accuracy_shaping(accuracy: BoundAccuracy, costs: Any, eps: Any = 0.0) -> LinearShaping:
    r"""Accuracy shaping with known costs, Eq. (13).

    .. math::
        \gamma_i(m_i; m_{-i}) = \begin{cases} a(m_i) & m_i \le m_i^* \\
        \min\{a(m_i^*) + (c_i + \varepsilon)(m_i - m_i^*),\ a(m_i + \textstyle\sum_{j\ne i} m_j)\} & m_i > m_i^*
        \end{cases}

    :math:`m_i^*` is Theorem 2.3's lone optimum (0 when :math:`c_i \ge c_{max}`).

    Parameters
    ----------
    accuracy:
        The accuracy function.
    costs:
        Marginal costs :math:`c_i > 0`, one per agent (the server knows them).
    eps:
        Slope margin :math:`\varepsilon \ge 0` (default 0, the limit the paper
        reports; with 0 an agent is indifferent along the line).
    """
    costs = parse_costs(costs)
    eps = parse_eps(eps)
    anchors = optimal_data_array(accuracy, costs)
    return LinearShaping(accuracy, anchors, costs + eps if eps else costs, name="shaping")


# -- property checks -------------------------------------------------------------

@dataclass(frozen=True)
class PropertyReport:
    """Outcome of a feasibility or IR check over random profiles: the worst violation found.

    ``worst_violation`` is the largest amount (accuracy units) by which the
    property failed, 0 when it never did; ``agent``, ``m_i`` and ``others`` say
    where (agent index, its contribution, the others' total).
    """

    property: str
    source: str
    mechanism: str
    holds: bool
    worst_violation: float
    agent: int
    m_i: float
    others: float
    samples: int
    tolerance: float

    def to_dict(self) -> dict[str, Any]:
        return {"property": self.property, "source": self.source, "mechanism": self.mechanism,
                "holds": self.holds, "worst_violation": float(self.worst_violation), "agent": self.agent,
                "m_i": float(self.m_i), "others": float(self.others), "samples": self.samples,
                "tolerance": float(self.tolerance)}

    def to_latex(self) -> str:
        verdict = r"\text{holds}" if self.holds else r"\text{fails}"
        what = escape_text(f"{self.property} ({self.source}) of {self.mechanism}: ")
        return (rf"\text{{{what}}}{verdict},"
                rf"\ \text{{worst violation }} {format_number(self.worst_violation, 3)}")

    def _repr_latex_(self) -> str:
        return f"${self.to_latex()}$"


def _scale(accuracy: BoundAccuracy) -> float:
    """A natural data scale of *accuracy*: the start of its concave viable region (at least m_0)."""
    with mp.workdps(DPS):
        return float(max(accuracy.assumption.holds_from, accuracy.minimum_viable_data, mp.mpf(1)))


def _random_profiles(mechanism: Mechanism, n: int | None, samples: int, seed: int, span: float,
                     scale: float) -> tuple[int, list[np.ndarray]]:
    """*samples* random profiles: log-uniform contributions over ``scale * [1e-3, span]``, some zeros."""
    n = mechanism.n_agents if mechanism.n_agents is not None else (n or 3)
    mechanism.check_size(n)
    rng = np.random.default_rng(seed)
    profiles = []
    for _ in range(samples):
        profile = scale * np.exp(rng.uniform(np.log(1e-3), np.log(span), n))
        profile[rng.random(n) < 0.2] = 0.0
        profiles.append(profile)
    return n, profiles


def _check(mechanism: Mechanism, name: str, source: str,
           violation: Callable[[np.ndarray, np.ndarray, float, int], np.ndarray],
           n: int | None, samples: int, seed: int, tolerance: float, span: float, points: int) -> PropertyReport:
    scale = _scale(mechanism.accuracy)
    n, profiles = _random_profiles(mechanism, n, samples, seed, span, scale)
    grid = np.concatenate([[0.0], scale * np.geomspace(1e-3, span, points)])
    worst = (0.0, 0, 0.0, 0.0)
    for profile in profiles:
        for i in range(n):
            others = float(profile.sum() - profile[i])
            xs = np.unique(np.concatenate([grid, [x for x in mechanism.kinks(i, profile) if x >= 0]]))
            gap = violation(mechanism.gamma(i, xs, profile), xs, others, i)
            j = int(np.argmax(gap))
            if gap[j] > worst[0]:
                worst = (float(gap[j]), i, float(xs[j]), others)
    return PropertyReport(name, source, mechanism.describe(), worst[0] <= tolerance, worst[0],
                          worst[1], worst[2], worst[3], samples, tolerance)


def check_feasibility(mechanism: Mechanism, n: int | None = None, *, samples: int = 50, seed: int = 0,
                      tolerance: float = PROPERTY_TOLERANCE, span: float = 1e4, points: int = 400) -> PropertyReport:
    r"""Feasibility, Def. 3.1: :math:`\gamma_i(m) \le a(\sum_j m_j)` for every agent, on random profiles.

    Parameters
    ----------
    mechanism:
        Any :class:`Mechanism`.
    n:
        Number of agents when the mechanism accepts any (default 3).
    samples:
        Random profiles (log-uniform contributions, about 20 % zeros; fixed *seed*).
    tolerance:
        Violations up to this size (accuracy units) count as rounding
        (default :data:`PROPERTY_TOLERANCE`).
    span, points:
        Each agent's own contribution runs over 0 and *points* log-spaced values
        from ``1e-3`` to *span* times the accuracy's data scale, plus its kinks.
    """
    return _check(mechanism, "feasibility", "Def. 3.1",
                  lambda g, x, others, i: g - mechanism.accuracy_of(i).a_np(x + others),
                  n, samples, seed, tolerance, span, points)


def check_individual_rationality(mechanism: Mechanism, n: int | None = None, *, samples: int = 50, seed: int = 0,
                                 tolerance: float = PROPERTY_TOLERANCE, span: float = 1e4,
                                 points: int = 400) -> PropertyReport:
    r"""Individual rationality, Def. 3.2, Eq. (8): :math:`\gamma_i(m_i; m_{-i}) \ge a(m_i)`, on random profiles.

    Same sampling and parameters as :func:`check_feasibility`.
    """
    return _check(mechanism, "individual rationality", "Def. 3.2, Eq. (8)",
                  lambda g, x, others, i: mechanism.accuracy_of(i).a_np(x) - g,
                  n, samples, seed, tolerance, span, points)
