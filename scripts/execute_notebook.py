"""Execute the example notebook and store it with its outputs, or check that the stored outputs are current.

The tour (``examples/fedsym_tour.ipynb``) is committed executed, so a code host
shows its figures and results without running it.  ``python
scripts/execute_notebook.py`` runs it from top to bottom and writes it back;
``--check`` (CI) runs it and fails when a text output (results as LaTeX, printed lines)
differs from the stored one, i.e. when the committed outputs no longer come from
the current code.  Images are not compared byte for byte (matplotlib versions
differ in their rasterization); their presence is.  Needs ``pip install -e
'.[docs]'`` (nbclient, ipykernel, matplotlib).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "fedsym_tour.ipynb"
#: object addresses in a repr (``<function f at 0x7f...>``) differ from run to run
_ADDRESS = re.compile(r"0x[0-9a-f]+")


def _text_outputs(notebook: Any) -> list[str]:
    """Per code cell, its outputs as text (streams, ``text/plain``, ``text/latex``; addresses masked), a mark per image."""
    cells = []
    for index, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        parts = [f"--- code cell {index}"]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(f"{output['name']}: {output['text']}")
            elif output.get("output_type") == "error":
                parts.append(f"error: {output['ename']}: {output['evalue']}")
            # a result shows as LaTeX; its text/plain repr is a fallback the page does not show, and it holds
            # what rounding decides (where on a flat utility the deviation search stopped): compared only alone
            kind = next((k for k in ("text/latex", "text/plain") if k in output.get("data", {})), None)
            if kind is not None:
                parts.append(f"{kind}: {_ADDRESS.sub('0x...', output['data'][kind])}")
            if "image/png" in output.get("data", {}):
                parts.append("image/png")
        cells.append("\n".join(parts))
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the stored text outputs are not current")
    args = parser.parse_args(argv)
    stored = nbformat.read(NOTEBOOK, as_version=4)
    executed = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(executed, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    if args.check:
        old, new = "\n".join(_text_outputs(stored)), "\n".join(_text_outputs(executed))
        if old != new:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                       "stored", "executed now"))
            print(f"{NOTEBOOK.name}: the stored outputs are not current: run python scripts/execute_notebook.py")
            return 1
        print(f"{NOTEBOOK.name}: executed; the stored outputs are current")
        return 0
    nbformat.write(executed, NOTEBOOK)
    print(f"{NOTEBOOK.name}: executed and written with its outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
