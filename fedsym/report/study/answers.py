"""The answers to a study's questions: Theorem 2.3 alone, the equilibria, screening, statics, mechanisms compared.

:func:`answer` runs every question of a :class:`~fedsym.report.study.spec.Study`
with the package's own solvers (the same calls as ``fedsym individual``,
``equilibrium``, ``screening``, ``statics`` and ``compare``), so a study's numbers are the
command line's.  An input error found while answering names the question's key
and line; a failed computation stays a :class:`~fedsym.core.errors.ComputationError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from fedsym.core.checkrow import CheckRow
from fedsym.core.errors import InputError
from fedsym.model.agent import Agent
from fedsym.paper.compare import Comparison, compare
from fedsym.paper.equilibrium import solve
from fedsym.paper.fitting import Band
from fedsym.paper.lone_agent import IndividualResult, check_rows, individual
from fedsym.paper.screening.cost_types import KTypes
from fedsym.paper.screening.result import screen
from fedsym.paper.statics import Statics, applicable_parameters, statics

from .source import Key
from .spec import StaticsQuestion, Study

__all__ = ["Answers", "answer"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Answers:
    """A study with its answers.

    ``lone`` holds Theorem 2.3 per distinct marginal cost of the population,
    ``equilibria`` the verified equilibrium per mechanism, ``bands`` the
    delta-method bands of a fitted accuracy (Model §10) for ``n`` equal agents,
    ``checks`` the closed forms of the study's accuracy against independent
    numerics (the appendix).
    """

    study: Study
    lone: tuple[IndividualResult, ...]
    equilibria: dict[str, Any]
    screening: Any
    statics: tuple[Statics, ...]
    comparison: Comparison | None
    bands: dict[str, Band]
    checks: tuple[CheckRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """Every number of the study, JSON-ready (the keys of each part as the command line writes them)."""
        study = self.study
        fits = study.fits
        return {
            "study": str(study.file.path), "title": study.presentation.title, "label": study.presentation.label,
            "accuracy": study.block, "accuracy_label": study.accuracy.label(),
            "fit": None if fits is None else {**fits.to_dict(), "description": study.curve_source},
            "population": {"agents": study.population.size,
                           "equal": None if study.equal is None else {"n": study.equal[0],
                                                                     "cost": float(study.equal[1])}},
            "lone_agent": [result.to_dict() for result in self.lone],
            "equilibria": {name: eq.to_dict() for name, eq in self.equilibria.items()},
            "screening": None if self.screening is None else self.screening.to_dict(),
            "statics": [result.to_dict() for result in self.statics],
            "compare": None if self.comparison is None else self.comparison.to_dict(),
            "bands": {name: band.to_dict() for name, band in self.bands.items()},
            "checks": {"count": len(self.checks), "passed": sum(row.passed for row in self.checks),
                       "rows": [row.to_dict() for row in self.checks]},
        }


def _at(study: Study, key: Key, compute: Callable[[], _T]) -> _T:
    """``compute()``; an input error becomes one naming *key* and its line."""
    try:
        return compute()
    except InputError as error:
        raise study.error(key, str(error)) from None


def _paper_rate(agent: Agent, study: Study) -> Any:
    """The agent's marginal cost; a study's lone-agent question is Theorem 2.3's (linear cost, v(a) = a)."""
    if agent.linear_rate is None or agent.joining_cost != 0 or not agent.value_is_identity:
        raise study.error(("questions", "lone_agent"), f"agent {agent.label()} is not the paper's (linear cost, "
                          "no joining cost, v(a) = a): use fedsym individual --cost-function for it")
    return agent.linear_rate


def _screen(study: Study) -> Any:
    """Model §9 for the question's types; for two types App. B's closed forms are its fast path and check."""
    question = study.screening
    assert question is not None
    return screen(study.accuracy, KTypes.of(question.types, question.probabilities), question.others)


def _statics(study: Study, question: StaticsQuestion) -> Statics:
    """Model §12 at the question's ``c, n, eps``, by default the population's (n equal agents)."""
    default = {} if study.equal is None else {"c": study.equal[1], "n": study.equal[0], "eps": study.eps}
    needed = applicable_parameters(study.accuracy.function, question.quantity)
    for index, name in enumerate(question.wrt or ()):
        if name not in needed:
            raise study.error((*question.key, "wrt", index), f"{question.quantity} does not depend on {name!r} "
                              f"(it depends on {', '.join(needed)})")
    at = {**{name: value for name, value in default.items() if name in needed}, **question.at}
    return statics(study.accuracy, question.quantity, question.wrt, at=at)


def answer(study: Study) -> Answers:
    """Answer every question of *study* (Theorem 2.3, Theorems 3.4 and 4.2, App. B / Model §9, Model §12)."""
    lone: list[IndividualResult] = []
    if study.lone_agent:
        costs = [study.equal[1]] if study.equal is not None else \
            sorted({_paper_rate(agent, study) for agent in study.population.agents})
        lone = [_at(study, ("questions", "lone_agent"), partial(individual, study.accuracy, cost)) for cost in costs]
    population = study.population if study.equal is None else \
        (study.accuracy, [study.equal[1]] * study.equal[0])
    equilibria = {name: _at(study, ("questions", "equilibria"),
                            partial(solve, name, population, study.eps if name == "shaping" else 0))
                  for name in study.equilibria}
    screening = None if study.screening is None else _at(study, ("questions", "screening"), lambda: _screen(study))
    results = tuple(_at(study, question.key, partial(_statics, study, question)) for question in study.statics)
    question = study.compare
    comparison = None if question is None else \
        _at(study, question.key, partial(compare, study.population, question.mechanisms, study.eps, question.rhos))
    bands: dict[str, Band] = {}
    if study.fits is not None and study.equal is not None:
        best = study.fits.require_best()
        n, cost = study.equal
        bands = {"viability_cost": best.viability_cost(), "optimal_data": best.optimal_data(cost)}
        if study.equilibria:
            totals = best.equilibrium_totals(cost, n)
            bands.update({f"total_{name}": totals[name] for name in study.equilibria})
    checks = (*check_rows(study.accuracy), *(row for result in results for row in result.check_rows()))
    return Answers(study, tuple(lone), equilibria, screening, results, comparison, bands, tuple(checks))
