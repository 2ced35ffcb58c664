"""pytest configuration shared by the test suite and the doctests."""

import os
import tempfile

collect_ignore = ["fedsym/__main__.py", "benchmarks", "derivations", "reports", "scripts"]

# The tests never read or write the user's derivation cache: a fresh folder per session (Issue 8).
os.environ["FEDSYM_CACHE_DIR"] = tempfile.mkdtemp(prefix="fedsym-test-cache-")
