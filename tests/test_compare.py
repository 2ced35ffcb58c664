"""Mechanisms compared on one population (Model §11, issue 22): fedsym.paper.compare and `fedsym compare`.

Expected values are derived by hand from Model §4/§5/§11 for Eq. (3) (``simplified``) or by a separately
written brute force (scipy's Nelder-Mead on the contributions for the planner); none is copied from the code.
"""

from __future__ import annotations

import json

import mpmath as mp
import numpy as np
import pytest
from scipy.optimize import minimize

from fedsym.cli import main
from fedsym.core.errors import ParameterError
from fedsym.model.accuracy import accuracy_function
from fedsym.model.agent import Agent, Population
from fedsym.paper.agents_that_differ.cohort import Cohort
from fedsym.paper.compare import REGISTRY, compare, least_cost

A_OPT, K, C, N = 0.95, 1.0, 0.001, 10


def _bound(a_opt: str = "0.95"):
    return accuracy_function("simplified").bind({"a_opt": a_opt, "k": "1"})


@pytest.fixture(scope="module")
def ten_equal(tmp_path_factory):
    """`fedsym compare --agents FILE --json` on the paper's 10 equal agents (issue 22's done-when check)."""
    path = tmp_path_factory.mktemp("agents") / "ten.json"
    path.write_text(json.dumps([{"accuracy": "simplified", "params": {"a_opt": A_OPT, "k": K}, "cost": C,
                                 "count": N}]))
    return str(path)


def test_done_when_ten_equal_agents(ten_equal, capsys):
    assert main(["compare", "--agents", ten_equal, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"mechanisms", "benchmarks", "price_of_anarchy"}
    rows = {row["name"]: row for row in data["mechanisms"]}
    for row in rows.values():
        assert set(row) == {"name", "contributions", "total", "accuracies", "utilities", "welfare", "ir_slack",
                            "verified", "joined"}
        assert row["verified"]
    assert set(data["benchmarks"]) == {"alone", "planner", "first_best"}
    # Theorem 2.3 for Eq. (3): the lone m* = (k/c^2)^(1/3) = 100; standard FL collects exactly that (Theorem 3.4)
    m_star = (K / C**2) ** (1 / 3)
    assert rows["standard"]["total"] == pytest.approx(m_star, rel=1e-12)
    # Example 4.5 / Eq. (13): total n t_n m*, t_n the root in [1, 3) of (3 - t)^2 t = 4/n (mpmath's polyroots)
    t_n = max(float(r.real) for r in mp.polyroots([1, -6, 9, -4 / N]) if 1 <= r.real < 3 and abs(r.imag) < 1e-20)
    assert rows["shaping"]["total"] == pytest.approx(N * t_n * m_star, rel=1e-10)
    # planner: n a'(M) = c with a'(M) = sqrt(k) M^(-3/2): M_P = (n^2 k / c^2)^(1/3)
    m_planner = (N**2 * K / C**2) ** (1 / 3)
    assert data["benchmarks"]["planner"]["total"] == pytest.approx(m_planner, rel=1e-12)
    assert N * np.sqrt(K) * m_planner**-1.5 == pytest.approx(C, rel=1e-12)
    # price of anarchy of standard FL (Model §11 closed forms for Eq. (3), written out by hand):
    # W_P = a_opt n - 3 (ck)^(1/3) n^(2/3), W_S = n (a_opt - 2 (ck)^(1/3)) - (ck)^(1/3), M_P/M_S = n^(2/3)
    ck = (C * K) ** (1 / 3)
    w_p, w_s = A_OPT * N - 3 * ck * N ** (2 / 3), N * (A_OPT - 2 * ck) - ck
    assert data["benchmarks"]["planner"]["welfare"] == pytest.approx(w_p, rel=1e-12)
    assert rows["standard"]["welfare"] == pytest.approx(w_s, rel=1e-12)
    assert data["price_of_anarchy"]["standard"]["welfare"] == pytest.approx(w_p / w_s, rel=1e-12)
    assert data["price_of_anarchy"]["standard"]["data"] == pytest.approx(N ** (2 / 3), rel=1e-12)
    # alone: n m*, n u* with u* = a(m*) - c m* = 0.95 - 2/10 - 0.1; first best = shaping at eps = 0, W = n u*
    u_star = A_OPT - 2 * np.sqrt(K / m_star) - C * m_star
    assert data["benchmarks"]["alone"] == pytest.approx({"total": N * m_star, "welfare": N * u_star}, rel=1e-12)
    assert data["benchmarks"]["first_best"]["total"] == pytest.approx(N * t_n * m_star, rel=1e-10)
    assert data["benchmarks"]["first_best"]["welfare"] == pytest.approx(N * u_star, rel=1e-12)
    # Theorem 4.6: shaping's IR binds for everyone; standard FL's free riders gain a(m*) - u* ... the contributor 0
    assert rows["shaping"]["ir_slack"] == 0.0 and rows["standard"]["ir_slack"] == 0.0
    # one cost type: screening's menu is the known-cost point
    assert rows["screening"]["total"] == pytest.approx(rows["shaping"]["total"], rel=1e-12)


def test_text_and_latex_output(ten_equal, capsys):
    assert main(["compare", "--agents", ten_equal, "--mechanisms", "standard,shaping"]) == 0
    out = capsys.readouterr().out
    assert "standard" in out and "[planner]" in out and "alone " not in out.split("[alone]")[0]
    assert main(["compare", "--agents", ten_equal, "--mechanisms", "standard", "--latex"]) == 0
    assert r"\begin{tabular}" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--mechanisms", "nope"], "unknown mechanism 'nope'"),
    (["--rho", "1.5"], "rho 1.5 must be in [0, 1]"),
    (["--rho", "x"], "rho 'x' is not a number"),
    (["--eps", "-1"], "eps"),
])
def test_bad_input_is_one_line_exit_2(ten_equal, capsys, argv, message):
    assert main(["compare", "--agents", ten_equal, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_screening_named_on_agents_that_differ_is_refused(tmp_path, capsys):
    path = tmp_path / "differ.json"
    path.write_text(json.dumps([{"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.001*m",
                                 "value": "2*a", "count": 2}]))
    assert main(["compare", "--agents", str(path), "--mechanisms", "screening"]) == 2
    assert "screening needs the paper's agents" in capsys.readouterr().err
    assert main(["compare", "--agents", str(path), "--mechanisms", "standard", "shaping", "--json"]) == 0


def _brute_force_planner(agents: list[tuple[float, float, float]]) -> tuple[float, float]:
    """max over (m_1, ..., m_n) of sum_i p_i a(M) - sum_i (c1_i m_i + c2_i m_i^2), a of Eq. (3), by Nelder-Mead
    from the best point of a coarse grid (no least-cost split, no 1-D reduction)."""
    def welfare(m: np.ndarray) -> float:
        m = np.abs(m)
        total = m.sum()
        a = A_OPT - 2 * np.sqrt(K / total) if total > 4 * K / A_OPT**2 else 0.0
        return sum(p * a - c1 * x - c2 * x * x for (p, c1, c2), x in zip(agents, m))

    grid = np.geomspace(1, 1e4, 25)
    start = max(((x, y) for x in grid for y in grid), key=lambda z: welfare(np.array(z)))
    best = minimize(lambda m: -welfare(m), np.array(start), method="Nelder-Mead",
                    options={"xatol": 1e-9, "fatol": 1e-14, "maxiter": 20000})
    return float(np.abs(best.x).sum()), -float(best.fun)


def test_planner_of_agents_that_differ_matches_brute_force():
    bound = _bound()
    agents = [(1.0, 0.001, 1e-6), (2.0, 0.0005, 2e-6)]
    population = Population(tuple(Agent.of(bound, f"{c1}*m + {c2}*m**2", 0, f"{p}*a") for p, c1, c2 in agents))
    result = compare(population, ["alone", "standard", "shaping"])
    total, welfare = _brute_force_planner(agents)
    assert float(result.planner.welfare) == pytest.approx(welfare, rel=1e-9)
    assert float(result.planner.total) == pytest.approx(total, rel=1e-4)
    # first-order condition of Model §11 at the planner: C_i'(m_i) = sum_j w_j'(M) = (1 + 2) sqrt(k) M^(-3/2)
    price = 3 * np.sqrt(K) * float(result.planner.total) ** -1.5
    split = [(price - c1) / (2 * c2) for _, c1, c2 in agents]
    assert sum(split) == pytest.approx(float(result.planner.total), rel=1e-6)
    assert all(float(result.planner.welfare) >= row.welfare for row in result.rows)


def test_least_cost_split_by_hand():
    # C_1 = m + m^2, C_2 = 2 m^2: at M = 3 the price solves (l - 1)/2 + l/4 = 3 -> l = 14/3,
    # m = (11/6, 7/6), cost 11/6 + 121/36 + 2 * 49/36 = 66/36 + 219/36 = 285/36
    bound = _bound()
    cohort = Cohort.of(Population((Agent.of(bound, "m + m**2"), Agent.of(bound, "2*m**2"))))
    cost = least_cost(cohort, np.arange(2), np.array([3.0, 0.5, 0.2]))
    # M = 0.5: (l - 1)/2 + l/4 = 1/2 -> l = 4/3, m = (1/6, 1/3), cost 1/6 + 1/36 + 2/9 = 15/36;
    # M = 0.2: agent 2 alone reaches only the price 0.8 < C_1'(0) = 1, so m = (0, 0.2), cost 2 * 0.04
    assert cost == pytest.approx([285 / 36, 15 / 36, 0.08], rel=1e-12)
    # a linear agent caps the price: with C_3 = 0.5 m, everything beyond agent 2's 0.125 (price 0.5) is agent 3's
    cohort = Cohort.of(Population((Agent.of(bound, "2*m**2"), Agent.of(bound, "0.5*m"))))
    assert least_cost(cohort, np.arange(2), np.array([1.0]))[0] == pytest.approx(2 * 0.125**2 + 0.5 * 0.875, rel=1e-12)


def test_linear_costs_that_differ_first_best_and_screening():
    # Theorem 4.6: shaping at eps = 0 leaves every agent u_i*, so the first best's welfare is the alone welfare
    bound = _bound()
    population = Population((Agent.paper(bound, "0.001", count=2), Agent.paper(bound, "0.002")))
    result = compare(population)
    assert float(result.first_best.welfare) == pytest.approx(float(result.alone.welfare), rel=1e-12)
    shaping, screening = result.row("shaping"), result.row("screening")
    # private costs cannot collect more than known costs (the known-cost menu is feasible for the screener's
    # program only when costs are known), and IC/IR leave every type at least u_k* (rents >= 0)
    assert screening.total <= shaping.total * (1 + 1e-12)
    assert screening.ir_slack >= 0 and screening.verified
    # planner for linear costs: all data from the cheapest agent, n a'(M) = c_min: M_P = (n^2 k / c_min^2)^(1/3)
    assert float(result.planner.total) == pytest.approx((9 * K / 0.001**2) ** (1 / 3), rel=1e-12)


def test_registry_parameters_and_rho_rows(monkeypatch):
    calls = []

    def fake(population, rho):
        calls.append(rho)
        return REGISTRY["standard"].run(population)

    from fedsym.paper import compare as module
    monkeypatch.setitem(module.REGISTRY, "rho-test", module.Registered(fake, "rho"))
    population = Population((Agent.paper(_bound(), "0.001", count=3),))
    result = compare(population, ["rho-test"], rhos=["0", "0.5"])
    assert [row.name for row in result.rows] == ["rho-test(rho=0)", "rho-test(rho=0.5)"] and calls == [0.0, 0.5]
    assert [row.name for row in compare(population, None).rows] == ["alone", "standard", "shaping", "screening",
                                                                    "realfm"]
    with pytest.raises(ParameterError, match="needs at least one rho"):
        compare(population, ["rho-test"])


def test_literature_mechanisms_are_rows_of_the_comparison():
    """Claim (Model §11 items 5-6): RealFM as published and rho-Shapley are rows of `compare`.  rho = 0 gives
    everyone the full model, i.e. standard FL (Eq. (10)), whose total is the lone m* = (k/c^2)^(1/3) = 100 of
    Eq. (3) (Theorem 3.4); RealFM's truncated Taylor step collects no more than exact shaping (Eq. (13))."""
    population = Population((Agent.paper(_bound(), "0.001", count=3),))
    result = compare(population, None, rhos=["0", "0.5"])
    names = [row.name for row in result.rows]
    assert names == ["alone", "standard", "shaping", "screening", "realfm", "shapley(rho=0)", "shapley(rho=0.5)"]
    assert result.row("shapley(rho=0)").total == pytest.approx(100.0, rel=1e-6)
    assert result.row("realfm").total <= result.row("shaping").total * (1 + 1e-12)
    half = result.row("shapley(rho=0.5)")
    assert half.verified and half.welfare <= float(result.planner.welfare) * (1 + 1e-9)


def test_shapley_not_applicable_to_values_that_differ(tmp_path, capsys):
    """Claim: rho-Shapley needs one value of accuracy (its coalition value V(S) = v(a(M_S)) is then defined);
    a population whose agents value accuracy differently skips it by default and refuses it when named
    (exit 2, one line)."""
    path = tmp_path / "two_values.json"
    path.write_text(json.dumps([
        {"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": 0.001, "count": 2},
        {"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": 0.001, "value": "2*a"}]))
    assert main(["compare", "--agents", str(path), "--rho", "0.5"]) == 0
    assert "skipped shapley(rho=0.5): rho-Shapley needs one accuracy and one value" in capsys.readouterr().out
    assert main(["compare", "--agents", str(path), "--mechanisms", "shapley", "--rho", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "rho-Shapley needs one accuracy and one value" in err and "Traceback" not in err
