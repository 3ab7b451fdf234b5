"""bias_add vs the original tf-slim (real checkpoint, names, outputs).

Float32 tolerance 1e-5 (relative and absolute): one addition per element.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.helpers import check_all_round_trips, check_parity, rand
from tests.oracle import import_tf_slim, run_slim


def _ours(**kwargs):
    with slim.name_registry():
        return slim.layers.BiasAdd(**kwargs)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 4, 4, 3), {}),
    ((2, 3, 4, 4), {"data_format": "NCHW", "scope": "net/bias"}),
    ((3, 5), {"activation_fn": tf.nn.relu}),
    ((2, 3, 5), {"trainable": False}),
])
def test_bias_add_parity(tmp_path, shape, kwargs):
    tf_slim = import_tf_slim()
    layer = _ours(**kwargs)
    check_parity(lambda t: tf_slim.bias_add(t, **kwargs), layer,
                 rand(*shape), tmp_path)
    assert all(v.trainable == kwargs.get("trainable", True)
               for v in layer.weights)


def test_bias_add_as_fc_normalizer(tmp_path):
    tf_slim = import_tf_slim()

    def build(t):
        return tf_slim.fully_connected(t, 4, normalizer_fn=tf_slim.bias_add,
                                       scope="fc")

    with slim.name_registry():
        layer = slim.layers.FullyConnected(4, normalizer_fn=slim.bias_add,
                                           scope="fc")
    check_parity(build, layer, rand(2, 3), tmp_path)


def test_function_form_default_names():
    """Function form under variable scopes: slim's uniquified names."""
    tf_slim = import_tf_slim()

    def build(t):
        with tf.compat.v1.variable_scope("net"):
            t = tf_slim.bias_add(t)
            return tf_slim.bias_add(t)

    _, values = run_slim(build, rand(2, 3))
    with slim.name_registry():
        inp = keras.Input((3,))
        with slim.variable_scope("net"):
            out = slim.bias_add(slim.bias_add(inp))
        model = keras.Model(inp, out)
        with slim.arg_scope([slim.bias_add], initializer="ones"):
            y = slim.bias_add(np.zeros((1, 2), "float32"), scope="b")
    assert sorted(v.path for v in model.weights) == sorted(values)
    np.testing.assert_array_equal(y, np.ones((1, 2)))


def test_regularizer_loss():
    layer = _ours(initializer="ones", regularizer=slim.l2_regularizer(0.5))
    layer(rand(2, 4))
    np.testing.assert_allclose(float(sum(layer.losses)), 0.5 * 4 / 2)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 4, 4, 3), {"activation_fn": "relu"}),
    ((2, 3, 4, 4), {"data_format": "NCHW"}),
])
def test_round_trips(tmp_path, shape, kwargs):
    layer = _ours(scope="blk/bias", **kwargs)
    x = rand(*shape)
    layer.build(x.shape)
    layer.bias.assign(rand(*layer.bias.shape, seed=2))
    check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("kwargs,shape,match", [
    ({}, (4,), "rank >= 2"),
    ({"data_format": "NCHW"}, (2, 3, 4), "rank 4"),
])
def test_bad_inputs(kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        _ours(**kwargs)(np.zeros(shape, "float32"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="data_format='NWC'"):
        _ours(data_format="NWC")
    with pytest.raises(TypeError, match="activation_fn"):
        _ours(activation_fn=3)
