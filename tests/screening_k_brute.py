"""Independent brute force for K-type screening (Model §9), written from the constraints alone.

Accuracy: Eq. (3), ``a(m) = max(0, a_opt - 2 sqrt(k/m))``, with Example 2.4's printed
forms ``m* = (k/c^2)^(1/3)``, ``u* = a_opt - 3 (k c)^(1/3)`` (zero above ``c_max = a_opt^3/(27k)``).
Search over the utilities ``U``: for each ``U`` the contributions are Model §9's greedy
choice (largest ``m`` with ``A(m) - c_k m >= U_k``, capped by ``(U_{k-1} - U_k)/(c_k - c_{k-1})``),
and the menu counts only if it passes every IC pair, IR and feasibility.  Random starts,
then a shrinking pattern search.  Nothing comes from fedsym.
"""

from __future__ import annotations

import itertools
import math
import random

from scipy.optimize import brentq, minimize


class BruteForce:
    def __init__(self, a_opt, k, costs, probs, others):
        self.a_opt, self.k, self.costs, self.probs, self.others = a_opt, k, list(costs), list(probs), others
        self.lone = [self._lone(c) for c in self.costs]

    def _lone(self, c):
        if c >= self.a_opt**3 / (27 * self.k):
            return 0.0, 0.0
        return (self.k / c**2) ** (1 / 3), self.a_opt - 3 * (self.k * c) ** (1 / 3)

    def cap(self, m):
        x = m + self.others
        return max(0.0, self.a_opt - 2 * math.sqrt(self.k / x)) if x > 0 else 0.0

    def peak(self, c):
        """argmax of A(m) - c m over m >= 0: A'(m) = sqrt(k) x^(-3/2) = c at x = (k/c^2)^(1/3)."""
        return max(0.0, (self.k / c**2) ** (1 / 3) - self.others)

    def right_root(self, c, level):
        top = self.peak(c)
        if self.cap(top) - c * top < level:
            return None
        hi = (self.a_opt - level) / c + 1.0
        if self.cap(top) - c * top - level <= 0:
            return top
        return brentq(lambda m: self.cap(m) - c * m - level, top, hi, xtol=1e-13, rtol=1e-15)

    def menu(self, utilities):
        contributions = []
        for i, (c, u) in enumerate(zip(self.costs, utilities)):
            m = self.right_root(c, u)
            if m is None:
                return None
            if i:
                m = min(m, (utilities[i - 1] - u) / (c - self.costs[i - 1]))
            contributions.append(max(m, 0.0))
        return contributions

    def violation(self, contributions, utilities):
        acc = [u + c * m for u, c, m in zip(utilities, self.costs, contributions)]
        worst = 0.0
        for i, c in enumerate(self.costs):
            worst = max(worst, self.lone[i][1] - utilities[i], acc[i] - self.cap(contributions[i]))
            for j in range(len(self.costs)):
                worst = max(worst, acc[j] - c * contributions[j] - utilities[i])
        return worst

    def value(self, utilities, tol=1e-12):
        contributions = self.menu(utilities)
        if contributions is None or self.violation(contributions, utilities) > tol:
            return -math.inf
        return sum(p * m for p, m in zip(self.probs, contributions))

    def search(self, samples=3000, seed=0, rounds=40):
        rng = random.Random(seed)
        lows = [u for _, u in self.lone]
        highs = [self.cap(self.peak(c)) - c * self.peak(c) for c in self.costs]
        best_u = list(lows)
        best = self.value(best_u)
        for _ in range(samples):
            u = sorted((rng.uniform(lo, hi) for lo, hi in zip(lows, highs)), reverse=True)
            u = [max(x, lo) for x, lo in zip(u, lows)]
            v = self.value(u)
            if v > best:
                best, best_u = v, u
        width = 0.02
        for _ in range(rounds):
            simplex = [best_u] + [[x + width * rng.uniform(-1, 1) for x in best_u] for _ in best_u]
            result = minimize(lambda u: -self.value(list(u)), best_u, method="Nelder-Mead",
                              options={"xatol": 1e-14, "fatol": 1e-13, "maxfev": 4000, "adaptive": True,
                                       "initial_simplex": simplex})
            if -result.fun > best:
                best, best_u = -result.fun, list(result.x)
            width /= 2
        return best, best_u


class MenuSearch(BruteForce):
    """A second search, over contributions: for ``m_2 >= ... >= m_K`` the utilities exist iff the
    interval propagation of Model §9's chain of constraints stays non-empty
    (``U_k`` in ``[u_k*, A(m_k) - c_k m_k]`` and ``U_k - U_{k+1}`` in ``[d_k m_{k+1}, d_k m_k]``;
    on a path, intervals propagate exactly); ``m_1`` is the largest feasible value (grid, then
    bisection).  Random starts, a pattern search over all 3^(K-1) - 1 compass and diagonal directions,
    then Nelder-Mead restarts.
    """

    def feasible(self, contributions, tol=1e-12):
        size = len(self.costs)
        if any(contributions[i] < contributions[i + 1] for i in range(size - 1)) or contributions[-1] < 0:
            return False
        lo, hi = self.lone[-1][1], self.cap(contributions[-1]) - self.costs[-1] * contributions[-1]
        if lo > hi + tol:
            return False
        for k in range(size - 2, -1, -1):
            gap = self.costs[k + 1] - self.costs[k]
            lo = max(self.lone[k][1], lo + gap * contributions[k + 1])
            hi = min(self.cap(contributions[k]) - self.costs[k] * contributions[k], hi + gap * contributions[k])
            if lo > hi + tol:
                return False
        return True

    def top(self, rest):
        """Largest feasible m_1 >= m_2 given the others, or None."""
        upper = self.a_opt / self.costs[0]
        grid = [rest[0] + (upper - rest[0]) * i / 80 for i in range(81)]
        feasible = [x for x in grid if self.feasible([x, *rest])]
        if not feasible:
            return None
        lo = max(feasible)
        hi = min((x for x in grid if x > lo), default=lo)
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self.feasible([mid, *rest]) else (lo, mid)
        return lo

    def menu_value(self, rest):
        first = self.top(rest)
        if first is None:
            return -math.inf
        return self.probs[0] * first + sum(p * m for p, m in zip(self.probs[1:], rest))

    def search(self, samples=300, seed=0, rounds=50):
        rng = random.Random(seed)
        size = len(self.costs)
        scale = self.right_root(self.costs[0], self.lone[0][1]) or 1.0
        best, best_m = -math.inf, [0.0] * (size - 1)
        for _ in range(samples):
            rest = sorted((rng.uniform(0, scale) for _ in range(size - 1)), reverse=True)
            value = self.menu_value(rest)
            if value > best:
                best, best_m = value, rest
        step = scale / 20
        directions = [d for d in itertools.product((-1, 0, 1), repeat=size - 1) if any(d)]
        for _ in range(rounds):
            improved = False
            for direction in directions:
                rest = [x + d * step for x, d in zip(best_m, direction)]
                value = self.menu_value(rest)
                if value > best:
                    best, best_m, improved = value, rest, True
            if not improved:
                step /= 2
        width = scale / 100
        for _ in range(8):
            simplex = [best_m] + [[x + width * rng.uniform(-1, 1) for x in best_m] for _ in best_m]
            result = minimize(lambda r: -self.menu_value(list(r)), best_m, method="Nelder-Mead",
                              options={"xatol": 1e-12, "fatol": 1e-12, "maxfev": 2000, "adaptive": True,
                                       "initial_simplex": simplex})
            if -result.fun > best:
                best, best_m = -result.fun, list(result.x)
            width /= 3
        return best, best_m
