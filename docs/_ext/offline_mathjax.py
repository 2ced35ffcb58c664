"""MathJax served with the HTML documentation, so its math renders without a network connection.

The MathJax 3 files come from the PyPI package ``django-static-mathjax`` (MathJax's own build as
package data, importable as ``mathjax``; it needs no Django), which the ``docs`` extra installs.
After an HTML build, the combined component ``tex-chtml.js``, the folders it loads on demand
(fonts, TeX extensions, the menu's accessibility tools) and MathJax's licence are copied to
``_static/mathjax/``; ``conf.py`` sets ``mathjax_path`` to :data:`MATHJAX_PATH`, and the build
stops if it names anything else (a CDN address, say).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

#: ``mathjax_path`` of conf.py: the served component, relative to ``_static``
MATHJAX_PATH = "mathjax/tex-chtml.js"

#: what ``tex-chtml.js`` loads on demand, relative to MathJax's ``es5`` folder
ON_DEMAND = ("output/chtml", "input/tex", "a11y", "sre", "ui")

_MISSING = "MathJax is not installed: pip install -e '.[docs]' (the package django-static-mathjax)"


class MathJaxError(RuntimeError):
    """MathJax cannot be served locally: not installed, or conf.py loads it from elsewhere."""


def mathjax_root() -> Path:
    """MathJax's folder in the installed ``django-static-mathjax`` (the one holding ``es5/`` and ``LICENSE``)."""
    spec = importlib.util.find_spec("mathjax")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        root = Path(location) / "static" / "mathjax"
        if (root / "es5" / Path(MATHJAX_PATH).name).is_file():
            return root
    raise MathJaxError(_MISSING)


def copy_mathjax(root: Path, static: Path) -> Path:
    """Copy the served MathJax from ``root`` (see :func:`mathjax_root`) into ``static``/mathjax; returns it."""
    target = static / Path(MATHJAX_PATH).parent
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "es5" / Path(MATHJAX_PATH).name, target)
    shutil.copy2(root / "LICENSE", target)
    for folder in ON_DEMAND:
        shutil.copytree(root / "es5" / folder, target / folder, dirs_exist_ok=True)
    return target


def _on_builder_inited(app: Any) -> None:
    if app.builder.format != "html":
        return
    if app.config.mathjax_path != MATHJAX_PATH:
        raise MathJaxError(f"conf.py: mathjax_path = {app.config.mathjax_path!r}; the documentation serves its "
                           f"own MathJax at {MATHJAX_PATH!r}, so its math needs no network")
    mathjax_root()  # fail before the build, not after it


def _on_build_finished(app: Any, exception: BaseException | None) -> None:
    if exception is None and app.builder.format == "html":
        copy_mathjax(mathjax_root(), Path(app.outdir) / "_static")


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point."""
    app.connect("builder-inited", _on_builder_inited)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
