"""Issue 5, item 4: every derived quantity and result object exports LaTeX and renders in Jupyter."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import fedsym
from fedsym import (CostTypes, accuracy_function, individual, lone_agent_forms, run_checks, screen,
                    screening_forms, shaping_equilibrium, standard_equilibrium)
from fedsym.agent import check_rows
from fedsym.example_4_5 import example_forms
from fedsym.mechanisms import check_individual_rationality
from fedsym.screening_many import ex_post_equilibrium

#: dataclasses that are results or derived quantities (the rest are inputs, solvers or plumbing)
RESULT_SUFFIXES = ("Result", "Report", "Forms", "Equilibrium", "Verification", "Menu", "Totals", "CheckRow",
                   "Derived")


def result_classes() -> list[type]:
    found = []
    for info in pkgutil.iter_modules(fedsym.__path__):
        if info.name in {"__main__", "cli"}:
            continue
        module = importlib.import_module(f"fedsym.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__ == module.__name__ and dataclasses.is_dataclass(obj) \
                    and name.endswith(RESULT_SUFFIXES) and not name.startswith("_") and name != "ReportResult":
                found.append(obj)
    return found


@pytest.mark.parametrize("cls", result_classes(), ids=lambda cls: cls.__name__)
def test_every_result_class_has_latex_export(cls):
    assert callable(getattr(cls, "to_latex", None)) and callable(getattr(cls, "_repr_latex_", None))


def test_result_objects_render():
    bound = accuracy_function("simplified").bind({"a_opt": "0.9", "k": "10"})
    objects = [
        individual(bound, "0.001"), lone_agent_forms(bound.function), lone_agent_forms(bound.function).optimal_data,
        bound.assumption, check_rows(bound, ("0.5",))[0], example_forms(), screening_forms(bound.function),
        shaping_equilibrium(bound, [0.001, 0.002]), standard_equilibrium(bound, [0.001, 0.002]).verification,
        screen(bound, "0.001", "0.002", "0.5", "5000"), screen(bound, "0.001", "0.002", "0.5", "5000").menu,
        ex_post_equilibrium(bound, CostTypes.of("0.001", "0.002", "0.5"), ["L", "H"]),
        check_individual_rationality(fedsym.StandardMechanism(bound), 2, samples=3),
    ]
    for obj in objects:
        latex, shown = obj.to_latex(), obj._repr_latex_()
        assert isinstance(latex, str) and latex.strip() and "nan" not in latex.lower()
        assert isinstance(shown, str) and shown.strip()
    assert run_checks  # imported for the public API test elsewhere
