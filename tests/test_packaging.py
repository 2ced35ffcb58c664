"""Installed like a library (issue 14): the paper's derivations ship with fedsym, one version, a complete wheel.

The end-to-end claim (build sdist and wheel, install the wheel into a fresh
virtual environment, run ``fedsym report --out out`` and ``fedsym check`` from
an empty folder, compare with ``reports/``) takes minutes and runs in
``.ci/run``; these tests pin the pieces it rests on.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

import fedsym
from fedsym.cli import main
from fedsym.core.errors import InputFileError
from fedsym.report import derivation_files, runner, shipped_derivations

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[1]

#: a derivation file with one section whose title says where it came from
DERIVATION = '''
from fedsym.core.latex import Latex
from fedsym.report import Section

def derive():
    return Section(key="{key}", title="{title}", source="test", statement=Latex("S."))
'''


def write_derivation(folder: Path, name: str, key: str, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(DERIVATION.format(key=key, title=title)), encoding="utf-8")
    return path


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# The wheel's contents and the one version
# --------------------------------------------------------------------------

def test_wheel_lists_every_fedsym_package_and_the_derivations():
    """Claim: the explicit package list (pyproject) misses no folder of fedsym/ (code or data); expected: the tree."""
    packages = _pyproject()["tool"]["setuptools"]["packages"]
    folders = [ROOT / "fedsym", *(p for p in (ROOT / "fedsym").rglob("*") if p.is_dir() and p.name != "__pycache__")]
    on_disk = [".".join(p.relative_to(ROOT).parts) for p in folders]
    assert sorted(packages) == sorted([*on_disk, "fedsym_derivations"])
    assert _pyproject()["tool"]["setuptools"]["package-dir"] == {"fedsym_derivations": "derivations"}
    assert (ROOT / "derivations" / "__init__.py").is_file()


def test_version_has_one_source():
    """Claim: pyproject takes the version from fedsym/core/version.py, which fedsym.__version__ re-exports (PEP 440);
    no second copy in pyproject or CITATION.cff."""
    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "fedsym.core.version.__version__"}
    from fedsym.core import version
    assert fedsym.__version__ is version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", fedsym.__version__)
    assert not re.search(r"^version:", (ROOT / "CITATION.cff").read_text(encoding="utf-8"), re.MULTILINE)


def test_derivations_import_only_fedsym_its_dependencies_and_the_standard_library():
    """Claim: a shipped derivation runs wherever the wheel is installed; expected: imports within pyproject's dependencies."""
    dependencies = {re.split(r"[<>=!~ \[]", d)[0] for d in _pyproject()["project"]["dependencies"]}
    allowed = {"fedsym", "__future__", *dependencies, *sys.stdlib_module_names}
    for path in sorted((ROOT / "derivations").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
            assert not (isinstance(node, ast.ImportFrom) and node.level), f"{path.name}: relative import"


def test_project_hygiene_files_exist():
    """Claim: LICENSE (MIT, as pyproject says), CITATION.cff citing the paper, CHANGELOG with this version's entry."""
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert _pyproject()["project"]["license"] == "MIT"
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version:" in citation and "2207.04557" in citation and "Karimireddy" in citation
    release = fedsym.__version__.split(".dev")[0]
    assert f"## [{release}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# Finding the derivations
# --------------------------------------------------------------------------

def test_shipped_derivations_in_a_checkout_are_the_checkouts_folder():
    """Claim: run from the source tree, the paper's derivations are the checkout's derivations/ (same code, same files)."""
    assert shipped_derivations() == ROOT / "derivations"


def test_shipped_derivations_of_an_installed_wheel_are_the_fedsym_derivations_package(tmp_path, monkeypatch):
    """Claim: installed (no pyproject.toml beside the package), the folder is the package fedsym_derivations."""
    site = tmp_path / "site"
    (site / "fedsym_derivations").mkdir(parents=True)
    (site / "fedsym_derivations" / "__init__.py").write_text("")
    monkeypatch.setattr(runner, "__file__", str(site / "fedsym" / "report" / "runner.py"))
    monkeypatch.syspath_prepend(str(site))
    assert shipped_derivations().resolve() == (site / "fedsym_derivations").resolve()
    monkeypatch.setattr(runner, "SHIPPED_PACKAGE", "fedsym_no_such_package_xyz")
    with pytest.raises(InputFileError, match="not installed; pass --derivations DIR"):
        shipped_derivations()


def test_later_folder_adds_and_replaces_by_file_name(tmp_path):
    """Claim: folders merge by file name, later wins, helpers (_*.py) skipped, result sorted by name."""
    paper, mine = tmp_path / "paper", tmp_path / "mine"
    write_derivation(paper, "s1.py", "s1", "paper")
    write_derivation(paper, "s2.py", "s2", "paper")
    write_derivation(mine, "s2.py", "s2", "mine")
    write_derivation(mine, "a0.py", "a0", "mine")
    (mine / "_helper.py").write_text("")
    assert derivation_files([paper, mine]) == (mine / "a0.py", paper / "s1.py", mine / "s2.py")
    with pytest.raises(InputFileError, match="no such folder"):
        derivation_files([paper, tmp_path / "missing"])


# --------------------------------------------------------------------------
# fedsym report on the command line
# --------------------------------------------------------------------------

def test_report_runs_the_shipped_derivations_with_the_users(tmp_path, monkeypatch, capsys):
    """Claim: without --no-shipped the paper's files run too; --derivations adds a section and replaces one."""
    paper, mine, out = tmp_path / "paper", tmp_path / "mine", tmp_path / "out"
    write_derivation(paper, "s1.py", "s1", "paper one")
    write_derivation(paper, "s2.py", "s2", "paper two")
    write_derivation(mine, "s2.py", "s2", "my two")
    write_derivation(mine, "s3.py", "s3", "my three")
    monkeypatch.setattr("fedsym.report.shipped_derivations", lambda: paper)
    monkeypatch.chdir(tmp_path)
    assert main(["report"]) == 0 and (tmp_path / "reports" / "main.tex").is_file()  # default --out: ./reports
    assert sorted(p.name for p in (tmp_path / "reports").glob("s*.tex")) == ["s1.tex", "s2.tex"]
    assert main(["report", "--derivations", str(mine), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("s*.tex")) == ["s1.tex", "s2.tex", "s3.tex"]
    assert "my two" in (out / "s2.tex").read_text() and "paper one" in (out / "s1.tex").read_text()
    assert main(["report", "--no-shipped", "--derivations", str(mine), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("s*.tex")) == ["s2.tex", "s3.tex"]  # s1 removed as stale
    assert "with 2 section(s)" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["--derivations", "no-such-dir"], "fedsym report: error: --derivations no-such-dir: no such folder"),
    (["--no-shipped"], "fedsym report: error: --no-shipped needs at least one --derivations DIR"),
])
def test_report_bad_folders_are_one_line_errors(tmp_path, monkeypatch, capsys, argv, message):
    """Claim: a missing folder or an empty selection exits 2 with one line naming the input (docs/cli.rst, "Exit codes")."""
    monkeypatch.chdir(tmp_path)
    assert main(["report", *argv, "--out", "out"]) == 2
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------
# The notebook and the docs (executed and built in .ci/run; here only what can rot silently)
# --------------------------------------------------------------------------

def test_notebook_is_stored_executed_with_figures_and_every_code_cell_parses():
    """Claim: the tour is committed executed (a code host shows it), in order, with the paper's figures drawn.

    That the stored outputs come from the current code is checked by CI (``scripts/execute_notebook.py --check``
    executes the notebook and compares its text outputs).
    """
    notebook = json.loads((ROOT / "examples" / "fedsym_tour.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4 and notebook["metadata"]["kernelspec"]["name"] == "python3"
    cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert [cell["execution_count"] for cell in cells] == list(range(1, len(cells) + 1))
    assert all(cell["outputs"] for cell in cells), "a code cell without output: run scripts/execute_notebook.py"
    assert not [o for cell in cells for o in cell["outputs"] if o["output_type"] == "error"]
    images = [o for cell in cells for o in cell["outputs"] if "image/png" in o.get("data", {})]
    assert len(images) >= 2
    for cell in cells:
        ast.parse("".join(cell["source"]))


def test_every_capability_has_a_docs_page_in_the_toctree():
    """Claim: the issue's capability list each has a page listed in docs/index.rst, and the API page covers each module."""
    index = (ROOT / "docs" / "index.rst").read_text(encoding="utf-8")
    for page in ("model", "one_agent", "mechanisms", "screening", "agents_that_differ", "k_types",
                 "learning_curves", "reports", "gallery", "cli", "api"):
        assert (ROOT / "docs" / f"{page}.rst").is_file() and f"   {page}\n" in index, page
    api = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "fedsym").rglob("*.py")
               if p.name != "__init__.py" and not p.name.startswith("_") and p.parent.name != "cli"}
    missing = sorted(m for m in modules if f".. automodule:: {m}\n" not in api)
    assert not missing, f"docs/api.rst does not document {missing}"


# --------------------------------------------------------------------------
# The front is the API (issue 18): every name the docs, README, notebook and derivations import
# --------------------------------------------------------------------------

#: the packages whose ``__init__`` re-exports a layer's API
FRONTS = ("fedsym", "fedsym.core", "fedsym.model", "fedsym.report")

#: a doctest prompt (``>>>`` or ``...``) at the start of a line, after the indentation of a code block
_PROMPT = re.compile(r"^[ \t]*(?:>>>|\.\.\.)(?: |$)", re.MULTILINE)
#: ``from fedsym... import a, b`` (one line or parenthesized) and ``import fedsym...``
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(fedsym[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)|import[ \t]+(fedsym[\w.]*))",
                     re.MULTILINE)


def imports_in_text(text: str) -> set[tuple[str, str | None]]:
    """``(module, name)`` of every fedsym import in reStructuredText or Markdown (name None for ``import fedsym.x``)."""
    found: set[tuple[str, str | None]] = set()
    for module, names, plain in _IMPORT.findall(_PROMPT.sub("", text)):
        if plain:
            found.add((plain, None))
        for name in names.strip("()").replace("\n", " ").split(","):
            if name.strip():
                found.add((module, name.split(" as ")[0].strip()))
    return found


def imports_in_python(source: str) -> set[tuple[str, str | None]]:
    """``(module, name)`` of every fedsym import in Python source, read with :mod:`ast` (any depth)."""
    found: set[tuple[str, str | None]] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "fedsym":
            found.update((node.module or "", alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update((alias.name, None) for alias in node.names if alias.name.split(".")[0] == "fedsym")
    return found


def user_facing_imports() -> dict[tuple[str, str | None], list[str]]:
    """Every fedsym import of docs/*.rst, README.md, the notebook and derivations/*.py -> the files that have it."""
    where: dict[tuple[str, str | None], list[str]] = {}

    def add(found: set[tuple[str, str | None]], path: Path) -> None:
        for item in found:
            where.setdefault(item, []).append(path.name)

    for path in sorted((ROOT / "derivations").glob("*.py")):
        add(imports_in_python(path.read_text(encoding="utf-8")), path)
    notebook = ROOT / "examples" / "fedsym_tour.ipynb"
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            add(imports_in_python("".join(cell["source"])), notebook)
    for path in [*sorted((ROOT / "docs").glob("*.rst")), ROOT / "README.md"]:
        add(imports_in_text(path.read_text(encoding="utf-8")), path)
    return where


def test_import_reader_finds_doctest_and_parenthesized_imports():
    """Claim: the reader sees what a user copies: prompts, continuation lines, aliases; expected: by hand."""
    text = """
       >>> from fedsym import accuracy_function, individual
       >>> from fedsym.core.solve import (
       ...     DPS,
       ...     bracketed_root as root,
       ... )
       >>> import fedsym.report
    from fedsym.model import Agent  # a comment
    """
    assert imports_in_text(text) == {("fedsym", "accuracy_function"), ("fedsym", "individual"),
                                     ("fedsym.core.solve", "DPS"), ("fedsym.core.solve", "bracketed_root"),
                                     ("fedsym.report", None), ("fedsym.model", "Agent")}


def test_every_user_facing_import_goes_through_a_front():
    """Claim: docs, README, notebook and derivations import from ``fedsym`` or a subpackage front, never a deep module;
    expected: no other module in any import."""
    deep = {item: files for item, files in user_facing_imports().items() if item[0] not in FRONTS}
    assert not deep, f"deep imports (add the name to a front and import it from there): {deep}"


def test_every_name_imported_from_a_front_resolves():
    """Claim: each name a user imports from a front exists there and is listed in its ``__all__``."""
    import importlib
    for (module, name), files in sorted(user_facing_imports().items(), key=str):
        if module in FRONTS and name is not None:
            front = importlib.import_module(module)
            assert name in front.__all__ and hasattr(front, name), f"{module}.{name} (imported by {files})"


@pytest.mark.parametrize("front", FRONTS)
def test_front_all_lists_only_importable_names_once(front):
    """Claim: every name of a front's ``__all__`` imports, none twice; a lazy front's table is exactly its ``__all__``."""
    import importlib
    package = importlib.import_module(front)
    assert len(package.__all__) == len(set(package.__all__))
    for name in package.__all__:
        assert getattr(package, name) is not None, name
    if hasattr(package, "_LAZY"):
        assert set(package._LAZY) == set(package.__all__)
        assert set(dir(package)) >= set(package.__all__)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        package.no_such_name  # noqa: B018


def test_importing_the_fronts_loads_no_sympy():
    """Claim: the fronts are lazy, so ``import fedsym`` (and ``fedsym --help``) stays light; checked in a fresh process."""
    import subprocess
    code = ("import sys, fedsym, fedsym.core, fedsym.model, fedsym.core.lazy; fedsym.Settings; fedsym.core.InputError; "
            "print(sorted(m for m in ('sympy', 'mpmath', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
