"""The command-line reference of the documentation, generated from the ``fedsym`` parsers.

Before Sphinx reads the pages, :func:`write_reference` builds the parser of ``fedsym``
(:func:`fedsym.cli.build_parser`, every subcommand that :data:`fedsym.cli.COMMANDS` lists) and
writes one section per command, with its description, usage and options, into
``docs/_generated/cli_reference.rst``, which ``docs/cli.rst`` includes.  The page therefore says
what ``fedsym COMMAND --help`` says and cannot drift from it.

Descriptions are the subcommand modules' docstrings, reStructuredText like every docstring that
autodoc renders; option help texts are plain text and are escaped, so a ``*`` or a backtick in
them is shown as written.  Building the parsers imports no sympy (``fedsym --help`` stays light).
"""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path
from typing import Any

#: the page that ``docs/cli.rst`` includes, relative to the documentation's source folder
GENERATED = Path("_generated") / "cli_reference.rst"

#: the width at which usage lines are wrapped, fixed so the page does not depend on the terminal
WIDTH = 80

#: section underlines: the top-level command, its subcommands, their subcommands
_UNDERLINES = "~^\""


def escape(text: str) -> str:
    r"""Plain text as reStructuredText that shows it as written: every character but letters, digits and
    whitespace is backslash-escaped (``*`` -> ``\*``), which reStructuredText reads as that character."""
    return re.sub(r"([^\w\s]|_)", r"\\\1", text)


def _literal(text: str) -> str:
    """``text`` as an inline literal (option invocations and metavariables never hold a backtick)."""
    if "`" in text or not text.strip():
        raise ValueError(f"cannot show {text!r} as an inline literal")
    return f"``{text}``"


def _formatter(parser: argparse.ArgumentParser) -> argparse.HelpFormatter:
    """The parser's own help formatter, at the fixed :data:`WIDTH`."""
    formatter: argparse.HelpFormatter = parser.formatter_class(prog=parser.prog, width=WIDTH)  # type: ignore[call-arg]
    return formatter


def usage(parser: argparse.ArgumentParser) -> str:
    """The usage lines of ``parser`` as ``--help`` prints them (at :data:`WIDTH` columns), without ``usage:``."""
    formatter = _formatter(parser)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, prefix="")
    return formatter.format_help().strip("\n")


def options(parser: argparse.ArgumentParser) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per argument group of ``parser`` (``--help``'s headings, e.g. ``options``): its title and, per shown
    argument, the invocation (``--param NAME=VALUE``) and the help text with ``%(default)s`` and the like filled
    in, whitespace collapsed as ``--help`` does.  Subcommand choices are left out: each has its own section."""
    formatter = _formatter(parser)
    groups = []
    for group in parser._action_groups:
        rows = [(formatter._format_action_invocation(action), " ".join(formatter._expand_help(action).split())
                 if action.help else "")
                for action in group._group_actions
                if action.help is not argparse.SUPPRESS and not isinstance(action, argparse._SubParsersAction)]
        if rows:
            groups.append((group.title or "", rows))
    return groups


def subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The subcommands of ``parser``, in the order ``--help`` lists them, with their parsers."""
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.items())
    return found


def reference(parser: argparse.ArgumentParser, depth: int = 0) -> list[str]:
    """The reStructuredText lines of ``parser``'s section (labelled ``cli-fedsym-COMMAND``) and, below it, one
    section per subcommand.  The description is reStructuredText: a subcommand's is its module's docstring."""
    title = _literal(parser.prog)
    lines = [f".. _cli-{parser.prog.replace(' ', '-')}:", "", title, _UNDERLINES[depth] * len(title), ""]
    if parser.description:
        lines += [*inspect.cleandoc(parser.description).splitlines(), ""]
    lines += [".. code-block:: text", "", *("   " + line if line else "" for line in usage(parser).splitlines()), ""]
    for title_, rows in options(parser):
        lines += [f".. rubric:: {escape(title_)}", ""]
        for invocation, help_text in rows:
            lines += [_literal(invocation), f"   {escape(help_text) if help_text else '(no help text)'}"]
        lines.append("")
    for _, sub in subcommands(parser):
        lines += reference(sub, depth + 1)
    return lines


def reference_page() -> str:
    """The generated page: the ``fedsym`` command and every subcommand of :data:`fedsym.cli.COMMANDS`."""
    from fedsym.cli import build_parser

    header = [".. This file is generated by docs/_ext/cli_reference.py from the fedsym parsers; do not edit.", ""]
    return "\n".join(header + reference(build_parser())).rstrip("\n") + "\n"


def write_reference(srcdir: Path) -> Path:
    """Write :func:`reference_page` to :data:`GENERATED` under ``srcdir`` (only if it changed, so Sphinx does not
    re-read ``cli.rst`` for nothing); returns the file."""
    target = Path(srcdir) / GENERATED
    page = reference_page()
    if not target.is_file() or target.read_text(encoding="utf-8") != page:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    return target


def _on_config_inited(app: Any, config: Any) -> None:
    write_reference(Path(app.srcdir))


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point: generate the reference before the pages are read."""
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
