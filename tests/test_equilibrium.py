"""Equilibria (Model §3-5): Theorem 3.4, Remark 3.5, Theorem 4.2 vs the general solver, Remark 4.4,
Theorem 4.6, Remark 4.3, verification, the command line.

Expected values by hand from the model (docs/model.rst) with Eq. (3), a_opt = 0.95, k = 1:
m*(c) = c^(-2/3) (m*(0.001) = 100), u*(c) = 0.95 - 3 c^(1/3), c_max = 0.95^3/27 ~ 0.03175.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fedsym.cli import main
from fedsym.core.errors import ParameterError
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.equilibrium import (
    best_response_equilibrium,
    shaping_equilibrium,
    solve,
    standard_equilibrium,
    verify_equilibrium,
)
from fedsym.paper.mechanisms import FunctionMechanism, PartialSharing, StandardMechanism, accuracy_shaping

A = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
C_MAX = 0.95**3 / 27


def m_star(c: float) -> float:
    """Example 2.4 by hand: (k/c^2)^(1/3), 0 at or above c_max."""
    return c ** (-2 / 3) if c < C_MAX else 0.0


def u_star(c: float) -> float:
    """Example 2.4 by hand: a_opt - 3 (k c)^(1/3), 0 at or above c_max."""
    return 0.95 - 3 * c ** (1 / 3) if c < C_MAX else 0.0


# -- Theorem 3.4 / Remark 3.5 ------------------------------------------------------------

def test_theorem_3_4_only_the_cheapest_agent_contributes() -> None:
    eq = standard_equilibrium(A, [0.002, 0.001, 0.004])
    assert eq.contributions == pytest.approx([0, 100, 0], rel=1e-14)
    assert eq.total == pytest.approx(100, rel=1e-14)
    assert eq.unique and eq.verified and not eq.zero_is_equilibrium
    assert eq.accuracies == pytest.approx([0.75] * 3, rel=1e-14)  # a(100) = 0.95 - 0.2


def test_theorem_3_4_ties_report_one_equilibrium_and_non_uniqueness() -> None:
    eq = standard_equilibrium(A, [0.001, 0.003, 0.001])
    assert eq.contributions == pytest.approx([100, 0, 0], rel=1e-14)
    assert not eq.unique and "not unique" in eq.note
    assert eq.verified
    other_split = verify_equilibrium(StandardMechanism(A), eq.costs, [30.0, 0.0, 70.0])
    assert other_split.verified  # every split among the tied agents is an equilibrium (Model §4)


def test_remark_3_5_everyone_priced_out_means_no_data() -> None:
    eq = standard_equilibrium(A, [0.05, 0.1])
    assert eq.total == 0 and np.all(eq.contributions == 0)
    assert eq.unique and eq.zero_is_equilibrium and eq.verified and "Remark 3.5" in eq.note


def test_theorem_3_4_matches_best_response_dynamics() -> None:
    """Independent: Gauss-Seidel best responses from zero find the same free-riding profile."""
    costs = [0.003, 0.0015, 0.002]
    general = best_response_equilibrium(StandardMechanism(A), costs)
    assert general.contributions == pytest.approx([0, m_star(0.0015), 0], rel=1e-6, abs=1e-6)
    assert standard_equilibrium(A, costs).total == pytest.approx(general.total, rel=1e-6)


# -- Theorem 4.2 ---------------------------------------------------------------------------

def test_done_when_two_agents_contribute_200_each() -> None:
    """Example 4.5 with n = 2: t_2 = 2 and m* = 100, so each agent gives 200."""
    eq = shaping_equilibrium(A, [0.001, 0.001])
    assert eq.contributions.tolist() == [200.0, 200.0]
    assert eq.verified and eq.max_deviation_gain <= 1e-12
    assert eq.accuracies == pytest.approx([0.85, 0.85], rel=1e-15)  # a(400) = 0.95 - 0.1


@pytest.mark.parametrize("costs", [[0.001, 0.002], [0.001, 0.002, 0.05], [0.0005, 0.0005, 0.003],
                                   [0.05, 0.06, 0.04]])
def test_theorem_4_2_matches_best_response_dynamics(costs: list[float]) -> None:
    """Independent: with eps > 0 the best response is unique; best-response dynamics on Eq. (13) agree.

    The dynamics start from 1/(2 c_i) each, above the equilibrium: from small profiles they may settle on the
    all-zero equilibrium when everyone is priced out alone (Remark 4.4, last case)."""
    eps = 1e-4
    structured = shaping_equilibrium(A, costs, eps)
    general = best_response_equilibrium(accuracy_shaping(A, costs, eps), costs, start=0.5 / np.array(costs))
    assert structured.verified and general.verified
    assert general.contributions == pytest.approx(structured.contributions, rel=1e-7)


def test_theorem_4_2_limit_eps_to_zero() -> None:
    """As eps -> 0 the contributions tend to the eps = 0 values (the limit the paper reports)."""
    costs = [0.001, 0.002, 0.004]
    limit = shaping_equilibrium(A, costs, verify=False).contributions
    gaps = [np.max(np.abs(shaping_equilibrium(A, costs, e, verify=False).contributions - limit)) for e in (1e-4, 1e-7, 1e-10)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-4


def test_theorem_4_2_with_one_agent_is_the_lone_optimum() -> None:
    """t_1 = 1: alone, shaping changes nothing (Example 4.5)."""
    assert shaping_equilibrium(A, [0.001]).contributions[0] == pytest.approx(100, rel=1e-14)


def test_generalization_bound_numeric_path_matches_best_response() -> None:
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"})
    costs = [0.0005, 0.001]
    structured = shaping_equilibrium(bound, costs, 1e-5)
    general = best_response_equilibrium(accuracy_shaping(bound, costs, 1e-5), costs)
    assert structured.verified and general.contributions == pytest.approx(structured.contributions, rel=1e-7)


# -- Remarks 4.3, 4.4 and Theorem 4.6 --------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(1e-4, 0.06), min_size=1, max_size=6))
def test_theorem_4_6_equilibrium_utility_equals_lone_utility(costs: list[float]) -> None:
    """Theorem 4.6: U_i = u_i^* exactly (eps -> 0), and contributions lie in [m*, m_max = 3 m*] (Remark 4.3)."""
    eq = shaping_equilibrium(A, costs, verify=False)
    if eq.total == 0:  # Remark 4.4 without a positive root: nobody contributes
        assert all(c >= C_MAX for c in costs)
        return
    assert eq.utilities == pytest.approx([u_star(c) for c in costs], rel=1e-11, abs=1e-13)
    for c, m in zip(costs, eq.contributions):
        if c < C_MAX:
            assert m_star(c) * (1 - 1e-12) <= m <= 3 * m_star(c)
    order = np.argsort(costs)
    assert np.all(np.diff(eq.utilities[order]) <= 1e-12)  # lower cost, higher utility


def test_remark_4_4_existence_threshold_on_n_both_sides() -> None:
    """Equal costs c = 0.05 >= c_max: a positive root iff c/n < c_max, i.e. n > 0.05/c_max ~ 1.57."""
    one = shaping_equilibrium(A, [0.05])
    assert one.total == 0 and one.zero_is_equilibrium and one.verified and "no positive" in one.note
    two = shaping_equilibrium(A, [0.05, 0.05])
    assert two.total > 0 and two.zero_is_equilibrium and two.verified and "no data at all is one too" in two.note
    total = two.total  # a(M) = c M / n by hand
    assert 0.95 - 2 / np.sqrt(total) == pytest.approx(0.05 * total / 2, rel=1e-13)
    zero = verify_equilibrium(accuracy_shaping(A, [0.05, 0.05]), [0.05, 0.05], [0.0, 0.0])
    assert zero.verified  # Remark 4.4: zero stays an equilibrium


def test_remark_4_4_unequal_costs_threshold() -> None:
    """Unequal costs: positive root iff 1/sum(1/c_i) < c_max: 1/(20 + 5) = 0.04 > c_max; 1/(20 + 16.7) < c_max."""
    assert shaping_equilibrium(A, [0.05, 0.2], verify=False).total == 0
    assert shaping_equilibrium(A, [0.05, 0.06], verify=False).total > 0


def test_remark_4_4_large_n_bound() -> None:
    """Example 4.5: M >= n a_opt/(2c) once n >= 32 c k / a_opt^3 (c = 0.05: n >= 1.87)."""
    for n in (2, 5, 50):
        assert shaping_equilibrium(A, [0.05] * n, verify=False).total >= n * 0.95 / (2 * 0.05)


# -- verification and the general solver -----------------------------------------------------

def test_verification_finds_a_profitable_deviation() -> None:
    """Under Eq. (10), half of m* is not an equilibrium: the agent gains by going to 100."""
    result = verify_equilibrium(StandardMechanism(A), [0.001, 0.002], [50.0, 0.0])
    assert not result.verified and result.worst_agent == 0
    assert result.best_deviation == pytest.approx(100, rel=1e-4)
    gain = (0.75 - 0.1) - (0.95 - 2 / np.sqrt(50) - 0.05)
    assert result.max_deviation_gain == pytest.approx(gain, rel=1e-8)


def test_best_response_follows_the_jump_of_theorem_3_3() -> None:
    """lambda = 0 (no sharing), c = 0.9 c_max: u(m) is 0, then negative, then positive at m*; the global
    search jumps from 0 to m* (Fig. 6), which a local search from 0 would miss."""
    c = 0.9 * C_MAX
    eq = best_response_equilibrium(PartialSharing(A, 0.0), [c])
    assert eq.contributions[0] == pytest.approx(m_star(c), rel=1e-6)
    assert eq.utilities[0] == pytest.approx(u_star(c), abs=1e-12) and eq.verified


def test_large_n_verifies_distinct_costs_or_a_stated_sample() -> None:
    equal = shaping_equilibrium(A, np.full(10_000, 0.001))
    assert equal.verified and equal.verification.checked == 1 and equal.verification.scope.startswith("all 10000 agents: 1 distinct situation")
    many = shaping_equilibrium(A, np.geomspace(1e-4, 1e-2, 3000), verify_all_up_to=50, sample=20)
    assert many.verified and many.verification.scope == "random sample of 20 of 3000 distinct situations (3000 agents)"
    assert many.residual <= 1e-12


def test_a_user_mechanism_is_solved_and_verified_agent_by_agent() -> None:
    """A user's Eq. (10) written as a plain function: same equilibrium as Theorem 3.4, every agent searched."""
    user = FunctionMechanism(A, lambda i, m_i, profile: A.a_np(m_i + profile.sum() - profile[i]), "user standard")
    eq = best_response_equilibrium(user, [0.002, 0.001])
    assert eq.contributions == pytest.approx([0, 100], rel=1e-6, abs=1e-6)
    assert eq.verified and eq.verification.scope == "all 2 agents" and eq.verification.checked == 2


def test_bad_inputs_refused() -> None:
    with pytest.raises(ParameterError, match="empty"):
        shaping_equilibrium(A, [])
    with pytest.raises(ParameterError, match="cost #1"):
        standard_equilibrium(A, [0])
    with pytest.raises(ParameterError, match="eps"):
        shaping_equilibrium(A, [0.001], -0.1)
    with pytest.raises(ParameterError, match="shaping mechanism only"):
        solve("standard", (A, [0.001]), 0.1)
    with pytest.raises(ParameterError, match="unknown mechanism"):
        solve("lottery", (A, [0.001]))


# -- command line ------------------------------------------------------------------------------

ARGS = ["equilibrium", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1"]


def test_cli_done_when(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ARGS + ["--mechanism", "shaping", "--costs", "0.001,0.001", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["contributions"] == [200.0, 200.0] and data["verified"] is True
    assert {"contributions", "total", "accuracies", "utilities", "verified", "max_deviation_gain"} <= set(data)


def test_cli_summary_and_costs_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "costs.txt"
    path.write_text("# costs\n0.001\n\n0.002\n0.001\n")
    assert main(ARGS + ["--mechanism", "standard", "--costs-file", str(path), "--summary", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "contributions" not in data and data["total"] == pytest.approx(100) and data["unique"] is False


@pytest.mark.parametrize("content, message", [("0.001\nabc\n", "line 2"), ("0.001\n\n-3\n", "line 3"),
                                              ("\n# nothing\n", "no costs")])
def test_cli_bad_costs_file(tmp_path, capsys: pytest.CaptureFixture[str], content: str, message: str) -> None:
    path = tmp_path / "costs.txt"
    path.write_text(content)
    assert main(ARGS + ["--mechanism", "shaping", "--costs-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("extra, message", [(["--costs", ""], "empty"), (["--costs", "0.001,0"], "cost #2"),
                                            (["--costs", "0.001", "--eps", "-1"], "eps"),
                                            (["--costs-file", "/nonexistent/costs"], "cannot be read")])
def test_cli_bad_inputs(capsys: pytest.CaptureFixture[str], extra: list[str], message: str) -> None:
    assert main(ARGS + ["--mechanism", "shaping"] + extra) == 2
    assert message in capsys.readouterr().err
