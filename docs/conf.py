"""Sphinx configuration of the fedsym documentation (build: ``python -m sphinx -W -b html docs docs/_build/html``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document the checkout's code even when another fedsym is installed

import fedsym  # noqa: E402

project = "fedsym"
author = "fedsym developers"
copyright = "2026, fedsym developers"
release = fedsym.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",   # numpydoc-style docstrings
    "sphinx.ext.mathjax",    # :math: and .. math:: (MathJax is loaded by the browser; no network at build time)
    "sphinx.ext.doctest",    # `sphinx-build -b doctest`: every page's examples run
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []

# numpydoc sections, read by napoleon
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_preprocess_types = False

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": True}

# Doctests: only the pages' ``.. doctest::`` blocks (the docstrings' examples run under pytest --doctest-modules).
doctest_test_doctest_blocks = ""
