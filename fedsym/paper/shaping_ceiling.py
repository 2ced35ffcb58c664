r"""Remark 4.3: the most data one agent gives under accuracy shaping (Eq. (13)) as the number of agents grows.

.. math:: m^{max} = m^* + \frac{a_{opt} - a(m^*)}{c} = \frac{a_{opt} - u^*}{c}

:func:`ceiling_form` derives it on the derivation engine (:mod:`fedsym.core.engine`)
from Theorem 2.3's :math:`u^*` and sympy's :math:`a_{opt} = \lim_{m\to\infty}\hat a(m)`;
:func:`ceiling_row` is its ``fedsym check`` row at one agent's cost.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import mpmath as mp
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.checkrow import CheckRow
from fedsym.core.derived import CLOSED_FORM, Derived
from fedsym.core.engine import Row, Table, run
from fedsym.core.settings import settings_cache
from fedsym.core.solve import symbolic
from fedsym.model.accuracy import AccuracyFunction, BoundAccuracy, symbolic_limit
from fedsym.paper.lone_agent import lone_agent_forms, maximize_utility, sample_points

__all__ = ["ceiling_form", "ceiling_row"]


def _table(function: AccuracyFunction) -> Table:
    r"""Remark 4.3's ceiling as a one-row table: :math:`(a_{opt} - u^*)/c`, simplified in a bounded attempt."""

    def form(_: Mapping[str, sp.Expr]) -> sp.Expr | str:
        u_star = lone_agent_forms(function).optimal_utility.closed_form
        limit = symbolic_limit(function.expr)
        if u_star is None or limit is None or limit.is_finite is False:
            return "no closed optimal utility or limit a_opt"
        raw = (limit - u_star) / S.c
        simplified = symbolic(sp.simplify, raw)
        return simplified.value if simplified.ok else raw

    def numeric(values: Mapping[str, mp.mpf]) -> mp.mpf:
        bound = function.bind_numbers(values)
        _, u = maximize_utility(bound, values["c"])
        return (bound.a_opt - u) / values["c"]

    row = Row("per_agent_ceiling", r"m^{max}", "most data one agent gives under Eq. (13), as n grows",
              "Remark 4.3", function.parameter_names + ("c",), numeric, form=form, key="ceiling")
    return Table("ceiling", function.description(), (row,), functools.partial(sample_points, function))


@settings_cache(64)
def ceiling_form(function: AccuracyFunction) -> Derived:
    r"""Per-agent ceiling of Eq. (13) as :math:`n\to\infty`, Remark 4.3:

    .. math:: m^{max} = m^* + \frac{a_{opt} - a(m^*)}{c} = \frac{a_{opt} - u^*}{c}

    Closed form when :math:`u^*` has one and sympy finds :math:`a_{opt} = \lim_{m\to\infty}\hat a(m)`
    (through the derivation store and cache, :func:`fedsym.core.cache.derivation`);
    the numeric path uses golden-section :math:`u^*` and the bound's :math:`a_{opt}`.
    Arguments: the function's parameters, then ``c`` (for :math:`c < c_{max}`).
    """
    return run(_table(function))["per_agent_ceiling"]


def ceiling_row(bound: BoundAccuracy, cost: float) -> CheckRow | None:
    r"""The ceiling's closed form at *bound* and *cost* against :math:`(a_{opt} - u^*)/c` with golden-section
    :math:`u^*` (tolerance 1e-15); None when the ceiling is numeric there (it would be its own reference)."""
    ceiling = ceiling_form(bound.function)
    values = {**bound.values, "c": mp.mpf(cost)}
    value, method = ceiling.resolve(values)
    if method != CLOSED_FORM:
        return None
    return CheckRow(ceiling.name, ceiling.source, f"{bound.label()}, c = {cost:g}", value,
                    ceiling.evaluate_numeric(values), "(a_opt - golden-section u*)/c", mp.mpf("1e-15"))
