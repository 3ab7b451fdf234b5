"""The public surface is explicit and changes only on purpose (issue 18).

Every public package declares ``__all__``; each name in it resolves; no
public attribute is left undeclared (a package's own submodules, which
Python binds on import, excepted); and the names match the snapshot in
tests/public_api.json, so a name that appears or disappears fails here.
After an intended change, rewrite the snapshot with
``python -m tests.test_public_api``.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import types

import pytest

SNAPSHOT = pathlib.Path(__file__).with_name("public_api.json")
PACKAGES = (
    "slimkeras",
    "slimkeras.checkpoints",
    "slimkeras.data",
    "slimkeras.datasets",
    "slimkeras.export",
    "slimkeras.layers",
    "slimkeras.learning",
    "slimkeras.losses",
    "slimkeras.metrics",
    "slimkeras.nets",
    "slimkeras.preprocessing",
)


def _undeclared(module: types.ModuleType) -> list[str]:
    declared = set(module.__all__)
    out = []
    for name, value in vars(module).items():
        if name.startswith("_") or name in declared or name == "annotations":
            continue
        own_submodule = (isinstance(value, types.ModuleType)
                         and value.__name__ == f"{module.__name__}.{name}")
        if not own_submodule:
            out.append(name)
    return sorted(out)


def current() -> dict[str, list[str]]:
    return {name: sorted(importlib.import_module(name).__all__)
            for name in PACKAGES}


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_declared_and_resolves(name):
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert len(names) == len(set(names)), name
    for n in names:
        assert hasattr(module, n), f"{name}.__all__ lists {n!r}: missing"
    assert _undeclared(module) == [], (
        f"{name}: public but not in __all__ (add it, or make it private)")


def test_star_import_of_layers_leaks_no_submodule():
    namespace: dict = {}
    exec("from slimkeras.layers import *", namespace)
    leaked = [n for n, v in namespace.items()
              if isinstance(v, types.ModuleType)]
    assert leaked == []
    import slimkeras

    for sub in ("base", "conv", "post", "conv_base", "validation"):
        with pytest.raises(AttributeError):
            getattr(slimkeras, sub)


def test_matches_snapshot():
    expected = json.loads(SNAPSHOT.read_text())
    now = current()
    changes = []
    for name in sorted(set(expected) | set(now)):
        old, new = set(expected.get(name, [])), set(now.get(name, []))
        changes += [f"+ {name}.{n}" for n in sorted(new - old)]
        changes += [f"- {name}.{n}" for n in sorted(old - new)]
    assert not changes, (
        "the public API changed:\n" + "\n".join(changes) + "\nif intended, "
        "run `python -m tests.test_public_api` to rewrite the snapshot")


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(current(), indent=1, sort_keys=True)
                        + "\n")
    print(f"wrote {SNAPSHOT}")
