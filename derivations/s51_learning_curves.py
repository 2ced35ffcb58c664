"""From measured learning curves to mechanisms: LCDB curves fitted and used downstream (Model §10).

Three OpenML data sets (kr-vs-kp, letter, spambase) x two learners (linear SVC,
logistic regression) from the LCDB learning-curve database (Mohr et al.; rows
of the MIT-licensed ``lcdb`` package's file, shipped with fedsym).  Each curve is
fitted with Eq. (3), Eq. (2) and the power law by weighted least squares
(:mod:`fedsym.paper.fitting`); the family with the lowest AIC among the usable fits
then serves as the accuracy function of Theorem 2.3 (optimal data against cost,
viability threshold) and of the equilibria of standard federated learning,
Eq. (10), and accuracy shaping, Eq. (13), for ``n = 10`` identical agents, each
with a delta-method 95% band from the parameter covariance.

The check table compares each chosen fit's weighted sum of squares with an
independent search: the weighted linear regression on :math:`m^{-1/2}` (exact
for Eq. (3)) or, for the power law, a fine grid over :math:`\\alpha` with a
linear regression in :math:`(a_\\infty, \\beta)` at each grid point.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import sympy as sp

from fedsym import DEFAULT_FAMILIES, Band, CurveFits, FitResult, fit_curve, weighted_means
from fedsym.core import CheckRow, Latex, escape_text, format_number, m
from fedsym.model import FAMILIES, read_lcdb
from fedsym.report import Figure, Section, Series, Step

#: OpenML data sets (names from the lcdb package's datasets.csv) and learners
DATA_SETS = {3: "kr-vs-kp", 6: "letter", 44: "spambase"}
LEARNERS = ("SVC_linear", "LogisticRegression")
#: the cost of the optimal-data and equilibrium rows, and the number of agents
COST = 1e-4
AGENTS = 10
#: grid of the independent power-law check
ALPHA_GRID = np.geomspace(0.02, 3.0, 4001)
STYLES = ("blue", "red", "black!60!green")
FAMILY_LABELS = {"simplified": "Eq. (3)", "generalization-bound": "Eq. (2)", "power-law": "power law"}


def curve_name(openmlid: int, learner: str) -> str:
    return f"{openmlid}:{learner}"


def independent_chi2(fit: FitResult, fits: CurveFits) -> tuple[float, str]:
    """Minimum weighted sum of squares of the chosen family by a search that does not use least_squares."""
    data = weighted_means(fits.curve)
    root = np.sqrt(data.weights)

    def linear(column: np.ndarray) -> float:
        design = np.column_stack([np.ones_like(column), -column]) * root[:, None]
        coef, *_ = np.linalg.lstsq(design, data.means * root, rcond=None)
        return float(np.sum((design @ coef - data.means * root) ** 2)) if coef[1] > 0 else np.inf

    if fit.family == "simplified":
        return linear(data.sizes ** -0.5), "weighted linear regression on m^(-1/2)"
    chi2 = min(linear(data.sizes ** -alpha) for alpha in ALPHA_GRID)
    return chi2, f"grid of {ALPHA_GRID.size} alphas, linear regression at each"


def parameter_text(name: str, value: float, error: float) -> str:
    """``name = value ± s.e.``; an infinite or undefined standard error (a flat direction of the fit) reads
    "s.e. not identified" instead of ``± ∞``."""
    shown = rf"${sp.latex(sp.Symbol(name))} = {format_number(value, 4)}"
    if not math.isfinite(error):
        return shown + r"$ (s.e.\ not identified)"
    return shown + rf" \pm {format_number(error, 2)}$"


def fit_rows(fits: CurveFits) -> list[str]:
    """Table rows (LaTeX) of every family fitted to one curve."""
    rows = []
    for fit in fits.fits:
        params = ", ".join(parameter_text(n, v, se) + (r"$^\dagger$" if n in fit.at_bound else "")
                           for (n, v), (_, se) in zip(fit.parameters, fit.standard_errors))
        status = "yes" if not fit.unusable_reason else ("no: (1)" if not fit.assumption.holds_over_data
                                                        else r"no: $c_{max}$")
        chosen = r"$\star$" if fits.best is fit else ""
        rows.append(rf"{escape_text(fits.curve.label)} & {FAMILY_LABELS[fit.family]}{chosen} & {params} & "
                    rf"${format_number(fit.rmse, 3)}$ & ${format_number(fit.aic, 4)}$ & "
                    rf"${format_number(fit.bic, 4)}$ & {status} \\")
    return rows


def band_text(band: Band) -> Latex:
    return Latex(f"${format_number(band.value, 4)}$ $[{format_number(band.lower, 4)}, {format_number(band.upper, 4)}]$")


def derive() -> list[Section]:
    """The section; its six curves ship with fedsym (no ``lcdb`` extra needed)."""
    all_fits = {curve_name(i, learner): fit_curve(read_lcdb(curve_name(i, learner)))
                for learner in LEARNERS for i in DATA_SETS}
    values: list[tuple[Latex, Latex]] = []
    checks = []
    table_rows: list[str] = []
    figures = []
    for learner in LEARNERS:
        data_series, fit_series, band_series = [], [], []
        for (openmlid, name), style in zip(DATA_SETS.items(), STYLES):
            key = curve_name(openmlid, learner)
            fits = all_fits[key]
            best = fits.require_best()
            g = fits.curve.groups
            label = escape_text(f"{key} ({name})")
            low, high = int(g.counts.min()), int(g.counts.max())
            seeds = f"${low}$" if low == high else f"${low}$--${high}$"
            values.append((Latex(f"{label}: data"), Latex(
                f"${g.sizes.size}$ sizes in $[{format_number(g.sizes[0])}, {format_number(g.sizes[-1])}]$, "
                f"{seeds} seeds per size, seed s.d. "
                f"${format_number(g.spreads.min(), 2)}$--${format_number(g.spreads.max(), 2)}$")))
            c_max = best.viability_cost()
            values.append((Latex(rf"{label}: best, $c_{{max}}$"),
                           Latex(f"{FAMILY_LABELS[best.family]}; {band_text(c_max)}")))
            values.append((Latex(rf"{label}: $m^*$ at $c = {format_number(COST)}$"), band_text(best.optimal_data(COST))))
            totals = best.equilibrium_totals(COST, AGENTS)
            values.append((Latex(rf"{label}: total, $n = {AGENTS}$, Eq.~(10) / Eq.~(13)"),
                           Latex(f"{band_text(totals['standard'])} / {band_text(totals['shaping'])}")))
            table_rows.extend(fit_rows(fits))
            chi2, method = independent_chi2(best, fits)
            checks.append(CheckRow(f"min weighted SS, {FAMILY_LABELS[best.family]}", "Model §10", key,
                                   mp.mpf(best.chi2), mp.mpf(chi2), method, mp.mpf("1e-4")))
            grid = np.geomspace(g.sizes[0], g.sizes[-1], 120)
            data_series.append(Series(Latex(escape_text(name)), g.sizes.tolist(), g.means.tolist(),
                                      style=f"{style}, only marks, mark=*, mark size=1pt"))
            fit_series.append(Series("", grid.tolist(), best.bound.a_np(grid).tolist(), style=style))
            costs = np.geomspace(1e-6, 0.9 * c_max.lower, 80)
            m_star, lower, upper = best.optimal_data_bands(costs)
            band_series.extend([Series(Latex(escape_text(name)), costs.tolist(), m_star.tolist(), style=style),
                                Series("", costs.tolist(), lower.tolist(), style=f"{style}, dashed, thin"),
                                Series("", costs.tolist(), upper.tolist(), style=f"{style}, dashed, thin")])
        learner_text = escape_text(learner)
        figures.append(Figure(
            f"LCDB learning curves, {learner}", Latex("training-set size $m$"), Latex("validation accuracy"),
            tuple(data_series) + tuple(fit_series), xmode="log",
            caption=Latex(rf"Mean validation accuracy over the seeds at each size (marks) and the chosen fit "
                          rf"(line) for {learner_text}.")))
        figures.append(Figure(
            f"Optimal data against cost, {learner}", Latex("marginal cost $c$"), Latex("optimal data $m^*$"),
            tuple(band_series), xmode="log", ymode="log",
            caption=Latex(rf"$m^*$ of the chosen fit for {learner_text} (solid) with its delta-method 95\% band "
                          rf"(dashed), for costs up to $0.9$ times the lower end of the $c_{{max}}$ band.")))
    header = (r"Curve & Family & Parameters $\pm$ s.e. & RMSE & AIC & BIC & usable \\")
    # the parameters break between their items only, never inside one
    parameters_column = r">{\relpenalty=10000 \binoppenalty=10000 \raggedright\arraybackslash}p{21em}"
    table = Latex("\n".join([r"\begin{fedsymwide}\scriptsize\setlength{\tabcolsep}{3pt}",
                             rf"\begin{{tabular}}{{@{{}}ll{parameters_column}rrrl@{{}}}}", r"\toprule", header, r"\midrule",
                             *table_rows, r"\bottomrule", r"\end{tabular}", r"\end{fedsymwide}"]))
    power_law = FAMILIES["power-law"].expr.subs(sp.Symbol("tau", positive=True), 0)
    return [Section(
        key="s51_learning_curves",
        title="Learning curves from LCDB: fitted accuracy functions and the mechanisms",
        source="Model §10 (extension); LCDB, Mohr et al.",
        statement=Latex(
            r"Measured learning curves replace the assumed accuracy function. For three OpenML data sets and two "
            r"learners of the LCDB learning-curve database, Eq.~(3), Eq.~(2) and the power law are fitted by "
            r"weighted least squares to the mean validation accuracy at each training-set size (weights: inverse "
            r"variance of the mean across seeds), and the family with the lowest AIC among the usable fits becomes "
            r"the accuracy function of Theorem~2.3 and of the equilibria under standard federated learning "
            rf"(Eq.~(10)) and accuracy shaping (Eq.~(13)) for $n = {AGENTS}$ identical agents."),
        parameters=((Latex("curves (OpenML id:learner)"),
                     Latex(escape_text(", ".join(all_fits)))),
                    (Latex("score"), Latex(r"\texttt{score\_valid}")),
                    (Latex("families"), Latex(escape_text(", ".join(DEFAULT_FAMILIES)))),
                    (Latex("cost $c$, agents $n$"), Latex(f"${format_number(COST)}$, ${AGENTS}$")),
                    (Latex("bands"), Latex(r"delta method, 95\%, log scale"))),
        steps=(
            Step(Latex(r"Weighted least squares over the distinct sizes $m_j$ (mean accuracy $\bar y_j$, "
                       r"weight $w_j$):"),
                 Latex(r"\hat\theta = \arg\min_\theta \sum_j w_j\,\bigl(\bar y_j - \hat a(m_j;\theta)\bigr)^2,"
                       r"\qquad \mathrm{Cov}(\hat\theta) = s^2 (J_w^\top J_w)^{-1},\ s^2 = \chi^2/(J-p)")),
            Step(Latex(r"Power law as fitted ($\tau = 0$, so $a_{opt}$ stands for $a_{opt} - \tau$):"),
                 sp.Eq(sp.Function(r"\hat{a}")(m), power_law)),
            Step(Latex(r"Delta method for a downstream quantity $q$ (central differences $g$ of $q$ over the "
                       r"parameters):"),
                 Latex(r"\mathrm{se}(q) = \sqrt{g^\top \mathrm{Cov}(\hat\theta)\, g},\qquad "
                       r"q\,e^{\pm 1.96\,\mathrm{se}(q)/q}")),
        ),
        values=tuple(values),
        checks=tuple(checks),
        figures=tuple(figures),
        notes=(
            Latex(r"The fits of every family to every curve follow. $\star$ marks the chosen family; $^\dagger$ a "
                  r"parameter at the bound that keeps the family valid ($b \to 0$ or $k \to 0$ in Eq.~(2)), whose "
                  r"standard error is not meaningful. A fit is usable when (1) "
                  r"holds over the data range and Theorem~2.3's viability threshold lies where (1) holds; an Eq.~(2) fit"
                  r" can satisfy (1) on the data yet have its steepest ray from the origin touch below the smallest "
                  r"size, where Eq.~(2) is not concave (``no: $c_{max}$''). AIC $= J\ln(\chi^2/J) + 2(p+1)$ over the $J$"
                  r" sizes."),
            table,
            Latex(r"Under Eq.~(10) only one of the identical agents contributes its $m^*$ (Theorem~3.4); under "
                  r"Eq.~(13) all contribute past it (Theorem~4.2), so the total is a multiple of $m^*$ whose band "
                  r"comes from the same parameter covariance."),
        ),
    )]
