"""Errors raised for bad input.

Every user mistake raises a :class:`FedsymError` subclass whose message names
the offending input and says what is wrong, on one line.  The command line
prints the message and exits with status 2 (see :mod:`fedsym.cli`).
"""

from __future__ import annotations

__all__ = [
    "FedsymError",
    "ParameterError",
    "ExpressionError",
    "AssumptionError",
    "InputFileError",
]


class FedsymError(ValueError):
    """Base class of every error caused by user input."""


class ParameterError(FedsymError):
    """A parameter (cost, prior, model constant, ...) is missing, unknown or out of range."""


class ExpressionError(FedsymError):
    """A user expression (accuracy, cost, value) cannot be parsed, uses a construct or name that is not allowed
    (see :mod:`fedsym.core.expression`), or is too large."""


class AssumptionError(FedsymError):
    """An accuracy function violates assumption (1) where a result needs it."""


class InputFileError(FedsymError):
    """A file given on the command line is missing or malformed."""
