"""docs/migration.md covers every tf_slim 1.1.0 public name (issue 8).

Enumerates tf_slim's public names (``docs/tf_slim_names.py``: the package
and its submodules) and checks each appears, in backticks, in the section
of its module; and that every ``slimkeras.…`` name the guide cites
resolves, so the guide cannot drift from the package. Regenerate with
``python docs/make_migration_guide.py``.
"""

from __future__ import annotations

import importlib
import pathlib
import re
import sys

import pytest

from tests import oracle

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"
GUIDE = DOCS / "migration.md"


def _sections() -> dict[str, str]:
    text = GUIDE.read_text()
    parts = re.split(r"^## (tf_slim[\w.]*)\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def _names():
    oracle.import_tf_slim()
    sys.path.insert(0, str(DOCS))
    try:
        import tf_slim_names
    finally:
        sys.path.remove(str(DOCS))
    return tf_slim_names.public_names()


def _resolve(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(dotted)


def test_every_tf_slim_public_name_is_covered():
    names = _names()
    sections = _sections()
    missing = []
    total = 0
    for module, public in names.items():
        body = sections.get(module)
        if body is None:
            missing.append(f"section ## {module}")
            continue
        cited = set(re.findall(r"`([A-Za-z_][\w]*)`", body))
        for n in public:
            total += 1
            if n not in cited:
                missing.append(f"{module}.{n}")
    assert total > 500  # the enumeration itself works
    assert not missing, f"{len(missing)} names missing: {missing[:30]}"


def test_top_level_names_include_the_layers():
    names = _names()["tf_slim"]
    for n in ("arg_scope", "conv2d", "batch_norm", "repeat", "stack",
              "l2_regularizer", "get_variables_to_restore", "learning"):
        assert n in names


def test_every_cited_slimkeras_name_resolves():
    text = GUIDE.read_text()
    cited = sorted(set(re.findall(r"`(slimkeras(?:\.\w+)*)", text)))
    assert len(cited) > 150
    bad = []
    for name in cited:
        try:
            _resolve(name)
        except (ImportError, AttributeError) as e:
            bad.append(f"{name}: {e}")
    assert not bad, bad


def test_key_mappings():
    text = GUIDE.read_text()
    for row in ("| `conv2d` | `slimkeras.conv2d` |",
                "| `softmax_cross_entropy` | "
                "`slimkeras.losses.softmax_cross_entropy` |",
                "| `arg_scope` | `slimkeras.arg_scope` |"):
        assert row in text, row
    sections = _sections()
    assert "obsolete in TF2, use" in sections["tf_slim.queues"]


@pytest.mark.parametrize("name", ["slimkeras.conv2d",
                                  "slimkeras.losses.softmax_cross_entropy",
                                  "slimkeras.nets.vgg.vgg_16"])
def test_resolver_finds_real_names(name):
    assert callable(_resolve(name))


def test_resolver_rejects_invented_names():
    with pytest.raises((ImportError, AttributeError)):
        _resolve("slimkeras.no_such_function")
