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
