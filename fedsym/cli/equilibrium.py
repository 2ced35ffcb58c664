"""Equilibrium of n agents under standard federated learning (Theorem 3.4) or accuracy shaping (Theorem 4.2), verified."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from fedsym.core.errors import InputFileError, ParameterError
from fedsym.core.files import require_regular_file

from .common import add_accuracy_arguments, add_output_arguments, bound_accuracy, gain_text, print_json, print_table

if TYPE_CHECKING:
    from fedsym.paper.outcome import Equilibrium

__all__ = ["add_arguments", "run", "read_costs_file"]

#: per-agent rows printed in text mode before the table is cut short
TEXT_ROWS = 20

#: bytes of a costs file parsed at a time (memory stays O(n) in doubles)
BLOCK = 1 << 20
#: longest line of a costs file
MAX_LINE = 1 << 16
NEWLINE = b"\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mechanism", required=True, metavar="{standard,shaping}",
                        help="standard (Eq. 10) or shaping (accuracy shaping with known costs, Eq. 13); "
                             "another name is refused by the solver")
    add_accuracy_arguments(parser, required=False)
    costs = parser.add_mutually_exclusive_group(required=True)
    costs.add_argument("--costs", metavar="C1,C2,...", help="comma-separated marginal costs, one per agent")
    costs.add_argument("--costs-file", metavar="F", help="file with one cost per line (blank lines and # comments skipped)")
    costs.add_argument("--agents", metavar="FILE",
                       help="JSON list of agents that differ (Model §8), e.g. [{\"accuracy\": \"simplified\", "
                            "\"params\": {\"a_opt\": 0.95, \"k\": 1}, \"cost\": \"0.001*m + 1e-7*m**2\", "
                            "\"joining_cost\": 0.01, \"value\": \"a\", \"count\": 3}]; excludes --accuracy/--param")
    parser.add_argument("--eps", default="0", metavar="E", help="slope margin of Eq. (13), >= 0 (default 0, the limit)")
    parser.add_argument("--summary", action="store_true", help="totals and ranges only, no per-agent lists")
    add_output_arguments(parser)


def read_costs_file(path: str) -> np.ndarray:
    """Costs from a file, one per line (blank lines and ``#`` comments skipped), streamed in blocks.

    Memory is O(n) in doubles: the file is read :data:`BLOCK` bytes at a time
    and each block parsed by numpy; the array returned is read-only.  Refused with :class:`InputFileError` (one
    line, before any work): a missing file, a folder, anything but a regular
    file (a pipe or ``/dev/zero`` would never end), binary data, a line that is
    not one number or a number that is not a finite positive double (naming
    its line), a line longer than :data:`MAX_LINE` bytes, a file without costs.
    """
    require_regular_file(path, f"--costs-file {path}")
    line = 1  # number of the first line of the next block
    try:
        with open(path, "rb") as handle:
            # one array of at most (lines + 1) doubles, filled block by block and shrunk in place: no list of
            # block arrays and no concatenated copy (memory at n = 10^7)
            costs = np.empty(sum(chunk.count(NEWLINE) for chunk in iter(lambda: handle.read(BLOCK), b"")) + 1)
            handle.seek(0)
            filled = 0
            pending = b""
            while True:
                data = handle.read(BLOCK)
                nul = data.find(b"\0")
                if nul >= 0:
                    raise InputFileError(f"--costs-file {path}, line {line + data.count(NEWLINE, 0, nul)}: "
                                         "binary data (a NUL byte), not a text file of costs")
                text = pending + data
                cut = len(text) if not data else text.rfind(NEWLINE)
                if cut < 0:
                    if len(text) > MAX_LINE:
                        raise InputFileError(f"--costs-file {path}, line {line}: longer than {MAX_LINE} bytes "
                                             "(not a costs file?)")
                    pending = text
                    continue
                block, pending = text[:cut], text[cut + 1:]
                if block:
                    values = _parse_block(block, path, line)
                    costs[filled:filled + values.size] = values
                    filled += values.size
                if not data:
                    break
                line += block.count(NEWLINE) + 1
    except OSError as error:
        raise InputFileError(f"--costs-file {path}: cannot be read ({error.strerror or error})") from None
    if not filled:
        raise InputFileError(f"--costs-file {path}: no costs in the file")
    costs.resize(filled, refcheck=False)  # nothing else refers to it
    costs.setflags(write=False)  # read-only and unshared: a result can keep it without copying n doubles
    return costs


def _parse_block(block: bytes, path: str, first: int) -> np.ndarray:
    """Costs of whole lines *block* (first line number *first*); numpy parses, Python only on blanks or comments."""
    lines = block.split(NEWLINE)
    numbers = np.arange(first, first + len(lines))
    try:
        costs = np.array(lines, dtype=float)
    except ValueError:  # blank lines, comments, or a bad line: sort them out line by line
        kept = [(number, text) for number, text in zip(numbers.tolist(), (l.split(b"#", 1)[0].strip() for l in lines))
                if text]
        numbers = np.array([number for number, _ in kept], dtype=np.int64)
        for number, text in kept:
            try:
                float(text)
            except ValueError:
                shown = text[:40].decode("utf-8", "replace")
                raise InputFileError(f"--costs-file {path}, line {number}: {shown!r} is not a number") from None
        costs = np.array([text for _, text in kept], dtype=float)
    bad = np.flatnonzero(~(np.isfinite(costs) & (costs >= np.finfo(float).tiny)))
    if bad.size:
        raise InputFileError(f"--costs-file {path}, line {numbers[bad[0]]}: cost {float(costs[bad[0]])!r} must be "
                             "finite and positive (at least the smallest normal double)")
    return costs


def run(args: argparse.Namespace) -> int:
    from fedsym.paper.equilibrium import solve

    if args.agents is not None:
        from fedsym.model.agent import load_agents

        if args.accuracy is not None or args.param:
            raise ParameterError("--agents FILE gives each agent its accuracy: drop --accuracy/--param")
        result = solve(args.mechanism, load_agents(args.agents), args.eps)
    else:
        from fedsym.paper.mechanisms import parse_costs

        if args.accuracy is None:
            raise ParameterError("--accuracy is required with --costs or --costs-file")
        costs = read_costs_file(args.costs_file) if args.costs_file is not None else \
            parse_costs([item.strip() for item in args.costs.split(",")] if args.costs.strip() else [])
        result = solve(args.mechanism, (bound_accuracy(args), costs), args.eps)
    if args.json:
        print_json(result.to_dict(summary=args.summary, arrays=True))
    elif args.latex:
        print(result.to_latex())
    else:
        _print(result, args.summary)
    return 0


def _print(result: Equilibrium, summary: bool) -> None:
    """The text report of one equilibrium, the paper's agents or agents that differ (Model §8) alike."""
    n = result.contributions.size
    eps = f", eps = {result.eps:g}" if result.eps else ""
    print(f"{result.mechanism} mechanism{eps}, accuracy {result.accuracy}, n = {n}: {result.method}")
    joined, lone_data = result.joined, result.lone_data
    if not summary:
        shown = min(n, TEXT_ROWS)
        if joined is not None and lone_data is not None:
            rows: Iterable[tuple[object, ...]] = (
                (i + 1, "yes" if joined[i] else "no", f"{lone_data[i]:.10g}", f"{result.contributions[i]:.10g}",
                 f"{result.accuracies[i]:.10g}", f"{result.utilities[i]:.10g}") for i in range(shown))
            header: tuple[str, ...] = ("agent", "joined", "alone m*", "contribution", "accuracy", "utility")
        else:
            rows = ((i, f"{result.costs[i]:.6g}", f"{result.contributions[i]:.10g}", f"{result.accuracies[i]:.10g}",
                     f"{result.utilities[i]:.10g}") for i in range(shown))
            header = ("agent", "cost", "contribution", "accuracy", "utility")
        print_table(rows, header)
        if shown < n:
            print(f"... {n - shown} more agents (use --json for all)")
    if joined is not None:
        print(f"joined: {int(joined.sum())} of {n} (a non-joiner works alone at m* and shares nothing)")
    print(f"total data {result.total:.12g}; {result.uniqueness()}")
    status = "verified" if result.verified else "NOT verified"
    leaving = " or leaving" if joined is not None else ""
    print(f"{status}: max gain from deviating{leaving} {gain_text(result.max_deviation_gain)} "
          f"(tolerance {result.verification.tolerance:.3g}; {result.verification.scope})")
    if result.verification.note:
        print(f"not verified because {result.verification.note}")
    if result.theorem_4_6_gap is not None:
        print(f"Theorem 4.6: max |U_i - u_i* - eps (m_i - m_i*)| over joiners = {result.theorem_4_6_gap:.3g}")
    if result.other_equilibria:
        print(f"other equilibria: {result.other_equilibria}")
    print(result.note)
