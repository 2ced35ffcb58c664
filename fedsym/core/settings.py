"""Settings and tolerances, in one frozen object.

Every knob that changes a result lives in :class:`Settings`: the working
precision, the time budget of a symbolic attempt, the derivation cache, and the
tolerances of the solvers and verifiers.  The settings in force are read with
:func:`current_settings` and changed for a block with :func:`using_settings` (a context variable,
so threads and async tasks each see their own); nothing is a module global
toggled with ``global``, and the environment is read when the first settings are
built (:func:`from_environment`), not at import.

The settings are part of every cache key (:meth:`Settings.key`) and are recorded
in the results that depend on them.

>>> from fedsym.core.settings import current_settings, using_settings
>>> current_settings().precision
40
>>> with using_settings(precision=60):
...     current_settings().precision
60
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from fedsym.core.errors import ParameterError

__all__ = ["Settings", "current_settings", "using_settings", "from_environment", "DEFAULTS", "set_settings",
           "settings_cache"]


@dataclass(frozen=True)
class Settings:
    """Precision, symbolic budget, cache and tolerances (defaults documented per field).

    Attributes
    ----------
    precision
        Decimal digits of the mpmath solvers (40); checks compare at >= 30 digits.
    symbolic_timeout
        Seconds one bounded sympy attempt may take (5; env ``FEDSYM_SYMBOLIC_TIMEOUT``).
    cache
        Whether derivation outcomes are read from and written to the user cache
        (True; env ``FEDSYM_NO_CACHE=1`` or ``fedsym --no-cache`` turn it off).
    cache_dir
        The user cache folder, or ``None`` for the platform default (env ``FEDSYM_CACHE_DIR``).
    deviation_tolerance
        Largest gain from a deviation that still counts as "no profitable deviation",
        **relative** to the scale of the utilities: an equilibrium is verified when every
        agent's best gain is at most ``deviation_tolerance * max(1, scale)`` (1e-9).
    agreement_rtol
        Relative agreement of a closed form with the independent numerics at a
        sample point before the closed form is accepted (1e-20 at 40 digits).
    fixed_point_rtol
        Relative residual at which a fixed point (an equilibrium total) counts as solved (1e-20).
    kkt_tolerance
        Largest violation a K-type screening menu's optimality certificate (KKT
        multipliers, complementary slackness) may have (1e-9).
    budget_fixed
        True only while the shipped derivation store is generated: a symbolic
        attempt's failure is then not marked as depending on the machine's speed (False).
    population_statics_rtol
        Relative agreement of a cost-scale derivative of agents that differ with the central
        difference of the re-solved (double-precision) equilibrium (1e-6).
    """

    precision: int = 40
    symbolic_timeout: float = 5.0
    cache: bool = True
    cache_dir: str | None = None
    deviation_tolerance: float = 1e-9
    agreement_rtol: float = 1e-20
    fixed_point_rtol: float = 1e-20
    kkt_tolerance: float = 1e-9
    budget_fixed: bool = False
    population_statics_rtol: float = 1e-6

    def __post_init__(self) -> None:
        if not (isinstance(self.precision, int) and 15 <= self.precision <= 1000):
            raise ValueError(f"precision must be a whole number of digits in [15, 1000], got {self.precision!r}")
        if not 0 < self.symbolic_timeout < 1e6:
            raise ValueError(f"symbolic_timeout must be positive seconds, got {self.symbolic_timeout!r}")
        for name in ("deviation_tolerance", "agreement_rtol", "fixed_point_rtol", "kkt_tolerance"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{name} must be in (0, 1), got {value!r}")

    def replace(self, **changes: Any) -> Settings:
        """A copy with *changes* (validated like the original)."""
        return dataclasses.replace(self, **changes)

    def key(self) -> str:
        """The part of a cache key that depends on the settings (all fields that change a derivation)."""
        return (f"dps={self.precision};budget={self.symbolic_timeout:g};agree={self.agreement_rtol:g};"
                f"fix={self.fixed_point_rtol:g};fixed_budget={int(self.budget_fixed)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what a result records of the settings it was computed with."""
        return dataclasses.asdict(self)


#: the documented defaults, before the environment is read
DEFAULTS = Settings()


def from_environment(environ: Any = None) -> Settings:
    """The defaults with the environment applied (``FEDSYM_SYMBOLIC_TIMEOUT``, ``FEDSYM_NO_CACHE``, ``FEDSYM_CACHE_DIR``).

    A malformed value raises :class:`~fedsym.core.errors.ParameterError` (a ``ValueError``) naming the variable.
    """
    env = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    text = env.get("FEDSYM_SYMBOLIC_TIMEOUT")
    if text:
        try:
            changes["symbolic_timeout"] = float(text)
        except ValueError:
            raise ParameterError(f"FEDSYM_SYMBOLIC_TIMEOUT must be a number of seconds, got {text!r}") from None
    if env.get("FEDSYM_NO_CACHE", "") not in ("", "0"):
        changes["cache"] = False
    if env.get("FEDSYM_CACHE_DIR"):
        changes["cache_dir"] = env["FEDSYM_CACHE_DIR"]
    try:
        return DEFAULTS.replace(**changes)
    except ValueError as error:
        raise ParameterError(f"environment: {error}") from None


_CURRENT: contextvars.ContextVar[Settings | None] = contextvars.ContextVar("fedsym_settings", default=None)


_ENVIRONMENT = ("FEDSYM_SYMBOLIC_TIMEOUT", "FEDSYM_NO_CACHE", "FEDSYM_CACHE_DIR")


@functools.lru_cache(maxsize=8)
def _from_variables(values: tuple[str | None, ...]) -> Settings:
    return from_environment({name: value for name, value in zip(_ENVIRONMENT, values) if value is not None})


#: changes made with :func:`set_settings`, applied over the environment's settings
_CHANGES: contextvars.ContextVar[tuple[tuple[str, Any], ...]] = contextvars.ContextVar("fedsym_setting_changes",
                                                                                       default=())


def current_settings() -> Settings:
    """The settings in force: those of the innermost :func:`using_settings` block, else the environment's
    (with the changes of :func:`set_settings`).

    The environment is read on each call outside a block (a few lookups;
    settings are built once per distinct environment), so a variable set
    after import is seen.
    """
    settings = _CURRENT.get()
    if settings is not None:
        return settings
    settings = _from_variables(tuple(os.environ.get(name) for name in _ENVIRONMENT))
    changes = _CHANGES.get()
    return settings.replace(**dict(changes)) if changes else settings


def set_settings(**changes: Any) -> Settings:
    """Change settings for the rest of the current context, over the environment's (prefer :func:`using_settings`).

    For the thin conveniences such as :func:`fedsym.core.solve.set_symbolic_timeout`;
    the fields not named keep following the environment.
    """
    chosen = current_settings().replace(**changes)  # validates
    _CHANGES.set(tuple({**dict(_CHANGES.get()), **changes}.items()))
    if _CURRENT.get() is not None:  # inside a using_settings block: the change holds until the block ends
        _CURRENT.set(chosen)
    return chosen


@contextlib.contextmanager
def using_settings(settings: Settings | None = None, **changes: Any) -> Iterator[Settings]:
    """Within the block, *settings* (or the current ones with *changes*) are in force."""
    chosen = (settings or current_settings()).replace(**changes)
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


_Result = TypeVar("_Result")


def settings_cache(maxsize: int) -> Callable[[Callable[..., _Result]], Callable[..., _Result]]:
    """``functools.lru_cache(maxsize)`` whose key also holds :meth:`Settings.key` of the settings in force.

    For in-memory caches of results that depend on the precision or the
    symbolic budget: under other settings the function runs again instead of
    returning a stale value.  The wrapper keeps ``cache_clear()``.
    """
    def decorate(function: Callable[..., _Result]) -> Callable[..., _Result]:
        @functools.lru_cache(maxsize=maxsize)
        def keyed(settings_key: str, *args: Any, **kwargs: Any) -> _Result:
            return function(*args, **kwargs)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> _Result:
            return keyed(current_settings().key(), *args, **kwargs)

        wrapper.cache_clear = keyed.cache_clear  # type: ignore[attr-defined]
        wrapper.cache_info = keyed.cache_info  # type: ignore[attr-defined]
        return wrapper
    return decorate
