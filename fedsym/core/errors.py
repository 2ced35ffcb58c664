"""The one error tree of fedsym.

Two kinds of failure, each a :class:`FedsymError`:

* :class:`InputError` -- the user's input is wrong (a parameter out of range, an
  expression that is not allowed, an accuracy that breaks assumption (1), a
  malformed file).  The message names the input and says what is wrong, on one
  line; the command line prints it and exits with status 2.
* :class:`ComputationError` -- the input is acceptable but a computation failed
  (no convergence, no bracket, a derivation that broke).  The message names what
  failed and the inputs that matter, on one line; the command line exits with
  status 3.

``InputError`` is also a :class:`ValueError` and ``ComputationError`` also an
:class:`ArithmeticError`, so code that catches the built-in kinds keeps working.
"""

from __future__ import annotations

__all__ = [
    "FedsymError",
    "InputError",
    "ParameterError",
    "ExpressionError",
    "AssumptionError",
    "InputFileError",
    "ComputationError",
    "ConvergenceError",
    "DerivationError",
]


class FedsymError(Exception):
    """Base class of every error fedsym raises on purpose (input or computation)."""


class InputError(FedsymError, ValueError):
    """Base class of every error caused by user input (command-line exit status 2)."""


class ParameterError(InputError):
    """A parameter (cost, prior, model constant, ...) is missing, unknown or out of range."""


class ExpressionError(InputError):
    """A user expression (accuracy, cost, value) cannot be parsed, uses a construct or name that is not allowed
    (see :mod:`fedsym.core.expression`), or is too large."""


class AssumptionError(InputError):
    """An accuracy function violates assumption (1) where a result needs it."""


class InputFileError(InputError):
    """A file given on the command line is missing or malformed."""


class ComputationError(FedsymError, ArithmeticError):
    """A computation on acceptable input failed (command-line exit status 3)."""


class ConvergenceError(ComputationError):
    """An iteration (Newton, fixed point, bisection) did not converge, or a bracket holds no sign change."""


class DerivationError(ComputationError):
    """A derivation (a report file's ``derive()``, a check module) failed."""
