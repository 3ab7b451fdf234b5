"""``import slimkeras as slim`` reaches every tf_slim name the guide maps.

tf_slim 1.1.0 exposes its submodules after a plain ``import tf_slim as
slim`` (``slim.data``, ``slim.learning``, ``slim.metrics`` …). For every
row of docs/migration.md's ``## tf_slim`` table and every ``## tf_slim.X``
section: a name mapped to ``slimkeras.Y`` is reachable as ``slim.<name>``
(the same object as ``slimkeras.Y``) or, where slimkeras does not provide
it (``—`` rows, or a different API), ``slim.<name>`` raises
``AttributeError`` saying what to use. And every ``slimkeras.…`` name the
guide cites is reachable by attribute access alone. The checks run in a
fresh interpreter, so no other test's imports can make them pass.
"""

from __future__ import annotations

import importlib
import json
import os
import pathlib
import re
import subprocess
import sys
import types

from tests import oracle

ROOT = pathlib.Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "migration.md"
ROW = re.compile(r"^\| `([A-Za-z_]\w*)` \| (`slimkeras[\w.]*`|—) \|(.*)\|\s*$",
                 re.M)


def _sections() -> dict[str, str]:
    """``{heading: body}`` for every ``## `` section; the text before the
    first one is ``""``."""
    parts = re.split(r"^## (.+?)\s*$", GUIDE.read_text(), flags=re.M)
    return {"": parts[0], **dict(zip(parts[1::2], parts[2::2]))}


def _rows(body: str) -> dict[str, tuple[str | None, str]]:
    out = {}
    for name, target, notes in ROW.findall(body):
        out[name] = (None if target == "—" else target.strip("`"),
                     notes.strip())
    return out


def _advice_token(notes: str) -> str:
    """The first backticked name after "use" in a ``—`` row's notes."""
    m = re.search(r"use ([^`—]*?)`([^`]+)`", notes)
    if m and not m.group(1).strip():
        return m.group(2)
    m = re.search(r"use ([^`—.(]+)", notes)  # e.g. "use a custom Keras layer"
    assert m, f"no 'use X' in notes: {notes!r}"
    return m.group(1).strip()


def _check_in_fresh_process(top: dict, submodules: dict, cited: list):
    """Runs in a child: ``import slimkeras as slim`` and attribute access
    only. Returns a list of failures."""
    import slimkeras as slim

    def reach(dotted):
        obj = slim
        for part in dotted.split(".")[1:]:
            obj = getattr(obj, part)
        return obj

    bad = []
    for name, (target, notes) in {**top, **submodules}.items():
        try:
            got = getattr(slim, name)
        except AttributeError as e:
            msg = str(e)
            want = target or _advice_token(notes)
            if want not in msg:
                bad.append(f"slim.{name}: error does not say {want!r}: "
                           f"{msg}")
            continue
        if target is None:
            bad.append(f"slim.{name} exists, the guide says '—'")
            continue
        try:
            expected = reach(target)
        except AttributeError as e:
            bad.append(f"{target} unreachable: {e}")
            continue
        if got is not expected:
            bad.append(f"slim.{name} is {got!r}, guide says {target}")
    for dotted in cited:
        try:
            reach(dotted)
        except AttributeError as e:
            bad.append(f"{dotted} not reachable from `import slimkeras`: {e}")
    return bad


def test_every_mapped_tf_slim_name_is_reachable_after_import():
    # That the guide's tables list every public name of tf_slim 1.1.0 is
    # tests/test_migration_guide.py::test_every_tf_slim_public_name_is_covered
    # (it enumerates the installed tf_slim); here the tables are the map.
    oracle.import_tf_slim()
    sections = _sections()
    top = _rows(sections["tf_slim"])
    assert len(top) > 80 and "data" in top and "queues" in top
    # tf_slim's public submodules (slim.data, slim.learning …): the
    # guide's `## tf_slim.X` sections. Each is a top-level row too, except
    # `ops` (tf_slim's `slim.ops` is TensorFlow's, shadowed by a star
    # import), whose slimkeras homes are scopes and variables.
    subs = sorted({m.split(".")[1] for m in sections
                   if m.startswith("tf_slim.") and m.count(".") == 1})
    for n in subs:
        assert isinstance(importlib.import_module(f"tf_slim.{n}"),
                          types.ModuleType)
    for must in ("data", "evaluation", "learning", "losses", "metrics",
                 "queues", "summaries", "model_analyzer", "ops", "nets"):
        assert must in subs, subs
    submodules = {n: (None, "use `slimkeras.scopes`")
                  for n in subs if n not in top}
    assert submodules == {"ops": (None, "use `slimkeras.scopes`")}
    # The tf_slim part of the guide: its preamble and `## tf_slim*`
    # sections (research/slim's scripts and flags come after).
    tf_slim_text = "".join(body for head, body in sections.items()
                           if head == "" or head.startswith("tf_slim"))
    cited = sorted(set(re.findall(r"`(slimkeras(?:\.\w+)+)",
                                  tf_slim_text)))
    assert len(cited) > 150
    payload = json.dumps([top, submodules, cited])
    code = ("import json, sys; from tests import test_public_modules as t; "
            "a = json.loads(sys.stdin.read()); "
            "print('BAD ' + json.dumps(t._check_in_fresh_process(*a)))")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", code], input=payload,
                         env=env, capture_output=True, text=True,
                         timeout=300, cwd=str(ROOT))
    assert out.returncode == 0, out.stderr[-3000:]
    bad = json.loads(out.stdout.split("BAD ", 1)[1])
    assert not bad, "\n".join(bad)


def test_unprovided_names_raise_with_advice_and_unknown_names_plainly():
    import slimkeras as slim

    for name, hint in (("queues", "tf.data"), ("summaries", "tf.summary"),
                       ("model_analyzer", "model.summary()"),
                       ("training", "slimkeras.learning"),
                       ("ops", "slimkeras.scopes")):
        try:
            getattr(slim, name)
        except AttributeError as e:
            assert hint in str(e) and name in str(e)
        else:
            raise AssertionError(f"slim.{name} should raise")
    assert not hasattr(slim, "no_such_name")
    assert slim.data.Dataset is slim.dataset.Dataset
