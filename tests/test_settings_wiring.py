"""Settings wired (issue 18, "One place for settings"): the solvers and the cache read the settings in force,
the settings are part of the cache key, and the environment is read when used, not at import."""

from __future__ import annotations

import pytest
import sympy as sp

from fedsym.core import cache
from fedsym.core.settings import current_settings, set_settings, using_settings
from fedsym.core.solve import symbolic_timeout

k = sp.Symbol("k", positive=True)
FIELDS = ("form",)


class Counter:
    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> cache.Outcome:
        self.runs += 1
        return {"form": 2 * k}


def test_symbolic_budget_follows_the_settings_block():
    outside = symbolic_timeout()
    with using_settings(symbolic_timeout=outside + 7):
        assert symbolic_timeout() == outside + 7
    assert symbolic_timeout() == outside


def test_environment_set_after_import_is_seen(monkeypatch, tmp_path):
    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path / "here"))
    assert cache.cache_dir() == tmp_path / "here"
    monkeypatch.setenv("FEDSYM_NO_CACHE", "1")
    assert cache.cache_enabled() is False
    monkeypatch.setenv("FEDSYM_SYMBOLIC_TIMEOUT", "3.5")
    assert symbolic_timeout() == 3.5


def test_every_setting_that_changes_a_derivation_is_in_the_cache_key(monkeypatch, tmp_path):
    """The same derivation under another precision, budget or agreement tolerance is derived again."""
    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path))
    derive = Counter()
    cache.derivation("test", {"expr": "settings"}, derive, FIELDS)
    cache.derivation("test", {"expr": "settings"}, derive, FIELDS)
    assert derive.runs == 1
    for change in ({"precision": 60}, {"symbolic_timeout": 11.0}, {"agreement_rtol": 1e-10},
                   {"fixed_point_rtol": 1e-12}):
        with using_settings(**change):
            cache.derivation("test", {"expr": "settings"}, derive, FIELDS)
    assert derive.runs == 5
    assert len(list(tmp_path.glob("test-*.json"))) == 5


def test_no_cache_block_neither_reads_nor_writes(monkeypatch, tmp_path):
    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path))
    derive = Counter()
    with using_settings(cache=False):
        cache.derivation("test", {"expr": "off"}, derive, FIELDS)
        cache.derivation("test", {"expr": "off"}, derive, FIELDS)
    assert derive.runs == 2 and not list(tmp_path.glob("*.json"))


def test_set_settings_keeps_following_the_environment_elsewhere(monkeypatch, tmp_path):
    """A thin setter (set_cache_enabled) changes only its field; the cache folder still follows the environment."""
    import contextvars

    def body() -> None:
        set_settings(cache=False)
        monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path / "later"))
        assert current_settings().cache is False
        assert cache.cache_dir() == tmp_path / "later"

    monkeypatch.delenv("FEDSYM_NO_CACHE", raising=False)
    before = current_settings().cache
    contextvars.copy_context().run(body)   # the change stays inside that context
    assert before is True and current_settings().cache is True


def test_settings_cache_runs_again_under_other_settings():
    from fedsym.core.settings import settings_cache

    calls: list[float] = []

    @settings_cache(maxsize=8)
    def budget_times(x: int) -> float:
        calls.append(symbolic_timeout())
        return x * symbolic_timeout()

    first = budget_times(2)
    assert budget_times(2) == first and len(calls) == 1              # cached under the same settings
    with using_settings(symbolic_timeout=first + 1.0):
        assert budget_times(2) == 2 * (first + 1.0)                  # not the stale value
    assert len(calls) == 2
    budget_times.cache_clear()  # type: ignore[attr-defined]
    budget_times(2)
    assert len(calls) == 3


def test_a_malformed_environment_is_one_line_exit_2(monkeypatch, capsys):
    from fedsym.cli import main

    for value in ("abc", "-1", "nan"):
        monkeypatch.setenv("FEDSYM_SYMBOLIC_TIMEOUT", value)
        status = main(["individual", "--accuracy", "simplified", "--param", "a_opt=0.9", "--param", "k=1",
                       "--cost", "0.001"])
        err = capsys.readouterr().err
        assert status == 2 and ("FEDSYM_SYMBOLIC_TIMEOUT" in err or "symbolic_timeout" in err)
        assert len(err.strip().splitlines()) == 1


def test_cli_no_cache_writes_nothing(monkeypatch, tmp_path, capsys):
    from fedsym.cli import main

    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path))
    status = main(["--no-cache", "individual", "--accuracy", "a_opt - zz*sqrt(1/m)", "--param", "a_opt=0.9",
                   "--param", "zz=2", "--cost", "0.001", "--json"])
    assert status == 0 and not list(tmp_path.glob("*"))
    assert current_settings().cache is True            # the block ended with the command


def test_individual_result_records_the_settings_it_was_computed_with():
    """Issue 18: a result says under which precision and budget it was computed (the settings in force, not the
    defaults), and caches of derived forms are keyed by them."""
    from fedsym.model.accuracy import accuracy_function
    from fedsym.paper.lone_agent import individual, lone_agent_forms

    bound = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    with using_settings(precision=50, symbolic_timeout=7.0):
        inside = individual(bound, "0.001").to_dict()
        forms = lone_agent_forms(bound.function)
    outside = individual(bound, "0.001").to_dict()
    assert inside["settings"]["precision"] == 50 and inside["settings"]["symbolic_timeout"] == 7.0
    assert outside["settings"]["precision"] == current_settings().precision
    assert "cache_dir" not in inside["settings"]                     # where the cache lives changes no number
    assert inside["optimal_data"] == outside["optimal_data"] == pytest.approx(100.0)  # (k/c^2)^(1/3), Eq. (6)
    assert lone_agent_forms(bound.function) is not forms             # another precision: derived forms not shared
