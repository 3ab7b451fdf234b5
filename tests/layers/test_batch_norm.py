"""batch_norm against the original tf-slim: inference, training, updates.

Same weights through a real checkpoint. Float32 tolerances: inference
1e-5; training outputs and moving statistics 1e-4 (batch moments are
reduced in a different order than slim's kernel).

DESIGN.md §1: the oracle's batch_norm is broken on TF 2.21 for rank-2
inputs, ``updates_collections=None`` and ``zero_debias_moving_mean``
(``ops.Tensor`` in ``smart_cond``). Rank-2 cases run slim's own rank-4
path on a ``[-1, 1, 1, C]`` view (per-channel statistics are identical;
slim's rank-2 path reshapes the same way); the other two are checked
against slim's documented formula.
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim

TRAIN_TOL = 1e-4


def _slim_bn(tf_slim, inp, **params):
    """tf_slim.batch_norm; rank-2 inputs through a rank-4 view."""
    if len(inp.shape) != 2:
        return tf_slim.batch_norm(inp, **params)
    c = inp.shape[-1]
    y = tf_slim.batch_norm(tf.reshape(inp, [-1, 1, 1, c]), **params)
    return tf.reshape(y, [-1, c])


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 3, 4)])
@pytest.mark.parametrize("center,scale", [
    (True, False), (True, True), (False, True), (False, False)])
def test_inference_matches_tf_slim(tmp_path, shape, center, scale):
    tf_slim = import_tf_slim()
    x = helpers.rand(*shape)
    kw = dict(center=center, scale=scale, is_training=False,
              epsilon=0.01, scope="net/bn")

    def build(inp):
        return _slim_bn(tf_slim, inp, **kw)

    with slim.name_registry():
        layer = slim.layers.BatchNorm(**kw)
    _, values = helpers.check_parity(build, layer, x, tmp_path)
    assert ("net/bn/gamma" in values) == scale
    assert ("net/bn/beta" in values) == center


def test_nchw_inference_and_activation(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 3, 4, 4)
    kw = dict(scale=True, is_training=False, data_format="NCHW")

    def build(inp):
        return tf_slim.batch_norm(inp, activation_fn=tf.nn.relu, **kw)

    with slim.name_registry():
        layer = slim.layers.BatchNorm(activation_fn=slim.relu, **kw)
    helpers.check_parity(build, layer, x, tmp_path)
    assert layer.full_scope == "BatchNorm"


def test_param_initializers_match_tf_slim():
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 2, 2, 3)
    const = tf.compat.v1.constant_initializer

    def build(inp):
        return tf_slim.batch_norm(inp, scale=True, is_training=False,
                                  param_initializers={
                                      "beta": const(0.5),
                                      "gamma": const(2.0),
                                      "moving_mean": const(0.25),
                                      "moving_variance": const(4.0)})

    ref, values = run_slim(build, x)  # slim's own initial values
    init = slim.initializers.constant_initializer
    with slim.name_registry():
        layer = slim.layers.BatchNorm(scale=True, is_training=False,
                                      param_initializers={
                                          "beta": init(0.5),
                                          "gamma": init(2.0),
                                          "moving_mean": init(0.25),
                                          "moving_variance": init(4.0)})
    out = layer(x)
    assert helpers.paths(layer) == sorted(values)
    for v in layer.weights:
        np.testing.assert_array_equal(v.numpy(), values[v.path])
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


def _one_training_step(tf_slim, tmp_path, x, **kw):
    """slim: (initial values, output and values after one UPDATE_OPS run)."""
    ckpt = str(tmp_path / "init")

    def build(inp):
        return _slim_bn(tf_slim, inp, is_training=True, **kw)

    _, initial = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.5)
    updates = lambda _: tf.compat.v1.get_collection(  # noqa: E731
        tf.compat.v1.GraphKeys.UPDATE_OPS)
    out, after = run_slim(build, x, checkpoint_in=ckpt, run_train_op=updates)
    return ckpt, initial, out, after


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4, 3)])
@pytest.mark.parametrize("kw", [
    dict(scale=True, decay=0.9),
    dict(center=False, decay=0.5, epsilon=0.1),
])
@pytest.mark.parametrize("how", ["is_training", "keras_training"])
def test_training_step_matches_tf_slim(tmp_path, shape, kw, how):
    tf_slim = import_tf_slim()
    x = helpers.rand(*shape) * 2.0 + 1.0
    ckpt, initial, ref, after = _one_training_step(tf_slim, tmp_path, x,
                                                   **kw)
    with slim.name_registry():
        if how == "is_training":
            layer = slim.layers.BatchNorm(is_training=True, **kw)
        else:  # None follows Keras's training flag
            layer = slim.layers.BatchNorm(**kw)
    layer.build(x.shape)
    assert helpers.paths(layer) == sorted(initial)
    load_by_name(layer, ckpt)
    out = layer(x, training=True) if how == "keras_training" else layer(x)
    np.testing.assert_allclose(out, ref, rtol=TRAIN_TOL, atol=TRAIN_TOL)
    for name in ("moving_mean", "moving_variance"):
        path = f"BatchNorm/{name}"
        assert not np.allclose(initial[path], after[path])
        np.testing.assert_allclose(
            getattr(layer, name).numpy(), after[path], rtol=TRAIN_TOL,
            atol=TRAIN_TOL)
    # An inference call leaves the statistics alone.
    before = layer.moving_mean.numpy()
    layer(x, training=False) if how == "keras_training" else None
    np.testing.assert_array_equal(layer.moving_mean.numpy(), before)


def test_non_fused_rank3_training_matches_tf_slim(tmp_path):
    """Rank 3: slim's non-fused path (biased batch variance)."""
    tf_slim = import_tf_slim()
    x = helpers.rand(3, 4, 2)
    ckpt, _, ref, after = _one_training_step(tf_slim, tmp_path, x,
                                             decay=0.8)
    with slim.name_registry():
        layer = slim.layers.BatchNorm(decay=0.8, is_training=True)
    layer.build(x.shape)
    load_by_name(layer, ckpt)
    np.testing.assert_allclose(layer(x), ref, rtol=TRAIN_TOL,
                               atol=TRAIN_TOL)
    np.testing.assert_allclose(layer.moving_variance.numpy(),
                               after["BatchNorm/moving_variance"],
                               rtol=TRAIN_TOL, atol=TRAIN_TOL)


@pytest.mark.parametrize("updates_collections", [None, "update_ops"])
def test_updates_collections_none_formula(updates_collections):
    """Oracle broken here (DESIGN.md §1): slim's documented update."""
    x = helpers.rand(6, 2) * 3.0
    decay = 0.9
    with slim.name_registry():
        layer = slim.layers.BatchNorm(
            decay=decay, is_training=True,
            updates_collections=updates_collections)
    y = layer(x)
    mean, var = x.mean(0), x.var(0)
    n = x.shape[0]
    np.testing.assert_allclose(
        y, (x - mean) / np.sqrt(var + 0.001), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(),
                               (1 - decay) * mean, rtol=1e-5, atol=1e-6)
    # Fused (rank 2): Bessel-corrected batch variance enters the average.
    np.testing.assert_allclose(
        layer.moving_variance.numpy(),
        decay + (1 - decay) * var * n / (n - 1), rtol=1e-5, atol=1e-6)


def test_zero_debias_formula():
    """Oracle broken here (DESIGN.md §1): slim's documented zero-debias."""
    x = helpers.rand(2, 2, 2, 3)
    decay = 0.9
    with slim.name_registry():
        layer = slim.layers.BatchNorm(decay=decay, is_training=True,
                                      zero_debias_moving_mean=True)
    layer(x)
    assert "BatchNorm/moving_mean/biased" in helpers.paths(layer)
    assert "BatchNorm/moving_mean/local_step" in helpers.paths(layer)
    mean = x.reshape(-1, 3).mean(0)
    # One step: biased = (1 - d) * mean, debiased = biased / (1 - d**1).
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-5,
                               atol=1e-6)
    layer(2 * x)
    biased = (1 - decay) * mean * decay + (1 - decay) * 2 * mean
    np.testing.assert_allclose(layer.moving_mean.numpy(),
                               biased / (1 - decay ** 2), rtol=1e-5,
                               atol=1e-6)


def test_function_form_default_names():
    with slim.name_registry():
        slim.batch_norm(helpers.rand(2, 3), is_training=False)
        y = slim.batch_norm(helpers.rand(2, 3), is_training=False)
    assert tuple(y.shape) == (2, 3)


@pytest.mark.parametrize("shape,kw", [
    ((4, 3), dict(is_training=False, scale=True)),
    ((2, 3, 3, 2), dict(center=False, scale=True)),
    ((2, 2, 3, 3), dict(data_format="NCHW", param_initializers={
        "moving_variance": "ones"})),
])
def test_round_trips(tmp_path, shape, kw):
    with slim.name_registry():
        with slim.variable_scope("net"):
            layer = slim.layers.BatchNorm(scope="bn", **kw)
    x = helpers.rand(*shape)
    layer(x, training=False)
    layer.moving_mean.assign(np.full(layer.moving_mean.shape, 0.3))
    helpers.check_all_round_trips(layer, x, tmp_path, training=False)


@pytest.mark.parametrize("kw,exc,match", [
    (dict(decay=1.5), ValueError, "decay=1.5"),
    (dict(epsilon=0.0), ValueError, "epsilon=0.0"),
    (dict(is_training="yes"), TypeError, "is_training='yes'"),
    (dict(data_format="NDHWC"), ValueError, "data_format='NDHWC'"),
    (dict(param_initializers={"alpha": "ones"}), ValueError, "alpha"),
    (dict(renorm=True), NotImplementedError, "renorm"),
])
def test_bad_arguments(kw, exc, match):
    with pytest.raises(exc, match=match):
        slim.layers.BatchNorm(**kw)


def test_bad_input_rank():
    with pytest.raises(ValueError, match=r"rank >= 2.*\(3,\)"):
        slim.layers.BatchNorm()(helpers.rand(3))
