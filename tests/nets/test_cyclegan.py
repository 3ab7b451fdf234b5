"""CycleGAN ResNet generator against the original.

Reference: ``../shared/golden/cyclegan_generator``
(``cyclegan.cyclegan_generator_resnet(x, num_resnet_blocks=2,
num_filters=8)``, which enters ``cyclegan_arg_scope()`` itself), made by
the original research/slim code. Tolerance: no noise file exists for this
case, so the golden README's ``rtol = atol = 1e-4`` applies to the output
and every end point. Other configurations: upstream ``cyclegan_test.py``'s
assertions (ported), and the resize/pad helpers against TF's own ops.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras.layers import upsample
from slimkeras.nets import cyclegan
from tests.nets import golden_checks as gc


def test_golden_generator(golden_dir):
    gc.check_golden(golden_dir, "cyclegan_generator",
                    cyclegan.cyclegan_generator_resnet)


def _sym(shape, batch=None, **kw):
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry():
        return cyclegan.cyclegan_generator_resnet(
            keras.Input(shape, batch_size=batch), **kw)


def test_upstream_generator_graph():
    for shape in ([4, 32, 32, 3], [3, 128, 128, 3], [2, 80, 400, 3]):
        out, eps = _sym(shape[1:], shape[0], num_filters=8)
        assert list(out.shape) == shape
        assert list(eps) == ["encoder_0", "encoder_1", "encoder_2"] + [
            f"resnet_block_{i}" for i in range(6)] + [
            "decoder1", "decoder2", "logits", "predictions"]


def test_upstream_unknown_dims_kernel_sizes_and_errors():
    out, _ = _sym((32, None, 3), num_filters=8)
    assert list(out.shape) == [None, 32, None, 3]
    for k in (3, 4, 5, 6):
        out, _ = _sym((32, 32, 3), kernel_size=k, num_filters=4,
                      num_resnet_blocks=1)
        assert list(out.shape) == [None, 32, 32, 3]
    for bad in (29, 30, 31):
        with pytest.raises(ValueError, match="height must be a multiple"):
            _sym((bad, 32, 3))
        with pytest.raises(ValueError, match="width must be a multiple"):
            _sym((32, bad, 3))


@pytest.mark.parametrize("method", ["nn_upsample_conv",
                                    "bilinear_upsample_conv"])
def test_resize_conv_upsample_methods(method):
    up = lambda net, num_outputs, stride: cyclegan.cyclegan_upsample(  # noqa
        net, num_outputs, stride, method=method)
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry():
        x = keras.Input((32, 32, 3), batch_size=2)
        out, _ = cyclegan.cyclegan_generator_resnet(
            x, num_filters=4, num_resnet_blocks=1, upsample_fn=up)
        m = keras.Model(x, out)
    assert list(out.shape) == [2, 32, 32, 3]
    assert "decoder/decoder1/upconv/Conv/weights" in [v.path for v in
                                                      m.weights]
    with pytest.raises(ValueError, match="unknown method"):
        cyclegan.cyclegan_upsample(keras.Input((4, 4, 2)), 2, [2, 2],
                                   method="pixel_shuffle")


def test_resize_and_pad_helpers_match_tf():
    x = np.random.default_rng(0).normal(size=(2, 5, 7, 3)).astype("float32")
    for align in (False, True):
        np.testing.assert_allclose(
            upsample.resize_bilinear(x, [10, 14], align_corners=align),
            tf.compat.v1.image.resize_bilinear(x, [10, 14],
                                               align_corners=align),
            rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(
        upsample.resize_nearest(x, [2, 3]),
        tf.image.resize(x, [10, 21], method="nearest"))
    for mode in ("REFLECT", "SYMMETRIC", "CONSTANT"):
        np.testing.assert_array_equal(
            upsample.pad_spatial(x, ((1, 2), 2), mode),
            tf.pad(x, [[0, 0], [1, 2], [2, 2], [0, 0]], mode=mode))
    with pytest.raises(ValueError, match="mode"):
        upsample.pad_spatial(x, (1, 1), "WRAP")


@pytest.mark.slow  # ~10 s; the GAN family's fast one is test_dcgan's
def test_keras_lifecycle(tmp_path):
    with slim.name_registry():
        x = keras.Input((16, 16, 3))
        out, _ = cyclegan.cyclegan_generator_resnet(
            x, num_filters=4, num_resnet_blocks=1)
    model = keras.Model(x, out)
    data = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3))
    data = data.astype("float32")
    gc.check_image_lifecycle(model, data, data, tmp_path)
