"""Run the derivation files and write the report: one fragment per section and ``main.tex``.

:func:`run_report` imports every derivation file (it runs them: a derivation is
Python code by design), writes one ``<key>.tex`` fragment per section and a
``main.tex`` that inputs them, and optionally compiles the PDF.  Output is
deterministic: the same derivations give byte-identical files.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from fedsym.core.errors import DerivationError, InputFileError
from fedsym.core.latex import Latex
from fedsym.report.content import Section, verification_latex
from fedsym.report.pdf import compile_pdf
from fedsym.report.tex import GENERATED_HEADER, STYLE_FILE, preamble, render

__all__ = ["DEFAULT_TITLE", "SHIPPED_PACKAGE", "ReportResult", "derivation_files", "load_sections", "prepare_output",
           "refuse_foreign", "run_report",
           "shipped_derivations"]

#: Title of the master document written by :func:`run_report`.
DEFAULT_TITLE = "Data sharing in federated learning: worked examples"

#: Name under which the wheel installs the repository's ``derivations/`` folder.
SHIPPED_PACKAGE = "fedsym_derivations"

# --------------------------------------------------------------------------
# Finding the derivation files
# --------------------------------------------------------------------------

def shipped_derivations() -> Path:
    """The folder of the paper's derivation files that came with this fedsym.

    In a source checkout (``fedsym/`` next to ``pyproject.toml`` and
    ``derivations/``, the case of ``PYTHONPATH=.`` and of an editable install)
    it is the checkout's ``derivations/``, so the files always match the code
    that runs them.  In an installed wheel it is the folder of the package
    :data:`SHIPPED_PACKAGE`, which the wheel builds from the same
    ``derivations/`` folder.

    Raises
    ------
    InputFileError
        If neither exists (a fedsym installed without its derivations).
    """
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "derivations").is_dir():
        return root / "derivations"
    spec = importlib.util.find_spec(SHIPPED_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    raise InputFileError(f"the paper's derivations ({SHIPPED_PACKAGE}) are not installed; pass --derivations DIR")


def derivation_files(folders: Iterable[Path]) -> tuple[Path, ...]:
    """The derivation files of *folders*, sorted by file name; a later folder's file replaces an earlier one's.

    A file is a ``*.py`` file whose name does not start with ``_`` (those are
    helpers).  Files of the same name replace each other, so a user's folder
    listed after :func:`shipped_derivations` can both add sections and replace
    the paper's.

    Raises
    ------
    InputFileError
        If a folder does not exist.
    """
    chosen: dict[str, Path] = {}
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise InputFileError(f"{folder}: no such folder of derivation files")
        chosen.update((p.name, p) for p in folder.glob("*.py") if not p.name.startswith("_"))
    return tuple(chosen[name] for name in sorted(chosen))

# --------------------------------------------------------------------------
# Running the derivations
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportResult:
    """What :func:`run_report` wrote."""

    main: Path
    sections: tuple[Path, ...]  # the fragments written, verification.tex last
    removed: tuple[Path, ...] = ()
    pdf: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (paths as strings)."""
        return {"main": str(self.main), "sections": [str(p) for p in self.sections],
                "removed": [str(p) for p in self.removed],
                "pdf": None if self.pdf is None else str(self.pdf)}


def _one_line(exc: BaseException) -> str:
    """``"Type: message"`` of an exception, with its whitespace collapsed to one line."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def _import(path: Path) -> ModuleType:
    """Import a Python file by path, under a name private to fedsym."""
    name = f"fedsym_derivation_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("not importable as a Python file")
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = module  # dataclasses in the file look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
    return module


def load_sections(path: Path) -> list[Section]:
    """The sections a derivation file's ``derive()`` returns; any failure names the file.

    A derivation is code: one that raises, or calls ``sys.exit()``, is a
    :class:`DerivationError` naming the file (Ctrl-C still interrupts); a file
    that is not valid Python, has no ``derive()`` or returns no sections is an
    :class:`InputFileError`.
    """
    try:
        module = _import(path)
    except SyntaxError as exc:
        raise InputFileError(f"{path}: cannot be imported: {_one_line(exc)}") from exc
    except (Exception, SystemExit) as exc:
        raise DerivationError(f"{path}: cannot be imported: {_one_line(exc)}") from exc
    derive = getattr(module, "derive", None)
    if not callable(derive):
        raise InputFileError(f"{path}: defines no derive() function")
    try:
        result = derive()
    except (Exception, SystemExit) as exc:
        raise DerivationError(f"{path}: derive() failed: {_one_line(exc)}") from exc
    sections = [result] if isinstance(result, Section) else result
    if not isinstance(sections, (list, tuple)) or not all(isinstance(s, Section) for s in sections):
        raise InputFileError(
            f"{path}: derive() returned {type(result).__name__}, expected a Section or a list of Sections"
        )
    return list(sections)


def _render_all(files: Sequence[Path], progress: Callable[[str], None] | None = None,
                ) -> tuple[dict[str, Latex], list[Section]]:
    """``{key: fragment}`` for every section of every file, in file order, and the sections (*progress* told per file)."""
    fragments: dict[str, Latex] = {}
    origin: dict[str, Path] = {}
    sections: list[Section] = []
    for number, path in enumerate(files, start=1):
        if progress is not None:
            progress(f"[{number}/{len(files)}] {path}")
        for section in load_sections(path):
            if section.key in origin:
                raise InputFileError(
                    f"{path}: section key {section.key!r} is already used by {origin[section.key]}"
                )
            try:
                fragments[section.key] = section.to_latex()
            except Exception as exc:
                raise DerivationError(
                    f"{path}: section {section.key!r} cannot be rendered: {_one_line(exc)}"
                ) from exc
            origin[section.key] = path
            sections.append(section)
    return fragments, sections


def _write(path: Path, text: str) -> None:
    """Write *text* as UTF-8 with Unix newlines, ending in exactly one newline."""
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8", newline="\n")


def prepare_output(out_dir: Path) -> Path:
    """Create *out_dir* if needed and make sure files can be written in it, before any derivation runs.

    Raises :class:`InputFileError` naming the folder when it is an existing
    file or device (``/dev/null``), cannot be created, or is not writable.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputFileError(f"output folder {out_dir}: exists and is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as error:
        raise InputFileError(f"output folder {out_dir}: cannot write there ({error.strerror or error})") from None
    return out_dir


def refuse_foreign(paths: Iterable[Path], force: bool) -> None:
    """Refuse to overwrite a file that fedsym did not write (its first line is not fedsym's), unless *force*.

    Raises :class:`InputFileError` naming the first such file.
    """
    if force:
        return
    for path in paths:
        if not path.is_file():
            continue
        ours = STYLE_FILE.read_text(encoding="utf-8").split("\n", 1)[0] if path.name == STYLE_FILE.name \
            else GENERATED_HEADER
        with path.open(encoding="utf-8", errors="replace") as handle:
            if handle.readline().rstrip("\n") != ours:
                raise InputFileError(f"{path}: exists and was not written by fedsym; "
                                     "choose another output folder or pass --force to overwrite it")


def _remove_stale(out_dir: Path, keep: set[Path]) -> tuple[Path, ...]:
    """Delete generated ``.tex`` files of sections that no longer exist."""
    removed = []
    for path in sorted(out_dir.glob("*.tex")):
        if path in keep:
            continue
        with path.open(encoding="utf-8", errors="replace") as handle:
            if handle.readline().rstrip("\n") == GENERATED_HEADER:
                path.unlink()
                removed.append(path)
    return tuple(removed)


def run_report(
    derivations_dir: Path | Sequence[Path],
    out_dir: Path,
    pdf: bool = False,
    *,
    title: str = DEFAULT_TITLE,
    author: str = "",
    date: str = "",
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> ReportResult:
    """Run every derivation file and write the LaTeX report.

    Imports ``derivations_dir/*.py`` in file-name order (names starting with
    ``_`` are helpers and skipped; several folders are merged by
    :func:`derivation_files`), calls each file's ``derive()`` (a
    :class:`Section` or a list of them), writes ``out_dir/<key>.tex`` per
    section, ``out_dir/verification.tex`` (the closed-form-vs-numerics
    appendix) when any section has check rows, ``out_dir/fedsym.sty`` (what
    the fragments need; load it after a host paper's own preamble) and
    ``out_dir/main.tex`` inputting them in that order, and removes generated
    ``.tex`` files of sections that no longer exist.  The output is
    byte-identical across runs.

    Parameters
    ----------
    derivations_dir : Path or sequence of Path
        Directory of derivation files, or directories merged by file name (a
        later one's file replaces an earlier one's); :func:`shipped_derivations`
        is the paper's.
    out_dir : Path
        Output directory, created if missing.
    pdf : bool, default False
        Also compile ``main.tex`` (see :func:`compile_pdf`).
    title : str, default DEFAULT_TITLE
        Title of the master document.
    author, date : str, default ""
        The title page's author and date (plain text; empty prints nothing,
        so the output stays reproducible).
    progress : callable, optional
        Called with ``"[i/n] path"`` before each derivation file runs.
    force : bool, default False
        Overwrite files in ``out_dir`` that fedsym did not write (a user's own
        ``main.tex``); without it they are refused.

    Returns
    -------
    ReportResult

    Raises
    ------
    InputFileError
        Before running anything, if ``out_dir`` is not a writable folder
        (:func:`prepare_output`); then if a directory is missing or has no derivation file,
        or a file is not valid Python, lacks ``derive()``, returns something else than sections or repeats a section
        key; or ``out_dir`` holds a ``main.tex``, ``fedsym.sty`` or section file fedsym did not write (unless
        ``force``).
    DerivationError
        If a file raises (or exits) when imported or in ``derive()``, or a section cannot be rendered (e.g. NaN).
    TexError
        If ``pdf`` and TeX is missing or LaTeX fails.
    """
    folders = [Path(derivations_dir)] if isinstance(derivations_dir, (str, Path)) else [Path(d) for d in derivations_dir]
    files = derivation_files(folders)
    if not files:
        raise InputFileError(f"{', '.join(map(str, folders))}: no derivation files (*.py) found")
    out_dir = prepare_output(out_dir)
    main = out_dir / "main.tex"
    refuse_foreign([main, out_dir / STYLE_FILE.name], force)
    fragments, loaded = _render_all(files, progress)
    if any(section.checks for section in loaded):
        fragments["verification"] = verification_latex(loaded)
    outputs = tuple(out_dir / f"{key}.tex" for key in fragments)
    refuse_foreign(outputs, force)
    for path, text in zip(outputs, fragments.values()):
        _write(path, text)
    _write(out_dir / STYLE_FILE.name, STYLE_FILE.read_text(encoding="utf-8"))
    keys = [Latex(key) for key in fragments if key != "verification"]
    _write(main, render("main.tex", header=GENERATED_HEADER, preamble=preamble(), title=title,
                         author=author, date=date, inputs=keys, verification="verification" in fragments))
    removed = _remove_stale(out_dir, {main, *outputs})
    return ReportResult(main=main, sections=outputs, removed=removed,
                        pdf=compile_pdf(main) if pdf else None)
