"""Layer 2, the model (Model §1, §8, §10): accuracy functions, agents and populations, learning curves.

- :mod:`~fedsym.model.accuracy`: :math:`a(m) = \\max(0, \\hat a(m))`, its parameters, evaluation
  (mpmath and numpy) and assumption (1) (Sec. 2.1);
- :mod:`~fedsym.model.agent`: an agent (accuracy, cost function, joining cost, value of accuracy) and a population;
- :mod:`~fedsym.model.learning_curve`: measured learning curves (a CSV file or the LCDB database).

Imports only from :mod:`fedsym.core`.  This front re-exports the layer's API; each
name is imported on first access.
"""

from typing import TYPE_CHECKING

from fedsym.core.lazy import lazy_front

if TYPE_CHECKING:
    from fedsym.model.accuracy import FAMILIES, AccuracyFunction, AssumptionReport, BoundAccuracy, accuracy_function
    from fedsym.model.agent import Agent, Population, cost_function, joining_cost, load_agents, value_function
    from fedsym.model.learning_curve import LearningCurve, lcdb_available, read_csv, read_lcdb

#: public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "FAMILIES": "fedsym.model.accuracy",
    "AccuracyFunction": "fedsym.model.accuracy",
    "AssumptionReport": "fedsym.model.accuracy",
    "BoundAccuracy": "fedsym.model.accuracy",
    "accuracy_function": "fedsym.model.accuracy",
    "Agent": "fedsym.model.agent",
    "Population": "fedsym.model.agent",
    "cost_function": "fedsym.model.agent",
    "joining_cost": "fedsym.model.agent",
    "load_agents": "fedsym.model.agent",
    "value_function": "fedsym.model.agent",
    "LearningCurve": "fedsym.model.learning_curve",
    "lcdb_available": "fedsym.model.learning_curve",
    "read_csv": "fedsym.model.learning_curve",
    "read_lcdb": "fedsym.model.learning_curve",
}

__getattr__, __dir__ = lazy_front(__name__, _LAZY)

__all__ = [
    "FAMILIES",
    "AccuracyFunction",
    "AssumptionReport",
    "BoundAccuracy",
    "accuracy_function",
    "Agent",
    "Population",
    "cost_function",
    "joining_cost",
    "load_agents",
    "value_function",
    "LearningCurve",
    "lcdb_available",
    "read_csv",
    "read_lcdb",
]
