"""LCDB curves (Mohr et al.) read from fedsym's shipped copy or the lcdb package's files, and fitted (issues 12, 19).

The shipped curves are tested everywhere, with the ``lcdb`` package hidden;
tests of any other curve are skipped when the ``lcdb`` extra is not installed.
Expected values come from independent scans of the CSV files with the
standard csv module.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from pathlib import Path

import pytest

from fedsym.cli import main
from fedsym.core.errors import InputFileError, ParameterError
from fedsym.model import learning_curve
from fedsym.model.learning_curve import SHIPPED_CURVES, lcdb_available, lcdb_file, read_lcdb

pytestmark = pytest.mark.timeout(60)
needs_lcdb = pytest.mark.skipif(not lcdb_available(), reason="the lcdb extra is not installed")

ROOT = Path(__file__).resolve().parent.parent
#: the report's curves (derivations/s51_learning_curves.py): OpenML id and the learner as stored in LCDB
SHIPPED = [(i, learner) for i in ("3", "6", "44") for learner in ("SVC_linear", "sklearn.linear_model.LogisticRegression")]


@pytest.fixture
def without_lcdb(monkeypatch):
    """As if the lcdb extra were not installed: the package's files cannot be found."""
    monkeypatch.setattr(learning_curve, "lcdb_file", lambda metric="accuracy": None)


def scan_shipped(openmlid: str, learner: str, column: str) -> list[tuple[float, float]]:
    """Every (size_train, score) row of one curve, by a plain csv.DictReader pass over the shipped file."""
    with SHIPPED_CURVES.open(newline="") as handle:
        return [(float(r["size_train"]), float(r[column])) for r in csv.DictReader(handle)
                if r["openmlid"] == openmlid and r["learner"] == learner]


@pytest.mark.parametrize("openmlid, learner", SHIPPED)
@pytest.mark.parametrize("score", ["valid", "test"])
def test_shipped_curves_are_read_without_the_lcdb_package(without_lcdb, openmlid, learner, score):
    """Claim (issue 19): the report's six curves need no extra; read_lcdb returns every row of the shipped
    file in file order; source: a csv.DictReader scan (LCDB has 20 seeds x sizes: 400 to 2500 rows each)."""
    curve = read_lcdb(f"{openmlid}:{learner.rsplit('.', 1)[-1]}", score)
    expected = scan_shipped(openmlid, learner, f"score_{score}")
    assert len(expected) in (400, 2000, 2500)
    assert list(zip(curve.sizes, curve.scores)) == expected
    assert curve.source == f"LCDB (Mohr et al.), score_{score}"


def test_a_curve_not_shipped_without_the_extra_says_how_to_install(without_lcdb):
    with pytest.raises(InputFileError, match=r"pip install 'fedsym\[lcdb\]'"):
        read_lcdb("6:SVC_rbf")


def test_shipped_data_carry_their_source_and_licence():
    """Claim: the MIT licence of the lcdb package travels with the copied rows, and the wheel ships both."""
    readme = (SHIPPED_CURVES.parent / "README.md").read_text(encoding="utf-8")
    assert "MIT License" in readme and "Copyright (c) 2021 Felix Mohr" in readme and "lcdb" in readme
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"fedsym.model.data" = ["lcdb_curves.csv", "README.md"]' in pyproject


@needs_lcdb
@pytest.mark.slow
def test_shipped_rows_are_the_lcdb_package_rows():
    """Claim: the shipped file holds exactly the six curves' rows of the lcdb package's file, in its order and
    with the same text; source: one csv pass over the package's file, and the SHA-256 the README records."""
    digest = hashlib.sha256(lcdb_file().read_bytes()).hexdigest()
    assert digest in (SHIPPED_CURVES.parent / "README.md").read_text(encoding="utf-8")
    columns = ("openmlid", "learner", "size_train", "score_valid", "score_test")
    with open(lcdb_file(), newline="") as handle:
        expected = [tuple(r[c] for c in columns) for r in csv.DictReader(handle)
                    if (r["openmlid"], r["learner"]) in SHIPPED]
    with SHIPPED_CURVES.open(newline="") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == columns
        assert [tuple(row) for row in reader] == expected


@pytest.mark.slow
def test_the_learning_curve_section_is_written_without_the_extra(without_lcdb, tmp_path):
    """Claim (issue 19): without lcdb the report's learning-curve section equals the committed one byte for
    byte; source: reports/s51_learning_curves.tex."""
    from fedsym.report import run_report
    folder = tmp_path / "derivations"
    folder.mkdir()
    (folder / "s51_learning_curves.py").write_bytes((ROOT / "derivations" / "s51_learning_curves.py").read_bytes())
    run_report(folder, tmp_path / "out")
    written = (tmp_path / "out" / "s51_learning_curves.tex").read_bytes()
    assert written == (ROOT / "reports" / "s51_learning_curves.tex").read_bytes()

CURVE = "6:SVC_linear"


@functools.lru_cache(maxsize=1)
def _data_set_6() -> tuple[dict[str, str], ...]:
    """Every row of OpenML data set 6, by one plain csv.DictReader pass over the whole file."""
    with open(lcdb_file(), newline="") as handle:
        return tuple(r for r in csv.DictReader(handle) if r["openmlid"] == "6")


def scan(learner: str, column: str) -> list[tuple[float, float]]:
    """Every (size_train, score) row of one curve of data set 6."""
    return [(float(r["size_train"]), float(r[column])) for r in _data_set_6() if r["learner"] == learner]


@needs_lcdb
@pytest.mark.slow
@pytest.mark.parametrize("score", ["valid", "test"])
def test_curve_matches_an_independent_scan_of_the_file(score):
    """Claim: read_lcdb returns exactly the rows of the curve; source: a full csv.DictReader scan."""
    curve = read_lcdb(CURVE, score)
    expected = scan("SVC_linear", f"score_{score}")
    assert sorted(zip(curve.sizes, curve.scores)) == sorted(expected)
    assert curve.label == CURVE


@needs_lcdb
@pytest.mark.slow
def test_learner_named_by_its_class_name():
    """Claim: LogisticRegression names sklearn.linear_model.LogisticRegression; source: the file."""
    curve = read_lcdb("6:LogisticRegression")
    assert len(curve.sizes) == len(scan("sklearn.linear_model.LogisticRegression", "score_valid"))


@needs_lcdb
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


@needs_lcdb
def test_cli_unknown_curve_exit_2(capsys):
    assert main(["fit", "--lcdb", "999999:SVC_linear"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
