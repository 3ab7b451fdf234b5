"""Strips outputs and execution counts from notebooks (run before commit).

Usage: ``python notebooks/strip_outputs.py [NOTEBOOK ...]`` (default: every
``notebooks/*.ipynb``). ``tests/test_notebooks.py`` checks they are clean.
"""

from __future__ import annotations

import glob
import os
import sys

import nbformat


def strip(nb) -> bool:
    """Empties outputs/execution counts in place; True if anything changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            changed = True
        cell["outputs"] = []
        cell["execution_count"] = None
        if cell.metadata.pop("execution", None) is not None:
            changed = True
    return changed


def main(paths) -> int:
    if not paths:
        here = os.path.dirname(os.path.abspath(__file__))
        paths = sorted(glob.glob(os.path.join(here, "*.ipynb")))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            nbformat.write(nb, path)
            print(f"stripped {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
