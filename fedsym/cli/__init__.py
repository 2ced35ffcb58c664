"""The ``fedsym`` command line (contract in DESIGN.md).

Each subcommand lives in its own module of this package with two functions,
``add_arguments(parser)`` and ``run(args) -> int``; :data:`COMMANDS` lists them
in the order ``fedsym --help`` shows.  User mistakes (a
:class:`~fedsym.core.errors.FedsymError` or a bad option) print one line
``fedsym: error: ...`` and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from fedsym.core.errors import FedsymError

__all__ = ["main", "COMMANDS", "EXIT_USAGE"]

#: subcommand module names, in help order
COMMANDS: tuple[str, ...] = ("individual", "equilibrium", "screening", "fit", "check", "report")

#: exit status for bad input
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand of :data:`COMMANDS`."""
    parser = _Parser(prog="fedsym", description="Derive, check and write up the economics of data "
                     "sharing in federated learning (Karimireddy, Guo, Jordan 2022).")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the derivation cache (FEDSYM_NO_CACHE=1 does the same; "
                             "FEDSYM_CACHE_DIR moves it); the shipped derivations are always used")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        command = sub.add_parser(name, help=module.__doc__.splitlines()[0] if module.__doc__ else None,
                                 description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fedsym`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.no_cache:
        from fedsym.core import cache  # imported on use: ``fedsym --help`` does not import sympy

        with cache.disabled():
            return _run(args)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.run(args))
    except FedsymError as error:
        print(f"fedsym {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
