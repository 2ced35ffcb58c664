r"""Closed forms of App. B, validated like the core's, and their ``fedsym check`` rows (Model §6).

Derived from the lone agent's closed forms (:func:`fedsym.paper.lone_agent.lone_agent_forms`)
whenever those exist, so they hold for any accuracy function with a closed
:math:`m^*(c)`, :math:`u^*(c)`:

* :math:`m_C^{min} = (u_L^* - u_H^*)/(c_H - c_L)` (regime 1's high contribution);
* Eq. (15): :math:`m_D = m^*(s^*) - m_{-i}`, :math:`s^* = c_L - p(c_H - c_L)/(1 - p)`,
  because :math:`A'(m) = \hat a'(m + m_{-i})`;
* Eq. (16): :math:`m_C = (A(m_D) - c_L m_D - u_H^*)/(c_H - c_L)`, and the low type's
  rent :math:`u_H^* + (c_H - c_L) m_C - u_L^*` (Theorem B.3), both in the interior regime;
* the known-cost contribution :math:`\bar m(c, m_{-i})`: with :math:`x = \sqrt{m + m_{-i}}`
  the crossing equation :math:`\hat a(x^2) = u^*(c) + c(x^2 - m_{-i})` becomes, for the
  ``simplified`` accuracy, the cubic :math:`x^3 - (3m^* + m_{-i})x + 2\sqrt{k}/c = 0`;
  a cubic is solved by Viete's trigonometric formula (three real roots) and the
  branch kept is the one that matches the bracketed right crossing at sample points;
* Example B.4: :math:`m_C / m_L^* = 3(2^{1/3} - 1)` for :math:`p = 1/2`, costs :math:`\{c, 2c\}`.

:func:`checks` compares each with independent numerics: golden-section
maximisation of the lone utilities (no derivative), bracketed crossings, and
golden-section maximisation of the expected data over :math:`m_C` (no Eq. (15)).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow, derived_row
from fedsym.core.derived import Derived, DerivedForms, exact_rational, mp_value
from fedsym.core.engine import Row, Table, run
from fedsym.core.solve import DPS, maximize_unimodal, symbolic
from fedsym.model.accuracy import AccuracyFunction, BoundAccuracy, accuracy_function
from fedsym.paper.lone_agent import lone_agent_forms, maximize_utility
from fedsym.paper.screening.cost_types import KTypes
from fedsym.paper.screening.menu import Cap, optimal_menu

__all__ = ["ScreeningForms", "screening_forms", "EXAMPLE_B4_RATIO", "m_others", "checks"]

#: data of the other agents, :math:`m_{-i}` (App. B)
m_others = S.m_others

#: Example B.4: :math:`m_C / m_L^*` for :math:`p = 1/2` and costs :math:`\{c, 2c\}`
EXAMPLE_B4_RATIO = 3 * (sp.cbrt(2) - 1)


@dataclass(frozen=True)
class ScreeningForms(DerivedForms):
    """App. B's derived quantities for one accuracy function (each a :class:`~fedsym.core.derived.Derived`)."""

    function: AccuracyFunction
    known_cost_contribution: Derived
    minimum_high_contribution: Derived
    interior_low_contribution: Derived
    interior_high_contribution: Derived
    interior_information_rent: Derived


def _types(values: Mapping[str, Any]) -> KTypes:
    prior = exact_rational(values["p"])
    return KTypes((exact_rational(values["c_L"]), exact_rational(values["c_H"])), (prior, 1 - prior))


def _viete_roots(polynomial: sp.Poly) -> list[sp.Expr]:
    r"""The three real roots of a cubic by Viete's trigonometric formula, largest first.

    For :math:`a x^3 + b x^2 + c x + d` with :math:`t = x + b/(3a)`,
    :math:`t^3 + P t + Q = 0`: :math:`t_j = 2\sqrt{-P/3}\cos\big(\tfrac13\arccos(\tfrac{3Q}{2P}\sqrt{-3/P}) - \tfrac{2\pi j}{3}\big)`
    (real when the cubic has three real roots, which the caller's validation confirms).
    """
    a, b, c, d = polynomial.all_coeffs()
    P = (3 * a * c - b**2) / (3 * a**2)
    Q = (2 * b**3 - 9 * a * b * c + 27 * a**2 * d) / (27 * a**3)
    angle = sp.acos(3 * Q / (2 * P) * sp.sqrt(-3 / P)) / 3
    return [2 * sp.sqrt(-P / 3) * sp.cos(angle - 2 * sp.pi * j / 3) - b / (3 * a) for j in range(3)]


def _crossing_candidates(a_hat: sp.Expr, u_star: sp.Expr) -> list[sp.Expr]:
    r"""Candidate closed forms of :math:`\bar m`: roots in :math:`x = \sqrt{m + m_{-i}}`, as :math:`x^2 - m_{-i}`."""
    x = S.x
    equation = a_hat.subs(S.m, x**2) - u_star - S.c * (x**2 - m_others)
    numerator = sp.numer(sp.together(sp.expand(equation)))
    try:
        polynomial = sp.Poly(numerator, x)
    except sp.PolynomialError:
        polynomial = None
    if polynomial is not None and polynomial.degree() == 3:
        roots = _viete_roots(polynomial)
    else:
        outcome = symbolic(sp.solve, numerator, x)
        roots = [r for r in outcome.value if isinstance(r, sp.Expr)] if outcome.ok else []
    return [root**2 - m_others for root in roots]


class _Situations:
    """Sample situations for branch validation: bindings of the function with random types and others' data.

    :meth:`interior` tells the situations whose optimal menu is in the interior regime
    (where Eq. (15)-(16) apply).
    """

    def __init__(self, function: AccuracyFunction, seed: int = 0, per_binding: int = 6) -> None:
        self.function, self.seed, self.per_binding = function, seed, per_binding
        self._interior: set[tuple[mp.mpf, ...]] = set()

    def points(self) -> list[dict[str, mp.mpf]]:
        points = []
        rng = random.Random(self.seed)
        forms = lone_agent_forms(self.function)
        for bound in self.function.sample_bindings(3, seed=self.seed):
            c_max = forms.viability_cost.evaluate(bound.values)
            for _ in range(self.per_binding):
                c_low = c_max * mp.mpf(rng.uniform(0.05, 0.5))
                c_high = c_low * mp.mpf(rng.uniform(1.05, 1.6))
                scale = forms.optimal_data.evaluate({**bound.values, "c": c_low})
                values = {**{n: mp_value(v) for n, v in bound.values.items()}, "c_L": c_low, "c_H": c_high,
                          "p": mp.mpf(rng.uniform(0.05, 0.3)), "m_others": scale * mp.mpf(rng.uniform(0.01, 0.2)),
                          "c": c_high}
                points.append(values)
                if optimal_menu(bound, _types(values), exact_rational(values["m_others"])).regime == "interior":
                    self._interior.add(tuple(values.values()))
        return points

    def interior(self, values: Mapping[str, mp.mpf]) -> bool:
        return tuple(values.values()) in self._interior


def _numeric_crossing(function: AccuracyFunction) -> Callable[[Mapping[str, mp.mpf]], mp.mpf]:
    def numeric(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound = function.bind_numbers(values)
        m_star, u_star = maximize_utility(bound, values["c"])
        return Cap(bound, values["m_others"]).right_crossing(values["c"], u_star, m_star)
    return numeric


def _numeric_menu_value(function: AccuracyFunction, name: str) -> Callable[[Mapping[str, mp.mpf]], mp.mpf]:
    """Numeric value of a menu quantity from the bracketed solver (:func:`optimal_menu`)."""
    def numeric(values: Mapping[str, mp.mpf]) -> mp.mpf:
        menu = optimal_menu(function.bind_numbers(values), _types(values), exact_rational(values["m_others"]))
        return menu.values()[name]
    return numeric


#: the quantities of :class:`ScreeningForms`: name, symbol, meaning, source
_QUANTITIES: tuple[tuple[str, str, str, str], ...] = (
    ("known_cost_contribution", r"\bar m", "right crossing of u*(c) + c m with the cap a(m + m_{-i})", "App. B (Fig. 5)"),
    ("minimum_high_contribution", r"m_C^{min}", "high contribution when the low type earns no rent", "App. B, regime 1"),
    ("interior_low_contribution", r"m_D", "low type's data at an interior optimum: A'(m_D) = c_L - p(c_H-c_L)/(1-p)",
     "App. B, Eq. (15)"),
    ("interior_high_contribution", r"m_C", "high type's data at an interior optimum", "App. B, Eq. (16)"),
    ("interior_information_rent", r"R(m_C) - u_L^{*}", "the low type's information rent at an interior optimum",
     "Theorem B.3"),
)


def _arguments(function: AccuracyFunction) -> dict[str, tuple[str, ...]]:
    params = function.parameter_names
    with_types = params + ("c_L", "c_H")
    interior = with_types + ("p", "m_others")
    return {"known_cost_contribution": params + ("c", "m_others"), "minimum_high_contribution": with_types,
            "interior_low_contribution": interior, "interior_high_contribution": interior,
            "interior_information_rent": interior}


def _numerics(function: AccuracyFunction) -> dict[str, Callable[[Mapping[str, mp.mpf]], mp.mpf]]:
    """The independent numeric solver of each quantity (bracketed crossings, golden-section optima, the menu)."""
    def minimum_high(v: Mapping[str, mp.mpf]) -> mp.mpf:
        bound = function.bind_numbers(v)
        return (maximize_utility(bound, v["c_L"])[1] - maximize_utility(bound, v["c_H"])[1]) / (v["c_H"] - v["c_L"])

    return {"known_cost_contribution": _numeric_crossing(function), "minimum_high_contribution": minimum_high,
            "interior_low_contribution": _numeric_menu_value(function, "low_contribution"),
            "interior_high_contribution": _numeric_menu_value(function, "high_contribution"),
            "interior_information_rent": _numeric_menu_value(function, "information_rent_low")}


def _candidates(function: AccuracyFunction) -> dict[str, Callable[[Mapping[str, sp.Expr]], list[sp.Expr] | str]]:
    """Each quantity's candidate closed forms from the lone agent's (Theorem 2.3), or why there are none."""
    lone = lone_agent_forms(function)
    m_star, u_star = lone.optimal_data.closed_form, lone.optimal_utility.closed_form
    if m_star is None or u_star is None:
        return {name: lambda _: "no closed lone optimum (Theorem 2.3)" for name, *_ in _QUANTITIES}
    u_low, u_high = u_star.subs(S.c, S.c_L), u_star.subs(S.c, S.c_H)
    low = m_star.subs(S.c, S.c_L - S.p * (S.c_H - S.c_L) / (1 - S.p)) - m_others
    high = (function.expr.subs(S.m, low + m_others) - S.c_L * low - u_high) / (S.c_H - S.c_L)
    return {"known_cost_contribution": lambda _: _crossing_candidates(function.expr, u_star),
            "minimum_high_contribution": lambda _: [(u_low - u_high) / (S.c_H - S.c_L)],
            "interior_low_contribution": lambda _: [low],
            "interior_high_contribution": lambda _: [high],
            "interior_information_rent": lambda _: [u_high + (S.c_H - S.c_L) * high - u_low]}


def _table(function: AccuracyFunction) -> Table:
    """App. B's quantities as a table of :mod:`fedsym.core.engine`; Eq. (15)-(16) and Theorem B.3 apply
    (and are validated) in the interior regime only."""
    numerics, arguments, candidates = _numerics(function), _arguments(function), _candidates(function)
    situations = _Situations(function)
    rows = tuple(Row(name, symbol, meaning, source, arguments[name], numerics[name], form=candidates[name],
                     applies=situations.interior if name.startswith("interior") else None, simplify=True)
                 for name, symbol, meaning, source in _QUANTITIES)
    return Table("screening", function.description(), rows, situations.points)


@functools.lru_cache(maxsize=32)
def screening_forms(function: AccuracyFunction) -> ScreeningForms:
    r"""Derive App. B's closed forms for *function* from its lone-agent closed forms.

    Each quantity falls back to numerics (``method: numeric``, with the reason)
    when a lone-agent form it needs is numeric or no candidate branch agrees with
    the bracketed solver at every sample point.  The table :func:`_table` runs on the
    derivation engine (:func:`fedsym.core.engine.run`: store, cache, validation).  Cached.
    """
    derived = run(_table(function))
    return ScreeningForms(function, *(derived[name] for name, *_ in _QUANTITIES))


# -- checks ------------------------------------------------------------------------

#: (accuracy, parameters, c_L, c_H, p, m_{-i}) checked by ``fedsym check``
CHECK_POINTS: tuple[tuple[str, dict[str, str], str, str, str, str], ...] = (
    ("simplified", {"a_opt": "0.9", "k": "10"}, "0.001", "0.002", "0.5", "5000"),       # Example B.4, separating
    ("simplified", {"a_opt": "0.9", "k": "10"}, "0.001", "0.0015", "0.1", "10"),        # interior
    ("simplified", {"a_opt": "0.95", "k": "1"}, "0.0005", "0.0007", "0.2", "5"),         # interior
    ("simplified", {"a_opt": "0.9", "k": "10"}, "0.001", "0.0015", "0.3", "1000"),      # high-capped, pooling
    ("power-law", {"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}, "0.001", "0.0014", "0.2", "1"),
)

#: Example B.4 points: (parameters, c)
EXAMPLE_B4_POINTS: tuple[tuple[dict[str, str], str], ...] = (
    ({"a_opt": "0.9", "k": "10"}, "0.001"),
    ({"a_opt": "0.95", "k": "1"}, "0.0003"),
    ({"a_opt": "0.7", "k": "200"}, "1e-5"),
)

#: tolerance of rows whose numeric side is a golden-section maximiser (half the digits)
ARGMAX_TOLERANCE = mp.mpf("1e-12")


def _expected_data_argmax(bound: BoundAccuracy, types: KTypes, others: mp.mpf) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    r"""Independent interior optimum: golden-section maximisation of :math:`p\,m_D(m_C) + (1-p)\,m_C`
    over :math:`[m_C^{min}, \bar m_H]`, with :math:`m_D(m_C)` the bracketed largest root (no Eq. (15)).

    Returns :math:`(m_C, m_D, R(m_C) - u_L^*)`.
    """
    cap = Cap(bound, others)
    low, high, p = mp_value(types.c_low), mp_value(types.c_high), mp_value(types.p)
    m_h, u_h = maximize_utility(bound, high)
    m_l, u_l = maximize_utility(bound, low)
    c_min = (u_l - u_h) / (high - low)
    bar_h = cap.right_crossing(high, u_h, m_h)

    def low_data(m_c: mp.mpf) -> mp.mpf:
        return cap.right_crossing(low, u_h + (high - low) * m_c, m_c)

    m_c, _ = maximize_unimodal(lambda x: p * low_data(x) + (1 - p) * x, c_min, bar_h)
    return m_c, low_data(m_c), u_h + (high - low) * m_c - u_l


def checks() -> list[CheckRow]:
    """App. B's closed forms against independent numerics at :data:`CHECK_POINTS` and :data:`EXAMPLE_B4_POINTS`."""
    rows: list[CheckRow] = []
    with mp.workdps(DPS):
        for spec, params, c_low, c_high, p, others in CHECK_POINTS:
            bound = accuracy_function(spec).bind(params)
            forms = screening_forms(bound.function)
            types = KTypes.two(c_low, c_high, p)
            menu = optimal_menu(bound, types, others)
            values = {**bound.values, "c_L": types.c_low, "c_H": types.c_high, "p": types.p,
                      "m_others": sp.Rational(others)}
            point = f"{bound.label()}, c_L={c_low}, c_H={c_high}, p={p}, m_-i={others}"
            for cost, label in ((types.c_low, "L"), (types.c_high, "H")):
                m_star, u_star = maximize_utility(bound, mp_value(cost))
                reference = Cap(bound, mp_value(sp.Rational(others))).right_crossing(mp_value(cost), u_star, m_star)
                rows.append(derived_row(forms.known_cost_contribution, {**values, "c": cost}, reference,
                                 "bracketed crossing, golden-section u*", f"{point} (type {label})"))
            m_h, u_h = maximize_utility(bound, mp_value(types.c_high))
            m_l, u_l = maximize_utility(bound, mp_value(types.c_low))
            rows.append(derived_row(forms.minimum_high_contribution, values, (u_l - u_h) / mp_value(types.c_high - types.c_low),
                             "golden-section u*", point))
            if menu.regime == "interior":
                m_c, m_d, rent = _expected_data_argmax(bound, types, mp_value(sp.Rational(others)))
                for derived, reference in ((forms.interior_low_contribution, m_d),
                                           (forms.interior_high_contribution, m_c),
                                           (forms.interior_information_rent, rent)):
                    rows.append(derived_row(derived, values, reference, "golden-section max of expected data", point,
                                     ARGMAX_TOLERANCE))
        for params, c in EXAMPLE_B4_POINTS:
            bound = accuracy_function("simplified").bind(params)
            cost = mp_value(sp.Rational(c))
            m_l, u_l = maximize_utility(bound, cost)
            _, u_h = maximize_utility(bound, 2 * cost)
            rows.append(CheckRow("example_b4_ratio", "Example B.4", f"{bound.label()}, c={c}",
                                 mp.mpf(sp.N(EXAMPLE_B4_RATIO, DPS + 5)), (u_l - u_h) / cost / m_l,
                                 "golden-section u* and m_L*", ARGMAX_TOLERANCE))
    return rows
