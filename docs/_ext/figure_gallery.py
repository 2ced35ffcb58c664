"""Sphinx extension: ``.. fedsym-gallery::`` draws every figure of the report as a PNG, with its caption.

The report's figures are data (:class:`fedsym.report.Figure`); the directive runs
each shipped derivation (the code ``fedsym report`` runs), draws each figure with
matplotlib (:func:`fedsym.report.draw`) into ``docs/_generated/gallery/`` and
emits one subsection per report section: the figure's number and title, the
image, and its caption's plain text.  Nothing is committed: the gallery is built
from the current code on every documentation build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

__all__ = ["setup"]


def _plain(text: Any) -> str:
    """A LaTeX caption as readable plain text (math kept in ``$...$`` becomes inline text without macros)."""
    plain = re.sub(r"\\(?:ref|cite|label)\{[^}]*\}", "", str(text)).replace("~", " ")
    plain = re.sub(r"\\[A-Za-z]+\*?", "", plain)
    return " ".join(re.sub(r"[${}]", "", plain).split())


class FigureGallery(SphinxDirective):
    """Draw the report's figures and emit them, grouped by report section."""

    def run(self) -> list[nodes.Node]:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from fedsym.report import derivation_files, draw, load_sections, shipped_derivations

        out = Path(self.env.srcdir) / "_generated" / "gallery"
        out.mkdir(parents=True, exist_ok=True)
        result: list[nodes.Node] = []
        for path in derivation_files([shipped_derivations()]):
            self.env.note_dependency(str(path))
            for section in load_sections(path):
                if not section.figures:
                    continue
                block = nodes.section(ids=[nodes.make_id(f"gallery-{section.key}")])
                block += nodes.title(text=_plain(section.title))
                for n, figure in enumerate(section.figures, 1):
                    name = f"{section.key}-{n}.png"
                    ax = draw(figure)
                    ax.figure.tight_layout()
                    ax.figure.savefig(out / name, dpi=110)
                    plt.close(ax.figure)
                    number = f"Figure {figure.number}: " if figure.number else ""
                    block += nodes.paragraph(text=number + _plain(figure.title))
                    block += nodes.image(uri=f"_generated/gallery/{name}", alt=_plain(figure.title), width="85%")
                    if str(figure.caption):
                        block += nodes.paragraph(text=_plain(figure.caption))
                result.append(block)
        return result


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("fedsym-gallery", FigureGallery)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
