"""Accuracy functions (Model §1): families, user expressions, assumption (1), bad input."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

import fedsym
from fedsym import AssumptionError, ExpressionError, ParameterError, accuracy_function, lone_agent_forms
from fedsym.core.solve import set_symbolic_timeout, symbolic_timeout
from fedsym.core.symbols import a_opt, k, m


def test_public_api_names_all_import():
    """Every name in fedsym.__all__ exists and the list has no duplicates (a missing comma fuses two)."""
    assert len(set(fedsym.__all__)) == len(fedsym.__all__)
    for name in fedsym.__all__:
        assert hasattr(fedsym, name), name


def test_simplified_family_is_eq_3():
    assert sp.simplify(accuracy_function("simplified").expr - (a_opt - 2 * sp.sqrt(k / m))) == 0


def test_minimum_viable_data_numeric_matches_example_2_4():
    """m_0 = 4k/a_opt^2 (Example 2.4) = 4·2/0.8^2 = 12.5."""
    bound = accuracy_function("simplified").bind({"a_opt": "0.8", "k": "2"})
    with mp.workdps(40):
        assert abs(bound.minimum_viable_data - mp.mpf("12.5")) < mp.mpf(10) ** -30


def test_accuracy_is_zero_below_minimum_viable_data():
    bound = accuracy_function("simplified").bind({"a_opt": "0.8", "k": "2"})
    assert bound.a(12) == 0 and bound.a(13) > 0
    assert list(bound.a_np([1.0, 12.0])) == [0.0, 0.0]


def test_generalization_bound_default_b_is_4():
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"})
    assert bound.values["b"] == 4


def test_assumption_symbolic_for_simplified_numeric_for_eq_2():
    assert accuracy_function("simplified").bind({"a_opt": "0.9", "k": "1"}).assumption.method == "symbolic"
    report = accuracy_function("generalization-bound").bind({"a_opt": "0.95", "k": "1"}).assumption
    assert report.method == "numeric" and report.holds_on_positive_part


def test_eq_2_region_of_assumption_1_reported_and_enforced():
    """With b = 2, k = 100, Eq (2) is positive at the domain's edge k·e^-2, dips below 0 and rises again:
    (1) holds only far to the right, and a result that needs it elsewhere is refused."""
    bound = accuracy_function("generalization-bound").bind({"a_opt": "0.9", "k": "100", "b": "2"})
    report = bound.assumption
    assert not report.holds_on_positive_part and report.holds_from > 1000
    with pytest.raises(AssumptionError, match="assumption \\(1\\)"):
        bound.require_assumption(500, "a test point")
    with pytest.raises(AssumptionError):
        fedsym.individual(bound, "1e-4")


@pytest.mark.parametrize("expression, message", [
    ("m**2", "not concave"),
    ("-sqrt(m)", "never positive"),
    ("1 - 1/m - m/1000", "decreasing"),
    ("log(1 + m)", "without bound"),
])
def test_expressions_violating_assumption_1_are_refused(expression, message):
    with pytest.raises(AssumptionError, match=message):
        accuracy_function(expression).bind({})


@pytest.mark.parametrize("expression", ["1-1/m+", "a_opt - ", "f(m)", "gamma(m)", "import os", "m.__class__"])
def test_unparsable_expressions(expression):
    with pytest.raises(ExpressionError):
        accuracy_function(expression)


def test_unknown_family_name():
    with pytest.raises(ExpressionError, match="unknown accuracy family"):
        accuracy_function("power-laws")


@pytest.mark.parametrize("values, message", [
    ({"a_opt": "0.9"}, "missing parameter 'k'"),
    ({"a_opt": "0.9", "k": "1", "x": "1"}, "unknown parameter 'x'"),
    ({"a_opt": "1.5", "k": "1"}, "a_opt=1.5 is outside"),
    ({"a_opt": "0.9", "k": "0"}, "k=0 is outside"),
    ({"a_opt": "0.9", "k": "nan"}, "not a"),
    ({"a_opt": "0.9", "k": "inf"}, "not a"),
    ({"a_opt": "0.9", "k": "one"}, "not a number"),
])
def test_bad_parameters_name_the_parameter(values, message):
    with pytest.raises(ParameterError, match=message):
        accuracy_function("simplified").bind(values)


def test_symbolic_attempt_is_bounded_in_time_and_falls_back():
    """A derivation that cannot finish within the limit is numeric and says why."""
    previous = symbolic_timeout()
    set_symbolic_timeout(0.001)
    try:
        forms = lone_agent_forms(accuracy_function("a_opt - 3*sqrt(k/m)"))
    finally:
        set_symbolic_timeout(previous)
        lone_agent_forms.cache_clear()
    assert forms.optimal_data.method == "numeric"
    assert "within" in forms.optimal_data.note
    result = fedsym.individual(accuracy_function("a_opt - 3*sqrt(k/m)").bind({"a_opt": "0.9", "k": "1"}), "0.001")
    assert result.optimal_data > 0


def test_derivations_are_cached():
    function = accuracy_function("simplified")
    assert lone_agent_forms(function) is lone_agent_forms(function)
