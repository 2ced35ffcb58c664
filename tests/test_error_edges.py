"""The error tree at the edges (issue 18, "One error tree"): solvers raise ConvergenceError, `fedsym check`
keeps its table when one module crashes."""

from __future__ import annotations

import json
import sys
import types

import mpmath as mp
import numpy as np
import pytest

import fedsym.check as registry
from fedsym.cli import main
from fedsym.core.checkrow import CheckRow
from fedsym.core.errors import ConvergenceError
from fedsym.core.solve import bracketed_root, decreasing_root_array, expand_bracket


def test_bracketed_root_without_sign_change_is_a_convergence_error():
    # x**2 + 1 has no real root: no bracket can hold a sign change
    with pytest.raises(ConvergenceError, match=r"no sign change .* \[1.0, 2.0\]"):
        bracketed_root(lambda x: x**2 + 1, 1, 2)


def test_expand_bracket_without_sign_change_is_a_convergence_error():
    with pytest.raises(ConvergenceError, match="expanding the bracket"):
        expand_bracket(lambda x: mp.mpf(1), 1, 2, limit=100)


def test_decreasing_solve_outside_the_range_is_a_convergence_error():
    # g(x) = 1/x on [1, 10] covers [0.1, 1]; 5 is outside
    with pytest.raises(ConvergenceError, match="outside the range"):
        decreasing_root_array(lambda x: 1 / x, lambda x: -1 / x**2, np.array([5.0]), 1.0, 10.0)


def _module(name: str, checks) -> str:
    module = types.ModuleType(name)
    module.checks = checks  # type: ignore[attr-defined]
    sys.modules[name] = module
    return name


@pytest.fixture
def fake_modules(monkeypatch):
    """Three check modules: one passes (1 = 1 by construction), one crashes in checks(), one is not importable."""
    good = _module("fedsym_test_good_checks", lambda: [CheckRow("one", "by hand", "x=1", mp.mpf(1), mp.mpf(1),
                                                                 "identity")])

    def crash():
        raise ZeroDivisionError("division by zero in a planted module")

    bad = _module("fedsym_test_bad_checks", crash)
    monkeypatch.setattr(registry, "CHECKED_MODULES", (bad, "fedsym_test_no_such_module", good))
    yield
    for name in (good, bad):
        sys.modules.pop(name, None)


def test_a_crashing_module_is_a_failed_row_and_the_table_goes_on(fake_modules):
    rows = registry.run_checks()
    assert [row.passed for row in rows] == [False, False, True]
    assert rows[0].source == "fedsym_test_bad_checks" and "ZeroDivisionError" in rows[0].method
    assert rows[1].source == "fedsym_test_no_such_module" and "ModuleNotFoundError" in rows[1].method
    assert rows[2].quantity == "one"


def test_cli_check_reports_the_crash_in_its_table_and_json(fake_modules, capsys):
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "fedsym_test_bad_checks" in out and "1 passed, 2 failed" in out
    assert main(["check", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False and len(data["rows"]) == 3
    assert "division by zero in a planted module" in data["rows"][0]["method"]
