"""Sphinx configuration of the fedsym documentation (build: ``python -m sphinx -W -b html docs docs/_build/html``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document the checkout's code even when another fedsym is installed
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))  # this documentation's own extensions

import fedsym  # noqa: E402

project = "fedsym"
author = "fedsym developers"
copyright = "2026, fedsym developers"
release = fedsym.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",   # numpydoc-style docstrings
    "sphinx.ext.mathjax",    # :math: and .. math::, typeset by MathJax in the browser ...
    "offline_mathjax",       # ... from a copy served with the pages (docs/_ext): no network needed
    "sphinx.ext.doctest",    # `sphinx-build -b doctest`: every page's examples run
    "sphinx.ext.viewcode",
    "cli_reference",         # docs/_ext: the command-line reference, generated from the parsers into _generated/
    "figure_gallery",        # docs/_ext: the report's figures drawn with matplotlib into _generated/gallery/
]

exclude_patterns = ["_build", "_generated"]  # _generated/ holds pages that others include, not pages of their own
html_theme = "alabaster"
html_static_path: list[str] = []
mathjax_path = "mathjax/tex-chtml.js"  # relative to _static/, where offline_mathjax puts MathJax

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
