"""Screening with a value of accuracy v(a) (Model §8 in the K-type program of Model §9; issue 18).

* v = a (given as text) is the old solver, bit for bit, App. B's closed forms included.
* v = alpha*a: a type's utility alpha*gamma - c*m is alpha times gamma - (c/alpha)*m, so the data menu is
  the v = a menu of the costs c/alpha and the utilities scale by alpha (derived by hand).  v = alpha*a + beta
  is refused: Model §8 asks v(0) = 0 (beta cancels in every constraint, so nothing is lost).
* v = log(1 + a) (concave, so v o a is concave: accepted for any others' data) and RealFM's convex
  (1 - a)^-2 - 1 (v o a still concave beyond m_0 here: accepted; at m_-i = 40 it needed the presolve's bound on
  utilities raised from 1 to v(a_opt) ~ 99, without which no active set was certified) against a brute force
  written here from the constraints alone: Model §9's reduction to utilities, in value units (for U the
  contributions are the greedy largest m with W(m) - c_k m >= U_k, capped by IC), every IC pair, IR and
  feasibility checked, U searched on a grid then by Nelder-Mead.  Nothing of it comes from fedsym.
* Refusals: decreasing v, v(0) != 0, and v o a not concave beyond the others' data (v = a**3 near m_0;
  accepted once the others' data pass the convex stretch); CLI exit 2, one line naming value.
* Planted and seen (then reverted): the verifier's utility ``curve(x) - c*x`` (v ignored) makes
  ``test_verifier_uses_values`` (claimed utilities in accuracy units), ``test_linear_value_is_a_cost_rescaling``
  and the accepted ``a**3`` menu fail (a positive gain from deviating: not verified).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.optimize import brentq, minimize, minimize_scalar

from fedsym.cli import main
from fedsym.core.errors import InputError, ParameterError
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import verify_equilibrium
from fedsym.paper.screening.cost_types import KTypes
from fedsym.paper.screening.k_curve import KScreeningMechanism
from fedsym.paper.screening.result import screen

pytestmark = pytest.mark.timeout(300)

A_OPT, K = 0.9, 10.0
BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
ACCURACY = ["--accuracy", "simplified", "--param", "a_opt=0.9", "--param", "k=10"]


# -- the brute force (float, scipy; Eq. (3): a(m) = max(0, a_opt - 2 sqrt(k/m))) ----------------

class BruteForce:
    """Model §9's program in value units for a value of accuracy *v* (a float function), searched over the utilities."""

    def __init__(self, costs, probs, others, v):
        self.costs, self.probs, self.others, self.v = list(costs), list(probs), others, v
        self.lone = [self._alone(c) for c in self.costs]

    def w(self, m):
        """v(a(m)), a(m) = max(0, a_opt - 2 sqrt(k/m))."""
        return self.v(max(0.0, A_OPT - 2 * math.sqrt(K / m))) if m > 0 else 0.0

    def cap(self, m):
        return self.w(m + self.others)

    def _alone(self, c):
        best = minimize_scalar(lambda m: -(self.w(m) - c * m), bounds=(4 * K / A_OPT**2, 1e6), method="bounded",
                               options={"xatol": 1e-10})
        return max(0.0, -best.fun)

    def right_root(self, c, level):
        """Largest m >= 0 with W(m) - c m >= level, None if there is none (W concave: one hump)."""
        def surplus(m):
            return self.cap(m) - c * m

        peak = minimize_scalar(lambda m: -surplus(m), bounds=(0.0, 1e6), method="bounded",
                               options={"xatol": 1e-10}).x
        if surplus(peak) < level:
            return None
        hi = peak + 1.0
        while surplus(hi) >= level:
            hi *= 2
        return brentq(lambda m: surplus(m) - level, peak, hi, xtol=1e-12)

    def menu(self, utilities):
        """Greedy contributions for utilities U (Model §9), or None when some constraint fails."""
        m = []
        for k, (c, u) in enumerate(zip(self.costs, utilities)):
            if u < self.lone[k] - 1e-12:
                return None
            top = self.right_root(c, u)
            if top is None:
                return None
            if k:
                top = min(top, (utilities[k - 1] - u) / (c - self.costs[k - 1]))
            if top < 0 or self.cap(top) - c * top < u - 1e-9:
                return None
            m.append(top)
        levels = [u + c * x for u, c, x in zip(utilities, self.costs, m)]
        for k, c in enumerate(self.costs):  # every IC pair
            for j in range(len(m)):
                if utilities[k] < levels[j] - c * m[j] - 1e-9:
                    return None
        return m

    def value(self, utilities):
        m = self.menu(utilities)
        return -math.inf if m is None else sum(p * x for p, x in zip(self.probs, m))

    def solve(self, grid=40):
        """Expected data: a grid over each U_k in [u_k^*, u_k^* + span], then Nelder-Mead from the best points."""
        span = max(self.cap(1e4) - self.lone[-1], 0.05)
        axes = [np.linspace(u, u + span, grid) for u in self.lone]
        points = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(axes), -1).T
        scores = np.array([self.value(u) for u in points])
        best = -math.inf
        for start in points[np.argsort(scores)[-5:]]:
            result = minimize(lambda u: -self.value(list(u)) if math.isfinite(self.value(list(u))) else 1e9,
                              start, method="Nelder-Mead",
                              options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 4000,
                                       "initial_simplex": [start] + [start + span / grid * e for e in np.eye(len(start))]})
            best = max(best, -result.fun, float(scores.max()))
        return best


# -- (1) v = a is the old solver ---------------------------------------------------------------

@pytest.mark.parametrize(("costs", "probs", "others"), [
    (["0.001", "0.002"], ["1/2", "1/2"], 5000),
    (["0.001", "0.003"], ["1/5", "4/5"], 50),
    (["0.0007", "0.001", "0.0024"], ["4/9", "3/9", "2/9"], 100),
])
def test_identity_value_is_the_old_menu(costs, probs, others):
    types = KTypes.of(costs, probs)
    old, new = screen(BOUND, types, others), screen(BOUND, types, others, value="a")
    assert new.menu.contributions == old.menu.contributions and new.menu.utilities == old.menu.utilities
    assert new.to_dict() == old.to_dict() and new.to_dict()["value"] == "a"
    assert (new.closed_form is None) == (len(costs) != 2) and new.verified


# -- (2) v = alpha*a: the menu of costs c/alpha --------------------------------------------------

@pytest.mark.parametrize(("alpha", "costs", "probs", "others"), [
    ("2", ("0.002", "0.004"), ("1/2", "1/2"), 5000),
    ("1/3", ("0.0003", "0.001"), ("1/5", "4/5"), 50),
    ("5", ("0.0035", "0.005", "0.012"), ("4/9", "3/9", "2/9"), 100),
])
def test_linear_value_is_a_cost_rescaling(alpha, costs, probs, others):
    from fractions import Fraction

    scale = Fraction(alpha)
    scaled = [str(Fraction(c) / scale) for c in costs]
    valued = screen(BOUND, KTypes.of(costs, probs), others, value=f"{alpha}*a")
    plain = screen(BOUND, KTypes.of(scaled, probs), others)
    assert valued.closed_form is None and valued.verified and plain.verified
    for m_v, m_p in zip(valued.menu.contributions, plain.menu.contributions):
        assert float(m_v) == pytest.approx(float(m_p), rel=1e-10, abs=1e-10)
    for u_v, u_p in zip(valued.menu.utilities, plain.menu.utilities):
        assert float(u_v) == pytest.approx(float(scale) * float(u_p), rel=1e-10, abs=1e-14)
    for g_v, g_p in zip(valued.menu.accuracies, plain.menu.accuracies):  # gamma = v^-1(nu) = nu/alpha
        assert float(g_v) == pytest.approx(float(g_p), rel=1e-12)


def test_affine_value_with_an_offset_is_refused():
    """v(0) = 0 (Model §8): alpha*a + beta is refused naming value, one line on the command line."""
    with pytest.raises(InputError, match="value"):
        screen(BOUND, KTypes.of(["0.001", "0.002"], ["1/2", "1/2"]), 50, value="2*a + 1")


# -- (3) a concave and a convex v against the brute force ------------------------------------------------------

def realfm(a):
    """RealFM's v(a) = (1 - a)^-2 - 1: convex, yet v o a is concave beyond m_0 for Eq. (3) with a_opt = 0.9, k = 10."""
    return (1 - a) ** -2 - 1


@pytest.mark.parametrize(("value", "v", "costs", "probs", "others"), [
    ("log(1 + a)", math.log1p, ("0.001", "0.002"), ("1/2", "1/2"), 50),
    ("log(1 + a)", math.log1p, ("0.001", "0.003"), ("1/5", "4/5"), 50),
    pytest.param("(1 - a)**(-2) - 1", realfm, ("0.001", "0.003"), ("1/5", "4/5"), 40, marks=pytest.mark.slow),  # ~20 s
    pytest.param("log(1 + a)", math.log1p, ("0.0007", "0.001", "0.0024"), ("4/9", "3/9", "2/9"), 100,
                 marks=pytest.mark.slow),  # ~25 s
])
def test_value_matches_brute_force(value, v, costs, probs, others):
    result = screen(BOUND, KTypes.of(costs, probs), others, value=value)
    assert result.verified and result.menu.verified
    assert max(result.menu.violations().values()) <= 1e-30 * max(1.0, float(result.menu.cap.top))
    brute = BruteForce([float(c) for c in costs], [float(eval(p)) for p in probs], others, v).solve()  # noqa: S307
    # the brute force's grid and Nelder-Mead reach the optimum to ~1e-7 relative, never above it
    assert float(result.menu.expected_data) == pytest.approx(brute, rel=1e-6)
    assert brute <= float(result.menu.expected_data) * (1 + 1e-9)


def test_log_value_pays_less_than_the_identity():
    """log(1 + a) < a: every point is worth less, so the menu asks for less data than with v = a."""
    types = KTypes.of(["0.001", "0.002"], ["1/2", "1/2"])
    assert screen(BOUND, types, 50, value="log(1+a)").menu.expected_data < screen(BOUND, types, 50).menu.expected_data


def test_verifier_uses_values():
    """Each type's claimed utility on the curve is v(gamma_k) - c_k m_k, the menu's utility in value units,
    and gamma_k = v^-1(nu_k)."""
    result = screen(BOUND, KTypes.of(["0.001", "0.002", "0.003"], ["0.3", "0.3", "0.4"]), 50, value="log(1+a)")
    for deviation, utility in zip(result.deviations, result.menu.utilities):
        assert deviation.claimed_utility == pytest.approx(float(utility), rel=1e-9, abs=1e-12)
    for gamma, level in zip(result.menu.accuracies, result.menu.levels):
        assert math.log1p(float(gamma)) == pytest.approx(float(level), rel=1e-12)
    assert result.max_deviation_gain <= result.tolerance


def test_curve_in_accuracy_units_is_refused_by_the_equilibrium_verifier():
    mechanism = KScreeningMechanism(BOUND, KTypes.of(["0.001", "0.002"], ["1/2", "1/2"]), value="log(1+a)")
    with pytest.raises(ParameterError, match="value"):
        verify_equilibrium(mechanism, [0.001, 0.002], [100.0, 50.0])


# -- (4) refusals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-a", "a + 1", "exp(800*a) - 1"])
def test_values_refused_like_an_agents(value):
    with pytest.raises(InputError, match="value"):
        screen(BOUND, KTypes.of(["0.001", "0.002"], ["1/2", "1/2"]), 50, value=value)


def test_nonconcave_value_is_refused_then_accepted_beyond_the_convex_stretch():
    types = KTypes.of(["0.001", "0.002"], ["1/2", "1/2"])
    with pytest.raises(ParameterError, match=r"^value a\*\*3: .*not concave"):
        screen(BOUND, types, 50, value="a**3")
    assert screen(BOUND, types, 5000, value="a**3").verified


@pytest.mark.parametrize("value", ["-a", "a**3"])
def test_cli_refusal_is_one_line_exit_2(capsys, value):
    status = main(["screening", *ACCURACY, "--c-low", "0.001", "--c-high", "0.002", "--p", "0.5", "--others", "50",
                   f"--value={value}"])
    err = capsys.readouterr().err
    assert status == 2 and "value" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


# -- CLI ---------------------------------------------------------------------------------------------

def test_cli_json_records_the_value(capsys):
    status = main(["screening", *ACCURACY, "--costs", "0.001,0.002,0.003", "--probs", "0.3,0.3,0.4", "--others", "50",
                   "--value", "log(1+a)", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0 and data["value"] == "log(a + 1)" and data["verified"] is True
    assert data["values"] == pytest.approx([math.log1p(g) for g in data["accuracies"]], rel=1e-12)


def test_cli_two_types_with_a_value_print_the_k_menu_and_latex(capsys):
    base = ["screening", *ACCURACY, "--c-low", "0.001", "--c-high", "0.002", "--p", "0.5", "--others", "50",
            "--value", "sqrt(a)"]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "v(a) = sqrt(a)" in out and "verified" in out and "regime" not in out
    assert main([*base, "--latex"]) == 0
    assert r"v(a) &= \sqrt{a}" in capsys.readouterr().out


def test_sweep_envelope_derivative_with_a_value():
    """sweep's envelope derivative in value units against a central difference of its own expected data."""
    from fedsym.paper.screening.k_types import sweep

    types = KTypes.of(["0.001", "0.003"], ["1/5", "4/5"])
    h = 1e-7
    rows = sweep(BOUND, types, 50, "cost", 0, ["0.001", repr(0.001 - h), repr(0.001 + h)], value="log(1+a)")
    assert all(row.verified for row in rows)
    difference = (rows[2].expected_data - rows[1].expected_data) / (2 * h)
    assert rows[0].derivative == pytest.approx(difference, rel=1e-4)
