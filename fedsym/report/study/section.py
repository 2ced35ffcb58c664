r"""A study's answers as a report :class:`~fedsym.report.content.Section` with its figures.

The section is rendered by the report's own templates (``Section.to_latex``,
``verification_latex``), so a study section looks like the paper's sections:
statement, parameters, the fit table with standard errors (Model §10), closed
forms of Theorem 2.3 and of the comparative statics (Model §12), numbers
(6 significant digits; bands and verdicts as text), figures, and the check
rows in an appendix fragment.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fedsym.core.latex import Latex, escape_text, format_number
from fedsym.paper.fitting import Band
from fedsym.paper.lone_agent import individual, optimal_data_array
from fedsym.paper.statics import SYMBOLS
from fedsym.report.content import Figure, Section, Series, Step, accuracy_parameters

from .answers import Answers
from .fit_table import FAMILY_LABELS, fit_table

__all__ = ["study_section"]

#: Theorem 2.3's quantities, their symbols and names in the closed forms
_LONE = (("minimum_viable_data", "m_0", "Minimum viable data"), ("viability_cost", "c_{max}", "Viability cost"),
         ("optimal_data", "m^{*}", "Optimal data alone"), ("optimal_utility", "u^{*}", "Utility alone"))
_MECHANISMS = {"standard": "standard federated learning, Eq.~(10), Theorem~3.4",
               "shaping": "accuracy shaping, Eq.~(13), Theorem~4.2"}
#: what the fit table shows (after it, in the statement)
_FIT_NOTE = (r"Parameters with their standard errors ($\hat\theta \pm \mathrm{se}$, covariance "
             r"$s^2 (J_w^\top J_w)^{-1}$); $^\dagger$ marks a parameter at a bound of its range. A fit is usable when (1) "
             r"holds over the data range and Theorem~2.3's $c_{max}$ exists; bands are delta-method 95\% bands from "
             r"the parameter covariance.")
#: points of the optimal-data figure
_CURVE_POINTS = 80


def _number(value: Any) -> Latex:
    return Latex(f"${format_number(float(value))}$")


def _band(band: Band) -> Latex:
    upper = format_number(band.upper) if np.isfinite(band.upper) else r"\infty"
    return Latex(rf"${format_number(band.value)}$, 95\% band $[{format_number(band.lower)}, {upper}]$")


def _statement(answers: Answers) -> Latex:
    study = answers.study
    if study.fits is not None:
        best = study.fits.require_best()
        accuracy = (rf"The accuracy function is fitted to the learning curve of the {escape_text(study.curve_source)} by "
                    rf"weighted least squares (Model~\S10); {escape_text(FAMILY_LABELS.get(best.family, best.family))} "
                    r"has the lowest AIC among the usable fits and serves as the accuracy function below.")
    else:
        accuracy = rf"The accuracy function is {escape_text(study.accuracy.function.name)}, with the parameters below."
    if study.equal is not None:
        people = rf"The population is $n = {study.equal[0]}$ agents of equal marginal cost $c = {format_number(float(study.equal[1]))}$."
    else:
        people = rf"The population has {study.population.size} agents ({len(study.population.agents)} kinds)."
    asked = [text for flag, text in ((study.lone_agent, "what one agent collects alone (Theorem~2.3)"),
                                     (bool(study.equilibria), "the equilibria under "
                                      + " and ".join(_MECHANISMS[name] for name in study.equilibria)),
                                     (study.screening is not None, "the screening menu for unknown costs (App.~B)"),
                                     (bool(study.statics), r"comparative statics (Model~\S12)"),
                                     (study.compare is not None, r"the mechanisms compared with the planner's "
                                      r"benchmark (Model~\S11)")) if flag]
    text = f"{accuracy} {people} The study asks for {'; '.join(asked)}."
    if study.fits is None:
        return Latex(text)
    return Latex(f"{text}\n\n\\medskip\n{fit_table(study.fits)}\n\\medskip\n\n{_FIT_NOTE}")


def _parameters(answers: Answers) -> tuple[tuple[Any, Any], ...]:
    study = answers.study
    bound = study.accuracy
    label = FAMILY_LABELS.get(bound.function.name, "expression")
    values = {name: _number(value) for name, value in bound.values.items()}
    rows: list[tuple[Any, Any]] = list(accuracy_parameters(label, bound.function.expr, values))
    if study.equal is not None:
        rows.append((Latex("agents $n$, cost $c$"), Latex(f"${study.equal[0]}$, {_number(study.equal[1])}")))
    if "shaping" in study.equilibria:
        rows.append((Latex(r"slope margin $\varepsilon$"), _number(study.eps)))
    if study.screening is not None:
        question = study.screening
        rows.append((Latex("cost types"), Latex(", ".join(f"${format_number(float(c))}$" for c in question.types))))
        rows.append((Latex("their probabilities"),
                     Latex(", ".join(f"${format_number(float(p))}$" for p in question.probabilities))))
        rows.append((Latex("others' data"), _number(question.others)))
    return tuple(rows)


def _closed_forms(answers: Answers) -> list[tuple[str, Latex]]:
    forms = []
    if answers.lone:
        result = answers.lone[0]
        forms += [(f"{name} (Theorem 2.3):", Latex(f"{symbol} = {result.closed_form[key]}"))
                  for key, symbol, name in _LONE if key in result.closed_form and result.closed_form[key] != "0"]
    for static in answers.statics:
        symbol = SYMBOLS.get(static.quantity, static.quantity)
        forms += [(rf"Derivative of ${symbol}$ with respect to ${escape_text(d.wrt)}$ (Model \S12, {d.method}):",
                   Latex(rf"\frac{{\partial {symbol}}}{{\partial {d.wrt}}} = {d.expression}"))
                  for d in static.derivatives if d.expression]
    return [(Latex(label), formula) for label, formula in forms]


def _values(answers: Answers) -> list[tuple[Any, Any]]:
    rows: list[tuple[Any, Any]] = []
    bands = answers.bands
    for result in answers.lone:
        at = rf" at $c = {format_number(float(result.cost))}$"
        rows += [(Latex(f"${symbol}${at if key in ('optimal_data', 'optimal_utility') else ''}"),
                  _band(bands[key]) if key in bands else _number(getattr(result, key))) for key, symbol, _ in _LONE]
    for name, eq in answers.equilibria.items():
        tag = "Eq.~(10)" if name == "standard" else "Eq.~(13)"
        contributions = eq.contributions
        total = f"total_{name}"
        rows.append((Latex(f"total data $M$, {tag}"), _band(bands[total]) if total in bands else _number(eq.total)))
        rows.append((Latex(f"contributions $m_i$, {tag}"), Latex(
            f"${format_number(float(contributions.min()))}$ to ${format_number(float(contributions.max()))}$")))
        rows.append((Latex(f"verified, {tag}"), Latex(
            ("yes" if eq.verified else r"\textbf{no}") + rf": no deviation gains more than "
            rf"${format_number(eq.verification.tolerance, 2)}$")))
    if answers.screening is not None:
        data = answers.screening.to_dict()
        rows += [(Latex(f"type {k + 1} (cost ${format_number(c)}$): data, information rent"),
                  Latex(f"{_number(m)}, {_number(r)}"))
                 for k, (c, m, r) in enumerate(zip(data["costs"], data["contributions"], data["information_rents"]))]
        rows.append((Latex(r"expected data $\sum_k p_k m_k$"), _number(data["expected_data"])))
        if "regime" in data:
            rows.append((Latex("regime (App.~B)"), Latex(escape_text(data["regime"]))))
        rows.append((Latex("screening menu verified"), Latex("yes" if data["verified"] else r"\textbf{no}")))
    if answers.comparison is not None:
        rows += [(Latex(f"compared: {escape_text(name)}"), Latex(text))
                 for name, text in answers.comparison.summary_rows()]
        rows += [(Latex(f"compared: {escape_text(name)}"), Latex(escape_text(f"not applicable: {reason}")))
                 for name, reason in answers.comparison.skipped]
    for static in answers.statics:
        symbol = SYMBOLS.get(static.quantity, static.quantity)
        rows.append((Latex(f"${symbol}$ (statics point)"), _number(static.value)))
        rows += [(Latex(rf"$\partial {symbol}/\partial {d.wrt}$, elasticity"),
                  Latex(f"{_number(d.value)}, " + ("--" if d.elasticity is None else _number(d.elasticity))))
                 for d in static.derivatives]
    return rows


def _fit_figure(answers: Answers) -> Figure:
    fits = answers.study.fits
    assert fits is not None
    g = fits.curve.groups
    grid = np.geomspace(g.sizes[0], g.sizes[-1], 120)
    best = fits.require_best()
    series = [Series("measured (mean over seeds)", g.sizes.tolist(), g.means.tolist(),
                     style="only marks, mark=*, mark size=1pt, black")]
    styles = iter(("blue", "red", "black!60!green", "orange", "violet"))
    for fit in fits.fits:
        if not fit.unusable_reason:
            label = FAMILY_LABELS.get(fit.family, "expression") + (" (chosen)" if fit is best else "")
            series.append(Series(label, grid.tolist(), fit.bound.a_np(grid).tolist(),
                                 style=next(styles, "gray") + ("" if fit is best else ", dashed")))
    return Figure("Measured learning curve and the fitted accuracy functions", Latex("training-set size $m$"),
                  "accuracy", tuple(series), xmode="log",
                  caption=f"Means of the {answers.study.curve_source} and the usable fits.")


def _optimal_data_figure(answers: Answers) -> Figure:
    study = answers.study
    c_max = float(individual(study.accuracy, 1).viability_cost)
    costs = np.geomspace(c_max * 1e-3, c_max * 0.95, _CURVE_POINTS)
    lines: list[tuple[float, Any]] = [(c_max, Latex("$c_{max}$"))]
    series: tuple[Series, ...]
    if study.fits is not None:
        m_star, lower, upper = study.fits.require_best().optimal_data_bands(costs)
        series = (Series(Latex("$m^*$"), costs.tolist(), m_star.tolist(), style="blue"),
                  Series(Latex(r"95\% band"), costs.tolist(), lower.tolist(), style="blue, dashed, thin"),
                  Series("", costs.tolist(), upper.tolist(), style="blue, dashed, thin"))
    else:
        series = (Series(Latex("$m^*$"), costs.tolist(), optimal_data_array(study.accuracy, costs).tolist(),
                         style="blue"),)
    if study.equal is not None and float(study.equal[1]) < c_max:
        lines.insert(0, (float(study.equal[1]), Latex("$c$")))
    return Figure("Optimal data of one agent against its marginal cost (Theorem 2.3)",
                  Latex("marginal cost $c$"), Latex("optimal data $m^*$"), series, xmode="log", ymode="log",
                  vertical_lines=tuple(lines),
                  caption="Up to 0.95 times the viability cost; an agent facing a cost above it collects nothing.")


def study_section(answers: Answers) -> Section:
    """The report section of a study (key: the presentation's label)."""
    study = answers.study
    presentation = study.presentation
    builders = {"fit": _fit_figure, "optimal_data": _optimal_data_figure}
    steps = []
    if study.lone_agent:
        steps.append(Step(Latex("Utility of one agent alone, maximised over $m$ (Theorem 2.3):"),
                          Latex(r"u(m) = a(m) - c\,m")))
    return Section(
        key=presentation.label, title=presentation.title, source=f"study file {study.file.path.name}",
        statement=_statement(answers), parameters=_parameters(answers), steps=tuple(steps),
        closed_forms=tuple(_closed_forms(answers)), values=tuple(_values(answers)), checks=answers.checks,
        figures=tuple(builders[name](answers) for name in presentation.figures))
