"""conv2d_transpose / conv3d_transpose against the original tf-slim.

Same weights through a real checkpoint; float32 tolerance 1e-5 (same TF
kernels on the same values) unless stated.
"""

import numpy as np
import pytest

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim

BN = {"scale": True, "is_training": False}


@pytest.mark.parametrize("kernel,stride,padding,size", [
    ([3, 3], 1, "SAME", 5),
    ([3, 3], 2, "SAME", 5),
    ([3, 3], 2, "VALID", 4),
    ([2, 4], [2, 1], "VALID", 5),
    ([1, 1], 3, "VALID", 3),
    (4, 2, "SAME", 4),
])
def test_conv2d_transpose_matches_tf_slim(tmp_path, kernel, stride, padding,
                                          size):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, size, size + 1, 3)

    def build(inp):
        return tf_slim.conv2d_transpose(inp, 4, kernel, stride=stride,
                                        padding=padding, scope="net/up")

    with slim.name_registry():
        layer = slim.layers.Conv2DTranspose(4, kernel, stride=stride,
                                            padding=padding, scope="net/up")
    ref, _ = helpers.check_parity(build, layer, x, tmp_path)
    assert layer.compute_output_shape(x.shape) == ref.shape


def test_conv2d_transpose_bn_default_scope(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 4, 4, 3)

    def build(inp):
        tf_slim.conv2d_transpose(inp, 2, 3)  # takes Conv2d_transpose
        return tf_slim.conv2d_transpose(
            inp, 5, 3, stride=2, normalizer_fn=tf_slim.batch_norm,
            normalizer_params=BN, activation_fn=None)

    with slim.name_registry():
        slim.layers.Conv2DTranspose(2, 3)
        layer = slim.layers.Conv2DTranspose(
            5, 3, stride=2, normalizer_fn=slim.batch_norm,
            normalizer_params=BN, activation_fn=None)
    assert layer.full_scope == "Conv2d_transpose_1"
    ckpt = str(tmp_path / "ref")
    ref, values = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.3)
    layer.build(x.shape)
    assert helpers.paths(layer) == sorted(
        k for k in values if k.startswith("Conv2d_transpose_1/"))
    load_by_name(layer, ckpt)
    np.testing.assert_allclose(layer(x), ref, rtol=1e-5, atol=1e-5)
    assert "Conv2d_transpose_1/biases" not in helpers.paths(layer)


def test_conv2d_transpose_nchw(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 3, 3, 2)  # NCHW; output width == channels (4)
    kw = dict(stride=2, activation_fn=None)

    def build(inp):
        return tf_slim.conv2d_transpose(inp, 4, 3, data_format="NCHW",
                                        scope="t", **kw)

    with slim.name_registry():
        layer = slim.layers.Conv2DTranspose(4, 3, data_format="NCHW",
                                            scope="t", **kw)
    ref, _ = helpers.check_parity(build, layer, x, tmp_path)
    assert ref.shape == (2, 4, 6, 4)


@pytest.mark.parametrize("stride,padding,kw", [
    (1, "SAME", {}),
    (2, "VALID", {"biases_initializer": None}),
    # the original: NCDHW conv3d_transpose needs oneDNN on CPU
    pytest.param(2, "SAME", {"data_format": "NCDHW"},
                 marks=pytest.mark.needs_onednn),
])
def test_conv3d_transpose_matches_tf_slim(tmp_path, stride, padding, kw):
    tf_slim = import_tf_slim()
    x = helpers.rand(1, 3, 4, 3, 2)

    def build(inp):
        return tf_slim.conv3d_transpose(inp, 3, [2, 3, 3], stride=stride,
                                        padding=padding, **kw)

    with slim.name_registry():
        layer = slim.layers.Conv3DTranspose(3, [2, 3, 3], stride=stride,
                                            padding=padding, **kw)
    assert layer.full_scope == "Conv3d_transpose"
    ref, values = helpers.check_parity(build, layer, x, tmp_path)
    assert layer.compute_output_shape(x.shape) == ref.shape
    has_biases = "biases_initializer" not in kw
    assert ("Conv3d_transpose/biases" in values) == has_biases


def test_function_form_and_export():
    x = helpers.rand(1, 3, 3, 2)
    with slim.name_registry():
        y = slim.conv2d_transpose(x, 4, 3, stride=2)
        z = slim.convolution3d_transpose(helpers.rand(1, 2, 2, 2, 2), 1, 2)
    assert tuple(y.shape) == (1, 6, 6, 4)
    assert tuple(z.shape) == (1, 2, 2, 2, 1)
    assert slim.convolution2d_transpose is slim.conv2d_transpose
    assert slim.layers.conv3d_transpose is slim.conv3d_transpose


def test_arg_scope_defaults():
    with slim.name_registry():
        with slim.arg_scope([slim.conv2d_transpose], padding="VALID",
                            activation_fn=None):
            layer = slim.layers.Conv2DTranspose(2, 3, stride=2)
    assert layer.padding == "VALID" and layer.activation_fn is None


@pytest.mark.parametrize("cls,shape,kw", [
    (slim.layers.Conv2DTranspose, (2, 4, 4, 3), dict(stride=2)),
    (slim.layers.Conv2DTranspose, (2, 4, 4, 3),
     dict(normalizer_fn=slim.batch_norm, normalizer_params=BN)),
    (slim.layers.Conv3DTranspose, (1, 2, 3, 3, 2), dict(padding="VALID")),
])
def test_round_trips(tmp_path, cls, shape, kw):
    with slim.name_registry():
        with slim.variable_scope("net"):
            layer = cls(3, 2, scope="up", **kw)
    x = helpers.rand(*shape)
    layer(x)
    helpers.check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("kw,match", [
    (dict(num_outputs=0), "num_outputs=0"),
    (dict(kernel_size=0), "kernel_size=.*0"),
    (dict(kernel_size=[3, 3, 3]), r"kernel_size=\[3, 3, 3\]"),
    (dict(stride=-1), "stride=.*-1"),
    (dict(padding="FULL"), "padding='FULL'"),
    (dict(data_format="NDHWC"), "data_format='NDHWC'"),
])
def test_bad_arguments(kw, match):
    args = dict(num_outputs=2, kernel_size=3)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        slim.layers.Conv2DTranspose(**args)


def test_bad_input_rank():
    layer = slim.layers.Conv2DTranspose(2, 3)
    with pytest.raises(ValueError, match=r"rank 4.*\(2, 3, 3\)"):
        layer(helpers.rand(2, 3, 3))
