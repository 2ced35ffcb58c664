r"""The table of fitted accuracy functions (Model §10): parameters with standard errors, AIC, the chosen family.

One ``tabularx`` of the line width (booktabs) that ``fedsym fit --latex`` prints and a study
section shows: a row per family with each parameter as
:math:`\hat\theta \pm \mathrm{se}` (:math:`\pm\infty` when the parameter is not
identified), AIC and whether the fit is usable downstream; the
family chosen by AIC among the usable fits carries a :math:`\star`.
"""

from __future__ import annotations

import sympy as sp

from fedsym.core.latex import Latex, escape_text, format_number, sympy_latex
from fedsym.paper.fitting import CurveFits, FitResult

__all__ = ["FAMILY_LABELS", "family_label", "parameter_text", "fit_table"]

#: how the paper names its families in a table
FAMILY_LABELS = {"simplified": "Eq. (3)", "generalization-bound": "Eq. (2)", "power-law": "power law"}


def family_label(fit: FitResult) -> str:
    """The family's name in the paper (``Eq. (3)``), or the user's expression, as escaped text."""
    return escape_text(FAMILY_LABELS.get(fit.family, fit.family))


def parameter_text(fit: FitResult, digits: int = 4) -> Latex:
    r"""Each fitted parameter as ``$\theta = value \pm se$`` (``^\dagger``: at a bound of its range)."""
    return Latex(", ".join(
        rf"${sympy_latex(sp.Symbol(name))} = {format_number(value, digits)} \pm {format_number(se, 2)}$"
        + (r"$^\dagger$" if name in fit.at_bound else "")
        for (name, value), (_, se) in zip(fit.parameters, fit.standard_errors)))


def fit_table(fits: CurveFits) -> Latex:
    r"""The fits of one curve as a ``tabularx`` of the line width: family (:math:`\star` chosen), parameters
    :math:`\pm` s.e. (the wide column, wrapping), AIC, usable
    (the RMSE and BIC are in ``fedsym fit``'s JSON)."""
    rows = []
    for fit in fits.fits:
        chosen = r"$\star$" if fits.best is fit else ""
        usable = "yes" if not fit.unusable_reason else "no"
        rows.append(rf"{family_label(fit)}{chosen} & {parameter_text(fit)} & ${format_number(fit.aic, 4)}$ & "
                    rf"{usable} \\")
    best = fits.best
    chosen_text = (rf"$\star$ chosen by AIC among the usable fits: {family_label(best)}" if best is not None
                   else "no fitted family is usable")
    return Latex("\n".join([
        r"\noindent{\footnotesize\setlength{\tabcolsep}{3pt}%",
        r"\begin{tabularx}{\linewidth}{@{}l>{\raggedright\arraybackslash}Xrl@{}}",
        r"\toprule",
        r"Family & Parameters $\pm$ s.e. & AIC & usable \\",
        r"\midrule",
        *rows,
        r"\bottomrule",
        rf"\multicolumn{{4}}{{@{{}}>{{\raggedright\arraybackslash}}p{{\linewidth}}@{{}}}}{{{chosen_text}}} \\",
        r"\end{tabularx}}"]))
