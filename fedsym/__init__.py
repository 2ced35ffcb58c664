"""fedsym: derive, check and write up the economics of data sharing in federated learning.

Implements the model of Karimireddy, Guo and Jordan, *Mechanisms that
Incentivize Data Sharing in Federated Learning* (2022); the mathematics is
specified equation by equation in MODEL.md.

>>> from fedsym import accuracy_function, individual
>>> alone = individual(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), "0.001")
>>> float(alone.optimal_data), float(alone.optimal_utility), alone.regime
(100.0, 0.65, 'low')
"""

import importlib
from typing import TYPE_CHECKING, Any

from fedsym import _moved
from fedsym.core.version import __version__ as __version__  # the one source of the version

if TYPE_CHECKING:
    from fedsym.check import run_checks
    from fedsym.core.checkrow import CheckRow
    from fedsym.core.derived import Derived
    from fedsym.core.errors import (
        AssumptionError,
        ComputationError,
        ConvergenceError,
        DerivationError,
        ExpressionError,
        FedsymError,
        InputError,
        InputFileError,
        ParameterError,
    )
    from fedsym.core.latex import Latex
    from fedsym.core.settings import Settings, current_settings, using_settings
    from fedsym.core.solve import set_symbolic_timeout
    from fedsym.model.accuracy import FAMILIES, AccuracyFunction, AssumptionReport, BoundAccuracy, accuracy_function
    from fedsym.model.agent import Agent, Population, load_agents
    from fedsym.paper.agents_that_differ import (
        Cohort,
        HeterogeneousShaping,
        lone_agent,
    )
    from fedsym.paper.best_response import JumpForms, jump_forms
    from fedsym.paper.deviation import Deviation, best_deviation
    from fedsym.paper.equilibrium import (
        Equilibrium,
        best_response_equilibrium,
        shaping_equilibrium,
        solve,
        standard_equilibrium,
        verify_equilibrium,
    )
    from fedsym.paper.lone_agent import (
        IndividualResult,
        LoneAgentForms,
        check_rows,
        individual,
        lone_agent_forms,
        optimal_data_array,
    )
    from fedsym.paper.mechanisms import (
        AnonymousMechanism,
        FunctionMechanism,
        LinearShaping,
        Mechanism,
        PartialSharing,
        StandardMechanism,
        accuracy_shaping,
        check_feasibility,
        check_individual_rationality,
    )
    from fedsym.paper.screening.curve import ScreeningMechanism
    from fedsym.paper.screening.forms import screening_forms
    from fedsym.paper.screening.menu import CostTypes, Menu, optimal_menu
    from fedsym.paper.screening.result import ScreeningResult, screen

_moved.install()

#: public name -> module that defines it (imported on first access: ``fedsym --help`` stays light)
_LAZY: dict[str, str] = {
    "run_checks": "fedsym.check",
    "CheckRow": "fedsym.core.checkrow",
    "Derived": "fedsym.core.derived",
    "AssumptionError": "fedsym.core.errors",
    "ExpressionError": "fedsym.core.errors",
    "FedsymError": "fedsym.core.errors",
    "InputFileError": "fedsym.core.errors",
    "InputError": "fedsym.core.errors",
    "ComputationError": "fedsym.core.errors",
    "ConvergenceError": "fedsym.core.errors",
    "DerivationError": "fedsym.core.errors",
    "Settings": "fedsym.core.settings",
    "current_settings": "fedsym.core.settings",
    "using_settings": "fedsym.core.settings",
    "ParameterError": "fedsym.core.errors",
    "Latex": "fedsym.core.latex",
    "set_symbolic_timeout": "fedsym.core.solve",
    "FAMILIES": "fedsym.model.accuracy",
    "AccuracyFunction": "fedsym.model.accuracy",
    "AssumptionReport": "fedsym.model.accuracy",
    "BoundAccuracy": "fedsym.model.accuracy",
    "accuracy_function": "fedsym.model.accuracy",
    "Agent": "fedsym.model.agent",
    "Population": "fedsym.model.agent",
    "load_agents": "fedsym.model.agent",
    "Cohort": "fedsym.paper.agents_that_differ",
    "HeterogeneousShaping": "fedsym.paper.agents_that_differ",
    "lone_agent": "fedsym.paper.agents_that_differ",
    "JumpForms": "fedsym.paper.best_response",
    "jump_forms": "fedsym.paper.best_response",
    "Deviation": "fedsym.paper.deviation",
    "best_deviation": "fedsym.paper.deviation",
    "Equilibrium": "fedsym.paper.equilibrium",
    "best_response_equilibrium": "fedsym.paper.equilibrium",
    "shaping_equilibrium": "fedsym.paper.equilibrium",
    "standard_equilibrium": "fedsym.paper.equilibrium",
    "solve": "fedsym.paper.equilibrium",
    "verify_equilibrium": "fedsym.paper.equilibrium",
    "IndividualResult": "fedsym.paper.lone_agent",
    "LoneAgentForms": "fedsym.paper.lone_agent",
    "check_rows": "fedsym.paper.lone_agent",
    "individual": "fedsym.paper.lone_agent",
    "lone_agent_forms": "fedsym.paper.lone_agent",
    "optimal_data_array": "fedsym.paper.lone_agent",
    "AnonymousMechanism": "fedsym.paper.mechanisms",
    "FunctionMechanism": "fedsym.paper.mechanisms",
    "LinearShaping": "fedsym.paper.mechanisms",
    "Mechanism": "fedsym.paper.mechanisms",
    "PartialSharing": "fedsym.paper.mechanisms",
    "StandardMechanism": "fedsym.paper.mechanisms",
    "accuracy_shaping": "fedsym.paper.mechanisms",
    "check_feasibility": "fedsym.paper.mechanisms",
    "check_individual_rationality": "fedsym.paper.mechanisms",
    "ScreeningMechanism": "fedsym.paper.screening.curve",
    "screening_forms": "fedsym.paper.screening.forms",
    "CostTypes": "fedsym.paper.screening.menu",
    "Menu": "fedsym.paper.screening.menu",
    "optimal_menu": "fedsym.paper.screening.menu",
    "ScreeningResult": "fedsym.paper.screening.result",
    "screen": "fedsym.paper.screening.result",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first access (PEP 562), so that importing fedsym does not import sympy."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fedsym' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "FAMILIES",
    "JumpForms",
    "jump_forms",
    "AccuracyFunction",
    "AssumptionReport",
    "BoundAccuracy",
    "accuracy_function",
    "IndividualResult",
    "LoneAgentForms",
    "individual",
    "lone_agent_forms",
    "optimal_data_array",
    "check_rows",
    "Latex",
    "CheckRow",
    "run_checks",
    "Derived",
    "Deviation",
    "best_deviation",
    "Mechanism",
    "AnonymousMechanism",
    "FunctionMechanism",
    "StandardMechanism",
    "LinearShaping",
    "PartialSharing",
    "accuracy_shaping",
    "check_feasibility",
    "check_individual_rationality",
    "Equilibrium",
    "solve",
    "standard_equilibrium",
    "shaping_equilibrium",
    "best_response_equilibrium",
    "verify_equilibrium",
    "screen",
    "ScreeningResult",
    "ScreeningMechanism",
    "screening_forms",
    "CostTypes",
    "Menu",
    "optimal_menu",
    "FedsymError",
    "ParameterError",
    "ExpressionError",
    "AssumptionError",
    "InputFileError",
    "InputError",
    "ComputationError",
    "ConvergenceError",
    "DerivationError",
    "Settings",
    "current_settings",
    "using_settings",
    "set_symbolic_timeout",
    "Agent",
    "Population",
    "load_agents",
    "Cohort",
    "HeterogeneousShaping",
    "lone_agent",
]

