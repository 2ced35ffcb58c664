"""The documentation's own machinery (docs/_ext, docs/conf.py), without building the documentation (issue 20).

The build itself (HTML with warnings as errors, then the pages' doctests) runs in ``.ci/run``, which also
checks that no built page loads a script over the network.  These tests pin the pieces it rests on: the pages'
math is served from ``_static`` (no CDN), and the command-line reference says what ``--help`` says, for
whatever commands :data:`fedsym.cli.COMMANDS` lists.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import fedsym.cli
from fedsym.cli import COMMANDS, build_parser

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import cli_reference  # noqa: E402
import offline_mathjax  # noqa: E402

# --- math without a network ------------------------------------------------------------------------------------


def test_conf_serves_mathjax_from_static_and_generates_the_cli_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """Claim: conf.py loads MathJax from a relative path (no ``//`` address) that offline_mathjax serves, and
    builds the command-line reference; the generated folder is not a page of its own."""
    monkeypatch.setattr(sys, "path", list(sys.path))  # conf.py prepends to sys.path
    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert "//" not in conf["mathjax_path"] and not conf["mathjax_path"].startswith("/")
    assert conf["mathjax_path"] == offline_mathjax.MATHJAX_PATH
    assert {"sphinx.ext.mathjax", "offline_mathjax", "cli_reference"} <= set(conf["extensions"])
    assert "_generated" in conf["exclude_patterns"]
    assert "_generated/cli_reference.rst" in (DOCS / "cli.rst").read_text(encoding="utf-8")


def fake_mathjax(root: Path) -> Path:
    """A MathJax folder laid out like django-static-mathjax's: es5/ with the component and its on-demand folders."""
    (root / "es5").mkdir(parents=True)
    (root / "es5" / "tex-chtml.js").write_text("component")
    (root / "es5" / "tex-svg.js").write_text("another component, not served")
    (root / "LICENSE").write_text("Apache-2.0")
    for folder in offline_mathjax.ON_DEMAND:
        (root / "es5" / folder).mkdir(parents=True)
        (root / "es5" / folder / "part.js").write_text(folder)
    return root


def test_copy_serves_the_component_its_on_demand_folders_and_the_licence(tmp_path: Path) -> None:
    """Claim: after the build, _static/mathjax/ has tex-chtml.js (what mathjax_path names), the folders it loads
    from (fonts among them) and MathJax's licence, and nothing else of the package; a second copy (an
    incremental build) succeeds."""
    root = fake_mathjax(tmp_path / "pkg")
    static = tmp_path / "out" / "_static"
    for _ in range(2):
        target = offline_mathjax.copy_mathjax(root, static)
    assert (static / offline_mathjax.MATHJAX_PATH).read_text() == "component"
    assert (target / "LICENSE").read_text() == "Apache-2.0"
    for folder in ("output/chtml", "input/tex", "a11y", "sre", "ui"):  # what tex-chtml.js fetches, by hand
        assert (target / folder / "part.js").read_text() == folder
    assert not (target / "tex-svg.js").exists()


def test_missing_mathjax_is_one_message_naming_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Claim: without the package (or with a package lacking the component) the build stops with a message that
    says what to install, instead of building pages whose math never renders."""
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(offline_mathjax.MathJaxError, match="django-static-mathjax"):
        offline_mathjax.mathjax_root()
    (tmp_path / "mathjax" / "static" / "mathjax" / "es5").mkdir(parents=True)  # the folder, without the file
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: SimpleNamespace(submodule_search_locations=[str(tmp_path / "mathjax")]))
    with pytest.raises(offline_mathjax.MathJaxError, match="django-static-mathjax"):
        offline_mathjax.mathjax_root()


def fake_app(builder_format: str, mathjax_path: str) -> SimpleNamespace:
    return SimpleNamespace(builder=SimpleNamespace(format=builder_format),
                           config=SimpleNamespace(mathjax_path=mathjax_path))


def test_an_html_build_refuses_mathjax_from_elsewhere() -> None:
    """Claim: an HTML build whose conf.py loads MathJax from a CDN stops at once; a doctest build, which shows no
    math, is not concerned."""
    cdn = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
    with pytest.raises(offline_mathjax.MathJaxError, match="cdn.jsdelivr"):
        offline_mathjax._on_builder_inited(fake_app("html", cdn))
    offline_mathjax._on_builder_inited(fake_app("text", cdn))


@pytest.mark.skipif(importlib.util.find_spec("mathjax") is None, reason="the docs extra is not installed")
def test_the_installed_package_has_what_is_served() -> None:
    """Claim: the installed django-static-mathjax has the component, the licence and every on-demand folder, and
    its fonts where the CommonHTML output looks for them (``[mathjax]/output/chtml/fonts/woff-v2``)."""
    root = offline_mathjax.mathjax_root()
    assert (root / "LICENSE").is_file()
    assert all((root / "es5" / folder).is_dir() for folder in offline_mathjax.ON_DEMAND)
    assert (root / "es5" / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_Main-Regular.woff").is_file()


# --- the command-line reference ---------------------------------------------------------------------------------


def help_options(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """``fedsym ARGV --help`` read back as {invocation: help text}, from its printed text (unwrapped: a wide
    terminal), independently of how cli_reference walks the parser."""
    with pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    text = capsys.readouterr().out
    options: dict[str, str] = {}
    current = None
    groups = [part for part in text.split("\n\n")[1:] if re.match(r"\S[^\n]*:\n  ", part)]  # "options:" etc.
    for line in "\n".join(groups).splitlines():
        if re.match(r"\S", line):  # a group heading ("options:")
            current = None
        elif re.match(r" {2}\S", line):  # "  --param NAME=VALUE    help" or the invocation alone on its line
            current, _, rest = re.sub(r"^ {2}", "", line).partition("  ")
            options[current] = rest.strip()
        elif current is not None:  # help text on the next line
            options[current] = (options[current] + " " + line.strip()).strip()
    return options


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_reference_has_the_options_and_help_texts_of_help(command: str | None, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Claim: per command, the reference lists exactly the options ``--help`` prints, each with the same help
    text (``%(default)s`` filled in as ``--help`` does)."""
    monkeypatch.setenv("COLUMNS", "2000")  # --help on one line per option, so no word is split at a hyphen
    argv = [] if command is None else [command.replace("_", "-")]  # module solve_for is the subcommand solve-for
    expected = help_options(argv, capsys)
    parser = build_parser()
    for name in argv:
        parser = dict(cli_reference.subcommands(parser))[name]
    listed = {invocation: text for _, rows in cli_reference.options(parser) for invocation, text in rows}
    if command is None:  # --help also lists the subcommands as a positional argument; the reference, as sections
        expected = {k: v for k, v in expected.items() if not k.startswith("{")}
    assert listed == expected


def test_reference_follows_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Claim: the page has a section per command of COMMANDS, in its order, and follows it when it changes (a
    subcommand added on another branch appears without touching the docs)."""
    def labels() -> list[str]:
        return re.findall(r"^\.\. _cli-fedsym-([\w-]+):$", cli_reference.reference_page(), flags=re.MULTILINE)

    assert labels() == [name.replace("_", "-") for name in COMMANDS]  # module solve_for is the subcommand solve-for
    monkeypatch.setattr(fedsym.cli, "COMMANDS", ("report", "check"))
    assert labels() == ["report", "check"]


def test_reference_sections_by_hand() -> None:
    """Claim (expected lines written by hand): the section of a small parser has its label, title, description,
    usage without ``usage:``, options with plain help text escaped (``*`` is not emphasis), an option without help
    marked so, a suppressed option left out, and its subcommand as a section one level down."""
    tool = argparse.ArgumentParser(prog="tool", description="A *tool*.")
    tool.add_argument("--a", metavar="X", help="x*y (default: %(default)s)", default=3)
    tool.add_argument("--hidden", help=argparse.SUPPRESS)
    sub = tool.add_subparsers(dest="cmd")
    sub.add_parser("run", description="Runs.").add_argument("--b")
    assert cli_reference.reference(tool) == [
        ".. _cli-tool:", "", "``tool``", "~~~~~~~~", "", "A *tool*.", "",
        ".. code-block:: text", "", "   tool [-h] [--a X] {run} ...", "",
        ".. rubric:: options", "",
        "``-h, --help``", "   show this help message and exit",
        "``--a X``", r"   x\*y \(default\: 3\)", "",
        ".. _cli-tool-run:", "", "``tool run``", "^^^^^^^^^^^^", "", "Runs.", "",
        ".. code-block:: text", "", "   tool run [-h] [--b B]", "",
        ".. rubric:: options", "",
        "``-h, --help``", "   show this help message and exit",
        "``--b B``", "   (no help text)", "",
    ]


def test_escaped_help_reads_back_as_written() -> None:
    """Claim: reStructuredText reads an escaped help text back as the text itself, whatever markup it holds."""
    docutils_core = pytest.importorskip("docutils.core")
    text = r"a*b **c** `d` ``e`` |f| g_ [1]_ <h> :math:`i` \j -k #l 1. m"
    tree = docutils_core.publish_doctree(f"``--x``\n   {cli_reference.escape(text)}\n",
                                         settings_overrides={"report_level": 5})
    definition = tree.next_node(lambda node: node.tagname == "definition")
    assert definition.astext() == text
    assert not list(tree.findall(lambda node: node.tagname in ("problematic", "system_message")))  # g_: a link


def test_write_reference_rewrites_only_a_changed_page(tmp_path: Path) -> None:
    """Claim: the page is written where cli.rst includes it, and left untouched (so not re-read) when unchanged."""
    target = cli_reference.write_reference(tmp_path)
    assert target == tmp_path / "_generated" / "cli_reference.rst"
    written = target.stat().st_mtime_ns
    cli_reference.write_reference(tmp_path)
    assert target.stat().st_mtime_ns == written
    target.write_text("stale", encoding="utf-8")
    cli_reference.write_reference(tmp_path)
    assert target.read_text(encoding="utf-8") == cli_reference.reference_page()


def test_generating_the_reference_imports_no_sympy() -> None:
    """Claim: building the parsers for the reference, like ``fedsym --help``, loads no sympy, mpmath or scipy."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import cli_reference; cli_reference.reference_page(); "
            "print(sorted(m for m in ('sympy', 'mpmath', 'scipy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(DOCS / "_ext")], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
