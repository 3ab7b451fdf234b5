"""Conformance over every registered net (timm's ``tests/test_models.py``
shape): each net of ``slimkeras.nets.list_nets()`` builds at its default
size, no two variables share a path, ``num_classes`` reaches the logits,
and its end_point keys and variable names are those recorded in
``end_points_snapshot.json``; ``get_config``/``from_config`` and ``.keras``
round trips give equal outputs.

The default run covers every net with the cheap checks (one symbolic build
at batch 1 without allocating variables) and runs the round trips on the
tiny nets; ``--run-slow`` runs the whole matrix on every net.

The snapshot was written once from the code before the registry refactor
(``SLIMKERAS_WRITE_SNAPSHOT=1 pytest tests/nets/test_conformance.py``
rewrites it; a net whose names change on purpose is re-recorded that way
and the diff reviewed). Round-trip tolerance: 1e-5 (float32, same weights,
same ops).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pathlib

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras import nets
from slimkeras.nets import nets_factory

SNAPSHOT = pathlib.Path(__file__).with_name("end_points_snapshot.json")
NETS = nets.list_nets()
TINY = ("lenet", "cifarnet", "mobilenet_v1_025")
CLASSES = 7  # not any net's default: proves num_classes reaches the logits
TOL = 1e-5


def _input_shape(name: str) -> tuple:
    spec = nets.get_net(name)
    shape = (spec.default_image_size, spec.default_image_size, spec.channels)
    return (spec.num_frames,) + shape if spec.num_frames else shape


def _build(name: str, num_classes, *, with_scope: bool = True,
           batch_size: int | None = 1):
    """``(inputs, logits, end_points)`` of ``name`` on a ``keras.Input``,
    inside its arg_scope (``with_scope``) as ``nets_factory`` builds it."""
    spec = nets.get_net(name)
    inputs = keras.Input(_input_shape(name), batch_size=batch_size)
    with slim.name_registry():
        if with_scope:
            fn = nets_factory.get_network_fn(name, num_classes)
            logits, end_points = fn(inputs)
        else:
            logits, end_points = spec.fn(inputs, num_classes=num_classes)
    return inputs, logits, end_points


def _fingerprint(model: keras.Model) -> str:
    rows = sorted(f"{v.path} {tuple(v.shape)}" for v in model.weights)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@functools.cache
def _symbolic(name: str, num_classes, with_scope: bool = True) -> dict:
    """What the cheap checks read of one symbolic build (cached: each net
    is built once per variant in the module)."""
    with keras.StatelessScope(initialize_variables=False):
        inputs, logits, end_points = _build(name, num_classes,
                                            with_scope=with_scope)
        model = keras.Model(inputs, logits)
    paths = [v.path for v in model.weights]
    return {"end_points": list(end_points),
            "paths": tuple(paths),
            "variables": len(paths),
            "duplicate_paths": sorted({p for p in paths
                                       if paths.count(p) > 1}),
            "fingerprint": _fingerprint(model),
            "logits_shape": tuple(logits.shape)}


def _snapshot() -> dict:
    if os.environ.get("SLIMKERAS_WRITE_SNAPSHOT") == "1":
        return {}
    with open(SNAPSHOT) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def snapshot():
    recorded = _snapshot()
    yield recorded
    if os.environ.get("SLIMKERAS_WRITE_SNAPSHOT") == "1":
        rows = {}
        for name in NETS:
            got = _symbolic(name, CLASSES)
            rows[name] = {k: got[k] for k in
                          ("end_points", "variables", "fingerprint")}
        SNAPSHOT.write_text(json.dumps(rows, indent=1, sort_keys=True)
                            + "\n")


def test_snapshot_lists_every_registered_net(snapshot):
    if not snapshot:
        pytest.skip("writing the snapshot")
    assert sorted(snapshot) == NETS


def _assert_logits_shape(name: str, shape: tuple, num_classes: int) -> None:
    # tf_slim's resnets keep [N, 1, 1, C]; every other net squeezes.
    assert shape[0] == 1 and shape[-1] == num_classes, (name, shape)
    assert all(d == 1 for d in shape[1:-1]), (name, shape)


@pytest.mark.parametrize("name", NETS)
def test_builds_with_unique_paths_and_recorded_names(name, snapshot):
    got = _symbolic(name, CLASSES)
    assert got["duplicate_paths"] == [], got["duplicate_paths"][:5]
    _assert_logits_shape(name, got["logits_shape"], CLASSES)
    if not snapshot:
        return
    want = snapshot[name]
    assert got["end_points"] == want["end_points"]
    assert got["variables"] == want["variables"]
    assert got["fingerprint"] == want["fingerprint"], (
        f"{name}: variable paths or shapes differ from the snapshot")


def _default_size_variants(name: str) -> None:
    spec = nets.get_net(name)
    default = _symbolic(name, spec.num_classes)
    _assert_logits_shape(name, default["logits_shape"], spec.num_classes)
    assert default["end_points"] == _symbolic(name, CLASSES)["end_points"]
    # The same variables but the logits' shapes.
    assert default["variables"] == _symbolic(name, CLASSES)["variables"]
    bare = _symbolic(name, spec.num_classes, with_scope=False)
    assert bare["duplicate_paths"] == []
    assert bare["end_points"] == default["end_points"]
    # num_classes=0 (create_model's headless backbone): no classifier.
    head = spec.logits_scopes[0] + "/"
    features = _symbolic(name, 0)
    assert any(p.startswith(head) for p in default["paths"])
    assert not any(p.startswith(head) for p in features["paths"])
    assert features["duplicate_paths"] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", NETS)
def test_default_classes_and_no_arg_scope(name):
    _default_size_variants(name)


def _images(name: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (1,) + _input_shape(name)).astype("float32")


@functools.cache
def _model(name: str) -> keras.Model:
    inputs, logits, _ = _build(name, CLASSES, batch_size=None)
    return keras.Model(inputs, logits, name=name)


def _round_trips(name: str, tmp_path: pathlib.Path) -> None:
    model = _model(name)
    x = _images(name)
    want = np.asarray(model(x, training=False))
    assert np.all(np.isfinite(want))
    clone = keras.Model.from_config(model.get_config())
    assert [v.path for v in clone.weights] == [v.path for v in model.weights]
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(x, training=False), want, rtol=TOL,
                               atol=TOL)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert [v.path for v in loaded.weights] == [v.path for v in model.weights]
    np.testing.assert_allclose(loaded(x, training=False), want, rtol=TOL,
                               atol=TOL)


@pytest.mark.parametrize("name", TINY)
def test_tiny_nets_round_trip_and_build_bare(name, tmp_path):
    _round_trips(name, tmp_path)
    _default_size_variants(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NETS if n not in TINY])
def test_round_trips(name, tmp_path):
    _round_trips(name, tmp_path)


@pytest.mark.parametrize("name", ["lenet", "cifarnet", "mobilenet_v1_025"])
def test_keras_softmax_works_as_prediction_fn(name):
    # One prediction helper for every net: a callable without ``scope``
    # (keras.ops.softmax) gets the logits only.
    spec = nets.get_net(name)
    x = _images(name, seed=1)
    with slim.name_registry(), slim.arg_scope(spec.arg_scope()):
        logits, end_points = spec.fn(x, num_classes=CLASSES,
                                     is_training=False,
                                     prediction_fn=keras.ops.softmax)
    logits = np.asarray(logits, dtype="float64")
    want = np.exp(logits - logits.max(-1, keepdims=True))
    want /= want.sum(-1, keepdims=True)
    np.testing.assert_allclose(end_points["Predictions"], want, rtol=TOL,
                               atol=1e-6)


def _tiny_net(images, num_classes=3, is_training=None):
    return images, {}


def test_register_net_reads_the_module_default_cfgs(monkeypatch):
    from slimkeras.nets import registry

    monkeypatch.setattr(registry, "_NETS", dict(registry._NETS))
    with pytest.raises(ValueError, match="default_cfgs has no row 'tiny'"):
        registry.register_net(name="tiny")(_tiny_net)
    assert "tiny" not in registry._NETS
    monkeypatch.setitem(globals(), "default_cfgs", {"tiny": registry.net_cfg(
        arg_scope=dict, default_image_size=8, num_classes=3,
        logits_scopes=("Tiny/Logits",), preprocessing="lenet", channels=1)})
    assert registry.register_net(name="tiny")(_tiny_net) is _tiny_net
    spec = nets.get_net("tiny")
    assert (spec.fn, spec.default_image_size, spec.channels) == (
        _tiny_net, 8, 1)
    assert _tiny_net.default_image_size == 8
    assert nets.get_net("lenet").pretrained_tags == []
    assert nets.get_net("inception_v1").pretrained_tags == ["224"]
    with pytest.raises(TypeError, match="net function"):
        registry.register_net("tiny")


def test_register_net_refuses_a_name_another_module_holds(monkeypatch):
    from slimkeras.nets import registry

    monkeypatch.setattr(registry, "_NETS", dict(registry._NETS))
    monkeypatch.setitem(globals(), "default_cfgs", {
        "lenet": registry.net_cfg(
            arg_scope=dict, default_image_size=8, num_classes=3,
            logits_scopes=(), preprocessing="lenet")})
    with pytest.raises(ValueError, match="already registered by "
                       "slimkeras.nets.lenet.lenet"):
        registry.register_net(name="lenet")(_tiny_net)
    assert nets.get_net("lenet").default_image_size == 28
