"""LCDB curves (Mohr et al.) read from the lcdb package's files and fitted (issue 12).

Skipped when the ``lcdb`` extra is not installed.  Expected values come from
an independent scan of the packaged CSV with the standard csv module.
"""

from __future__ import annotations

import csv
import functools
import json

import pytest

from fedsym.cli import main
from fedsym.core.errors import ParameterError
from fedsym.model.learning_curve import lcdb_available, lcdb_file, read_lcdb

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.skipif(not lcdb_available(), reason="the lcdb extra is not installed")]

CURVE = "6:SVC_linear"


@functools.lru_cache(maxsize=1)
def _data_set_6() -> tuple[dict[str, str], ...]:
    """Every row of OpenML data set 6, by one plain csv.DictReader pass over the whole file."""
    with open(lcdb_file(), newline="") as handle:
        return tuple(r for r in csv.DictReader(handle) if r["openmlid"] == "6")


def scan(learner: str, column: str) -> list[tuple[float, float]]:
    """Every (size_train, score) row of one curve of data set 6."""
    return [(float(r["size_train"]), float(r[column])) for r in _data_set_6() if r["learner"] == learner]


@pytest.mark.slow
@pytest.mark.parametrize("score", ["valid", "test"])
def test_curve_matches_an_independent_scan_of_the_file(score):
    """Claim: read_lcdb returns exactly the rows of the curve; source: a full csv.DictReader scan."""
    curve = read_lcdb(CURVE, score)
    expected = scan("SVC_linear", f"score_{score}")
    assert sorted(zip(curve.sizes, curve.scores)) == sorted(expected)
    assert curve.label == CURVE


@pytest.mark.slow
def test_learner_named_by_its_class_name():
    """Claim: LogisticRegression names sklearn.linear_model.LogisticRegression; source: the file."""
    curve = read_lcdb("6:LogisticRegression")
    assert len(curve.sizes) == len(scan("sklearn.linear_model.LogisticRegression", "score_valid"))


@pytest.mark.parametrize("name, message", [
    ("999999:SVC_linear", "no OpenML data set 999999"),
    ("6:NoSuchLearner", "no learner 'NoSuchLearner'"),
    ("SVC_linear", "expected OPENMLID:LEARNER"),
])
def test_unknown_curve_is_an_error(name, message):
    with pytest.raises(ParameterError, match=message):
        read_lcdb(name)


@pytest.mark.slow
def test_cli_fit_lcdb_with_cost(capsys):
    """Claim (issue 12, done-when): every built-in family is fitted, one is chosen, m* has a band."""
    assert main(["fit", "--lcdb", CURVE, "--cost", "1e-4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["families"]) == {"simplified", "generalization-bound", "power-law"}
    assert data["best"] in data["families"]
    assert data["families"][data["best"]]["assumption"]["holds_over_data"]
    band = data["optimal_data"]
    assert 0 < band["band"][0] < band["value"] < band["band"][1]
    assert data["viability_cost"]["value"] > 1e-4  # m* > 0 requires c < c_max (Theorem 2.3)


def test_cli_unknown_curve_exit_2(capsys):
    assert main(["fit", "--lcdb", "999999:SVC_linear"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
