"""The study a file declares: its accuracy (given or fitted), population, questions and presentation.

:func:`read_study` reads a study file (:mod:`~fedsym.report.study.source`) into
a :class:`Study`.  The accuracy and the population are built here, so a bad
expression, parameter or cost is refused with its key and line before any
question is computed.  Schema (docs: the study page)::

    [accuracy]      family = "simplified", params = {...}  |  expression = "...", params = {...}
                    |  [accuracy.fit] csv = FILE, size_column, score_column  |  lcdb = "ID:LEARNER", score;
                       families = [...]
    [population]    n = N, cost = C  |  [[population.agents]] cost, count, name, ...  |  agents_file = FILE
    [questions]     lone_agent, equilibria = ["standard", "shaping"], eps, screening = {types, probabilities,
                    others}, [[questions.statics]] quantity, wrt, c, n, eps; compare = true | {mechanisms, rho}
    [presentation]  title, label, figures = ["fit", "optimal_data"], columns = 1 | 2
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fedsym.core.errors import FedsymError
from fedsym.model.accuracy import BoundAccuracy
from fedsym.model.accuracy_block import accuracy_block, read_accuracy_block
from fedsym.model.agent import AGENT_KEYS, Agent, Population, agents_from_records, load_agents
from fedsym.model.learning_curve import LCDB_SCORES, read_csv, read_lcdb
from fedsym.paper.compare import REGISTRY
from fedsym.paper.equilibrium import MECHANISMS
from fedsym.paper.fitting import DEFAULT_FAMILIES, CurveFits, fit_curve
from fedsym.paper.lone_agent import parse_cost
from fedsym.paper.statics import QUANTITIES

from .source import Key, StudyFile, Table, read_study_file

__all__ = ["FIGURES", "SECTIONS", "CompareQuestion", "Presentation", "Screening", "StaticsQuestion", "Study",
           "read_study"]

#: the tables of a study file (presentation may be left out)
SECTIONS = ("accuracy", "population", "questions", "presentation")
#: figures a study can ask for: the fitted learning curve and optimal data against cost (Theorem 2.3)
FIGURES = ("fit", "optimal_data")
#: most equal agents of ``population.n`` (as ``fedsym fit --agents``: bands solve both equilibria per parameter)
MAX_EQUAL_AGENTS = 10_000
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Screening:
    """App. B (two types, Theorem B.1) or Model §9 (K types): costs, their probabilities, others' data."""

    types: tuple[Any, ...]
    probabilities: tuple[Any, ...]
    others: Any


@dataclass(frozen=True)
class StaticsQuestion:
    """A comparative static of Model §12: *quantity* differentiated with respect to *wrt* at ``c, n, eps``."""

    key: Key
    quantity: str
    wrt: tuple[str, ...] | None
    at: dict[str, Any]


@dataclass(frozen=True)
class CompareQuestion:
    """Model §11: *mechanisms* (None: every one that applies) side by side with the benchmarks, one row per rho."""

    key: Key
    mechanisms: tuple[str, ...] | None
    rhos: tuple[Any, ...]


@dataclass(frozen=True)
class Presentation:
    """Section title, label (file name and LaTeX label prefix), figures wanted, columns of the host (1 or 2)."""

    title: str
    label: str
    figures: tuple[str, ...]
    columns: int


@dataclass(frozen=True)
class Study:
    """Everything a study file declares, with its accuracy and population built and checked.

    ``equal`` is ``(n, cost)`` for ``n`` equal agents of the paper (one marginal
    cost), else None; ``population`` is the :class:`~fedsym.model.agent.Population`
    either way.  ``fits`` is set when the accuracy was fitted (Model §10);
    ``block`` is the accuracy as ``fedsym fit --json`` writes it.
    """

    file: StudyFile
    accuracy: BoundAccuracy
    block: dict[str, Any]
    fits: CurveFits | None
    curve_source: str
    population: Population
    equal: tuple[int, Any] | None
    lone_agent: bool
    equilibria: tuple[str, ...]
    eps: Any
    screening: Screening | None
    statics: tuple[StaticsQuestion, ...]
    compare: CompareQuestion | None
    presentation: Presentation

    def error(self, key: Key, message: str) -> FedsymError:
        """An input error naming *key* and its line (:meth:`StudyFile.error`)."""
        return self.file.error(key, message)


def _checked(table: Table, name: str, build: Callable[[], _T]) -> _T:
    """``build()``; a fedsym input error becomes one naming ``table.name`` and its line."""
    try:
        return build()
    except FedsymError as error:
        raise table.error(name, str(error)) from None


def _accuracy(root: Table) -> tuple[BoundAccuracy, dict[str, Any], CurveFits | None, str]:
    table = root.table("accuracy", ("family", "expression", "params", "fit"), required=True)
    assert table is not None
    kinds = [name for name in ("family", "expression", "fit") if table.has(name)]
    if len(kinds) != 1:
        raise root.error("accuracy", "give exactly one of family, expression and fit")
    if kinds[0] != "fit":
        text = table.value(kinds[0], (str,))
        params = table.value("params", (dict,), {})
        block = {kinds[0]: text, "params": params}
        try:
            return read_accuracy_block(block, "accuracy"), block, None, ""
        except FedsymError as error:
            # read_accuracy_block names the key: "accuracy.family: ...", "accuracy.params: ..."
            where, _, message = str(error).partition(": ")
            raise root.file.error(tuple(where.split(".")), message) from None
    if table.has("params"):
        raise table.error("params", "a fitted accuracy takes its parameters from the fit")
    fit = table.table("fit", ("csv", "size_column", "score_column", "lcdb", "score", "families"))
    assert fit is not None
    sources = [name for name in ("csv", "lcdb") if fit.has(name)]
    if len(sources) != 1:
        raise table.error("fit", "give exactly one of csv and lcdb")
    if sources[0] == "csv":
        path = root.file.folder / fit.value("csv", (str,))
        size, score = fit.value("size_column", (str,), "size"), fit.value("score_column", (str,), "accuracy")
        curve = _checked(fit, "csv", lambda: read_csv(path, size, score))
        source = f"CSV file {Path(fit.data['csv']).name}"
    else:
        name = fit.value("lcdb", (str,))
        score = fit.value("score", (str,), "valid")
        if score not in LCDB_SCORES:
            raise fit.error("score", f"{score!r} is not one of {', '.join(LCDB_SCORES)}")
        curve = _checked(fit, "lcdb", lambda: read_lcdb(name, score))
        source = f"LCDB curve {name} (score {score})"
    families = fit.strings("families", DEFAULT_FAMILIES)
    if not families:
        raise fit.error("families", "name at least one family")
    fits = _checked(fit, "families", lambda: fit_curve(curve, families))
    best = _checked(fit, "families", fits.require_best)
    return best.bound, accuracy_block(best.function, best.values), fits, source


def _population(root: Table, block: dict[str, Any]) -> tuple[Population, tuple[int, Any] | None]:
    table = root.table("population", ("n", "cost", "agents", "agents_file"), required=True)
    assert table is not None
    kinds = [name for name in ("n", "agents", "agents_file") if table.has(name)]
    if len(kinds) != 1:
        raise root.error("population", "give exactly one of n (with cost), agents and agents_file")
    if kinds[0] == "n":
        n = table.value("n", (int,))
        if not 1 <= n <= MAX_EQUAL_AGENTS:
            raise table.error("n", f"{n} is not in [1, {MAX_EQUAL_AGENTS}]")
        cost = table.number("cost", required=True)
        rate = _checked(table, "cost", lambda: parse_cost(cost, "cost"))
        record = {"accuracy": block, "cost": rate, "count": n}
        return _checked(table, "cost", lambda: agents_from_records([record], "population")), (n, cost)
    if table.has("cost"):
        raise table.error("cost", "give each agent its cost (cost goes with n)")
    if kinds[0] == "agents_file":
        path = root.file.folder / table.value("agents_file", (str,))
        return _checked(table, "agents_file", lambda: load_agents(str(path))), None
    agents: list[Agent] = []
    for agent in table.tables("agents", AGENT_KEYS):
        record = {"accuracy": block, **agent.data} if "accuracy" not in agent.data else dict(agent.data)
        try:
            agents.extend(agents_from_records([record], "agent").agents)
        except FedsymError as error:
            # "agent: agent 1: FIELD: message" (agents_from_records' format)
            field, _, message = str(error).split(": ", 2)[-1].partition(": ")
            raise agent.error(field if field in AGENT_KEYS else "cost", message or str(error)) from None
    if not agents:
        raise table.error("agents", "expected at least one agent")
    return _checked(table, "agents", lambda: Population(tuple(agents))), None


def _compare(table: Table) -> CompareQuestion | None:
    """``compare = true`` (every mechanism that applies) or ``compare = {mechanisms = [...], rho = [...]}``."""
    key = (*table.key, "compare")
    value = table.value("compare", (bool, dict), False)
    if value is False:
        return None
    if value is True:
        return CompareQuestion(key, None, ())
    entry = table.table("compare", ("mechanisms", "rho"))
    assert entry is not None
    mechanisms = entry.strings("mechanisms") or None
    for index, name in enumerate(mechanisms or ()):
        if name not in REGISTRY:
            raise table.file.error((*key, "mechanisms", index), f"{name!r} is not one of {', '.join(REGISTRY)}")
    rhos = entry.numbers("rho")
    for index, rho in enumerate(rhos):
        try:
            inside = 0 <= float(rho) <= 1
        except ValueError:
            inside = False
        if not inside:
            raise table.file.error((*key, "rho", index), f"rho {str(rho)[:40]!r} is not a number in [0, 1]")
    return CompareQuestion(key, mechanisms, rhos)


def _questions(root: Table) -> tuple[bool, tuple[str, ...], Any, Screening | None, tuple[StaticsQuestion, ...],
                                     CompareQuestion | None]:
    table = root.table("questions", ("lone_agent", "equilibria", "eps", "screening", "statics", "compare"),
                       required=True)
    assert table is not None
    comparison = _compare(table)
    lone = table.value("lone_agent", (bool,), False)
    equilibria = table.strings("equilibria")
    for index, name in enumerate(equilibria):
        if name not in MECHANISMS:
            raise root.file.error(("questions", "equilibria", index), f"{name!r} is not one of {', '.join(MECHANISMS)}")
    eps = table.number("eps", 0)
    screening_table = table.table("screening", ("types", "probabilities", "others"))
    screening = None
    if screening_table is not None:
        types = screening_table.numbers("types", required=True)
        probabilities = screening_table.numbers("probabilities", required=True)
        if len(types) < 2 or len(types) != len(probabilities):
            raise screening_table.error("probabilities", f"give one probability per type (at least two types; "
                                        f"{len(types)} types, {len(probabilities)} probabilities)")
        screening = Screening(types, probabilities, screening_table.number("others", required=True))
    statics = []
    for entry in table.tables("statics", ("quantity", "wrt", "c", "n", "eps")):
        quantity = entry.value("quantity", (str,), required=True)
        if quantity not in QUANTITIES:
            raise entry.error("quantity", f"{quantity!r} is not one of {', '.join(QUANTITIES)}")
        wrt = entry.strings("wrt") or None
        at = {name: entry.number(name) for name in ("c", "n", "eps") if entry.has(name)}
        statics.append(StaticsQuestion(entry.key, quantity, wrt, at))
    if not (lone or equilibria or screening or statics or comparison):
        raise root.error("questions", "ask at least one question (lone_agent, equilibria, screening, statics, "
                         "compare)")
    return lone, equilibria, eps, screening, tuple(statics), comparison


def _presentation(root: Table, fitted: bool) -> Presentation:
    table = root.table("presentation", ("title", "label", "figures", "columns"))
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", root.file.path.stem)
    default_figures = ("fit", "optimal_data") if fitted else ("optimal_data",)
    if table is None:
        return Presentation(f"Study {stem}", f"study-{stem}", default_figures, 1)
    label = table.value("label", (str,), f"study-{stem}")
    if not _LABEL.fullmatch(label) or label in ("main", "verification"):
        raise table.error("label", f"{label!r} must be a letter then letters, digits, _ or - (not main/verification)")
    figures = table.strings("figures", default_figures)
    for index, name in enumerate(figures):
        if name not in FIGURES:
            raise root.file.error(("presentation", "figures", index), f"{name!r} is not one of {', '.join(FIGURES)}")
        if name == "fit" and not fitted:
            raise root.file.error(("presentation", "figures", index), "the fit figure needs [accuracy.fit]")
    columns = table.value("columns", (int,), 1)
    if columns not in (1, 2):
        raise table.error("columns", f"{columns} is not 1 or 2")
    return Presentation(table.value("title", (str,), f"Study {stem}"), label, figures, columns)


def read_study(path: str | Path) -> Study:
    """Read, check and build the study of a TOML file; every input error names the key and its line."""
    file = read_study_file(path)
    root = file.root(SECTIONS)
    for section in SECTIONS[:3]:
        root.value(section, (dict,), required=True)
    lone, equilibria, eps, screening, statics, comparison = _questions(root)
    accuracy, block, fits, source = _accuracy(root)
    presentation = _presentation(root, fits is not None)
    population, equal = _population(root, block)
    return Study(file, accuracy, block, fits, source, population, equal, lone, equilibria, eps, screening, statics,
                 comparison, presentation)
