"""Independent brute force for K-type screening (MODEL.md §9), written from the constraints alone.

Accuracy: Eq. (3), ``a(m) = max(0, a_opt - 2 sqrt(k/m))``, with Example 2.4's printed
forms ``m* = (k/c^2)^(1/3)``, ``u* = a_opt - 3 (k c)^(1/3)`` (zero above ``c_max = a_opt^3/(27k)``).
Search over the utilities ``U``: for each ``U`` the contributions are MODEL.md §9's greedy
choice (largest ``m`` with ``A(m) - c_k m >= U_k``, capped by ``(U_{k-1} - U_k)/(c_k - c_{k-1})``),
and the menu counts only if it passes every IC pair, IR and feasibility.  Random starts,
then a shrinking pattern search.  Nothing comes from fedsym.
"""

from __future__ import annotations

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
