"""pytest configuration shared by the test suite and the doctests."""

import os
import tempfile

import pytest

collect_ignore = ["fedsym/__main__.py", "benchmarks", "derivations", "reports", "scripts"]

# The tests never read or write the user's derivation cache: a fresh folder per session (Issue 8).
os.environ["FEDSYM_CACHE_DIR"] = tempfile.mkdtemp(prefix="fedsym-test-cache-")


@pytest.fixture(autouse=True)
def _environment_settings():
    """Every test starts from the environment's settings: a ``set_settings`` (``set_cache_enabled``,
    ``set_symbolic_timeout``) made by an earlier test in the same context does not leak into the next."""
    from fedsym.core import settings

    changes, current = settings._CHANGES.set(()), settings._CURRENT.set(None)
    yield
    settings._CURRENT.reset(current)
    settings._CHANGES.reset(changes)


@pytest.fixture
def forty_digits():
    """mpmath at the package's 40 digits for the test (expected values computed by hand at that precision)."""
    import mpmath as mp

    with mp.workdps(40):
        yield


@pytest.fixture(scope="session")
def eq3():
    """Eq. (3) with the paper's running parameters, a_opt = 0.95 and k = 1 (a module may define its own)."""
    from fedsym import accuracy_function

    return accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
