"""The committed report reads as typeset text, not as code (issue 20, "Report text").

Each defect the issue found in ``reports/*.tex`` has a detector here: a TAB or
"imes" where ``\\times`` was meant, ASCII math (``>=``, ``m\\_bar\\_i``, ``m_i*``,
``w(m)/g(m)``, ``line = cap``) in prose, an italic word under ``\\max``,
``acos``, an unidentified standard error printed as ``\\pm \\infty``, a
machine-epsilon number shown as a value, a table number with more significant
digits than its column's policy (sections 6, the verification appendix's
values 8 and errors 2: one precision per column), and a bare "Eq. (3)" in
prose, which a host paper would read as its own equation (fedsym.sty's
``\\fedsympaperref`` marks the paper's).  Every detector is first shown to flag
a planted example of its defect, then run on every committed fragment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

REPORTS = Path(__file__).resolve().parent.parent / "reports"
FILES = sorted(REPORTS.glob("*.tex"))
VERIFICATION = "verification.tex"

#: significant digits a table number may show: sections (fedsym.report.tex.number_latex's default) and the
#: verification appendix's value and relative-error columns (templates/verification.tex)
SECTION_DIGITS = 6
VERIFICATION_DIGITS = (8, 8, 2)
#: below this magnitude a value is round-off: shown as 0 or "< 10^{-14}", never as a number (e.g. 2.22e-16)
MACHINE_EPSILON_EXPONENT = 14

_MATH = re.compile(r"\$[^$]*\$|\\ensuremath\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
_DROPPED = re.compile(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}|\\texttt\{[^{}]*\}|^\\fedsymdisplay[^\n]*"
                      r"|(?<!\\)%[^\n]*|\\multicolumn\{\d+\}\{[^\n]*?<\{\$\}[^\n]*", re.S | re.M)
_DECIMAL = re.compile(r"(?<![\w.{^-])-?(\d+\.\d+)(?![\w.])")
_TABLE = re.compile(r"\\begin\{(tabular\*?|tabularx|array)\}(.*?)\\end\{\1\}", re.S)
_POWER = re.compile(r"(?<![<\w])\s*(?:\d+(?:\.\d+)?\s*\\times\s*)?10\^\{-(\d+)\}")
_EQUATION = re.compile(r"Eqs?\.(?:~| |\\ )\(")
_MARKS = (r"\fedsympaperref{", r"\fedsymcf{")


def _lines(text: str, pattern: re.Pattern[str]) -> list[str]:
    """``line n: excerpt`` for each match of *pattern* in *text*."""
    return [f"line {text.count(chr(10), 0, m.start()) + 1}: {text[max(m.start() - 30, 0):m.end() + 30]!r}"
            for m in pattern.finditer(text)]


def prose(text: str) -> str:
    """*text* without comments, figures' drawing code, displays, inline math, math cells and code (``\\texttt``).

    Dropped parts become blanks of the same length, so line numbers stay right.
    """
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))
    return _MATH.sub(blank, _DROPPED.sub(blank, text))


def tab_or_imes(text: str) -> list[str]:
    """A TAB character, or "imes" where a TAB ate the ``\\t`` of ``\\times``."""
    return _lines(text, re.compile(r"\t|(?<![A-Za-z])imes"))


def ascii_math_in_prose(text: str) -> list[str]:
    """Code-style math in running text: ``>=``, ``m\\_bar\\_i``, ``m\\_i*``, ``m*``, ``c\\_max``, ``w(m)/g(m)``, ``x = y``."""
    return _lines(prose(text), re.compile(
        r">=|<=|_bar_|\\_bar\\_|[A-Za-z](?:\\_[A-Za-z0-9]+)+\*|\b[a-z]\([a-z]\)/[a-z]\([a-z]\)|\b[a-z]\*(?!\w)"
        r"|\b[a-z]\\_[a-z]+\b"
        r"|\b[A-Za-z]+ = [A-Za-z]+\b"))


def italic_words_under_operators(text: str) -> list[str]:
    """``\\max_{joiners}``: a word of three or more letters under an operator, outside ``\\text``."""
    found = []
    for match in re.finditer(r"\\(?:max|min|sum|prod|arg\\?max|arg\\?min)_\{", text):
        depth, end = 1, match.end()
        while depth and end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        below = re.sub(r"\\text\{[^{}]*\}|\\[A-Za-z]+", "", text[match.end():end - 1])
        if re.search(r"[A-Za-z]{3,}", below):
            found.append(f"{text[match.start():end]!r}")
    return found


def acos(text: str) -> list[str]:
    """``acos`` (or another C-style inverse) instead of ``\\arccos``."""
    return _lines(text, re.compile(r"(?<![\\\w])a(?:cos|sin|tan)\b|operatorname\{a(?:cos|sin|tan)\}"))


def infinite_standard_error(text: str) -> list[str]:
    """``\\pm \\infty``: an unidentified standard error printed as a number."""
    return _lines(text, re.compile(r"\\pm\s*\\infty"))


def machine_epsilon_values(text: str) -> list[str]:
    """A number below ``10^{-14}`` shown as a value (the verification appendix's relative errors excepted)."""
    return [f"10^{{-{m.group(1)}}} at {text[max(m.start() - 40, 0):m.end()]!r}" for m in _POWER.finditer(text)
            if int(m.group(1)) > MACHINE_EPSILON_EXPONENT]


def _digits(number: str) -> int:
    """Significant digits of a decimal as written (``0.00806155`` has 6)."""
    return len(number.replace(".", "").lstrip("0"))


def _cells(body: str) -> Iterator[tuple[int, str]]:
    """``(column, cell)`` of a table body, rows that span columns (``\\multicolumn``) left out."""
    for row in re.split(r"\\\\(?:\*|\[[^]]*\])?", body):
        if r"\multicolumn" not in row:
            yield from enumerate(row.split("&"))


def table_precision(text: str, digits: tuple[int, ...] = ()) -> list[str]:
    """Table numbers with more significant digits than their column allows (*digits* per column, else 6)."""
    found = []
    for table in _TABLE.finditer(text):
        for column, cell in _cells(table.group(2)):
            allowed = digits[column] if column < len(digits) else SECTION_DIGITS
            found += [f"column {column}: {n}" for n in _DECIMAL.findall(cell) if _digits(n) > allowed]
    return found


def bare_paper_equations(text: str) -> list[str]:
    """"Eq. (3)" in the text without fedsym.sty's mark of a paper equation (``\\fedsympaperref``, ``\\fedsymcf``)."""
    return [f"line {text.count(chr(10), 0, m.start()) + 1}: {text[max(m.start() - 30, 0):m.end() + 10]!r}"
            for m in _EQUATION.finditer(text) if not text[:m.start()].endswith(_MARKS)]


Detector = Callable[[str], list[str]]
#: each detector with a planted example of its defect, as the issue saw it in the report
DETECTORS: dict[str, tuple[Detector, str]] = {
    "tab_or_imes": (tab_or_imes, "agent 2 \\ (\times2)"),
    "ascii_math_in_prose": (ascii_math_in_prose, "6 of 6 agents join and give m\\_bar\\_i(M) >= m\\_i*."),
    "ascii_ratio_in_prose": (ascii_math_in_prose, "Eq.~(3), $v = a$, where w(m)/g(m) is largest:"),
    "ascii_equation_in_prose": (ascii_math_in_prose, "independent value: bisection of line = cap"),
    "ascii_code_names_in_prose": (ascii_math_in_prose, "m* is decreasing in c for c < c\\_max"),
    "italic_words_under_operators": (italic_words_under_operators, r"$\max_{joiners} |U_i - u_i^*|$"),
    "acos": (acos, r"$\frac{\operatorname{acos}{\left(x \right)}}{3}$"),
    "infinite_standard_error": (infinite_standard_error, r"$a_{opt} = 0.9986 \pm \infty$"),
    "machine_epsilon_values": (machine_epsilon_values, r"largest gain $2.22 \times 10^{-16}$"),
    "table_precision": (table_precision, "\\begin{tabular}{ll}\n$0.19599$ & x \\\\\n$0.8136452547$ & y \\\\\n"
                                         "\\end{tabular}"),
    "bare_paper_equations": (bare_paper_equations, r"the accuracy of Eq. (3) at $m_0$"),
}


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_detector_flags_its_planted_defect(name: str) -> None:
    detector, planted = DETECTORS[name]
    assert detector(planted), f"{name} misses {planted!r}"


def test_detectors_pass_the_proper_forms() -> None:
    """What the report writes instead of each defect passes every detector."""
    proper = (r"agent 2 \ ($\times 2$); 1.18 times; $\bar m_i(M) \ge m_i^*$; the value per unit of cost shape; "
              r"$\max_{\text{joiners}} |U_i|$, $\max_{i \text{ joins}}$; $\arccos$; $a_{opt} = 0.9986$ "
              r"(s.e.\ not identified); largest gain $< 10^{-14}$; \fedsympaperref{Eq.~(3)}, "
              r"\fedsymcf{Eq.~(13)}; \texttt{a\_opt - b*log(1 + k/m)}")
    for name, (detector, _) in DETECTORS.items():
        assert detector(proper) == [], name


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_committed_report_has_none_of_the_defects(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = {name: detector(text) for name, (detector, _) in DETECTORS.items()
             if not (path.name == VERIFICATION and detector in (machine_epsilon_values, table_precision))}
    if path.name == VERIFICATION:
        found["table_precision"] = table_precision(text, VERIFICATION_DIGITS)
    assert {name: hits for name, hits in found.items() if hits} == {}
