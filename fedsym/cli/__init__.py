"""The ``fedsym`` command line (contract in docs/cli.rst).

Each subcommand lives in its own module of this package with two functions,
``add_arguments(parser)`` and ``run(args) -> int``; :data:`COMMANDS` lists them
in the order ``fedsym --help`` shows.  User mistakes (a
:class:`~fedsym.core.errors.FedsymError` or a bad option) print one line
``fedsym: error: ...`` and exit with status 2; no traceback.  Output cut short
by the reader (``fedsym ... | head -1``) ends quietly with status 1; Ctrl-C
with status 130.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from fedsym.core.errors import ComputationError, InputError
from fedsym.core.version import __version__

__all__ = ["main", "COMMANDS", "EXIT_USAGE", "EXIT_COMPUTATION", "EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED"]

#: subcommand module names, in help order
COMMANDS: tuple[str, ...] = ("individual", "equilibrium", "screening", "fit", "statics", "solve_for", "compare", "check",
                             "report", "study")

#: exit status for bad input
EXIT_USAGE = 2
#: a computation on acceptable input failed (no convergence, no bracket, a broken derivation)
EXIT_COMPUTATION = 3
#: exit status when the reader of standard output went away (Python's convention for SIGPIPE)
EXIT_BROKEN_PIPE = 1
#: exit status after Ctrl-C (128 + SIGINT, the shell's convention)
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _Version(argparse.Action):
    """``--version``: the package's one version string, :data:`fedsym.core.version.__version__`."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str = "print the version and exit") -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"fedsym {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand of :data:`COMMANDS`."""
    parser = _Parser(prog="fedsym", description="Derive, check and write up the economics of data "
                     "sharing in federated learning (Karimireddy, Guo, Jordan 2022).")
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the derivation cache (FEDSYM_NO_CACHE=1 does the same; "
                             "FEDSYM_CACHE_DIR moves it); the shipped derivations are always used")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        command = sub.add_parser(name.replace("_", "-"), help=module.__doc__.splitlines()[0] if module.__doc__ else None,
                                 description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fedsym`` console script; returns the exit status."""
    try:
        return _run(build_parser().parse_args(argv))
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("fedsym: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    """Run the chosen subcommand; a user mistake is one line on stderr and exit status 2, a failed computation
    one line and exit status 3.  ``--no-cache`` is ``using_settings(cache=False)`` around the command."""
    from fedsym.core.settings import current_settings, using_settings  # light: no sympy

    try:
        with using_settings(cache=False) if args.no_cache else using_settings(current_settings()):
            return int(args.run(args))
    except InputError as error:
        print(f"fedsym {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ComputationError as error:
        print(f"fedsym {args.command}: computation failed: {error}", file=sys.stderr)
        return EXIT_COMPUTATION


def _silence_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's final flush cannot fail again.

    The reader closed the pipe (``| head``): what was not written is not wanted.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # a replaced stdout (tests) has no descriptor
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
