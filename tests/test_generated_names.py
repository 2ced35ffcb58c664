"""No parameter name can shadow a name of the generated numeric code (issue 19, "Wrong numbers, trusted").

Every name of the namespaces sympy's lambdify builds for fedsym (mpmath with
fedsym's bounded ``exp``/``bounded_power``, numpy) is used as a parameter
name; the oracle is the same expression with neutral names (renaming a
parameter cannot change a number), and for the issue's example the value by
hand: :math:`m_0 = e\\,\\mathrm{e}/a_{opt}` for :math:`\\hat a = a_{opt} - e\\,\\mathrm{e}/m`.
"""

from __future__ import annotations

import json
import keyword
import math
import pathlib
import re

import numpy as np
import pytest
import sympy as sp

from fedsym.cli import main
from fedsym.core import symbols as S
from fedsym.core.errors import ExpressionError
from fedsym.core.expression import CONSTANTS, FUNCTIONS, bounded_exp, lambdify_mpmath, lambdify_numpy, parse_expression
from fedsym.core.latex import sympy_latex
from fedsym.model.accuracy import accuracy_function

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _namespace_names() -> list[str]:
    """Every identifier a user could write that the generated code's namespaces hold (collected, not listed)."""
    x = sp.Symbol("x", positive=True)
    rich = sp.Piecewise((sp.exp(x) * sp.erf(x) + sp.pi + sp.E + sp.Float("0.1") + x**x + sp.atan(x), x > 1),
                        (sp.tanh(x) + sp.log(x) + sp.sqrt(x) + sp.Abs(x), True))
    names: set[str] = {"e", "E", "pi", "Piecewise", "bounded_exp", "bounded_power", "math", "mpmath", "numpy"}
    for modules in ([{"exp": bounded_exp, "bounded_power": bounded_exp}, "mpmath"], "numpy"):
        names |= set(sp.lambdify(x, rich, modules).__globals__)
    return sorted(n for n in names if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", n) and not keyword.iskeyword(n)
                  and n not in S.RESERVED and n not in FUNCTIONS and n not in CONSTANTS and n != "m")


NAMES = _namespace_names()


def test_namespace_names_are_many():
    # the collection must really reach the generated namespaces (hundreds of mpmath and numpy names)
    assert {"e", "mpf", "select", "where", "inf", "nan", "Piecewise", "bounded_power"} <= set(NAMES)
    assert len(NAMES) > 300


def _body(m: sp.Symbol) -> sp.Expr:
    # uses every construct the printers emit: constants, floats, rationals, functions, Piecewise, variable powers
    return (sp.Min(m, 3).rewrite(sp.Piecewise) + sp.exp(-m) + sp.log(m) + sp.sqrt(m) + sp.atan(m) + sp.tanh(m)
            + sp.erf(m) + sp.Abs(m - 2) + sp.E + sp.pi + m ** (m / 7) + sp.Rational(1, 3) + sp.Float("0.1"))


CHUNK = 40


@pytest.mark.parametrize("backend", ["mpmath", "numpy"])
@pytest.mark.parametrize("start", range(0, len(NAMES), CHUNK))
def test_every_namespace_name_as_parameter_gives_the_neutral_numbers(backend, start):
    """A chunk of names at once: parameter i weighs 1/(i+2); the oracles name them z0, z1, ... ."""
    names = NAMES[start:start + CHUNK]
    m = S.m
    user = [S.positive_symbol(n) for n in names]
    neutral = [S.positive_symbol(f"z{i}") for i in range(len(names))]
    weights = [sp.Rational(1, i + 2) for i in range(len(names))]
    expr_user = _body(m) + sp.E * sp.Add(*(w * p for w, p in zip(weights, user, strict=True)))
    expr_neutral = expr_user.xreplace(dict(zip(user, neutral, strict=True)))
    values = [i + 1 for i in range(len(names))]
    compile_ = lambdify_mpmath if backend == "mpmath" else lambdify_numpy
    got = float(compile_([m, *user], expr_user)(2.5, *values))
    expected = float(compile_([m, *neutral], expr_neutral)(2.5, *values))
    # second oracle: sympy's own evaluation, independent of any printer
    exact = float(expr_neutral.subs({m: sp.Rational(5, 2), **dict(zip(neutral, values, strict=True))}).evalf(30))
    assert got == pytest.approx(exact, rel=1e-12), names
    assert got == pytest.approx(expected, rel=1e-14), names


def test_the_parser_keeps_each_name_a_parameter():
    for name in NAMES:
        try:
            expr = parse_expression(f"{name}*m", what="test", variables={"m"})
        except ExpressionError:
            continue  # a refusal is a correct answer; a different meaning is not
        assert expr == S.positive_symbol(name) * S.m, name


def test_no_direct_lambdify_outside_the_compilers():
    """One compiler per backend: every generated code goes through fedsym.core.expression."""
    offenders = [str(p.relative_to(ROOT)) for base in ("fedsym", "derivations") for p in (ROOT / base).rglob("*.py")
                 if p.name != "expression.py" and re.search(r"\blambdify\(", p.read_text(encoding="utf-8"))
                 and re.search(r"\bsp\.lambdify\(|sympy\.lambdify\(|\bfrom sympy import .*lambdify",
                               p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("name", ["e", "mpf", "select", "where", "inf", "nan", "Piecewise", "bounded_power",
                                  "mpmath", "numpy", "math"])
def test_bound_accuracy_evaluates_as_with_a_neutral_name(name):
    bound = accuracy_function(f"a_opt - {name}*E/m**(m/(m+1))").bind({"a_opt": "0.9", name: "2"})
    neutral = accuracy_function("a_opt - zq*E/m**(m/(m+1))").bind({"a_opt": "0.9", "zq": "2"})
    for m in ("7", "30.5"):
        assert bound.a_hat(m) == neutral.a_hat(m)
        assert bound.a_hat_prime(m) == neutral.a_hat_prime(m)
    grid = np.array([7.0, 30.5, 1e3])
    assert np.array_equal(bound.a_hat_np(grid), neutral.a_hat_np(grid))


@pytest.mark.slow
def test_cli_individual_issue_example(capsys, tmp_path, monkeypatch):
    """The issue's command: m_0 = e*E/a_opt = 2e/0.9 = 6.0406... by hand (it printed 4.444 = 2*2/0.9)."""
    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path))
    status = main(["individual", "--accuracy", "a_opt - e*E/m", "--param", "a_opt=0.9", "--param", "e=2",
                   "--cost", "0.5", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert data["minimum_viable_data"] == pytest.approx(2 * math.e / 0.9, rel=1e-14)
    # Theorem 2.3: c_max = a_opt^2 / (e E), viability cost a_opt^2 / (4 e E)
    assert data["high_cost_threshold"] == pytest.approx(0.81 / (2 * math.e), rel=1e-14)
    assert data["viability_cost"] == pytest.approx(0.81 / (8 * math.e), rel=1e-14)
    assert data["closed_form"]["minimum_viable_data"] in (r"\frac{\mathrm{e} e}{a_{opt}}", r"\frac{e \mathrm{e}}{a_{opt}}")


def test_latex_tells_the_parameter_e_from_eulers_number():
    """The parameter e prints italic, Euler's number upright (it printed "e e" for e*E)."""
    expr = parse_expression("a_opt - e*E/m + exp(e)", what="test", variables={"m"})
    text = sympy_latex(expr)
    assert text.count(r"\mathrm{e}") == 2                            # E and the base of exp
    rest = text.replace(r"\mathrm{e}", "")
    assert len(re.findall(r"(?<![A-Za-z\\])e(?![A-Za-z])", rest)) == 2  # the parameter, twice


def test_cli_fit_family_with_shadowing_name(capsys, tmp_path):
    """Data generated from a_opt = 0.9, e = 2 exactly; the fit must recover them (it found e = sqrt(2e) before)."""
    sizes = [10, 20, 40, 80, 160, 320, 640, 1280]
    rows = [f"{m},{0.9 - 2 * math.e / m + s * 1e-4!r}" for m in sizes for s in (-1, 1)]
    csv = tmp_path / "curve.csv"
    csv.write_text("size,accuracy\n" + "\n".join(rows) + "\n", encoding="utf-8")
    status = main(["fit", "--csv", str(csv), "--family", "a_opt - e*E/m", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    fitted = data["families"]["a_opt - e*E/m"]["parameters"]
    assert fitted["a_opt"] == pytest.approx(0.9, rel=1e-9)
    assert fitted["e"] == pytest.approx(2, rel=1e-9)
