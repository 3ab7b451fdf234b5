"""Smoke parity: conv2d + batch_norm against the original tf-slim."""

import numpy as np
import pytest

import slimkeras as slim
from tests.oracle import import_tf_slim, load_by_name, run_slim


@pytest.mark.parametrize("stride,rate,padding,size", [
    (1, 1, "SAME", 8), (2, 1, "SAME", 7), (1, 2, "VALID", 9), (2, 1, "VALID", 8),
])
def test_conv2d_bn_matches_tf_slim(tmp_path, stride, rate, padding, size):
    tf_slim = import_tf_slim()
    x = np.random.default_rng(0).normal(size=(2, size, size, 3)).astype("float32")
    ckpt = str(tmp_path / "ref")

    def build(inp):
        with tf_slim.arg_scope([tf_slim.conv2d], normalizer_fn=tf_slim.batch_norm,
                               normalizer_params={"scale": True, "is_training": False}):
            return tf_slim.conv2d(inp, 5, [3, 3], stride=stride, rate=rate,
                                  padding=padding, scope="net/conv1")

    ref, values = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.3)
    with slim.name_registry():
        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                            normalizer_params={"scale": True, "is_training": False}):
            layer = slim.layers.Conv2D(5, [3, 3], stride=stride, rate=rate,
                                       padding=padding, scope="net/conv1")
    layer.build(x.shape)
    assert sorted(v.path for v in layer.weights) == sorted(values)
    load_by_name(layer, ckpt)
    np.testing.assert_allclose(layer(x), ref, rtol=1e-5, atol=1e-5)
