"""fedsym: derive, check and write up the economics of data sharing in federated learning.

Implements the model of Karimireddy, Guo and Jordan, *Mechanisms that
Incentivize Data Sharing in Federated Learning* (2022); the documentation's
model page states the mathematics equation by equation (Model §1-§12).

>>> from fedsym import accuracy_function, individual
>>> alone = individual(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), "0.001")
>>> float(alone.optimal_data), float(alone.optimal_utility), alone.regime
(100.0, 0.65, 'low')
"""

from typing import TYPE_CHECKING

from fedsym.core.lazy import lazy_front
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
    from fedsym.model.learning_curve import LearningCurve
    from fedsym.paper.agents_that_differ import (
        Cohort,
        HeterogeneousShaping,
        lone_agent,
    )
    from fedsym.paper.agents_that_differ.lone import cost_shape_check_rows, cost_shape_forms
    from fedsym.paper.best_response import (
        C_I,
        EPS_SYMBOL,
        M_I,
        M_OTHERS,
        JumpForms,
        best_response,
        jump_forms,
        numeric_threshold,
        search_threshold,
    )
    from fedsym.paper.compare import Comparison, compare
    from fedsym.paper.deviation import Deviation, best_deviation
    from fedsym.paper.equilibrium import (
        CHECK_INSTANCES,
        Equilibrium,
        best_response_equilibrium,
        ceiling_form,
        shaping_equilibrium,
        solve,
        standard_equilibrium,
        verify_equilibrium,
    )
    from fedsym.paper.equilibrium import checks as equilibrium_checks
    from fedsym.paper.example_4_5 import ExampleForms, example_forms
    from fedsym.paper.example_4_5 import checks as example_4_5_checks
    from fedsym.paper.fitting import DEFAULT_FAMILIES, Band, CurveFits, FitResult, fit_curve, weighted_means
    from fedsym.paper.inverse import InverseResult, solve_for
    from fedsym.paper.lone_agent import (
        IndividualResult,
        LoneAgentForms,
        check_rows,
        individual,
        lone_agent_forms,
        maximize_utility,
        optimal_data_array,
    )
    from fedsym.paper.mechanisms import (
        AnonymousMechanism,
        FunctionMechanism,
        LinearShaping,
        Mechanism,
        PartialSharing,
        PropertyReport,
        StandardMechanism,
        accuracy_shaping,
        check_feasibility,
        check_individual_rationality,
    )
    from fedsym.paper.population_statics import PopulationStatics, population_statics
    from fedsym.paper.realfm import PublishedRealFM, RealFMGap, realfm_gap, realfm_published
    from fedsym.paper.screening.cost_types import KTypes
    from fedsym.paper.screening.forms import screening_forms
    from fedsym.paper.screening.k_curve import KScreeningMechanism, verify_menu_k
    from fedsym.paper.screening.k_many import KExpectedTotal, count_equilibrium, expected_total_k
    from fedsym.paper.screening.k_types import KMenu, SweepRow, optimal_menu_k, sweep
    from fedsym.paper.screening.k_types import checks as screening_k_checks
    from fedsym.paper.screening.many import ExpectedTotals, expected_totals
    from fedsym.paper.screening.menu import Cap, Menu, optimal_menu
    from fedsym.paper.screening.result import ScreeningResult, screen, screen_two_types
    from fedsym.paper.screening_statics import screening_statics
    from fedsym.paper.shapley import RhoShapley, ShapleyValues, rho_shapley, shapley_values
    from fedsym.paper.statics import Statics, derivative_sign, statics
    from fedsym.paper.welfare import WelfareComparison, WelfareForms, welfare_benchmarks, welfare_forms


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
    "screening_forms": "fedsym.paper.screening.forms",
    "KTypes": "fedsym.paper.screening.cost_types",
    "Menu": "fedsym.paper.screening.menu",
    "optimal_menu": "fedsym.paper.screening.menu",
    "ScreeningResult": "fedsym.paper.screening.result",
    "screen": "fedsym.paper.screening.result",
    "C_I": "fedsym.paper.best_response",
    "EPS_SYMBOL": "fedsym.paper.best_response",
    "M_I": "fedsym.paper.best_response",
    "M_OTHERS": "fedsym.paper.best_response",
    "best_response": "fedsym.paper.best_response",
    "numeric_threshold": "fedsym.paper.best_response",
    "search_threshold": "fedsym.paper.best_response",
    "CHECK_INSTANCES": "fedsym.paper.equilibrium",
    "ceiling_form": "fedsym.paper.equilibrium",
    "equilibrium_checks": "fedsym.paper.equilibrium:checks",
    "ExampleForms": "fedsym.paper.example_4_5",
    "example_forms": "fedsym.paper.example_4_5",
    "example_4_5_checks": "fedsym.paper.example_4_5:checks",
    "DEFAULT_FAMILIES": "fedsym.paper.fitting",
    "Band": "fedsym.paper.fitting",
    "CurveFits": "fedsym.paper.fitting",
    "FitResult": "fedsym.paper.fitting",
    "fit_curve": "fedsym.paper.fitting",
    "weighted_means": "fedsym.paper.fitting",
    "maximize_utility": "fedsym.paper.lone_agent",
    "PropertyReport": "fedsym.paper.mechanisms",
    "Cap": "fedsym.paper.screening.menu",
    "LearningCurve": "fedsym.model.learning_curve",
    "WelfareComparison": "fedsym.paper.welfare",
    "WelfareForms": "fedsym.paper.welfare",
    "welfare_benchmarks": "fedsym.paper.welfare",
    "welfare_forms": "fedsym.paper.welfare",
    "Comparison": "fedsym.paper.compare",
    "compare": "fedsym.paper.compare",
    "InverseResult": "fedsym.paper.inverse",
    "solve_for": "fedsym.paper.inverse",
    "Statics": "fedsym.paper.statics",
    "derivative_sign": "fedsym.paper.statics",
    "statics": "fedsym.paper.statics",
    "cost_shape_forms": "fedsym.paper.agents_that_differ.lone",
    "cost_shape_check_rows": "fedsym.paper.agents_that_differ.lone",
    "screen_two_types": "fedsym.paper.screening.result",
    "KScreeningMechanism": "fedsym.paper.screening.k_curve",
    "verify_menu_k": "fedsym.paper.screening.k_curve",
    "KMenu": "fedsym.paper.screening.k_types",
    "SweepRow": "fedsym.paper.screening.k_types",
    "optimal_menu_k": "fedsym.paper.screening.k_types",
    "sweep": "fedsym.paper.screening.k_types",
    "screening_k_checks": "fedsym.paper.screening.k_types:checks",
    "ExpectedTotals": "fedsym.paper.screening.many",
    "expected_totals": "fedsym.paper.screening.many",
    "KExpectedTotal": "fedsym.paper.screening.k_many",
    "count_equilibrium": "fedsym.paper.screening.k_many",
    "expected_total_k": "fedsym.paper.screening.k_many",
    "PopulationStatics": "fedsym.paper.population_statics",
    "population_statics": "fedsym.paper.population_statics",
    "screening_statics": "fedsym.paper.screening_statics",
    "PublishedRealFM": "fedsym.paper.realfm",
    "RealFMGap": "fedsym.paper.realfm",
    "realfm_gap": "fedsym.paper.realfm",
    "realfm_published": "fedsym.paper.realfm",
    "RhoShapley": "fedsym.paper.shapley",
    "ShapleyValues": "fedsym.paper.shapley",
    "rho_shapley": "fedsym.paper.shapley",
    "shapley_values": "fedsym.paper.shapley",
}


__getattr__, __dir__ = lazy_front(__name__, _LAZY)


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
    "screening_forms",
    "KTypes",
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
    "C_I",
    "EPS_SYMBOL",
    "M_I",
    "M_OTHERS",
    "best_response",
    "numeric_threshold",
    "search_threshold",
    "CHECK_INSTANCES",
    "ceiling_form",
    "equilibrium_checks",
    "ExampleForms",
    "example_forms",
    "example_4_5_checks",
    "DEFAULT_FAMILIES",
    "Band",
    "CurveFits",
    "FitResult",
    "fit_curve",
    "weighted_means",
    "maximize_utility",
    "PropertyReport",
    "Cap",
    "LearningCurve",
    "WelfareComparison",
    "WelfareForms",
    "welfare_benchmarks",
    "welfare_forms",
    "Comparison",
    "compare",
    "statics",
    "Statics",
    "derivative_sign",
    "solve_for",
    "InverseResult",
    "cost_shape_forms",
    "cost_shape_check_rows",
    "screen_two_types",
    "KScreeningMechanism",
    "verify_menu_k",
    "KMenu",
    "SweepRow",
    "optimal_menu_k",
    "sweep",
    "screening_k_checks",
    "ExpectedTotals",
    "expected_totals",
    "KExpectedTotal",
    "count_equilibrium",
    "expected_total_k",
    "population_statics",
    "PopulationStatics",
    "screening_statics",
    "PublishedRealFM",
    "RealFMGap",
    "realfm_gap",
    "realfm_published",
    "RhoShapley",
    "ShapleyValues",
    "rho_shapley",
    "shapley_values",
]
