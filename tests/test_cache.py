"""The derivation cache and its expression codec (Issue 8), portable bounded attempts and explicit precision (Issue 15)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import mpmath as mp
import pytest
import sympy as sp

from fedsym.core import cache
from fedsym.core.serialize import SerializationError, decode, encode
from fedsym.core.solve import symbolic
from fedsym.model.accuracy import accuracy_function
from fedsym.paper.lone_agent import lone_agent_forms

pytestmark = pytest.mark.timeout(120)

k, m, c, a_opt, n = (sp.Symbol(name, positive=True) for name in ("k", "m", "c", "a_opt", "n"))


# -- the codec -------------------------------------------------------------------

@pytest.mark.parametrize("expr", [
    a_opt - 2 * sp.sqrt(k / m),                                     # Eq. (3)
    sp.sqrt(k) * (2 * m + 2) / c ** sp.Rational(2, 3),
    -2 * sp.cos(sp.acos(3 * sp.sqrt(3) * sp.sqrt(k) / a_opt) / 3 + sp.pi / 3),  # a Viete branch
    sp.Float("0.1", 30) * k + sp.exp(-m / k) - sp.log(1 + k / m),
    sp.LambertW(k * sp.E ** -2), -sp.oo, sp.Integer(-7), sp.Rational(-3, 8),
    sp.Mul(2, sp.Add(m, 1), evaluate=False),                       # an unevaluated tree stays as written
])
def test_codec_reads_back_the_tree_it_wrote(expr):
    """Round trip through JSON text: the same tree (== and srepr), hence the same LaTeX and values."""
    back = decode(json.loads(json.dumps(encode(expr))))
    assert back == expr and sp.srepr(back) == sp.srepr(expr)


def test_codec_round_trips_every_built_in_closed_form():
    """The closed forms the store holds (Theorem 2.3 for Eq. (3)) read back identical."""
    for derived in lone_agent_forms(accuracy_function("simplified")).all():
        assert derived.closed_form is not None
        assert sp.srepr(decode(encode(derived.closed_form))) == sp.srepr(derived.closed_form)


@pytest.mark.parametrize("tree", [
    {"f": "eval", "args": [{"int": "1"}]},             # not on the allow-list
    {"f": "__import__", "args": []},
    {"f": "Function", "args": []},
    {"sym": "os.system('x')"},                          # not an identifier
    {"int": "1e5"}, {"int": "0x10"}, {"rat": ["1", "0"]},
    {"float": "1; import os", "prec": 53},
    {"const": "exit"}, {"sym": "k", "extra": 1}, [], "Symbol('k')", None,
])
def test_codec_refuses_what_it_did_not_write(tree):
    with pytest.raises(SerializationError):
        decode(tree)


def test_codec_refuses_a_tree_deep_enough_to_exhaust_the_stack():
    tree: dict = {"sym": "k"}
    for _ in range(5000):
        tree = {"f": "exp", "args": [tree]}
    with pytest.raises(SerializationError):
        decode(tree)


@pytest.mark.parametrize("expr", [sp.Symbol("k"), sp.Symbol("k", integer=True, positive=True), sp.Dummy("k"),
                                  sp.Piecewise((k, m > 1), (m, True)), sp.Function("f")(m)])
def test_codec_refuses_what_it_could_not_read_back(expr):
    with pytest.raises(SerializationError):
        encode(expr)


# -- the cache ---------------------------------------------------------------------

FIELDS = ("form", "form.note")


class Counter:
    """A derivation that counts its runs."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> cache.Outcome:
        self.runs += 1
        return {"form": 2 * sp.sqrt(k / c), "form.note": ""}


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("FEDSYM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.exists() else []


def test_warm_lookup_does_not_derive_and_returns_the_same_outcome(cache_dir):
    derive = Counter()
    cold = cache.derivation("test", {"expr": "cold-warm"}, derive, FIELDS)
    warm = cache.derivation("test", {"expr": "cold-warm"}, derive, FIELDS)
    assert derive.runs == 1 and cold == warm and len(_entries(cache_dir)) == 1
    assert not list(cache_dir.glob(".tmp-*")), "the atomic write left its temporary file"


@pytest.mark.parametrize("content", ["{not json", "", json.dumps({"schema": 999}), json.dumps([1, 2]),
                                     "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")])
def test_a_corrupt_entry_is_ignored_and_rebuilt(cache_dir, content):
    derive = Counter()
    cache.derivation("test", {"expr": "corrupt"}, derive, FIELDS)
    (path,) = _entries(cache_dir)
    path.write_text(content, encoding="latin-1")
    again = cache.derivation("test", {"expr": "corrupt"}, derive, FIELDS)
    assert derive.runs == 2 and again["form"] == 2 * sp.sqrt(k / c)
    assert json.loads(path.read_text())["outcome"]["form"]["expr"] == encode(2 * sp.sqrt(k / c))


def test_a_planted_entry_is_never_executed(cache_dir):
    """An entry naming a function outside the allow-list (or another key, or missing fields) is rebuilt."""
    derive = Counter()
    cache.derivation("test", {"expr": "planted"}, derive, FIELDS)
    (path,) = _entries(cache_dir)
    valid = json.loads(path.read_text())
    plants = [
        {**valid, "outcome": {"form": {"expr": {"f": "eval", "args": [{"int": "1"}]}}, "form.note": ""}},
        {**valid, "key": {"kind": "test", "expr": "other"}},
        {**valid, "outcome": {"form": None}},
        {**valid, "sympy": "0.0"},
    ]
    for planted in plants:
        path.write_text(json.dumps(planted))
        assert cache.derivation("test", {"expr": "planted"}, derive, FIELDS)["form"] == 2 * sp.sqrt(k / c)
    assert derive.runs == 1 + len(plants)


def test_no_cache_neither_reads_nor_writes(cache_dir):
    derive = Counter()
    cache.set_cache_enabled(False)
    try:
        cache.derivation("test", {"expr": "off"}, derive, FIELDS)
        cache.derivation("test", {"expr": "off"}, derive, FIELDS)
    finally:
        cache.set_cache_enabled(True)
    assert derive.runs == 2 and not _entries(cache_dir)


def test_the_budget_is_part_of_the_key(cache_dir):
    """An outcome derived with another time budget is not reused (it may depend on it)."""
    from fedsym.core.solve import set_symbolic_timeout, symbolic_timeout

    derive = Counter()
    previous = symbolic_timeout()
    cache.derivation("test", {"expr": "budget"}, derive, FIELDS)
    set_symbolic_timeout(previous + 1)
    try:
        cache.derivation("test", {"expr": "budget"}, derive, FIELDS)
    finally:
        set_symbolic_timeout(previous)
    assert derive.runs == 2


@pytest.mark.parametrize("platform, env, expected", [
    ("linux", {"XDG_CACHE_HOME": "/x"}, Path("/x/fedsym")),
    ("linux", {}, Path.home() / ".cache" / "fedsym"),
    ("darwin", {}, Path.home() / "Library" / "Caches" / "fedsym"),
    ("win32", {"LOCALAPPDATA": "C:/Users/u/AppData/Local"}, Path("C:/Users/u/AppData/Local/fedsym/Cache")),
    ("linux", {"FEDSYM_CACHE_DIR": "/override"}, Path("/override")),
])
def test_cache_dir_follows_the_platform(monkeypatch, platform, env, expected):
    for name in ("FEDSYM_CACHE_DIR", "XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", platform)
    assert cache.cache_dir() == expected


def test_user_expression_forms_are_identical_cold_and_warm(cache_dir):
    """Every field of every derived quantity (closed form tree, LaTeX, method, note) is the same from the cache."""
    function = accuracy_function("a_opt - 3*sqrt(k/m)")
    lone_agent_forms.cache_clear()
    cold = lone_agent_forms(function)
    assert _entries(cache_dir)
    lone_agent_forms.cache_clear()
    warm = lone_agent_forms(function)
    lone_agent_forms.cache_clear()
    assert warm is not cold
    for a, b in zip(cold.all(), warm.all()):
        assert a.to_dict() == b.to_dict() and sp.srepr(a.closed_form) == sp.srepr(b.closed_form)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    import os
    return subprocess.run([sys.executable, "-m", "fedsym", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env}, cwd=Path(__file__).resolve().parent.parent)


def test_cli_json_is_identical_cold_and_warm_and_no_cache_writes_nothing(tmp_path):
    args = ("individual", "--accuracy", "a_opt - 5*sqrt(k/m)", "--param", "a_opt=0.9", "--param", "k=2",
            "--cost", "0.001", "--json")
    env = {"FEDSYM_CACHE_DIR": str(tmp_path / "c")}
    off = _cli("--no-cache", *args, env=env)
    assert off.returncode == 0 and not _entries(tmp_path / "c"), off.stderr
    cold = _cli(*args, env=env)
    assert _entries(tmp_path / "c")
    warm = _cli(*args, env=env)
    assert cold.returncode == warm.returncode == 0
    assert cold.stdout == warm.stdout == off.stdout
    assert json.loads(warm.stdout)["method"]["optimal_data"] == "closed-form"


# -- portable bounded attempts -------------------------------------------------------

@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_symbolic_works_under_every_start_method(monkeypatch, method):
    """Under spawn/forkserver (macOS, Windows): an answer comes back, and a slow attempt is cut off."""
    import multiprocessing
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    monkeypatch.setenv("FEDSYM_START_METHOD", method)
    outcome = symbolic(sp.solve, 3 * m - k, m, timeout=30)
    assert outcome.ok and outcome.value == [k / 3]
    start = time.monotonic()
    slow = symbolic(time.sleep, 30, timeout=0.5)
    assert not slow.ok and slow.detail == "timed out" and "depends on machine speed" in (slow.failure or "")
    assert time.monotonic() - start < 25
    failed = symbolic(sp.sqrt)  # raises TypeError in the child: reported, not raised
    assert not failed.ok and failed.detail == "raised TypeError"


def test_unknown_start_method_is_refused(monkeypatch):
    monkeypatch.setenv("FEDSYM_START_METHOD", "teleport")
    with pytest.raises(ValueError, match="FEDSYM_START_METHOD"):
        symbolic(sp.sqrt, 4)


# -- explicit precision -------------------------------------------------------------------

def test_a_opt_does_not_inherit_the_first_callers_precision():
    """Bind and read a_opt at 15 digits, then at 40: it equals the limit a_opt of Eq. (3) to 40 digits.

    Expected value by hand: lim_{m->oo} a_opt - 2 sqrt(k/m) = a_opt (Model §1), here the
    decimal 0.1234567890123456789012345678901234567891 exactly.
    """
    digits = "0.1234567890123456789012345678901234567891"
    with mp.workdps(15):
        bound = accuracy_function("simplified").bind({"a_opt": digits, "k": "7"})
        low = bound.a_opt
    with mp.workdps(40):
        expected = mp.mpf(digits)
        assert abs(bound.a_opt - expected) <= mp.mpf(10) ** -40 * expected
        assert abs(low - expected) <= mp.mpf(10) ** -40 * expected  # computed at >= 40 digits from the start
    with mp.workdps(60):
        assert abs(bound.a_opt - mp.mpf(digits)) <= mp.mpf(10) ** -60  # more digits on demand


def test_a_opt_without_a_symbolic_limit_is_kept_per_precision(monkeypatch):
    """Where sympy gives no limit, a_opt is â(1e40) at the caller's precision (>= 40 digits), once per precision."""
    from fedsym.model import accuracy as module

    function = accuracy_function("a_opt - 2*sqrt(k/m) - 1/(m + 3)")
    monkeypatch.setattr(module, "symbolic_limit", lambda expr: None)
    with mp.workdps(15):
        bound = function.bind({"a_opt": "0.9", "k": "1"})
        _ = bound.a_opt
    with mp.workdps(50):
        # by hand: 0.9 - 2*10**-20 - 1/(10**40 + 3), to 50 digits
        expected = mp.mpf("0.9") - 2 * mp.mpf(10) ** -20 - 1 / (mp.mpf(10) ** 40 + 3)
        assert abs(bound.a_opt - expected) <= mp.mpf(10) ** -49


def test_an_entry_nested_deeper_than_json_can_read_is_rebuilt(cache_dir):
    derive = Counter()
    cache.derivation("test", {"expr": "nested"}, derive, FIELDS)
    (path,) = _entries(cache_dir)
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert cache.derivation("test", {"expr": "nested"}, derive, FIELDS)["form"] == 2 * sp.sqrt(k / c)
    assert derive.runs == 2


@pytest.mark.slow
def test_a_whole_derivation_under_spawn_equals_the_one_under_the_default(monkeypatch):
    """Every call site of symbolic() (solve, simplification, limit) pickles under spawn: same forms as by default."""
    import multiprocessing
    if "spawn" not in multiprocessing.get_all_start_methods():
        pytest.skip("spawn is not available here")
    function = accuracy_function("a_opt - 6*sqrt(k/m)")
    results = []
    cache.set_cache_enabled(False)
    try:
        for method in ("", "spawn"):
            monkeypatch.setenv("FEDSYM_START_METHOD", method)
            lone_agent_forms.cache_clear()
            forms = lone_agent_forms(function)
            results.append([(d.to_dict(), sp.srepr(d.closed_form)) for d in forms.all()])
    finally:
        cache.set_cache_enabled(True)
        lone_agent_forms.cache_clear()
    assert results[0] == results[1]
    assert all(entry["method"] == "closed-form" for entry, _ in results[1])


@pytest.mark.timeout(60)
def test_help_imports_neither_sympy_nor_scipy():
    """Claim (issue 8, warm calls near start-up): ``fedsym --help`` builds every subcommand's parser without
    importing sympy, mpmath or scipy; a subcommand that imports its solver at module level fails this."""
    code = ("import sys\nfrom fedsym.cli import build_parser\nbuild_parser()\n"
            "print(sorted(m for m in ('sympy', 'scipy', 'mpmath') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


# -- entries checked before believed (issue 19) ---------------------------------------

def _edit_entry(cache_dir: Path, form: object) -> Path:
    (path,) = _entries(cache_dir)
    data = json.loads(path.read_text())
    data["outcome"]["form"] = {"expr": form}
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("form", [
    {"float": "0.5", "prec": 0},                                            # sympy loops forever on prec 0
    {"float": "0.5", "prec": 10**9},                                        # allocates without bound
    {"float": "0.5", "prec": True},                                         # a bool is not a precision
    {"f": "Pow", "args": [{"int": "2"}, {"int": "1" + "0" * 5000}]},        # 2**(10**5000)
    {"f": "Pow", "args": [{"sym": "k"}, {"rat": ["1", "9" * 30]}]},         # root of order 10**30
    {"f": "Add", "args": [{"sym": "k"}] * 20_001},                          # more nodes than MAX_NODES
])
def test_an_entry_outside_the_decoding_bounds_is_rebuilt_fast(cache_dir, form):
    derive = Counter()
    cache.derivation("test", {"expr": "bounds"}, derive, FIELDS)
    path = _edit_entry(cache_dir, form)
    start = time.perf_counter()
    again = cache.derivation("test", {"expr": "bounds"}, derive, FIELDS)
    expr = again["form"]
    assert isinstance(expr, sp.Expr)
    assert float(expr.subs({k: 4, c: 1})) == 4.0                            # 2*sqrt(4/1), by hand
    assert derive.runs == 2 and time.perf_counter() - start < 2
    assert json.loads(path.read_text())["outcome"]["form"]["expr"] == encode(2 * sp.sqrt(k / c))


def test_an_edited_entry_that_fails_its_check_is_rebuilt(cache_dir):
    """A well-formed but wrong closed form (3 sqrt(k/c) for 2 sqrt(k/c)) is caught by the caller's check."""
    def check(outcome: cache.Outcome) -> bool:
        # independent re-validation at a sample point: the form is 2 sqrt(k/c), so 4 at k = 4, c = 1
        form = outcome["form"]
        return isinstance(form, sp.Expr) and form.subs({k: 4, c: 1}) == 4

    derive = Counter()
    cache.derivation("test", {"expr": "checked"}, derive, FIELDS, check=check)
    _edit_entry(cache_dir, encode(3 * sp.sqrt(k / c)))
    unchecked = cache.derivation("test", {"expr": "checked"}, derive, FIELDS)
    assert unchecked["form"] == 3 * sp.sqrt(k / c) and derive.runs == 1   # without a check it is believed
    again = cache.derivation("test", {"expr": "checked"}, derive, FIELDS, check=check)
    assert again["form"] == 2 * sp.sqrt(k / c) and derive.runs == 2
    _edit_entry(cache_dir, {"sym": "k"})
    raising = cache.derivation("test", {"expr": "checked"}, derive, FIELDS,
                               check=lambda outcome: 1 / 0 == 0)            # a check that raises says no
    assert raising["form"] == 2 * sp.sqrt(k / c) and derive.runs == 3


# -- checked user files (the LCDB index and other non-derivation caches) ------------------

def test_user_file_honours_the_folder_the_switch_and_the_check(cache_dir):
    from fedsym.core.settings import using_settings

    cache.write_user_file("index.json", {"6": [0, 10]})
    assert (cache_dir / "index.json").exists()                       # FEDSYM_CACHE_DIR, not ~/.cache
    assert cache.read_user_file("index.json", lambda d: d["6"] == [0, 10]) == {"6": [0, 10]}
    assert cache.read_user_file("index.json", lambda d: d["6"] == [5, 10]) is None   # fails its check: rebuild
    assert cache.read_user_file("index.json", lambda d: d["7"] == 1) is None          # a raising check: rebuild
    with using_settings(cache=False):
        assert cache.read_user_file("index.json", lambda d: True) is None
        cache.write_user_file("other.json", {})
    assert not (cache_dir / "other.json").exists()                   # --no-cache writes nothing
    (cache_dir / "index.json").write_text("{broken")
    assert cache.read_user_file("index.json", lambda d: True) is None
    with pytest.raises(ValueError, match="plain file name"):
        cache.read_user_file("../escape.json", lambda d: True)


@pytest.mark.parametrize("number", [sp.Integer(3) ** 7000, sp.Rational(1, 3 ** 7000), sp.Rational(3 ** 7000, 7)])
def test_an_integer_too_long_to_print_is_refused_not_a_valueerror(number):
    """Claim: encoding a rational whose integers Python cannot print (over 4300 digits; 3**7000 has 3340 digits
    and 11094 bits, over the 10000-bit bound) raises SerializationError, which the cache writer skips, instead of
    the ValueError of int -> str that ended a cost-function derivation of m**1000 in a traceback."""
    with pytest.raises(SerializationError, match="bits"):
        encode(number)
    assert decode(encode(sp.Integer(3) ** 6000)) == sp.Integer(3) ** 6000  # 9510 bits: still stored


# -- real entries edited in the user cache are re-validated on read (issue 19) ---------------------------------------
#
# Each test derives a real user expression into the user cache, edits one field of the entry on disk into a
# well-formed but wrong value, clears the in-memory caches and asks again: the edit must not be reported.
# Expected values are by hand from the accuracy a = a_opt - 3 sqrt(k/m) (Theorem 2.3): m_0 = 9k/a_opt^2, the tangent
# point 81k/(4 a_opt^2), c_max = 4 a_opt^3/(243 k), a'(m_0) = 3 sqrt(k)/(2 m_0^(3/2)) = a_opt^3/(18 k);
# m* = (3 sqrt(k)/(2c))^(2/3) from a'(m) = c, u* = a(m*) - c m*; regime low below c_max, mid below a'(m_0), else high.

EDITED = "a_opt - 3*sqrt(k/m)"


def _clear_memory() -> None:
    from fedsym.model import accuracy
    from fedsym.paper import shaping_ceiling, welfare

    for cached in (lone_agent_forms, accuracy.symbolic_limit, accuracy._bind, accuracy._accuracy_function,
                   shaping_ceiling.ceiling_form, welfare.welfare_forms):
        cached.cache_clear()


@pytest.fixture(scope="module")
def derived_cache(tmp_path_factory) -> Path:
    """A user cache holding the real derivations of :data:`EDITED` (derived once for the module)."""
    from fedsym.core.settings import using_settings
    from fedsym.paper.shaping_ceiling import ceiling_form
    from fedsym.paper.welfare import welfare_forms

    folder = tmp_path_factory.mktemp("derived") / "cache"
    with using_settings(cache_dir=str(folder)):
        _clear_memory()
        function = accuracy_function(EDITED)
        lone_agent_forms(function)
        ceiling_form(function)
        welfare_forms(function)
        _clear_memory()
    return folder


@pytest.fixture
def edited_cache(derived_cache, cache_dir) -> Path:
    import shutil

    shutil.copytree(derived_cache, cache_dir)
    _clear_memory()
    yield cache_dir
    _clear_memory()


def _edit_field(folder: Path, kind: str, name: str, value: object) -> None:
    """Replace outcome field *name* of every *kind* entry in *folder* by *value* (an expression or a string)."""
    (path,) = folder.glob(f"{kind}-*.json")
    data = json.loads(path.read_text())
    assert name in data["outcome"], sorted(data["outcome"])
    data["outcome"][name] = value if isinstance(value, str) else {"expr": encode(value)}
    path.write_text(json.dumps(data))


def _hand(a: float, kk: float, cost: float) -> dict[str, float]:
    m_star = (3 * kk**0.5 / (2 * cost)) ** (2 / 3)
    c_max, high = 4 * a**3 / (243 * kk), a**3 / (18 * kk)
    return {"minimum_viable_data": 9 * kk / a**2, "viability_cost": c_max, "high_cost_threshold": high,
            "optimal_data": m_star, "optimal_utility": a - 3 * (kk / m_star) ** 0.5 - cost * m_star,
            "regime": "low" if cost < c_max else "mid" if cost < high else "high"}


@pytest.mark.parametrize(("field", "wrong", "cost"), [
    ("viability_cost", 8 * a_opt**3 / (243 * k), "0.02"),     # twice c_max: at c = 0.02 the regime would be "low"
    ("high_cost_threshold", a_opt**3 / (60 * k), "0.02"),      # a'(m_0) below c = 0.02: the regime would be "high"
    ("minimum_viable_data", 4 * k / a_opt**2, "0.001"),        # m_0 of another accuracy
    ("optimal_utility", a_opt + 1, "0.001"),                   # u* above a_opt
])
def test_an_edited_lone_agent_closed_form_is_not_reported(edited_cache, field, wrong, cost):
    from fedsym.paper.lone_agent import individual

    _edit_field(edited_cache, "lone_agent", field, wrong)
    bound = accuracy_function(EDITED).bind({"a_opt": "0.9", "k": "1"})
    result = individual(bound, cost)
    hand = _hand(0.9, 1.0, float(cost))
    assert result.minimum_viable_data == pytest.approx(hand["minimum_viable_data"], rel=1e-12)
    assert result.viability_cost == pytest.approx(hand["viability_cost"], rel=1e-12)
    assert result.high_cost_threshold == pytest.approx(hand["high_cost_threshold"], rel=1e-12)
    assert result.regime == hand["regime"]
    if result.regime == "low":
        assert result.optimal_utility == pytest.approx(hand["optimal_utility"], rel=1e-12)
        assert result.optimal_data == pytest.approx(hand["optimal_data"], rel=1e-12)
    else:
        assert result.optimal_data == 0
    assert result.method["viability_cost"] == "closed-form"   # rebuilt (sympy finds it), not a numeric fallback


def test_an_edited_shaping_ceiling_is_not_reported(edited_cache):
    """Remark 4.3's ceiling (a_opt - u*)/c at a_opt = 0.9, k = 1, c = 0.001, by hand from :func:`_hand`."""
    from fedsym.paper.shaping_ceiling import ceiling_form

    _edit_field(edited_cache, "ceiling", "ceiling", 1 / c)
    hand = _hand(0.9, 1.0, 0.001)
    value, method = ceiling_form(accuracy_function(EDITED)).resolve({"a_opt": "0.9", "k": "1", "c": "0.001"})
    assert method == "closed-form" and float(value) == pytest.approx((0.9 - hand["optimal_utility"]) / 0.001, rel=1e-12)


def test_an_edited_welfare_form_is_not_reported(edited_cache):
    """Model §11: M_P = m*(c/n) and M_S = m*(c) with m* proportional to c^(-2/3), so M_P/M_S = n^(2/3) by hand."""
    from fedsym.paper.welfare import welfare_forms

    _edit_field(edited_cache, "welfare", "data_poa", n)
    forms = welfare_forms(accuracy_function(EDITED))
    assert forms.data_poa.closed_form is not None, forms.data_poa.note
    assert sp.simplify(forms.data_poa.closed_form - n ** sp.Rational(2, 3)) == 0


@pytest.mark.parametrize("wrong", [sp.Integer(1), sp.Rational(67, 100), n, sp.Rational(1, 3) + k])
def test_an_edited_welfare_growth_exponent_is_not_reported(edited_cache, wrong):
    """Model §11: M_P/M_S ~ n^nu with nu = -1/lim m a''/a'.  By hand for a = a_opt - 3 sqrt(k/m):
    a' = (3/2) sqrt(k) m^(-3/2), a'' = -(3/2) a'/m, so nu = 2/3; an entry edited to 1, to 0.67 (close), to a
    form in n (not a function of the parameters) or in k is re-derived (issue 19: the exponent was believed)."""
    from fedsym.paper.welfare import welfare_forms

    _edit_field(edited_cache, "welfare", "data_poa_exponent", wrong)
    forms = welfare_forms(accuracy_function(EDITED))
    assert forms.data_poa_exponent.closed_form == sp.Rational(2, 3)


def test_the_growth_exponent_check_accepts_a_logarithmic_reading_and_refuses_a_shift():
    """Eq. (2) has a' ~ sqrt(log m) m^(-3/2), so nu = 2/3 (by hand) although -a'/(m a'') approaches it only like
    1/log m: the true exponent passes the tail check, 2/3 + 1/20 does not; the pure power law's 1/(alpha + 1)
    (a' = alpha beta m^(-alpha-1), a'' = -(alpha+1) a'/m) passes, 1/alpha does not."""
    from fedsym.paper import welfare

    bound_eq2 = accuracy_function("generalization-bound")
    samples = welfare._samples(bound_eq2)
    assert welfare._exponent_consistent(bound_eq2, sp.Rational(2, 3), samples)
    assert not welfare._exponent_consistent(bound_eq2, sp.Rational(2, 3) + sp.Rational(1, 20), samples)
    power = accuracy_function("power-law")
    alpha = next(s for s in power.expr.free_symbols if s.name == "alpha")
    samples = welfare._samples(power)
    assert welfare._exponent_consistent(power, 1 / (alpha + 1), samples)
    assert not welfare._exponent_consistent(power, 1 / alpha, samples)


def test_an_edited_limit_does_not_let_an_accuracy_above_1_pass(cache_dir):
    """2 - k/m tends to 2 > 1 (Model §1: an accuracy is at most 1); a cached limit edited to 9/10 must not hide it."""
    from fedsym.core.errors import AssumptionError

    _clear_memory()
    with pytest.raises(AssumptionError, match="exceeds 1"):
        accuracy_function("2 - k/m").bind({"k": "1"})
    _edit_field(cache_dir, "limit", "limit", sp.Rational(9, 10))
    _clear_memory()
    with pytest.raises(AssumptionError, match="exceeds 1"):
        accuracy_function("2 - k/m").bind({"k": "1"})
    _clear_memory()


def test_an_edited_proof_verdict_is_not_believed(cache_dir):
    """a_opt m^2/(k + m^2) is convex below its inflection sqrt(k/3) (by hand: a'' = 2 a_opt k (k - 3m^2)/(k + m^2)^3),
    so assumption (1) holds only from there; a cached "proved": "yes" would claim it from m_0 = 0."""
    _clear_memory()
    expected = (100 / 3) ** 0.5
    bound = accuracy_function("a_opt*m**2/(k + m**2)").bind({"a_opt": "0.9", "k": "100"})
    assert float(bound.assumption.holds_from) == pytest.approx(expected, rel=1e-12)
    for path in cache_dir.glob("assumption-*.json"):  # every entry, whichever binding it belongs to
        data = json.loads(path.read_text())
        data["outcome"]["proved"] = "yes"
        path.write_text(json.dumps(data))
    _clear_memory()
    bound = accuracy_function("a_opt*m**2/(k + m**2)").bind({"a_opt": "0.9", "k": "100"})
    assert bound.assumption.method == "numeric"
    assert float(bound.assumption.holds_from) == pytest.approx(expected, rel=1e-12)
    _clear_memory()


def test_unedited_entries_pass_their_checks_and_are_not_derived_again(edited_cache, monkeypatch):
    """The re-validation must accept what the derivation itself wrote, or the cache would never be used."""
    from fedsym.core import engine
    from fedsym.model import accuracy
    from fedsym.paper import welfare
    from fedsym.paper.shaping_ceiling import ceiling_form

    def refuse(*args, **kwargs):
        raise AssertionError("derived again although the cached entry is intact")

    monkeypatch.setattr(engine, "derive", refuse)
    monkeypatch.setattr(accuracy, "_derive_limit", refuse)
    monkeypatch.setattr(welfare, "_derive_closed_forms", refuse)
    function = accuracy_function(EDITED)
    assert welfare.welfare_forms(function).data_poa.closed_form is not None
    forms = lone_agent_forms(function)
    assert forms.viability_cost.closed_form == 4 * a_opt**3 / (243 * k)   # Theorem 2.3 for EDITED, by hand
    assert ceiling_form(function).closed_form is not None
