"""S3D-G (and its building blocks) against the original.

References: ``../shared/golden/s3dg_dm025`` (research/slim @ 169dcbd
``s3dg.s3dg(x, 10, depth_multiplier=0.25, is_training=False)`` in
``s3dg_arg_scope()``, input [2, 8, 48, 48, 3]). Tolerance: no noise file
exists for this case, so the golden README's ``rtol = atol = 1e-4``
applies to logits and every end point. Variables are compared as a set
with the manifest (a functional model lists weights in graph order, not
TF1 creation order; the checkpoint is by name); end-point order is
checked. Other sizes: the shape assertions of upstream ``s3dg_test.py``
(ported, symbolic builds). The separable conv + self-gating block is also
compared with the ORIGINAL tf_slim ``conv3d``/``avg_pool3d`` (graph mode,
shared checkpoint), rtol = atol = 1e-4.
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import i3d_utils, s3dg
from tests import oracle
from tests.nets import golden_checks as gc
from tests.nets import net_checks as nc

END_POINTS = ['Conv2d_1a_7x7', 'MaxPool_2a_3x3', 'Conv2d_2b_1x1',
              'Conv2d_2c_3x3', 'MaxPool_3a_3x3', 'Mixed_3b', 'Mixed_3c',
              'MaxPool_4a_3x3', 'Mixed_4b', 'Mixed_4c', 'Mixed_4d',
              'Mixed_4e', 'Mixed_4f', 'MaxPool_5a_2x2', 'Mixed_5b',
              'Mixed_5c']

SHAPES_224_64 = {
    'Conv2d_1a_7x7': [5, 32, 112, 112, 64],
    'MaxPool_2a_3x3': [5, 32, 56, 56, 64],
    'Conv2d_2b_1x1': [5, 32, 56, 56, 64],
    'Conv2d_2c_3x3': [5, 32, 56, 56, 192],
    'MaxPool_3a_3x3': [5, 32, 28, 28, 192],
    'Mixed_3b': [5, 32, 28, 28, 256],
    'Mixed_3c': [5, 32, 28, 28, 480],
    'MaxPool_4a_3x3': [5, 16, 14, 14, 480],
    'Mixed_4b': [5, 16, 14, 14, 512],
    'Mixed_4c': [5, 16, 14, 14, 512],
    'Mixed_4d': [5, 16, 14, 14, 512],
    'Mixed_4e': [5, 16, 14, 14, 528],
    'Mixed_4f': [5, 16, 14, 14, 832],
    'MaxPool_5a_2x2': [5, 8, 7, 7, 832],
    'Mixed_5b': [5, 8, 7, 7, 832],
    'Mixed_5c': [5, 8, 7, 7, 1024]}


def _base(shape, batch=5, **kw):
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry(), slim.arg_scope(s3dg.s3dg_arg_scope()):
        x = keras.Input(shape, batch_size=batch)
        return s3dg.s3dg_base(x, **kw)


def test_golden_s3dg_dm025(golden_dir):
    gc.check_golden(golden_dir, "s3dg_dm025", s3dg.s3dg, s3dg.s3dg_arg_scope,
                    check_order=False)


@pytest.mark.slow  # three full-width symbolic builds, ~7 s
def test_upstream_base_shapes_and_end_points():
    net, eps = _base((64, 224, 224, 3))
    assert list(eps) == END_POINTS
    for key, shape in SHAPES_224_64.items():
        assert list(eps[key].shape) == shape, key
    assert net is eps["Mixed_5c"]
    net, _ = _base((64, 112, 112, 3))
    assert list(net.shape) == [5, 8, 4, 4, 1024]
    net, _ = _base((10, 224, 224, 3))
    assert list(net.shape) == [5, 2, 7, 7, 1024]


@pytest.mark.slow  # 16 symbolic builds, ~13 s
def test_upstream_final_endpoints_without_gating():
    for i, ep in enumerate(END_POINTS):
        net, eps = _base((16, 64, 64, 3), batch=1, final_endpoint=ep,
                         gating_startat=None, depth_multiplier=0.25)
        assert list(eps) == END_POINTS[:i + 1]
        assert net is eps[ep]


def test_classifier_and_options():
    with keras.StatelessScope(initialize_variables=False):
        model, logits, eps = nc.build_functional(
            s3dg.s3dg, s3dg.s3dg_arg_scope, (64, 224, 224, 3), batch_size=5,
            num_classes=1000)
    assert list(logits.shape) == [5, 1000]
    assert list(eps["Predictions"].shape) == [5, 1000]
    assert list(eps) == END_POINTS + ["Logits", "Predictions"]
    paths = {v.path: list(v.shape) for v in model.weights}
    assert paths["InceptionV1/Conv2d_1a_7x7/weights"] == [3, 7, 7, 3, 64]
    assert paths["InceptionV1/Conv2d_2c_3x3/weights"] == [1, 3, 3, 64, 192]
    assert paths["InceptionV1/Conv2d_2c_3x3/temporal/weights"] == [
        3, 1, 1, 192, 192]
    assert "InceptionV1/Conv2d_1a_7x7/BatchNorm/gamma" not in paths
    assert ("InceptionV1/Mixed_5c/Branch_3/Conv2d_0b_1x1/self_gating/"
            "transformer_W/weights") in paths
    assert paths["InceptionV1/Logits/Conv2d_0c_1x1/biases"] == [1000]
    # Without temporal convs / gating: no temporal or gating variables.
    with keras.StatelessScope(initialize_variables=False):
        model, _, _ = nc.build_functional(
            s3dg.s3dg, s3dg.s3dg_arg_scope, (8, 64, 64, 3), batch_size=1,
            num_classes=5, temporal_conv_startat=None, gating_startat=None,
            first_temporal_kernel_size=1, depth_multiplier=0.25)
    assert not any("temporal" in v.path or "self_gating" in v.path
                   for v in model.weights)
    # min_depth floors every width at 16 for small multipliers.
    _, eps = _base((8, 64, 64, 3), batch=1, depth_multiplier=0.1)
    assert eps["Conv2d_1a_7x7"].shape[-1] == 16
    # int(192 * .1) + int(208 * .1) + max(int(48 * .1), 16) + 16
    assert eps["Mixed_4b"].shape[-1] == 19 + 20 + 16 + 16
    with pytest.raises(ValueError, match="first_temporal_kernel_size"):
        _base((8, 64, 64, 3), first_temporal_kernel_size=2)
    with pytest.raises(ValueError, match="depth_multiplier"):
        _base((8, 64, 64, 3), depth_multiplier=0)
    with pytest.raises(ValueError, match="final_endpoint|Mixed_9z"):
        _base((8, 64, 64, 3), final_endpoint="Mixed_9z")


def test_separable_conv_and_self_gating_match_tf_slim(tmp_path):
    tf_slim = oracle.import_tf_slim()
    import tensorflow as tf

    def slim_build(x):
        # What research/slim's conv3d_spatiotemporal(separable=True) and
        # self_gating build, written with the original tf_slim layers.
        bn = {"fused": False, "is_training": False, "epsilon": 1e-3}
        net = tf_slim.conv3d(x, 8, [1, 3, 3], stride=[1, 2, 2],
                             normalizer_fn=tf_slim.batch_norm,
                             normalizer_params=bn, scope="blk")
        net = tf_slim.conv3d(net, 8, [3, 1, 1], stride=[2, 1, 1],
                             scope="blk/temporal")
        avg = tf_slim.avg_pool3d(net, [2, 4, 4], stride=1)
        w = tf_slim.conv3d(avg, 8, [1, 1, 1], activation_fn=None,
                           biases_initializer=None,
                           scope="blk/self_gating/transformer_W")
        gated = tf.sigmoid(tf.tile(w, [1, 2, 4, 4, 1])) * net
        return gated, {"temporal": net, "gated": gated}

    def ours(x):
        with slim.arg_scope([slim.batch_norm], is_training=False):
            net = i3d_utils.conv3d_spatiotemporal(
                x, 8, [3, 3, 3], stride=2, separable=True,
                activation_fn="relu", normalizer_fn=slim.batch_norm,
                normalizer_params={"fused": False}, scope="blk")
        gated = s3dg.self_gating(net, scope="blk")
        return gated, {"temporal": net, "gated": gated}

    x = nc.random_images((2, 4, 8, 8, 3))
    ref_logits, _, model = nc.compare_with_oracle(
        slim_build, None, ours, None, x, tmp_path)
    assert sorted(v.path for v in model.weights) == [
        "blk/BatchNorm/beta", "blk/BatchNorm/moving_mean",
        "blk/BatchNorm/moving_variance",
        "blk/self_gating/transformer_W/weights",
        "blk/temporal/biases", "blk/temporal/weights", "blk/weights"]
    assert ref_logits.shape == (2, 2, 4, 4, 8)


def test_center_initializer():
    w = np.asarray(i3d_utils.center_initializer()((3, 1, 1, 4, 4)))
    want = np.zeros((3, 1, 1, 4, 4), np.float32)
    want[1, 0, 0, range(4), range(4)] = 1
    np.testing.assert_array_equal(w, want)
    for bad in ((2, 1, 1, 4, 4), (3, 1, 1, 4, 5), (3, 2, 1, 4, 4)):
        with pytest.raises(ValueError):
            i3d_utils.center_initializer()(bad)


@pytest.mark.slow  # ~100 s on 2 shared cores: 3-D conv gradients + save
def test_registry_and_keras_lifecycle(tmp_path):
    spec = slim.nets.get_net("s3dg")
    assert spec.default_image_size == 224 and spec.num_classes == 1000
    assert spec.logits_scopes == ("InceptionV1/Logits",)
    model = slim.nets.create_model("s3dg", num_classes=5,
                                   input_shape=(2, 16, 16, 3),
                                   depth_multiplier=0.1)
    x = nc.random_images((2, 2, 16, 16, 3))
    nc.check_keras_lifecycle(model, x, np.array([0, 3]), tmp_path, jit=False)
