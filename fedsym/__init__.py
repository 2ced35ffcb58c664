"""fedsym: derive, check and write up the economics of data sharing in federated learning.

Implements the model of Karimireddy, Guo and Jordan, *Mechanisms that
Incentivize Data Sharing in Federated Learning* (2022); the mathematics is
specified equation by equation in MODEL.md.

>>> from fedsym import accuracy_function, individual
>>> alone = individual(accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"}), "0.001")
>>> float(alone.optimal_data), float(alone.optimal_utility), alone.regime
(100.0, 0.65, 'low')
"""

from fedsym import _moved
from fedsym.check import run_checks
from fedsym.core.checkrow import CheckRow
from fedsym.core.derived import Derived
from fedsym.core.errors import AssumptionError, ExpressionError, FedsymError, InputFileError, ParameterError
from fedsym.core.latex import Latex
from fedsym.core.solve import set_symbolic_timeout
from fedsym.core.version import __version__ as __version__
from fedsym.model.accuracy import FAMILIES, AccuracyFunction, AssumptionReport, BoundAccuracy, accuracy_function
from fedsym.paper.deviation import Deviation, best_deviation
from fedsym.paper.equilibrium import (
    Equilibrium,
    best_response_equilibrium,
    shaping_equilibrium,
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

__all__ = [
    "FAMILIES",
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
    "set_symbolic_timeout",
]

