r"""One agent alone: Theorem 2.3 for any accuracy function (Model §2, Sec. 2.2).

An agent paying ``c`` per point maximises :math:`u(m) = a(m) - c\,m` (Eq. (5)).
Theorem 2.3: with the viability threshold :math:`c_{max} = \sup_{m>0}\hat a(m)/m`,
the optimum is :math:`m^* = 0` for :math:`c \ge c_{max}`, else the root of
:math:`\hat a'(m) = c` beyond :math:`m_0`.

:func:`lone_agent_forms` *derives* the quantities from the expression with
sympy (the same code path for the paper's families and a user's expression)
and validates every branch; :func:`individual` evaluates them at given
parameters and cost; :func:`optimal_data_array` is the vectorized path for
sweeps; :func:`checks` compares each closed form with independent numerics.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow, derived_row
from fedsym.core.derived import CLOSED_FORM, Derived, DerivedForms, mp_value
from fedsym.core.engine import Row, Table, agree, run
from fedsym.core.errors import AssumptionError, ParameterError
from fedsym.core.frozen import FrozenMapping
from fedsym.core.latex import align, sympy_latex
from fedsym.core.settings import current_settings, settings_cache
from fedsym.core.solve import DPS, bracketed_root, decreasing_root_array, expand_bracket, maximize_unimodal
from fedsym.model.accuracy import AccuracyFunction, AssumptionReport, BoundAccuracy, accuracy_function, parse_number

__all__ = [
    "LoneAgentForms",
    "IndividualResult",
    "lone_agent_forms",
    "individual",
    "optimal_data_array",
    "parse_cost",
    "maximize_utility",
    "checks",
    "check_rows",
    "REGIMES",
    "PRICED_OUT",
    "sample_points",
]

#: cost regimes of Theorem 2.3's proof (Fig. 1 b-d)
REGIMES = ("low", "mid", "high")

#: where searches start when the concave region begins at the origin
_NEAR_ORIGIN = mp.mpf(10) ** -30

#: method of m* and u* when Theorem 2.3's case split gives 0 (c >= c_max), not a formula in c
PRICED_OUT = "theorem-2.3-case"


def parse_cost(value: Any, name: str = "cost") -> sp.Rational:
    """A marginal cost: a finite number > 0, else :class:`ParameterError` naming *name*."""
    cost = parse_number(name, value)
    if cost <= 0:
        raise ParameterError(f"{name}={value} must be positive")
    return cost


# -- independent numerics on a bound accuracy function ------------------------

def _concave_start(bound: BoundAccuracy) -> mp.mpf:
    return bound.assumption.holds_from


def numeric_tangent_point(bound: BoundAccuracy) -> mp.mpf:
    r"""Where the steepest ray from the origin touches :math:`\hat a`: the root of
    :math:`h(m) = m\hat a'(m) - \hat a(m)`, decreasing on the concave region.

    Returns 0 when :math:`\hat a` is concave on all :math:`m > 0` with
    :math:`\hat a(0^+) = 0` (then :math:`h \le 0` everywhere and the steepest
    ray is the tangent at the origin), and the start of the concave region
    when the ray is steepest there.
    """
    lo = _concave_start(bound)
    if lo == 0:
        return mp.mpf(0)
    if lo > bound.minimum_viable_data:
        _refuse_steeper_ray_outside(bound, lo)

    def h(x: mp.mpf) -> mp.mpf:
        return x * bound.a_hat_prime(x) - bound.a_hat(x)

    if h(lo) <= 0:
        return lo
    return bracketed_root(h, lo, expand_bracket(h, lo, 2 * lo))


def numeric_viability_cost(bound: BoundAccuracy) -> mp.mpf:
    r""":math:`c_{max} = \sup_{m>0}\hat a(m)/m`: the ratio at the tangent point, or the slope at the origin."""
    m_t = numeric_tangent_point(bound)
    return bound.a_hat(m_t) / m_t if m_t > 0 else slope_at_origin(bound)


def slope_at_origin(bound: BoundAccuracy) -> mp.mpf:
    r""":math:`\lim_{m\to 0^+}\hat a'(m)`, the viability threshold when :math:`m_0 = 0`.

    If :math:`\hat a(m)/m` still changes between :math:`m = 10^{-28}` and
    :math:`10^{-30}` (at twice the working precision), the ray from the origin
    steepens without bound (:math:`\hat a(0^+) > 0` or an infinite slope):
    every cost is viable and fedsym refuses (:class:`AssumptionError`) rather
    than report a huge number.
    """
    with mp.workdps(2 * mp.mp.dps):
        near, nearer = (bound.a_hat(x) / x for x in (mp.mpf(10) ** -28, _NEAR_ORIGIN))
        if abs(near - nearer) > mp.mpf(10) ** -15 * abs(nearer):
            raise AssumptionError(f"accuracy {bound.label()} rises infinitely steeply from m = 0: every "
                                  "positive cost is viable (c_max is infinite)")
    return bound.a_hat_prime(_NEAR_ORIGIN)


def _refuse_steeper_ray_outside(bound: BoundAccuracy, start: mp.mpf) -> None:
    """Raise if a ray from the origin is steeper somewhere (1) fails than at *start* or beyond."""
    ratio_at = [(bound.a_hat(x) / x, x) for x in bound.grid if bound.minimum_viable_data < x < start]
    if ratio_at:
        best, where = max(ratio_at)
        tail = max(bound.a_hat(x) / x for x in bound.grid if x >= start)
        if best > max(tail, bound.a_hat(start) / start):
            raise AssumptionError(
                f"the viability threshold of accuracy {bound.label()} falls at m = {mp.nstr(where, 6)}, "
                f"where assumption (1) fails (it holds for m >= {mp.nstr(start, 6)})")


def numeric_optimal_data(bound: BoundAccuracy, cost: mp.mpf) -> mp.mpf:
    r"""Root of :math:`\hat a'(m) = c` on the concave region (bracketed; :math:`\hat a'` decreases there)."""
    lo = _concave_start(bound)
    lo = lo if lo > 0 else mp.mpf(10) ** (-mp.mp.dps)

    def foc(x: mp.mpf) -> mp.mpf:
        return bound.a_hat_prime(x) - cost

    if foc(lo) <= 0:
        raise ArithmeticError(f"no interior optimum: cost {mp.nstr(cost, 6)} exceeds the marginal accuracy")
    return bracketed_root(foc, lo, expand_bracket(foc, lo, 2 * lo))


def maximize_utility(bound: BoundAccuracy, cost: Any) -> tuple[mp.mpf, mp.mpf]:
    r"""Direct golden-section maximisation of :math:`u(m) = \hat a(m) - c\,m` past the tangent point.

    Independent of the first-order condition (derivatives only bracket the
    search); used to check :math:`m^*` and :math:`u^*`.
    """
    cost = mp_value(cost)
    lo = numeric_tangent_point(bound) or _NEAR_ORIGIN
    hi = expand_bracket(lambda x: bound.a_hat_prime(x) - cost, lo, 2 * lo)
    return maximize_unimodal(lambda x: bound.a_hat(x) - cost * x, lo, hi)


# -- the table of Theorem 2.3 ------------------------------------------------------

@dataclass(frozen=True)
class LoneAgentForms(DerivedForms):
    r"""The derived quantities of Theorem 2.3 for one accuracy function.

    Arguments of each :class:`Derived` are the function's parameter names,
    followed by ``c`` for :attr:`optimal_data` and :attr:`optimal_utility`.
    """

    function: AccuracyFunction
    minimum_viable_data: Derived
    tangent_point: Derived
    viability_cost: Derived
    high_cost_threshold: Derived
    optimal_data: Derived
    optimal_utility: Derived


def sample_points(function: AccuracyFunction) -> list[dict[str, mp.mpf]]:
    r"""Sample points: the function's sample bindings, each with costs 0.05, 0.5 and 0.9 :math:`c_{max}`.

    A binding without a finite :math:`c_{max}` (the accuracy rises infinitely steeply from 0 there) gives no
    point: the refusal belongs to the user's own values, not to a sample the user never gave.
    """
    points: list[dict[str, mp.mpf]] = []
    for bound in function.sample_bindings():
        try:
            c_max = numeric_viability_cost(bound)
        except AssumptionError:
            continue
        values = {name: mp_value(v) for name, v in bound.values.items()}
        points.extend({**values, "c": c_max * mp.mpf(f)} for f in ("0.05", "0.5", "0.9"))
    return points


def _table(function: AccuracyFunction) -> Table:
    r"""Theorem 2.3's quantities for *function* as a table of :mod:`fedsym.core.engine`.

    :math:`m_0` is the root of :math:`\hat a(m) = 0` in the domain; the tangent point
    the root of :math:`m\hat a'(m) = \hat a(m)` beyond :math:`m_0`; :math:`m^*(c)` the root
    of :math:`\hat a'(m) = c` beyond :math:`m_0` with :math:`\hat a''(m^*) < 0`;
    :math:`c_{max}`, :math:`\hat a'(m_0)` and :math:`u^*` follow by substitution (simplified).
    """
    a_hat = function.expr
    d1 = sp.diff(a_hat, S.m)
    params = function.parameter_names
    with_cost = params + ("c",)

    def bound_at(values: Mapping[str, mp.mpf]) -> BoundAccuracy:
        return function.bind_numbers(values)

    def numeric_m0(values: Mapping[str, mp.mpf]) -> mp.mpf:
        return bound_at(values).minimum_viable_data

    def numeric_mt(values: Mapping[str, mp.mpf]) -> mp.mpf:
        return numeric_tangent_point(bound_at(values))

    def numeric_cmax(values: Mapping[str, mp.mpf]) -> mp.mpf:
        return numeric_viability_cost(bound_at(values))

    def numeric_high(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound = bound_at(values)
        start = bound.assumption.holds_from
        return bound.a_hat_prime(start) if start > 0 else slope_at_origin(bound)

    def numeric_mstar(values: Mapping[str, mp.mpf]) -> mp.mpf:
        return numeric_optimal_data(bound_at(values), values["c"])

    def numeric_ustar(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound = bound_at(values)
        m_star = numeric_optimal_data(bound, values["c"])
        return bound.a_hat(m_star) - values["c"] * m_star

    def in_domain(values: Mapping[str, mp.mpf], value: mp.mpf) -> bool:
        return bool(value >= bound_at(values).domain_lower)

    def beyond_m0(values: Mapping[str, mp.mpf], value: mp.mpf) -> bool:
        return bool(value > bound_at(values).minimum_viable_data)

    def a_maximum(values: Mapping[str, mp.mpf], value: mp.mpf) -> bool:
        bound = bound_at(values)
        return bool(value > bound.minimum_viable_data and bound.a_hat_second(value) < 0)

    def verify_mstar(values: Mapping[str, mp.mpf], value: mp.mpf) -> bool:
        bound = bound_at(values)
        return value >= bound.assumption.holds_from and agree(bound.a_hat_prime(value), values["c"])

    def mstar_array(values: Mapping[str, np.ndarray]) -> np.ndarray:
        point = {name: float(values[name].flat[0]) for name in params}
        return optimal_data_array(bound_at(point), values["c"], interior=True)

    rows = (
        Row("minimum_viable_data", "m_0", "minimum viable data: accuracy is 0 below it", "Sec. 2.1, Eq. (1)",
            params, numeric_m0, equation=a_hat, unknown=S.m, condition=in_domain, title="minimum viable data"),
        Row("tangent_point", r"m_{t}", "where the steepest ray from the origin touches the accuracy curve",
            "Theorem 2.3 (proof)", params, numeric_mt, equation=S.m * d1 - a_hat, unknown=S.m, condition=beyond_m0,
            title="tangent point"),
        Row("viability_cost", r"c_{max}", "viability threshold: above it the agent collects nothing",
            "Theorem 2.3, Eq. (6)", params, numeric_cmax, form=lambda f: (a_hat / S.m).subs(S.m, f["tangent_point"]),
            needs=("tangent_point",), simplify=True),
        Row("high_cost_threshold", r"\hat a'(m_0)",
            "marginal accuracy at the minimum viable data: from here on u is non-increasing",
            "Theorem 2.3 (proof, Fig. 1d)", params, numeric_high,
            form=lambda f: d1.subs(S.m, f["minimum_viable_data"]), needs=("minimum_viable_data",), simplify=True),
        Row("optimal_data", r"m^{*}", "optimal data of an agent alone (interior root of the first-order condition)",
            "Theorem 2.3, Eq. (6)", with_cost, numeric_mstar, equation=d1 - S.c, unknown=S.m, condition=a_maximum,
            title="optimal data", numeric_array=mstar_array, verify=verify_mstar),
        Row("optimal_utility", r"u^{*}", "utility at the interior optimum", "Theorem 2.3, Example 2.4",
            with_cost, numeric_ustar, form=lambda f: a_hat.subs(S.m, f["optimal_data"]) - S.c * f["optimal_data"],
            needs=("optimal_data",), simplify=True),
    )
    return Table("lone_agent", function.description(), rows, functools.partial(sample_points, function))


@settings_cache(64)
def lone_agent_forms(function: AccuracyFunction) -> LoneAgentForms:
    r"""Derive :math:`m_0`, the tangent point, :math:`c_{max}`, :math:`\hat a'(m_0)`,
    :math:`m^*(c)` and :math:`u^*(c)` from :math:`\hat a` (Theorem 2.3, Example 2.4).

    The table :func:`_table` runs on the derivation engine (:func:`fedsym.core.engine.run`:
    validated branches, numeric fallback, derivation store and cache).  Cached in memory too.
    """
    return LoneAgentForms(function, **run(_table(function)))


# -- evaluation at a point ---------------------------------------------------------

def _recorded_settings() -> dict[str, Any]:
    """The settings in force that can change a result (precision, budget, tolerances; not where the cache lives)."""
    return {name: value for name, value in current_settings().to_dict().items() if name not in ("cache", "cache_dir")}


@dataclass(frozen=True)
class IndividualResult:
    r"""Theorem 2.3 evaluated for one agent: :math:`m_0, c_{max}, m^*, u^*` and the regime.

    ``method`` maps each quantity to ``closed-form``, ``numeric`` or, for
    :math:`m^*` and :math:`u^*` when :math:`c \ge c_{max}`, :data:`PRICED_OUT`
    (Theorem 2.3's case split gives 0; the interior formula does not apply).
    ``closed_form`` holds the LaTeX of exactly the quantities whose value came
    from a closed form (``0`` for the priced-out case).  ``note`` gives the
    reason for every numeric value and for the case split.  ``method`` and
    ``closed_form`` are read-only mappings: the result is an immutable, hashable value.
    """

    accuracy: str
    cost: mp.mpf
    minimum_viable_data: mp.mpf
    viability_cost: mp.mpf
    high_cost_threshold: mp.mpf
    optimal_data: mp.mpf
    optimal_utility: mp.mpf
    regime: str
    method: Mapping[str, str]
    closed_form: Mapping[str, str]
    assumption: AssumptionReport
    note: str = ""
    forms: LoneAgentForms | None = field(default=None, repr=False, compare=False)
    settings: Mapping[str, Any] = field(default_factory=lambda: _recorded_settings(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", FrozenMapping(self.method))
        object.__setattr__(self, "closed_form", FrozenMapping(self.closed_form))
        object.__setattr__(self, "settings", FrozenMapping(self.settings))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary with the keys of the command-line contract (docs/cli.rst)."""
        return {
            "accuracy": self.accuracy,
            "cost": float(self.cost),
            "minimum_viable_data": float(self.minimum_viable_data),
            "viability_cost": float(self.viability_cost),
            "high_cost_threshold": float(self.high_cost_threshold),
            "optimal_data": float(self.optimal_data),
            "optimal_utility": float(self.optimal_utility),
            "regime": self.regime,
            "method": dict(self.method),
            "closed_form": dict(self.closed_form),
            "assumption": self.assumption.to_dict(),
            "note": self.note,
            "settings": dict(self.settings),
        }

    def to_latex(self) -> str:
        """An ``align*`` block with every closed form and the values at this point."""
        lines = []
        for name in ("minimum_viable_data", "viability_cost", "optimal_data", "optimal_utility"):
            symbol = {"minimum_viable_data": "m_0", "viability_cost": "c_{max}",
                      "optimal_data": "m^{*}", "optimal_utility": "u^{*}"}[name]
            value = mp.nstr(getattr(self, name), 8)
            form = self.closed_form.get(name)
            if self.method.get(name) == PRICED_OUT:
                lines.append(rf"{symbol} &= 0 \quad\text{{(Theorem 2.3: }} c \ge c_{{max}}\text{{)}}")
            else:
                lines.append(rf"{symbol} &= {form} = {value}" if form else rf"{symbol} &= {value} \quad\text{{(numeric)}}")
        return align(lines)

    def _repr_latex_(self) -> str:
        return self.to_latex()


def individual(bound: BoundAccuracy, cost: Any) -> IndividualResult:
    r"""Theorem 2.3 for an agent with accuracy *bound* and marginal cost *cost*.

    The regime is ``low`` for :math:`c < c_{max}` (interior optimum), ``mid``
    for :math:`c_{max} \le c < \hat a'(m_0)` and ``high`` beyond; at
    :math:`c = c_{max}` both 0 and the tangent point are optimal and 0 is reported.
    For :math:`c \ge c_{max}` the method of :math:`m^*, u^*` is :data:`PRICED_OUT`.
    """
    cost_value = parse_cost(cost)
    forms = lone_agent_forms(bound.function)
    values: dict[str, Any] = {**bound.values, "c": cost_value}
    method: dict[str, str] = {}
    notes: list[str] = []
    with mp.workdps(DPS):
        c = mp_value(cost_value)

        def resolved(derived: Derived) -> mp.mpf:
            value, how = derived.resolve(values)
            method[derived.name] = how
            if how != CLOSED_FORM:
                reason = derived.note if derived.closed_form is None else \
                    "the closed form fails its defining condition at this point"
                notes.append(f"{derived.name} is numeric: {reason or 'no closed form'}")
            return value

        m0 = resolved(forms.minimum_viable_data)
        c_max = resolved(forms.viability_cost)
        high = resolved(forms.high_cost_threshold)
        if c < c_max:
            regime = "low"
            m_star = resolved(forms.optimal_data)
            bound.require_assumption(m_star, "the optimal data m*")
            u_star = resolved(forms.optimal_utility)
        else:
            regime = "mid" if c < high else "high"
            m_star, u_star = mp.mpf(0), mp.mpf(0)
            method["optimal_data"] = method["optimal_utility"] = PRICED_OUT
            notes.append("c = c_max: both 0 and the tangent point are optimal (utility 0); 0 is reported"
                         if c == c_max else
                         "c >= c_max: Theorem 2.3's case split gives m* = 0 and u* = 0 (the interior formula does not apply)")
    closed = {d.name: sympy_latex(d.closed_form) for d in forms.all()
              if d.closed_form is not None and method.get(d.name) == CLOSED_FORM}
    closed.update({name: "0" for name, how in method.items() if how == PRICED_OUT})
    return IndividualResult(bound.label(), c, m0, c_max, high, m_star, u_star, regime, method,
                            closed, bound.assumption, "; ".join(notes), forms)


def optimal_data_array(bound: BoundAccuracy, costs: Any, *, interior: bool = False) -> np.ndarray:
    r"""Vectorized :math:`m^*` over an array of costs (double precision, for sweeps).

    Uses the lambdified closed form when one was derived; otherwise solves
    :math:`\hat a'(m) = c` for all costs at once by bisection in :math:`\log m`
    plus Newton polish (:func:`fedsym.core.solve.decreasing_root_array`).  Costs at
    or above :math:`c_{max}` give 0 unless *interior* (then the interior root,
    where it exists).
    """
    costs = np.asarray(costs, dtype=float)
    if np.any(~np.isfinite(costs) | (costs <= 0)):
        raise ParameterError("costs must be finite and positive")
    forms = lone_agent_forms(bound.function)
    with mp.workdps(DPS):
        c_max = float(forms.viability_cost.evaluate(bound.values))
    params = {name: float(v) for name, v in bound.values.items()}
    if forms.optimal_data.closed_form is not None:
        result = forms.optimal_data.evaluate_array({**params, "c": costs})
    else:
        solve = np.ones_like(costs, dtype=bool) if interior else costs < c_max
        result = np.zeros_like(costs)
        if np.any(solve):
            with mp.workdps(DPS):
                lo = float(_concave_start(bound)) or 1e-300
                hi = float(expand_bracket(lambda x: bound.a_hat_prime(x) - mp.mpf(costs[solve].min()), lo, 2 * lo))
            result[solve] = decreasing_root_array(bound.a_hat_prime_np, bound.a_hat_second_np, costs[solve], lo, hi)
    if not interior:
        result[costs >= c_max] = 0.0  # in place: result is ours (memory at large n)
    return result


# -- checks ------------------------------------------------------------------------

#: accuracy functions and parameter points checked by ``fedsym check``
CHECK_POINTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("simplified", {"a_opt": "0.95", "k": "1"}),
    ("simplified", {"a_opt": "0.6", "k": "250"}),
    ("a_opt - 2*sqrt(k/m)", {"a_opt": "0.8", "k": "0.01"}),
    ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}),
    ("power-law", {"a_opt": "1", "tau": "0.3", "beta": "20", "alpha": "1.7"}),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}),
    ("generalization-bound", {"a_opt": "0.9", "k": "100", "b": "4"}),
    ("a_opt - b*log(1 + k/m)", {"a_opt": "0.9", "b": "0.1", "k": "50"}),
    ("a_opt*(1 - exp(-m/k))", {"a_opt": "0.9", "k": "3"}),
)

#: costs at which m* and u* are checked, as fractions of c_max
COST_FRACTIONS = ("1e-4", "0.1", "0.5", "0.99")

#: relative tolerance of a checked value (closed form at 40 digits vs a numeric optimum value)
VALUE_TOLERANCE = mp.mpf("1e-15")
#: relative tolerance of a checked location (golden section finds an arg-max to ~1e-19 only)
ARGMAX_TOLERANCE = mp.mpf("1e-12")


def checks() -> list[CheckRow]:
    """Theorem 2.3 quantities against independent numerics at every point of :data:`CHECK_POINTS`."""
    rows: list[CheckRow] = []
    for spec, params in CHECK_POINTS:
        rows.extend(check_rows(accuracy_function(spec).bind(params)))
    return rows


def check_rows(bound: BoundAccuracy, cost_fractions: tuple[str, ...] = COST_FRACTIONS) -> list[CheckRow]:
    r"""Theorem 2.3 quantities of *bound* against independent numerics.

    References: :math:`m_0` by bracketed bisection of :math:`\hat a`;
    :math:`c_{max}` and the tangent point by golden-section maximisation of
    :math:`\hat a(m)/m`; :math:`\hat a'(m_0)` by evaluating at the numeric
    :math:`m_0`; :math:`m^*, u^*` by golden-section maximisation of
    :math:`u(m)` (no derivative used) at ``c = fraction * c_max``.
    Tolerances: 1e-15 for values; 1e-12 for arg-max locations, which golden
    section pins only to about 1e-19 at 40 digits (the optimum is flat).
    """
    rows: list[CheckRow] = []
    with mp.workdps(DPS):
        forms = lone_agent_forms(bound.function)
        point = bound.label()
        m0 = bound.minimum_viable_data
        m_t, ratio = _steepest_ray(bound)
        references = (
            (forms.minimum_viable_data, m0, "bisection of the accuracy", VALUE_TOLERANCE),
            (forms.tangent_point, m_t, "golden-section max of a(m)/m", ARGMAX_TOLERANCE),
            (forms.viability_cost, ratio, "golden-section max of a(m)/m", VALUE_TOLERANCE),
            (forms.high_cost_threshold, bound.a_hat_prime(m0) if m0 > 0 else ratio,
             "derivative at numeric m_0" if m0 > 0 else "limit of a(m)/m at 0", VALUE_TOLERANCE),
        )
        for derived, reference, how, tolerance in references:
            rows.append(derived_row(derived, bound.values, reference, how, point, tolerance))
        for fraction in cost_fractions:
            cost = ratio * mp.mpf(fraction)
            m_star, u_star = maximize_utility(bound, cost)
            values = {**bound.values, "c": cost}
            at = f"{point}, c = {fraction} c_max"
            rows.append(derived_row(forms.optimal_data, values, m_star, "golden-section max of u(m)", at, ARGMAX_TOLERANCE))
            rows.append(derived_row(forms.optimal_utility, values, u_star, "golden-section max of u(m)", at, VALUE_TOLERANCE))
    return rows


def _steepest_ray(bound: BoundAccuracy) -> tuple[mp.mpf, mp.mpf]:
    r"""Reference tangent point and :math:`c_{max}` without derivatives.

    Golden-section maximisation of :math:`\hat a(m)/m` around the tangent
    point; when the steepest ray touches at the origin, Richardson
    extrapolation (``mpmath.limit``, at twice the precision) of
    :math:`\hat a(m)/m` as :math:`m \to 0^+`.
    """
    m_t = numeric_tangent_point(bound)
    if m_t > 0:
        return maximize_unimodal(lambda x: bound.a_hat(x) / x, m_t / 4, m_t * 4)
    with mp.workdps(2 * DPS):
        return mp.mpf(0), +mp.limit(lambda x: bound.a_hat(x) / x, 0)
