"""The Appendix B report sections (derivations/sb1_screening.py): checks pass, menus verified, Example B.4."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import mpmath as mp
import pytest
import sympy as sp

from fedsym.report import Section

PATH = Path(__file__).resolve().parent.parent / "derivations" / "sb1_screening.py"


@pytest.fixture(scope="module")
def module():
    spec = importlib.util.spec_from_file_location("fedsym_test_sb1_screening", PATH)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded
    try:
        spec.loader.exec_module(loaded)
        yield loaded
    finally:
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def sections(module) -> list[Section]:
    return module.derive()


def test_every_check_row_passes_and_renders(sections):
    assert [s.key for s in sections] == ["sb1_screening_example_b4", "sb2_screening_regimes"]
    for section in sections:
        assert section.checks and all(row.passed for row in section.checks), section.key
        assert section.to_latex().count(r"\section{") == 1


def test_each_regime_instance_is_in_its_regime_and_verified(module):
    """The table's instances land in the regime they illustrate (Model §6), best responses verified."""
    for regime, (result, _) in module.instances().items():
        assert result.regime == regime and result.verified
    assert module.instances()["high-capped"][0].two_type.pooling


def test_example_b4_ratio_by_hand(module):
    """Example B.4 by hand: u*(c) = a_opt - 3 (k c)^{1/3}, so m_C^min = 3 (k c)^{1/3} (2^{1/3} - 1) / c
    = 3 (2^{1/3} - 1) m_L*; the section's symbolic ratio and the solver's numbers agree with it."""
    by_hand = 3 * (sp.cbrt(2) - 1)
    assert sp.simplify(module.EXAMPLE_RATIO - by_hand) == 0
    assert sp.simplify(module.EXAMPLE_HIGH_RATIO - sp.Integer(2) ** sp.Rational(-2, 3)) == 0
    result, _ = module.instances()["separating"]
    with mp.workdps(40):
        ratio = result.two_type.high_contribution / result.two_type.low_alone
        assert abs(ratio - 3 * (mp.cbrt(2) - 1)) < mp.mpf("1e-25")
    assert result.two_type.information_rent_low == 0


def test_figure_5_has_points_a_to_d_and_short_series(sections):
    """Figure 5 labels the four points and keeps every series at most 200 points."""
    (figure,) = sections[0].figures
    assert all(len(series.xs) <= 200 for series in figure.series)
    tex = figure.to_latex()
    for name in "ABCD":
        assert re.search(r"\\node\[circle[^\n]*:" + name + r"\}\] at \(axis cs:", tex), f"point {name} is not drawn"
