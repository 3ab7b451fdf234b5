"""separable_conv2d against the original tf-slim (depthwise and separable).

Same weights through a real checkpoint; float32 tolerance 1e-5.
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim

BN = {"scale": True, "is_training": False}


@pytest.mark.parametrize("num_outputs", [None, 5])
@pytest.mark.parametrize("mult,stride,rate,padding,size", [
    (1, 1, 1, "SAME", 6),
    (2, 2, 1, "SAME", 7),
    (3, 1, 2, "VALID", 8),
    # the original: unequal depthwise strides need oneDNN on CPU
    pytest.param(1, [2, 1], 1, "VALID", 7, marks=pytest.mark.needs_onednn),
    (2, 1, [2, 3], "SAME", 6),
])
def test_matches_tf_slim(tmp_path, num_outputs, mult, stride, rate, padding,
                         size):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, size, size, 3)
    kw = dict(depth_multiplier=mult, stride=stride, rate=rate,
              padding=padding, scope="net/sep")

    def build(inp):
        return tf_slim.separable_conv2d(inp, num_outputs, [3, 3], **kw)

    with slim.name_registry():
        layer = slim.layers.SeparableConv2D(num_outputs, [3, 3], **kw)
    ref, values = helpers.check_parity(build, layer, x, tmp_path)
    assert layer.compute_output_shape(x.shape) == ref.shape
    assert values["net/sep/depthwise_weights"].shape == (3, 3, 3, mult)


@pytest.mark.parametrize("num_outputs", [None, 4])
def test_batch_norm_and_default_scope(tmp_path, num_outputs):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 5, 5, 2)

    def build(inp):
        with tf_slim.arg_scope([tf_slim.separable_conv2d],
                               normalizer_fn=tf_slim.batch_norm,
                               normalizer_params=BN):
            tf_slim.separable_conv2d(inp, num_outputs, 3)
            return tf_slim.separable_conv2d(inp, num_outputs, 3,
                                            activation_fn=tf.nn.relu6)

    ckpt = str(tmp_path / "ref")
    ref, values = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.3)
    with slim.name_registry():
        with slim.arg_scope([slim.separable_conv2d],
                            normalizer_fn=slim.batch_norm,
                            normalizer_params=BN):
            first = slim.layers.SeparableConv2D(num_outputs, 3)
            layer = slim.layers.SeparableConv2D(num_outputs, 3,
                                                activation_fn=slim.relu6)
    for lay in (first, layer):
        lay.build(x.shape)
    assert sorted(helpers.paths(first) + helpers.paths(layer)) == sorted(
        values)
    assert layer.full_scope == "SeparableConv2d_1"
    load_by_name(layer, ckpt)
    np.testing.assert_allclose(layer(x), ref, rtol=1e-5, atol=1e-5)


def test_pointwise_initializer_and_no_biases(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(1, 4, 4, 2)

    def build(inp):
        return tf_slim.separable_conv2d(
            inp, 3, 1, pointwise_initializer=tf.compat.v1.ones_initializer(),
            weights_initializer=tf.compat.v1.constant_initializer(0.5),
            biases_initializer=None, activation_fn=None)

    ref, values = run_slim(build, x)  # slim's own initial values
    with slim.name_registry():
        layer = slim.layers.SeparableConv2D(
            3, 1, pointwise_initializer="ones",
            weights_initializer=slim.initializers.constant_initializer(0.5),
            biases_initializer=None, activation_fn=None)
    out = layer(x)
    assert helpers.paths(layer) == sorted(values)
    for v in layer.weights:
        np.testing.assert_array_equal(v.numpy(), values[v.path])
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.needs_onednn  # the original: NCHW needs oneDNN on CPU
@pytest.mark.parametrize("num_outputs", [None, 4])
def test_nchw_matches_tf_slim(tmp_path, num_outputs):
    tf_slim = import_tf_slim()
    size = 2 * (num_outputs or 6)  # output width == channels
    x = helpers.rand(2, 3, size, size)  # NCHW
    kw = dict(depth_multiplier=2, stride=2, scope="s")

    def build(inp):
        return tf_slim.separable_conv2d(inp, num_outputs, 3,
                                        data_format="NCHW", **kw)

    with slim.name_registry():
        layer = slim.layers.SeparableConv2D(num_outputs, 3,
                                            data_format="NCHW", **kw)
    ref, _ = helpers.check_parity(build, layer, x, tmp_path)
    assert ref.shape == (2, size // 2, size // 2, size // 2)


def test_regularizers_match_tf_slim(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(1, 4, 4, 2)
    kw = dict(scope="s", biases_regularizer=tf_slim.l2_regularizer(0.3))

    def build(inp):
        y = tf_slim.separable_conv2d(
            inp, 3, 3, depth_multiplier=2,
            weights_regularizer=tf_slim.l2_regularizer(0.1), **kw)
        return y, tf.add_n(tf.compat.v1.losses.get_regularization_losses())

    (ref, ref_loss), _ = run_slim(build, x, checkpoint_out=str(
        tmp_path / "ref"), init_scale=0.3)
    kw["biases_regularizer"] = slim.l2_regularizer(0.3)
    with slim.name_registry():
        layer = slim.layers.SeparableConv2D(
            3, 3, depth_multiplier=2,
            weights_regularizer=slim.l2_regularizer(0.1), **kw)
    layer.build(x.shape)
    load_by_name(layer, str(tmp_path / "ref"))
    np.testing.assert_allclose(layer(x), ref, rtol=1e-5, atol=1e-5)
    assert len(layer.losses) == 3  # depthwise, pointwise, biases
    np.testing.assert_allclose(sum(layer.losses), ref_loss, rtol=1e-5)


def test_function_form():
    x = helpers.rand(1, 4, 4, 2)
    with slim.name_registry():
        y = slim.separable_conv2d(x, 3, 3, scope="s")
    assert tuple(y.shape) == (1, 4, 4, 3)
    assert slim.separable_convolution2d is slim.separable_conv2d


@pytest.mark.parametrize("num_outputs,kw", [
    (None, dict(depth_multiplier=2)),
    (3, dict(rate=2)),
    (3, dict(normalizer_fn=slim.batch_norm, normalizer_params=BN)),
])
def test_round_trips(tmp_path, num_outputs, kw):
    with slim.name_registry():
        with slim.variable_scope("net"):
            layer = slim.layers.SeparableConv2D(num_outputs, 3, scope="sep",
                                                **kw)
    x = helpers.rand(2, 6, 6, 2)
    layer(x)
    helpers.check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("kw,match", [
    (dict(num_outputs=-1), "num_outputs=-1"),
    (dict(depth_multiplier=0), "depth_multiplier=0"),
    (dict(kernel_size=[0, 3]), r"kernel_size=\(0, 3\)"),
    (dict(stride=0), "stride=.*0"),
    (dict(stride=2, rate=2), "stride=2, rate=2"),
    (dict(padding="same_ish"), "padding='same_ish'"),
    (dict(data_format="NCW"), "data_format='NCW'"),
])
def test_bad_arguments(kw, match):
    args = dict(num_outputs=2, kernel_size=3)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        slim.layers.SeparableConv2D(**args)


def test_bad_input_rank():
    layer = slim.layers.SeparableConv2D(None, 3)
    with pytest.raises(ValueError, match=r"rank 4.*\(1, 3, 3, 3, 1\)"):
        layer(helpers.rand(1, 3, 3, 3, 1))
