"""The LCDB index cache checks what it reads back, honours the cache settings, and writes nothing when the
cache is off (issue 19).

A small file in the LCDB format stands in for the ``lcdb`` package's file (the
index code does not care about its size), so these tests run without the
extra.  Expected curves come from the rows written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fedsym.cli import main
from fedsym.core import cache
from fedsym.core.settings import using_settings
from fedsym.model import learning_curve
from fedsym.model.learning_curve import read_lcdb

pytestmark = pytest.mark.timeout(60)

#: data set id -> (sizes, scores) of the stand-in file; ids not among the shipped curves (3, 6, 44)
DATA = {1001: ([16, 32, 64, 128], [0.50, 0.60, 0.65, 0.68]),
        1002: ([16, 32, 64, 128], [0.10, 0.20, 0.25, 0.27]),
        1003: ([20, 40], [0.7, 0.8])}


@pytest.fixture
def lcdb(tmp_path, monkeypatch) -> Path:
    """A stand-in database-accuracy.csv (rows grouped by data set, two seeds per size), an empty cache folder
    in the settings, a separate XDG_CACHE_HOME that must stay empty, and a cold in-memory index."""
    lines = ["openmlid,learner,size_train,size_test,outer_seed,inner_seed,traintime,score_train,score_valid,"
             "score_test"]
    for openmlid, (sizes, scores) in DATA.items():
        for seed in (0, 1):
            lines += [f"{openmlid},SVC_linear,{m},100,{seed},0,0.01,0.9,{y},{y}" for m, y in zip(sizes, scores)]
    path = tmp_path / "lcdb" / "database-accuracy.csv"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(learning_curve, "lcdb_file", lambda metric="accuracy": path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("FEDSYM_CACHE_DIR", raising=False)
    learning_curve._index.cache_clear()
    yield path
    learning_curve._index.cache_clear()


def expected(openmlid: int) -> list[tuple[float, float]]:
    sizes, scores = DATA[openmlid]
    return [(float(m), y) for _ in (0, 1) for m, y in zip(sizes, scores)]


def index_file(folder: Path) -> Path:
    return folder / "lcdb-index-database-accuracy.json"


def test_the_index_is_written_to_the_configured_cache_folder(lcdb, tmp_path):
    """Claim: the index goes to the settings' cache_dir (FEDSYM_CACHE_DIR), not to XDG_CACHE_HOME."""
    with using_settings(cache=True, cache_dir=str(tmp_path / "mine")):
        curve = read_lcdb("1002:SVC_linear")
    assert list(zip(curve.sizes, curve.scores)) == expected(1002)
    assert index_file(tmp_path / "mine").is_file()
    assert not (tmp_path / "xdg").exists()


def test_fedsym_cache_dir_from_the_environment(lcdb, tmp_path, monkeypatch):
    """Claim: without a cache_dir setting, $FEDSYM_CACHE_DIR (read by fedsym.core.cache) chooses the folder."""
    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path / "env"))
    with using_settings(cache=True):  # entered after the variable is set: the settings read it
        read_lcdb("1001:SVC_linear")
    assert index_file(tmp_path / "env").is_file() and not (tmp_path / "xdg").exists()


@pytest.mark.parametrize("how", ["settings", "cli", "cache-module", "environment"])
def test_nothing_is_written_when_the_cache_is_off(lcdb, tmp_path, capsys, monkeypatch, how):
    """Claim: with the cache off (Settings.cache False, `fedsym --no-cache`, cache.disabled()) no file is
    written anywhere, and the curve is still right."""
    folder = tmp_path / "mine"
    with using_settings(cache_dir=str(folder)):
        if how == "settings":
            with using_settings(cache=False):
                curve = read_lcdb("1001:SVC_linear")
            assert list(zip(curve.sizes, curve.scores)) == expected(1001)
        elif how == "cli":
            assert main(["--no-cache", "fit", "--lcdb", "1001:SVC_linear", "--family", "simplified", "--json"]) == 0
            assert json.loads(capsys.readouterr().out)["observations"] == 8
        elif how == "cache-module":
            with cache.disabled():
                read_lcdb("1001:SVC_linear")
    if how == "environment":  # FEDSYM_NO_CACHE=1 wins over FEDSYM_CACHE_DIR
        monkeypatch.setenv("FEDSYM_CACHE_DIR", str(folder))
        monkeypatch.setenv("FEDSYM_NO_CACHE", "1")
        assert main(["fit", "--lcdb", "1001:SVC_linear", "--family", "simplified", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["observations"] == 8
    assert not folder.exists() and not (tmp_path / "xdg").exists()


def write_and_edit(lcdb, folder: Path, edit) -> None:
    """Build the index in *folder*, apply *edit* to its JSON, and forget the in-memory copy."""
    with using_settings(cache=True, cache_dir=str(folder)):
        read_lcdb("1003:SVC_linear")
    stored = json.loads(index_file(folder).read_text())
    edit(stored)
    index_file(folder).write_text(json.dumps(stored))
    learning_curve._index.cache_clear()


def point_1001_at_1002(stored) -> None:
    stored["ranges"]["1001"] = stored["ranges"]["1002"]


def point_1001_at_1002_with_a_fresh_digest(stored) -> None:
    point_1001_at_1002(stored)
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


def truncate_1001_with_a_fresh_digest(stored) -> None:
    start, stop = stored["ranges"]["1001"]
    stored["ranges"]["1001"] = [start, start + (stop - start) // 2]  # not on a line boundary either
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


def drop_half_the_lines_with_a_fresh_digest(stored) -> None:
    """Keep only the first seed's 4 lines of 1001 (whole lines, all of 1001: only the neighbour check sees it)."""
    start, _ = stored["ranges"]["1001"]
    header = len("openmlid,learner,size_train,size_test,outer_seed,inner_seed,traintime,score_train,"
                 "score_valid,score_test\n")
    assert start == header
    line = len("1001,SVC_linear,16,100,0,0,0.01,0.9,0.5,0.5\n")
    stored["ranges"]["1001"] = [start, start + line]
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


def drop_1001_with_a_fresh_digest(stored) -> None:
    """An index that says data set 1001 is not in the file (which would refuse a curve LCDB has)."""
    del stored["ranges"]["1001"]
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


def point_1001_beyond_any_file_with_a_fresh_digest(stored) -> None:
    """A start no file offset can hold (seek raised ValueError)."""
    stored["ranges"]["1001"] = [10**25, 10**25 + 5]
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


def stretch_1001_to_an_exabyte_with_a_fresh_digest(stored) -> None:
    """A stop far past the end of the file (reading the range raised MemoryError)."""
    stored["ranges"]["1001"][1] = 10**18
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


def fractional_range_with_a_fresh_digest(stored) -> None:
    stored["ranges"]["1001"] = [float(x) + 0.5 for x in stored["ranges"]["1001"]]
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


def garbage(stored) -> None:
    stored["ranges"] = "not a mapping"


def other_file(stored) -> None:
    stored["identity"]["size"] += 1
    stored["digest"] = learning_curve._index_digest(stored["identity"], stored["ranges"])


@pytest.mark.parametrize("edit", [point_1001_at_1002, point_1001_at_1002_with_a_fresh_digest,
                                  truncate_1001_with_a_fresh_digest, drop_half_the_lines_with_a_fresh_digest,
                                  drop_1001_with_a_fresh_digest, point_1001_beyond_any_file_with_a_fresh_digest,
                                  stretch_1001_to_an_exabyte_with_a_fresh_digest,
                                  fractional_range_with_a_fresh_digest, garbage, other_file])
def test_an_edited_index_never_returns_another_curve(lcdb, tmp_path, edit):
    """Claim (issue 19): an index entry edited to point at another data set's rows (even with a recomputed
    digest), at part of its own rows, or describing another file, is noticed; the right curve comes back and
    the index is rebuilt; source: the rows written by the fixture."""
    folder = tmp_path / "mine"
    write_and_edit(lcdb, folder, edit)
    with using_settings(cache=True, cache_dir=str(folder)):
        curve = read_lcdb("1001:SVC_linear")
        assert list(zip(curve.sizes, curve.scores)) == expected(1001)
        learning_curve._index.cache_clear()
        other = read_lcdb("1002:SVC_linear")
    assert list(zip(other.sizes, other.scores)) == expected(1002)
    rebuilt = json.loads(index_file(folder).read_text())["ranges"]
    assert rebuilt == {str(k): list(v) for k, v in learning_curve._scan(lcdb).items()}


@pytest.mark.parametrize("text", ["[" * 100_000, "{" * 10, "", "null", "\udcff"])
def test_an_index_file_that_is_not_an_entry_is_rebuilt(lcdb, tmp_path, text):
    """Claim: an index file nested past Python's recursion limit (RecursionError escaped as a traceback), cut
    short, empty or of another shape is ignored: the right curve, and the file rebuilt from a scan."""
    folder = tmp_path / "mine"
    folder.mkdir()
    index_file(folder).write_text(text, errors="surrogateescape")
    with using_settings(cache=True, cache_dir=str(folder)):
        curve = read_lcdb("1001:SVC_linear")
    assert list(zip(curve.sizes, curve.scores)) == expected(1001)
    rebuilt = json.loads(index_file(folder).read_text())["ranges"]
    assert rebuilt == {str(k): list(v) for k, v in learning_curve._scan(lcdb).items()}


def test_an_index_file_over_the_size_bound_is_not_read(lcdb, tmp_path, monkeypatch):
    """Claim: a cache file over cache.MAX_USER_FILE bytes is never parsed (a planted huge file cannot exhaust
    memory): with the bound lowered below the honest entry's size, every read scans again (no parse is called)."""
    folder = tmp_path / "mine"
    with using_settings(cache=True, cache_dir=str(folder)):
        read_lcdb("1001:SVC_linear")
        monkeypatch.setattr(cache, "MAX_USER_FILE", index_file(folder).stat().st_size - 1)
        learning_curve._index.cache_clear()
        scans = []
        real_scan = learning_curve._scan
        monkeypatch.setattr(learning_curve, "_scan", lambda data: scans.append(data) or real_scan(data))
        curve = read_lcdb("1002:SVC_linear")
    assert list(zip(curve.sizes, curve.scores)) == expected(1002) and scans == [lcdb]


def test_unknown_data_set_is_still_an_error(lcdb, tmp_path):
    with using_settings(cache=True, cache_dir=str(tmp_path / "mine")):
        with pytest.raises(learning_curve.ParameterError, match="no OpenML data set 999"):
            read_lcdb("999:SVC_linear")


def test_an_honest_index_is_read_back_without_a_scan(lcdb, tmp_path, monkeypatch):
    """Claim: the check accepts the entry fedsym wrote itself, so the second process does not scan the file."""
    folder = tmp_path / "mine"
    with using_settings(cache=True, cache_dir=str(folder)):
        read_lcdb("1003:SVC_linear")
        learning_curve._index.cache_clear()

        def no_scan(data):
            raise AssertionError("scanned although the cached index was honest")

        monkeypatch.setattr(learning_curve, "_scan", no_scan)
        for openmlid in (1001, 1002):
            curve = read_lcdb(f"{openmlid}:SVC_linear")
            assert list(zip(curve.sizes, curve.scores)) == expected(openmlid)
