r"""Welfare, the planner's benchmark and the price of anarchy for ``n`` identical agents (Model §11).

``n`` agents share one accuracy function :math:`a` and one marginal cost ``c``
(linear cost, value of accuracy the identity, no joining cost).  The
benchmarks of Model §11:

* *alone*: each agent at its lone optimum :math:`m^*` (Theorem 2.3), welfare
  :math:`n u^*`;
* *planner*: everyone gets the full model, :math:`\max_{M \ge 0} n\,a(M) - cM`.
  Its first-order condition :math:`n\,\hat a'(M_P) = c` is the lone agent's at
  the cost :math:`c/n`, so :math:`M_P(c, n) = m^*(c/n)` and
  :math:`W_P = n\,u^*(c/n)`; positive iff :math:`c/n < c_{max}`;
* *standard FL* (Eq. (10), Theorem 3.4): one agent contributes :math:`m^*`,
  everyone gets :math:`a(m^*)`: :math:`W_S = n\,a(m^*) - c\,m^*`; nothing at all
  when :math:`c \ge c_{max}` (Remark 3.5);
* *accuracy shaping* (Eq. (13), Theorem 4.2): the total :math:`M` of
  :func:`~fedsym.paper.equilibrium.shaping_equilibrium`, welfare
  :math:`n u^* + \varepsilon (M - n m^*)` (each agent's line meets the full
  model: :math:`U_i = u^* + \varepsilon(\bar m - m^*)`; Theorem 4.6 at
  :math:`\varepsilon = 0`).

The price of anarchy of standard FL is :math:`W_P/W_S` in welfare and
:math:`M_P/M_S` in data.  :func:`welfare_forms` derives both as closed forms in
``n`` with sympy where the lone optimum has one (Eq. (3): :math:`M_P/M_S =
n^{2/3}`), their limits as :math:`n \to \infty` (welfare: :math:`a_{opt}/a(m^*)`,
finite; data: infinite, growing as :math:`n^{\nu}` with
:math:`\nu = -1/\lim_{m\to\infty} m\hat a''(m)/\hat a'(m)`);
:func:`welfare_benchmarks` evaluates everything at one point, every regime of
``c`` included; :func:`checks` compares the closed forms with a direct
golden-section maximisation of :math:`n\,a(M) - cM`.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.cache import Outcome, derivation
from fedsym.core.checkrow import CheckRow, derived_row
from fedsym.core.derived import Derived, DerivedForms, mp_value
from fedsym.core.errors import ConvergenceError, ParameterError
from fedsym.core.expression import lambdify_mpmath
from fedsym.core.frozen import FrozenMapping
from fedsym.core.latex import LatexRepr, align, format_number
from fedsym.core.solve import DPS, bracketed_root, expand_bracket, maximize_unimodal, symbolic
from fedsym.model.accuracy import AccuracyFunction, BoundAccuracy, accuracy_function, symbolic_limit
from fedsym.model.agent import MAX_AGENTS
from fedsym.paper.equilibrium import shaping_equilibrium, standard_equilibrium
from fedsym.paper.lone_agent import lone_agent_forms, parse_cost

__all__ = ["WelfareForms", "welfare_forms", "Benchmark", "WelfareComparison", "welfare_benchmarks", "checks",
           "REGIMES", "poa_ratio", "json_ratio"]

#: regimes of ``c`` for n identical agents: standard FL collects data / only a planner would / nobody would
REGIMES = ("viable", "priced-out", "unviable")

#: relative agreement a closed form must reach with the numeric solver at every validation sample
_VALIDATION_RTOL = mp.mpf("1e-25")

#: m at which the numeric growth exponent is read off when sympy finds no limit (approximate, see below)
_FAR = mp.mpf(10) ** 60

_NAMES = ("planner_total", "planner_welfare", "standard_welfare", "welfare_poa", "data_poa", "welfare_poa_limit",
          "data_poa_exponent")


# -- numerics (independent of the closed forms) ---------------------------------------------

def _planner_root(bound: BoundAccuracy, cost: mp.mpf, n: mp.mpf) -> mp.mpf:
    r"""Root of :math:`n\,\hat a'(M) = c` on the concave region (bracketed: :math:`\hat a'` decreases there)."""
    lo = bound.assumption.holds_from or mp.mpf(10) ** (-mp.mp.dps)

    def foc(x: mp.mpf) -> mp.mpf:
        return n * bound.a_hat_prime(x) - cost

    if foc(lo) <= 0:
        raise ConvergenceError(f"planner for {bound.label()}: no interior optimum of n a(M) - c M at "
                               f"c = {mp.nstr(cost, 8)}, n = {mp.nstr(n, 8)}")
    return bracketed_root(foc, lo, expand_bracket(foc, lo, 2 * lo))


def _lone_root(bound: BoundAccuracy, cost: mp.mpf) -> mp.mpf:
    """The lone optimum :math:`m^*`: the planner's root for one agent."""
    return _planner_root(bound, cost, mp.mpf(1))


def _welfare(bound: BoundAccuracy, total: mp.mpf, cost: mp.mpf, n: mp.mpf) -> mp.mpf:
    r""":math:`n\,a(M) - cM`: every agent gets the full model of *total* points, *total* points are paid for."""
    return n * bound.a(total) - cost * total


def _argument_values(values: Mapping[str, mp.mpf], function: AccuracyFunction) -> tuple[BoundAccuracy, mp.mpf, mp.mpf]:
    return function.bind_numbers(values), values["c"], values["n"]


def _numeric_quantities(function: AccuracyFunction) -> dict[str, Callable[[Mapping[str, mp.mpf]], mp.mpf]]:
    """The numeric solver of each quantity (interior regime: :math:`c < c_{max}` for the standard-FL ones)."""

    def planner_total(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound, c, n = _argument_values(values, function)
        return _planner_root(bound, c, n)

    def planner_welfare(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound, c, n = _argument_values(values, function)
        return _welfare(bound, _planner_root(bound, c, n), c, n)

    def standard_welfare(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound, c, n = _argument_values(values, function)
        return _welfare(bound, _lone_root(bound, c), c, n)

    def welfare_poa(values: Mapping[str, mp.mpf]) -> mp.mpf:
        return planner_welfare(values) / standard_welfare(values)

    def data_poa(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound, c, n = _argument_values(values, function)
        return _planner_root(bound, c, n) / _lone_root(bound, c)

    def welfare_poa_limit(values: Mapping[str, mp.mpf]) -> mp.mpf:
        r""":math:`a_{opt}/a(m^*)`: :math:`W_P/n \to a_{opt}` (the planner's cost per agent vanishes), :math:`W_S/n \to a(m^*)`."""
        bound = function.bind_numbers(values)
        return bound.a_opt / bound.a(_lone_root(bound, values["c"]))

    def data_poa_exponent(values: Mapping[str, mp.mpf]) -> mp.mpf:
        r""":math:`-\hat a'(m)/(m\,\hat a''(m))` read off at :math:`m = 10^{60}` (:func:`_growth_reading`).

        Approximate when :math:`\hat a'` decays as a power times a logarithm
        (Eq. (2): off by about :math:`1/(3\ln m)`); exact for a pure power; 0
        when :math:`\hat a` is flat there (the planner's total stays bounded).
        """
        return _growth_reading(function.bind_numbers(values), _FAR)

    return {"planner_total": planner_total, "planner_welfare": planner_welfare, "standard_welfare": standard_welfare,
            "welfare_poa": welfare_poa, "data_poa": data_poa, "welfare_poa_limit": welfare_poa_limit,
            "data_poa_exponent": data_poa_exponent}


def _growth_reading(bound: BoundAccuracy, m: mp.mpf) -> mp.mpf:
    r""":math:`-\hat a'(m)/(m\,\hat a''(m))` at *m* (twice the precision), 0 where :math:`\hat a` is not
    rising and concave there; tends to the exponent :math:`\nu` of :math:`M_P/M_S \sim n^{\nu}`."""
    with mp.workdps(2 * DPS):
        slope, bend = bound.a_hat_prime(m), bound.a_hat_second(m)
        return -slope / (m * bend) if slope > 0 and bend < 0 else mp.mpf(0)


# -- symbolic derivation ----------------------------------------------------------------------

def _samples(function: AccuracyFunction) -> list[dict[str, mp.mpf]]:
    """Validation points: two random bindings, costs 0.1 and 0.6 of :math:`c_{max}`, ``n`` 1 and 1000."""
    points = []
    with mp.workdps(DPS):
        for bound in function.sample_bindings(2):
            c_max = lone_agent_forms(function).viability_cost.resolve(bound.values)[0]
            for fraction in ("0.1", "0.6"):
                for n in (1, 1000):
                    points.append({**{k: mp_value(v) for k, v in bound.values.items()},
                                   "c": c_max * mp.mpf(fraction), "n": mp.mpf(n)})
    return points


def _value(expr: sp.Expr, values: Mapping[str, mp.mpf]) -> mp.mpf | None:
    """*expr* at named values, or None when it is not a finite real there."""
    names = sorted(str(s) for s in expr.free_symbols)
    try:
        result = lambdify_mpmath([S.positive_symbol(name) for name in names], expr)(*(values[n] for n in names))
    except (ValueError, ZeroDivisionError, KeyError):
        return None
    if isinstance(result, mp.mpc) or not mp.isfinite(result):
        return None
    return mp.mpf(result)


def _validated(expr: sp.Expr | None, numeric: Callable[[Mapping[str, mp.mpf]], mp.mpf],
               samples: list[dict[str, mp.mpf]]) -> tuple[sp.Expr | None, str]:
    """*expr* (its shortest rewriting that still agrees) if it equals *numeric* at every sample point; else None and why."""
    if expr is None:
        return None, ""

    with mp.workdps(DPS):
        references = [numeric(point) for point in samples]

    def agrees(candidate: sp.Expr) -> bool:
        with mp.workdps(DPS):
            for point, reference in zip(samples, references):
                value = _value(candidate, point)
                if value is None or abs(value - reference) > _VALIDATION_RTOL * abs(reference):
                    return False
        return True

    if not agrees(expr):
        return None, "the candidate closed form failed validation against the numeric solver"
    return min((option for option in _rewritings(expr) if agrees(option)), key=sp.count_ops, default=expr), ""


def _rewritings(expr: sp.Expr) -> list[sp.Expr]:
    """*expr* and cheap rewritings of it (powers merged, sums expanded); ``force=True`` ones need validation."""
    merged = sp.powsimp(sp.powdenest(sp.expand_power_base(expr, force=True), force=True), force=True)
    return [expr, sp.expand(expr), merged, sp.expand(merged), sp.cancel(merged)]


def _bounded_limit(expr: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """``sympy.limit(expr, x, oo)`` bounded in time; None when sympy gives no answer."""
    outcome = symbolic(sp.limit, expr, x, sp.oo)
    return outcome.value if outcome.ok and isinstance(outcome.value, sp.Expr) else None


def _derive_closed_forms(function: AccuracyFunction) -> Outcome:
    r"""The symbolic half of :func:`welfare_forms`.

    :math:`M_P = m^*(c/n)` by substitution into Theorem 2.3's validated
    :math:`m^*(c)` (the planner's condition :math:`n\hat a' = c` is the lone
    one at :math:`c/n`); welfare by substitution into :math:`n\hat a(M) - cM`;
    each form validated against the numerics at :func:`_samples`; the limits by
    ``sympy.limit`` (bounded in time).
    """
    a_hat, n, c = function.expr, S.n, S.c
    lone = lone_agent_forms(function).optimal_data.closed_form
    numeric = _numeric_quantities(function)
    samples = _samples(function)
    outcome: Outcome = {}

    def keep(name: str, candidate: sp.Expr | None, why_none: str) -> sp.Expr | None:
        form, note = _validated(candidate, numeric[name], samples)
        outcome[name], outcome[f"{name}.note"] = form, note or ("" if form is not None else why_none)
        return form

    no_lone = "no closed lone optimum m*(c) (Theorem 2.3)"
    planner = keep("planner_total", None if lone is None else lone.subs(c, c / n), no_lone)
    w_p = keep("planner_welfare", None if planner is None else n * a_hat.subs(S.m, planner) - c * planner, no_lone)
    w_s = keep("standard_welfare", None if lone is None else n * a_hat.subs(S.m, lone) - c * lone, no_lone)
    poa_w = keep("welfare_poa", None if w_p is None or w_s is None else w_p / w_s, no_lone)
    keep("data_poa", None if planner is None else planner / lone, no_lone)
    a_opt = symbolic_limit(a_hat)
    limit = None if poa_w is None else _bounded_limit(poa_w, n)
    if limit is None and a_opt is not None and lone is not None:
        limit = a_opt / a_hat.subs(S.m, lone)  # W_P/n -> a_opt, W_S/n -> a(m*)
    keep("welfare_poa_limit", limit, no_lone if lone is None else "sympy found no limit")
    decay = _bounded_limit(S.m * sp.diff(a_hat, S.m, 2) / sp.diff(a_hat, S.m), S.m)
    exponent = sp.cancel(-1 / decay) if decay is not None and decay.is_negative and decay.is_finite else None
    outcome["data_poa_exponent"] = exponent
    outcome["data_poa_exponent.note"] = "" if exponent is not None else \
        "sympy found no finite negative limit of m a''(m)/a'(m)"
    return outcome


#: sizes at which a cached growth exponent is compared with the tail of :func:`_growth_reading`
_TAIL = tuple(mp.mpf(10) ** j for j in (40, 80, 160, 320))


def _exponent_consistent(function: AccuracyFunction, exponent: sp.Expr, samples: list[dict[str, mp.mpf]]) -> bool:
    r"""Whether a cached growth exponent :math:`\nu` agrees with the tail of :func:`_growth_reading` at the
    parameters of *samples*: at :math:`m = 10^{320}` the reading lies within ten times its last step
    (from :math:`10^{160}`) of :math:`\nu` (the reading converges like :math:`1/\ln m` for Eq. (2), exactly
    for a pure power).  A binding where :math:`\nu` is not a finite real refuses it."""
    bindings = {tuple(sorted((k, v) for k, v in point.items() if k not in ("c", "n"))) for point in samples}
    with mp.workdps(2 * DPS):
        for binding in bindings:
            values = dict(binding)
            at = _value(exponent, values)
            if at is None:
                return False
            bound = function.bind_numbers(values)
            tail = [_growth_reading(bound, m) for m in _TAIL]
            if not abs(tail[-1] - at) <= 10 * abs(tail[-1] - tail[-2]) + mp.mpf(10) ** -DPS * max(1, abs(at)):
                return False
    return bool(bindings)


def _still_valid(function: AccuracyFunction, outcome: Outcome) -> bool:
    """Whether the closed forms of a cached *outcome* still agree with the numerics at the samples (the user cache
    can be edited): each validated form as at its derivation, ``data_poa_exponent`` against the tail of
    :func:`_growth_reading` (:func:`_exponent_consistent`)."""
    numeric, samples = _numeric_quantities(function), _samples(function)
    exponent = outcome["data_poa_exponent"]
    return all(_validated(form, numeric[name], samples)[0] is not None for name in _NAMES
               if name != "data_poa_exponent" and isinstance(form := outcome[name], sp.Expr)) and \
        (not isinstance(exponent, sp.Expr) or _exponent_consistent(function, exponent, samples))


@dataclass(frozen=True)
class WelfareForms(DerivedForms):
    r"""The welfare quantities of Model §11 for ``n`` identical agents of one accuracy function.

    Arguments: the function's parameters, then ``c`` and ``n`` (``welfare_poa_limit``:
    parameters and ``c``; ``data_poa_exponent``: parameters only).  The
    standard-FL quantities hold for :math:`c < c_{max}`, the planner's for
    :math:`c/n < c_{max}`; :func:`welfare_benchmarks` handles the other regimes.
    """

    function: AccuracyFunction
    planner_total: Derived
    planner_welfare: Derived
    standard_welfare: Derived
    welfare_poa: Derived
    data_poa: Derived
    welfare_poa_limit: Derived
    data_poa_exponent: Derived


@functools.lru_cache(maxsize=32)
def welfare_forms(function: AccuracyFunction) -> WelfareForms:
    r"""Derive :math:`M_P, W_P, W_S`, the price of anarchy in welfare and data and their ``n``-limits.

    Closed forms come from :func:`_derive_closed_forms` through the derivation
    store and cache (:func:`fedsym.core.cache.derivation`); each quantity keeps
    its independent numeric solver.

    >>> from fedsym import accuracy_function, welfare_forms
    >>> forms = welfare_forms(accuracy_function("simplified"))
    >>> forms.data_poa.closed_form, forms.data_poa_exponent.closed_form
    (n**(2/3), 2/3)
    """
    outcome = derivation("welfare", function.description(), functools.partial(_derive_closed_forms, function),
                         fields=_NAMES + tuple(f"{name}.note" for name in _NAMES),
                         check=functools.partial(_still_valid, function))
    params = function.parameter_names
    numeric = _numeric_quantities(function)
    full = params + ("c", "n")
    specs = {
        "planner_total": ("M_P", "the planner's total: everyone gets the full model, the summed marginal accuracy equals the cost", full),
        "planner_welfare": ("W_P", "the planner's welfare: the agents' accuracies minus their costs", full),
        "standard_welfare": ("W_S", "welfare of standard FL, one agent contributing its lone optimum (Theorem 3.4)", full),
        "welfare_poa": (r"W_P/W_S", "price of anarchy of standard FL in welfare", full),
        "data_poa": (r"M_P/M_S", "price of anarchy of standard FL in data", full),
        "welfare_poa_limit": (r"\lim_{n\to\infty} W_P/W_S", "limit of the welfare price of anarchy as the number of agents grows",
                              params + ("c",)),
        "data_poa_exponent": (r"\nu", "exponent of the number of agents in the price of anarchy in data (up to logarithms)", params),
    }

    def quantity(name: str) -> Derived:
        symbol, meaning, arguments = specs[name]
        form, note = outcome[name], outcome[f"{name}.note"]
        return Derived(name, symbol, meaning, "Model §11, Theorem 3.4", arguments,
                       form if isinstance(form, sp.Expr) else None, numeric[name], note if isinstance(note, str) else "")

    return WelfareForms(function, *(quantity(name) for name in _NAMES))


# -- evaluation at a point -------------------------------------------------------------------

@dataclass(frozen=True)
class Benchmark:
    """Total data and agents' welfare of one benchmark or mechanism (40-digit mpf; mechanisms in double)."""

    total: mp.mpf
    welfare: mp.mpf

    def to_dict(self) -> dict[str, float]:
        return {"total": float(self.total), "welfare": float(self.welfare)}


def poa_ratio(numerator: mp.mpf, denominator: mp.mpf) -> mp.mpf:
    """*numerator / denominator*; ``inf`` when only the denominator is 0; 1 when both are (nothing is lost)."""
    if denominator > 0:
        return numerator / denominator
    return mp.inf if numerator > 0 else mp.mpf(1)


def json_ratio(value: mp.mpf) -> float | str:
    return "infinite" if mp.isinf(value) else float(value)


def _tex_ratio(value: mp.mpf) -> str:
    return r"\infty" if mp.isinf(value) else format_number(value, 10)


@dataclass(frozen=True)
class WelfareComparison(LatexRepr):
    r"""Benchmarks of Model §11 for ``n`` identical agents at one cost, and the ratios between them.

    Attributes
    ----------
    regime:
        ``viable`` (:math:`c < c_{max}`: standard FL collects :math:`m^*`),
        ``priced-out`` (:math:`c_{max} \le c < n c_{max}`: only the planner and
        shaping collect data) or ``unviable`` (:math:`c \ge n c_{max}`: nobody does).
    alone, planner, standard, shaping:
        :class:`Benchmark` (total, welfare) of each.
    welfare_poa, data_poa:
        Price of anarchy of standard FL, :math:`W_P/W_S` and :math:`M_P/M_S`;
        ``mp.inf`` when standard FL collects nothing but the planner would;
        1 when neither collects anything.
    welfare_poa_limit, data_poa_exponent:
        :math:`\lim_{n\to\infty} W_P/W_S` (``mp.inf`` for :math:`c \ge c_{max}`) and the
        exponent :math:`\nu` of :math:`M_P/M_S \sim n^\nu` (whose limit is infinite).
    shaping_data_ratio, shaping_welfare_poa:
        :math:`M_{shaping}/M_P` and :math:`W_P/W_{shaping}`.
    verified:
        Both equilibria (standard, shaping) passed the global deviation search.
    method:
        How each closed-form-capable quantity was computed (``closed-form``, ``numeric``, or the regime's case).
    """

    accuracy: str
    cost: mp.mpf
    n: int
    eps: float
    regime: str
    alone: Benchmark
    planner: Benchmark
    standard: Benchmark
    shaping: Benchmark
    welfare_poa: mp.mpf
    data_poa: mp.mpf
    welfare_poa_limit: mp.mpf
    data_poa_exponent: mp.mpf
    shaping_data_ratio: mp.mpf
    shaping_welfare_poa: mp.mpf
    verified: bool
    method: Mapping[str, str]
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", FrozenMapping(self.method))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: benchmarks with ``total`` and ``welfare``, ratios (``"infinite"`` where infinite)."""
        return {
            "accuracy": self.accuracy, "cost": float(self.cost), "n": self.n, "eps": self.eps, "regime": self.regime,
            "benchmarks": {name: getattr(self, name).to_dict() for name in ("alone", "planner", "standard", "shaping")},
            "price_of_anarchy": {"welfare": json_ratio(self.welfare_poa), "data": json_ratio(self.data_poa),
                                 "welfare_limit": json_ratio(self.welfare_poa_limit),
                                 "data_limit": "infinite" if self.data_poa_exponent > 0 else "finite or unknown",
                                 "data_exponent": float(self.data_poa_exponent)},
            "shaping": {"data_over_planner": json_ratio(self.shaping_data_ratio),
                        "welfare_price_of_anarchy": json_ratio(self.shaping_welfare_poa)},
            "verified": self.verified, "method": dict(self.method), "note": self.note,
        }

    def to_latex(self) -> str:
        """An ``align*`` block: each benchmark's total and welfare, then the ratios."""
        lines = [rf"M_{{{name}}} &= {format_number(b.total, 10)}, & W_{{{name}}} &= {format_number(b.welfare, 10)}"
                 for name, b in (("alone", self.alone), ("P", self.planner), ("S", self.standard),
                                 ("shaping", self.shaping))]
        lines += [rf"W_P/W_S &= {_tex_ratio(self.welfare_poa)}, & M_P/M_S &= {_tex_ratio(self.data_poa)}",
                  rf"\lim_{{n\to\infty}} W_P/W_S &= {_tex_ratio(self.welfare_poa_limit)}, & "
                  rf"M_P/M_S &\sim n^{{{format_number(self.data_poa_exponent, 6)}}} \to \infty"]
        return align(lines)


def _parse_n(n: Any) -> int:
    """The number of agents: an integer in [1, MAX_AGENTS], else :class:`ParameterError` naming ``n``."""
    try:
        count = operator.index(n)
    except TypeError:
        count = 0
    if isinstance(n, bool) or count < 1:
        raise ParameterError(f"n={n!r} must be a positive integer (the number of agents)")
    if count > MAX_AGENTS:  # the equilibria hold one cost per agent: 10^8 took 90 s, 10^300 raised from numpy
        shown = f"{count:.3g}" if count.bit_length() <= 1000 else f"an integer of {count.bit_length()} bits"
        raise ParameterError(f"n={shown} is above the limit of {MAX_AGENTS:.0e} agents")
    return count


def welfare_benchmarks(bound: BoundAccuracy, cost: Any, n: int, eps: Any = 0.0, *, verify: bool = True
                       ) -> WelfareComparison:
    r"""Model §11's benchmarks for ``n`` agents with accuracy *bound* and cost *cost* each.

    Every regime of Theorem 2.3 is handled: for :math:`c \ge c_{max}` standard
    FL collects nothing (Remark 3.5) and its price of anarchy is infinite when
    the planner would collect data (:math:`c < n c_{max}`), 1 when it would
    not either.  At :math:`c = n c_{max}` the planner is indifferent between
    nothing and the tangent point (welfare 0 both) and 0 is reported, as
    Theorem 2.3 does at :math:`c_{max}`.  The standard and shaping equilibria are solved and verified
    (:func:`~fedsym.paper.equilibrium.standard_equilibrium`,
    :func:`~fedsym.paper.equilibrium.shaping_equilibrium` with *eps*).

    >>> from fedsym import accuracy_function, welfare_benchmarks
    >>> result = welfare_benchmarks(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), "0.001", 8)
    >>> float(result.planner.total), float(result.data_poa), result.regime   # M_P = n^(2/3) m* = 4 * 100
    (400.0, 4.0, 'viable')
    """
    n = _parse_n(n)
    cost_value = parse_cost(cost)
    forms = welfare_forms(bound.function)
    lone = lone_agent_forms(bound.function)
    method: dict[str, str] = {}
    notes: list[str] = []
    costs = np.full(n, float(cost_value))  # an array: a list of 10^6 numbers would be parsed one by one
    standard_eq = standard_equilibrium(bound, costs, verify=verify)
    shaping_eq = shaping_equilibrium(bound, costs, eps, verify=verify)
    with mp.workdps(DPS):
        c, size = mp_value(cost_value), mp.mpf(n)
        values = {**bound.values, "c": c, "n": size}
        c_max = lone.viability_cost.resolve(bound.values)[0]

        def resolved(derived: Derived) -> mp.mpf:
            value, how = derived.resolve(values)
            method[derived.name] = how
            return value

        def case(name: str, value: mp.mpf, why: str) -> mp.mpf:
            method[name] = why
            return value

        if c < c_max:
            regime = "viable"
            m_star = lone.optimal_data.resolve({**bound.values, "c": c})[0]
            u_star = bound.a(m_star) - c * m_star
        else:
            regime = "priced-out" if c < size * c_max else "unviable"
            m_star = u_star = mp.mpf(0)
        if c < size * c_max:
            planner = Benchmark(resolved(forms.planner_total), resolved(forms.planner_welfare))
        else:
            planner = Benchmark(case("planner_total", mp.mpf(0), "c >= n c_max"),
                                case("planner_welfare", mp.mpf(0), "c >= n c_max"))
            notes.append("c >= n c_max: even the planner collects nothing (n a(M) < c M for every M > 0)")
        if regime == "viable":
            standard = Benchmark(m_star, resolved(forms.standard_welfare))
            welfare_poa, data_poa = resolved(forms.welfare_poa), resolved(forms.data_poa)
            limit = resolved(forms.welfare_poa_limit)
        else:
            standard = Benchmark(mp.mpf(0), case("standard_welfare", mp.mpf(0), "Remark 3.5"))
            welfare_poa = case("welfare_poa", poa_ratio(planner.welfare, standard.welfare), "c >= c_max")
            data_poa = case("data_poa", poa_ratio(planner.total, standard.total), "c >= c_max")
            limit = case("welfare_poa_limit", mp.inf, "c >= c_max")
            notes.append("c >= c_max: standard FL collects nothing (Remark 3.5)" +
                         (", the planner would: the price of anarchy is infinite" if regime == "priced-out" else ""))
        exponent = resolved(forms.data_poa_exponent)
        shaping_total = mp.mpf(shaping_eq.total)
        # Eq. (13) at the equilibrium: a(M) = a(m*) + (c + eps)(m_bar - m*), so U_i = u* + eps (m_bar - m*)
        # exactly (Theorem 4.6 at eps = 0); n a(M) - c M would be rounding noise where it is 0 (Remark 4.4)
        shaping = Benchmark(shaping_total, size * u_star + mp_value(shaping_eq.eps) * (shaping_total - size * m_star))
        alone = Benchmark(size * m_star, size * u_star)
    # the equilibria see the cost in double precision: within rounding of c_max they may take the other branch
    on_threshold = abs(float(cost_value) - float(c_max)) <= 1e-15 * float(c_max)
    if not on_threshold and abs(standard_eq.total - float(standard.total)) > 1e-12 * max(1.0, float(standard.total)):
        raise ConvergenceError(f"standard FL for {bound.label()}, c = {cost}: the equilibrium total "
                               f"{standard_eq.total!r} differs from m* = {mp.nstr(standard.total, 17)}")
    return WelfareComparison(bound.label(), c, n, float(shaping_eq.eps), regime, alone, planner, standard, shaping,
                             welfare_poa, data_poa, limit, exponent, poa_ratio(shaping.total, planner.total),
                             poa_ratio(planner.welfare, shaping.welfare),
                             standard_eq.verified and shaping_eq.verified, method, "; ".join(notes))


# -- checks -----------------------------------------------------------------------------------

#: families, parameters and costs (fractions of c_max) of ``fedsym check``; n values in :data:`CHECK_N`
CHECK_POINTS: tuple[tuple[str, dict[str, str], str], ...] = (
    ("simplified", {"a_opt": "0.95", "k": "1"}, "0.03"),
    ("simplified", {"a_opt": "0.6", "k": "250"}, "0.5"),
    ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}, "0.2"),
    ("power-law", {"a_opt": "1", "tau": "0.3", "beta": "20", "alpha": "1.7"}, "0.9"),
    ("generalization-bound", {"a_opt": "0.95", "k": "1"}, "0.3"),
)
CHECK_N = ("1", "10", "1000", "1000000000")

#: relative tolerance of a location found by golden section (flat optimum: ~1e-19 at 40 digits)
ARGMAX_TOLERANCE = mp.mpf("1e-12")
#: relative tolerance of a value (welfare, its ratios)
VALUE_TOLERANCE = mp.mpf("1e-15")


def _planner_by_search(bound: BoundAccuracy, cost: mp.mpf, n: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
    r"""Golden-section maximum of :math:`n\,a(M) - cM` (no derivative in the objective).

    The search interval runs from the start of the concave region (or
    :math:`10^{-30}`) to the first power-of-four multiple where :math:`n\,a(M) - cM`
    is back below its value at the lower end's double, which brackets the
    maximum of this concave objective.
    """
    lo = bound.assumption.holds_from or mp.mpf(10) ** -30
    lo = max(lo, bound.minimum_viable_data)

    def objective(x: mp.mpf) -> mp.mpf:
        return n * bound.a(x) - cost * x

    hi = 4 * lo
    while objective(4 * hi) > objective(hi):
        hi *= 4
    return maximize_unimodal(objective, lo, 4 * hi)


def checks() -> list[CheckRow]:
    r"""Each closed form against a direct 40-digit maximisation of :math:`n\,a(M) - cM`.

    References: :math:`M_P, W_P` by golden section of the planner's objective;
    :math:`W_S` from the golden-section lone optimum; the ratios from those;
    the welfare limit against :math:`a_{opt}/a(m^*)` (golden section); the
    growth exponent against the log-slope of golden-section :math:`M_P` between
    :math:`n = 10^{10}` and :math:`10^{20}` (exact for a pure power law of
    :math:`\hat a'`, so only where the closed form is such a power).
    """
    rows: list[CheckRow] = []
    for spec, params, fraction in CHECK_POINTS:
        bound = accuracy_function(spec).bind(params)
        forms = welfare_forms(bound.function)
        with mp.workdps(DPS):
            c = lone_agent_forms(bound.function).viability_cost.resolve(bound.values)[0] * mp.mpf(fraction)
            m_star, u_star = _planner_by_search(bound, c, mp.mpf(1))
            base = f"{bound.label()}, c = {fraction} c_max"
            for n_text in CHECK_N:
                n = mp.mpf(n_text)
                values = {**bound.values, "c": c, "n": n}
                m_p, w_p = _planner_by_search(bound, c, n)
                w_s = _welfare(bound, m_star, c, n)
                at = f"{base}, n = {n_text}"
                for derived, reference, how, tolerance in (
                        (forms.planner_total, m_p, "golden-section max of n a(M) - c M", ARGMAX_TOLERANCE),
                        (forms.planner_welfare, w_p, "golden-section max of n a(M) - c M", VALUE_TOLERANCE),
                        (forms.standard_welfare, w_s, "n a(m*) - c m*, golden-section m*", VALUE_TOLERANCE),
                        (forms.welfare_poa, w_p / w_s, "ratio of the golden-section welfares", VALUE_TOLERANCE),
                        (forms.data_poa, m_p / m_star, "ratio of golden-section optima", ARGMAX_TOLERANCE)):
                    rows.append(_row(derived, values, reference, how, at, tolerance))
            rows.append(_row(forms.welfare_poa_limit, {**bound.values, "c": c}, bound.a_opt / bound.a(m_star),
                             "a_opt / a(m*), golden-section m*", base))
            if forms.data_poa_exponent.closed_form is not None and bound.function.name != "generalization-bound":
                far, farther = (_planner_by_search(bound, c, mp.mpf(10) ** e)[0] for e in (10, 20))
                rows.append(_row(forms.data_poa_exponent, bound.values, mp.log10(farther / far) / 10,
                                 "log-slope of golden-section M_P, n = 1e10 to 1e20", bound.label(), ARGMAX_TOLERANCE))
    return rows


def _row(derived: Derived, values: Mapping[str, Any], reference: mp.mpf, how: str, point: str,
         tolerance: mp.mpf = VALUE_TOLERANCE) -> CheckRow:
    """:func:`~fedsym.core.checkrow.derived_row` with the quantity's symbol as its math label (``W_P/W_S``)."""
    return dataclasses.replace(derived_row(derived, values, reference, how, point, tolerance),
                               quantity_tex=derived.symbol)

