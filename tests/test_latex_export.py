"""Issue 5, item 4: every derived quantity and result object exports LaTeX and renders in Jupyter."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess

import pytest

import fedsym
from fedsym import (
    KTypes,
    accuracy_function,
    individual,
    lone_agent_forms,
    screen,
    screening_forms,
    shaping_equilibrium,
    standard_equilibrium,
)
from fedsym.paper.best_response import jump_forms
from fedsym.paper.example_4_5 import example_forms
from fedsym.paper.lone_agent import check_rows
from fedsym.paper.mechanisms import check_individual_rationality
from fedsym.paper.screening.k_many import count_equilibrium

#: dataclasses that are results or derived quantities (the rest are inputs, solvers or plumbing)
RESULT_SUFFIXES = ("Result", "Report", "Forms", "Equilibrium", "Verification", "Menu", "Totals", "CheckRow",
                   "Derived")


def result_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(fedsym.__path__, "fedsym."):
        if info.name == "fedsym.__main__" or info.name.startswith("fedsym.cli"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__ == module.__name__ and dataclasses.is_dataclass(obj) \
                    and name.endswith(RESULT_SUFFIXES) and not name.startswith("_") and name != "ReportResult":
                found.append(obj)
    return found


@pytest.mark.parametrize("cls", result_classes(), ids=lambda cls: cls.__name__)
def test_every_result_class_has_latex_export(cls):
    assert callable(getattr(cls, "to_latex", None)) and callable(getattr(cls, "_repr_latex_", None))


def result_objects() -> list:
    bound = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
    return [
        individual(bound, "0.001"), lone_agent_forms(bound.function), lone_agent_forms(bound.function).optimal_data,
        bound.assumption, check_rows(bound, ("0.5",))[0], example_forms(), screening_forms(bound.function),
        jump_forms(),
        shaping_equilibrium(bound, [0.001, 0.002]), standard_equilibrium(bound, [0.001, 0.002]).verification,
        screen(bound, KTypes.two("0.001", "0.002", "0.5"), "5000"), screen(bound, KTypes.two("0.001", "0.002", "0.5"), "5000").two_type,
        count_equilibrium(bound, KTypes.two("0.001", "0.002", "0.5"), (1, 1)),
        check_individual_rationality(fedsym.StandardMechanism(bound), 2, samples=3),
    ]


def test_result_objects_render():
    for obj in result_objects():
        latex, shown = obj.to_latex(), obj._repr_latex_()
        assert isinstance(latex, str) and latex.strip() and "nan" not in latex.lower()
        assert isinstance(shown, str) and shown.strip()


def test_no_export_shows_round_off_as_a_gain():
    """A verified result's largest gain is 0 up to ulps of the utilities; its LaTeX says ``< 10^{-14}`` or 0
    (issue 20's number policy), never a number like ``2.22 \\times 10^{-16}`` that reads as a real gain."""
    tiny = re.compile(r"gain from deviating[^&]*&= -?[0-9.]+ \\times 10\^\{-(1[5-9]|[2-9][0-9]|[0-9]{3})\}")
    for obj in result_objects():
        assert not tiny.search(obj.to_latex()), (type(obj).__name__, obj.to_latex())


def test_every_export_compiles(tmp_path):
    """What Jupyter would show, pasted into one document, compiles with pdflatex (no unescaped text)."""
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install TeX Live (see .ci/run)")
        pytest.skip("no pdflatex")
    body = "\n\n".join(obj._repr_latex_() for obj in result_objects())
    (tmp_path / "exports.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
        f"{body}\n\\end{{document}}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "exports.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
    assert done.returncode == 0, errors or done.stdout[-2000:]


def test_equilibrium_command_prints_latex(capsys):
    """``fedsym equilibrium --latex`` prints the result's align* block (issue 20).

    Expected by hand (Model §3, Theorem 3.4 with Eq. (3), a(m) = a_opt - 2 sqrt(k/m)): only the cheapest
    agent (c = 0.001) contributes its lone optimum, sqrt(k) m^{-3/2} = c, m* = (1/0.001)^{2/3} = 100, so M = 100
    and the per-agent range is [0, 100] over n = 2 agents.
    """
    from fedsym.cli import main

    status = main(["equilibrium", "--mechanism", "standard", "--accuracy", "simplified", "--param", "a_opt=0.95",
                   "--param", "k=1", "--costs", "0.001,0.002", "--latex"])
    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith("\\begin{align*}") and out.rstrip().endswith("\\end{align*}")
    assert r"M &= \sum_i m_i^{eq} = 100 \\" in out
    assert r"m_i^{eq} &\in [0, 100] \quad (n = 2)" in out
    assert r"\text{verified}" in out and "NOT" not in out
