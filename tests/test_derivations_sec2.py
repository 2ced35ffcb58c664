"""The report sections of paper Sec. 2 (``derivations/s2*.py``).

Each ``derive()`` must return sections whose closed-form-vs-numeric rows all
pass; Figure 2's curve for ``k = 1`` must agree with an independent per-point
computation: Eq. (2) typed by hand from Model §1, its derivative by
``mpmath.diff`` (finite differences, not sympy), and the root of
:math:`\\hat a'(m) = c` by plain bisection.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import mpmath as mp
import pytest

from fedsym.report import Section, verification_latex

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"
SECTION_2_FILES = sorted(p.name for p in DERIVATIONS.glob("s2*.py"))


def load(name: str) -> ModuleType:
    """Import a derivation file by path (derivations/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"sec2_{Path(name).stem}", DERIVATIONS / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sections_of(name: str) -> list[Section]:
    result = load(name).derive()
    return [result] if isinstance(result, Section) else list(result)


def test_the_five_sections_of_sec_2_are_present() -> None:
    assert SECTION_2_FILES == [
        "s21_accuracy_families.py", "s22_threshold_power_law.py", "s23_lone_agent.py",
        "s24_figure2_generalization_bound.py", "s25_user_defined_accuracy.py",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", SECTION_2_FILES)
def test_every_check_row_passes_and_the_section_renders(name: str) -> None:
    for section in sections_of(name):
        assert section.checks, f"{section.key} has no closed-form-vs-numeric rows"
        failed = [row.to_dict() for row in section.checks if not row.passed]
        assert not failed
        assert section.figures
        text = section.to_latex()
        assert "closed forms agree with independent numerics" in text and r"\textbf{fail}" not in text
        assert r"\checkmark" in verification_latex([section])


def eq2(m: mp.mpf, a_opt: mp.mpf, k: mp.mpf, b: mp.mpf = mp.mpf(4)) -> mp.mpf:
    """Eq. (2) by hand from Model §1: a_opt - (sqrt(2k(2 + ln(m/k))) + b)/sqrt(m)."""
    return a_opt - (mp.sqrt(2 * k * (2 + mp.log(m / k))) + b) / mp.sqrt(m)


def bisect_optimal_data(cost: mp.mpf, a_opt: mp.mpf, k: mp.mpf) -> mp.mpf:
    """Root of â'(m) = c by bisection; â' from mpmath.diff; bracket [m_0 by bisection, 1e9]."""
    def bisect(f, lo: mp.mpf, hi: mp.mpf) -> mp.mpf:
        f_lo = f(lo)
        for _ in range(200):
            mid = (lo + hi) / 2
            if (f(mid) > 0) == (f_lo > 0):
                lo, f_lo = mid, f(mid)
            else:
                hi = mid
        return (lo + hi) / 2

    m0 = bisect(lambda x: eq2(x, a_opt, k), k, mp.mpf(10) ** 9)
    return bisect(lambda x: mp.diff(lambda y: eq2(y, a_opt, k), x) - cost, m0, mp.mpf(10) ** 9)


@pytest.mark.slow
def test_figure_2_curve_for_k_1_matches_a_hand_bisection() -> None:
    """Figure 2 (Model §7): m*(c) for k = 1 at a few costs below c_max."""
    module = load("s24_figure2_generalization_bound.py")
    costs, data = module.optimal_data_series(1)
    assert len(costs) <= 200
    assert costs[0] == pytest.approx(1e-5) and costs[-1] == pytest.approx(1e-1)
    with mp.workdps(30):
        for i in (0, 40, 80, 110):
            assert data[i] > 0
            expected = bisect_optimal_data(mp.mpf(float(costs[i])), mp.mpf("0.95"), mp.mpf(1))
            assert data[i] == pytest.approx(float(expected), rel=1e-9)


@pytest.mark.slow
def test_figure_2_curve_ends_at_c_max() -> None:
    """Theorem 2.3: m* = 0 from c_max on; above it no interior root has positive utility."""
    module = load("s24_figure2_generalization_bound.py")
    costs, data = module.optimal_data_series(1)
    with mp.workdps(30):
        positive = [c for c, d in zip(costs, data) if d > 0]
        zero = [c for c, d in zip(costs, data) if d == 0]
        assert positive and zero and max(positive) < min(zero)
        # utility at the interior root: positive just below the jump, negative just above
        for cost, sign in ((max(positive), 1), (min(zero), -1)):
            c = mp.mpf(float(cost))
            root = bisect_optimal_data(c, mp.mpf("0.95"), mp.mpf(1))
            assert sign * (eq2(root, mp.mpf("0.95"), mp.mpf(1)) - c * root) > 0


def test_figure_x_limits_are_written_and_validated() -> None:
    """Figure 2 spans the stated cost range, though its curves end at c_max (Figure.xlimits)."""
    from fedsym.report import Figure, Series

    figure = Figure("t", "x", "y", (Series("s", [1e-5, 1e-3], [1.0, 2.0]),), xmode="log", xlimits=(1e-5, 0.1))
    assert "xmin=1e-05, xmax=0.1," in figure.to_latex()
    for bad in ((0.0, 1.0), (1.0, 1.0), (float("nan"), 1.0)):
        with pytest.raises(ValueError, match="xlimits"):
            Figure("t", "x", "y", (Series("s", [1.0], [1.0]),), xmode="log", xlimits=bad)
