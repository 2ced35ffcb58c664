"""Issue 8 (output, command line, large inputs): what the command line prints and refuses.

Expected values by hand from the model (docs/model.rst): simplified accuracy a(m) = a_opt - 2 sqrt(k/m) (Eq. (3)),
m* = (k/c^2)^(1/3), c_max = a_opt^3/(27 k) (Example 2.4); Example 4.5: two agents of equal cost
each give t_2 m* with t_2 = 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import fedsym
from fedsym.cli import main
from fedsym.core.errors import InputFileError, ParameterError

pytestmark = pytest.mark.timeout(120)

SIMPLIFIED = ["--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1"]
EQUILIBRIUM = ["equilibrium", "--mechanism", "shaping", *SIMPLIFIED]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def fedsym_process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fedsym", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})


def assert_refused(status: int, out: str, err: str, fragment: str) -> None:
    """Exit 2, one line on stderr naming the problem, nothing on stdout, no traceback."""
    assert status == 2, err
    assert out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert fragment in err, err


# -- --version ---------------------------------------------------------------------------

def test_version_prints_the_one_version_string(capsys: pytest.CaptureFixture[str]) -> None:
    """`fedsym --version` prints fedsym.__version__, and pyproject reads it from its one source."""
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"fedsym {fedsym.__version__}"
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'attr = "fedsym.core.version.__version__"' in pyproject
    assert '\nversion = "' not in pyproject


# -- individual: Theorem 2.3's case split ------------------------------------------------------

@pytest.mark.parametrize("cost", ["0.05", "0.1"])
def test_priced_out_optimum_is_labelled_by_the_case_not_the_interior_formula(
        capsys: pytest.CaptureFixture[str], cost: str) -> None:
    """c = 0.05, 0.1 > c_max = 0.95^3/27 = 0.0318: m* = 0 comes from Theorem 2.3's case split; the
    interior formula k^(1/3)/c^(2/3) would give 7.4 or 4.6, so it must not be shown as m*'s closed form."""
    status, out, _ = run(capsys, "individual", *SIMPLIFIED, "--cost", cost, "--json")
    data = json.loads(out)
    assert status == 0 and data["optimal_data"] == 0 and data["optimal_utility"] == 0
    assert data["method"]["optimal_data"] == data["method"]["optimal_utility"] == "theorem-2.3-case"
    assert data["closed_form"]["optimal_data"] == data["closed_form"]["optimal_utility"] == "0"
    assert "c >= c_max" in data["note"]
    _, table, _ = run(capsys, "individual", *SIMPLIFIED, "--cost", cost)
    row = next(line for line in table.splitlines() if line.startswith("optimal_data"))
    assert "theorem-2.3-case" in row and "sqrt" not in row
    _, latex, _ = run(capsys, "individual", *SIMPLIFIED, "--cost", cost, "--latex")
    assert r"m^{*} &= 0" in latex and "sqrt" not in latex.split("m^{*}")[1]


# a_opt = 3/4, k = 1/64: c_max = (27/64)/(27/64) = 1 exactly; m* = (k/c^2)^(1/3) = 1/4 at c = 1
THRESHOLD = ["--accuracy", "simplified", "--param", "a_opt=0.75", "--param", "k=0.015625"]


@pytest.mark.parametrize("cost, regime, method", [
    ("0.999999999999999999999999999999", "low", "closed-form"),   # 1 - 1e-30
    ("1", "mid", "theorem-2.3-case"),                              # exactly c_max
    ("1.000000000000000000000000000001", "mid", "theorem-2.3-case"),  # 1 + 1e-30
])
def test_exact_viability_threshold(capsys: pytest.CaptureFixture[str], cost: str, regime: str, method: str) -> None:
    """At c = c_max exactly (exact rationals) 0 is reported by the case split; 1e-30 below it the
    interior optimum m* -> 1/4 (by hand) with its closed form."""
    _, out, _ = run(capsys, "individual", *THRESHOLD, "--cost", cost, "--json")
    data = json.loads(out)
    assert data["viability_cost"] == 1.0
    assert data["regime"] == regime and data["method"]["optimal_data"] == method
    if regime == "low":
        assert data["optimal_data"] == pytest.approx(0.25, rel=1e-14)
        assert data["closed_form"]["optimal_data"] != "0"
    else:
        assert data["optimal_data"] == 0 and data["closed_form"]["optimal_data"] == "0"
    if cost == "1":
        assert "c = c_max" in data["note"]


def test_every_numeric_fallback_gives_its_reason_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    """a_opt - b log(1 + k/m) has no closed tangent point, so c_max is numeric: the note says why."""
    _, out, _ = run(capsys, "individual", "--accuracy", "a_opt - b*log(1 + k/m)", "--param", "a_opt=0.9",
                    "--param", "b=0.1", "--param", "k=50", "--cost", "0.01", "--json")
    data = json.loads(out)
    numeric = [name for name, how in data["method"].items() if how == "numeric"]
    assert "viability_cost" in numeric
    for name in numeric:
        assert f"{name} is numeric: " in data["note"]
        reason = data["note"].split(f"{name} is numeric: ")[1].split(";")[0]
        assert reason.strip(), data["note"]


# -- equilibrium output ----------------------------------------------------------------------

def test_uniqueness_and_zero_equilibrium_do_not_contradict(capsys: pytest.CaptureFixture[str]) -> None:
    """Remark 4.4 with tied costs 0.05 > c_max and eps = 0.01: 1/sum(1/(c_i + eps)) = 0.06/3 = 0.02 < c_max,
    so a positive equilibrium exists AND no data at all is one: not unique."""
    status, out, _ = run(capsys, *EQUILIBRIUM, "--costs", "0.05,0.05,0.05", "--eps", "0.01")
    assert status == 0
    assert "unique: True" not in out and "not unique: no data at all is an equilibrium too" in out
    assert "1/sum(1/(c_i + eps)) = 0.02 (eps = 0.01)" in out
    assert "all distinct costs" not in out and "all 3 agents: 1 distinct situation" in out
    assert "eps = 0.01" in out.splitlines()[0]
    _, raw, _ = run(capsys, *EQUILIBRIUM, "--costs", "0.05,0.05,0.05", "--eps", "0.01", "--json")
    data = json.loads(raw)
    assert data["unique"] is False and data["zero_is_equilibrium"] is True


def test_round_off_utilities_are_shown_as_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """Remark 4.4, eps = 0: a priced-out agent on its line has U = c m - c m = 0 exactly (Eq. (13)),
    so no utility may print as a tiny negative number or as -0.0."""
    for costs in ("0.05,0.05", "0.05,0.05,0.05", "0.04,0.05,0.06"):
        _, raw, _ = run(capsys, *EQUILIBRIUM, "--costs", costs, "--json")
        utilities = json.loads(raw)["utilities"]
        assert all(u >= 0 for u in utilities), utilities
        assert "-0.0" not in raw and "e-16" not in raw.split('"utilities"')[1].split("]")[0]


def test_json_of_per_agent_values_matches_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    """The streamed per-agent arrays parse back to exactly the result's values."""
    from fedsym.model.accuracy import accuracy_function
    from fedsym.paper.equilibrium import shaping_equilibrium
    costs = [0.001, 0.002, 0.0015, 0.001]
    _, raw, _ = run(capsys, *EQUILIBRIUM, "--costs", ",".join(map(str, costs)), "--json")
    expected = shaping_equilibrium(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), costs)
    assert json.loads(raw) == json.loads(json.dumps(expected.to_dict()))


# -- refusals ---------------------------------------------------------------------------------

def test_the_right_cost_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    """1e400 is cost #2; as a double it is infinite."""
    assert_refused(*run(capsys, *EQUILIBRIUM, "--costs", "0.001,1e400"), "cost #2")
    assert_refused(*run(capsys, *EQUILIBRIUM, "--costs", "0.001,0.002,1e-400"), "cost #3")


def test_json_never_holds_inf(capsys: pytest.CaptureFixture[str]) -> None:
    """--cost 1e5000 is a finite rational but infinite as a double: refused, never `Infinity` in JSON."""
    assert_refused(*run(capsys, "individual", *SIMPLIFIED, "--cost", "1e5000", "--json"), "cost")
    from fedsym.cli.common import print_json
    with pytest.raises(ParameterError, match=r"optimal_data is inf"):
        print_json({"optimal_data": float("inf")})


@pytest.fixture
def costs_files(tmp_path: Path) -> Path:
    (tmp_path / "folder").mkdir()
    (tmp_path / "binary").write_bytes(b"0.1\n\x00\x01\x02\n")
    (tmp_path / "latin").write_bytes(b"0.1\n\xff\xfe\n")
    (tmp_path / "empty").write_text("# only a comment\n\n")
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


@pytest.mark.parametrize("name, fragment", [
    ("folder", "is a folder"),
    ("missing", "cannot be read"),
    ("binary", "line 2: binary data"),
    ("latin", "line 2:"),
    ("empty", "no costs in the file"),
    ("fifo", "is not a regular file"),
    ("/dev/zero", "is not a regular file"),
])
def test_bad_costs_files_are_refused_up_front(costs_files: Path, name: str, fragment: str) -> None:
    """A pipe or /dev/zero would never end: refused by its type before reading (subprocess: a hang fails)."""
    path = name if name.startswith("/") else str(costs_files / name)
    out = fedsym_process(*EQUILIBRIUM, "--costs-file", path, timeout=60)
    assert_refused(out.returncode, out.stdout, out.stderr, fragment)


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_costs_file_blocks_keep_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Blocks of any size (comments, blank lines, a bad line far in): the values and the line number
    are those of a line-by-line reading, written here by hand."""
    from fedsym.cli import equilibrium as cli_equilibrium
    monkeypatch.setattr(cli_equilibrium, "BLOCK", block)
    lines = ["# costs", "0.001", "", "0.002  # second", "3e-3"] * 40
    good = tmp_path / "good.txt"
    good.write_text("\n".join(lines) + "\n")
    assert cli_equilibrium.read_costs_file(str(good)).tolist() == [0.001, 0.002, 0.003] * 40
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(lines[:123] + ["0.1 0.2"] + lines[123:]))
    with pytest.raises(InputFileError, match=r"line 124: '0.1 0.2' is not a number"):
        cli_equilibrium.read_costs_file(str(bad))
    (tmp_path / "neg.txt").write_text("0.1\n\n-3\n")
    with pytest.raises(InputFileError, match=r"line 3: cost -3.0 must be finite and positive"):
        cli_equilibrium.read_costs_file(str(tmp_path / "neg.txt"))


# -- report ----------------------------------------------------------------------------------

@pytest.fixture
def derivations(tmp_path: Path) -> Path:
    """A derivation that leaves a marker when it runs (so a refusal can be shown to come first)."""
    folder = tmp_path / "derivations"
    folder.mkdir()
    marker = tmp_path / "ran"
    (folder / "d1.py").write_text(f"from pathlib import Path\nPath({str(marker)!r}).touch()\n\n"
                                  "def derive():\n    return []\n")
    return folder


@pytest.mark.parametrize("out", ["/dev/null", "a-file", "/proc/fedsym-cannot-create"])
def test_report_refuses_an_unusable_out_before_running_derivations(
        capsys: pytest.CaptureFixture[str], derivations: Path, out: str) -> None:
    target = out
    if out == "a-file":
        target = str(derivations.parent / "a-file")
        Path(target).write_text("x")
    assert_refused(*run(capsys, "report", "--derivations", str(derivations), "--out", target), "output folder")
    assert not (derivations.parent / "ran").exists()


def test_a_derivation_that_exits_is_an_error_naming_the_file(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "derivations"
    folder.mkdir()
    (folder / "quits.py").write_text("import sys\n\ndef derive():\n    sys.exit(3)\n")
    status, out, err = run(capsys, "report", "--derivations", str(folder), "--out", str(tmp_path / "out"))
    assert status == 3 and "Traceback" not in err   # the derivation's failure (exit 3), not bad user input
    assert err.strip().splitlines()[-1] == (f"fedsym report: computation failed: {folder / 'quits.py'}: "
                                            "derive() failed: SystemExit: 3")


def test_report_progress_names_each_file_on_stderr(capsys: pytest.CaptureFixture[str], derivations: Path) -> None:
    status, out, err = run(capsys, "report", "--no-shipped", "--derivations", str(derivations), "--out",
                           str(derivations.parent / "out"))
    assert status == 0 and f"[1/1] {derivations / 'd1.py'}" in err and "d1.py" not in out


def test_report_help_says_derivations_are_run_as_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    assert "RUN as Python code" in " ".join(capsys.readouterr().out.split())


# -- check -----------------------------------------------------------------------------------

def test_check_table_fits_100_columns_with_labelled_columns(capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows with a long point and quantity (as Theorem 4.6's rows have): every line <= 100 columns."""
    import mpmath as mp

    from fedsym.core.checkrow import CheckRow
    point = "generalization-bound(a_opt=0.95, b=4, k=1), c = 0.001, costs [0.0005, 0.001, 0.002, 0.004, 0.008]"
    rows = [CheckRow("optimal_utility (numeric) = equilibrium utility", "Theorem 2.3 (proof, Fig. 1d)", point,
                     mp.mpf("0.123456789012345"), mp.mpf("0.123456789012345"), "golden-section max of u(m)")] * 2
    monkeypatch.setattr("fedsym.check.run_checks", lambda progress=None: rows)
    status, out, _ = run(capsys, "check")
    lines = out.splitlines()
    assert status == 0 and max(map(len, lines)) <= 100
    assert lines[0].split() == ["result", "quantity", "value", "rel.err", "tol", "source"]
    assert lines.count(f"at {point}:"[:97] + "...") == 1


def test_check_progress_per_module(monkeypatch: pytest.MonkeyPatch) -> None:
    from fedsym import check as registry
    fake = types.ModuleType("fedsym_fake_checks")
    fake.checks = lambda: []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fedsym_fake_checks", fake)
    monkeypatch.setattr(registry, "CHECKED_MODULES", ("fedsym_fake_checks", "fedsym_fake_checks"))
    told: list[str] = []
    assert registry.run_checks(progress=told.append) == []
    assert told == ["[1/2] fedsym_fake_checks", "[2/2] fedsym_fake_checks"]


# -- pipes -----------------------------------------------------------------------------------

def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`fedsym equilibrium ... --json | head -1` on 20000 agents (far more than a pipe buffer)."""
    costs = tmp_path / "costs.txt"
    costs.write_text("0.001\n" * 20000)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with subprocess.Popen([sys.executable, "-m", "fedsym", *EQUILIBRIUM, "--costs-file", str(costs), "--json"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline().strip() == b"{"
        child.stdout.close()
        err = child.stderr.read().decode()
        child.wait(timeout=100)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert child.returncode == 1


@pytest.mark.parametrize("argv", [
    # Remark 4.3 with two equal agents: the shaping equilibrium's gain is 0 up to an ulp of the utilities
    ["equilibrium", "--mechanism", "shaping", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1",
     "--costs", "0.001,0.001"],
    ["screening", "--accuracy", "simplified", "--param", "a_opt=0.9", "--param", "k=10", "--costs", "0.001,0.002",
     "--probs", "0.5,0.5", "--others", "5000", "--value", "log(1+a)"],
])
def test_text_output_shows_round_off_gain_as_below_the_floor(capsys, argv) -> None:
    """The terminal's number policy matches the LaTeX's: a gain from deviating of a few ulps is '< 1e-14'."""
    import re

    assert main(argv) == 0
    out = capsys.readouterr().out
    gain = re.search(r"max gain from deviating(?: or leaving)? (\S+(?: \S+)?)", out)
    assert gain is not None, out
    assert not re.fullmatch(r"-?[0-9.]+e-(1[5-9]|[2-9][0-9]|[0-9]{3})\)?", gain.group(1)), out
