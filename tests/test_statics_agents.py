"""Comparative statics of agents that differ (Model §8, §12): derivatives in each agent's cost scale.

Expected values are derived by hand from Model §5 and §8 (derivations in each test's comment) or are the
central differences of the equilibrium re-solved by :func:`fedsym.paper.equilibrium.solve` at scaled costs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fedsym.cli import main
from fedsym.core.errors import ComputationError, InputError
from fedsym.model.agent import Agent, Population
from fedsym.paper.population_statics import checks, population_statics

REL = 1e-9


def _table(result):  # type: ignore[no-untyped-def]
    """``{(wrt, y): derivative}``."""
    return {(wrt, y): d for wrt, y, _, d, _, _ in result.table()}


def test_shaping_two_equal_agents_by_hand(eq3) -> None:  # type: ignore[no-untyped-def]
    # Example 4.5, n = 2: t_2 = 2, m* = (k/c^2)^(1/3) = 100, x = t m* = 200, M = 400.  With eps = 0,
    # x_r = m* + (a(M) - a(m*))/(s_r c):  dx_r/dM = a'(M)/c = sqrt(k) M^(-3/2)/c = 1/8 and, holding M,
    # dx_1/ds_1 = -(x - m*) = -100 (the lone optimum's move cancels: envelope).  M = x_1 + x_2 gives
    # dM/ds_1 = -100/(1 - 2/8) = -400/3, dx_1/ds_1 = -400/24 - 100 = -350/3, dx_2/ds_1 = -50/3.
    population = Population((Agent.paper(eq3, "0.001"), Agent.paper(eq3, "0.001")))
    d = _table(population_statics(population, "contributions", mechanism="shaping"))
    assert d["cost_scale:1", "m_1"] == pytest.approx(-350 / 3, rel=REL)
    assert d["cost_scale:1", "m_2"] == pytest.approx(-50 / 3, rel=REL)
    assert d["cost_scale:2", "m_2"] == pytest.approx(-350 / 3, rel=REL)
    total = population_statics(population, "shaping_total")
    assert total.total == pytest.approx(400, rel=1e-12)
    assert _table(total)["cost_scale:1", "M"] == pytest.approx(-400 / 3, rel=REL)
    assert _table(total)["cost_scale", "M"] == pytest.approx(-800 / 3, rel=REL) and total.passed


def test_shaping_one_agent_among_ten_moves_the_total_by_a_tenth(eq3) -> None:  # type: ignore[no-untyped-def]
    # Example 4.5: M = n t_n (k/c^2)^(1/3), so scaling every cost gives elasticity -2/3.  One agent of n:
    # dM/ds_j = -(t-1)m*/(1 - n a'(M)/c) with n a'(M)/c = n (n t)^(-3/2) = (3-t)/(2t) by (3-t)^2 t = 4/n,
    # = -(2/3) t m* = -(2/3) M/n: elasticity -2/(3n).  The record of 9 copies carries 9/10 of it.
    population = Population((Agent.paper(eq3, "0.001", count=9), Agent.paper(eq3, "0.001")))
    result = population_statics(population, "shaping_total")
    e = {wrt: elasticity for wrt, _, _, _, elasticity, _ in result.table()}
    assert e["cost_scale"] == pytest.approx(-2 / 3, rel=REL)
    assert e["cost_scale:2"] == pytest.approx(-2 / 30, rel=REL)
    assert e["cost_scale:1"] == pytest.approx(-18 / 30, rel=REL)
    assert result.passed


def test_standard_top_up_agent_and_a_quadratic_cost_by_hand(eq3) -> None:  # type: ignore[no-untyped-def]
    # Eq. (10) generalized: agent 1 (cost c1 m, c1 = 5e-5) tops the total up to its stopping point
    # a'(M) = s_1 c1: M = (k/(s_1 c1)^2)^(1/3), dM/ds_1 = -(2/3) M, dM/ds_2 = 0.  Agent 2 (cost c2 m^2,
    # c2 = 1e-5) gives x_2 = a'(M)/(2 s_2 c2) = c1/(2 c2) = 2.5: dx_2/ds_2 = -x_2 and, through M,
    # dx_2/ds_1 = (a''(M)/(2 c2)) dM/ds_1 = (-(3/2) x_2/M)(-(2/3) M) = x_2; x_1 = M - x_2.
    population = Population((Agent.of(eq3, "0.00005*m"), Agent.of(eq3, "1e-5*m**2")))
    result = population_statics(population, "contributions", mechanism="standard")
    total = (1 / 0.00005**2) ** (1 / 3)
    assert result.total == pytest.approx(total, rel=1e-12)
    assert result.contributions[1] == pytest.approx(2.5, rel=1e-12)
    d = _table(result)
    assert d["cost_scale:2", "m_2"] == pytest.approx(-2.5, rel=REL)
    assert d["cost_scale:1", "m_2"] == pytest.approx(2.5, rel=REL)
    assert d["cost_scale:2", "m_1"] == pytest.approx(2.5, rel=REL)
    assert d["cost_scale:1", "m_1"] == pytest.approx(-2 / 3 * total - 2.5, rel=REL)
    m = _table(population_statics(population, "standard_total"))
    assert m["cost_scale:1", "M"] == pytest.approx(-2 / 3 * total, rel=REL) and m["cost_scale:2", "M"] == 0


def test_standard_equal_quadratic_costs_by_hand(eq3) -> None:  # type: ignore[no-untyped-def]
    # n agents with cost c m^2, Eq. (3): 2 s c x = a'(M) = sqrt(k) M^(-3/2), M = n x, so M^(5/2) ∝ 1/s:
    # elasticity -2/5.  One agent: dx_j/dM = a''(M)/(2c) = -(3/2) x/M, dx_j/ds_j = -x, so
    # dM/ds_j = -x/(1 + n (3/2)/n) = -(2/5) x = -(2/5) M/n.  Here n = 4, one agent in its own record.
    population = Population((Agent.of(eq3, "1e-6*m**2", count=3), Agent.of(eq3, "1e-6*m**2")))
    result = population_statics(population, "standard_total")
    e = {wrt: elasticity for wrt, _, _, _, elasticity, _ in result.table()}
    assert e["cost_scale"] == pytest.approx(-2 / 5, rel=REL)
    assert e["cost_scale:2"] == pytest.approx(-2 / 20, rel=REL)
    assert result.passed


def test_heterogeneous_shaping_with_eps_agrees_with_re_solving() -> None:
    # eps > 0 keeps the lone optimum's move in B_r (no envelope cancellation); the reference is the central
    # difference of the equilibrium re-solved at scaled costs (Model §8 solver, convex cost and Eq. (2) included)
    rows = checks()
    assert len(rows) >= 12 and all(row.passed for row in rows)


def test_non_unique_standard_equilibrium_has_no_derivative(eq3) -> None:  # type: ignore[no-untyped-def]
    # Theorem 3.4: two agents tie at the cheapest cost: every split is an equilibrium
    with pytest.raises(ComputationError, match="not unique"):
        population_statics(Population((Agent.paper(eq3, "0.001", count=2),)), "standard_total")


@pytest.mark.parametrize("kwargs, message", [
    ({"quantity": "optimal_data"}, "unknown quantity"),
    ({"quantity": "contributions"}, "needs the mechanism"),
    ({"quantity": "standard_total", "mechanism": "shaping"}, "contradicts"),
    ({"quantity": "shaping_total", "wrt": ("c",)}, "cost_scale"),
    ({"quantity": "shaping_total", "wrt": ("cost_scale:2",)}, "records 1 to 1"),
    ({"quantity": "shaping_total", "wrt": ("cost_scale:x",)}, "cost_scale:J"),
    ({"quantity": "shaping_total", "eps": "-1"}, "eps"),
])
def test_bad_input_names_it(eq3, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    population = Population((Agent.paper(eq3, "0.001"),))
    quantity = kwargs.pop("quantity")
    with pytest.raises(InputError, match=message):
        population_statics(population, quantity, **kwargs)


AGENTS = [{"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "0.00005*m"},
          {"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": "1e-5*m**2"}]


@pytest.fixture()
def agents_file(tmp_path: Path) -> str:
    path = tmp_path / "agents.json"
    path.write_text(json.dumps(AGENTS))
    return str(path)


def test_cli_json_and_latex(agents_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["statics", "--agents", agents_file, "--quantity", "contributions", "--mechanism", "standard",
                 "--wrt", "cost_scale:2", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["derivatives"]["cost_scale:2"]["m_2"]["derivative"] == pytest.approx(-2.5, rel=REL)
    assert data["derivatives"]["cost_scale:2"]["m_2"]["elasticity"] == pytest.approx(-1, rel=REL)
    assert data["derivatives"]["cost_scale:2"]["m_2"]["passed"]
    code = main(["statics", "--agents", agents_file, "--quantity", "standard_total", "--latex"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith(r"\begin{align*}") and r"\partial s_{2}" in out


@pytest.mark.parametrize("extra, message", [
    (("--quantity", "shaping_total", "--wrt", "cost_scale:3"), "records 1 to 2"),
    (("--quantity", "optimal_data"), "with --agents one of"),
    (("--quantity", "shaping_total", "--at", "c=1"), "only eps"),
    (("--quantity", "shaping_total", "--accuracy", "simplified"), "drop --accuracy"),
])
def test_cli_bad_input_exit_2(agents_file: str, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...],
                              message: str) -> None:
    code = main(["statics", "--agents", agents_file, *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_cli_tie_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tie.json"
    path.write_text(json.dumps([{**AGENTS[0], "count": 2}]))
    code = main(["statics", "--agents", str(path), "--quantity", "standard_total"])
    err = capsys.readouterr().err
    assert code == 3 and "not unique" in err and len(err.strip().splitlines()) == 1


def test_default_wrt_is_every_record_only_for_small_files(eq3) -> None:  # type: ignore[no-untyped-def]
    # each record's scale costs two re-solves: above EACH_RECORD_UP_TO = 20 records only the common scale;
    # 21 equal agents of Example 4.5 keep the elasticity -2/3 in the common scale
    many = population_statics(Population(tuple(Agent.paper(eq3, "0.001") for _ in range(21))), "shaping_total")
    assert list(many.derivatives) == ["cost_scale"] and many.passed
    assert many.table()[0][4] == pytest.approx(-2 / 3, rel=REL)
    few = population_statics(Population((Agent.paper(eq3, "0.001"), Agent.paper(eq3, "0.002"))), "shaping_total")
    assert list(few.derivatives) == ["cost_scale", "cost_scale:1", "cost_scale:2"]
