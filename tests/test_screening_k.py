"""K-type screening (Model §9) against the two-type solver, an independent brute force, and by hand.

Expected values: K = 2 from :func:`fedsym.paper.screening.menu.optimal_menu` (App. B, Eq. (15)/(16),
a different method: regime analysis instead of a KKT active set); K = 3, 4 from
``tests/screening_k_brute.py``: two searches (over utilities with greedy contributions, and
over contributions with exact interval propagation of the utilities) written from Model §9's
constraints with Example 2.4's printed forms, sharing no code with the solver; the better of
the two must reach the solver's expected data and never beat it.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest

from fedsym import accuracy_function
from fedsym.cli import main
from fedsym.core.errors import ParameterError
from fedsym.core.solve import DPS
from fedsym.paper.screening.k_types import KTypes, optimal_menu_k, sweep
from fedsym.paper.screening.menu import optimal_menu

sys.path.insert(0, str(Path(__file__).parent))
from screening_k_brute import BruteForce, MenuSearch

pytestmark = pytest.mark.timeout(120)

BOUND = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})

#: (c_L, c_H, p, others): instances whose regimes under the two-type solver cover all four
K2_CASES = [("0.001", "0.002", "0.7", 50), ("0.0005", "0.003", "0.7", 5000), ("0.001", "0.002", "0.5", 5000),
            ("0.001", "0.003", "0.2", 50), ("0.0005", "0.002", "0.2", 300), ("0.001", "0.0015", "0.3", 2000),
            ("0.0005", "0.0016", "0.3", 5000), ("0.0015", "0.003", "0.2", 300), ("0.001", "0.0011", "0.7", 0),
            ("0.0005", "0.003", "0.2", 0), ("0.001", "0.002", "0.4", 3), ("0.0012", "0.0013", "0.5", 20000)]


def test_k2_reproduces_two_type_solver_in_every_regime():
    """Claim: K = 2 is App. B; expected: optimal_menu's m_D, m_C and R(m_C) to 1e-20 relative."""
    regimes = set()
    for c_low, c_high, p, others in K2_CASES:
        two = optimal_menu(BOUND, KTypes.two(c_low, c_high, p), others)
        regimes.add(two.regime)
        menu = optimal_menu_k(BOUND, KTypes.of([c_low, c_high], [p, str(1 - mp.mpf(p))]), others)
        assert menu.verified, (c_low, c_high, p, others)
        with mp.workdps(DPS):
            for got, want in ((menu.contributions[0], two.low_contribution),
                              (menu.contributions[1], two.high_contribution),
                              (menu.utilities[0], two.low_utility), (menu.expected_data, two.expected_data)):
                assert abs(got - want) <= mp.mpf("1e-20") * max(abs(want), 1), (c_low, c_high, p, others)
            assert (menu.pooled() == ((1, 2),)) == (abs(two.low_contribution - two.high_contribution)
                                                    <= mp.mpf("1e-25") * two.low_contribution)
    assert regimes == {"separating", "interior", "high-capped", "both-capped"}


def test_example_b4_high_type_ir_binds_low_type_no_rent():
    """Claim (Example B.4, Theorem B.3): p = 1/2, costs {c, 2c}: regime 1, IR of both types binds."""
    menu = optimal_menu_k(BOUND, KTypes.of(["0.001", "0.002"], ["0.5", "0.5"]), 5000)
    assert menu.binding()[1] == ("IR",) and "IR" in menu.binding()[0] and "cap" in menu.binding()[0]
    assert max(abs(r) for r in menu.information_rents) < 1e-25


def _check_against_brute(costs, probs, others, samples=1500, seed=0):
    menu = optimal_menu_k(BOUND, KTypes.of([str(c) for c in costs], probs), others)
    assert menu.verified
    weights = [float(mp.mpf(p)) if "/" not in p else eval_fraction(p) for p in probs]
    over_utilities, _ = BruteForce(0.9, 10.0, costs, weights, others).search(samples=samples, seed=seed)
    over_menus, _ = MenuSearch(0.9, 10.0, costs, weights, others).search(seed=seed)
    solver = float(menu.expected_data)
    assert max(over_utilities, over_menus) <= solver * (1 + 1e-9), "a brute force beat the solver"
    assert max(over_utilities, over_menus) >= solver * (1 - 2e-5), "neither brute force got near the solver"
    return menu


def eval_fraction(text):
    num, den = text.split("/")
    return int(num) / int(den)


def test_k3_separating_and_rent_matches_brute_force():
    """Claim: optimality at K = 3 (fast instance, all three types pooled with rents to two types)."""
    menu = _check_against_brute([0.00182, 0.00241, 0.00285], ["9/19", "4/19", "6/19"], 500, samples=500)
    assert menu.pooled() == ((1, 2, 3),)
    assert sum(1 for r in menu.information_rents if r > 1e-6) == 2


@pytest.mark.slow
@pytest.mark.parametrize("costs, probs, others, pattern", [
    ([0.00084, 0.00241, 0.00262], ["5/15", "2/15", "8/15"], 5000, "pool below cap"),
    ([0.00056, 0.00058, 0.00185], ["7/18", "4/18", "7/18"], 100, "pool at cap"),
    ([0.00097, 0.00177, 0.00278], ["5/22", "8/22", "9/22"], 5000, "rents to two types"),
    ([0.0005, 0.001, 0.002], ["1/3", "1/3", "1/3"], 5000, "separating"),
])
def test_k3_patterns_match_brute_force(costs, probs, others, pattern):
    """Claim: no menu found by the independent search beats the solver, and it gets within 2e-5."""
    _check_against_brute(costs, probs, others)


@pytest.mark.slow
@pytest.mark.parametrize("costs, probs, others", [
    ([0.0005, 0.001, 0.0015, 0.002], ["1/4", "1/4", "1/4", "1/4"], 5000),
    ([0.0008, 0.0012, 0.0019, 0.0026], ["1/10", "2/10", "3/10", "4/10"], 2000),
    ([0.0005, 0.0009, 0.0011, 0.003], ["4/10", "1/10", "1/10", "4/10"], 300),
])
def test_k4_matches_brute_force(costs, probs, others):
    _check_against_brute(costs, probs, others, samples=3000)


def test_planted_bad_menu_is_caught():
    """Claim: verification sees a violated IC (type 2's data raised above type 1's) and feasibility."""
    menu = optimal_menu_k(BOUND, KTypes.of(["0.001", "0.0015", "0.002"], ["0.3", "0.3", "0.4"]), 5000)
    assert menu.verified
    bad = dataclasses.replace(menu, contributions=(menu.contributions[0], menu.contributions[0] * 2,
                                                   menu.contributions[2]))
    assert not bad.verified and bad.violations()["IC"] > 0 and bad.violations()["feasibility"] > 0


@pytest.mark.parametrize("costs, probs, message", [
    (["0.002", "0.001"], ["0.5", "0.5"], "strictly increasing"),
    (["0.001", "0.001"], ["0.5", "0.5"], "strictly increasing"),
    (["0.001", "0.002"], ["0.5", "0.6"], "sum to"),
    (["0.001", "0.002"], ["1.2", "-0.2"], "must be positive"),
    (["0.001", "0.002", "0.003"], ["0.5", "0.5"], "entries"),
    (["0.001"], ["1"], "at least 2"),
    (["-0.001", "0.002"], ["0.5", "0.5"], "positive"),
])
def test_bad_types_rejected(costs, probs, message):
    with pytest.raises(ParameterError, match=message):
        KTypes.of(costs, probs)


def test_probabilities_within_1e12_accepted_and_renormalized():
    """Claim: a sum off by 1e-13 is accepted (tolerance 1e-12), the stored sum is exactly 1."""
    types = KTypes.of(["0.001", "0.002"], ["0.5", "0.4999999999999"])
    assert sum(types.probs) == 1
    with pytest.raises(ParameterError):
        KTypes.of(["0.001", "0.002"], ["0.5", "0.499999999998"])


def test_envelope_derivatives_match_sweep_differences():
    """Claim: the envelope derivatives equal central differences of the solved expected data."""
    types = KTypes.of(["0.001", "0.0015", "0.002"], ["0.3", "0.3", "0.4"])
    h = "0.000001"
    for what, index, centre in (("prob", 0, "0.3"), ("prob", 1, "0.3"), ("cost", 1, "0.0015"), ("cost", 2, "0.002")):
        lo, mid, hi = (mp.mpf(centre) - mp.mpf(h), mp.mpf(centre), mp.mpf(centre) + mp.mpf(h))
        rows = sweep(BOUND, types, 5000, what, index, [mp.nstr(v, 20) for v in (lo, mid, hi)])
        difference = (rows[2].expected_data - rows[0].expected_data) / (2 * float(h))
        assert rows[1].derivative == pytest.approx(difference, rel=1e-4, abs=1e-3)
        assert all(r.verified for r in rows)


def run_cli(capsys, *args):
    code = main(["screening", "--accuracy", "simplified", "--param", "a_opt=0.9", "--param", "k=10", *args])
    return code, capsys.readouterr()


def test_cli_k2_gives_example_b4_numbers(capsys):
    """Claim: --costs/--probs at K = 2 gives the two-type command's Example B.4 numbers."""
    code, out = run_cli(capsys, "--c-low", "0.001", "--c-high", "0.002", "--p", "0.5", "--others", "5000", "--json")
    two = json.loads(out.out)
    code_k, out_k = run_cli(capsys, "--costs", "0.001,0.002", "--probs", "0.5,0.5", "--others", "5000", "--json")
    k = json.loads(out_k.out)
    assert code == code_k == 0
    assert set(k) >= {"contributions", "accuracies", "utilities", "alone_utilities", "information_rents",
                      "binding", "pooled", "expected_data", "verified", "max_violation"}
    assert k["contributions"] == pytest.approx([two["low_contribution"], two["high_contribution"]], rel=1e-14)
    assert k["expected_data"] == pytest.approx(two["expected_data"], rel=1e-14)
    assert k["verified"] is True and k["binding"][1] == ["IR"] and k["max_deviation_gain"] <= 1e-9


@pytest.mark.parametrize("args", [
    ("--costs", "0.002,0.001", "--probs", "0.5,0.5"),
    ("--costs", "0.001,0.002", "--probs", "0.5,0.6"),
    ("--costs", "0.001,0.002", "--probs", "0.5,0.5,0"),
    ("--costs", "0.001,x", "--probs", "0.5,0.5"),
])
def test_cli_bad_input_one_line_exit_2(capsys, args):
    code, out = run_cli(capsys, *args, "--others", "5000", "--json")
    assert code == 2 and len(out.err.strip().splitlines()) == 1 and out.out == ""


def test_cli_mixing_two_type_and_k_type_flags_is_rejected(capsys):
    code, _ = run_cli(capsys, "--costs", "0.001,0.002", "--probs", "0.5,0.5", "--p", "0.5", "--others", "1")
    assert code == 2


def test_curve_best_responses_are_the_menu():
    """Claim: on the chain of line pieces under the cap each type's global best response is its point.

    Expected: the deviation search (fedsym.deviation) finds no gain above 1e-9 for K = 3 and 4,
    including an instance with pooling and one with rents to several types."""
    from fedsym.paper.screening.k_curve import KScreeningMechanism, verify_menu_k
    for costs, probs, others in (([0.00084, 0.00241, 0.00262], ["5/15", "2/15", "8/15"], 5000),
                                 ([0.00097, 0.00177, 0.00278], ["5/22", "8/22", "9/22"], 5000),
                                 ([0.0005, 0.0009, 0.0011, 0.003], ["4/10", "1/10", "1/10", "4/10"], 300)):
        types = KTypes.of([str(c) for c in costs], probs)
        mechanism = KScreeningMechanism(BOUND, types)
        menu = mechanism.menu(others)
        deviations = verify_menu_k(mechanism, menu)
        assert max(d.gain for d in deviations) <= 1e-9
        # the curve passes through every menu point
        values = mechanism.gamma_total(0, np.array([float(x) for x in menu.contributions]), others)
        assert values == pytest.approx([float(g) for g in menu.accuracies], rel=1e-12)


def test_curve_planted_wrong_point_is_caught():
    """Claim: the search sees that the top type gains by leaving a point moved off its optimum."""
    from fedsym.paper.deviation import best_deviation
    from fedsym.paper.screening.k_curve import KScreeningMechanism
    types = KTypes.of(["0.001", "0.0015", "0.002"], ["0.3", "0.3", "0.4"])
    mechanism = KScreeningMechanism(BOUND, types)
    menu = mechanism.menu(5000)
    curve = mechanism.curve_total(0, 5000.0)
    wrong = 0.5 * float(menu.contributions[0])
    deviation = best_deviation(lambda x: curve(x) - 0.001 * x, wrong, 1000.0)
    assert deviation.gain > 1e-6


def test_compositions_count_and_sum():
    """Claim: stars and bars gives C(n+K-1, K-1) distinct count vectors summing to n."""
    from math import comb

    from fedsym.paper.screening.k_many import compositions
    for n, k in ((1, 2), (4, 3), (5, 4)):
        vectors = list(compositions(n, k))
        assert len(vectors) == len(set(vectors)) == comb(n + k - 1, k - 1)
        assert all(sum(v) == n and len(v) == k and min(v) >= 0 for v in vectors)


@pytest.mark.slow
def test_n_agents_k3_verified_equilibria():
    """Claim: every count vector's equilibrium passes the global deviation search (n = 3, K = 3)."""
    from fedsym.paper.screening.k_many import expected_total_k
    result = expected_total_k(BOUND, KTypes.of(["0.001", "0.0015", "0.002"], ["0.3", "0.3", "0.4"]), 3)
    assert result.verified and len(result.rows) == 10


def test_closed_form_check_rows_pass():
    """Claim: Eq. (15) generalized, m_a = (k/s_a^2)^(1/3) - m_-i, s_a = c_a - p_a(c_{a+1}-c_a)/p_{a+1},
    and Example B.4's 3(2^(1/3) - 1) agree with the KKT solver (which never uses them)."""
    from fedsym.paper.screening.k_types import checks
    rows = checks()
    assert len(rows) == 5 and all(row.passed for row in rows)


def test_k2_random_instances_match_two_type_solver():
    """Claim: K = 2 equals App. B on 40 seeded random instances (costs, prior, m_-i); expected: optimal_menu."""
    import random
    rng = random.Random(2026)
    regimes = set()
    for _ in range(40):
        c_low = rng.choice(["0.0004", "0.0008", "0.001", "0.0015"])
        c_high = str(mp.mpf(c_low) * rng.choice([1.05, 1.3, 2, 3, 6]))
        p = rng.choice(["0.05", "0.2", "0.35", "0.5", "0.8", "0.95"])
        others = rng.choice([0, 2, 20, 200, 2000, 20000])
        two = optimal_menu(BOUND, KTypes.two(c_low, c_high, p), others)
        regimes.add(two.regime)
        menu = optimal_menu_k(BOUND, KTypes.of([c_low, c_high], [p, str(1 - mp.mpf(p))]), others)
        with mp.workdps(DPS):
            assert abs(menu.expected_data - two.expected_data) <= mp.mpf("1e-20") * two.expected_data
            assert abs(menu.contributions[1] - two.high_contribution) <= mp.mpf("1e-20") * max(two.high_contribution, 1)
        assert menu.verified
    assert len(regimes) >= 3


def test_cli_k3_verified_and_equal_to_brute_force(capsys):
    """Claim (issue 11, done-when): a K = 3 call returns a verified menu whose expected data the
    independent brute force reaches but never beats."""
    code, out = run_cli(capsys, "--costs", "0.00182,0.00241,0.00285", "--probs", "9/19,4/19,6/19",
                        "--others", "500", "--json")
    data = json.loads(out.out)
    assert code == 0 and data["verified"] is True and data["max_violation"] <= 1e-25
    best, _ = BruteForce(0.9, 10.0, [0.00182, 0.00241, 0.00285], [9 / 19, 4 / 19, 6 / 19], 500).search(samples=500)
    assert best <= data["expected_data"] * (1 + 1e-9) and best >= data["expected_data"] * (1 - 2e-5)
    assert data["pooled"] == [[1, 2, 3]] and data["binding"][2][0] == "IR"


def test_cli_k_type_text_output(capsys):
    code, out = run_cli(capsys, "--costs", "0.001,0.0015,0.002", "--probs", "0.3,0.3,0.4", "--others", "5000")
    assert code == 0 and "expected data" in out.out and "verified" in out.out and "NOT" not in out.out


@pytest.mark.slow
def test_k2_generalization_bound_matches_two_type_solver():
    """Claim: K = 2 equals App. B also for Eq. (2) (numeric m*, no closed form)."""
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"})
    for c_low, c_high, p, others in (("0.0005", "0.001", "0.3", 100), ("0.0005", "0.001", "0.1", 20),
                                     ("0.0005", "0.002", "0.5", 5000)):
        two = optimal_menu(bound, KTypes.two(c_low, c_high, p), others)
        menu = optimal_menu_k(bound, KTypes.of([c_low, c_high], [p, str(1 - mp.mpf(p))]), others)
        assert menu.verified
        with mp.workdps(DPS):
            assert abs(menu.expected_data - two.expected_data) <= mp.mpf("1e-20") * two.expected_data


def test_latex_compiles_fragment_markup():
    """Claim: the K-type LaTeX is an align* block with every type's line and no raw '->'."""
    menu = optimal_menu_k(BOUND, KTypes.of(["0.001", "0.0015", "0.002"], ["0.3", "0.3", "0.4"]), 5000)
    text = menu.to_latex()
    assert text.count("m_{") == 3 and "->" not in text and r"\to" in text and "verified" in text


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_random_k3_k4_instances_match_brute_force_in_every_pattern():
    """Claim: on seeded random instances (K = 3, 4) the independent search never beats the solver and
    gets within 2e-5; the instances include separating menus, pooling and rents to several types."""
    import random
    rng = random.Random(404)
    patterns = set()
    for trial in range(8):
        size = 3 if trial % 2 else 4
        costs = sorted({round(rng.uniform(0.0005, 0.003), 5) for _ in range(size)})
        if len(costs) < size:
            continue
        weights = [rng.randint(1, 9) for _ in costs]
        probs = [f"{w}/{sum(weights)}" for w in weights]
        menu = _check_against_brute(costs, probs, rng.choice([100, 500, 2000, 5000]), samples=1000, seed=trial)
        rents = sum(1 for r in menu.information_rents if r > 1e-9)
        patterns.add("pooling" if menu.pooled() else "separating")
        if rents >= 2:
            patterns.add("rents to several types")
    assert patterns == {"pooling", "separating", "rents to several types"}
