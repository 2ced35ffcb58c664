"""User text is data, never code (issue 8): hostile inputs to the expression parser.

Every payload must raise ExpressionError quickly, through the parser, through
accuracy_function() and through the command line (exit 2, one line on
stderr), and payloads that would write a file must leave no file behind.
Expected values of the positive cases are worked out by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy as sp

from fedsym import ExpressionError, accuracy_function
from fedsym.cli import main
from fedsym.core.expression import MAX_LENGTH, parse_expression
from fedsym.core.symbols import a_opt, k, m, positive_symbol

pytestmark = pytest.mark.timeout(60)

WORKTREE = Path(__file__).resolve().parents[1]


def parse(text: str) -> sp.Expr:
    return parse_expression(text, what="accuracy expression", variables={"m"})


def file_payloads(target: Path) -> list[str]:
    """The issue's code-execution payloads, each of which would create *target* if any of it ran."""
    cmd = f'touch {target}'
    return [
        f"0*exp('__import__(\"os\").system(\"{cmd}\")')",
        f"0*exp('\\x5f\\x5fimport\\x5f\\x5f(\"os\").system(\"{cmd}\")')",
        f"0*sqrt(\"\\x5f_import_\\x5f('os').system('{cmd}')\") + 1 - 1/m",
        f"f\"{{__import__('os').system('{cmd}')}}\" ",
        "0*exp(f\"{().__class__.__base__.__subclasses__()}\") + 1 - 1/m",
        f"__import__('os').system('{cmd}')",
        f"(lambda: __import__('os').system('{cmd}'))() * 0 + 1 - 1/m",
        f"[__import__('os').system('{cmd}') for x in [1]][0] + 1 - 1/m",
        f"exec('import os; os.system(\"{cmd}\")')",
        f"0*log(m, __import__('os').system('{cmd}')) + 1 - 1/m",
        f"1 - 1/m + 0*(x := __import__('os').system('{cmd}'))",
    ]


HOSTILE = [
    "(lambda x: 0.9)(1) - 1/m",
    "a_opt - m.subs(m, 2)/m",
    "[a_opt - 1/m][0]",
    "a_opt - 1/m if 1 else 0",
    "__import__('os')",
    "().__class__",
    "(y := 0.9) - 1/m",
    "exp(x=1) - 1/m",
    "exp(*[m])",
    "exp(**{'x': m})",
    "m.real",
    "_x - 1/m",
    "a_opt - 1/m + _",
    "0.9 - 1/m + 0*9**9**9",
    "9**9**9",
    "0.9 - 1/m + 0*" + "9" * 100,
    "0.9 - 1/m + 1e5000",
    "0.9 - 1/m + 1e-5000",
    "0.9 - 1/m" + " + 1" * 1000,
    "(" * 300 + "m" + ")" * 300,
    "-" * 500 + "m",
    "m" + "**m" * 80,
    "0.9 - 1/m" + " " * MAX_LENGTH,
    "а_opt - 1/m",  # Cyrillic a
    "ａ_opt - 1/m",  # full-width a (NFKC-normalised to 'a' by Python's parser)
    "a_opt\u200b - 1/m",  # zero-width space
    "exp(1j) - 1/m",
    "True - 1/m",
    "None",
    "... - 1/m",
    "b'x' - 1/m",
    "0.9 - 1/m < 1",
    "0.9 - 1/m and 1",
    "not m",
    "~m",
    "m % 2",
    "m // 2",
    "m @ m",
    "m << 1",
    "{m: 1}",
    "{m}",
    "(m, m)",
    "eval('1') - 1/m",
    "getattr(m, 'real')",
    "sp.exp(m)",
    "sympy.sqrt(m)",
    "1 - 1/m + 0*m.__class__.__mro__[1].__subclasses__()",
    "Min(*[m, 1])",
    "Symbol('m')",
    "gamma(m)",
    "Integer(1) - 1/m",
    "exp - 1/m",
    "sqrt(m, 2)",
    "Min(m)",
    "0x10 - 1/m",
    "0b1 - 1/m",
    "1/0 - 1/m",
    "0**-1",
    "log(-1) - 1/m",
    "sqrt(-1) - 1/m",
    "exp(exp(exp(100))) - 1/m",
    "Min(exp(exp(10**99)), 1) - 1/m",
    "1 - 1/m;import os",
    "import os",
    "",
    "   ",
    "1 - 1/m\n",  # fine: trailing newline is whitespace -> accepted below instead
]
HOSTILE.remove("1 - 1/m\n")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_expression_is_refused_quickly(text):
    """Each payload raises ExpressionError within a second, with a one-line message naming the input."""
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert message.startswith("accuracy expression ") and "\n" not in message and len(message) < 300


def test_file_writing_payloads_run_nothing(tmp_path):
    """The issue's payloads (quoted-string re-parsing, \\x5f escapes, f-strings, lambdas, walrus) write no file,
    whether given to the parser, to accuracy_function() or to the command line."""
    target = tmp_path / "PWNED"
    for text in file_payloads(target):
        with pytest.raises(ExpressionError):
            parse(text)
        with pytest.raises(ExpressionError):
            accuracy_function(text)
        assert main(["individual", "--accuracy", text, "--cost", "0.001"]) == 2
        assert not target.exists(), text


@pytest.mark.parametrize("command", [
    ["individual", "--cost", "0.001"],
    ["equilibrium", "--mechanism", "standard", "--costs", "0.001,0.002"],
    ["screening", "--c-low", "0.001", "--c-high", "0.002", "--p", "0.5", "--others", "10"],
])
def test_every_subcommand_taking_an_accuracy_refuses_the_payloads(command, tmp_path, capsys):
    """individual, equilibrium and screening (the issue's three) all exit 2 with one line and run nothing."""
    target = tmp_path / "PWNED"
    for text in file_payloads(target)[:3]:
        assert main([command[0], "--accuracy", text, *command[1:]]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
        assert not target.exists()


def test_cli_refuses_hostile_expression_with_exit_2_and_one_line(tmp_path):
    """Through a real subprocess: exit status 2, one stderr line naming the input, no file, no traceback."""
    target = tmp_path / "PWNED"
    text = file_payloads(target)[1]
    env = {**os.environ, "PYTHONPATH": str(WORKTREE)}
    out = subprocess.run([sys.executable, "-m", "fedsym", "individual", "--accuracy", text, "--cost", "0.001"],
                         capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fedsym individual: error: accuracy expression")
    assert "Traceback" not in out.stderr and not target.exists()


def test_cli_hostile_expression_in_main_prints_one_line(capsys):
    assert main(["individual", "--accuracy", "(lambda x: 0.9)(1) - 1/m", "--cost", "0.001"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        "fedsym individual: error: accuracy expression '(lambda x: 0.9)(1) - 1/m': only allow-listed functions")


# -- what the language accepts ------------------------------------------------------

def test_decimal_literals_are_exact():
    """0.95 is 19/20 and 1e-3 is 1/1000 exactly (not the binary floats Python's parser makes)."""
    assert parse("0.95 - 1e-3/m") == sp.Rational(19, 20) - sp.Rational(1, 1000) / m
    assert parse("0.1 + 0.2 - 1/m") == sp.Rational(3, 10) - 1 / m
    assert parse("1_000.5E-2*m") == sp.Rational(10005, 1000) * m
    assert parse(".5*m + 5.*m") == sp.Rational(11, 2) * m


def test_names_functions_and_constants():
    """ln is log; pi and E are the constants; other names are positive parameters; m is the model's m."""
    assert parse("ln(m)") == parse("log(m)") == sp.log(m)
    assert parse("pi*m") == sp.pi * m and parse("E**m") == sp.exp(m)
    assert parse("a_opt - 2*sqrt(k/m)") == a_opt - 2 * sp.sqrt(k / m)
    assert parse("beta2*m").free_symbols == {positive_symbol("beta2"), m}
    x = positive_symbol("x")
    assert parse("atan(tanh(erf(exp(sqrt(Abs(x*m))))))") == sp.atan(sp.tanh(sp.erf(sp.exp(sp.sqrt(x * m)))))


def test_unary_minus_and_powers():
    assert parse("-m") == -m and parse("+m") == m and parse("--m") == m
    assert parse("-2**2") == -4  # Python precedence: -(2**2)
    assert parse("m**-0.5") == 1 / sp.sqrt(m)
    assert parse("2**1000") == sp.Integer(2) ** 1000


def test_leading_minus_through_the_cli(capsys):
    """`--accuracy=-1/m + 0.9` (leading minus, '=' form) parses and solves: m* = sqrt(1/c) = 100 at c = 1e-4."""
    assert main(["individual", "--accuracy=-1/m + 0.9", "--cost", "1e-4", "--json"]) == 0
    import json
    data = json.loads(capsys.readouterr().out)
    assert data["optimal_data"] == pytest.approx(100, rel=1e-12)


def test_trailing_newline_and_spaces_are_whitespace():
    assert parse("  1 - 1/m\n") == 1 - 1 / m


def test_other_variables_and_reserved_names():
    """A value function in `a`: a is the variable there, while m and c are reserved."""
    a = positive_symbol("a")
    assert parse_expression("v*a**2", what="value function", variables={"a"}) == positive_symbol("v") * a**2
    with pytest.raises(ExpressionError, match="'m' is reserved for the data"):
        parse_expression("a*m", what="value function", variables={"a"})
    with pytest.raises(ExpressionError, match="value function 'a\\*c'.*'c' is reserved for the cost"):
        parse_expression("a*c", what="value function", variables={"a"})
