r"""Screening with a value of accuracy :math:`v(a)` (Model §8 in the program of Model §9): the cap in value units.

A type with cost :math:`c_k` that receives accuracy :math:`\gamma` for :math:`m` points earns
:math:`v(\gamma) - c_k m`.  Write the menu in value units, :math:`\nu_k = v(\gamma_k)`: utilities
:math:`U_k = \nu_k - c_k m_k`, feasibility :math:`\nu_k \le W(m_k) := v(A(m_k))`, IR
:math:`U_k \ge u_k^* = \max_m w(m) - c_k m` (:math:`w = v\circ a`, Theorem 2.3 generalized) and IC
:math:`U_k \ge \nu_j - c_k m_j` are Model §9's program with :math:`A` replaced by :math:`W`, the
allocation's first-order conditions reading :math:`W'(m) = v'(A(m))\,A'(m)` where they read
:math:`A'(m)`, and the menu's accuracies are :math:`\gamma_k = v^{-1}(\nu_k)`.  That program is convex
(its KKT conditions certify the optimum) where :math:`W` is concave in :math:`m \ge 0`, i.e. where
:math:`w` is concave on :math:`[m_{-i}, \infty)`: always for a concave increasing :math:`v`
(:math:`\log(1 + a)`, :math:`\sqrt a`), for a convex one (RealFM's :math:`(1 - a)^{-2} - 1`) only when
the others' data reach the region where :math:`w` is concave.  :func:`screening_cap` refuses the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym.core import symbols as S
from fedsym.core.errors import ParameterError
from fedsym.core.expression import lambdify_mpmath, lambdify_numpy
from fedsym.core.solve import bracketed_root, expand_bracket
from fedsym.model.accuracy import BoundAccuracy
from fedsym.model.agent import ACCURACY, Agent
from fedsym.paper.agents_that_differ.cohort import concave_start
from fedsym.paper.agents_that_differ.lone import lone_agent
from fedsym.paper.screening.menu import Cap

__all__ = ["ValueCap", "parse_screening_value", "screening_cap"]

#: bisection steps of :math:`v^{-1}` in double precision (the bracket :math:`[0, a_{opt}]` halves 64 times)
_INVERSE_STEPS = 64


def parse_screening_value(value: Any, bound: BoundAccuracy, cost: sp.Rational) -> sp.Expr:
    r"""A value of accuracy for screening, parsed and refused exactly like an agent's (:meth:`fedsym.model.agent.Agent.of`
    with marginal cost *cost*: :math:`v(0) = 0`, increasing on :math:`[0, a_{opt}]`, :math:`v(a_{opt})` finite and
    below :data:`fedsym.model.agent.MAX_VALUE`, the marginal value below *cost* at the largest data size solved for);
    ``None`` is the paper's :math:`v(a) = a`.  Every type is checked again with its own cost (:meth:`ValueCap.alone`)."""
    if value is None:
        return ACCURACY
    return Agent.of(bound, cost, value=value).value


def screening_cap(bound: BoundAccuracy, others: mp.mpf, value: sp.Expr) -> Cap:
    r"""The cap of Model §9 in value units: :class:`Cap` for :math:`v(a) = a`, else :class:`ValueCap`.

    :class:`ParameterError` naming ``value`` when :math:`w = v\circ a` is not concave on
    :math:`[m_{-i}, \infty)` (the program is then not convex and its KKT point need not be optimal).
    """
    if value == ACCURACY:
        return Cap(bound, others)
    start = mp.mpf(concave_start(Agent(bound, S.m, value=value)))  # the cost m is not used
    if start > max(others, bound.minimum_viable_data) * (1 + mp.mpf(10) ** -9):
        raise ParameterError(f"value {value}: v(a(m)) is not concave below m = {mp.nstr(start, 6)} and the others' data "
                             f"m_-i = {mp.nstr(others, 6)} lie below it, so screening's program is not convex there "
                             "(needs v o a concave on [m_-i, oo): a concave v, or more data from the others)")
    return ValueCap(bound, others, value)


@dataclass(frozen=True, eq=False)
class ValueCap(Cap):
    r""":math:`W(m) = v(A(m))`, the cap in value units, with :math:`W' = v'(A)A'`, :math:`W'' = v''(A)A'^2 + v'(A)A''`."""

    value_expr: sp.Expr = ACCURACY

    @functools.cached_property
    def _mp(self) -> tuple[Callable[[Any], Any], ...]:
        return tuple(lambdify_mpmath(ACCURACY, sp.diff(self.value_expr, ACCURACY, order)) for order in range(3))

    @functools.cached_property
    def _np(self) -> tuple[Callable[[Any], Any], ...]:
        return tuple(lambdify_numpy(ACCURACY, sp.diff(self.value_expr, ACCURACY, order)) for order in range(3))

    def _v_np(self, a: np.ndarray, order: int = 0) -> np.ndarray:
        a = np.asarray(a, dtype=float)
        with np.errstate(all="ignore"):
            out = np.asarray(self._np[order](np.maximum(a, 0.0)), dtype=float) * np.ones_like(a)
        return np.where(a > 0, out, 0.0) if order == 0 else out

    def _v(self, a: mp.mpf, order: int = 0) -> mp.mpf:
        return mp.mpf(self._mp[order](a)) if a > 0 or order else mp.mpf(0)

    def value(self, m: Any) -> mp.mpf:
        r""":math:`W(m) = v(A(m))`."""
        return self._v(super().value(m))

    def slope(self, m: Any) -> mp.mpf:
        r""":math:`W'(m) = v'(A(m))\,A'(m)`."""
        a_prime = super().slope(m)
        return self._v(super().value(m), 1) * a_prime if a_prime else mp.mpf(0)

    def second(self, m: Any) -> mp.mpf:
        r""":math:`W''(m) = v''(A)\,A'^2 + v'(A)\,A''`."""
        a_prime = super().slope(m)
        if not a_prime:
            return mp.mpf(0)
        a = super().value(m)
        return self._v(a, 2) * a_prime**2 + self._v(a, 1) * super().second(m)

    def derivative_np(self, m: float, order: int) -> float:
        a = np.array([super().derivative_np(m, 0)])
        if order == 0:
            return float(self._v_np(a)[0])
        a_prime = super().derivative_np(m, 1)
        if order == 1:
            return float(self._v_np(a, 1)[0]) * a_prime
        return float(self._v_np(a, 2)[0]) * a_prime**2 + float(self._v_np(a, 1)[0]) * super().derivative_np(m, 2)

    def level_np(self, accuracy: np.ndarray) -> np.ndarray:
        r""":math:`v(a)` on an array (0 at and below :math:`a = 0`)."""
        return self._v_np(accuracy)

    def accuracy_np(self, level: np.ndarray) -> np.ndarray:
        r""":math:`v^{-1}` on :math:`[0, v(a_{opt})]` (bisection; the increasing :math:`v` makes it unique)."""
        level = np.asarray(level, dtype=float)
        lo, hi = np.zeros_like(level), np.full_like(level, float(self.bound.a_opt))
        for _ in range(_INVERSE_STEPS):
            mid = 0.5 * (lo + hi)
            below = self._v_np(mid) < level
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return 0.5 * (lo + hi)

    def accuracy(self, level: mp.mpf) -> mp.mpf:
        r""":math:`v^{-1}(\nu)` in mpmath (bracketed on :math:`[0, a_{opt}]`)."""
        if level <= 0:
            return mp.mpf(0)
        return bracketed_root(lambda a: self._v(a) - level, mp.mpf(0), self.bound.a_opt)

    @property
    def top(self) -> mp.mpf:
        r""":math:`\sup W = v(a_{opt})`."""
        return self._v(self.bound.a_opt)

    @property
    def value_of_accuracy(self) -> sp.Expr:
        return self.value_expr

    def alone(self, cost: sp.Rational) -> tuple[mp.mpf, mp.mpf]:
        r""":math:`(m^*, u^*)` maximizing :math:`w(m) - c\,m` (Theorem 2.3 generalized, Model §8)."""
        lone = lone_agent(Agent.of(self.bound, cost, value=self.value_expr))
        return lone.optimal_data, lone.optimal_utility

    def peak(self, cost: mp.mpf, start: mp.mpf) -> mp.mpf:
        r"""Maximiser of :math:`W(m) - c\,m` on :math:`[start, \infty)`: the root of :math:`W'(m) = c` (:math:`W'`
        decreases, :func:`screening_cap` checked), or *start* where :math:`W' \le c` already."""
        def excess(m: mp.mpf) -> mp.mpf:
            return self.slope(m) - cost

        lo = mp.mpf(start)
        if lo + self.others <= self.bound.minimum_viable_data:  # W = 0 up to m_0: the surplus peaks beyond
            lo = (self.bound.minimum_viable_data - self.others) * (1 + mp.mpf(10) ** -12)
        if excess(lo) <= 0:
            return mp.mpf(start)
        return bracketed_root(excess, lo, expand_bracket(excess, lo, max(2 * lo, mp.mpf(1))))
