"""The derivation engine (fedsym.core.engine) on small tables whose answers are known by hand.

Expected values: the roots of x^2 = y are +-sqrt(y) (school algebra); a wrong
sympy branch or a reference that no branch matches must leave the row numeric
with the reason; a failed condition gives no closed form; a timeout falls back;
a second run is answered by the user cache without any sympy attempt.
"""

from __future__ import annotations

import time

import mpmath as mp
import pytest
import sympy as sp

from fedsym.core import cache, engine
from fedsym.core.engine import Row, Table, derive, run
from fedsym.core.settings import using_settings
from fedsym.core.solve import set_symbolic_timeout, symbolic_timeout
from fedsym.core.symbols import positive_symbol

x, y = positive_symbol("x"), positive_symbol("y")
SAMPLES = ({"y": "2"}, {"y": "0.3"}, {"y": "17"})


def _sqrt(values):
    return mp.sqrt(values["y"])


def _table(kind: str, *rows: Row) -> Table:
    return Table(kind, {"test": kind}, rows, lambda: SAMPLES)


def _root(numeric=_sqrt, **extra) -> Row:
    return Row("root", "r", "a root", "hand", ("y",), numeric, equation=x**2 - y, unknown=x, **extra)


@pytest.fixture(autouse=True)
def _no_user_cache():
    with cache.disabled():
        yield


def test_the_branch_that_agrees_with_the_numeric_solver_is_kept():
    outcome = derive(_table("t1", _root()))
    # sympy.solve(x**2 - y, x) with x positive gives sqrt(y) only; with a real x it gives +-sqrt(y)
    assert outcome == {"root": sp.sqrt(y), "root.note": ""}


def test_a_wrong_branch_is_rejected_at_the_sample_points_and_the_row_falls_back_with_the_reason():
    # the reference is 2 sqrt(y): no root of x^2 = y agrees with it
    row = _root(numeric=lambda v: 2 * mp.sqrt(v["y"]))
    derived = run(_table("t2", row))["root"]
    assert derived.method == "numeric"
    assert derived.note == "none of sympy's 1 branch(es) passed validation"
    assert derived.evaluate({"y": 4}) == 4  # the numeric solver: 2 sqrt(4)


def test_the_negative_branch_of_a_real_unknown_is_rejected():
    real = sp.Symbol("x", real=True)
    row = Row("root", "r", "a root", "hand", ("y",), _sqrt, equation=real**2 - y, unknown=real)
    assert derive(_table("t3", row))["root"] == sp.sqrt(y)  # -sqrt(y) came first or second: never kept


def test_a_candidate_that_fails_its_condition_gives_no_closed_form():
    row = _root(condition=lambda values, value: value > 1)  # sqrt(0.3) < 1 at one sample
    outcome = derive(_table("t4", row))
    assert outcome["root"] is None and "passed validation" in outcome["root.note"]
    assert derive(_table("t4b", _root(condition=lambda values, value: value > 0)))["root"] == sp.sqrt(y)


def test_one_agreement_tolerance_from_the_settings():
    off = _root(numeric=lambda v: mp.sqrt(v["y"]) * (1 + mp.mpf("1e-12")))
    assert derive(_table("t5", off))["root"] is None  # default agreement_rtol is 1e-20
    with using_settings(agreement_rtol=1e-9):
        assert derive(_table("t5", off))["root"] == sp.sqrt(y)


def sleepy_branches(seconds: float) -> list[sp.Expr]:
    """Module level: runs in the child process of the bounded attempt."""
    time.sleep(seconds)
    return [sp.sqrt(y)]


def test_a_timeout_falls_back_to_numerics_and_says_so():
    previous = symbolic_timeout()
    set_symbolic_timeout(0.5)
    try:
        row = Row("root", "r", "a root", "hand", ("y",), _sqrt, branches=sleepy_branches, branch_args=(30.0,))
        derived = run(_table("t6", row))["root"]
    finally:
        set_symbolic_timeout(previous)
    assert derived.method == "numeric" and derived.note.startswith("sympy gave no answer within 0.5 s")
    assert derived.evaluate({"y": 9}) == 3


def test_rows_built_from_earlier_rows_inherit_a_missing_closed_form_with_its_reason():
    wrong = _root(numeric=lambda v: 2 * mp.sqrt(v["y"]), title="root of x^2 = y")
    square = Row("twice", "2r", "twice the root", "hand", ("y",), lambda v: 2 * mp.sqrt(v["y"]),
                 form=lambda forms: 2 * forms["root"], needs=("root",))
    outcome = derive(_table("t7", wrong, square))
    assert outcome["twice"] is None
    assert outcome["twice.note"] == "no closed root of x^2 = y (none of sympy's 1 branch(es) passed validation)"
    outcome = derive(_table("t8", _root(), square))
    assert outcome["twice"] == 2 * sp.sqrt(y) and outcome["twice.note"] == ""
    # a row whose note the store does not keep gets the same reason when the table is read back
    unnoted = Row("twice", "2r", "twice the root", "hand", ("y",), lambda v: 2 * mp.sqrt(v["y"]),
                  form=lambda forms: 2 * forms["root"], needs=("root",), note_key=None)
    derived = run(_table("t8b", wrong, unnoted))
    assert set(derive(_table("t8c", wrong, unnoted))) == {"root", "root.note", "twice"}
    assert derived["twice"].note == "no closed root of x^2 = y (none of sympy's 1 branch(es) passed validation)"


def test_a_form_is_replaced_by_its_shortest_simplification():
    raw = (y**2 + 2 * y + 1) / (y + 1)  # = y + 1 (hand)
    row = Row("f", "f", "y + 1", "hand", ("y",), lambda v: v["y"] + 1, form=lambda forms: raw, simplify=True)
    assert derive(_table("t9", row))["f"] == y + 1
    assert derive(_table("t9b", Row("f", "f", "y + 1", "hand", ("y",), lambda v: v["y"] + 1,
                                    form=lambda forms: raw)))["f"] == raw


def test_the_user_cache_answers_a_second_run(tmp_path, monkeypatch):
    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path))
    attempts = []
    real = engine.symbolic

    def counted(*args, **kwargs):
        attempts.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "symbolic", counted)
    with using_settings(cache=True, cache_dir=str(tmp_path)):  # over the autouse fixture's cache-off block
        first = run(_table("t10", _root()))["root"]
        assert len(attempts) == 1 and list(tmp_path.glob("t10-*.json"))
        second = run(_table("t10", _root()))["root"]
    assert len(attempts) == 1  # no second sympy attempt: the cache answered
    assert second.closed_form == first.closed_form == sp.sqrt(y)


def test_a_row_says_where_its_closed_form_comes_from_exactly_once():
    with pytest.raises(ValueError, match="exactly one"):
        Row("r", "r", "", "", ("y",), _sqrt)
    with pytest.raises(ValueError, match="exactly one"):
        Row("r", "r", "", "", ("y",), _sqrt, equation=x - y, unknown=x, form=lambda forms: y)


def test_a_row_is_validated_only_at_the_points_that_give_all_its_arguments():
    z = positive_symbol("z")
    both = Row("sum", "s", "y + z", "hand", ("y", "z"), lambda v: v["y"] + v["z"], equation=x - y - z, unknown=x,
               condition=lambda values, value: value > 0)
    # the root is validated at the points without z too; the sum at (1, 3) only
    outcome = derive(Table("t11", {}, (_root(), both), lambda: (*SAMPLES, {"y": "1", "z": "3"})))
    assert outcome["root"] == sp.sqrt(y) and outcome["sum"] == y + z
    # at (1, -5) the sum is negative: its condition fails there
    assert derive(Table("t12", {}, (both,), lambda: (*SAMPLES, {"y": "1", "z": "-5"})))["sum"] is None
    # no point gives z: nothing validates the sum
    assert derive(Table("t13", {}, (both,), lambda: SAMPLES))["sum"] is None


def test_a_formula_is_validated_only_where_its_case_applies():
    # |y - 1| equals y - 1 only where y >= 1 (hand): at y = 0.3 the formula's case does not apply
    row = Row("f", "f", "|y - 1|", "hand", ("y",), lambda v: abs(v["y"] - 1), form=lambda forms: [y - 1])
    assert derive(_table("t14", row))["f"] is None
    case = Row("f", "f", "|y - 1|", "hand", ("y",), lambda v: abs(v["y"] - 1), form=lambda forms: [1 - y, y - 1],
               applies=lambda values: values["y"] >= 1)
    assert derive(_table("t15", case)) == {"f": y - 1, "f.note": ""}  # 1 - y is rejected at y = 2 and 17
    none = Row("f", "f", "|y - 1|", "hand", ("y",), lambda v: abs(v["y"] - 1), form=lambda forms: [])
    assert derive(_table("t16", none))["f.note"] == "no symbolic candidate"
