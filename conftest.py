"""pytest configuration shared by the test suite and the doctests."""

collect_ignore = ["fedsym/__main__.py", "benchmarks", "derivations", "reports"]
