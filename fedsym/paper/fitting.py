r"""Fit accuracy functions to measured learning curves (Model §10, extension).

:func:`fit_family` fits one :class:`~fedsym.model.accuracy.AccuracyFunction` (a
family of Model §1 or any user expression; its free parameters are the
expression's parameters, minus any held fixed) to a
:class:`~fedsym.model.learning_curve.LearningCurve`; :func:`fit_curve` fits several
and chooses one.

Method
------
* **Data.** The fit works on the per-size means :math:`\bar y_j` of the
  :math:`J` distinct training-set sizes.  With repeated seeds the weight of
  size :math:`j` is :math:`w_j = n_j/\sigma_j^2`, the inverse variance of its
  mean, where :math:`\sigma_j^2 = (\nu_j s_j^2 + \nu_0 \tilde s^2)/(\nu_j + \nu_0)`
  shrinks the seed variance :math:`s_j^2` (:math:`\nu_j = n_j - 1` degrees of
  freedom, floored at a hundredth of the median) towards the median seed variance
  :math:`\tilde s^2` with :math:`\nu_0 = 10`: weights estimated from a handful
  of seeds are noisy and would make the standard errors too small by about a
  third with five seeds, while 100 seeds keep their own variance.  Without repeats (or without any spread)
  the fit is unweighted.  This gives the same estimate as weighted least squares
  on every measurement.
* **Least squares.** :func:`scipy.optimize.least_squares` (trust-region
  reflective) on :math:`r_j = \sqrt{w_j}(\bar y_j - \hat a(m_j;\theta))` with
  the analytic Jacobian :math:`\partial\hat a/\partial\theta` differentiated by
  sympy and lambdified to numpy.
* **Bounds** keep the family valid: each parameter's range
  (:class:`~fedsym.model.accuracy.ParameterSpec`, e.g. :math:`0 < a_{opt} \le 1`,
  :math:`k, b, \beta, \alpha > 0`) and the domain of :math:`\hat a` covering the
  data (Eq. (2): :math:`k e^{-2} < \min_j m_j`).
* **Starting values** come from the data, not from the curve at hand:
  for Eq. (3) the linear regression of :math:`\bar y` on :math:`m^{-1/2}`; for
  the power law the best linear regression on :math:`m^{-\alpha}` over a grid of
  :math:`\alpha`; for Eq. (2) the best linear fit in :math:`(a_{opt}, b)` over a
  grid of :math:`k`; for a user expression the best of several starts drawn
  log-uniformly from each parameter's sample range (fixed seed).
* **Uncertainty.** :math:`\mathrm{Cov}(\hat\theta) = s^2 (J_w^\top J_w)^{-1}`
  with :math:`s^2 = \chi^2/(J - p)` (the scale is estimated, so a systematic
  misfit widens the errors, as ``curve_fit(absolute_sigma=False)``).
* **Comparison.** :math:`\mathrm{AIC} = J\ln(\chi^2/J) + 2(p+1)`,
  :math:`\mathrm{BIC} = J\ln(\chi^2/J) + (p+1)\ln J` (Gaussian errors with the
  weights above and an unknown scale).  :attr:`CurveFits.best` is the lowest
  **AIC** among the usable fits: (1) holds over the data range and Theorem 2.3's
  :math:`c_{max}` exists where (1) holds (:attr:`FitResult.unusable_reason`).
* **Assumption (1)** over the data range: :math:`\hat a' \ge 0` and
  :math:`\hat a'' \le 0` wherever :math:`\hat a > 0`, checked on
  :data:`ASSUMPTION_GRID` log-spaced points between the smallest and the
  largest size (plus the sizes themselves).
* **Bands** on downstream quantities (:math:`m^*`, :math:`c_{max}`, equilibrium
  totals) by the **delta method**: the gradient over the fitted parameters by
  central differences of the quantity computed at full precision, then
  :math:`\mathrm{se} = \sqrt{g^\top\mathrm{Cov}\,g}` and a 95% band on the log
  scale (:math:`q\,e^{\pm 1.96\,\mathrm{se}/q}`), on the linear scale clipped at
  0 when the quantity or a perturbed value is 0 (a cost near :math:`c_{max}`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import least_squares

from fedsym.core import symbols as S
from fedsym.core.errors import AssumptionError, ParameterError
from fedsym.core.expression import lambdify_numpy
from fedsym.core.latex import LatexRepr, align, escape_text, format_number, sympy_latex
from fedsym.model.accuracy import (
    FAMILIES,
    AccuracyFunction,
    BoundAccuracy,
    ParameterSpec,
    accuracy_function,
)
from fedsym.model.learning_curve import LearningCurve
from fedsym.paper.equilibrium import shaping_equilibrium, standard_equilibrium
from fedsym.paper.lone_agent import individual, optimal_data_array

__all__ = [
    "ASSUMPTION_GRID",
    "BAND_Z",
    "DEFAULT_FAMILIES",
    "FIXED",
    "Band",
    "CurveFits",
    "FitAssumption",
    "FitResult",
    "WeightedMeans",
    "fit_curve",
    "fit_family",
    "weighted_means",
]

#: families fitted when none is named
DEFAULT_FAMILIES: tuple[str, ...] = ("simplified", "generalization-bound", "power-law")
#: parameters held fixed when a family is fitted: the power law's a_opt - tau is one parameter (Model §10)
FIXED: dict[str, dict[str, float]] = {"power-law": {"tau": 0.0}}
#: log-spaced points of the assumption (1) check over the data range
ASSUMPTION_GRID = 512
#: normal quantile of the 95% bands
BAND_Z = 1.959963984540054
#: a parameter within this relative distance of a bound counts as at the bound
_AT_BOUND = 1e-6
#: degrees of freedom of the median seed variance each size's variance is shrunk towards
_PRIOR_DOF = 10
#: standard errors by which the last mean must lie below the first for the data to fall (LearningCurve.falls)
_FALL_Z = 3.0
#: largest log-scale half-width of a band; beyond it the band is [0, inf) (exp would overflow)
_LOG_SPREAD_MAX = 700.0
#: grids of the starting-value searches
_ALPHAS = np.geomspace(0.02, 3.0, 40)
_STARTS = 8


# -- the lambdified model ----------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _Model:
    """:math:`\\hat a`, its gradient in the free parameters and its m-derivatives as numpy functions."""

    function: AccuracyFunction
    fixed: tuple[tuple[str, float], ...]
    free: tuple[ParameterSpec, ...]
    value: Callable[..., Any]
    gradient: tuple[Callable[..., Any], ...]
    first: Callable[..., Any]
    second: Callable[..., Any]
    domain: sp.Expr

    def evaluate(self, f: Callable[..., Any], m: np.ndarray, theta: Sequence[float] | np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(f(m, *theta), dtype=float) * np.ones_like(m)


@functools.lru_cache(maxsize=64)
def _model(function: AccuracyFunction, fixed: tuple[tuple[str, float], ...]) -> _Model:
    names = dict(fixed)
    unknown = sorted(set(names) - set(function.parameter_names))
    if unknown:
        raise ParameterError(f"cannot fix {unknown[0]!r}: not a parameter of accuracy {function.name!r}")
    subs = {S.positive_symbol(n): sp.Rational(repr(v)) for n, v in fixed}
    expr = function.expr.subs(subs)
    free = tuple(p for p in function.parameters if p.name not in names)
    args = (S.m, *(p.symbol for p in free))
    return _Model(function, fixed, free, lambdify_numpy(args, expr),
                  tuple(lambdify_numpy(args, sp.diff(expr, p.symbol)) for p in free),
                  lambdify_numpy(args, sp.diff(expr, S.m)),
                  lambdify_numpy(args, sp.diff(expr, S.m, 2)),
                  function.domain_lower.subs(subs))


def _bounds(model: _Model, m_min: float) -> tuple[np.ndarray, np.ndarray]:
    """Box bounds from each parameter's range, tightened so the domain of :math:`\\hat a` covers the data."""
    lower = np.array([p.lower if p.lower_closed else p.lower + max(1e-12, 1e-9 * abs(p.lower)) for p in model.free])
    upper = np.array([p.upper if p.upper_closed or math.isinf(p.upper) else p.upper * (1 - 1e-9)
                      for p in model.free])
    for i, p in enumerate(model.free):
        # a domain c*p (Eq. (2): k e^{-2}) must stay below the smallest size
        scale = sp.simplify(model.domain / p.symbol)
        if model.domain != 0 and scale.is_number and scale > 0:
            upper[i] = min(upper[i], m_min / float(scale) * (1 - 1e-9))
    return lower, upper


def _bind(function: AccuracyFunction, values: Mapping[str, float]) -> BoundAccuracy:
    """Bind at the exact decimal value of each float (``repr``), so labels stay short."""
    return function.bind({name: repr(float(v)) for name, v in values.items()})


# -- results ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FitAssumption(LatexRepr):
    """Where assumption (1) holds for a fitted curve over the data range ``[m_min, m_max]``.

    ``holds_from`` is the smallest grid point from which :math:`\\hat a` is
    non-decreasing and concave (where positive) up to ``m_max``, or None when
    (1) fails at ``m_max`` itself.
    """

    m_min: float
    m_max: float
    increasing: bool
    concave: bool
    holds_from: float | None
    grid_points: int

    @property
    def holds_over_data(self) -> bool:
        return self.increasing and self.concave

    def describe(self) -> str:
        if self.holds_over_data:
            return "non-decreasing and concave over the whole data range"
        broken = " and ".join(w for w, ok in (("decreasing", self.increasing), ("convex", self.concave)) if not ok)
        where = f"holds only for m >= {self.holds_from:.6g}" if self.holds_from is not None else "fails at the largest size"
        return f"{broken} somewhere in the data range: (1) {where}"

    def to_dict(self) -> dict[str, Any]:
        return {"holds_over_data": self.holds_over_data, "increasing": self.increasing, "concave": self.concave,
                "holds_from": self.holds_from, "data_range": [self.m_min, self.m_max],
                "method": f"numeric, {self.grid_points} log-spaced points over the data range"}

    def to_latex(self) -> str:
        return rf"\text{{Assumption (1): {escape_text(self.describe())}}}"


@dataclass(frozen=True)
class Band(LatexRepr):
    """A quantity of the fitted curve with its delta-method standard error and 95% band."""

    name: str
    value: float
    standard_error: float
    lower: float
    upper: float
    scale: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        finite = math.isfinite(self.standard_error)
        return {"value": self.value, "standard_error": self.standard_error if finite else None,
                "band": [self.lower, self.upper if math.isfinite(self.upper) else None],
                "method": f"delta method (central differences over the fitted parameters), 95% band, "
                          f"{self.scale} scale", "note": self.note}

    def to_latex(self) -> str:
        upper = format_number(self.upper) if math.isfinite(self.upper) else r"\infty"
        return rf"{self.name} = {format_number(self.value)}\ [{format_number(self.lower)},\ {upper}]"


def _standard_error_latex(value: float) -> str:
    """A standard error; one that is not finite (the parameter is not identified by the data) says so."""
    return format_number(value, 2) if math.isfinite(value) else r"\infty\ \text{(not identified)}"


@dataclass(frozen=True)
class FitResult(LatexRepr):
    """One accuracy function fitted to one learning curve.

    ``parameters`` and ``standard_errors`` are keyed by the free parameter
    names; ``fixed`` holds the parameters held constant (the power law's
    ``tau = 0``).  ``points`` is the number of distinct sizes the criteria use,
    ``observations`` the number of measurements ``sse`` and ``rmse`` use.
    """

    family: str
    function: AccuracyFunction = field(repr=False)
    curve: str
    parameters: tuple[tuple[str, float], ...]
    standard_errors: tuple[tuple[str, float], ...]
    covariance: tuple[tuple[float, ...], ...] = field(repr=False)
    fixed: tuple[tuple[str, float], ...]
    at_bound: tuple[str, ...]
    weighted: bool
    points: int
    observations: int
    chi2: float
    sse: float
    rmse: float
    aic: float
    bic: float
    assumption: FitAssumption
    measured_fall: str = ""

    @property
    def values(self) -> dict[str, float]:
        """Every parameter of the function, fitted and fixed."""
        return {**dict(self.parameters), **dict(self.fixed)}

    @cached_property
    def bound(self) -> BoundAccuracy:
        """The fitted curve as an ordinary accuracy function (for :func:`~fedsym.paper.lone_agent.individual`,
        the equilibria, :func:`~fedsym.paper.screening.result.screen`); :class:`AssumptionError` if (1) fails for large m."""
        return _bind(self.function, self.values)

    @cached_property
    def unusable_reason(self) -> str:
        """Why the fitted curve cannot stand in for an accuracy function downstream, or "" when it can.

        Unusable when the measured accuracy falls over the data range
        (:attr:`measured_fall`: the data break (1) whatever the fit), when (1)
        fails for the fitted curve over the data range, or when Theorem 2.3's
        viability threshold :math:`c_{max}` cannot be computed because the
        steepest ray from the origin touches the curve where (1) fails (Eq. (2)
        fits below the data, Model §1) or the curve is invalid for large m.
        """
        if self.measured_fall:
            return self.measured_fall
        if not self.assumption.holds_over_data:
            return self.assumption.describe()
        try:
            individual(self.bound, 1)
        except AssumptionError as error:
            return str(error)
        return ""

    def _delta(self, quantity: Callable[[BoundAccuracy], Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value, delta-method standard error and whether every perturbed value stays positive (elementwise)."""
        names = [n for n, _ in self.parameters]
        theta = np.array([v for _, v in self.parameters])
        ses = np.array([v for _, v in self.standard_errors])
        value = np.asarray(quantity(self.bound), dtype=float)
        if not np.all(np.isfinite(ses)):
            return value, np.full_like(value, math.inf), np.zeros_like(value, dtype=bool)
        lower, upper = _bounds(_model(self.function, self.fixed), self.assumption.m_min)
        gradient = []
        positive = value > 0
        for i in range(theta.size):
            h = max(0.1 * ses[i], 1e-9 * max(abs(theta[i]), 1e-300))
            up, down = min(theta[i] + h, upper[i]), max(theta[i] - h, lower[i])
            at = [self._quantity_at(names, theta, i, x, quantity) for x in (up, down)]
            positive &= (at[0] > 0) & (at[1] > 0)
            gradient.append((at[0] - at[1]) / (up - down))
        g = np.stack(gradient, axis=-1)
        variance = np.einsum("...i,ij,...j->...", g, np.array(self.covariance), g)
        return value, np.sqrt(np.maximum(variance, 0.0)), positive

    def band(self, name: str, quantity: Callable[[BoundAccuracy], Any]) -> Band:
        """*quantity* of the fitted curve with its delta-method band (see the module notes)."""
        value_a, se_a, positive = self._delta(quantity)
        value, se = float(value_a), float(se_a)
        if not math.isfinite(se):
            return Band(name, value, math.inf, 0.0, math.inf, "linear", "a parameter is not identified")
        if bool(positive):
            log_spread = BAND_Z * se / value
            if log_spread > _LOG_SPREAD_MAX:
                return Band(name, value, se, 0.0, math.inf, "log",
                            "the band spans every positive value: the fitted parameters do not determine it")
            spread = math.exp(log_spread)
            return Band(name, value, se, value / spread, value * spread, "log")
        note = "the quantity is 0 at or near the fitted parameters (a cost near c_max): band clipped at 0"
        return Band(name, value, se, max(0.0, value - BAND_Z * se), value + BAND_Z * se, "linear", note)

    def optimal_data_bands(self, costs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:math:`m^*` over an array of costs with the lower and upper ends of its 95% band (as :meth:`band`,
        vectorized through :func:`~fedsym.paper.lone_agent.optimal_data_array`)."""
        costs = np.asarray(costs, dtype=float)
        value, se, positive = self._delta(lambda bound: optimal_data_array(bound, costs))
        with np.errstate(all="ignore"):
            spread = np.exp(BAND_Z * se / np.where(positive, value, 1.0))
        lower = np.where(positive, value / spread, np.maximum(0.0, value - BAND_Z * se))
        upper = np.where(positive, value * spread, value + BAND_Z * se)
        for array in (value, lower, upper):
            array.setflags(write=False)
        return value, lower, upper

    def _quantity_at(self, names: list[str], theta: np.ndarray, i: int, x: float,
                     quantity: Callable[[BoundAccuracy], Any]) -> np.ndarray:
        point = dict(zip(names, theta.tolist()))
        point[names[i]] = x
        return np.asarray(quantity(_bind(self.function, {**point, **dict(self.fixed)})), dtype=float)

    def optimal_data(self, cost: Any) -> Band:
        """:math:`m^*` at *cost* (Theorem 2.3) with its band."""
        return self.band("m^*", lambda bound: individual(bound, cost).optimal_data)

    def viability_cost(self) -> Band:
        """:math:`c_{max}` (Theorem 2.3) with its band."""
        return self.band("c_{max}", lambda bound: individual(bound, 1).viability_cost)

    def equilibrium_totals(self, cost: Any, n: int) -> dict[str, Band]:
        """Total data of *n* agents of equal *cost* under Eq. (10) (Theorem 3.4) and Eq. (13) (Theorem 4.2)."""
        costs = [cost] * n
        return {"standard": self.band("M_{standard}", lambda b: standard_equilibrium(b, costs, verify=False).total),
                "shaping": self.band("M_{shaping}", lambda b: shaping_equilibrium(b, costs, verify=False).total)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: parameters, standard errors (None when not identified), fit quality, assumption (1)."""
        return {"family": self.family, "curve": self.curve, "parameters": dict(self.parameters),
                "standard_errors": {n: (v if math.isfinite(v) else None) for n, v in self.standard_errors},
                "fixed": dict(self.fixed), "at_bound": list(self.at_bound), "weighted": self.weighted,
                "points": self.points, "observations": self.observations, "chi2": self.chi2,
                "sse": self.sse, "rmse": self.rmse, "aic": self.aic, "bic": self.bic,
                "assumption": self.assumption.to_dict(), "measured_fall": self.measured_fall}

    def to_latex(self) -> str:
        """An ``align*`` block: each parameter (its symbol) with its standard error, RMSE, AIC, BIC."""
        lines = [rf"{sympy_latex(sp.Symbol(name))} &= {format_number(v)} \pm {_standard_error_latex(se)}"
                 for (name, v), (_, se) in zip(self.parameters, self.standard_errors)]
        lines.append(rf"\text{{RMSE}} &= {format_number(self.rmse, 4)},\ \text{{AIC}} = {format_number(self.aic, 5)},"
                     rf"\ \text{{BIC}} = {format_number(self.bic, 5)}")
        return align(lines)


@dataclass(frozen=True)
class CurveFits(LatexRepr):
    """Several functions fitted to one curve, and the one chosen by AIC among those satisfying (1)."""

    curve: LearningCurve
    fits: tuple[FitResult, ...]
    criterion: str = "aic"

    @property
    def best(self) -> FitResult | None:
        """Lowest AIC among the usable fits (:attr:`FitResult.unusable_reason` empty); None when none is."""
        return next((f for f in sorted(self.fits, key=lambda f: f.aic) if not f.unusable_reason), None)

    def require_best(self) -> FitResult:
        """:attr:`best`, or :class:`AssumptionError` listing why each fit is unusable."""
        best = self.best
        if best is None:
            falls = {f.measured_fall for f in self.fits}
            reasons = falls.pop() if len(falls) == 1 and "" not in falls else \
                "; ".join(f"{f.family}: {f.unusable_reason}" for f in self.fits)
            raise AssumptionError(f"curve {self.curve.label}: no fitted family is usable ({reasons})")
        return best

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {"curve": self.curve.label, "source": self.curve.source, "observations": len(self.curve.sizes),
                "points": int(self.curve.groups.sizes.size), "criterion": self.criterion,
                "families": {f.family: {**f.to_dict(), "unusable_reason": f.unusable_reason} for f in self.fits},
                "best": best.family if best is not None else None}

    def to_latex(self) -> str:
        return "\n".join(f.to_latex() for f in self.fits)


# -- fitting -------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeightedMeans:
    """Distinct sizes, mean score at each and its least-squares weight (module notes)."""

    sizes: np.ndarray
    means: np.ndarray
    weights: np.ndarray
    weighted: bool


def weighted_means(curve: LearningCurve) -> WeightedMeans:
    """The per-size means the fit uses and their weights (inverse variance of each mean, shrunk; module notes)."""
    g = curve.groups
    positive = g.spreads[(g.counts > 1) & (g.spreads > 0)]
    if positive.size == 0:
        return WeightedMeans(g.sizes, g.means, np.ones_like(g.means), False)
    typical = float(np.median(positive)) ** 2
    dof = np.maximum(g.counts - 1, 0)
    variance = (dof * np.maximum(g.spreads**2, 0.01 * typical) + _PRIOR_DOF * typical) / (dof + _PRIOR_DOF)
    return WeightedMeans(g.sizes, g.means, g.counts / variance, True)


def _linear(columns: Sequence[np.ndarray], y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted linear least squares: coefficients and chi-square."""
    root = np.sqrt(w)
    design = np.column_stack(columns) * root[:, None]
    coef, *_ = np.linalg.lstsq(design, y * root, rcond=None)
    return coef, float(np.sum((design @ coef - y * root) ** 2))


def _family_starts(name: str, data: WeightedMeans, upper: np.ndarray) -> list[np.ndarray]:
    """Starting values of the built-in families from linear regressions (module notes)."""
    m, y, w = data.sizes, data.means, data.weights
    one, inv_root = np.ones_like(m), -m ** -0.5
    if name == "simplified":
        (a, s), _ = _linear((one, inv_root), y, w)
        return [np.array([a, (max(s, 1e-6) / 2) ** 2])]
    if name == "power-law":
        found = [(chi2, a, beta, alpha) for alpha in _ALPHAS
                 for (a, beta), chi2 in [_linear((one, -m ** -alpha), y, w)] if beta > 0]
        chi2, a, beta, alpha = min(found) if found else (0.0, float(np.max(y)), 1e-3, 0.5)
        return [np.array([a, beta, alpha])]
    if name == "generalization-bound":
        candidates = []
        for k in np.geomspace(1e-4, upper[1] * 0.999, 40):
            shifted = y + np.sqrt(2 * k * (2 + np.log(m / k))) / np.sqrt(m)
            (a, b), chi2 = _linear((one, inv_root), shifted, w)
            candidates.append((chi2, a, k, max(b, 1e-3)))
        _, a, k, b = min(candidates)
        return [np.array([a, k, b])]
    raise KeyError(name)


def _interior(start: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """*start* moved strictly inside the bounds (a non-finite entry to 1, clipped)."""
    width = np.where(np.isfinite(upper - lower), upper - lower, np.maximum(np.abs(lower), 1.0))
    x0 = np.where(np.isfinite(start), start, 1.0)
    return np.clip(x0, lower + 1e-6 * width, upper - 1e-6 * width)


def _random_starts(model: _Model, data: WeightedMeans) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    starts = []
    for _ in range(_STARTS):
        point = []
        for p in model.free:
            lo, hi = p.sample
            point.append(float(np.max(data.means)) if p.name == "a_opt"
                         else math.exp(rng.uniform(math.log(lo), math.log(hi))) if lo > 0 else rng.uniform(lo, hi))
        starts.append(np.array(point))
    return starts


def _assumption(model: _Model, theta: np.ndarray, m_min: float, m_max: float) -> FitAssumption:
    grid = np.unique(np.concatenate([np.geomspace(m_min, m_max, ASSUMPTION_GRID), [m_min, m_max]]))
    value, first, second = (model.evaluate(f, grid, theta) for f in (model.value, model.first, model.second))
    scale = np.abs(first) + np.abs(value) / grid
    positive = value > 0
    rising = ~positive | (np.isfinite(first) & (first >= -1e-12 * scale))
    concave = ~positive | (np.isfinite(second) & (second <= 1e-12 * scale / grid))
    bad = np.flatnonzero(~(rising & concave))
    holds_from = float(m_min) if bad.size == 0 else (float(grid[bad[-1] + 1]) if bad[-1] + 1 < grid.size else None)
    return FitAssumption(float(m_min), float(m_max), bool(np.all(rising)), bool(np.all(concave)),
                         holds_from, int(grid.size))


def fit_family(curve: LearningCurve, family: str | AccuracyFunction,
               fixed: Mapping[str, float] | None = None) -> FitResult:
    """Least-squares fit of one accuracy function to *curve* (method in the module notes).

    Parameters
    ----------
    curve:
        The measurements.
    family:
        A family name of :data:`~fedsym.model.accuracy.FAMILIES`, a user expression
        in ``m`` or an :class:`~fedsym.model.accuracy.AccuracyFunction`.
    fixed:
        Parameters held constant (default :data:`FIXED` for the family).

    Raises
    ------
    ParameterError
        Naming the curve when it has no more distinct sizes than the function
        has free parameters.
    """
    function = family if isinstance(family, AccuracyFunction) else accuracy_function(family)
    fixed = dict(FIXED.get(function.name, {}) if fixed is None else fixed)
    model = _model(function, tuple(sorted((k, float(v)) for k, v in fixed.items())))
    data = weighted_means(curve)
    p, points = len(model.free), int(data.sizes.size)
    if p == 0:
        raise ParameterError(f"fit: accuracy {function.name!r} has no free parameter to fit "
                             "(name one in the expression, e.g. a_opt - k/m)")
    if points <= p:
        raise ParameterError(f"learning curve {curve.label}: {points} distinct training-set sizes cannot fit the "
                             f"{p} parameters of {function.name!r} with standard errors (needs at least {p + 1})")
    lower, upper = _bounds(model, float(data.sizes[0]))
    root_w = np.sqrt(data.weights)

    def residuals(theta: np.ndarray) -> np.ndarray:
        r = root_w * (data.means - model.evaluate(model.value, data.sizes, theta))
        return np.where(np.isfinite(r), r, 1e3)

    def jacobian(theta: np.ndarray) -> np.ndarray:
        columns = [-root_w * model.evaluate(g, data.sizes, theta) for g in model.gradient]
        jac = np.column_stack(columns)
        return np.where(np.isfinite(jac), jac, 0.0)

    starts = (_family_starts(function.name, data, upper) if function.name in FAMILIES
              else _random_starts(model, data))
    best = None
    for start in starts:
        x0 = _interior(start, lower, upper)
        solution = least_squares(residuals, x0, jac=jacobian, bounds=(lower, upper), x_scale="jac", method="trf",
                                 max_nfev=200 * (p + 1))
        if best is None or solution.cost < best.cost:
            best = solution
    assert best is not None
    theta = best.x
    chi2 = float(max(2 * best.cost, 1e-300))
    jac = jacobian(theta)
    scale = chi2 / (points - p)
    information = jac.T @ jac
    if np.linalg.matrix_rank(information) < p:
        covariance = np.full((p, p), math.inf)
    else:
        covariance = scale * np.linalg.inv(information)
    ses = np.sqrt(np.abs(np.diag(covariance)))
    raw = np.asarray(curve.sizes, dtype=float)
    errors = np.asarray(curve.scores, dtype=float) - model.evaluate(model.value, raw, theta)
    sse = float(np.sum(errors**2))
    names = tuple(p_.name for p_ in model.free)
    width = np.where(np.isfinite(upper - lower), upper - lower, np.maximum(np.abs(theta), 1.0))
    at_bound = tuple(n for n, x, lo, hi, wd in zip(names, theta, lower, upper, width)
                     if x - lo <= _AT_BOUND * wd or hi - x <= _AT_BOUND * wd)
    log_term = points * math.log(chi2 / points)
    return FitResult(
        family=function.name, function=function, curve=curve.label,
        parameters=tuple(zip(names, (float(x) for x in theta))),
        standard_errors=tuple(zip(names, (float(s) for s in ses))),
        covariance=tuple(tuple(float(x) for x in row) for row in covariance),
        fixed=tuple(sorted(fixed.items())), at_bound=at_bound, weighted=data.weighted, points=points,
        observations=len(curve.sizes), chi2=chi2, sse=sse, rmse=math.sqrt(sse / len(curve.sizes)),
        aic=log_term + 2 * (p + 1), bic=log_term + (p + 1) * math.log(points),
        assumption=_assumption(model, theta, float(data.sizes[0]), float(data.sizes[-1])),
        measured_fall=_measured_fall(curve))


def _measured_fall(curve: LearningCurve) -> str:
    """Why the measurements themselves break (1) (:meth:`LearningCurve.falls`), or ""."""
    if not curve.falls(_FALL_Z):
        return ""
    g = curve.groups
    return (f"the measured accuracy falls from {g.means[0]:.6g} at m = {g.sizes[0]:g} to {g.means[-1]:.6g} "
            f"at m = {g.sizes[-1]:g} (beyond {_FALL_Z:g} standard errors): (1) fails for the data")


def fit_curve(curve: LearningCurve, families: Iterable[str | AccuracyFunction] = DEFAULT_FAMILIES) -> CurveFits:
    """Fit every function of *families* to *curve*; :attr:`CurveFits.best` is chosen by AIC among those satisfying (1)."""
    fits = tuple(fit_family(curve, family) for family in families)
    if not fits:
        raise ParameterError("fit: name at least one family")
    return CurveFits(curve, fits)
