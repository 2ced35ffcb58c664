"""Root finding and maximisation: symbolic first, bracketed numerics after.

Three tools, each with its guarantees stated:

* :func:`symbolic` runs a sympy computation in a child process (fork on Linux,
  spawn elsewhere: :func:`start_method`) with a time limit, because ``sympy.solve`` can run for minutes or recurse without
  end on transcendental equations.  A timeout or any exception is reported, not
  raised, so the caller can hand over to numerics and say why.
* :func:`bracketed_root` and :func:`maximize_unimodal` work in mpmath at the
  current precision on an interval where the function changes sign (or is
  unimodal); the result is checked, never a secant step's guess (  "Roots are bracketed and verified").
* :func:`decreasing_root_array` is the vectorized numpy path for sweeps: it
  solves ``g(x) = y`` for arrays ``y`` where ``g`` is decreasing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np

from fedsym.core.errors import ConvergenceError, DerivationError
from fedsym.core.settings import current_settings, set_settings, using_settings

__all__ = [
    "DPS",
    "SymbolicOutcome",
    "symbolic",
    "symbolic_timeout",
    "set_symbolic_timeout",
    "fixed_budget",
    "solve_bounded",
    "start_method",
    "bracketed_root",
    "expand_bracket",
    "BRACKET_LIMIT",
    "golden_section",
    "maximize_unimodal",
    "decreasing_root_array",
    "last_nonnegative",
]

#: working precision (decimal digits) of the numeric solvers; checks compare at >= 30 digits
DPS = 40


#: seconds a child process may take to start (a spawned child imports sympy) before the budget starts
STARTUP_LIMIT = 120.0


def symbolic_timeout() -> float:
    """Seconds one symbolic attempt may take: ``current_settings().symbolic_timeout``
    (env ``FEDSYM_SYMBOLIC_TIMEOUT``, default 5)."""
    return current_settings().symbolic_timeout


def set_symbolic_timeout(seconds: float) -> None:
    """Change the time limit of each symbolic attempt (must be positive) for the rest of the context.

    A thin convenience over :func:`fedsym.core.settings.set_settings`; prefer
    ``with using_settings(symbolic_timeout=...)``.
    """
    if not seconds > 0:
        raise ValueError(f"symbolic timeout must be positive, got {seconds!r}")
    set_settings(symbolic_timeout=float(seconds))


@contextlib.contextmanager
def fixed_budget(seconds: float) -> Iterator[None]:
    """Within the block, each attempt gets *seconds* and its failure is not marked as machine-dependent.

    Used only to generate the shipped derivation store (:mod:`fedsym.core.cache`),
    whose outcomes are fixed once and for all.
    """
    with using_settings(symbolic_timeout=float(seconds), budget_fixed=True):
        yield


def start_method() -> str:
    """Start method of the child processes of :func:`symbolic`.

    ``$FEDSYM_START_METHOD`` if set (``fork``, ``forkserver`` or ``spawn``); else
    ``fork`` on Linux (fast: the child shares the imported sympy) and ``spawn``
    elsewhere (macOS forbids fork after threads start; Windows has no fork).
    """
    chosen = os.environ.get("FEDSYM_START_METHOD", "")
    if chosen:
        if chosen not in multiprocessing.get_all_start_methods():
            raise ValueError(f"FEDSYM_START_METHOD={chosen!r} is not available here "
                             f"(available: {', '.join(multiprocessing.get_all_start_methods())})")
        return chosen
    return "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass(frozen=True)
class SymbolicOutcome:
    """What a bounded symbolic attempt produced: a value, or why there is none.

    ``failure`` is the same sentence whether sympy ran out of time or raised
    (which of the two happens first depends on the machine's speed, and
    reports must not); ``detail`` says which.
    """

    value: Any
    failure: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.failure is None


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Body of the child process: say it is ready (the budget starts then), run, send the result."""
    try:
        conn.send_bytes(b"ready")
        result = fn(*args)
        conn.send_bytes(pickle.dumps(("ok", result)))
    except BaseException as exc:  # report every failure to the parent
        conn.send_bytes(pickle.dumps(("error", type(exc).__name__)))
    finally:
        conn.close()


def symbolic(fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> SymbolicOutcome:
    """Run ``fn(*args)`` in a child process, giving up after *timeout* seconds.

    *fn* and *args* must pickle (a module-level function, not a lambda or a
    closure) so that every start method works (:func:`start_method`); the
    budget starts when the child is ready, so a spawned child's imports do
    not count.  Returns the value (which must pickle) or a failure; outside
    :func:`fixed_budget` a failure says the outcome depends on the machine's
    speed.  Nothing is raised: the caller decides to fall back to numerics.
    """
    limit = symbolic_timeout() if timeout is None else timeout
    failure = f"sympy gave no answer within {limit:g} s" + ("" if current_settings().budget_fixed
                                                               else " (depends on machine speed)")
    ctx: Any = multiprocessing.get_context(start_method())  # typeshed's BaseContext lacks Process
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(STARTUP_LIMIT) or parent.recv_bytes() != b"ready":
            return SymbolicOutcome(None, failure, "child did not start")
        if not parent.poll(limit):
            return SymbolicOutcome(None, failure, "timed out")
        status, payload = pickle.loads(parent.recv_bytes())
    except EOFError:
        return SymbolicOutcome(None, failure, "process died")
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if status == "ok":
        return SymbolicOutcome(payload)
    return SymbolicOutcome(None, failure, f"raised {payload}")


def solve_bounded(equation: Any, unknown: Any, *, timeout: float = 60.0) -> list[Any]:
    """``sympy.solve(equation, unknown)`` bounded by a fixed *timeout* (not the user's budget).

    For the derivation files' textbook steps (a linear equation, a quadratic):
    the answer must not depend on ``FEDSYM_SYMBOLIC_TIMEOUT``, and a machine too
    slow for the generous *timeout* gets a :class:`DerivationError`, never a different report.
    """
    import sympy as sp

    outcome = symbolic(sp.solve, equation, unknown, timeout=timeout)
    if not outcome.ok:
        raise DerivationError(f"solving for {unknown}: {outcome.failure} ({outcome.detail})")
    return list(outcome.value)


def bracketed_root(f: Callable[[mp.mpf], mp.mpf], lo: Any, hi: Any, *, rtol: Any = None) -> mp.mpf:
    """Root of *f* in ``[lo, hi]`` where ``f(lo)`` and ``f(hi)`` differ in sign.

    Uses the Illinois (regula falsi) method of mpmath and accepts its answer
    only if it stays inside the bracket with a sign change around it at
    relative width *rtol*; otherwise bisects.  *rtol* defaults to
    ``10**(-(mp.mp.dps - 3))``.
    """
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    flo, fhi = f(lo), f(hi)
    if flo == 0:
        return lo
    if fhi == 0:
        return hi
    if mp.sign(flo) == mp.sign(fhi):
        raise ConvergenceError(f"no sign change of the function on [{mp.nstr(lo, 8)}, {mp.nstr(hi, 8)}]")
    tol = mp.mpf(10) ** (-(mp.mp.dps - 3)) if rtol is None else mp.mpf(rtol)
    try:
        x = mp.findroot(f, (lo, hi), solver="illinois", tol=tol**2, maxsteps=200)
        width = tol * max(abs(x), mp.mpf(10) ** (-mp.mp.dps))
        if lo <= x <= hi:
            a, b = max(lo, x - width), min(hi, x + width)
            fa, fb = f(a), f(b)
            if fa == 0 or fb == 0 or mp.sign(fa) != mp.sign(fb):
                return x
    except (ValueError, ZeroDivisionError):
        pass
    for _ in range(10 * mp.mp.prec):
        mid = (lo + hi) / 2
        if hi - lo <= tol * abs(mid):
            break
        fm = f(mid)
        if fm == 0:
            return mid
        if mp.sign(fm) == mp.sign(flo):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


#: largest point :func:`expand_bracket` tries by default: the training-set sizes the numeric solvers reach
BRACKET_LIMIT = mp.mpf(10) ** 60


def expand_bracket(f: Callable[[mp.mpf], mp.mpf], lo: Any, start: Any, *, factor: int = 4,
                   limit: Any = BRACKET_LIMIT) -> mp.mpf:
    """Smallest ``hi = start * factor**j`` with ``sign f(hi) != sign f(lo)``.

    Raises :class:`ConvergenceError` when no sign change is found below *limit*.
    """
    lo = mp.mpf(lo)
    sign_lo = mp.sign(f(lo))
    hi = mp.mpf(start)
    while hi <= limit:
        if mp.sign(f(hi)) != sign_lo:
            return hi
        hi *= factor
    raise ConvergenceError(f"no sign change found while expanding the bracket from [{mp.nstr(lo, 8)}, "
                           f"{mp.nstr(mp.mpf(start), 8)}] up to {mp.nstr(mp.mpf(limit), 3)}")


def golden_section(g: Callable[[Any], Any], a: Any, b: Any, width: Any) -> tuple[Any, Any]:
    """Golden-section search for the maximum of a unimodal *g* on ``[a, b]``.

    Works on floats and on mpmath numbers alike; stops when the bracket is
    narrower than *width*.  Returns ``(x, g(x))``.  It never looks at a
    derivative, which makes it the independent reference for closed forms and
    a safe refinement step on kinked utilities.
    """
    invphi = (5 ** 0.5 - 1) / 2 if isinstance(a, float) else (mp.sqrt(5) - 1) / 2
    x1, x2 = b - invphi * (b - a), a + invphi * (b - a)
    f1, f2 = g(x1), g(x2)
    while abs(b - a) > width:
        if f1 < f2:
            a, x1, f1 = x1, x2, f2
            x2 = a + invphi * (b - a)
            f2 = g(x2)
        else:
            b, x2, f2 = x2, x1, f1
            x1 = b - invphi * (b - a)
            f1 = g(x1)
    x = (a + b) / 2
    return x, g(x)


def maximize_unimodal(f: Callable[[mp.mpf], mp.mpf], lo: Any, hi: Any, *, rtol: Any = None) -> tuple[mp.mpf, mp.mpf]:
    """Maximum of a unimodal *f* on ``[lo, hi]`` in mpmath by :func:`golden_section`.

    The search runs in ``log x`` when ``lo > 0`` (the model's quantities span
    many orders of magnitude) to a relative width *rtol* (default
    ``10**-(dps/2 - 1)``: a flat optimum pins its location only to the square
    root of the working precision).  Returns ``(x, f(x))``.
    """
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    tol = mp.mpf(10) ** (-(mp.mp.dps // 2 - 1)) if rtol is None else mp.mpf(rtol)
    if lo > 0:
        a, b = mp.log(lo), mp.log(hi)
        y, value = golden_section(lambda v: f(mp.exp(v)), a, b, tol * max(1, abs(a) + abs(b)))
        return mp.exp(y), value
    return golden_section(f, lo, hi, tol * max(1, abs(lo) + abs(hi)))


def last_nonnegative(gap: Callable[[float], float], lo: float, hi: float) -> float:
    """Bisection in doubles for the crossing of *gap* from ``>= 0`` at *lo* to ``< 0`` at *hi*.

    Returns the last point found with ``gap >= 0``, to the resolution of a double
    (used for the kinks of the shaped curves, where the global deviation search
    only needs the crossing's location, not 40 digits).
    """
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if gap(mid) >= 0 else (lo, mid)
    return lo


def decreasing_root_array(
    g: Callable[[np.ndarray], np.ndarray],
    dg: Callable[[np.ndarray], np.ndarray],
    y: np.ndarray,
    lo: float,
    hi: float,
    *,
    bisections: int = 48,
    newton_steps: int = 4,
) -> np.ndarray:
    """Solve ``g(x) = y`` elementwise for decreasing *g* on ``[lo, hi]`` (numpy).

    Bisection in ``log x`` narrows every bracket to a relative width of about
    ``(hi/lo)**(2**-bisections)``; Newton steps with derivative *dg*, kept inside
    the final bracket, then polish to double precision.  Entries of *y* outside
    ``[g(hi), g(lo)]`` raise :class:`ConvergenceError` (the caller must screen
    them, e.g. costs above the viability threshold).
    """
    y = np.asarray(y, dtype=float)
    glo, ghi = g(np.full_like(y, lo)), g(np.full_like(y, hi))
    if np.any((y > glo) | (y < ghi)):
        raise ConvergenceError(f"target outside the range of g on the bracket [{float(lo):.6g}, {float(hi):.6g}]")
    a = np.full_like(y, np.log(lo))
    bb = np.full_like(y, np.log(hi))
    for _ in range(bisections):
        mid = 0.5 * (a + bb)
        above = g(np.exp(mid)) > y  # still left of the root
        a = np.where(above, mid, a)
        bb = np.where(above, bb, mid)
    xa, xb = np.exp(a), np.exp(bb)
    x = 0.5 * (xa + xb)
    for _ in range(newton_steps):
        step = (g(x) - y) / dg(x)
        x = np.clip(x - step, xa, xb)
    return x
