"""Same answer on every machine (Issue 15): the shipped derivation store, and reports independent of the time budget."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from fedsym.core import cache
from fedsym.core.serialize import decode
from fedsym.core.solve import set_symbolic_timeout, symbolic_timeout
from fedsym.model.accuracy import FAMILIES, accuracy_function, symbolic_limit
from fedsym.paper.agents_that_differ.lone import cost_shape_forms
from fedsym.paper.best_response import jump_forms
from fedsym.paper.equilibrium import ceiling_form
from fedsym.paper.example_4_5 import example_forms
from fedsym.paper.lone_agent import lone_agent_forms
from fedsym.paper.screening.forms import screening_forms

ROOT = Path(__file__).resolve().parent.parent
CACHED = (lone_agent_forms, screening_forms, ceiling_form, example_forms, symbolic_limit, jump_forms, cost_shape_forms)


def _clear() -> None:
    for function in CACHED:
        function.cache_clear()


def test_every_store_entry_reads_back():
    data = json.loads(cache.STORE_PATH.read_text(encoding="utf-8"))
    assert data["schema"] == cache.SCHEMA and data["budget"] == cache.STORE_BUDGET
    kinds = set()
    for entry in data["entries"].values():
        kinds.add(entry["key"]["kind"])
        for value in entry["outcome"].values():
            assert value is None or isinstance(value, str) or isinstance(decode(value["expr"]), sp.Basic)
    assert kinds == {"lone_agent", "screening", "ceiling", "limit", "example_4_5", "assumption", "jump",
                     "cost_shape", "welfare"}


@pytest.fixture
def no_symbolic_attempt(monkeypatch):
    """Every bounded sympy attempt fails the test; the user cache is off (only the store can answer)."""
    def forbidden(*args, **kwargs):
        raise AssertionError(f"a symbolic attempt ran: {args[:1]}")

    for module in ("fedsym.core.derived", "fedsym.core.engine", "fedsym.model.accuracy", "fedsym.paper.shaping_ceiling",
                   "fedsym.paper.screening.forms"):
        monkeypatch.setattr(f"{module}.symbolic", forbidden)
    cache.set_cache_enabled(False)
    _clear()
    yield
    cache.set_cache_enabled(True)
    _clear()


@pytest.mark.timeout(120)
def test_built_in_derivations_come_from_the_store_whatever_the_budget(no_symbolic_attempt):
    """The families, the check's user expressions and Example 4.5: no sympy attempt, so no dependence on its time."""
    previous = symbolic_timeout()
    set_symbolic_timeout(0.001)
    try:
        for name in (*FAMILIES, "a_opt - b*log(1 + k/m)", "a_opt*(1 - exp(-m/k))"):
            forms = lone_agent_forms(accuracy_function(name))
            assert all("depends on machine speed" not in d.note for d in forms.all()), name
        assert lone_agent_forms(FAMILIES["simplified"]).optimal_data.method == "closed-form"
        assert lone_agent_forms(FAMILIES["generalization-bound"]).optimal_data.note == "sympy gave no answer within 120 s"
        for name in ("simplified", "power-law"):
            screening_forms(FAMILIES[name])
        ceiling_form(FAMILIES["simplified"])
        example_forms()
        jump_forms()  # Theorem 3.3's chain (Figure 6)
        quadratic = cost_shape_forms(FAMILIES["simplified"], sp.Symbol("m", positive=True) ** 2)  # agents that differ
        assert quadratic.optimal_data.method == "closed-form"
        FAMILIES["power-law"].bind({"a_opt": "0.9", "tau": "0.1", "beta": "1", "alpha": "0.5"}).a_opt  # noqa: B018
    finally:
        set_symbolic_timeout(previous)


@pytest.mark.timeout(60)
def test_a_user_expression_says_its_outcome_depended_on_the_budget():
    previous = symbolic_timeout()
    set_symbolic_timeout(0.001)
    try:
        forms = lone_agent_forms(accuracy_function("a_opt - 7*sqrt(k/m)"))
    finally:
        set_symbolic_timeout(previous)
        lone_agent_forms.cache_clear()
    assert forms.optimal_data.method == "numeric"
    assert forms.optimal_data.note == "sympy gave no answer within 0.001 s (depends on machine speed)"


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_store_equals_a_fresh_derivation_with_a_generous_budget(tmp_path):
    """scripts/regenerate_store.py, run afresh (120 s per attempt, no store, no cache), writes the shipped entries."""
    out = tmp_path / "derivations.json"
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "regenerate_store.py"), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    fresh = json.loads(out.read_text(encoding="utf-8"))["entries"]
    shipped = json.loads(cache.STORE_PATH.read_text(encoding="utf-8"))["entries"]
    assert sorted(fresh) == sorted(shipped), "the store lacks or has extra derivations: run scripts/regenerate_store.py"
    changed = [entry["key"]["kind"] for digest, entry in fresh.items() if entry != shipped[digest]]
    assert not changed, f"derivations differ from the store: {changed}; run scripts/regenerate_store.py"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_reports_are_the_same_bytes_whatever_the_budget_and_hash_seed(tmp_path):
    """`fedsym report` at a 0.5 s and a 120 s budget, under two PYTHONHASHSEEDs, equals the committed reports/."""
    runs = {}
    for name, budget, seed in (("fast", "0.5", "1"), ("slow", "120", "2")):
        env = {**os.environ, "FEDSYM_SYMBOLIC_TIMEOUT": budget, "PYTHONHASHSEED": seed, "FEDSYM_NO_CACHE": "1",
               "PYTHONPATH": str(ROOT)}
        runs[name] = subprocess.Popen([sys.executable, "-m", "fedsym", "report", "--out", str(tmp_path / name)],
                                      cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for name, process in runs.items():
        _, err = process.communicate(timeout=560)
        assert process.returncode == 0, f"{name}: {err}"
    committed = sorted(p.name for p in (ROOT / "reports").glob("*.tex"))
    for name in runs:
        assert sorted(p.name for p in (tmp_path / name).glob("*.tex")) == committed
        _, mismatch, errors = filecmp.cmpfiles(ROOT / "reports", tmp_path / name, committed, shallow=False)
        assert not mismatch and not errors, f"{name} budget: {mismatch + errors} differ from reports/"
