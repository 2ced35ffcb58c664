"""Layer 1, the mathematical core: nothing here knows about agents or mechanisms.

- :mod:`~fedsym.core.symbols`: the model's sympy symbols, declared once (positive);
- :mod:`~fedsym.core.errors`: the error hierarchy (every user mistake is a :class:`FedsymError`);
- :mod:`~fedsym.core.settings`: the frozen :class:`Settings` (precision, tolerances, cache) and their context;
- :mod:`~fedsym.core.solve`: bounded sympy attempts, bracketed mpmath roots and maxima, numpy sweeps;
- :mod:`~fedsym.core.derived`: a derived quantity, a validated closed form or a numeric solver, with provenance;
- :mod:`~fedsym.core.checkrow`: one closed form against independent numerics (a row of ``fedsym check``);
- :mod:`~fedsym.core.serialize`: sympy expressions as JSON trees, read back through an allow-list;
- :mod:`~fedsym.core.cache`: derivation outcomes on disk: the shipped store, then the user cache;
- :mod:`~fedsym.core.latex`: LaTeX text: escaping, the trusted :class:`~fedsym.core.latex.Latex` marker, numbers;
- :mod:`~fedsym.core.lazy`: the lazy fronts of :mod:`fedsym` and its subpackages.

Imports only numpy, mpmath, sympy and the standard library.  This front re-exports
the names a derivation file needs (``from fedsym.core import DPS, Latex, m``); each
is imported on first access, so importing :mod:`fedsym.core` loads none of sympy.
"""

from typing import TYPE_CHECKING

from fedsym.core.lazy import lazy_front

if TYPE_CHECKING:
    from fedsym.core.checkrow import CheckRow, prose_math, text_math
    from fedsym.core.derived import CLOSED_FORM, NUMERIC, Derived, mp_value
    from fedsym.core.errors import (
        AssumptionError,
        ComputationError,
        ConvergenceError,
        DerivationError,
        ExpressionError,
        FedsymError,
        InputError,
        InputFileError,
        ParameterError,
    )
    from fedsym.core.expression import lambdify_mpmath
    from fedsym.core.latex import Latex, escape_text, format_gain, format_number, math
    from fedsym.core.settings import Settings, current_settings, using_settings
    from fedsym.core.solve import DPS, bracketed_root, maximize_unimodal, set_symbolic_timeout, solve_bounded
    from fedsym.core.symbols import M, a_opt, alpha, b, beta, c, c_H, c_L, eps, k, m, n, p, positive_symbol, t, tau

#: public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "CheckRow": "fedsym.core.checkrow",
    "prose_math": "fedsym.core.checkrow",
    "text_math": "fedsym.core.checkrow",
    "CLOSED_FORM": "fedsym.core.derived",
    "NUMERIC": "fedsym.core.derived",
    "Derived": "fedsym.core.derived",
    "mp_value": "fedsym.core.derived",
    "AssumptionError": "fedsym.core.errors",
    "ComputationError": "fedsym.core.errors",
    "ConvergenceError": "fedsym.core.errors",
    "DerivationError": "fedsym.core.errors",
    "ExpressionError": "fedsym.core.errors",
    "FedsymError": "fedsym.core.errors",
    "InputError": "fedsym.core.errors",
    "InputFileError": "fedsym.core.errors",
    "ParameterError": "fedsym.core.errors",
    "Latex": "fedsym.core.latex",
    "escape_text": "fedsym.core.latex",
    "lambdify_mpmath": "fedsym.core.expression",
    "format_number": "fedsym.core.latex",
    "math": "fedsym.core.latex",
    "Settings": "fedsym.core.settings",
    "current_settings": "fedsym.core.settings",
    "using_settings": "fedsym.core.settings",
    "DPS": "fedsym.core.solve",
    "bracketed_root": "fedsym.core.solve",
    "maximize_unimodal": "fedsym.core.solve",
    "set_symbolic_timeout": "fedsym.core.solve",
    "solve_bounded": "fedsym.core.solve",
    "M": "fedsym.core.symbols",
    "a_opt": "fedsym.core.symbols",
    "alpha": "fedsym.core.symbols",
    "b": "fedsym.core.symbols",
    "beta": "fedsym.core.symbols",
    "c": "fedsym.core.symbols",
    "c_H": "fedsym.core.symbols",
    "c_L": "fedsym.core.symbols",
    "eps": "fedsym.core.symbols",
    "k": "fedsym.core.symbols",
    "m": "fedsym.core.symbols",
    "n": "fedsym.core.symbols",
    "p": "fedsym.core.symbols",
    "positive_symbol": "fedsym.core.symbols",
    "t": "fedsym.core.symbols",
    "tau": "fedsym.core.symbols",
    "format_gain": "fedsym.core.latex",
}

__getattr__, __dir__ = lazy_front(__name__, _LAZY)

__all__ = [
    "CheckRow",
    "prose_math",
    "text_math",
    "CLOSED_FORM",
    "NUMERIC",
    "Derived",
    "mp_value",
    "AssumptionError",
    "ComputationError",
    "ConvergenceError",
    "DerivationError",
    "ExpressionError",
    "FedsymError",
    "InputError",
    "InputFileError",
    "ParameterError",
    "Latex",
    "escape_text",
    "lambdify_mpmath",
    "format_number",
    "math",
    "Settings",
    "current_settings",
    "using_settings",
    "DPS",
    "bracketed_root",
    "maximize_unimodal",
    "set_symbolic_timeout",
    "solve_bounded",
    "M",
    "a_opt",
    "alpha",
    "b",
    "beta",
    "c",
    "c_H",
    "c_L",
    "eps",
    "k",
    "m",
    "n",
    "p",
    "positive_symbol",
    "t",
    "tau",
    "format_gain",
]
