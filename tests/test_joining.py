"""Who joins (Model §8): joining costs under standard federated learning and accuracy shaping.

Every expected value comes from code written here, not from the solvers under test: Eq. (3) typed in,
each agent's best response by its first-order condition solved with ``scipy.optimize.brentq`` (compared
with giving nothing), a Gauss-Seidel best-response iteration for a fixed set of joiners, a brute force
over every set of joiners, and a deviation check on a dense grid (joining, leaving, any other amount).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import mpmath as mp
import numpy as np
import pytest
from scipy.optimize import brentq

from fedsym.cli import main
from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.equilibrium import solve

pytestmark = pytest.mark.timeout(60)

A_OPT, K = 0.95, 1.0
SIMPLIFIED = accuracy_function("simplified").bind({"a_opt": str(A_OPT), "k": str(K)})
#: below m0 = 4 k / a_opt^2 Eq. (3) is 0
M0 = 4 * K / A_OPT**2


@dataclass(frozen=True)
class Hand:
    """One agent typed in by hand: v = p a with Eq. (3), C(m) = c1 m + c2 m^2, joining cost J."""

    c1: float
    c2: float = 0.0
    joining: float = 0.0
    p: float = 1.0

    def w(self, m: np.ndarray | float) -> np.ndarray:
        m = np.asarray(m, dtype=float)
        return self.p * np.where(m > M0, A_OPT - 2 * np.sqrt(K / np.maximum(m, M0)), 0.0)

    def w_prime(self, m: float) -> float:
        return self.p * np.sqrt(K) * m ** -1.5 if m > M0 else 0.0

    def cost(self, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return self.c1 * x + self.c2 * x * x

    def best(self, others: float) -> tuple[float, float]:
        """Best response (x, w(others + x) - C(x)) to the others' total: the first-order condition
        w'(others + x) = C'(x) on the concave part (x > m0 - others), against x = 0."""
        lo = max(0.0, M0 - others) * (1 + 1e-12) + 1e-12
        slope = lambda x: self.w_prime(others + x) - self.c1 - 2 * self.c2 * x  # noqa: E731
        x = lo if slope(lo) <= 0 else brentq(slope, lo, 1e7, xtol=1e-13, rtol=1e-15)
        value = float(self.w(others + x) - self.cost(x))
        zero = float(self.w(others))
        return (x, value) if value > zero else (0.0, zero)

    @property
    def lone(self) -> tuple[float, float]:
        return self.best(0.0)

    def agent(self) -> Agent:
        cost = f"{self.c1!r}*m + {self.c2!r}*m**2" if self.c2 else self.c1
        return Agent.of(SIMPLIFIED, cost, repr(self.joining), f"{self.p!r}*a" if self.p != 1 else "a")


def population(agents: list[Hand]) -> Population:
    return Population(tuple(hand.agent() for hand in agents))


# -- standard federated learning by brute force --------------------------------------------------------

def standard_for(agents: list[Hand], joined: tuple[bool, ...]) -> np.ndarray:
    """Contributions of a fixed set of joiners: Gauss-Seidel best responses from the lone optima."""
    m = np.array([hand.lone[0] if j else 0.0 for hand, j in zip(agents, joined)])
    for _ in range(2000):
        before = m.copy()
        for i, (hand, j) in enumerate(zip(agents, joined)):
            if j:
                m[i] = hand.best(m.sum() - m[i])[0]
        if np.abs(m - before).max() <= 1e-11 * max(m.sum(), 1.0):
            return m
    raise AssertionError(f"best responses did not settle for {joined}")


def standard_gains(agents: list[Hand], joined: tuple[bool, ...], m: np.ndarray) -> np.ndarray:
    """Each agent's gain from its best deviation under Eq. (10) (others fixed): leave (u*), or
    join / stay in with its best amount (paying J)."""
    total, gains = float(m.sum()), []
    for i, (hand, j) in enumerate(zip(agents, joined)):
        others = total - m[i]
        now = float(hand.w(total) - hand.cost(m[i])) - hand.joining if j else hand.lone[1]
        gains.append(max(hand.lone[1], hand.best(others)[1] - hand.joining) - now)
    return np.array(gains)


def standard_equilibria(agents: list[Hand]) -> list[tuple[tuple[bool, ...], np.ndarray]]:
    """Every set of joiners whose best-response profile no agent gains from leaving or joining."""
    found = []
    for joined in itertools.product([True, False], repeat=len(agents)):
        m = standard_for(agents, joined)
        scale = max(1.0, max(abs(hand.lone[1]) for hand in agents))
        if standard_gains(agents, joined, m).max() <= 1e-9 * scale:
            found.append((joined, m))
    return found


# -- the independent deviation check on a grid -------------------------------------------------------------

GRID = np.concatenate([np.linspace(0.0, 3000.0, 30001), np.geomspace(1e-3, 1e5, 4001)])


def shaping_utility(hand: Hand, x: np.ndarray, others: float, eps: float) -> np.ndarray:
    """Generalized Eq. (13) less cost (Model §8): own model up to m*, else min(line, full model) - C - J."""
    anchor, _ = hand.lone
    line = hand.w(anchor) + hand.joining + hand.cost(x) - hand.cost(anchor) + eps * (x - anchor)
    shared = np.minimum(line, hand.w(x + others)) - hand.cost(x) - hand.joining
    return np.where(x <= anchor, hand.w(x) - hand.cost(x), shared)


def deviation_gain(agents: list[Hand], mechanism: str, m: np.ndarray, joined: np.ndarray,
                   eps: float = 0.0) -> float:
    """Largest gain (relative to max(1, |u|)) of any agent from leaving or giving any amount on GRID (plus
    its first-order best response and its claimed amount), others fixed; utilities recomputed here."""
    total, worst = float(m.sum()), 0.0
    for i, hand in enumerate(agents):
        others = total - m[i]
        points = np.append(GRID, [m[i], hand.best(others)[0], hand.lone[0]])
        if mechanism == "standard":
            options = hand.w(points + others) - hand.cost(points) - hand.joining
        else:
            options = shaping_utility(hand, points, others, eps)
        now = options[-3] if joined[i] else hand.lone[1]
        if not joined[i]:
            assert m[i] == 0.0, "a non-joiner shares nothing (Model §8)"
        best = max(float(options.max()), hand.lone[1])
        worst = max(worst, (best - float(now)) / max(1.0, abs(best)))
    return worst


# -- the population of the bug report ---------------------------------------------------------------------

REPORTED = [Hand(0.001, 1e-6), Hand(0.0005, 2e-6, joining=0.02), Hand(0.002, p=2.0)]


def test_reported_population_brute_force_has_no_federation_in_equilibrium():
    """The brute force over the 8 sets of joiners: with agent 2 out, agents 1 and 3 give [0, 0, 100]
    (agent 3's stopping point 2 M^(-3/2) = 0.002 at M = 100) and agent 2 gains ~0.0576 by joining with
    ~34.8 points; with agent 2 in, it gives everything alone (M > 100 crowds out the others) and gains
    J = 0.02 by leaving.  Only nobody joining survives (joining alone gives at most u* - J)."""
    with_out = standard_for(REPORTED, (True, False, True))
    np.testing.assert_allclose(with_out, [0.0, 0.0, 100.0], atol=1e-6)
    gains = standard_gains(REPORTED, (True, False, True), with_out)
    assert gains[1] == pytest.approx(0.0576, abs=1e-4)
    assert REPORTED[1].best(100.0)[0] == pytest.approx(34.8, abs=0.05)
    with_in = standard_for(REPORTED, (True, True, True))
    assert with_in[0] == with_in[2] == 0.0
    assert standard_gains(REPORTED, (True, True, True), with_in)[1] == pytest.approx(0.02, rel=1e-9)
    equilibria = standard_equilibria(REPORTED)
    assert [joined for joined, _ in equilibria] == [(False, False, False)]


def test_reported_population_solver_returns_the_verified_equilibrium():
    """solve("standard") returns the only equilibrium of the brute force (nobody joins, each alone at m_i*)
    with its verification passing, and says why the federation of agents 1 and 3 is none."""
    result = solve("standard", population(REPORTED))
    assert result.verified
    assert result.joined.tolist() == [False, False, False] and result.total == 0.0
    np.testing.assert_array_equal(result.contributions, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(result.utilities, [hand.lone[1] for hand in REPORTED], rtol=1e-9)
    assert "is no equilibrium (agent 2 gains 0.0576 by joining)" in result.note
    assert deviation_gain(REPORTED, "standard", result.contributions, result.joined) <= 1e-9


def test_reported_population_on_the_command_line(tmp_path, capsys):
    """`fedsym equilibrium --mechanism standard --agents FILE --json`: exit 0, verified, nobody joins (the
    brute force above), each agent alone at its m* (agent 3: 2 a'(m) = 0.002 at m = 100, by hand)."""
    records = [{"accuracy": "simplified", "params": {"a_opt": A_OPT, "k": K}, "cost": "0.001*m + 1e-6*m**2"},
               {"accuracy": "simplified", "params": {"a_opt": A_OPT, "k": K}, "cost": "0.0005*m + 2e-6*m**2",
                "joining_cost": 0.02},
               {"accuracy": "simplified", "params": {"a_opt": A_OPT, "k": K}, "cost": "0.002*m", "value": "2*a"}]
    path = tmp_path / "agents.json"
    path.write_text(json.dumps(records))
    assert main(["equilibrium", "--mechanism", "standard", "--agents", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verified"] is True and data["joined"] == [False, False, False] and data["total"] == 0.0
    assert data["lone_optimal_data"][2] == pytest.approx(100.0, rel=1e-12)


def test_reported_population_without_the_joining_cost_federates():
    """J_2 = 0: the cycle is gone; the brute force's one equilibrium (everybody in, agent 2 gives all of
    M ~ 105.5) is the solver's."""
    agents = [REPORTED[0], Hand(0.0005, 2e-6), REPORTED[2]]
    (joined, expected), = [(j, m) for j, m in standard_equilibria(agents) if all(j)]
    result = solve("standard", population(agents))
    assert result.verified and result.joined.all()
    np.testing.assert_allclose(result.contributions, expected, rtol=1e-8, atol=1e-8)


def test_standard_keeps_an_agent_whose_joining_pays_only_with_others_in():
    """Two agents (by brute force): agent 2 (c = 0.002, J = 0.05) free-rides on agent 1's m* = 100 and
    gets a(100) - 0.05 = 0.70 > its u* = 0.95 - 3 (0.002)^(1/3) ~ 0.572 (Example 2.4), so both join."""
    agents = [Hand(0.001), Hand(0.002, joining=0.05)]
    (joined, expected), = standard_equilibria(agents)[:1]
    assert joined == (True, True)
    result = solve("standard", population(agents))
    assert result.verified and result.joined.tolist() == [True, True]
    np.testing.assert_allclose(result.contributions, expected, rtol=1e-8, atol=1e-8)


def test_equilibrium_strictly_between_the_largest_stable_set_and_nobody():
    """Built by hand with pure quadratic costs C = c2 m^2 (then m_i = M^(-3/2)/(2 c2_i) and M(S)^(5/2) =
    sum over S of 1/(2 c2_i)): R (c2 = 5e-6, J = 0) alone gives M = 1e5^(2/5) = 100; a pair Q (c2 = 1/6e5) each
    joins only with the other in (threshold ~112 on the others' total, J_Q = 0.04667); X (c2 = 5e-8, J_X =
    0.00935, threshold ~160) crowds everybody out when in (it leaves) but gains by joining {R, Q, Q}
    (M ~ 217.8).  The brute force finds two equilibria, {R} at M = 100 and nobody; the data-maximizing one is
    {R}, which the solver must find below the largest stable set {R, Q, Q}."""
    q = Hand(0.0, 1 / 6e5, joining=0.04667)
    agents = [Hand(0.0, 5e-6), q, q, Hand(0.0, 5e-8, joining=0.00935)]
    equilibria = standard_equilibria(agents)
    assert [joined for joined, _ in equilibria] == [(True, False, False, False), (False, False, False, False)]
    np.testing.assert_allclose(equilibria[0][1], [100.0, 0.0, 0.0, 0.0], rtol=1e-9)
    result = solve("standard", population(agents))
    assert result.verified and result.joined.tolist() == [True, False, False, False]
    np.testing.assert_allclose(result.contributions, [100.0, 0.0, 0.0, 0.0], rtol=1e-12)
    assert "(3 join, M = 217.79" in result.note and "agent 4 gains" in result.note
    assert "nobody joining" in result.other_equilibria and not result.unique and result.zero_is_equilibrium


# -- random populations with joining costs -----------------------------------------------------------------

def random_population(rng: np.random.Generator) -> list[Hand]:
    agents = []
    for _ in range(int(rng.integers(2, 4))):
        quadratic = rng.random() < 0.6
        c1 = float(rng.uniform(2e-4, 1e-3)) if quadratic else float(rng.uniform(5e-4, 3e-3))
        c2 = float(rng.uniform(5e-7, 5e-6)) if quadratic else 0.0
        joining = 0.0 if rng.random() < 0.3 else float(rng.uniform(0.005, 0.15))
        agents.append(Hand(round(c1, 6), round(c2, 9), round(joining, 4), float(rng.choice([1.0, 2.0]))))
    return agents


POPULATIONS = [random_population(np.random.default_rng(seed)) for seed in range(12)]


@pytest.mark.parametrize("agents", POPULATIONS)
def test_random_standard_is_the_data_maximizing_equilibrium(agents):
    """Standard FL: the solver's profile passes the grid deviation check and its total is the largest
    among the brute force's equilibria (Model §8's data-maximizing one)."""
    result = solve("standard", population(agents))
    assert result.verified
    assert deviation_gain(agents, "standard", result.contributions, result.joined) <= 1e-8
    best = max(float(m.sum()) for _, m in standard_equilibria(agents))
    assert result.total == pytest.approx(best, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("eps", [0.0, 1e-4])
@pytest.mark.parametrize("agents", POPULATIONS[:8])
def test_random_shaping_passes_the_grid_deviation_check(agents, eps):
    """Accuracy shaping: no agent gains by leaving, joining or giving any amount on the grid."""
    result = solve("shaping", population(agents), eps)
    assert result.verified
    assert deviation_gain(agents, "shaping", result.contributions, result.joined, eps) <= 1e-8


# -- issue 19's example under shaping ---------------------------------------------------------------------------

def test_issue_19_three_agents_under_shaping():
    """Three agents c = 0.001, J = 0, 0.05, 0.5 (issue 19): agents 1 and 2 give 100 + (a(M) - 0.75 - J_i)/0.001
    with M their sum, i.e. s^3 - 550 s + 4000 = 0 for s = sqrt(M) (mpmath polyroots): 189.855..., 139.855...,
    total 329.71; agent 3 (a(M) - a(100) < 0.5) works alone at 100 and shares nothing."""
    s = max(float(x.real) for x in mp.polyroots([1, 0, -550, 4000]) if abs(x.imag) < 1e-20)
    first = 100 + (0.95 - 2 / s - 0.75) * 1000
    agents = [Hand(0.001, joining=j) for j in (0.0, 0.05, 0.5)]
    result = solve("shaping", population(agents))
    assert result.joined.tolist() == [True, True, False] and result.verified
    np.testing.assert_allclose(result.contributions, [first, first - 50, 0.0], rtol=1e-12, atol=1e-12)
    assert result.total == pytest.approx(329.71, abs=0.005) and first == pytest.approx(189.855, abs=1e-3)
    assert result.lone_data[2] == pytest.approx(100.0, rel=1e-12)
    assert deviation_gain(agents, "shaping", result.contributions, result.joined) <= 1e-9


def test_denormal_quadratic_cost_gives_no_nan():
    """C = 0.0078125 m + 5e-324 m^2 (hypothesis found it): (C')^{-1} overflows in double precision.  By hand
    (Example 2.4): c_1 = 0.0078125 > c_max = a_opt^3/(27 k) = 0.00675 for a_opt 0.9, k 4, so m* = 0, u* = 0:
    standard FL gives no data and a finite total, not NaN."""
    bound = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "4"})
    result = solve("standard", Population((Agent.of(bound, "0.0078125*m + 5e-324*m**2"),)))
    assert result.total == 0.0 and result.verified
    np.testing.assert_array_equal(result.contributions, [0.0])
