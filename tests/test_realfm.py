"""RealFM as published (Bornstein et al. 2023; Model §11 item 5) and its gap to exact value-space shaping.

Expected values and their sources:

* paper agents (v(a) = a, so the Taylor step is the line of Eq. (13)), Eq. (3) with a_opt 0.95, k 1,
  two agents at c = 0.0015, by hand: m* = (k/c^2)^(1/3) = 76.31..., truncated to 76; a_fed = a(152);
  the root of a_fed = a(76) + c (m - 76) is 76 + (a(152) - a(76))/c = 120.796..., truncated to 120.
  At the truncated profile an agent's utility is a(76) - 76 c (the line is worth exactly its cost),
  below the exact lone optimum u* = a(m*) - c m*: leaving gains u* - (a(76) - 76 c) > 0, so the
  verification must fail by exactly that gain;
* the published algorithm re-implemented here along a different path: the lone optimum from the
  first-order condition v'(a(m)) a'(m) = c with analytic derivatives and Brent's method (not
  Nelder-Mead), the contribution from the closed-form root m* + (v' D + v'' D^2 / 2)/(c + eps),
  D = a_fed - a(m*) (not hybr), on RealFM's own accuracy (Eq. (2), a_opt 0.95, k 1, b 4) and value
  p_i((1 - a)^-2 - 1) with p_i ~ U(0.75, 1.25) (the range of RealFM's fed_batch.py);
* the exact mechanism (Model §8 shaping, eps = 0) for the two paper agents: the fixed point
  M = 2 (m* + (a(M) - a(m*))/c), by Brent's method here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.optimize

from fedsym.core.errors import ParameterError
from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.realfm import published_lone_optimum, realfm_gap, realfm_published

SIMPLIFIED = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
REALFM_ACCURACY = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1", "b": "4"})


def a3(m: float) -> float:
    return 0.95 - 2 / math.sqrt(m)


def test_two_paper_agents_by_hand():
    c = 0.0015
    population = Population((Agent.paper(SIMPLIFIED, "0.0015", count=2),))
    m_star = (1 / c**2) ** (1 / 3)
    assert published_lone_optimum(population.agents[0])[0] == math.floor(m_star) == 76
    result = realfm_published(population)
    root = 76 + (a3(152) - a3(76)) / c
    assert result.mechanism == "realfm"
    assert list(result.contributions) == [math.floor(root)] * 2 == [120, 120]
    assert result.total == 240
    assert result.accuracies == pytest.approx([a3(76) + c * 44] * 2, rel=1e-14)
    assert result.utilities == pytest.approx([a3(76) - c * 76] * 2, rel=1e-12)
    leaving_gain = (a3(m_star) - c * m_star) - (a3(76) - c * 76)
    assert not result.verified
    assert result.verification.max_deviation_gain == pytest.approx(leaving_gain, rel=1e-6)
    assert result.verification.best_deviation == -1.0  # leaving
    assert result.joined.all()


def test_eps_margin_by_hand():
    """With eps = 1e-4 the line gains eps per point, so the truncated root leaves eps * frac(root) unused."""
    c, eps = 0.0015, 1e-4
    population = Population((Agent.paper(SIMPLIFIED, "0.0015", count=2),))
    root = 76 + (a3(152) - a3(76)) / (c + eps)
    result = realfm_published(population, eps)
    assert list(result.contributions) == [math.floor(root)] * 2
    claimed = a3(76) + (c + eps) * (math.floor(root) - 76) - c * math.floor(root)
    at_root = a3(152) - c * root
    m_star = (1 / c**2) ** (1 / 3)
    expected_gain = max(at_root, a3(m_star) - c * m_star) - claimed
    assert result.verification.max_deviation_gain == pytest.approx(expected_gain, rel=1e-6)
    assert result.eps == eps


def _eq2(m, k=1.0, b=4.0, a_opt=0.95):
    return a_opt - (np.sqrt(2 * k * (2 + np.log(m / k))) + b) / np.sqrt(m)


def _eq2_prime(m, k=1.0, b=4.0):
    root = np.sqrt(2 * k * (2 + np.log(m / k)))
    return -(k / (m * root)) / np.sqrt(m) + 0.5 * (root + b) / m**1.5


def _independent_published(ps: np.ndarray, costs: np.ndarray, eps: float) -> np.ndarray:
    """The published algorithm by another path: Brent on the first-order condition, closed-form root."""
    lone = []
    for p, c in zip(ps, costs):
        def foc(m, p=p, c=c):
            return 2 * p / (1 - _eq2(m)) ** 3 * _eq2_prime(m) - c
        m_star = scipy.optimize.brentq(foc, 1e3, 1e9, xtol=1e-12, rtol=1e-15)
        lone.append(math.floor(m_star))
    lone_arr = np.array(lone, dtype=float)
    a_fed = _eq2(lone_arr.sum())
    out = []
    for p, c, m_star in zip(ps, costs, lone_arr):
        a_bar = _eq2(m_star)
        d = a_fed - a_bar
        v1, v2 = 2 * p / (1 - a_bar) ** 3, 6 * p / (1 - a_bar) ** 4
        out.append(math.floor(m_star + (v1 * d + 0.5 * v2 * d * d) / (c + eps)))
    return np.array(out, dtype=float)


@pytest.mark.parametrize("seed,n", [(0, 4), (1, 8)])
def test_reproduces_the_published_algorithm(seed, n):
    rng = np.random.default_rng(seed)
    ps = np.round(rng.uniform(0.75, 1.25, n), 6)
    costs = np.round(rng.normal(0.001, 0.0001, n), 8)
    population = Population(tuple(Agent.of(REALFM_ACCURACY, float(c), 0, f"{p}*((1 - a)**(-2) - 1)")
                                  for p, c in zip(ps, costs)))
    result = realfm_published(population, 1e-9)
    assert np.array_equal(result.contributions, _independent_published(ps, costs, 1e-9))
    assert result.costs == pytest.approx(costs, rel=1e-15)


def test_gap_to_exact_shaping_by_hand():
    c = 0.0015
    population = Population((Agent.paper(SIMPLIFIED, "0.0015", count=2),))
    m_star = (1 / c**2) ** (1 / 3)
    exact_total = scipy.optimize.brentq(lambda M: 2 * (m_star + (a3(M) - a3(m_star)) / c) - M, 2 * m_star, 1e4,
                                        xtol=1e-12)
    gap = realfm_gap(population)
    assert gap.exact.total == pytest.approx(exact_total, rel=1e-9)
    assert gap.more_data == pytest.approx(exact_total / 240 - 1, rel=1e-9)
    assert gap.exact.verified and gap.more_data > 0


def test_realfm_like_population_collects_less_than_exact():
    rng = np.random.default_rng(0)
    population = Population(tuple(Agent.of(REALFM_ACCURACY, 0.001, 0, f"{p:.6f}*((1 - a)**(-2) - 1)")
                                  for p in rng.uniform(0.9, 1.1, 4)))
    gap = realfm_gap(population)
    assert 0.02 <= gap.more_data <= 0.79  # Model §11 item 5: 2-79 % on RealFM-like populations
    assert gap.published.verification.checked == 4


def test_refuses_what_the_published_code_cannot_do():
    with pytest.raises(ParameterError, match="linear cost"):
        realfm_published(Population((Agent.of(SIMPLIFIED, "0.001*m + 1e-6*m**2"),)))
    with pytest.raises(ParameterError, match="joining cost"):
        realfm_published(Population((Agent.of(SIMPLIFIED, 0.001, joining=0.01),)))
    with pytest.raises(ParameterError, match="eps"):
        realfm_published(Population((Agent.paper(SIMPLIFIED, "0.001"),)), -1.0)


def test_lone_agent_not_viable_gives_nothing():
    """Above c_max = a_opt^3/(27 k) = 0.0317... (Example 2.4) the agent's utility is <= 0: published m* = 0."""
    assert published_lone_optimum(Agent.paper(SIMPLIFIED, "0.05")) == (0, 0.0)


def test_checks_registered_and_pass():
    from fedsym.check import CHECKED_MODULES
    from fedsym.paper.realfm import checks

    assert "fedsym.paper.realfm" in CHECKED_MODULES
    rows = checks()
    assert len(rows) == 5 and all(row.passed for row in rows)
