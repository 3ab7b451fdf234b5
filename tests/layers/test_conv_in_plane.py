"""conv2d_in_plane against the original tf-slim.

Same weights through a real checkpoint; float32 tolerance 1e-5.
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim

BN = {"scale": True, "is_training": False}


@pytest.mark.parametrize("kernel,stride,padding,size", [
    ([2, 1], 1, "SAME", 5),
    ([1, 2], 1, "VALID", 6),
    (3, 2, "SAME", 7),
    # the original: unequal depthwise strides need oneDNN on CPU
    pytest.param([3, 2], [2, 1], "VALID", 6,
                 marks=pytest.mark.needs_onednn),
])
def test_matches_tf_slim(tmp_path, kernel, stride, padding, size):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, size, size, 3)

    def build(inp):
        return tf_slim.conv2d_in_plane(inp, kernel, stride=stride,
                                       padding=padding, scope="grad")

    with slim.name_registry():
        layer = slim.layers.ConvInPlane(kernel, stride=stride,
                                        padding=padding, scope="grad")
    ref, values = helpers.check_parity(build, layer, x, tmp_path)
    assert layer.compute_output_shape(x.shape) == ref.shape
    assert values["grad/biases"].shape == (3,)


def test_batch_norm_default_scope_no_activation(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 5, 5, 2)

    def build(inp):
        tf_slim.conv2d_in_plane(inp, 2)
        return tf_slim.conv2d_in_plane(
            inp, [2, 2], normalizer_fn=tf_slim.batch_norm,
            normalizer_params=BN, activation_fn=None)

    ckpt = str(tmp_path / "ref")
    ref, values = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.3)
    with slim.name_registry():
        first = slim.layers.ConvInPlane(2)
        layer = slim.layers.ConvInPlane(
            [2, 2], normalizer_fn=slim.batch_norm, normalizer_params=BN,
            activation_fn=None)
    first.build(x.shape)
    layer.build(x.shape)
    assert layer.full_scope == "ConvInPlane_1"
    assert sorted(helpers.paths(first) + helpers.paths(layer)) == sorted(
        values)
    load_by_name(layer, ckpt)
    np.testing.assert_allclose(layer(x), ref, rtol=1e-5, atol=1e-5)


def test_gradient_kernel_and_no_biases():
    tf_slim = import_tf_slim()
    x = helpers.rand(1, 4, 5, 2)
    kw = dict(biases_initializer=None, activation_fn=None)

    def build(inp):
        return tf_slim.conv2d_in_plane(
            inp, [1, 2], weights_initializer=tf.compat.v1.constant_initializer(
                [1.0, -1.0]), **kw)

    ref, values = run_slim(build, x)
    with slim.name_registry():
        layer = slim.layers.ConvInPlane(
            [1, 2], weights_initializer=slim.initializers.constant_initializer(
                0.0), **kw)
    layer.build(x.shape)
    layer.kernel.assign(np.array([1.0, -1.0]).reshape(1, 2, 1, 1))
    assert helpers.paths(layer) == sorted(values) == ["ConvInPlane/weights"]
    np.testing.assert_allclose(layer(x), ref, rtol=1e-6, atol=1e-6)


def test_function_form():
    with slim.name_registry():
        y = slim.conv2d_in_plane(helpers.rand(1, 4, 4, 3), 2, stride=2)
    assert tuple(y.shape) == (1, 2, 2, 3)
    assert slim.convolution2d_in_plane is slim.conv2d_in_plane


@pytest.mark.parametrize("kw", [
    dict(stride=2),
    dict(normalizer_fn=slim.batch_norm, normalizer_params=BN),
])
def test_round_trips(tmp_path, kw):
    with slim.name_registry():
        with slim.variable_scope("net"):
            layer = slim.layers.ConvInPlane([2, 3], scope="plane", **kw)
    x = helpers.rand(2, 6, 6, 2)
    layer(x)
    helpers.check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("kw,match", [
    (dict(kernel_size=0), "kernel_size=.*0"),
    (dict(kernel_size="3"), "kernel_size='3'"),
    (dict(stride=[1, -2]), r"stride=\(1, -2\)"),
    (dict(padding=None), "padding=None"),
])
def test_bad_arguments(kw, match):
    args = dict(kernel_size=3)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        slim.layers.ConvInPlane(**args)


def test_bad_input_rank():
    with pytest.raises(ValueError, match=r"rank 4.*\(2, 5, 3\)"):
        slim.layers.ConvInPlane(3)(helpers.rand(2, 5, 3))
