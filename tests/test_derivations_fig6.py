"""Figure 6 section (Theorem 3.3): the best response of an agent priced out alone jumps at a threshold.

Expected values by hand from Model §2-§3 with Eq. (3): under Eq. (13) an agent with
c > c_max has m* = 0, so past 0 its utility is that of the full model,
a_opt - 2 sqrt(k / (m_i + m_-i)) - c m_i, whose maximum over m_i is at m_i + m_-i = (k/c^2)^(1/3)
(Example 2.4) with value a_opt - 3 (k c)^(1/3) + c m_-i.  That value is 0 at
m_-i = (3 (k c)^(1/3) - a_opt) / c, where the best response jumps from 0 to (k/c^2)^(1/3) - m_-i.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from fedsym.report import Section

PATH = Path(__file__).resolve().parents[1] / "derivations" / "s32_figure6_best_response.py"


@pytest.fixture(scope="module")
def module():
    spec = importlib.util.spec_from_file_location("fedsym_test_s32_figure6", PATH)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded
    spec.loader.exec_module(loaded)
    yield loaded
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def section(module) -> Section:
    return module.derive()


def _by_hand(module) -> tuple[float, float]:
    """(threshold, lone optimum m*) from Example 2.4's formulas, typed here independently of sympy."""
    a_opt, k, c = float(module.PARAMETERS["a_opt"]), float(module.PARAMETERS["k"]), float(module.COST)
    return (3 * (k * c) ** (1 / 3) - a_opt) / c, (k / c**2) ** (1 / 3)


def test_instance_is_in_the_mid_cost_regime_by_hand(module):
    """Model §2, Example 2.4: c_max = a_opt^3/(27 k) < c < a'(m_0) = a_opt^3/(8 k), so the jump is real."""
    a_opt, k, c = float(module.PARAMETERS["a_opt"]), float(module.PARAMETERS["k"]), float(module.COST)
    assert a_opt**3 / (27 * k) < c < a_opt**3 / (8 * k)
    threshold, m_star = _by_hand(module)
    assert 0 < threshold < m_star  # the interior point m* - threshold is positive


def test_section_check_rows_pass(section):
    assert section.key == "s32_figure6_best_response"
    assert len(section.checks) == 4
    assert all(row.passed for row in section.checks), [(r.quantity, r.method, float(r.error)) for r in section.checks]


def test_threshold_matches_hand_computation(module):
    """Threshold (3 (k c)^(1/3) - a_opt)/c = 3.10419 for a_opt = 0.95, k = 1, c = 0.05 (by hand)."""
    threshold, _ = _by_hand(module)
    assert threshold == pytest.approx(3.1041889918, rel=1e-10)
    with module.mp.workdps(40):
        assert float(module._evaluate(module.forms()["threshold"])) == pytest.approx(threshold, rel=1e-14)


def test_best_response_series_jumps_once_at_the_threshold(module, section):
    """Figure 6(b): one step far larger than every other, between the two grid points around the threshold."""
    threshold, m_star = _by_hand(module)
    others, responses = module.best_response_series(module.mechanism(module.bound()))
    assert len(others) <= 200
    steps = np.abs(np.diff(responses))
    j = int(np.argmax(steps))
    assert others[j] < threshold <= others[j + 1]
    assert steps[j] > 10 * np.delete(steps, j).max()
    assert responses[j] == 0.0
    # just past the threshold the global search lands on the interior maximum m* - m_-i (by hand)
    assert responses[j + 1] == pytest.approx(m_star - others[j + 1], rel=1e-6)
    assert np.all(responses[: j + 1] == 0.0)


def test_figures_draw_at_most_200_points_per_series_and_mark_the_threshold(module, section):
    threshold, _ = _by_hand(module)
    assert len(section.figures) == 2
    for figure in section.figures:
        assert all(len(series.xs) <= 200 for series in figure.series)
    (line, _label), = section.figures[1].vertical_lines
    assert line == pytest.approx(threshold, rel=1e-12)
