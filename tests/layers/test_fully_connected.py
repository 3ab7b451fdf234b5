"""fully_connected against the original tf-slim.

Same weights through a real checkpoint; float32 tolerance 1e-5.
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim

BN = {"scale": True, "is_training": False}


def _rank4_batch_norm(tf_slim):
    """tf-slim's batch_norm on a [-1, 1, 1, C] view of its input.

    DESIGN.md §1: the oracle's batch_norm is broken for rank-2 inputs on
    TF 2.21 (``ops.Tensor`` in ``smart_cond``). Inference batch norm is
    per channel, so slim's own rank-4 path on a reshaped view gives the
    same numbers and creates the same variables under ``<fc>/BatchNorm``.
    """
    def normalizer(t, **params):
        c = t.shape[-1]
        y = tf_slim.batch_norm(tf.reshape(t, [-1, 1, 1, c]), **params)
        return tf.reshape(y, tf.shape(t))

    return normalizer


@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 5), (2, 2, 3, 4)])
@pytest.mark.parametrize("kw", [
    {},
    {"activation_fn": None, "biases_initializer": None},
    {"normalizer_fn": "batch_norm", "normalizer_params": BN},
])
def test_matches_tf_slim(tmp_path, shape, kw):
    tf_slim = import_tf_slim()
    x = helpers.rand(*shape)
    ours = dict(kw)
    if "normalizer_fn" in kw:
        kw = dict(kw, normalizer_fn=_rank4_batch_norm(tf_slim))
        ours["normalizer_fn"] = slim.batch_norm

    def build(inp):
        return tf_slim.fully_connected(inp, 6, scope="net/fc", **kw)

    with slim.name_registry():
        layer = slim.layers.FullyConnected(6, scope="net/fc", **ours)
    ref, _ = helpers.check_parity(build, layer, x, tmp_path)
    assert layer.compute_output_shape(x.shape) == ref.shape


def test_default_names_and_regularizers(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 4)

    def build(inp):
        y = tf_slim.fully_connected(inp, 3)
        y = tf_slim.fully_connected(
            y, 2, weights_regularizer=tf_slim.l2_regularizer(0.5),
            biases_regularizer=tf_slim.l1_regularizer(0.2))
        return y, tf.add_n(tf.compat.v1.losses.get_regularization_losses())

    ckpt = str(tmp_path / "ref")
    (ref, ref_loss), values = run_slim(build, x, checkpoint_out=ckpt,
                                       init_scale=0.3)
    with slim.name_registry():
        a = slim.layers.FullyConnected(3)
        b = slim.layers.FullyConnected(
            2, weights_regularizer=slim.l2_regularizer(0.5),
            biases_regularizer=slim.l1_regularizer(0.2))
    b(a(x))
    assert (a.full_scope, b.full_scope) == (
        "fully_connected", "fully_connected_1")
    assert sorted(helpers.paths(a) + helpers.paths(b)) == sorted(values)
    load_by_name(a, ckpt)
    load_by_name(b, ckpt)
    np.testing.assert_allclose(b(a(x)), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(sum(b.losses), ref_loss, rtol=1e-5)


def test_function_form():
    with slim.name_registry():
        with slim.arg_scope([slim.fully_connected], activation_fn=None):
            y = slim.fully_connected(helpers.rand(2, 3), 4, scope="fc")
    assert tuple(y.shape) == (2, 4)


@pytest.mark.parametrize("shape,kw", [
    ((2, 5), {}),
    ((2, 3, 5), {"activation_fn": slim.relu6}),
    ((4, 5), {"normalizer_fn": slim.batch_norm, "normalizer_params": BN}),
])
def test_round_trips(tmp_path, shape, kw):
    with slim.name_registry():
        with slim.variable_scope("net"):
            layer = slim.layers.FullyConnected(3, scope="fc", **kw)
    x = helpers.rand(*shape)
    layer(x)
    helpers.check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("value", [0, -2, 1.5, True, None])
def test_bad_num_outputs(value):
    with pytest.raises(ValueError, match=f"num_outputs={value!r}"):
        slim.layers.FullyConnected(value)


def test_bad_input_rank():
    with pytest.raises(ValueError, match=r"rank >= 2.*\(4,\)"):
        slim.layers.FullyConnected(2)(helpers.rand(4))


def test_bad_normalizer_params():
    with pytest.raises(TypeError, match="normalizer_params=3"):
        slim.layers.FullyConnected(2, normalizer_fn=slim.batch_norm,
                                   normalizer_params=3)
