"""The fit flows on (issue 20): ``fit --json``'s accuracy block, ``individual --from-fit``, agents records, ``fit --latex``.

Expected values: the true parameters of a curve the test writes (Eq. (3), Model §1, with a known
deterministic wiggle), the AIC rule of Model §10 worked by hand, and the same command run with the
parameters typed out (``--accuracy ... --param ...``), which does not read the block at all.
"""

from __future__ import annotations

import json
import math

import pytest

from fedsym.cli import main

pytestmark = pytest.mark.timeout(60)

#: Eq. (3) with a_opt = 0.9, k = 4 at 12 sizes, the means alternately WIGGLE above and below (a misfit that no
#: smooth family absorbs), 3 seeds per size spread by +-2e-4 around the mean (equal weights)
A_OPT, K, WIGGLE = 0.9, 4.0, 1e-4
SIZES = [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 102400, 204800]


def _write_curve(path) -> None:
    lines = ["size,seed,accuracy"]
    for j, m in enumerate(SIZES):
        mean = A_OPT - 2 * math.sqrt(K / m) + (-1) ** j * WIGGLE
        lines += [f"{m},{s},{mean + d!r}" for s, d in enumerate((-2e-4, 0.0, 2e-4))]
    path.write_text("\n".join(lines) + "\n")


def _tex(value: float, digits: int) -> str:
    """%g-style LaTeX written out here (not the package's format_number): 1.2e-05 as 1.2 \\times 10^{-5}."""
    text = f"{value:.{digits}g}"
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}" if exponent else text


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def fit_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fit")
    _write_curve(folder / "curve.csv")
    return folder


def _fit_json(capsys, folder, *extra: str) -> dict:
    code, out, err = _run(capsys, "fit", "--csv", str(folder / "curve.csv"), "--json", *extra)
    assert code == 0, err
    (folder / "fit.json").write_text(out)
    return json.loads(out)


def test_block_is_the_chosen_fit_with_exact_decimal_strings(capsys, fit_file):
    data = _fit_json(capsys, fit_file)
    block = data["accuracy"]
    # Model §10: the means are Eq. (3) plus an alternating wiggle that a third parameter cannot absorb (the power
    # law reproduces Eq. (3) at alpha = 1/2), so chi2 barely falls and AIC = J ln(chi2/J) + 2(p+1) picks Eq. (3)
    aic = {name: fit["aic"] for name, fit in data["families"].items()}
    assert min(aic, key=aic.get) == "simplified"
    assert data["best"] == "simplified" and block["family"] == "simplified"
    fitted = data["families"]["simplified"]["parameters"]
    assert set(block) == {"family", "params"}
    assert set(block["params"]) == {"a_opt", "k"}
    for name, text in block["params"].items():
        assert isinstance(text, str)
        assert float(text) == fitted[name]  # the float itself, not a rounding of it
        assert text == repr(fitted[name])   # shortest round-trip form
    assert float(block["params"]["a_opt"]) == pytest.approx(A_OPT, abs=2 * WIGGLE)
    assert float(block["params"]["k"]) == pytest.approx(K, rel=0.02)


def test_power_law_block_carries_its_fixed_tau(capsys, fit_file):
    data = _fit_json(capsys, fit_file, "--family", "power-law")
    assert data["accuracy"]["family"] == "power-law"
    assert data["accuracy"]["params"]["tau"] == "0.0"  # Model §10: a_opt - tau is one parameter when fitted
    assert float(data["accuracy"]["params"]["alpha"]) == pytest.approx(0.5, rel=0.02)


def test_individual_from_fit_equals_individual_with_the_parameters_typed_out(capsys, fit_file):
    data = _fit_json(capsys, fit_file)
    params = data["families"]["simplified"]["parameters"]
    typed = [arg for name, value in params.items() for arg in ("--param", f"{name}={value!r}")]
    for cost in ("1e-4", "0.003"):
        code, from_fit, err = _run(capsys, "individual", "--from-fit", str(fit_file / "fit.json"), "--cost", cost,
                                   "--json")
        assert code == 0, err
        code, by_hand, err = _run(capsys, "individual", "--accuracy", "simplified", *typed, "--cost", cost, "--json")
        assert code == 0, err
        assert json.loads(from_fit) == json.loads(by_hand)
    # and the numbers are Eq. (3)'s (Example 2.4's closed form m* = (sqrt(k)/c)^(2/3), worked by hand)
    assert json.loads(from_fit)["optimal_data"] == pytest.approx((math.sqrt(params["k"]) / 0.003) ** (2 / 3), rel=1e-12)


def test_an_agents_record_takes_the_block_as_is(capsys, fit_file, tmp_path):
    data = _fit_json(capsys, fit_file)
    agents = tmp_path / "agents.json"
    agents.write_text(json.dumps([{"accuracy": data["accuracy"], "cost": 0.001, "count": 3}]))
    params = data["accuracy"]["params"]
    typed = [arg for name, value in params.items() for arg in ("--param", f"{name}={value}")]
    code, out, err = _run(capsys, "equilibrium", "--mechanism", "shaping", "--agents", str(agents), "--json")
    assert code == 0, err
    code, by_hand, err = _run(capsys, "equilibrium", "--mechanism", "shaping", "--accuracy", "simplified", *typed,
                              "--costs", "0.001,0.001,0.001", "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == json.loads(by_hand)["total"]
    assert json.loads(out)["contributions"] == json.loads(by_hand)["contributions"]


def test_an_agents_record_with_block_and_params_is_refused(capsys, tmp_path):
    agents = tmp_path / "agents.json"
    block = {"family": "simplified", "params": {"a_opt": "0.9", "k": "1"}}
    agents.write_text(json.dumps([{"accuracy": block, "params": {"k": 2}, "cost": 0.001}]))
    code, _, err = _run(capsys, "equilibrium", "--mechanism", "standard", "--agents", str(agents))
    assert code == 2 and "agent 1: accuracy" in err and "drop the record's params" in err


@pytest.mark.parametrize(("content", "message"), [
    ({"accuracy": None}, "accuracy is null"),
    ({"accuracy": {"family": "simplifed", "params": {}}}, "accuracy.family: unknown family 'simplifed'"),
    ({"accuracy": {"family": "simplified", "expression": "m", "params": {}}}, "exactly one of 'family'"),
    ({"accuracy": {"family": "simplified", "params": {"a_opt": "1.5", "k": "1"}}}, "accuracy.params:"),
    ({"accuracy": {"expression": "a_opt - k/m + __import__('os')", "params": {}}}, "accuracy.expression:"),
    ({"accuracy": {"family": "simplified", "params": {"a_opt": "0.9", "k": "1"}, "extra": 1}}, "accuracy.extra"),
    ([1, 2], "expected an object"),
])
def test_bad_fit_files_are_one_line_exit_2(capsys, tmp_path, content, message):
    path = tmp_path / "fit.json"
    path.write_text(json.dumps(content))
    code, out, err = _run(capsys, "individual", "--from-fit", str(path), "--cost", "0.001")
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_from_fit_excludes_accuracy_and_needs_one_of_them(capsys, fit_file):
    _fit_json(capsys, fit_file)
    code, _, err = _run(capsys, "individual", "--from-fit", str(fit_file / "fit.json"), "--accuracy", "simplified",
                        "--cost", "0.001")
    assert code == 2 and "drop --accuracy" in err
    code, _, err = _run(capsys, "individual", "--cost", "0.001")
    assert code == 2 and "--from-fit" in err


def test_fit_latex_is_a_table_with_standard_errors_aic_and_the_chosen_family(capsys, fit_file):
    data = _fit_json(capsys, fit_file)
    code, out, err = _run(capsys, "fit", "--csv", str(fit_file / "curve.csv"), "--latex")
    assert code == 0, err
    assert out.count(r"\begin{tabularx}") == 1 and out.count(r"\end{tabularx}") == 1
    lines = {line.split(" & ")[0]: line for line in out.splitlines() if " & " in line}
    # one row per family, the chosen one starred (Eq. (3) by AIC, see the block test)
    assert set(lines) == {"Family", r"Eq. (3)$\star$", "Eq. (2)", "power law"}
    row = lines[r"Eq. (3)$\star$"]
    for name, symbol in (("a_opt", "a_{opt}"), ("k", "k")):
        value = data["families"]["simplified"]["parameters"][name]
        se = data["families"]["simplified"]["standard_errors"][name]
        assert f"${symbol} = {_tex(value, 4)} \\pm {_tex(se, 2)}$" in row, row
    assert f"${_tex(data['families']['simplified']['aic'], 4)}$" in row
    assert "chosen by AIC" in out and "Eq. (3)}" in out.replace(" \\\\", "")
