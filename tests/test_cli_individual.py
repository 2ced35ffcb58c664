"""`fedsym individual` and `fedsym check` from the command line (the contract of docs/cli.rst)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BASE = ["individual", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1"]


def fedsym(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fedsym", *args], capture_output=True, text=True, timeout=300)


def test_issue_acceptance_json():
    """Issue 2 'done when': optimal_data 100 and optimal_utility 0.65 (Example 2.4 by hand)."""
    out = fedsym(*BASE, "--cost", "1e-3", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["optimal_data"] == pytest.approx(100, rel=1e-14)
    assert data["optimal_utility"] == pytest.approx(0.65, rel=1e-14)
    assert data["regime"] == "low"
    assert set(data) >= {"minimum_viable_data", "viability_cost", "optimal_data", "optimal_utility",
                         "regime", "method", "closed_form"}
    assert data["method"]["optimal_data"] == "closed-form"


def test_table_and_latex_outputs():
    assert "regime low" in fedsym(*BASE, "--cost", "1e-3").stdout
    assert r"\begin{align*}" in fedsym(*BASE, "--cost", "1e-3", "--latex").stdout


@pytest.mark.parametrize("args, fragment", [
    (BASE + ["--cost", "-1"], "cost=-1 must be positive"),
    (BASE + ["--cost", "0"], "cost=0 must be positive"),
    (BASE + ["--cost", "nan"], "cost"),
    (BASE + ["--cost", "abc"], "cost"),
    (BASE + ["--cost", "1e-3", "--param", "x=2"], "unknown parameter 'x'"),
    (["individual", "--accuracy", "simplified", "--param", "a_opt=0.9", "--cost", "1e-3"], "missing parameter 'k'"),
    (BASE + ["--cost", "1e-3", "--param", "k1"], "expected NAME=VALUE"),
    (["individual", "--accuracy", "m**2", "--cost", "1e-3"], "not concave"),
    (["individual", "--accuracy=-sqrt(m)", "--cost", "1e-3"], "never positive"),
    (["individual", "--accuracy", "a_opt - (", "--cost", "1e-3"], "cannot be parsed"),
    (["individual", "--accuracy", "simplified"], "required"),
])
def test_bad_input_exits_2_with_one_line(args, fragment):
    out = fedsym(*args)
    assert out.returncode == 2
    assert fragment in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr and out.stdout == ""


@pytest.mark.slow
def test_check_passes_and_reports_errors():
    out = fedsym("check", "--json")
    assert out.returncode == 0, out.stdout[-2000:]
    data = json.loads(out.stdout)
    assert data["passed"] and len(data["rows"]) >= 90
    assert all(row["relative_error"] <= row["tolerance"] for row in data["rows"])
