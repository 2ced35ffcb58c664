"""Study files (issue 20): ``fedsym study FILE.toml``, its outputs and its input errors.

Expected values: Example 2.4 / 4.5 of the paper worked by hand (Eq. (3), a_opt = 0.95, k = 1, c = 0.001:
m* = (sqrt(k)/c)^(2/3) = 100, c_max = a_opt^3/(27 k), two agents under Eq. (13) give 200 each); the
generating parameters of examples/learning_curve.csv (examples/README.md); the other subcommands run
on the same inputs (``individual --from-fit``, ``equilibrium --agents`` with the fit's block,
``screening`` with the parameters typed out); and line numbers counted in the TOML text the test writes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from fedsym.cli import main
from fedsym.report.study.source import key_lines, key_text

pytestmark = pytest.mark.timeout(120)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

SMALL = """\
# Example 2.4 and 4.5 of the paper
[accuracy]
family = "simplified"
params = { a_opt = "0.95", k = 1 }

[population]
n = 2
cost = "0.001"

[questions]
lone_agent = true
equilibria = ["standard", "shaping"]

[presentation]
title = "Example 4.5"
label = "ex45"
"""


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _tex(value: float, digits: int) -> str:
    """%g-style LaTeX written out here (not the package's format_number)."""
    text = f"{value:.{digits}g}"
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}" if exponent else text


# -- a small study: numbers by hand -------------------------------------------------------------------------

def test_small_study_gives_examples_2_4_and_4_5(capsys, tmp_path):
    study = tmp_path / "small.toml"
    study.write_text(SMALL)
    code, out, err = _run(capsys, "study", str(study), "--out", str(tmp_path / "out"), "--json")
    assert code == 0, err
    data = json.loads(out)
    lone = data["lone_agent"][0]
    assert lone["optimal_data"] == pytest.approx(100, rel=1e-12)                   # (sqrt(1)/0.001)^(2/3)
    assert lone["viability_cost"] == pytest.approx(0.95**3 / 27, rel=1e-12)        # a_opt^3/(27k)
    assert data["equilibria"]["standard"]["total"] == pytest.approx(100, rel=1e-12)  # Theorem 3.4: one m*
    assert data["equilibria"]["shaping"]["contributions"] == pytest.approx([200, 200], rel=1e-12)  # Example 4.5
    assert data["checks"]["count"] > 0 and data["checks"]["passed"] == data["checks"]["count"]
    assert len(data["checks"]["rows"]) == data["checks"]["count"]
    # Theorem 2.3's rows, worked by hand: c_max = a_opt^3/(27 k) at the tangent point m_t = 9 k / a_opt^2
    rows = {row["quantity"]: row for row in data["checks"]["rows"]}
    assert rows["viability_cost"]["numeric"] == pytest.approx(0.95**3 / 27, rel=1e-14)
    assert rows["tangent_point"]["closed_form"] == pytest.approx(9 / 0.95**2, rel=1e-14)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["ex45-appendix.tex", "ex45.json", "ex45.tex", "fedsym.sty"]
    assert json.loads((tmp_path / "out" / "ex45.json").read_text()) == data
    section = (tmp_path / "out" / "ex45.tex").read_text()
    assert r"\section{Example 4.5}" in section and r"\label{sec:ex45}" in section
    assert "$m^{*}$ at $c = 0.001$ & $100$" in section
    assert r"m^{*} = " in section  # Theorem 2.3's closed form is shown
    assert r"\section{Verification}" in (tmp_path / "out" / "ex45-appendix.tex").read_text()


def test_small_study_numbers_equal_the_subcommands(capsys, tmp_path):
    study = tmp_path / "small.toml"
    study.write_text(SMALL)
    _, out, _ = _run(capsys, "study", str(study), "--out", str(tmp_path / "out"), "--json")
    data = json.loads(out)
    _, alone, _ = _run(capsys, "individual", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1",
                       "--cost", "0.001", "--json")
    assert data["lone_agent"][0] == json.loads(alone)


# -- the example studies ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def csv_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("csv-study")
    assert main(["study", str(EXAMPLES / "csv_study.toml"), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def lcdb_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("lcdb-study")
    assert main(["study", str(EXAMPLES / "lcdb_study.toml"), "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_csv_study_shows_the_fit_with_standard_errors(csv_study):
    data = json.loads((csv_study / "csv-study.json").read_text())
    section = (csv_study / "csv-study.tex").read_text()
    fit = data["fit"]
    assert fit["description"] == "CSV file learning_curve.csv" and data["accuracy"]["family"] == fit["best"]
    symbols = {"a_opt": "a_{opt}", "k": "k", "b": "b", "beta": r"\beta", "alpha": r"\alpha"}
    for family in fit["families"].values():
        for name, value in family["parameters"].items():
            se = family["standard_errors"][name]
            assert f"${symbols[name]} = {_tex(value, 4)} \\pm {_tex(se, 2)}$" in section, (name, value, se)
    # examples/README.md: the curve is Eq. (2) with a_opt = 0.92, k = 2, b = 1 plus noise; the fit finds them
    chosen = fit["families"]["generalization-bound"]
    assert fit["best"] == "generalization-bound"
    for name, truth in (("a_opt", 0.92), ("k", 2.0), ("b", 1.0)):
        assert abs(chosen["parameters"][name] - truth) <= 3 * chosen["standard_errors"][name], name


@pytest.mark.slow
def test_csv_study_mechanism_numbers_equal_individual_from_fit(capsys, csv_study, tmp_path):
    data = json.loads((csv_study / "csv-study.json").read_text())
    code, fit_out, err = _run(capsys, "fit", "--csv", str(EXAMPLES / "learning_curve.csv"), "--json")
    assert code == 0, err
    fit_file = tmp_path / "fit.json"
    fit_file.write_text(fit_out)
    assert json.loads(fit_out)["accuracy"] == data["accuracy"]
    code, alone, err = _run(capsys, "individual", "--from-fit", str(fit_file), "--cost", "1e-4", "--json")
    assert code == 0, err
    assert data["lone_agent"][0] == json.loads(alone)
    agents = tmp_path / "agents.json"
    agents.write_text(json.dumps([{"accuracy": data["accuracy"], "cost": 1e-4, "count": 10}]))
    for mechanism in ("standard", "shaping"):
        code, eq, err = _run(capsys, "equilibrium", "--mechanism", mechanism, "--agents", str(agents), "--json")
        assert code == 0, err
        assert data["equilibria"][mechanism]["total"] == json.loads(eq)["total"]
    section = (csv_study / "csv-study.tex").read_text()
    assert f"$m^{{*}}$ at $c = 0.0001$ & ${_tex(json.loads(alone)['optimal_data'], 6)}$" in section


@pytest.mark.slow
def test_lcdb_study_runs_from_the_shipped_curve_and_screens(capsys, lcdb_study):
    data = json.loads((lcdb_study / "lcdb-study.json").read_text())
    assert data["fit"]["description"] == "LCDB curve 6:SVC_linear (score valid)"
    block = data["accuracy"]
    typed = [arg for name, value in block["params"].items() for arg in ("--param", f"{name}={value}")]
    code, out, err = _run(capsys, "screening", "--accuracy", block["family"], *typed, "--c-low", "1e-5",
                          "--c-high", "3e-5", "--p", "0.5", "--others", "2000", "--json")
    assert code == 0, err
    assert data["screening"] == json.loads(out)
    assert data["population"] == {"agents": 5, "equal": {"n": 5, "cost": 1e-5}}


# -- input errors: key and line, exit 2 ---------------------------------------------------------------------

def _error(capsys, tmp_path, text: str) -> str:
    study = tmp_path / "bad.toml"
    study.write_text(text)
    code, out, err = _run(capsys, "study", str(study), "--out", str(tmp_path / "out"))
    assert code == 2, err
    assert out == "" and len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(("old", "new", "expected"), [
    # unknown key: line 4 of SMALL is the params line, the new key follows it on line 5
    ('params = { a_opt = "0.95", k = 1 }\n', 'params = { a_opt = "0.95", k = 1 }\ncolour = "red"\n',
     "bad.toml:5: accuracy.colour: unknown key"),
    ("n = 2", 'n = "two"', "bad.toml:7: population.n: expected an integer, got a string"),
    ('cost = "0.001"', "cost = true", "bad.toml:8: population.cost: expected an integer or a number or a string"),
    ('family = "simplified"', 'expression = "a_opt - k/m + __import__(\'os\')"', "bad.toml:3: accuracy.expression:"),
    ('family = "simplified"', 'family = "simplifed"', "bad.toml:3: accuracy.family: unknown family"),
    ('params = { a_opt = "0.95", k = 1 }', 'params = { a_opt = "1.5", k = 1 }', "bad.toml:4: accuracy.params:"),
    ('equilibria = ["standard", "shaping"]', 'equilibria = ["standard", "sharing"]',
     "bad.toml:12: questions.equilibria[1]: 'sharing' is not one of standard, shaping"),
    ("lone_agent = true", 'lone_agent = true\ncompare = { mechanisms = ["standard", "sharing"] }',
     "bad.toml:12: questions.compare.mechanisms[1]: 'sharing' is not one of alone, standard"),
    ("lone_agent = true", "lone_agent = true\ncompare = { rho = [0.5, 2] }",
     "bad.toml:12: questions.compare.rho[1]: rho '2' is not a number in [0, 1]"),
    ("lone_agent = true", 'lone_agent = true\ncompare = { rho = ["half"] }',
     "bad.toml:12: questions.compare.rho[0]: rho 'half' is not a number in [0, 1]"),
    ("lone_agent = true", "lone_agent = true\ncompare = 1", "bad.toml:12: questions.compare: expected"),
    ('label = "ex45"', 'label = "4 5"', "bad.toml:16: presentation.label:"),
    ("n = 2", "n = 0", "bad.toml:7: population.n: 0 is not in [1, 10000]"),
    ('cost = "0.001"', 'cost = "-1"', "bad.toml:8: population.cost:"),
])
def test_bad_study_names_key_and_line(capsys, tmp_path, old, new, expected):
    assert old in SMALL
    assert expected in _error(capsys, tmp_path, SMALL.replace(old, new, 1))


def test_unknown_section_and_files_that_are_not_studies(capsys, tmp_path):
    assert "bad.toml:18: colour: unknown key" in _error(capsys, tmp_path, SMALL + "\n[colour]\nred = 1\n")
    code, _, err = _run(capsys, "study", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2 and "study file" in err and len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "study", "/dev/zero", "--out", str(tmp_path / "out"))
    assert code == 2 and "study file /dev/zero" in err
    (tmp_path / "latin1.toml").write_bytes(b"[accuracy]\nfamily = \"\xe9\"\n")
    code, _, err = _run(capsys, "study", str(tmp_path / "latin1.toml"), "--out", str(tmp_path / "out"))
    assert code == 2 and "not UTF-8" in err


def test_deep_nesting_and_a_statics_parameter_that_does_not_apply(capsys, tmp_path):
    assert "nested too deeply" in _error(capsys, tmp_path, "a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    text = SMALL.replace("lone_agent = true\n", 'lone_agent = true\nstatics = [{quantity = "optimal_data", '
                         'wrt = ["c", "zz"]}]\n')
    assert "bad.toml:12: questions.statics[0].wrt[1]: optimal_data does not depend on 'zz'" in \
        _error(capsys, tmp_path, text)


def test_missing_section_is_named(capsys, tmp_path):
    text = SMALL.replace("[questions]\nlone_agent = true\nequilibria = [\"standard\", \"shaping\"]\n", "")
    # no such key in the file: the message names the last line
    assert f"bad.toml:{text.count(chr(10))}: questions: missing" in _error(capsys, tmp_path, text)


def test_a_missing_key_names_its_table(capsys, tmp_path):
    assert "bad.toml:6: population.cost: missing" in _error(capsys, tmp_path, SMALL.replace('cost = "0.001"\n', ""))


def test_inline_agents_errors_name_the_agent_line(capsys, tmp_path):
    text = SMALL.replace('n = 2\ncost = "0.001"\n', "")
    text += '\n[[population.agents]]\ncost = 0.001\n\n[[population.agents]]\ncost = -3\ncount = 2\n'
    lines = text.splitlines()
    second = lines.index("cost = -3") + 1
    assert f"bad.toml:{second}: population.agents[1].cost:" in _error(capsys, tmp_path, text)


def test_toml_syntax_error_names_the_line(capsys, tmp_path):
    assert "not valid TOML" in _error(capsys, tmp_path, SMALL.replace("n = 2", "n = = 2"))
    assert "line 7" in _error(capsys, tmp_path, SMALL.replace("n = 2", "n = = 2"))


def test_inline_agents_and_agents_file_give_the_same_equilibrium(capsys, tmp_path):
    text = SMALL.replace('n = 2\ncost = "0.001"\n', "")
    inline = text + '\n[[population.agents]]\ncost = 0.001\n\n[[population.agents]]\ncost = 0.002\n'
    (tmp_path / "a.toml").write_text(inline)
    agents = [{"accuracy": "simplified", "params": {"a_opt": 0.95, "k": 1}, "cost": c} for c in (0.001, 0.002)]
    (tmp_path / "agents.json").write_text(json.dumps(agents))
    (tmp_path / "b.toml").write_text(text.replace("[population]\n", '[population]\nagents_file = "agents.json"\n'))
    results = []
    for name in ("a", "b"):
        code, out, err = _run(capsys, "study", str(tmp_path / f"{name}.toml"), "--out", str(tmp_path / name), "--json")
        assert code == 0, err
        results.append(json.loads(out))
    assert results[0]["equilibria"] == results[1]["equilibria"]
    # Theorem 3.4: only the cheapest agent (c = 0.001) contributes its m* = 100
    assert results[0]["equilibria"]["standard"]["contributions"] == pytest.approx([100, 0], abs=1e-9)
    assert [r["cost"] for r in results[0]["lone_agent"]] == [0.001, 0.002]


# -- the key-line scanner ----------------------------------------------------------------------------------

def test_key_lines_reads_tables_dotted_quoted_inline_and_arrays_of_tables():
    text = ('# comment = not a key\n'            # 1
            '[accuracy]\n'                       # 2
            'fit.csv = "x.csv"\n'                # 3
            '"quoted key" = 1\n'                 # 4
            'params = { a_opt = 0.9, k = 1 }\n'  # 5
            '\n'                                 # 6
            '[[population.agents]]\n'            # 7
            'cost = 1\n'                         # 8
            '[[population.agents]]\n'            # 9
            '  cost = 2\n'                       # 10
            '[ questions ]\n'                    # 11
            'eps = 0\n')                         # 12
    lines = key_lines(text)
    assert ("comment",) not in lines
    assert lines[("accuracy",)] == 2 and lines[("accuracy", "fit", "csv")] == 3
    assert lines[("accuracy", "quoted key")] == 4
    assert lines[("accuracy", "params", "a_opt")] == 5 and lines[("accuracy", "params", "k")] == 5
    assert lines[("population", "agents", 0, "cost")] == 8 and lines[("population", "agents", 1, "cost")] == 10
    assert lines[("population", "agents", 1)] == 9 and lines[("questions", "eps")] == 12
    assert key_text(("population", "agents", 1, "cost")) == "population.agents[1].cost"


def test_example_studies_are_where_ci_builds_them():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    for name in ("csv_study", "lcdb_study"):
        assert (EXAMPLES / f"{name}.toml").is_file()
        assert f"examples/{name}.toml" in ci


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs TeX")
def test_pdf_is_compiled_around_the_section(capsys, tmp_path):
    study = tmp_path / "small.toml"
    study.write_text(SMALL.replace('label = "ex45"', 'label = "ex45"\ncolumns = 2'))
    code, out, err = _run(capsys, "study", str(study), "--out", str(tmp_path / "out"), "--pdf")
    assert code == 0, err
    host = (tmp_path / "out" / "ex45-host.tex").read_text()
    assert r"\documentclass[11pt,twocolumn]{article}" in host and r"\input{ex45}" in host
    assert (tmp_path / "out" / "ex45-host.pdf").stat().st_size > 1000


def _has_class(name: str) -> bool:
    import subprocess

    if shutil.which("kpsewhich") is None or shutil.which("pdflatex") is None:
        return False
    return subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip() != ""


#: two-column hosts (as tests/test_fragments.py): acmart without texlive-fonts-extra needs scalable lmodern
TWO_COLUMN_HOSTS = {"IEEEtran": "\\documentclass[conference]{IEEEtran}",
                    "acmart": "\\documentclass[sigconf,balance=false]{acmart}\n\\usepackage{lmodern}"}


@pytest.mark.slow
@pytest.mark.parametrize("host", sorted(TWO_COLUMN_HOSTS))
def test_csv_section_fits_a_two_column_paper(csv_study, tmp_path, host):
    """The section pasted into a two-column paper: no box wider than the column by more than 1 pt,
    and the host's figure after the section numbered after the section's figures (no duplicate numbers)."""
    import re
    import subprocess

    if not _has_class(f"{host}.cls"):
        if os.environ.get("CI"):
            pytest.fail(f"CI must install {host}.cls (see .ci/run)")
        pytest.skip(f"needs TeX with {host}.cls")
    for name in ("csv-study.tex", "fedsym.sty"):
        shutil.copy(csv_study / name, tmp_path / name)
    figures = (csv_study / "csv-study.tex").read_text(encoding="utf-8").count("\\begin{figure")
    (tmp_path / "host.tex").write_text(
        TWO_COLUMN_HOSTS[host] + "\n\\usepackage{fedsym}\n\\providecommand{\\Description}[1]{}\n"
        "\\begin{document}\n\\title{Host}\n\\maketitle\n\\input{csv-study}\n"
        "\\begin{figure}\\centering HOST\\Description{host}\\caption{Host after}\\label{fig:host}\\end{figure}\n"
        "\\end{document}\n")
    for _ in range(2):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "host.tex"], cwd=tmp_path,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=110)
    log = (tmp_path / "host.log").read_text(errors="replace")
    assert done.returncode == 0, log[-2000:]
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide\)", log)]
    assert all(w <= 1.0 for w in widths), widths
    assert "Overfull \\vbox" not in log, "a block runs past the bottom of a column"
    aux = (tmp_path / "host.aux").read_text(errors="replace")
    assert re.search(r"\\newlabel\{fig:host\}\{\{" + str(figures + 1) + r"\}", aux), "host figure misnumbered"


def test_k_type_screening_and_statics_questions(capsys, tmp_path):
    text = SMALL.replace('equilibria = ["standard", "shaping"]\n', 'screening = { types = ["0.001", "0.002", '
                         '"0.004"], probabilities = [0.3, 0.3, 0.4], others = 200 }\n\n[[questions.statics]]\n'
                         'quantity = "optimal_data"\nwrt = ["c", "k"]\n')
    study = tmp_path / "k.toml"
    study.write_text(text)
    code, out, err = _run(capsys, "study", str(study), "--out", str(tmp_path / "out"), "--json")
    assert code == 0, err
    data = json.loads(out)
    code, menu, err = _run(capsys, "screening", "--accuracy", "simplified", "--param", "a_opt=0.95", "--param", "k=1",
                           "--costs", "0.001,0.002,0.004", "--probs", "0.3,0.3,0.4", "--others", "200", "--json")
    assert code == 0, err
    assert data["screening"] == json.loads(menu)
    # Example 2.4: m* = (sqrt(k)/c)^(2/3), so the elasticity in c is -2/3 and in k is 1/3, at c = 0.001 (the
    # population's cost, the default point)
    (static,) = data["statics"]
    assert static["at"]["c"] == 0.001 and static["value"] == pytest.approx(100, rel=1e-12)
    assert static["derivatives"]["c"]["elasticity"] == pytest.approx(-2 / 3, rel=1e-12)
    assert static["derivatives"]["k"]["elasticity"] == pytest.approx(1 / 3, rel=1e-12)
    section = (tmp_path / "out" / "ex45.tex").read_text()
    assert r"\frac{\partial m^{*}}{\partial c}" in section and "type 3 (cost $0.004$): data" in section


def test_compare_question_sets_mechanisms_beside_the_planner(capsys, tmp_path):
    """Claim (Model §11): ``compare`` in a study gives the comparison `fedsym compare` gives.  Expected by hand for
    Eq. (3), a_opt = 0.95, k = 1, c = 0.001, n = 2: standard FL collects m* = 100 (Theorem 3.4), shaping 2 * 200
    (Example 4.5 for n = 2), the planner solves n a'(M) = c, M_P = (n^2 k / c^2)^(1/3) = 100 * 4^(1/3);
    rho-Shapley at rho = 0 is standard FL.  A mechanism that does not apply is listed as not applicable."""
    study = tmp_path / "cmp.toml"
    study.write_text(SMALL.replace("lone_agent = true\n", "compare = { rho = [0] }\n"))
    code, out, err = _run(capsys, "study", str(study), "--out", str(tmp_path / "out"), "--json")
    assert code == 0, err
    data = json.loads((tmp_path / "out" / "ex45.json").read_text())["compare"]
    rows = {row["name"]: row for row in data["mechanisms"]}
    assert rows["standard"]["total"] == pytest.approx(100, rel=1e-9)
    assert rows["shaping"]["total"] == pytest.approx(400, rel=1e-9)
    assert rows["shapley(rho=0)"]["total"] == pytest.approx(100, rel=1e-6)
    assert data["benchmarks"]["planner"]["total"] == pytest.approx(100 * 4 ** (1 / 3), rel=1e-9)
    tex = (tmp_path / "out" / "ex45.tex").read_text()
    assert "compared: [planner]" in tex and "planner's benchmark" in tex


def test_a_file_fedsym_did_not_write_is_not_overwritten(capsys, tmp_path):
    """Claim: `fedsym study --out DIR` refuses (exit 2, one line naming the file) to overwrite a .tex or .json of the
    study's names that fedsym did not write (a user's own ex45.tex, a JSON that is not a study's numbers); its own
    files from an earlier run are overwritten; --force overwrites anything."""
    study = tmp_path / "s.toml"
    study.write_text(SMALL)
    out = tmp_path / "out"
    out.mkdir()
    own = out / "ex45.tex"
    own.write_text("\\section{My own section}\n")
    code, _, err = _run(capsys, "study", str(study), "--out", str(out))
    assert code == 2 and "ex45.tex: exists and was not written by fedsym" in err and len(err.splitlines()) == 1
    assert own.read_text() == "\\section{My own section}\n"
    own.unlink()
    (out / "ex45.json").write_text('{"mine": 1}')
    code, _, err = _run(capsys, "study", str(study), "--out", str(out))
    assert code == 2 and "ex45.json: exists and was not written by fedsym study" in err
    assert _run(capsys, "study", str(study), "--out", str(out), "--force")[0] == 0
    assert json.loads((out / "ex45.json").read_text())["title"] == "Example 4.5"
    assert _run(capsys, "study", str(study), "--out", str(out))[0] == 0   # its own files: overwritten
