"""Runs the ``>>>`` examples in slimkeras docstrings as doctests (issue 8).

Every slimkeras module is imported and run through ``doctest`` (the same
examples ``python -m pytest --doctest-modules slimkeras`` runs). Modules
without examples cost only their import.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import slimkeras

# Modules not imported here: entry points that parse sys.argv on import.
EXCLUDE = {"slimkeras.__main__"}


def _modules() -> list[str]:
    names = ["slimkeras"]
    for info in pkgutil.walk_packages(slimkeras.__path__, "slimkeras."):
        if info.name not in EXCLUDE:
            names.append(info.name)
    return sorted(names)


MODULES = _modules()


def test_some_modules_have_examples():
    finder = doctest.DocTestFinder()
    with_examples = [
        m for m in MODULES
        if any(t.examples for t in finder.find(importlib.import_module(m)))]
    assert len(with_examples) >= 5, with_examples


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    # A fresh name registry per module: default scope names (Conv,
    # SeparableConv2d…) do not depend on which doctests ran before.
    with slimkeras.name_registry():
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS
                                 | doctest.NORMALIZE_WHITESPACE,
                                 verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} doctest(s) failed"
