"""The committed reports equal a fresh `fedsym report`, and the real report compiles to a non-blank PDF."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fedsym.report import run_report

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fresh_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    run_report(ROOT / "derivations", out)
    return out


@pytest.mark.slow
def test_committed_reports_match_a_fresh_regeneration(fresh_report: Path):
    committed = sorted(p.name for p in (ROOT / "reports").glob("*.tex"))
    fresh = sorted(p.name for p in fresh_report.glob("*.tex"))
    assert committed == fresh, "reports/ lists other files than a fresh `fedsym report`"
    _, mismatch, errors = filecmp.cmpfiles(ROOT / "reports", fresh_report, fresh, shallow=False)
    assert not mismatch and not errors, f"regenerate reports/ with `fedsym report`: {mismatch + errors}"


@pytest.mark.slow
def test_real_report_compiles_to_a_non_blank_pdf(fresh_report: Path):
    if not (shutil.which("latexmk") or shutil.which("pdflatex")) or not shutil.which("pdftoppm"):
        if os.environ.get("CI"):
            pytest.fail("CI must install TeX Live and poppler-utils (see .ci/run)")
        pytest.skip("no TeX installation or pdftoppm")
    result = run_report(ROOT / "derivations", fresh_report, pdf=True)
    assert result.pdf is not None and result.pdf.stat().st_size > 10_000
    pages = subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "3", str(result.pdf),
                            str(fresh_report / "page")], capture_output=True, text=True, timeout=120)
    assert pages.returncode == 0, pages.stderr
    for page in sorted(fresh_report.glob("page*.pgm")):
        data = page.read_bytes()
        pixels = data[data.index(b"255\n") + 4:]
        assert sum(1 for value in pixels if value < 128) > 100, f"{page.name} is blank"
