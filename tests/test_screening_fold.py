"""One screening (issue 18): the K-type curve at K = 2 is Eq. (14), the K-type many-agent path is App. B's.

Expected values are written by hand from Model §6 for the simplified accuracy Eq. (3),
``a(m) = max(0, a_opt - 2 sqrt(k/m))`` (Model §1), with Example 2.4's lone optima
``m* = (k/c^2)^(1/3)``, ``u* = a_opt - 3 (k c)^(1/3)``; nothing below comes from fedsym
except the objects under test (and, in the brute force over type profiles, App. B's
closed-form menu, a code path the folded solver does not use).
"""

from __future__ import annotations

import itertools
import math

import mpmath as mp
import numpy as np
import pytest

from fedsym import KTypes, accuracy_function, screen_two_types
from fedsym.paper.screening.k_curve import KScreeningMechanism
from fedsym.paper.screening.k_many import count_equilibrium
from fedsym.paper.screening.many import expected_totals
from fedsym.paper.screening.menu import optimal_menu

A_OPT, K = mp.mpf("0.9"), mp.mpf(10)
BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
#: the curve is evaluated in double precision: agreement with the 30-digit hand values
CURVE_ATOL = 1e-12


def a(m):
    """Eq. (3) with the floor of Model §1."""
    m = mp.mpf(m)
    return max(mp.mpf(0), A_OPT - 2 * mp.sqrt(K / m)) if m > 0 else mp.mpf(0)


def lone(c):
    """Example 2.4: (m*, u*)."""
    c = mp.mpf(c)
    return mp.cbrt(K / c**2), A_OPT - 3 * mp.cbrt(K * c)


def largest_root(f, lo, hi):
    """Bisection for the last sign change of a concave-minus-linear f from + (at lo) to - (at hi)."""
    assert f(lo) >= 0 > f(hi)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) >= 0 else (lo, mid)
    return lo


def eq14(c_l, c_h, others, regime, p=None):
    """Eq. (14) of Model §6 by hand: (curve, points) for the separating regime 1 or the interior regime 2.

    Regime 1 (p >= c_L/c_H): m_C = m_C^min = (u_L* - u_H*)/(c_H - c_L), R = u_L*, D = m̄_L on the cap.
    Regime 2: (15) A'(m_D) = s := c_L - p(c_H - c_L)/(1 - p); for Eq. (3), A'(m) = sqrt(k)(m + m_-i)^(-3/2),
    so m_D = (k/s^2)^(1/3) - m_-i; (16) m_C = (A(m_D) - c_L m_D - a(m_H*) + c_H m_H*)/(c_H - c_L);
    R = R(m_C) = u_H* + (c_H - c_L) m_C.  Then ell = a on [0, m_H*], beyond it the lower of the line of
    slope c_H + eps from A = (m_H*, a(m_H*)) and the line of slope c_L + eps through D = (m_D, R + c_L m_D).
    """
    c_l, c_h, others = mp.mpf(c_l), mp.mpf(c_h), mp.mpf(others)
    m_h, u_h = lone(c_h)
    _, u_l = lone(c_l)

    def cap(m):
        return a(m + others)

    if regime == "separating":
        m_c = (u_l - u_h) / (c_h - c_l)
        rent_utility = u_l
        m_d = largest_root(lambda m: cap(m) - c_l * m - u_l, mp.mpf(0), 1 / c_l)
    else:
        s = c_l - mp.mpf(p) * (c_h - c_l) / (1 - mp.mpf(p))
        m_d = mp.cbrt(K / s**2) - others
        m_c = (cap(m_d) - c_l * m_d - a(m_h) + c_h * m_h) / (c_h - c_l)
        rent_utility = u_h + (c_h - c_l) * m_c
    gamma_d = rent_utility + c_l * m_d

    def curve(m, eps=0):
        m = mp.mpf(m)
        if m <= m_h:
            return a(m)
        ell = min(a(m_h) + (c_h + eps) * (m - m_h), gamma_d + (c_l + eps) * (m - m_d))
        return max(a(m), min(ell, cap(m)))

    return curve, {"m_H*": m_h, "m_C": m_c, "m_D": m_d}


#: (c_L, c_H, p, m_-i, regime): Example B.4 (paper's case, no rent) and an interior menu with a rent
CASES = [("0.001", "0.002", "0.5", "5000", "separating"), ("0.001", "0.0012", "0.5", "10", "interior")]


@pytest.mark.parametrize("c_l, c_h, p, others, regime", CASES, ids=[c[-1] for c in CASES])
@pytest.mark.parametrize("eps", [0.0, 1e-4])
def test_one_curve_at_k2_is_eq14_by_hand(c_l, c_h, p, others, regime, eps):
    """Claim: the K-type curve built from KTypes.two(...) is Eq. (14), also at and around its kinks.

    Expected: Eq. (14) written out from Model §6 (function eq14 above, in mpmath)."""
    assert screen_two_types(BOUND, c_l, c_h, p, others, verify=False).regime == regime   # the hand case applies
    hand, kinks = eq14(c_l, c_h, others, regime, p)
    m_h, m_c, m_d = (float(kinks[key]) for key in ("m_H*", "m_C", "m_D"))
    assert m_h < m_c < m_d   # the three pieces are all there
    special = [0.0, m_h / 2, m_h, m_h * (1 - 1e-9), m_h * (1 + 1e-9), (m_h + m_c) / 2, m_c, m_c * (1 + 1e-9),
               (m_c + m_d) / 2, m_d, 1.1 * m_d, 3 * m_d]
    xs = np.unique(np.concatenate([special, np.linspace(0, 2 * m_d, 301)]))
    curve = KScreeningMechanism(BOUND, KTypes.two(c_l, c_h, p), eps).curve_total(0, float(others))
    got = curve(xs)
    expected = np.array([float(hand(x, mp.mpf(eps))) for x in xs])
    assert np.max(np.abs(got - expected)) <= CURVE_ATOL
    # the curve is a(m) below m_H* (exactly: the same double-precision a; at m_H* itself the two branches
    # agree to rounding); with eps = 0 strictly above a(m) just past it (the c_H line, not the floor; with
    # eps > 0 the line through D, lowered left of D, may dip to the floor there)
    below = xs[xs < m_h]
    assert np.array_equal(curve(below), BOUND.a_np(below))
    if eps == 0:
        assert float(curve(np.array(m_h * 1.01))) > float(a(m_h * 1.01)) + 1e-6


def test_one_curve_at_k2_kinks_include_eq14s():
    """Claim: the curve reports m_H*, m_C and m_D as kinks (the deviation search inspects them).

    Expected: the hand values of Model §6 (regime 2 instance)."""
    c_l, c_h, p, others, regime = CASES[1]
    _, kinks = eq14(c_l, c_h, others, regime, p)
    reported = KScreeningMechanism(BOUND, KTypes.two(c_l, c_h, p)).kinks_total(0, float(others))
    for value in kinks.values():
        assert min(abs(k - float(value)) for k in reported) <= 1e-9 * float(value)


# -- n agents: the folded count-vector path against a brute force over type profiles ---------------

def profile_equilibrium(types, profile, rtol=mp.mpf("1e-18")):
    """Gauss-Seidel over *agents* (not types), each answering the others' realized data with its type's
    point of App. B's closed-form menu; starts from the lone optima."""
    x = [lone(types.c_low if t == "L" else types.c_high)[0] for t in profile]
    for _ in range(500):
        change = mp.mpf(0)
        for i, t in enumerate(profile):
            menu = optimal_menu(BOUND, types, mp.nstr(mp.fsum(x) - x[i], 30))
            new = menu.low_contribution if t == "L" else menu.high_contribution
            change = max(change, abs(new - x[i]) / max(new, 1))
            x[i] = new
        if change <= rtol:
            return x
    raise AssertionError(f"no fixed point for {profile}")


def test_count_equilibrium_matches_profile_brute_force():
    """Claim: count_equilibrium at (n_L, n_H) is the equilibrium of the individual agents, each type's
    agents giving the same; its total is the profile's total.

    Expected: profile_equilibrium (per-agent iteration on App. B's closed forms)."""
    types = KTypes.two("0.001", "0.0015", "0.1")
    with mp.workdps(30):
        brute = profile_equilibrium(types, "LHH")
    folded = count_equilibrium(BOUND, types, (1, 2), verify=False)
    assert float(folded.contributions[0]) == pytest.approx(float(brute[0]), rel=1e-15)
    assert float(folded.contributions[1]) == pytest.approx(float(brute[1]), rel=1e-15)
    assert float(brute[1]) == pytest.approx(float(brute[2]), rel=1e-15)
    assert float(folded.total) == pytest.approx(float(mp.fsum(brute)), rel=1e-15)


@pytest.mark.parametrize("args", [("0.001", "0.002", "0.5"), ("0.001", "0.0015", "0.1")])
def test_expected_totals_match_sum_over_all_profiles(args):
    """Claim: the multinomial sum over count vectors equals the sum over all 2^n type profiles.

    Expected: the 2^n profiles of n = 3 agents, each weighted p^(#L) (1-p)^(#H), its total from
    profile_equilibrium; known-cost totals from the paper's shaping equilibrium of each profile."""
    from fedsym.paper.equilibrium import shaping_equilibrium
    types = KTypes.two(*args)
    p, n = float(args[2]), 3
    screening = known = 0.0
    with mp.workdps(30):
        for profile in itertools.product("LH", repeat=n):
            weight = p ** profile.count("L") * (1 - p) ** profile.count("H")
            screening += weight * float(mp.fsum(profile_equilibrium(types, profile)))
            costs = [float(types.c_low) if t == "L" else float(types.c_high) for t in profile]
            known += weight * float(shaping_equilibrium(BOUND, costs, verify=False).total)
    totals = expected_totals(BOUND, types, n, verify=False)
    assert totals.screening == pytest.approx(screening, rel=1e-13)
    assert totals.known_cost == pytest.approx(known, rel=1e-13)
    assert sum(row["probability"] for row in totals.rows) == pytest.approx(1.0, rel=1e-15)
    assert [row["probability"] for row in totals.rows] == pytest.approx(
        [math.comb(n, row["counts"][0]) * p ** row["counts"][0] * (1 - p) ** row["counts"][1] for row in totals.rows],
        rel=1e-15)
