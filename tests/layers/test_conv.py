"""convolution / conv1d / conv2d / conv3d against the original tf-slim.

Same weights through a real checkpoint; float32 tolerance 1e-5 (the same
TF kernels on the same values).
"""

import numpy as np
import pytest

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim

BN = {"scale": True, "is_training": False}


@pytest.mark.parametrize("kernel,stride,rate,padding,size", [
    ([3, 3], 1, 1, "SAME", 8),
    ([3, 3], 2, 1, "SAME", 7),
    ([3, 3], 2, 1, "SAME", 8),
    ([3, 3], 1, 2, "VALID", 9),
    ([2, 2], 2, 1, "VALID", 8),
    ([2, 4], [2, 1], 1, "SAME", 7),
    ([3, 3], 1, [2, 3], "SAME", 8),
    (1, 1, 1, "VALID", 5),
])
def test_conv2d_matches_tf_slim(tmp_path, kernel, stride, rate, padding,
                                size):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, size, size, 3)
    kw = dict(stride=stride, rate=rate, padding=padding, scope="net/conv1")

    def build(inp):
        return tf_slim.conv2d(inp, 5, kernel, **kw)

    with slim.name_registry():
        layer = slim.layers.Conv2D(5, kernel, **kw)
    ref, _ = helpers.check_parity(build, layer, x, tmp_path)
    assert layer.compute_output_shape(x.shape) == ref.shape


@pytest.mark.parametrize("stride,padding,size", [
    (1, "SAME", 8), (2, "SAME", 7), (2, "VALID", 8)])
def test_conv2d_batch_norm_matches_tf_slim(tmp_path, stride, padding, size):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, size, size, 3)

    def build(inp):
        with tf_slim.arg_scope([tf_slim.conv2d],
                               normalizer_fn=tf_slim.batch_norm,
                               normalizer_params=BN):
            return tf_slim.conv2d(inp, 5, [3, 3], stride=stride,
                                  padding=padding, scope="net/conv1")

    with slim.name_registry():
        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                            normalizer_params=BN):
            layer = slim.layers.Conv2D(5, [3, 3], stride=stride,
                                       padding=padding, scope="net/conv1")
    helpers.check_parity(build, layer, x, tmp_path)
    assert "net/conv1/biases" not in helpers.paths(layer)


def test_no_biases_and_default_names(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 6, 6, 2)

    def build(inp):
        a = tf_slim.conv2d(inp, 3, 3)
        b = tf_slim.conv2d(a, 4, 3, biases_initializer=None,
                           activation_fn=None)
        return tf_slim.convolution(b, 2, 1)

    ckpt = str(tmp_path / "ref")
    ref, values = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.3)
    with slim.name_registry():
        layers = [
            slim.layers.Conv2D(3, 3),
            slim.layers.Conv2D(4, 3, biases_initializer=None,
                               activation_fn=None),
            slim.layers.Convolution(2, 1),
        ]
    y = x
    for layer in layers:
        y = layer(y)
    assert [lay.full_scope for lay in layers] == ["Conv", "Conv_1", "Conv_2"]
    assert sorted(p for lay in layers for p in helpers.paths(lay)) == sorted(
        values)
    for layer in layers:
        load_by_name(layer, ckpt)
    y = x
    for layer in layers:
        y = layer(y)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn_name,cls_name,shape,kernel", [
    ("conv1d", "Conv1D", (2, 9, 3), 3),
    ("conv3d", "Conv3D", (1, 4, 5, 5, 2), [2, 3, 3]),
    ("convolution", "Convolution", (2, 9, 3), 2),
    ("convolution", "Convolution", (1, 4, 5, 5, 2), 3),
])
@pytest.mark.parametrize("stride,padding", [(1, "SAME"), (2, "VALID")])
def test_conv1d_conv3d_convolution(tmp_path, fn_name, cls_name, shape,
                                   kernel, stride, padding):
    tf_slim = import_tf_slim()
    x = helpers.rand(*shape)
    kw = dict(stride=stride, padding=padding)

    def build(inp):
        return getattr(tf_slim, fn_name)(inp, 4, kernel, **kw)

    with slim.name_registry():
        layer = getattr(slim.layers, cls_name)(4, kernel, **kw)
    assert layer.full_scope == "Conv"
    helpers.check_parity(build, layer, x, tmp_path)


def test_conv1d_rate(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 11, 2)

    def build(inp):
        return tf_slim.conv1d(inp, 3, 3, rate=2, padding="VALID")

    with slim.name_registry():
        layer = slim.layers.Conv1D(3, 3, rate=2, padding="VALID")
    helpers.check_parity(build, layer, x, tmp_path)


@pytest.mark.needs_onednn  # the original: NCHW needs oneDNN on CPU
@pytest.mark.parametrize("fn_name,cls_name,fmt,shape", [
    ("conv2d", "Conv2D", "NCHW", (2, 3, 7, 6)),
    # Output width == channels: a Keras ops.add heuristic once added the
    # biases along the last axis here.
    ("conv2d", "Conv2D", "NCHW", (2, 3, 8, 8)),
    ("conv1d", "Conv1D", "NCW", (2, 3, 7)),
    ("conv3d", "Conv3D", "NCDHW", (1, 2, 3, 4, 4)),
])
def test_channels_first_matches_tf_slim(tmp_path, fn_name, cls_name, fmt,
                                        shape):
    tf_slim = import_tf_slim()
    x = helpers.rand(*shape)
    kw = dict(stride=2, data_format=fmt, scope="c")

    def build(inp):
        return getattr(tf_slim, fn_name)(inp, 4, 3, **kw)

    with slim.name_registry():
        layer = getattr(slim.layers, cls_name)(4, 3, **kw)
    ref, _ = helpers.check_parity(build, layer, x, tmp_path)
    assert ref.shape[1] == 4
    assert layer.compute_output_shape(x.shape) == ref.shape


@pytest.mark.needs_onednn  # the original: NCHW needs oneDNN on CPU
def test_nchw_with_batch_norm_matches_tf_slim(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 3, 6, 6)
    params = dict(BN, data_format="NCHW")

    def build(inp):
        return tf_slim.conv2d(inp, 4, 3, data_format="NCHW", scope="c",
                              normalizer_fn=tf_slim.batch_norm,
                              normalizer_params=params)

    with slim.name_registry():
        layer = slim.layers.Conv2D(4, 3, data_format="NCHW", scope="c",
                                   normalizer_fn=slim.batch_norm,
                                   normalizer_params=params)
    helpers.check_parity(build, layer, x, tmp_path)


def test_function_forms_and_aliases():
    with slim.name_registry():
        y = slim.conv2d(helpers.rand(1, 4, 4, 2), 3, 3, scope="a")
        z = slim.convolution2d(helpers.rand(1, 4, 4, 2), 3, 3, stride=2)
    assert tuple(y.shape) == (1, 4, 4, 3) and tuple(z.shape) == (1, 2, 2, 3)
    assert slim.conv1d is slim.convolution1d
    assert slim.conv3d is slim.convolution3d


@pytest.mark.parametrize("cls,shape,kw", [
    (slim.layers.Conv2D, (2, 6, 6, 2), dict(stride=2)),
    (slim.layers.Conv2D, (2, 6, 6, 2),
     dict(normalizer_fn=slim.batch_norm, normalizer_params=BN)),
    (slim.layers.Conv1D, (2, 7, 2), dict(rate=2)),
    (slim.layers.Conv3D, (1, 3, 4, 4, 2), dict(padding="VALID")),
    (slim.layers.Convolution, (2, 2, 5, 5), dict(data_format="NCHW")),
])
def test_round_trips(tmp_path, cls, shape, kw):
    with slim.name_registry():
        with slim.variable_scope("net"):
            layer = cls(3, 2, scope="conv", **kw)
    x = helpers.rand(*shape)
    layer(x)
    helpers.check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("kw,match", [
    (dict(num_outputs=0), "num_outputs=0"),
    (dict(num_outputs=2.5), "num_outputs=2.5"),
    (dict(kernel_size=0), "kernel_size=.*0"),
    (dict(kernel_size=[3]), None),  # one entry is broadcast (slim too)
    (dict(kernel_size=[1, 2, 3]), r"kernel_size=\[1, 2, 3\]"),
    (dict(stride=0), "stride=.*0"),
    (dict(rate=-1), "rate=.*-1"),
    (dict(stride=2, rate=2), "stride=2, rate=2"),
    (dict(padding="full"), "padding='full'"),
    (dict(data_format="NHCW"), "data_format='NHCW'"),
])
def test_bad_arguments(kw, match):
    args = dict(num_outputs=2, kernel_size=3)
    args.update(kw)
    if match is None:
        assert slim.layers.Conv2D(**args).kernel_size == (3, 3)
        return
    with pytest.raises(ValueError, match=match):
        slim.layers.Conv2D(**args)


@pytest.mark.parametrize("cls,shape", [
    (slim.layers.Conv2D, (2, 5, 3)),
    (slim.layers.Conv1D, (2, 5, 5, 3)),
    (slim.layers.Convolution, (2, 3)),
])
def test_bad_input_rank(cls, shape):
    with pytest.raises(ValueError, match=r"rank.*" + str(shape).replace(
            "(", r"\(").replace(")", r"\)")):
        cls(2, 3)(helpers.rand(*shape))


def test_convolution_bad_data_format_at_build():
    layer = slim.layers.Convolution(2, 3, data_format="NCHW")
    with pytest.raises(ValueError, match="data_format='NCHW'"):
        layer(helpers.rand(2, 3, 5))


@pytest.mark.parametrize("size,kernel,padding", [(7, 7, "VALID"),
                                                 (1, 1, "SAME"),
                                                 (3, 3, "VALID")])
def test_whole_input_kernel_matmul_path_matches_conv(size, kernel, padding):
    """fc-as-conv (VGG fc6/fc7/fc8) runs as a matmul; same numbers as the
    conv kernel (and as tf-slim, see the VGG/AlexNet/OverFeat net tests)."""
    import keras

    x = np.random.default_rng(0).normal(size=(3, size, size, 5)).astype(
        "float32")
    with slim.name_registry():
        layer = slim.layers.Conv2D(4, kernel, padding=padding,
                                   activation_fn=None)
    out = layer(x)
    assert layer._is_dense(x.shape)
    ref = keras.ops.conv(x, layer.kernel, padding=padding.lower()) + \
        layer.bias
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    assert tuple(out.shape) == (3, 1, 1, 4)
    assert not layer._is_dense((3, size + 1, size + 1, 5))
