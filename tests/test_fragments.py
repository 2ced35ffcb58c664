"""A committed report fragment compiles inside a host paper's own preamble (issue 13).

The claim: ``reports/<key>.tex`` can be pasted into a paper that already loads
its own geometry, hyperref, fontenc and amsmath, with ``\\usepackage{fedsym}``
last; its figures keep the paper's numbers ("Figure 4(a)") without moving the
host's figure counter, and its own equations are numbered (R1), (R2), ...  The
expected numbers come from the host document written here: the host's figures
before and after the fragment must read "Figure 1" and "Figure 2", as if the
fragment had none.  A publisher class from Debian's texlive-publishers
(IEEEtran; it needs the Times fonts of texlive-fonts-recommended) must compile
it too.  Without TeX the tests skip locally and fail on CI, which installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fedsym.report.tex import STYLE_FILE

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parent.parent
#: a committed fragment with two figures the paper numbers (Figure 4(a), 4(b))
FRAGMENT = ROOT / "reports" / "s45_figure4_generalization_bound.tex"
#: a committed fragment with a figure and an equation of the report's own (R-numbered)
OWN_FRAGMENT = ROOT / "reports" / "s43_example_4_5.tex"

FOREIGN_ARTICLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[letterpaper,margin=1in]{geometry}
\usepackage{amsmath}
\usepackage[colorlinks]{hyperref}
\usepackage{pgfplots}
\pgfplotsset{compat=1.18}
\usepackage{fedsym}
\begin{document}
\section{Host}
\begin{equation} E = mc^2 \end{equation}
\begin{figure}[h]\centering HOST-ONE\caption{Host before}\end{figure}
\input{FRAGMENT}
\input{OWN}
\begin{figure}[h]\centering HOST-TWO\caption{Host after}\end{figure}
\begin{equation} F = ma \end{equation}
See Figure~\ref{fig:KEY:1} and Figure~\ref{fig:OWNKEY:1}.
\end{document}
"""

IEEE = r"""\documentclass[conference]{IEEEtran}
\usepackage{amsmath}
\usepackage{fedsym}
\begin{document}
\title{Host}
\maketitle
\section{Host}
\begin{figure}\centering HOST-ONE\caption{Host before}\end{figure}
\input{FRAGMENT}
\end{document}
"""


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install {tool} (see .ci/run)")
        pytest.skip(f"not installed: {tool}")


def _compile(tmp_path: Path, source: str) -> str:
    """Compile *source* twice (for references) next to fedsym.sty; the PDF's text."""
    _require("pdflatex")
    _require("pdftotext")
    shutil.copy(STYLE_FILE, tmp_path / "fedsym.sty")
    for fragment in (FRAGMENT, OWN_FRAGMENT):
        shutil.copy(fragment, tmp_path / fragment.name)
    source = (source.replace("OWNKEY", OWN_FRAGMENT.stem).replace("KEY", FRAGMENT.stem)
              .replace("FRAGMENT", FRAGMENT.stem).replace("OWN", OWN_FRAGMENT.stem))
    (tmp_path / "host.tex").write_text(source, encoding="utf-8")
    for _ in range(2):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "host.tex"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=100)
        errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
        assert done.returncode == 0, f"host.tex failed: {errors[:3]}"
    text = subprocess.run(["pdftotext", "-layout", "host.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True, timeout=60).stdout
    return " ".join(text.split())


def test_fragment_compiles_in_a_foreign_article_preamble(tmp_path: Path) -> None:
    text = _compile(tmp_path, FOREIGN_ARTICLE)
    # the host's own numbering is untouched by the fragment's figures and equations
    assert "Figure 1: Host before" in text and "Figure 2: Host after" in text
    assert "(1)" in text and "(2)" in text
    # the paper's figures keep the paper's numbers; the report's own ones are R-numbered
    assert "Figure 4(a): Per-agent data against cost" in text
    assert "Figure 4(b): Per-agent data against the number of agents" in text
    assert "Figure R1:" in text and "(R1)" in text
    assert "See Figure 4(a) and Figure R1." in text


def test_fragment_compiles_in_the_ieeetran_class(tmp_path: Path) -> None:
    if subprocess.run(["kpsewhich", "IEEEtran.cls"], capture_output=True, text=True).stdout.strip() == "":
        if os.environ.get("CI"):
            pytest.fail("CI must install texlive-publishers (see .ci/run)")
        pytest.skip("IEEEtran.cls not installed (texlive-publishers)")
    text = _compile(tmp_path, IEEE)
    assert "Fig. 1. Host before" in text
    assert "Fig. 4(a). Per-agent data against cost" in text
