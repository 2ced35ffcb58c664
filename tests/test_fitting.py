"""Fitting accuracy functions to learning curves (Model §10, issue 12).

Expected values come from the data generators (known true parameters), from
hand derivations (Example 2.4's closed form of m*, the inflection point of
tanh^2), or from the definitions of the inputs; never from the fitter's output.
"""

from __future__ import annotations

import json
import math
import os
import time

import numpy as np
import pytest

from fedsym.cli import main
from fedsym.core.errors import AssumptionError, InputFileError, ParameterError
from fedsym.model.learning_curve import LearningCurve, read_csv
from fedsym.paper.fitting import fit_curve, fit_family
from fedsym.paper.lone_agent import individual

pytestmark = pytest.mark.timeout(60)

SIZES = np.geomspace(16, 16000, 12)


def synthetic(truth, seed: int, noise: float = 0.01, seeds: int = 5, sizes=SIZES) -> LearningCurve:
    """Measurements of *truth* (a function of m) plus Gaussian noise, *seeds* per size."""
    rng = np.random.default_rng(seed)
    m = np.repeat(sizes, seeds)
    y = np.clip(truth(m) + rng.normal(0, noise, m.size), 0, 1)
    return LearningCurve(f"synthetic-{seed}", tuple(m.tolist()), tuple(y.tolist()))


CASES = [
    ("power-law", {"a_opt": 0.85, "beta": 2.0, "alpha": 0.5}, lambda m: 0.85 - 2.0 * m**-0.5),
    ("simplified", {"a_opt": 0.9, "k": 3.0}, lambda m: 0.9 - 2 * np.sqrt(3.0 / m)),
    ("generalization-bound", {"a_opt": 0.95, "k": 2.0, "b": 4.0},
     lambda m: 0.95 - (np.sqrt(2 * 2.0 * (2 + np.log(m / 2.0))) + 4.0) / np.sqrt(m)),
    ("a_opt*(1 - exp(-m/k))", {"a_opt": 0.8, "k": 200.0}, lambda m: 0.8 * (1 - np.exp(-m / 200.0))),
]


@pytest.mark.parametrize("family, truth, curve", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_known_parameters_within_three_standard_errors(family, truth, curve, seed):
    """Claim: the fit recovers the generator's parameters; source: the true parameters of the generator."""
    fit = fit_family(synthetic(curve, seed), family)
    assert fit.weighted and fit.assumption.holds_over_data
    for name, value in fit.parameters:
        se = dict(fit.standard_errors)[name]
        assert math.isfinite(se) and se > 0
        assert abs(value - truth[name]) <= 3 * se, (name, value, truth[name], se)


@pytest.mark.slow
def test_standard_errors_match_the_spread_of_repeated_fits():
    """Claim: the reported standard error estimates the sampling spread; source: 150 independent synthetic fits."""
    fits = [fit_family(synthetic(CASES[0][2], seed), "power-law") for seed in range(150)]
    for name in ("a_opt", "beta", "alpha"):
        estimates = np.array([dict(f.parameters)[name] for f in fits])
        reported = np.median([dict(f.standard_errors)[name] for f in fits])
        assert 0.8 < np.std(estimates, ddof=1) / reported < 1.25, name


def test_unweighted_without_repeats_and_exact_data_fit_exactly():
    """Claim: noise-free data of Eq. (3) give back a_opt, k exactly; source: the generator (a_opt=0.9, k=3)."""
    m = SIZES
    curve = LearningCurve("exact", tuple(m), tuple(0.9 - 2 * np.sqrt(3 / m)))
    fit = fit_family(curve, "simplified")
    assert not fit.weighted
    assert dict(fit.parameters) == pytest.approx({"a_opt": 0.9, "k": 3.0}, rel=1e-7)
    assert fit.rmse < 1e-9


def test_aic_chooses_the_family_that_generated_the_data():
    """Claim: with alpha = 1 (Eq. (3) forces 1/2) AIC prefers the power law; source: the generator."""
    fits = fit_curve(synthetic(lambda m: 0.9 - 5.0 / m, 4, noise=0.002))
    assert fits.best is not None and fits.best.family == "power-law"
    assert min(fits.fits, key=lambda f: f.aic).family == "power-law"


def test_power_law_keeps_tau_fixed_at_zero():
    """Claim: the power law a_inf - beta m^-alpha is fitted with tau = 0 (Model §10)."""
    fit = fit_family(synthetic(CASES[0][2], 5), "power-law")
    assert dict(fit.fixed) == {"tau": 0.0}
    assert [n for n, _ in fit.parameters] == ["a_opt", "beta", "alpha"]
    assert fit.bound.values["tau"] == 0


def test_s_shaped_fit_is_flagged_where_it_is_convex():
    """Claim: (1) holds for a_opt tanh(m/k)^2 only from its inflection k atanh(1/sqrt 3) (by hand:
    (tanh^2)'' = 2 sech^2 (1 - 3 tanh^2)); such a fit is never chosen and a cost on it is refused."""
    curve = synthetic(lambda m: 0.9 * np.tanh(m / 300.0) ** 2, 6, noise=0.005, sizes=np.geomspace(16, 8000, 15))
    fits = fit_curve(curve, ["a_opt*tanh(m/k)**2"])
    fit = fits.fits[0]
    inflection = dict(fit.parameters)["k"] * math.atanh(1 / math.sqrt(3))
    assert not fit.assumption.holds_over_data and fit.assumption.increasing and not fit.assumption.concave
    step = (8000 / 16) ** (1 / 511)  # spacing of the 512-point log grid
    assert inflection <= fit.assumption.holds_from <= inflection * step**1.01
    assert fits.best is None
    assert fit.unusable_reason == fit.assumption.describe()
    with pytest.raises(AssumptionError, match="no fitted family is usable"):
        fits.require_best()


def test_optimal_data_band_matches_the_hand_delta_method_for_eq3():
    """Claim: Example 2.4, m* = (k/c^2)^(1/3), so se(m*) = m*/(3k) se(k) + a_opt plays no part;
    source: that derivative by hand and the fit's covariance."""
    fit = fit_family(synthetic(CASES[1][2], 7), "simplified")
    cost = 1e-4
    k, se_k = dict(fit.parameters)["k"], dict(fit.standard_errors)["k"]
    m_star = (k / cost**2) ** (1 / 3)
    band = fit.optimal_data(cost)
    assert band.value == pytest.approx(m_star, rel=1e-9)
    assert band.standard_error == pytest.approx(m_star / (3 * k) * se_k, rel=1e-4)
    assert band.lower < m_star < band.upper
    assert individual(fit.bound, cost).optimal_data == pytest.approx(m_star, rel=1e-12)


def test_equilibrium_totals_of_a_fitted_curve():
    """Claim: with n equal agents, Eq. (10) collects one m* (Theorem 3.4) and Eq. (13) collects
    n t_n m* with (3 - t)^2 t = 4/n for Eq. (3) (Example 4.5); source: those formulas."""
    fit = fit_family(synthetic(CASES[1][2], 8), "simplified")
    cost, n = 1e-4, 4
    totals = fit.equilibrium_totals(cost, n)
    m_star = (dict(fit.parameters)["k"] / cost**2) ** (1 / 3)
    lo, hi = 1.0, 3.0  # t_n: bisection of (3 - t)^2 t = 4/n on [1, 3)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (3 - mid) ** 2 * mid > 4 / n else (lo, mid)
    assert totals["standard"].value == pytest.approx(m_star, rel=1e-9)
    assert totals["shaping"].value == pytest.approx(n * lo * m_star, rel=1e-9)
    assert totals["shaping"].lower < totals["shaping"].value < totals["shaping"].upper


def test_too_few_sizes_for_the_parameters_is_refused():
    """Claim: three distinct sizes cannot fit three parameters with errors (issue 12)."""
    curve = LearningCurve("tiny", (10.0, 10.0, 100.0, 1000.0), (0.5, 0.52, 0.7, 0.8))
    with pytest.raises(ParameterError, match="3 distinct training-set sizes"):
        fit_family(curve, "power-law")
    fit_family(curve, "simplified")  # two parameters: fine


@pytest.mark.parametrize("sizes, scores, message", [
    ((0.0, 10.0), (0.5, 0.6), "must be positive"),
    ((5.0, 10.0), (0.5, 1.2), "outside \\[0, 1\\]"),
    ((5.0, 10.0), (-0.1, 0.6), "outside \\[0, 1\\]"),
])
def test_bad_measurements_are_refused(sizes, scores, message):
    with pytest.raises(ParameterError, match=message):
        LearningCurve("bad", sizes, scores)


def test_accuracy_exactly_zero_and_one_are_accepted():
    """Claim: the range [0, 1] is closed (issue 12)."""
    LearningCurve("edges", (1.0, 2.0), (0.0, 1.0))


def write(tmp_path, text):
    path = tmp_path / "curve.csv"
    path.write_text(text)
    return path


def test_csv_with_custom_columns(tmp_path):
    """Claim: the named columns are read, others ignored, repeated sizes kept as seeds; source: the file."""
    path = write(tmp_path, "n,seed,acc,other\n10,0,0.5,x\n10,1,0.6,y\n100,0,0.8,z\n")
    curve = read_csv(path, size_column="n", score_column="acc")
    assert curve.sizes == (10.0, 10.0, 100.0) and curve.scores == (0.5, 0.6, 0.8)
    g = curve.groups
    assert g.sizes.tolist() == [10.0, 100.0] and g.counts.tolist() == [2, 1]
    assert g.means[0] == pytest.approx(0.55) and g.spreads[0] == pytest.approx(math.sqrt(0.005))


@pytest.mark.parametrize("text, message", [
    ("size,accuracy\n10,abc\n", "line 2: accuracy 'abc' is not a number"),
    ("size,accuracy\n-3,0.5\n", "line 2: training-set size -3 must be positive"),
    ("size,accuracy\n10,1.5\n", "accuracy 1.5 is outside"),
    ("size,acc\n10,0.5\n", "no column 'accuracy'"),
    ("size,accuracy\n", "no data rows"),
    ("size,accuracy\n10,nan\n", "not a finite number"),
])
def test_bad_csv_is_one_error_naming_the_file(tmp_path, text, message):
    with pytest.raises(InputFileError, match=message):
        read_csv(write(tmp_path, text))


def test_cli_fit_csv_json(tmp_path, capsys):
    curve = synthetic(CASES[0][2], 9)
    rows = "\n".join(f"{m},{y}" for m, y in zip(curve.sizes, curve.scores))
    path = write(tmp_path, f"m,score\n{rows}\n")
    code = main(["fit", "--csv", str(path), "--size-column", "m", "--score-column", "score",
                 "--family", "power-law", "--family", "simplified", "--cost", "1e-4", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(data["families"]) == {"power-law", "simplified"}
    for fit in data["families"].values():
        assert {"parameters", "standard_errors", "rmse", "sse", "aic", "bic", "assumption"} <= set(fit)
    assert data["best"] in data["families"]
    low, high = data["optimal_data"]["band"]
    assert low < data["optimal_data"]["value"] < high
    assert "delta method" in data["optimal_data"]["method"]


@pytest.mark.parametrize("argv, message", [
    (["fit", "--csv", "/nonexistent/file.csv"], "cannot be read"),
    (["fit", "--csv", "BAD"], "is not a number"),
    (["fit", "--csv", "FEW", "--family", "power-law"], "distinct training-set sizes"),
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys, argv, message):
    if argv[2] == "BAD":
        argv[2] = str(write(tmp_path, "size,accuracy\n10,x\n"))
    elif argv[2] == "FEW":
        argv[2] = str(write(tmp_path, "size,accuracy\n10,0.5\n20,0.6\n40,0.7\n"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def repeated(sizes, means, spread=0.001):
    """Five seeds per size at mean + spread * (-2, -1, 0, 1, 2)."""
    offsets = spread * np.array([-2, -1, 0, 1, 2])
    return LearningCurve("shape", tuple(np.repeat(sizes, 5).tolist()),
                         tuple((np.repeat(means, 5) + np.tile(offsets, len(means))).tolist()))


@pytest.mark.parametrize("means, monotone, concave", [
    ((0.5, 0.6, 0.65, 0.67), True, True),     # rising, slopes 0.01, 0.0025, 0.001 per point fall
    ((0.5, 0.7, 0.6, 0.72), False, False),    # drops by 0.1 >> 3 se; slope rises from -0.005 to 0.006
    ((0.1, 0.11, 0.5, 0.55), True, False),    # slope rises from 0.001 to 0.039 (S-shape)
])
def test_measured_shape_against_assumption_one(means, monotone, concave):
    """Claim: shape() flags drops and rising slopes far beyond 3 standard errors; source: the means by hand
    (sizes 10, 20, 30, 40; se of a mean about 0.0007)."""
    shape = repeated(np.array([10.0, 20.0, 30.0, 40.0]), np.array(means)).shape()
    assert (shape.monotone, shape.concave) == (monotone, concave)
    assert shape.satisfies_assumption == (monotone and concave)


def test_bound_from_forty_digit_numbers_evaluates_in_numpy():
    """Claim: a fitted curve rebound at full precision (bind_numbers) evaluates on numpy arrays
    (numpy cannot take sqrt of an integer beyond int64); source: Eq. (3) by hand."""
    from fedsym.model.accuracy import FAMILIES
    bound = FAMILIES["simplified"].bind_numbers({"a_opt": 0.5646877804827649, "k": 0.7883875958159978})
    expected = 0.5646877804827649 - 2 * math.sqrt(0.7883875958159978 / 100)
    assert bound.a_np(np.array([100.0]))[0] == pytest.approx(expected, rel=1e-14)


def test_fitted_curve_is_an_ordinary_accuracy_function_for_screening():
    """Claim: fit.bound goes into App. B's screening like any bound family; source: the same family bound
    directly at the fitted values (the menu must be identical)."""
    from fedsym import screen_two_types as screen
    from fedsym.model.accuracy import FAMILIES
    fit = fit_family(synthetic(CASES[1][2], 10), "simplified")
    direct = FAMILIES["simplified"].bind({n: repr(v) for n, v in fit.parameters})
    ours = screen(fit.bound, 1e-4, 2e-4, 0.5, 100, verify=False).to_dict()
    assert ours == screen(direct, 1e-4, 2e-4, 0.5, 100, verify=False).to_dict()


def test_cli_fits_a_user_expression_and_refuses_agents_without_cost(tmp_path, capsys):
    curve = synthetic(CASES[3][2], 11)
    rows = "\n".join(f"{m},{y}" for m, y in zip(curve.sizes, curve.scores))
    path = write(tmp_path, f"size,accuracy\n{rows}\n")
    assert main(["fit", "--csv", str(path), "--family", "a_opt*(1 - exp(-m/k))", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["best"] == "a_opt*(1 - exp(-m/k))"
    assert set(data["families"][data["best"]]["parameters"]) == {"a_opt", "k"}
    assert main(["fit", "--csv", str(path), "--agents", "3"]) == 2
    assert "--agents 3: needs --cost" in capsys.readouterr().err


# -- weights and the information criterion, against independent computations (issue 19) -----------------

def unequal_noise_curve(seeds: int = 100) -> LearningCurve:
    """Eq. (3) at a_opt 0.9, k 3; at the even sizes the seeds spread by +-1e-4 around the curve, at the odd
    sizes by +-0.03 around the curve shifted by +0.02 (the smaller half) or -0.02 (the larger half), inside their
    noise: the weighted fit must follow the precise sizes, the unweighted one is pulled towards the noisy ones."""
    sizes = SIZES
    pattern = np.linspace(-1.0, 1.0, seeds)  # symmetric: each size's mean is its centre exactly
    half = np.where(np.arange(sizes.size) % 2 == 0, 1e-4, 0.03)
    shift = np.where(np.arange(sizes.size) < sizes.size // 2, 0.02, -0.02)
    centre = 0.9 - 2 * np.sqrt(3.0 / sizes) + np.where(half > 1e-3, shift, 0.0)
    m = np.repeat(sizes, seeds)
    y = np.repeat(centre, seeds) + np.repeat(half, seeds) * np.tile(pattern, sizes.size)
    return LearningCurve("unequal-noise", tuple(m.tolist()), tuple(y.tolist()))


def documented_weights(curve: LearningCurve) -> np.ndarray:
    """The weights as fedsym.paper.fitting's module notes define them, written out here from the raw scores:
    w_j = n_j / sigma_j^2, sigma_j^2 = (nu_j s_j^2 + 10 median(s)^2) / (nu_j + 10), nu_j = n_j - 1."""
    sizes, scores = np.asarray(curve.sizes), np.asarray(curve.scores)
    distinct = sorted(set(curve.sizes))
    groups = [scores[sizes == s] for s in distinct]
    spread = np.array([np.std(g, ddof=1) for g in groups])
    typical = float(np.median(spread)) ** 2
    n = np.array([g.size for g in groups], dtype=float)
    variance = ((n - 1) * np.maximum(spread**2, 0.01 * typical) + 10 * typical) / (n - 1 + 10)
    return n / variance


def linear_eq3(sizes: np.ndarray, means: np.ndarray, weights: np.ndarray) -> tuple[float, float, float]:
    """Eq. (3) is linear in (a_opt, s = 2 sqrt(k)): a = a_opt - s m^(-1/2).  Weighted least squares by
    numpy.linalg.lstsq on the rows scaled by sqrt(w): (a_opt, k = (s/2)^2, chi2)."""
    root = np.sqrt(weights)
    design = np.column_stack([np.ones_like(sizes), -sizes**-0.5]) * root[:, None]
    (a_opt, s), *_ = np.linalg.lstsq(design, means * root, rcond=None)
    chi2 = float(np.sum((design @ [a_opt, s] - means * root) ** 2))
    return float(a_opt), float((s / 2) ** 2), chi2


def test_weighted_fit_is_the_independent_weighted_least_squares():
    """Claim: with very unequal noise per size the fit is weighted least squares with the documented weights
    (inverse variance of each mean); source: numpy lstsq on the linearized Eq. (3) with weights computed here
    from the raw scores.  The unweighted estimate differs clearly, so inverted or dropped weights fail."""
    curve = unequal_noise_curve()
    fit = fit_family(curve, "simplified")
    distinct = np.array(sorted(set(curve.sizes)))
    means = np.array([np.mean([y for m, y in zip(curve.sizes, curve.scores) if m == s]) for s in distinct])
    weights = documented_weights(curve)
    a_w, k_w, chi2_w = linear_eq3(distinct, means, weights)
    a_u, k_u, _ = linear_eq3(distinct, means, np.ones_like(means))
    assert fit.weighted
    assert abs(k_w - k_u) > 0.03 * k_w and abs(a_w - a_u) > 1e-3  # the data separate the two estimates (4.7%)
    assert dict(fit.parameters) == pytest.approx({"a_opt": a_w, "k": k_w}, rel=1e-6)
    assert fit.chi2 == pytest.approx(chi2_w, rel=1e-6)
    # and the precise sizes dominate (their weight is about 40 times larger after the shrinkage)
    assert dict(fit.parameters) == pytest.approx({"a_opt": 0.9, "k": 3.0}, rel=5e-3)  # unweighted: k 2.85


def test_aic_penalty_flips_the_choice_to_the_smaller_family():
    """Claim: the power law (3 parameters, contains Eq. (3) at alpha = 1/2) fits these Eq. (3) data with a
    smaller sum of squares, but AIC = J ln(chi2/J) + 2(p + 1) charges it 2 more, which outweighs
    J ln(chi2_Eq3/chi2_power) = 0.68, so Eq. (3) is chosen.  Sources: chi2 of Eq. (3) by the linear
    lstsq above; of the power law by a fine grid over alpha with lstsq in (a_inf, beta) at each; AIC by hand."""
    rng = np.random.default_rng(1)
    y = 0.9 - 2 * np.sqrt(3.0 / SIZES) + rng.normal(0, 0.005, SIZES.size)
    curve = LearningCurve("aic", tuple(SIZES.tolist()), tuple(y.tolist()))  # one seed per size: unweighted
    fits = fit_curve(curve, ["simplified", "power-law"])
    ours = {f.family: f for f in fits.fits}
    _, _, chi2_eq3 = linear_eq3(SIZES, y, np.ones_like(y))
    chi2_power = min(float(np.sum((np.column_stack([np.ones_like(SIZES), -SIZES**-alpha])
                                   @ np.linalg.lstsq(np.column_stack([np.ones_like(SIZES), -SIZES**-alpha]), y,
                                                     rcond=None)[0] - y) ** 2))
                     for alpha in np.linspace(0.3, 0.7, 20001))
    J = SIZES.size
    aic = {"simplified": J * math.log(chi2_eq3 / J) + 2 * 3, "power-law": J * math.log(chi2_power / J) + 2 * 4}
    assert chi2_power < chi2_eq3 and 0 < J * math.log(chi2_eq3 / chi2_power) < 2  # the penalty decides
    assert aic["simplified"] < aic["power-law"]
    for family, fit in ours.items():
        assert fit.chi2 == pytest.approx({"simplified": chi2_eq3, "power-law": chi2_power}[family], rel=1e-5)
        assert fit.aic == pytest.approx(aic[family], abs=1e-4)
        assert fit.bic == pytest.approx(fit.aic - 2 * (len(fit.parameters) + 1)
                                        + (len(fit.parameters) + 1) * math.log(J), abs=1e-9)
    assert fits.best is not None and fits.best.family == "simplified"


# -- hostile inputs: one line, exit 2, within seconds (issue 19) --------------------------------------------

def good_csv(tmp_path) -> str:
    rows = "".join(f"{m},{0.9 - 2 * math.sqrt(3 / m)}\n" for m in SIZES)
    return str(write(tmp_path, f"size,accuracy\n{rows}"))


def big_cell_csv(tmp_path) -> str:
    return str(write(tmp_path, "size,accuracy\n10," + "1" * 140_000 + "\n"))


def too_many_rows_csv(tmp_path) -> str:
    from fedsym.model.learning_curve import MAX_MEASUREMENTS
    rows = "".join(f"{1 + i},0.5\n" for i in range(MAX_MEASUREMENTS + 1))
    return str(write(tmp_path, f"size,accuracy\n{rows}"))


def fifo(tmp_path) -> str:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return str(path)


def decreasing_csv(tmp_path) -> str:
    rows = "".join(f"{10 * (i + 1)},{0.9 - 0.05 * i}\n" for i in range(10))
    return str(write(tmp_path, f"size,accuracy\n{rows}"))


HOSTILE = [
    (lambda t: ["--csv", good_csv(t), "--cost", "abc"], "--cost: 'abc' is not a number"),
    (lambda t: ["--csv", good_csv(t), "--cost", "0"], "must be positive"),
    (lambda t: ["--csv", good_csv(t), "--family", "m"], "has no free parameter to fit"),
    (lambda t: ["--csv", good_csv(t), "--family", "0.9 - 1/m"], "has no free parameter to fit"),
    (lambda t: ["--csv", big_cell_csv(t)], "field larger than field limit"),
    (lambda t: ["--lcdb", "²:SVC_linear"], "expected OPENMLID:LEARNER"),
    (lambda t: ["--lcdb", "٣:SVC_linear"], "expected OPENMLID:LEARNER"),  # an Arabic-Indic digit
    (lambda t: ["--csv", "/dev/zero"], "/dev/zero: is not a regular file"),
    (lambda t: ["--csv", fifo(t)], "is not a regular file"),
    (lambda t: ["--csv", str(t)], "is a folder, not a file"),
    (lambda t: ["--csv", good_csv(t), "--cost", "1e-4", "--agents", "1000000000"], "1 <= N <= 10000"),
    (lambda t: ["--csv", good_csv(t), "--cost", "1e-4", "--agents", "10001"], "1 <= N <= 10000"),
    (lambda t: ["--csv", good_csv(t), "--cost", "1e-4", "--agents", "0"], "1 <= N <= 10000"),
    (lambda t: ["--csv", too_many_rows_csv(t)], "more than 100000 measurements"),
    (lambda t: ["--csv", str(write(t, "size,accuracy\n1e-300,0.5\n1e-299,0.6\n"))], "outside [0.001, 1e+15]"),
    (lambda t: ["--csv", str(write(t, "size,accuracy\n1e300,0.5\n1e301,0.6\n"))], "outside [0.001, 1e+15]"),
    (lambda t: ["--csv", decreasing_csv(t), "--cost", "0.5"], "the measured accuracy falls from 0.9 at m = 10"),
]


@pytest.mark.parametrize("make, message", HOSTILE, ids=[m for _, m in HOSTILE])
def test_hostile_fit_input_is_one_line_exit_2_within_seconds(tmp_path, capsys, make, message):
    """Claim (issue 19): each input ends in one line on stderr with exit 2, no traceback, within 10 s."""
    argv = ["fit", *make(tmp_path)]
    start = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert elapsed < 10, elapsed


def test_largest_allowed_agents_finishes_in_seconds(tmp_path, capsys):
    """Claim: the documented limit MAX_AGENTS is accepted and finishes in seconds (the bound is not arbitrary)."""
    from fedsym.cli.fit import MAX_AGENTS
    start = time.perf_counter()
    assert main(["fit", "--csv", good_csv(tmp_path), "--family", "simplified", "--cost", "1e-4",
                 "--agents", str(MAX_AGENTS), "--json"]) == 0
    assert time.perf_counter() - start < 15
    data = json.loads(capsys.readouterr().out)
    # Theorem 3.4 by hand: equal agents under Eq. (10) collect one m* = (k/c^2)^(1/3) in total, k = 3
    assert data["totals"]["standard"]["value"] == pytest.approx((3 / 1e-8) ** (1 / 3), rel=1e-6)


def test_a_strictly_decreasing_curve_is_flagged_not_reported_as_satisfying_one(tmp_path, capsys):
    """Claim (issue 19): a strictly decreasing curve breaks (1) whatever the fit; every family is unusable,
    none is chosen, and the table says NO (before: a constant fit was reported as satisfying (1))."""
    m = np.arange(1, 11) * 10.0
    curve = LearningCurve("falling", tuple(m), tuple(0.9 - 0.05 * np.arange(10)))
    fits = fit_curve(curve)
    assert fits.best is None
    for fit in fits.fits:
        assert fit.measured_fall.startswith("the measured accuracy falls from 0.9 at m = 10 to 0.45 at m = 100")
        assert fit.unusable_reason == fit.measured_fall
        assert fit.to_dict()["measured_fall"] == fit.measured_fall
    with pytest.raises(AssumptionError, match="the measured accuracy falls"):
        fits.require_best()
    assert main(["fit", "--csv", decreasing_csv(tmp_path)]) == 0  # without --cost: reported, flagged
    out = capsys.readouterr().out
    assert "best by AIC among usable fits: None" in out
    table = [line.split()[-1] for line in out.splitlines()
             if line.split()[:1] in (["simplified"], ["power-law"]) and "not usable" not in line]
    assert table == ["NO", "NO"]


@pytest.mark.parametrize("last_below_first, falls", [(0.0, False), (1e-9, True)])
def test_falls_without_seeds_counts_any_fall(last_below_first, falls):
    """Claim: without seeds any fall of the last mean below the first counts; equal means do not (exact)."""
    curve = LearningCurve("edge", (10.0, 20.0, 40.0), (0.5, 0.9, 0.5 - last_below_first))
    assert curve.falls() is falls


@pytest.mark.parametrize("factor, falls", [(0.99, False), (1.01, True)])
def test_falls_with_seeds_at_three_standard_errors(factor, falls):
    """Claim: with seeds the fall must exceed 3 standard errors of the difference of the two means; source:
    two seeds at +-d give sd d*sqrt(2), se of a mean d, se of the difference d*sqrt(2) (by hand)."""
    d = 0.01
    drop = factor * 3 * d * math.sqrt(2)
    curve = LearningCurve("seeds", (10.0, 10.0, 100.0, 100.0), (0.6 - d, 0.6 + d, 0.6 - drop - d, 0.6 - drop + d))
    assert curve.falls() is falls


def test_a_band_too_wide_for_doubles_is_unbounded_not_an_overflow():
    """Claim (issue 19): a band whose log half-width exceeds double range is [0, inf) with a note, not an
    OverflowError (a fit of falling data has se(k) >> k)."""
    m = np.arange(1, 11) * 10.0
    fit = fit_family(LearningCurve("falling", tuple(m), tuple(0.9 - 0.05 * np.arange(10))), "simplified")
    band = fit.optimal_data(0.5)
    assert band.value > 0 and band.lower == 0.0 and band.upper == math.inf
    assert "every positive value" in band.note
    assert band.to_dict()["band"] == [0.0, None]


def test_cli_text_prints_an_unbounded_band(tmp_path, capsys):
    """Claim: a band without upper end prints as inf in the text output (was a TypeError on None)."""
    rows = "".join(f"{m},{0.5 + 0.01 * i ** 0.5}\n" for i, m in enumerate(np.geomspace(1e14, 1e15, 12)))
    assert main(["fit", "--csv", str(write(tmp_path, f"size,accuracy\n{rows}")), "--cost", "1e-4"]) == 0
    assert ", inf]" in capsys.readouterr().out
