"""Theorem B.1 against brute force, and Eq. (14)'s curve against the core's property checks.

The brute force searches two-point menus :math:`(m_C, \\gamma_C), (m_D, \\gamma_D)` directly:
for a pair :math:`(m_C, m_D)` accuracies exist that satisfy IR
(:math:`\\gamma_\\theta - c_\\theta m_\\theta \\ge u_\\theta^*`), IC (each type prefers its own point)
and feasibility (:math:`\\gamma_\\theta \\le a(m_\\theta + m_{-i})`) iff the difference
:math:`d = \\gamma_D - \\gamma_C` can lie in
:math:`[c_L\\Delta, c_H\\Delta] \\cap [lo_D - hi_C, hi_D - lo_C]` with :math:`\\Delta = m_D - m_C`
(derived by hand from the four constraints).  The accuracy is ``simplified``
and :math:`m^*, u^*` are Example 2.4's printed forms; nothing comes from fedsym.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from fedsym import KTypes, accuracy_function, screen_two_types
from fedsym.paper.mechanisms import check_feasibility, check_individual_rationality
from fedsym.paper.screening.k_curve import KScreeningMechanism
from fedsym.paper.screening.menu import REGIMES

A_OPT, K = 0.9, 10.0
BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})


#: a menu "beats" the solver only by more than rounding of the double-precision brute force
BEAT_RTOL = 1e-9
#: the zoomed grids reach the optimum to about 1e-6 relative (the objective is flat along
#: the boundary of the feasible set near an interior optimum, so the zoom may settle beside it)
GRID_RTOL = 1e-5


def lone(c):
    """Example 2.4 and Theorem 2.3: (m*, u*), zero when c >= c_max = a_opt^3/(27k)."""
    if c >= A_OPT**3 / (27 * K):
        return 0.0, 0.0
    return (K / c**2) ** (1 / 3), A_OPT - 3 * (K * c) ** (1 / 3)


def cap(m, others):
    x = np.maximum(m + others, 1e-300)
    return np.maximum(0.0, A_OPT - 2 * np.sqrt(K / x))


def feasible(m_c, m_d, c_l, c_h, others):
    """Whether accuracies exist making the pair IR, IC and feasible (see module docstring)."""
    _, u_h = lone(c_h)
    _, u_l = lone(c_l)
    lo_c, hi_c = u_h + c_h * m_c, cap(m_c, others)
    lo_d, hi_d = u_l + c_l * m_d, cap(m_d, others)
    delta = m_d - m_c
    lower = np.maximum(c_l * delta, lo_d - hi_c)
    upper = np.minimum(c_h * delta, hi_d - lo_c)
    slack = 1e-13
    return (lo_c <= hi_c + slack) & (lo_d <= hi_d + slack) & (lower <= upper + slack)


def brute_force(c_l, c_h, p, others, n=700, zooms=2):
    """Largest p m_D + (1-p) m_C over feasible pairs: a grid, then grids zoomed on the best cell."""
    _, u_l = lone(c_l)
    _, u_h = lone(c_h)
    lo_c, hi_c, lo_d, hi_d = 0.0, (A_OPT - u_h) / c_h, 0.0, (A_OPT - u_l) / c_l
    best = -np.inf
    for _ in range(zooms + 1):
        mc, md = np.meshgrid(np.linspace(lo_c, hi_c, n), np.linspace(lo_d, hi_d, n), indexing="ij")
        value = np.where(feasible(mc, md, c_l, c_h, others), p * md + (1 - p) * mc, -np.inf)
        j = np.unravel_index(np.argmax(value), value.shape)
        best = max(best, float(value[j]))
        hc, hd = (hi_c - lo_c) / (n - 1), (hi_d - lo_d) / (n - 1)
        lo_c, hi_c = max(0.0, mc[j] - 4 * hc), mc[j] + 4 * hc
        lo_d, hi_d = max(0.0, md[j] - 4 * hd), md[j] + 4 * hd
    return best


def instances_by_regime(count=3, seed=7):
    """Seeded random instances until every regime (and pooling) has *count* of them."""
    rng = random.Random(seed)
    found: dict[str, list[tuple[str, str, str, str]]] = {r: [] for r in REGIMES + ("pooling",)}
    while any(len(v) < count for v in found.values()):
        c_l = 10 ** rng.uniform(-4, -2.7)
        args = (f"{c_l:.6g}", f"{c_l * 10 ** rng.uniform(0.01, 0.6):.6g}", f"{rng.uniform(0.02, 0.98):.4g}",
                f"{10 ** rng.uniform(-1, 4.5):.6g}")
        menu = screen_two_types(BOUND, *args, verify=False).two_type
        key = "pooling" if menu.pooling else menu.regime
        if len(found[key]) < count:
            found[key].append(args)
    return [(regime, args) for regime, cases in found.items() for args in cases]


CASES = instances_by_regime()


@pytest.mark.parametrize("regime, args", CASES, ids=[f"{r}-{i % 3}" for i, (r, _) in enumerate(CASES)])
def test_no_menu_collects_more_data(regime, args):
    """Theorem B.1: brute force over IR/IC/feasible menus never beats the solver, and comes within grid error."""
    result = screen_two_types(BOUND, *args)
    c_l, c_h, p, others = (float(x) for x in args)
    best = brute_force(c_l, c_h, p, others)
    expected = float(result.two_type.expected_data)
    assert best <= expected * (1 + BEAT_RTOL)
    assert best >= expected * (1 - GRID_RTOL)
    assert result.verified
    # the solver's own pair is feasible by the hand-derived test (up to rounding)
    assert feasible(float(result.two_type.high_contribution) * (1 - 1e-12), float(result.two_type.low_contribution) * (1 - 1e-12),
                    c_l, c_h, others)


@pytest.mark.parametrize("regime, args", CASES[::3], ids=[r for r, _ in CASES[::3]])
def test_curve_is_feasible_and_individually_rational(regime, args):
    """Def. 3.1 and 3.2 of the Eq. (14) curve, by the core's random-profile checks."""
    mechanism = KScreeningMechanism(BOUND, KTypes.two(*args[:3]))
    assert check_feasibility(mechanism, samples=8, points=200).holds
    assert check_individual_rationality(mechanism, samples=8, points=200).holds


def test_remark_b2_and_theorem_b3_on_all_cases():
    """Remark B.2: m_H* <= m_C <= m̄_H, m_D <= m̄_L; Theorem B.3: rent >= 0 and 0 in regimes 1 and 4."""
    for regime, args in CASES:
        menu = screen_two_types(BOUND, *args, verify=False).two_type
        tol = 1e-12 * float(menu.low_known_cost)
        assert float(menu.high_alone) - tol <= float(menu.high_contribution) <= float(menu.high_known_cost) + tol
        assert float(menu.low_contribution) <= float(menu.low_known_cost) + tol
        assert menu.information_rent_low >= 0
        if regime in ("separating", "both-capped"):
            assert menu.information_rent_low == 0
