r"""Screening with :math:`K \ge 2` private cost types for one agent (Model §9, **extension** of App. B).

Types :math:`c_1 < \dots < c_K` with probabilities :math:`p_k > 0`; the others'
data :math:`m_{-i}` is fixed and :math:`A(m) = a(m + m_{-i})` is the cap
(:class:`fedsym.paper.screening.menu.Cap`).  A menu :math:`(m_k, \gamma_k)` with
utilities :math:`U_k = \gamma_k - c_k m_k` maximizes :math:`\sum_k p_k m_k` subject to

* feasibility :math:`S_k(m_k) := A(m_k) - c_k m_k \ge U_k` (the point is under the cap),
* IR :math:`U_k \ge u_k^*` (the lone optimum, Theorem 2.3),
* IC, which with single crossing is the adjacent pair
  :math:`\Delta_k m_{k+1} \le U_k - U_{k+1} \le \Delta_k m_k`, :math:`\Delta_k = c_{k+1} - c_k`
  ("down": type :math:`k` does not take :math:`k+1`'s point; "up": :math:`k+1` does not take
  :math:`k`'s); together they give :math:`m_1 \ge \dots \ge m_K`, and then all
  :math:`K(K-1)` IC constraints hold.

**Structure.**  In the variables :math:`(m, U)` the objective is linear, every
constraint but feasibility is linear, and :math:`S_k` is concave where
:math:`\hat a` is (assumption (1)): the program is convex, so the Karush-Kuhn-Tucker
conditions are necessary and sufficient.  With multipliers :math:`\lambda_k` (feasibility),
:math:`\nu_k` (IR), :math:`\delta_k` (IC down), :math:`\upsilon_k` (IC up), stationarity reads

.. math::
    p_k = \lambda_k\,(c_k - A'(m_k)) + \Delta_{k-1}\delta_{k-1} - \Delta_k\upsilon_k,\qquad
    \lambda_k = \nu_k + \delta_k - \delta_{k-1} - \upsilon_k + \upsilon_{k-1}.

Lowering every :math:`U_k` to the least value IC down and IR allow,
:math:`U_K = u_K^*` and :math:`U_k = \max(u_k^*, U_{k+1} + \Delta_k m_{k+1})`,
keeps feasibility, IR and IC down (IC up too whenever it binds only through
monotonicity), so the highest cost type's IR binds (Theorem B.3 generalized; the
solver does not assume it, every solved instance shows it) and utilities form **rent
blocks**: runs of types :math:`a..b` in which IC down binds, closed by a type
whose IR binds.  In a block with no pooling (:math:`\upsilon = 0`) the sums
:math:`\Lambda_k = \delta_{k-1} = \sum_{a \le j < k}\lambda_j` give, per type,

* on the cap (:math:`\lambda_k > 0`, :math:`\gamma_k = A(m_k)`):
  :math:`A'(m_k) = c_k - (p_k - \Delta_{k-1}\Lambda_k)/\lambda_k`;
* below the cap (:math:`\lambda_k = 0`): :math:`\Lambda_k = p_k/\Delta_{k-1}`, its data
  set by IC down, :math:`m_k = (U_{k-1} - U_k)/\Delta_{k-1}`.

The top type :math:`a` of a block that no type above envies (:math:`\delta_{a-1} = 0`)
is on the cap (:math:`\lambda_a = p_a/(c_a - A'(m_a)) > 0`).  When it is followed by a type
below the cap, :math:`\lambda_a = p_{a+1}/\Delta_a` and

.. math:: A'(m_a) = c_a - \frac{p_a\,\Delta_a}{p_{a+1}},

the generalization of Eq. (15) (:math:`K = 2`: :math:`c_L - p(c_H - c_L)/(1 - p)`);
with Eq. (3) it is the closed form :math:`m_a = m^*(s) - m_{-i}`,
:math:`m^*(s) = (k/s^2)^{1/3}`.  Generally the cap slope of a cap type between
two below-cap types is :math:`c_k - (p_k - \Delta_{k-1}\Lambda_k)/(p_{k+1}/\Delta_k - \Lambda_k)`,
explicit in the primitives.  Regimes that occur (all seen in the tests):
*separating* (IC down holds at the IR kink :math:`U_{k+1} + \Delta_k m_{k+1} = u_k^*`,
Model §6 regime 1), *rent* (a block with interior Eq. (15)-type optima),
*capped* (a below-cap type reaches its own cap), *pooling* (:math:`m_k = m_{k+1}`,
IC up binds: the multiplier :math:`\upsilon_k > 0` irons two types whose separate
conditions would reverse :math:`m_k \ge m_{k+1}`), and *no rent* when :math:`m_{-i}` is small
(Model §6 regime 4).

Convexity needs :math:`S_k` concave on the feasible set: true where :math:`\hat a` is
concave and :math:`A > 0`.  With :math:`m_{-i} = 0` every :math:`S_k` touches :math:`u_k^*`
only at :math:`m_k^*`, so the menu of lone optima is the only feasible one (handled
directly).

**Computation.**  :func:`optimal_menu_k`: a double-precision SLSQP solve of the
convex program locates the active constraints; Newton's method on the KKT system of
that active set (residual in mpmath at :data:`fedsym.core.solve.DPS` digits) polishes
it; non-negative multipliers (non-negative least squares in double precision,
stationarity residual at most :attr:`fedsym.core.settings.Settings.kkt_tolerance`) *certify* optimality,
and a wrong guess of the active set is corrected (a constraint with a negative
multiplier is dropped, a violated one added) until the certificate holds.  For
:math:`K = 2`, if no active set reachable from the presolve is certified, the search starts
again from App. B's closed-form menu (:func:`fedsym.paper.screening.menu.optimal_menu`).
Contributions are scaled per type by the known-cost contribution :math:`\bar m_k`
(:func:`_data_scales`), so cost spreads of :math:`10^{20}` keep the KKT system well conditioned.
Every menu is then checked against all :math:`K(K-1)` IC, IR and feasibility constraints
(:meth:`KMenu.max_violation`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp
from scipy.linalg import lstsq
from scipy.optimize import minimize, nnls

from fedsym.core.checkrow import CheckRow
from fedsym.core.derived import exact_rational, mp_value
from fedsym.core.errors import ConvergenceError, DerivationError, ParameterError
from fedsym.core.latex import LatexRepr, align, format_number, sympy_latex
from fedsym.core.settings import current_settings
from fedsym.core.solve import DPS
from fedsym.model.accuracy import BoundAccuracy, parse_number
from fedsym.model.agent import ACCURACY
from fedsym.paper.screening.cost_types import MIN_RELATIVE_COST_GAP, PROB_SUM_TOLERANCE, KTypes, virtual_cost
from fedsym.paper.screening.menu import Cap, optimal_menu, parse_others
from fedsym.paper.screening.value import parse_screening_value, screening_cap

__all__ = [
    "BINDING_RTOL",
    "MIN_RELATIVE_COST_GAP",
    "PROB_SUM_TOLERANCE",
    "KMenu",
    "KTypes",
    "SweepRow",
    "checks",
    "expected_data_derivative",
    "optimal_menu_k",
    "sweep",
    "virtual_cost",
]

#: relative slack under which a constraint counts as binding in the report (far above the
#: :data:`DPS`-digit polish, far below any modelled quantity)
BINDING_RTOL = mp.mpf(10) ** (-(DPS - 15))


#: constraint kinds of the convex program: feasibility, IR, IC down, IC up, non-negative data
KINDS = ("F", "IR", "D", "Up", "N")


@dataclass(frozen=True)
class _Program:
    r"""The convex program in scaled variables ``z = (x_1..x_K, U_1..U_K)``, ``x_k = m_k/scales[k]``.

    Its objective is :math:`\sum_k p_k m_k / s_1` (:attr:`weights`), :math:`s_1` the cheapest type's unit.
    """

    cap: Cap
    costs: tuple[mp.mpf, ...]
    probs: tuple[mp.mpf, ...]
    alone: tuple[mp.mpf, ...]
    scales: tuple[mp.mpf, ...]

    @property
    def size(self) -> int:
        return len(self.costs)

    @functools.cached_property
    def weights(self) -> np.ndarray:
        """Gradient of the objective in ``z`` (double precision): :math:`p_k s_k / s_1`, then zeros."""
        return np.array([float(w) for w in self.mp_weights] + [0.0] * self.size)

    @functools.cached_property
    def mp_weights(self) -> tuple[mp.mpf, ...]:
        """:math:`p_k s_k / s_1` in mpmath."""
        return tuple(p * s / self.scales[0] for p, s in zip(self.probs, self.scales))

    def constraints(self) -> list[tuple[str, int]]:
        k = self.size
        return ([("F", i) for i in range(k)] + [("IR", i) for i in range(k)]
                + [("D", i) for i in range(k - 1)] + [("Up", i) for i in range(k - 1)] + [("N", k - 1)])

    # -- the cap in scaled units, in mpmath or double precision --------------
    def cap_mp(self, x: mp.mpf, order: int, i: int) -> mp.mpf:
        scale = self.scales[i]
        m = scale * x
        if order == 0:
            return self.cap.value(m)
        # scale, not scale**1: the unit may carry more bits than the working precision (a bracketed root)
        return self.cap.slope(m) * scale if order == 1 else self.cap.second(m) * scale**2

    def cap_float(self, x: float, order: int, i: int) -> float:
        scale = float(self.scales[i])
        return self.cap.derivative_np(scale * x, order) * scale**order

    def value(self, kind: str, i: int, z: Sequence[Any] | np.ndarray, cap: Callable[[Any, int, int], Any],
              num: Callable[[Any], Any]) -> Any:
        """The constraint's slack :math:`g(z) \\ge 0`."""
        k = self.size
        x, u = z[:k], z[k:]
        if kind == "F":
            return cap(x[i], 0, i) - num(self.costs[i] * self.scales[i]) * x[i] - u[i]
        if kind == "IR":
            return u[i] - num(self.alone[i])
        if kind == "N":
            return x[i]
        gap = self.costs[i + 1] - self.costs[i]
        if kind == "D":
            return u[i] - u[i + 1] - num(gap * self.scales[i + 1]) * x[i + 1]
        return num(gap * self.scales[i]) * x[i] - u[i] + u[i + 1]

    def gradient(self, kind: str, i: int, z: Sequence[Any] | np.ndarray, cap: Callable[[Any, int, int], Any],
                 num: Callable[[Any], Any]) -> dict[int, Any]:
        """Non-zero entries of :math:`\\nabla g(z)`."""
        k = self.size
        if kind == "F":
            return {i: cap(z[i], 1, i) - num(self.costs[i] * self.scales[i]), k + i: -1}
        if kind == "IR":
            return {k + i: 1}
        if kind == "N":
            return {i: 1}
        gap = self.costs[i + 1] - self.costs[i]
        if kind == "D":
            return {k + i: 1, k + i + 1: -1, i + 1: -num(gap * self.scales[i + 1])}
        return {i: num(gap * self.scales[i]), k + i: -1, k + i + 1: 1}

    def mp_value(self, c: tuple[str, int], z: Sequence[mp.mpf]) -> mp.mpf:
        return self.value(c[0], c[1], z, self.cap_mp, mp.mpf)

    def float_value(self, c: tuple[str, int], z: Sequence[float] | np.ndarray) -> float:
        return float(self.value(c[0], c[1], z, self.cap_float, float))

    def float_gradient(self, c: tuple[str, int], z: Sequence[float] | np.ndarray) -> np.ndarray:
        row = np.zeros(2 * self.size)
        for index, entry in self.gradient(c[0], c[1], z, self.cap_float, float).items():
            row[index] = float(entry)
        return row


#: SLSQP's tolerance: enough to tell active from inactive constraints; Newton does the rest
PRESOLVE_FTOL = 1e-12

#: slack (scaled units, :data:`DPS` digits) under which a constraint binds at App. B's closed-form menu:
#: far above the closed forms' rounding, far below the smallest modelled gap (data 1e-20 of the largest)
CLOSED_FORM_SLACK = mp.mpf(10) ** (-(DPS - 15))

#: a Newton iterate whose scaled data (units of each type's known-cost contribution,
#: where every solution lies below 1) leaves ``[-NEWTON_BOUND, NEWTON_BOUND]`` has diverged
NEWTON_BOUND = 1e6


def _data_scales(known_cost: Sequence[mp.mpf]) -> tuple[mp.mpf, ...]:
    r"""Units of data of the program, one per type: :math:`s_k = \bar m_k`, the largest contribution any
    menu can ask of type :math:`k` (:math:`m_k \le \bar m_k`: feasibility and IR), else the previous unit
    (1 for the first).

    Every scaled contribution then lies in :math:`[0, 1]`, whatever the magnitude of the costs
    (:math:`\bar m_1 \approx 10^{-300}` for costs near :math:`10^{300}`) or their spread (a dear type's
    :math:`\bar m_K` may be :math:`10^{-20}` of the cheapest's).
    """
    scales: list[mp.mpf] = []
    for bar in known_cost:
        scales.append(bar if bar > 0 else (scales[-1] if scales else mp.mpf(1)))
    return tuple(scales)


def _initial(program: _Program, bars: Sequence[mp.mpf]) -> np.ndarray:
    """SLSQP in double precision: a point near the optimum of the convex program."""
    k = program.size
    cons = program.constraints()
    probs = program.weights[:k]
    start = np.concatenate([np.array([float(b / s) for b, s in zip(bars, program.scales)]),
                            np.array([float(u) for u in program.alone])])
    result = minimize(lambda z: -probs @ z[:k], start, jac=lambda z: np.concatenate([-probs, np.zeros(k)]),
                      method="SLSQP",
                      constraints=[{"type": "ineq",
                                    "fun": lambda z: np.array([program.float_value(c, z) for c in cons]),
                                    "jac": lambda z: np.array([program.float_gradient(c, z) for c in cons])}],
                      # utilities lie below sup A (value units: v(a_opt), above 1 for RealFM's v)
                      bounds=[(0.0, 2.0)] * k + [(0.0, max(1.0, float(program.cap.top)))] * k,
                      options={"ftol": PRESOLVE_FTOL, "maxiter": 500})
    return np.asarray(result.x, dtype=float)


def _newton(program: _Program, active: list[tuple[str, int]],
            z0: Sequence[Any] | np.ndarray) -> tuple[list[mp.mpf], list[mp.mpf]] | None:
    r"""Newton on the KKT system of *active*: :math:`p + \sum_i \mu_i \nabla g_i = 0`, :math:`g_i = 0`.

    Residuals in mpmath, steps from the double-precision Jacobian (least squares, so a
    degenerate active set with non-unique multipliers still converges).  ``None`` when
    it does not converge: the system of a wrong active set may have no solution (Eq. (15)
    with :math:`s^* \le 0` asks for :math:`A'(m) \le 0`, reached only as :math:`m \to \infty`).
    """
    k = program.size
    n, a = 2 * k, len(active)
    z = [mp.mpf(v) for v in z0]
    zf = [float(v) for v in z]
    rows = np.array([program.float_gradient(c, zf) for c in active]).reshape(a, n)
    objective = program.weights
    mu_f = lstsq(rows.T, -objective, lapack_driver="gelsy")[0] if a else np.zeros(0)
    mu = [mp.mpf(float(v)) for v in mu_f]
    tol = mp.mpf(10) ** (-(DPS - 6))
    for _ in range(40):
        stationarity = list(program.mp_weights) + [mp.mpf(0)] * k
        for c, weight in zip(active, mu):
            for index, entry in program.gradient(c[0], c[1], z, program.cap_mp, mp.mpf).items():
                stationarity[index] += weight * entry
        slack = [program.mp_value(c, z) for c in active]
        residual = stationarity + slack
        if max((abs(r) for r in residual), default=mp.mpf(0)) < tol:
            return z, mu
        zf = [float(v) for v in z]
        rows = np.array([program.float_gradient(c, zf) for c in active]).reshape(a, n)
        hessian = np.zeros((n, n))
        for c, weight in zip(active, mu):
            if c[0] == "F":
                hessian[c[1], c[1]] += float(weight) * program.cap_float(zf[c[1]], 2, c[1])
        jacobian = np.block([[hessian, rows.T], [rows, np.zeros((a, a))]])
        # QR with column pivoting (LAPACK gelsy): the minimum-norm least-squares step like the SVD,
        # several times faster at K = 200
        step = lstsq(jacobian, np.array([float(r) for r in residual]), lapack_driver="gelsy")[0]
        z = [v - mp.mpf(float(s)) for v, s in zip(z, step[:n])]
        mu = [v - mp.mpf(float(s)) for v, s in zip(mu, step[n:])]
        if not all(mp.isfinite(v) and abs(v) < NEWTON_BOUND for v in z[:k]):
            return None  # the data left any sensible range: no KKT point of this active set nearby
    return None


def _certificate(program: _Program, active: list[tuple[str, int]], z: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, float]:
    """Non-negative multipliers of *active* that best satisfy stationarity, and the residual (NNLS)."""
    zf = [float(v) for v in z]
    objective = program.weights
    if not active:
        return np.zeros(0), float(np.linalg.norm(objective))
    rows = np.array([program.float_gradient(c, zf) for c in active])
    weights, residual = nnls(rows.T, -objective)
    return weights, float(residual)


@dataclass(frozen=True)
class KMenu(LatexRepr):
    r"""The data-maximizing :math:`K`-type menu for one agent situation (mpmath values, cost order).

    ``alone`` holds :math:`u_k^*`, ``known_cost`` :math:`\bar m_k` (the right crossing of
    :math:`A(m) - c_k m = u_k^*`, the known-cost contribution), ``multipliers`` the KKT
    multipliers of the active constraints (``(kind, index)`` as in :data:`KINDS`, 0-based),
    ``kkt_residual`` the certificate's stationarity residual, ``kkt_tolerance`` the bound it was
    held to (:attr:`fedsym.core.settings.Settings.kkt_tolerance` when solved), ``corrections``
    how many wrong active sets the solver rejected before the certificate held (over all starts).
    Utilities and :attr:`levels` are in the units of the value of accuracy :math:`v` of ``cap``
    (:class:`fedsym.paper.screening.value.ValueCap`; accuracy units for the paper's :math:`v(a) = a`).
    """

    types: KTypes
    others: mp.mpf
    contributions: tuple[mp.mpf, ...]
    utilities: tuple[mp.mpf, ...]
    alone: tuple[mp.mpf, ...]
    alone_data: tuple[mp.mpf, ...]
    known_cost: tuple[mp.mpf, ...]
    cap: Cap
    multipliers: tuple[tuple[tuple[str, int], float], ...]
    kkt_residual: float
    kkt_tolerance: float
    corrections: int

    @property
    def size(self) -> int:
        return self.types.size

    @functools.cached_property
    def levels(self) -> tuple[mp.mpf, ...]:
        r""":math:`\nu_k = U_k + c_k m_k`, the value type :math:`k` receives (at :data:`DPS` digits, computed once):
        its accuracy :math:`\gamma_k` when :math:`v(a) = a`, else :math:`v(\gamma_k)`."""
        with mp.workdps(DPS):
            return tuple(u + mp_value(c) * m for u, c, m in zip(self.utilities, self.types.costs, self.contributions))

    @functools.cached_property
    def accuracies(self) -> tuple[mp.mpf, ...]:
        r""":math:`\gamma_k = v^{-1}(\nu_k)` (:math:`= \nu_k` when :math:`v(a) = a`)."""
        with mp.workdps(DPS):
            return tuple(self.cap.accuracy(level) for level in self.levels)

    @property
    def information_rents(self) -> tuple[mp.mpf, ...]:
        r""":math:`U_k - u_k^* \ge 0`."""
        return tuple(u - a for u, a in zip(self.utilities, self.alone))

    @property
    def expected_data(self) -> mp.mpf:
        r""":math:`\sum_k p_k m_k`."""
        return mp.fsum(mp_value(p) * m for p, m in zip(self.types.probs, self.contributions))

    @property
    def certified(self) -> bool:
        """KKT holds with non-negative multipliers: optimal (the program is convex)."""
        return self.kkt_residual <= self.kkt_tolerance

    def _tol(self) -> mp.mpf:
        return BINDING_RTOL * max(mp.mpf(1), max(self.levels))

    def ic_slack(self, k: int, j: int) -> mp.mpf:
        r""":math:`U_k - (\gamma_j - c_k m_j)`: type ``k``'s margin against taking ``j``'s point (0-based)."""
        return self.utilities[k] - (self.levels[j] - mp_value(self.types.costs[k]) * self.contributions[j])

    def violations(self) -> dict[str, mp.mpf]:
        """Largest violation of each constraint family (0 when satisfied), at :data:`DPS` digits."""
        with mp.workdps(DPS):
            return self._violations()

    def _violations(self) -> dict[str, mp.mpf]:
        k = self.size
        ic = max((-self.ic_slack(a, b) for a in range(k) for b in range(k) if a != b), default=mp.mpf(0))
        ir = max(-r for r in self.information_rents)
        feasible = max(g - self.cap.value(m) for g, m in zip(self.levels, self.contributions))
        negative = max(-m for m in self.contributions)
        return {name: max(v, mp.mpf(0)) for name, v in
                (("IC", ic), ("IR", ir), ("feasibility", feasible), ("nonnegative", negative))}

    @property
    def max_violation(self) -> mp.mpf:
        """Largest violation over all :math:`K(K-1)` IC, :math:`K` IR and :math:`K` feasibility constraints."""
        return max(self.violations().values())

    @property
    def verified(self) -> bool:
        """All constraints hold to :data:`BINDING_RTOL` and the KKT certificate holds."""
        with mp.workdps(DPS):
            return self.max_violation <= self._tol() and self.certified

    def binding(self) -> tuple[tuple[str, ...], ...]:
        """Per type: ``"IR"``, ``"IC->j"`` (1-based type it is indifferent to), ``"cap"``."""
        with mp.workdps(DPS):
            return self._binding()

    def _binding(self) -> tuple[tuple[str, ...], ...]:
        tol, out = self._tol(), []
        for k in range(self.size):
            labels = ["IR"] if self.information_rents[k] <= tol else []
            labels += [f"IC->{j + 1}" for j in range(self.size) if j != k and self.ic_slack(k, j) <= tol]
            if self.cap.value(self.contributions[k]) - self.levels[k] <= tol:
                labels.append("cap")
            out.append(tuple(labels))
        return tuple(out)

    def pooled(self) -> tuple[tuple[int, ...], ...]:
        """Groups (1-based, size >= 2) of adjacent types with the same point."""
        with mp.workdps(DPS):
            tol = BINDING_RTOL * self.contributions[0]  # relative: data may be ~1e-300 (costs ~1e300)
            groups: list[list[int]] = [[1]]
            for k in range(1, self.size):
                if abs(self.contributions[k] - self.contributions[k - 1]) <= tol:
                    groups[-1].append(k + 1)
                else:
                    groups.append([k + 1])
        return tuple(tuple(g) for g in groups if len(g) > 1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (lists in cost order) with the keys of the command-line contract."""
        return {"accuracy": self.cap.bound.label(), "value": str(self.cap.value_of_accuracy), **self.types.to_dict(),
                "others": float(self.others),
                "contributions": [float(m) for m in self.contributions],
                "accuracies": [float(g) for g in self.accuracies], "values": [float(v) for v in self.levels],
                "utilities": [float(u) for u in self.utilities],
                "alone_utilities": [float(u) for u in self.alone],
                "information_rents": [float(r) for r in self.information_rents],
                "binding": [list(b) for b in self.binding()], "pooled": [list(g) for g in self.pooled()],
                "expected_data": float(self.expected_data), "verified": self.verified,
                "max_violation": float(self.max_violation), "kkt_residual": self.kkt_residual}

    def latex_lines(self) -> list[str]:
        value = self.cap.value_of_accuracy
        lines = [] if value == ACCURACY else [rf"v(a) &= {sympy_latex(value)}"]
        binding = [", ".join(labels).replace("->", r"$\to$") or "none" for labels in self.binding()]
        for k in range(self.size):
            lines.append(rf"m_{{{k + 1}}} &= {format_number(self.contributions[k], 10)},\quad "
                         rf"U_{{{k + 1}}} - u_{{{k + 1}}}^{{*}} = {format_number(self.information_rents[k], 4)}\quad "
                         rf"\text{{binding: {binding[k]}}}")
        lines.append(rf"\textstyle\sum_k p_k m_k &= {format_number(self.expected_data, 10)}")
        status = r"\text{verified}" if self.verified else r"\text{NOT verified}"
        lines.append(rf"\max \text{{violation}} &= {format_number(self.max_violation, 3)}\ {status}")
        return lines

    def to_latex(self) -> str:
        """An ``align*`` block: per type its data, rent and binding constraints; expected data."""
        return align(self.latex_lines())


def optimal_menu_k(bound: BoundAccuracy, types: KTypes, others: Any, value: Any = None) -> KMenu:
    r"""The menu maximizing :math:`\sum_k p_k m_k` under feasibility, IR and IC (Model §9).

    *value* is a value of accuracy :math:`v(a)` (text in ``a`` or a sympy expression; ``None``, the default,
    is the paper's :math:`v(a) = a`), checked like an agent's (Model §8,
    :func:`fedsym.paper.screening.value.parse_screening_value`): the program is then solved in value units,
    the cap :math:`W = v\circ A` (:class:`fedsym.paper.screening.value.ValueCap`), and refused with a
    :class:`ParameterError` naming ``value`` where :math:`v\circ a` is not concave on :math:`[m_{-i}, \infty)`.

    See the module docstring for the method and its certificate.  Raises
    :class:`~fedsym.core.errors.ConvergenceError` (one line, naming the types) if no active set passes
    the KKT certificate.
    """
    others_value = parse_others(others)
    value_expr = parse_screening_value(value, bound, types.costs[0])
    with mp.workdps(DPS):
        try:  # double-precision overflow is caught below or corrected in mpmath: no warnings
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return _menu_k(bound, types, others_value, value_expr, current_settings().kkt_tolerance)
        except (OverflowError, FloatingPointError, np.linalg.LinAlgError) as error:
            # the presolve and Newton's steps are in double precision: data spread over more than
            # its range (costs 1e-300 and 1e300 together) cannot be represented there
            raise ConvergenceError(f"K-type screening: double-precision step failed ({error}) "
                                   f"(costs {_listing(types.costs)}, others {_listing([others_value])})") from None


@functools.lru_cache(maxsize=512)
def _menu_k(bound: BoundAccuracy, types: KTypes, others: sp.Rational, value: sp.Expr, kkt_tolerance: float) -> KMenu:
    cap = screening_cap(bound, mp_value(others), value)
    costs = tuple(mp_value(c) for c in types.costs)
    lone = [cap.alone(c) for c in types.costs]
    alone = tuple(u for _, u in lone)
    alone_data = tuple(m for m, _ in lone)
    bars = [cap.right_crossing(c, u, m) for c, u, m in zip(costs, alone, alone_data)]
    if all(bar == m for bar, m in zip(bars, alone_data)):
        # A = a touches each line a(m*) + c(m - m*) only at m*: feasibility and IR leave
        # the single point (m_k*, u_k*) per type (Model §6 regime 4), optimal as the only one
        return KMenu(types, cap.others, tuple(alone_data), alone, alone, alone_data, tuple(bars), cap, (), 0.0,
                     kkt_tolerance, 0)
    program = _Program(cap, costs, tuple(mp_value(p) for p in types.probs), alone, _data_scales(bars))
    rejected = 0
    for start in _starts(program, bars, types):
        found, tried = _search(program, *start(), kkt_tolerance)
        rejected += tried
        if found is not None:
            z, active, weights, residual = found
            k = program.size
            return KMenu(types, cap.others, tuple(s * x for s, x in zip(program.scales, z[:k])), tuple(z[k:]), alone,
                         alone_data, tuple(bars), cap, tuple(zip(active, (float(w) for w in weights))), residual,
                         kkt_tolerance, rejected)
    raise ConvergenceError(f"K-type screening: no active set passed the KKT certificate "
                           f"(costs {_listing(types.costs)}, probs {_listing(types.probs)}, others {mp.nstr(cap.others, 8)})")


def _starts(program: _Program, bars: Sequence[mp.mpf], types: KTypes
            ) -> list[Callable[[], tuple[np.ndarray, list[tuple[str, int]]]]]:
    """Starting points of the active-set search, tried in turn: the SLSQP presolve and, for
    :math:`K = 2`, App. B's closed-form menu (:func:`fedsym.paper.screening.menu.optimal_menu`), which
    reaches cost spreads the double-precision presolve cannot."""
    def presolved() -> tuple[np.ndarray, list[tuple[str, int]]]:
        zf = _initial(program, bars)
        return zf, [c for c in program.constraints() if program.float_value(c, zf) <= 1e-7]

    starts = [presolved]
    if types.size == 2 and program.cap.value_of_accuracy == ACCURACY:  # App. B's closed forms: v(a) = a
        starts.append(lambda: _closed_form_start(program, types))
    return starts


def _closed_form_start(program: _Program, types: KTypes) -> tuple[np.ndarray, list[tuple[str, int]]]:
    r"""App. B's menu as a point :math:`(m_D, m_C, R(m_C), u_H^*)` of the program (scaled), with the
    constraints that bind there (slack at most :data:`CLOSED_FORM_SLACK`, in :data:`DPS`-digit arithmetic)."""
    menu = optimal_menu(program.cap.bound, types, exact_rational(program.cap.others))
    z = [menu.low_contribution / program.scales[0], menu.high_contribution / program.scales[1], menu.low_utility,
         menu.high_utility_alone]
    active = [c for c in program.constraints() if abs(program.mp_value(c, z)) <= CLOSED_FORM_SLACK]
    return np.array([float(v) for v in z]), active


def _search(program: _Program, zf: np.ndarray, active: list[tuple[str, int]], kkt_tolerance: float
            ) -> tuple[tuple[list[mp.mpf], list[tuple[str, int]], np.ndarray, float] | None, int]:
    """Active-set search from *zf* and the guess *active*: the certified KKT point, its active set,
    multipliers and residual (``None`` if no set reachable passes the certificate), and the number of
    active sets rejected on the way."""
    constraints = program.constraints()
    tried: set[tuple[tuple[str, int], ...]] = set()
    pending: list[list[tuple[str, int]]] = []
    for _ in range(4 * len(constraints)):
        tried.add(tuple(active))
        solved = _newton(program, active, zf)
        if solved is None:
            candidates = _repair(program, active, constraints, zf)
        else:
            z, mu = solved
            violated = [c for c in constraints if c not in active and program.mp_value(c, z) < -BINDING_RTOL]
            weights, residual = _certificate(program, active, z)
            if not violated and residual <= kkt_tolerance:
                k = program.size
                if ("N", k - 1) in active:  # the active bound m_K >= 0 holds exactly, not to Newton's rounding
                    z[k - 1] = mp.mpf(0)
                for kind, i in active:  # so does a binding IR: no rent of -1e-36
                    if kind == "IR":
                        z[k + i] = program.alone[i]
                return (z, active, weights, residual), len(tried) - 1
            if violated:  # a constraint the guess left out is broken: it binds
                candidates = [active + [min(violated, key=lambda c: program.mp_value(c, z))]]
            else:  # feasible but a multiplier is negative: releasing that constraint gains data
                drop = min(range(len(active)), key=lambda i: float(mu[i]))
                candidates = [active[:drop] + active[drop + 1:]]
            zf = np.array([float(v) for v in z])
        pending = candidates + pending  # depth first, the rejected sets' alternatives kept for backtracking
        while pending and tuple(pending[0]) in tried:
            pending.pop(0)
        if not pending:
            break
        active = pending.pop(0)
    return None, len(tried)


def _repair(program: _Program, active: list[tuple[str, int]], constraints: list[tuple[str, int]],
            zf: np.ndarray) -> list[list[tuple[str, int]]]:
    """Next active sets to try when *active*'s KKT system has no solution near *zf*, best first.

    Too few constraints (Eq. (15)-type conditions with no root) -> add the inactive constraint
    closest to binding; too many (inconsistent: one with a zero non-negative multiplier at
    *zf* is not needed) -> drop it.  Adding is tried first unless there are already as many
    constraints as unknowns.
    """
    weights, _ = _certificate(program, active, zf)
    inactive = [c for c in constraints if c not in active]
    options = []
    if inactive:
        options.append(active + [min(inactive, key=lambda c: program.float_value(c, zf))])
    if len(weights) and weights.min() <= 1e-12 * max(weights.max(), 1e-300):
        drop = int(np.argmin(weights))
        options.append(active[:drop] + active[drop + 1:])
    # as many constraints as unknowns already: a surplus one is likelier than a missing one
    return options[::-1] if len(active) >= 2 * program.size else options


def _listing(values: Sequence[sp.Rational]) -> str:
    return ",".join(mp.nstr(mp_value(v), 8) for v in values)


# -- comparative statics -------------------------------------------------------

@dataclass(frozen=True)
class SweepRow:
    """One point of :func:`sweep`: the varied value, expected data, rents, and the envelope derivative."""

    value: float
    expected_data: float
    information_rents: tuple[float, ...]
    derivative: float
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "expected_data": self.expected_data,
                "information_rents": list(self.information_rents), "derivative": self.derivative,
                "verified": self.verified}


def _with(types: KTypes, what: str, index: int, value: Any) -> KTypes:
    r"""*types* with cost ``index`` set to *value*, or probability ``index`` set to *value* and
    the others scaled by :math:`(1 - p_{index}')/(1 - p_{index})`."""
    number = parse_number(what, value)
    if what == "cost":
        return KTypes.of([number if i == index else c for i, c in enumerate(types.costs)], types.probs)
    rest = (1 - number) / (1 - types.probs[index])
    return KTypes.of(types.costs, [number if i == index else p * rest for i, p in enumerate(types.probs)])


def expected_data_derivative(menu: KMenu, what: str, index: int) -> mp.mpf:
    r"""Envelope theorem: :math:`d\,\mathbb E[m]/d\theta = \partial \mathcal L/\partial\theta` at the optimum.

    ``what="prob"``: :math:`p_j` moves and the other probabilities scale by
    :math:`(1 - p_j)^{-1}` to keep the sum; only the objective depends on them, so the
    derivative is :math:`(m_j - \mathbb E[m])/(1 - p_j)`.  ``what="cost"``: :math:`c_j`
    enters feasibility (:math:`-m_j`), IR (:math:`du_j^*/dc_j = -m_j^*`, Theorem 2.3's
    envelope) and the adjacent IC constraints; the KKT multipliers weight them.  Valid
    where the active set does not change (away from regime boundaries).
    """
    j = index
    if what == "prob":
        p = mp_value(menu.types.probs[j])
        return (menu.contributions[j] - menu.expected_data) / (1 - p)
    if what != "cost":
        raise ParameterError(f"what={what!r}: 'prob' or 'cost'")
    m, total = menu.contributions, mp.mpf(0)
    scale = _data_scales(menu.known_cost)[0]
    for (kind, i), weight in menu.multipliers:
        w = mp.mpf(weight)
        if kind == "F" and i == j:
            total -= w * m[j]
        elif kind == "IR" and i == j:
            total += w * menu.alone_data[j]
        elif kind == "D" and i == j - 1:
            total -= w * m[j]
        elif kind == "D" and i == j:
            total += w * m[j + 1]
        elif kind == "Up" and i == j - 1:
            total += w * m[j - 1]
        elif kind == "Up" and i == j:
            total -= w * m[j]
    return total * scale


def sweep(bound: BoundAccuracy, types: KTypes, others: Any, what: str, index: int,
          values: Sequence[Any], value: Any = None) -> tuple[SweepRow, ...]:
    """Expected data and rents as functions of one probability or one cost (0-based *index*), for the value of
    accuracy *value* (:func:`optimal_menu_k`; the envelope derivative holds in value units unchanged:
    :math:`du_j^*/dc_j = -m_j^*` for any :math:`v`)."""
    if what not in ("prob", "cost"):
        raise ParameterError(f"what={what!r}: 'prob' or 'cost'")
    if not 0 <= index < types.size:
        raise ParameterError(f"index={index} outside 0..{types.size - 1}")
    rows = []
    for point in values:
        menu = optimal_menu_k(bound, _with(types, what, index, point), others, value)
        with mp.workdps(DPS):
            derivative = expected_data_derivative(menu, what, index)
        rows.append(SweepRow(float(point), float(menu.expected_data),
                             tuple(float(r) for r in menu.information_rents), float(derivative), menu.verified))
    return tuple(rows)



# -- closed-form checks ---------------------------------------------------------

#: instances (accuracy parameters of Eq. (3), costs, probs, m_{-i}, 1-based type a) where type a
#: tops a rent block on the cap and type a+1 sits below the cap, so Eq. (15) generalized holds
EQ15_K_POINTS = (
    ({"a_opt": "0.9", "k": "10"}, ("0.001", "0.003"), ("1/5", "4/5"), "50", 1),
    ({"a_opt": "0.9", "k": "10"}, ("0.0007", "0.001", "0.0024"), ("4/9", "3/9", "2/9"), "100", 1),
    ({"a_opt": "0.9", "k": "10"}, ("0.001", "0.0019", "0.0028"), ("4/9", "1/9", "4/9"), "10", 2),
    ({"a_opt": "0.9", "k": "10"}, ("0.0005", "0.0008", "0.0012", "0.0025"), ("4/18", "7/18", "3/18", "4/18"),
     "50", 1),
)
#: tolerance of a closed form against the Newton-polished KKT point (both at DPS digits)
CHECK_TOLERANCE = mp.mpf(10) ** (-(DPS - 12))


def checks() -> list[CheckRow]:
    r"""Closed forms of the :math:`K`-type menu against the KKT solver (Model §9).

    * Eq. (15) generalized with Eq. (3): :math:`m_a = (k/s_a^2)^{1/3} - m_{-i}` for a type
      topping a rent block on the cap above a below-cap type (:data:`EQ15_K_POINTS`; the
      solver never uses this condition);
    * Example B.4 as :math:`K = 2`: :math:`m_2 = 3(2^{1/3} - 1)\,m_1^*`.
    """
    from fedsym.model.accuracy import accuracy_function
    from fedsym.paper.lone_agent import lone_agent_forms

    rows = []
    with mp.workdps(DPS):
        for params, costs, probs, others, a in EQ15_K_POINTS:
            bound = accuracy_function("simplified").bind(params)
            types = KTypes.of(costs, probs)
            menu = optimal_menu_k(bound, types, others)
            if "cap" not in menu.binding()[a - 1] or "cap" in menu.binding()[a]:
                raise DerivationError(f"EQ15_K_POINTS: type {a} is not a block top above a below-cap type")
            root, _ = lone_agent_forms(bound.function).optimal_data.resolve({**bound.values, "c": virtual_cost(types, a)})
            point = f"{bound.label()}, costs={','.join(costs)}, probs={','.join(probs)}, m_-i={others}, type {a}"
            rows.append(CheckRow("contribution_eq15_k", "Model §9 (Eq. (15) generalized)", point,
                                 root - mp_value(sp.Rational(others)), menu.contributions[a - 1],
                                 "KKT active set, Newton at DPS digits", CHECK_TOLERANCE))
        bound = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
        menu = optimal_menu_k(bound, KTypes.of(["0.001", "0.002"], ["1/2", "1/2"]), 5000)
        rows.append(CheckRow("example_b4_ratio_k", "Example B.4 (K = 2)", f"{bound.label()}, c=0.001, m_-i=5000",
                             3 * (mp.cbrt(2) - 1), menu.contributions[1] / menu.alone_data[0],
                             "KKT active set, Newton at DPS digits", CHECK_TOLERANCE))
    return rows
