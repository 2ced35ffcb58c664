"""n agents with i.i.d. two-point costs under the screening curves (Model §6 end, extension).

Hand derivation used below (Example B.4's setting, c_H = 2c_L, p >= c_L/c_H, so every
menu separates): a high agent gives m_C^min = (u_L* - u_H*)/c_L and a low agent x with
a(M) = u_L* + c_L x.  Under known costs (Theorem 4.2) a high agent gives y with
a(M) = u_H* + 2c_L y.  Since u_L* = u_H* + c_L m_C^min, y = (m_C^min + x)/2 at the same M, so
two known-cost high agents collect exactly what one screened low and one screened high
agent collect: M_screening(j lows of n) = M_known(2j - n lows of n) for 2j >= n.
"""

from __future__ import annotations

import math

import pytest

from fedsym import KTypes, accuracy_function
from fedsym.core.errors import ParameterError
from fedsym.paper.screening.k_many import count_equilibrium
from fedsym.paper.screening.many import expected_totals

BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
B4 = KTypes.two("0.001", "0.002", "0.5")


def test_single_low_agent_gives_its_lone_optimum():
    """With no others (m_{-i} = 0, regime 4) the low agent gives m_L* = (k/c_L^2)^{1/3} (Example 2.4)."""
    result = count_equilibrium(BOUND, B4, (1, 0))
    assert float(result.contributions[0]) == pytest.approx((10 / 1e-6) ** (1 / 3), rel=1e-14)
    assert result.verified


def test_expected_totals_b4_identity_and_ordering():
    n = 4
    totals = expected_totals(BOUND, B4, n)
    assert totals.verified
    by_j = {row["counts"][0]: row for row in totals.rows}
    assert all(sum(row["counts"]) == n for row in totals.rows)
    for j in range(n + 1):
        if 2 * j >= n:
            assert by_j[j]["screening"] == pytest.approx(by_j[2 * j - n]["known_cost"], rel=1e-12)
        # Theorem 4.2 (known costs are data-maximizing) bounds screening above; Theorem 3.4 below
        assert by_j[j]["standard"] <= by_j[j]["screening"] * (1 + 1e-12)
        assert by_j[j]["screening"] <= by_j[j]["known_cost"] * (1 + 1e-12)
    average = sum(math.comb(n, j) * 0.5**n * by_j[j]["screening"] for j in range(n + 1))
    assert totals.screening == pytest.approx(average, rel=1e-14)


def test_interior_profile_is_verified_equilibrium():
    """A profile whose menus are not separating: still a verified equilibrium of the curves."""
    types = KTypes.two("0.001", "0.0015", "0.1")
    result = count_equilibrium(BOUND, types, (1, 2))
    assert result.verified and result.verification.max_deviation_gain <= 1e-9
    low, high = (float(x) for x in result.contributions)
    assert low >= high * (1 - 1e-12) > 0   # Remark B.2


def test_bad_counts_refused():
    with pytest.raises(ParameterError, match="counts"):
        count_equilibrium(BOUND, B4, (1, -1))
    with pytest.raises(ParameterError, match="counts"):
        count_equilibrium(BOUND, B4, (1, 1, 1))
    with pytest.raises(ParameterError, match="n=0"):
        expected_totals(BOUND, B4, 0)
