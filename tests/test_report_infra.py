"""Report infrastructure: escaping, number formatting, rendering, run_report, PDF.

Expected strings are written by hand from the LaTeX rules (special characters,
``%g``-style significant digits); the PDF tests compile a small report and
check that page 1 of the PDF has ink on it.  Without TeX they skip locally and
fail when the ``CI`` environment variable is set (CI installs TeX).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from fedsym.cli import main
from fedsym.core.checkrow import CheckRow
from fedsym.core.errors import DerivationError, FedsymError, InputFileError
from fedsym.core.latex import Latex, escape_text, format_number, math
from fedsym.report import (
    GENERATED_HEADER,
    Figure,
    Section,
    Series,
    Step,
    TexError,
    compile_pdf,
    preamble,
    required_packages,
    run_report,
)
from fedsym.report.content import verification_latex
from fedsym.report.tex import STYLE_FILE, number_latex

# --------------------------------------------------------------------------
# escape_text and Latex
# --------------------------------------------------------------------------

SPECIALS = [
    ("&", r"\&"),
    ("%", r"\%"),
    ("$", r"\$"),
    ("#", r"\#"),
    ("_", r"\_"),
    ("{", r"\{"),
    ("}", r"\}"),
    ("~", r"\textasciitilde{}"),
    ("^", r"\textasciicircum{}"),
    ("\\", r"\textbackslash{}"),
]


@pytest.mark.parametrize(("char", "expected"), SPECIALS)
def test_escape_each_special_character(char: str, expected: str) -> None:
    assert escape_text(f"a{char}b") == f"a{expected}b"


def test_escape_is_single_pass() -> None:
    # The backslash's replacement contains braces that must not be escaped again.
    assert escape_text("\\{") == r"\textbackslash{}\{"


def test_escape_newlines_become_one_space() -> None:
    assert escape_text("first line\n  second\r\n\nthird") == "first line second third"


def test_escape_unicode_math_symbols() -> None:
    assert escape_text("α ≤ 1") == r"\ensuremath{\alpha} \ensuremath{\leq} 1"


def test_escape_leaves_ordinary_text_alone() -> None:
    assert escape_text("Example 2.4: a(m) = 0.95, c < 1!") == "Example 2.4: a(m) = 0.95, c < 1!"


def test_latex_marker_is_not_escaped() -> None:
    trusted = Latex(r"$\hat a(m)_{opt} \& 50\%$")
    assert escape_text(trusted) == trusted
    assert isinstance(escape_text(trusted), Latex)


def test_operations_on_latex_drop_the_marker() -> None:
    combined = Latex("$x$") + "_y"
    assert not isinstance(combined, Latex)
    assert escape_text(combined) == r"\$x\$\_y"


# --------------------------------------------------------------------------
# format_number (expected values by hand: 6 significant digits, %g exponent rule)
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.65, "0.65"),
        (100, "100"),
        (100.0, "100"),
        (3.17e-5, r"3.17 \times 10^{-5}"),
        (-2.5e7, r"-2.5 \times 10^{7}"),
        (1234567, r"1.23457 \times 10^{6}"),   # 1.234567 -> 1.23457
        (123456.5, "123456"),                  # exact half, to even
        (999999.5, "10^{6}"),                  # rounds up to 1.00000e6
        (0.0001, "0.0001"),                    # exponent -4 stays fixed
        (0.00001, "10^{-5}"),                  # exponent -5 switches
        (-1e-5, "-10^{-5}"),
        (0.0, "0"),
        (-0.0, "0"),
        (float("inf"), r"\infty"),
        (float("-inf"), r"-\infty"),
        (mp.inf, r"\infty"),
        (np.float64(0.1), "0.1"),
        (np.int64(7), "7"),
        (sp.Rational(1, 3), "0.333333"),
        (sp.sqrt(2), "1.41421"),
        (sp.oo, r"\infty"),
    ],
)
def test_format_number_by_hand(value: object, expected: str) -> None:
    assert format_number(value) == expected


def test_format_number_digits() -> None:
    assert format_number(0.125, digits=2) == "0.12"   # 0.125 is exact in binary: half to even
    assert format_number(0.135, digits=2) == "0.14"   # 0.135 is 0.13500000000000000888...
    assert format_number(2 / 3, digits=3) == "0.667"


def test_format_number_uses_full_mpmath_precision() -> None:
    with mp.workdps(40):
        value = mp.mpf("0.1234567890123456789012345")
    assert format_number(value, digits=20) == "0.12345678901234567890".rstrip("0")


@pytest.mark.parametrize("nan", [float("nan"), mp.nan, np.nan, sp.nan])
def test_format_number_refuses_nan(nan: object) -> None:
    with pytest.raises(ValueError, match="NaN"):
        format_number(nan)


def test_format_number_refuses_zero_digits() -> None:
    with pytest.raises(ValueError, match="digits"):
        format_number(1.0, digits=0)


def test_math_uses_sympy_latex() -> None:
    k, m = sp.symbols("k m", positive=True)
    expr = 2 * sp.sqrt(k / m)
    assert math(expr) == sp.latex(expr)
    assert isinstance(math(expr), Latex)
    assert math(Latex(r"\tau")) == r"\tau"


def test_math_refuses_plain_strings() -> None:
    with pytest.raises(TypeError, match="Latex"):
        math("x^2")


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

def make_section(key: str = "toy_example") -> Section:
    """A section exercising every field, with hostile plain text."""
    m, c = sp.symbols("m c", positive=True)
    xs = [1.0, 2.0, 4.0, 8.0, float("nan"), 16.0]
    return Section(
        key=key,
        title="Toy: 50% of a_opt & {more} ~ #1 $5 ^ \\",
        source="Example 2.4",
        statement=Latex(r"Maximise $u(m) = \sqrt{m} - c\,m$ over $m > 0$."),
        parameters=(("c", 0.25), (Latex("$k$"), sp.Rational(1, 3))),
        steps=(Step("First-order condition:", sp.Eq(1 / (2 * sp.sqrt(m)) - c, 0)),),
        closed_forms=(("Optimal data", sp.Eq(sp.Symbol("m^*"), 1 / (4 * c**2))),),
        values=(("m_star", 4.0), ("error", 3.17e-5)),
        checks=(CheckRow("optimal_data", "Example 2.4", "c=0.25", mp.mpf(4), mp.mpf(4),
                         "golden-section search"),),
        figures=(Figure("Utility", Latex("data $m$"), "u(m)",
                        (Series("c = 0.25", xs, [x**0.5 - 0.25 * x for x in xs]),
                         Series("", [1.0, float("inf")], [0.0, 1.0], style="dashed")),
                        xmode="log", vertical_lines=((4.0, Latex("$m^*$")),),
                        caption="Utility of one agent; 100% of the optimum at m = 4."),),
        notes=("α ≤ β in this toy.",),
    )


def test_section_escapes_plain_text_and_keeps_latex() -> None:
    text = make_section().to_latex()
    assert (r"\section{Toy: 50\% of a\_opt \& \{more\} \textasciitilde{} \#1 \$5 "
            r"\textasciicircum{} \textbackslash{}}") in text
    assert r"Maximise $u(m) = \sqrt{m} - c\,m$ over $m > 0$." in text
    assert r"m\_star & \ensuremath{4} \\" in text
    assert r"\ensuremath{3.17 \times 10^{-5}}" in text
    assert r"\ensuremath{1/3}" in text  # an exact rational stays exact, inline (not a tiny stacked fraction)
    assert r"\checkmark" not in text  # the check table is in the verification appendix
    assert "The 1 values of this section's closed forms agree" in text
    assert r"\checkmark" in verification_latex([make_section()])


def test_section_starts_with_the_generated_header() -> None:
    assert make_section().to_latex().splitlines()[0] == GENERATED_HEADER


def test_figure_drops_non_finite_points() -> None:
    text = make_section().to_latex()
    assert "nan" not in text.lower()
    assert "inf" not in text.replace(r"\infty", "")
    assert "(4, 1)" in text and "(16, 0)" in text  # sqrt(x) - x/4 at x = 4 and 16
    assert r"\addlegendentry{c = 0.25}" in text
    assert "forget plot" in text  # the unlabelled series stays out of the legend


def test_figure_on_log_axis_drops_non_positive_points() -> None:
    figure = Figure("t", "x", "y", (Series("s", [0.0, -1.0, 10.0], [1.0, 1.0, 1.0]),),
                    xmode="log", vertical_lines=((0.0, "zero line"), (5.0, "five line")))
    text = figure.to_latex()
    assert "(10, 1)" in text and "(0, 1)" not in text and "(-1, 1)" not in text
    assert "five line" in text and "zero line" not in text


def test_figure_without_drawable_points_is_refused() -> None:
    figure = Figure("empty", "x", "y", (Series("s", [float("nan")], [1.0]),))
    with pytest.raises(ValueError, match="no finite point"):
        figure.to_latex()


def test_series_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="2 x values but 1 y values"):
        Series("s", [1, 2], [1])


def test_section_key_is_validated() -> None:
    for bad in ("main", "has space", "_hidden", "a/b"):
        with pytest.raises(ValueError, match="section key"):
            make_section(bad)


def test_nan_value_cannot_be_rendered() -> None:
    section = Section("k", "t", "s", Latex("x"), values=(("bad", float("nan")),))
    with pytest.raises(ValueError, match="NaN"):
        section.to_latex()


def test_rendering_is_deterministic() -> None:
    assert make_section().to_latex() == make_section().to_latex()


def test_repr_latex_shows_the_formulas() -> None:
    shown = make_section()._repr_latex_()
    assert shown.startswith("$$") and shown.endswith("$$")
    assert r"\frac{1}{4 c^{2}}" in shown


def test_fedsym_sty_loads_every_package_the_fragments_need() -> None:
    names = [p.name for p in required_packages()]
    assert len(names) == len(set(names))
    for needed in ("amsmath", "amssymb", "booktabs", "pgfplots", "tabularx"):
        assert needed in names
    for host_only in ("geometry", "hyperref", "fontenc", "lmodern"):
        assert host_only not in names  # a host paper's own choice, never the fragments'
    style = STYLE_FILE.read_text(encoding="utf-8")
    for name in names:
        assert re.search(r"\\RequirePackage\{" + name + r"\}", style), f"fedsym.sty does not load {name}"
    assert "geometry" not in style and "hyperref}" not in style and "fontenc" not in style


def test_preamble_loads_host_packages_then_fedsym_last() -> None:
    lines = preamble().splitlines()
    assert lines[-1] == r"\usepackage[papernumbers]{fedsym}"
    assert lines[-2] == r"\usepackage[hidelinks]{hyperref}"
    assert r"\usepackage[a4paper,margin=2.5cm]{geometry}" in lines


# --------------------------------------------------------------------------
# run_report
# --------------------------------------------------------------------------

DERIVATION = '''
    """A toy derivation written by the test: one section with a figure and a check."""
    import mpmath as mp

    from fedsym.core.checkrow import CheckRow
    from fedsym.core.latex import Latex
    from fedsym.report import Figure, Section, Series

    XS = [1.0, 2.0, 4.0, 8.0, float("nan"), 16.0]


    def derive():
        figure = Figure("Utility", Latex("data $m$"), "u(m)",
                        (Series("c = 0.25", XS, [x ** 0.5 - 0.25 * x for x in XS]),),
                        vertical_lines=((4.0, Latex("$m^*$")),), caption="Toy; 100% & more.")
        check = CheckRow("optimal_data", "Example 2.4", "c=0.25", mp.mpf(4), mp.mpf(4), "search")
        return [Section(key="{key}", title="Toy {key}: a_opt & 50%", source="Example 2.4",
                        statement=Latex(r"Maximise $\\sqrt{{m}} - c\\,m$."),
                        parameters=(("c", 0.25),), values=(("m_star", 4.0),),
                        checks=(check,), figures=(figure,), notes=("Escapes: # $ ~ ^ \\\\ {{}}",))]
'''


def write_derivation(directory: Path, name: str, key: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(DERIVATION.format(key=key)), encoding="utf-8")
    return path


def test_run_report_writes_main_and_sections_in_file_order(tmp_path: Path) -> None:
    derivations = tmp_path / "derivations"
    write_derivation(derivations, "b_second.py", "second")
    write_derivation(derivations, "a_first.py", "first")
    (derivations / "_helper.py").write_text("raise RuntimeError('helpers are not run')\n")
    result = run_report(derivations, tmp_path / "out")
    out = tmp_path / "out"
    assert result.main == out / "main.tex"
    assert result.sections == (out / "first.tex", out / "second.tex", out / "verification.tex")
    main = result.main.read_text()
    assert main.index(r"\input{first}") < main.index(r"\input{second}") < main.index(r"\appendix") \
        < main.index(r"\input{verification}")
    assert main.splitlines()[0] == GENERATED_HEADER
    assert r"\usepackage[papernumbers]{fedsym}" in main and main.rstrip().endswith(r"\end{document}")
    assert (out / "fedsym.sty").read_bytes() == STYLE_FILE.read_bytes()
    section = (out / "first.tex").read_text()
    assert r"\addplot+" in section and r"\fedsymowncaption{Utility. Toy" in section
    assert r"\checkmark" in (out / "verification.tex").read_text()
    assert result.pdf is None


def test_run_report_is_byte_identical_across_runs(tmp_path: Path) -> None:
    derivations = tmp_path / "derivations"
    write_derivation(derivations, "toy.py", "toy")
    first = run_report(derivations, tmp_path / "one")
    second = run_report(derivations, tmp_path / "two")
    for a, b in zip((first.main, *first.sections), (second.main, *second.sections), strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "one" / "fedsym.sty").read_bytes() == (tmp_path / "two" / "fedsym.sty").read_bytes()


def test_run_report_removes_only_stale_generated_files(tmp_path: Path) -> None:
    derivations, out = tmp_path / "derivations", tmp_path / "out"
    old = write_derivation(derivations, "old.py", "old")
    write_derivation(derivations, "kept.py", "kept")
    run_report(derivations, out)
    old.unlink()
    (out / "handwritten.tex").write_text("% mine\n")
    result = run_report(derivations, out)
    assert result.removed == (out / "old.tex",)
    assert not (out / "old.tex").exists()
    assert (out / "handwritten.tex").exists()


@pytest.mark.parametrize(
    ("source", "message", "error"),
    [
        ("def derive(:\n", "SyntaxError", InputFileError),
        ("import no_such_module_xyz\n", "ModuleNotFoundError: No module named 'no_such_module_xyz'", DerivationError),
        ("x = 1\n", "defines no derive() function", InputFileError),
        ("def derive():\n    raise ZeroDivisionError('c must be positive')\n",
         "derive() failed: ZeroDivisionError: c must be positive", DerivationError),
        ("def derive():\n    raise ValueError('bad a_opt')\n",   # a ValueError inside is still the file's failure
         "derive() failed: ValueError: bad a_opt", DerivationError),
        ("import sys\nsys.exit(4)\n", "cannot be imported: SystemExit: 4", DerivationError),
        ("def derive():\n    return 42\n", "derive() returned int", InputFileError),
    ],
)
def test_broken_derivation_names_the_file(tmp_path: Path, source: str, message: str, error: type) -> None:
    """A file that raises is the derivation's failure (exit 3); a file that is not a derivation is bad input."""
    derivations = tmp_path / "derivations"
    derivations.mkdir()
    broken = derivations / "broken_example.py"
    broken.write_text(source)
    with pytest.raises(FedsymError) as caught:
        run_report(derivations, tmp_path / "out")
    text = str(caught.value)
    assert type(caught.value) is error
    assert str(broken) in text and message in text
    assert "\n" not in text


def test_cli_report_exit_3_for_a_raising_derivation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    derivations = tmp_path / "derivations"
    derivations.mkdir()
    broken = derivations / "broken_example.py"
    broken.write_text("def derive():\n    raise ValueError('bad a_opt')\n")
    status = main(["report", "--no-shipped", "--derivations", str(derivations), "--out", str(tmp_path / "out")])
    *progress, last = capsys.readouterr().err.strip().splitlines()
    assert status == 3 and all(line.startswith("fedsym report: [") for line in progress)   # progress lines only
    assert last.startswith("fedsym report: computation failed:")
    assert str(broken) in last and "bad a_opt" in last


@pytest.mark.parametrize("name", ["main.tex", "fedsym.sty", "mine.tex"])
def test_report_refuses_to_overwrite_a_users_own_file(tmp_path: Path, name: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A main.tex (or style, or section file) that fedsym did not write survives; --force overwrites it."""
    derivations, out = tmp_path / "derivations", tmp_path / "out"
    write_derivation(derivations, "mine.py", "mine")
    out.mkdir()
    own = out / name
    own.write_text("\\documentclass{article} % my paper\n")
    args = ["report", "--no-shipped", "--derivations", str(derivations), "--out", str(out)]
    status = main(args)
    err = capsys.readouterr().err
    assert status == 2 and str(own) in err and "--force" in err
    assert own.read_text() == "\\documentclass{article} % my paper\n"
    assert main([*args, "--force"]) == 0
    assert own.read_text() != "\\documentclass{article} % my paper\n"
    assert main(args) == 0            # now it is fedsym's own file: rewriting it needs no --force


def test_duplicate_section_keys_are_refused(tmp_path: Path) -> None:
    derivations = tmp_path / "derivations"
    first = write_derivation(derivations, "a.py", "same")
    write_derivation(derivations, "b.py", "same")
    with pytest.raises(InputFileError, match=re.escape(f"already used by {first}")):
        run_report(derivations, tmp_path / "out")


def test_empty_derivation_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no derivation files"):
        run_report(tmp_path, tmp_path / "out")


def test_missing_tex_is_reported_with_the_packages_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(TexError, match="no TeX installation found .*texlive-pictures latexmk lmodern"):
        compile_pdf(tmp_path / "main.tex")


# --------------------------------------------------------------------------
# PDF (needs TeX; CI must have it)
# --------------------------------------------------------------------------

def missing(what: str) -> None:
    """Skip when a tool is missing, but fail on CI, which installs it."""
    message = f"not installed: {what}"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {message}")
    pytest.skip(message)


def require_tex() -> None:
    if shutil.which("latexmk") is None and shutil.which("pdflatex") is None:
        missing("latexmk or pdflatex")


def require_pdftoppm() -> None:
    if shutil.which("pdftoppm") is None:
        missing("pdftoppm (poppler-utils)")


def read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and pixels of a binary (P5) 8-bit greyscale image."""
    data = path.read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert header is not None, "not a binary PGM"
    width, height, maxval = (int(g) for g in header.groups())
    assert maxval == 255
    pixels = data[header.end():]
    assert len(pixels) == width * height
    return width, height, pixels


def test_report_compiles_and_page_one_has_ink(tmp_path: Path) -> None:
    require_tex()
    require_pdftoppm()
    derivations = tmp_path / "derivations"
    write_derivation(derivations, "toy.py", "toy")
    result = run_report(derivations, tmp_path / "out", pdf=True)
    assert result.pdf is not None and result.pdf.read_bytes().startswith(b"%PDF")
    stem = tmp_path / "page1"
    for fmt in ("-png", "-gray"):
        subprocess.run(["pdftoppm", fmt, "-r", "50", "-f", "1", "-l", "1", "-singlefile",
                        str(result.pdf), str(stem)], check=True, timeout=60)
    assert stem.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    width, height, pixels = read_pgm(stem.with_suffix(".pgm"))
    dark = sum(1 for p in pixels if p < 128)
    assert width > 300 and height > 400
    assert dark > 0.005 * width * height, f"page 1 looks blank ({dark} dark pixels)"
    assert dark < 0.5 * width * height, f"page 1 looks black ({dark} dark pixels)"


def test_latex_error_names_log_and_first_error_line(tmp_path: Path) -> None:
    require_tex()
    derivations = tmp_path / "derivations"
    derivations.mkdir()
    (derivations / "bad_tex.py").write_text(textwrap.dedent('''
        from fedsym.core.latex import Latex
        from fedsym.report import Section

        def derive():
            return Section("bad", "Bad", "none", Latex(r"\\undefinedmacro"))
    '''))
    with pytest.raises(TexError) as caught:
        run_report(derivations, tmp_path / "out", pdf=True)
    text = str(caught.value)
    assert str(tmp_path / "out" / "main.log") in text
    assert "! Undefined control sequence." in text


# --------------------------------------------------------------------------
# Issue 13: one number per figure and equation, math names, one number policy
# --------------------------------------------------------------------------

def test_a_paper_figure_keeps_its_number_and_the_plot_has_no_title() -> None:
    figure = Figure("Figure 4(a): per-agent data against cost", "x", "y", (Series("s", [1.0, 2.0], [1.0, 2.0]),),
                    caption="More text.")
    assert figure.number == "4(a)" and figure.title == "per-agent data against cost"
    tex = figure.to_latex("fig:x:1")
    assert r"\fedsymcaption{4(a)}{Per-agent data against cost. More text.}" in tex
    assert "title=" not in tex and r"\caption{" not in tex


def test_a_figure_of_the_report_gets_the_report_numbering() -> None:
    tex = Figure("Utility", "x", "y", (Series("s", [1.0, 2.0], [1.0, 2.0]),)).to_latex()
    assert r"\fedsymowncaption{Utility}" in tex


def test_paper_numbered_closed_forms_carry_the_paper_tag() -> None:
    m = sp.Symbol("m", positive=True)
    section = Section("tags", "Tags", "Eq. (13)", Latex("x"),
                      closed_forms=(("The paper's:", sp.Eq(m, 1), "13"), ("Ours:", sp.Eq(m, 2))))
    text = section.to_latex()
    assert text.index(r"\fedsympapertag{13}") < text.index(r"{\fedsymtag}")
    # the lead-in names the paper's number before its colon (printed only when the host numbers the equation)
    assert r"The paper's\fedsymcf{Eq.~(13)}:" in text and r"Ours:" in text
    with pytest.raises(ValueError, match="number"):
        Section("bad", "Bad", "", Latex("x"), closed_forms=(("x", sp.Eq(m, 1), "(13)"),))


def test_check_rows_typeset_code_names_as_math() -> None:
    # expected strings written by hand from the paper's notation (the model, docs/model.rst)
    row = CheckRow("rent R(m_C) - u_L*", "Theorem B.3", "simplified(a_opt=0.95, k=1), c = 0.5 c_max",
                   mp.mpf(1), mp.mpf(1), "golden-section max of u(m)")
    assert row.quantity_math == r"\text{rent } R ( m_{C} ) - u_{L}^*"
    assert row.point_math == r"\text{Eq.~(3)} \colon a_{opt} = 0.95 ,\ k = 1 ,\ c = 0.5 \, c_{max}"
    assert CheckRow("m_bar_i", "", "m_-i = 10", mp.mpf(1), mp.mpf(1), "").quantity_math == r"\bar m_{i}"
    assert CheckRow("x", "", "y", mp.mpf(1), mp.mpf(1), "", quantity_tex=r"m_{-i}^{jump}").quantity_math \
        == r"m_{-i}^{jump}"
    table = verification_latex([make_section()])
    assert r"m^*" in table and "optimal\\_data" not in table


@pytest.mark.parametrize(("value", "expected"), [
    (sp.Rational(9, 10), "0.9"),                 # terminating rational: its exact decimal
    (sp.Rational(1, 3), "1/3"),                  # other rationals inline, not stacked
    (-2.220446049250313e-16, "0"),               # round-off of a float
    (mp.mpf("1.26861e-16"), "0"),
    (15.83, "15.83"),
    (0.19598501, "0.195985"),                    # six significant digits
    (3.17e-5, r"3.17 \times 10^{-5}"),           # small but not round-off
])
def test_number_policy(value: object, expected: str) -> None:
    assert number_latex(value) == expected


def test_displayed_formulas_round_their_floats() -> None:
    big_m = sp.Symbol("M", positive=True)
    assert math(sp.Float("610.58671432") - sp.Float("3440.0") / sp.sqrt(big_m)) \
        == r"610.587 - \frac{3440}{\sqrt{M}}"


def test_title_page_author_and_date(tmp_path: Path) -> None:
    derivations = tmp_path / "derivations"
    write_derivation(derivations, "toy.py", "toy")
    main = run_report(derivations, tmp_path / "out", author="A. Author & B", date="1 May 2026").main.read_text()
    assert r"\author{A. Author \& B}" in main and r"\date{1 May 2026}" in main


def test_a_round_off_gain_is_shown_as_below_the_floor_not_as_a_gain() -> None:
    """Issue 20: 2.22e-16 (one ulp of 1, 2**-52) and 5.55e-17 (2**-54) printed as gains read as real gains."""
    from fedsym.core import format_gain

    assert format_gain(2.0 ** -52) == r"< 10^{-14}" and format_gain(-(2.0 ** -54)) == r"< 10^{-14}"
    assert format_gain(0.0) == "0"
    # the floor itself is a gain (boundary), shown as a number; a real gain keeps 3 significant digits
    assert format_gain(1e-14) == "10^{-14}"
    assert format_gain(0.0123456) == "0.0123"
