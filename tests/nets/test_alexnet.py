"""alexnet_v2 against the golden manifest and the original tf_slim.

Numerics: ``tf_slim.nets.alexnet`` in graph mode from the same (He-scaled)
checkpoint; logits and every end point within rtol=atol=1e-4 (float32).
Fast tests divide every conv width by 16 on both sides
(``net_checks.narrow_conv_widths``) at real spatial sizes; the full-width
comparison at 224 is marked slow.
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import _conv_fc, alexnet
from tests import oracle
from tests.nets import net_checks as nc

NAME = "alexnet_v2"
MIN_SIZE = 195  # smallest input whose pool5 is 5x5 (fc6 is 5x5 VALID)


@pytest.fixture
def tf_slim_net():
    oracle.import_tf_slim()
    from tf_slim.nets import alexnet as slim_alexnet

    return slim_alexnet


@pytest.fixture
def narrow(monkeypatch, tf_slim_net):
    # fc6-fc8 are built by the shared skeleton in _conv_fc.py: patch both
    # modules.
    nc.narrow_conv_widths(monkeypatch, [tf_slim_net], [alexnet, _conv_fc])


def test_names_and_shapes_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, NAME)
    nc.check_manifest(manifest, alexnet.alexnet_v2,
                      alexnet.alexnet_v2_arg_scope)


@pytest.mark.parametrize("size,squeeze", [
    (MIN_SIZE, True), (224, True), (256, False),  # 256: fc8 is 2x2
])
def test_matches_tf_slim(tmp_path, tf_slim_net, narrow, size, squeeze):
    x = nc.random_images((2, size, size, 3))
    ref, eps, _ = nc.compare_with_oracle(
        lambda im: tf_slim_net.alexnet_v2(
            im, num_classes=7, is_training=False, spatial_squeeze=squeeze),
        tf_slim_net.alexnet_v2_arg_scope, alexnet.alexnet_v2,
        alexnet.alexnet_v2_arg_scope, x, tmp_path, num_classes=7,
        is_training=False, spatial_squeeze=squeeze)
    assert list(eps)[-1] == "alexnet_v2/fc8"
    if size == 256:
        assert ref.shape == (2, 2, 2, 7)


def test_features_only_and_global_pool(tmp_path, tf_slim_net, narrow):
    """num_classes=None -> fc7; global_pool -> its mean (research/slim).

    tf_slim 1.1.0 has neither: the reference is the original's fc7/fc8 at
    a fully-convolutional 256x256 input (fc8 linear: fc8(mean) = mean(fc8)).
    """
    x = nc.random_images((1, 256, 256, 3), seed=2)
    full, _, _ = nc.build_functional(
        alexnet.alexnet_v2, alexnet.alexnet_v2_arg_scope, x.shape[1:],
        num_classes=7, spatial_squeeze=False)
    ckpt = str(tmp_path / "w.ckpt")
    nc.write_checkpoint(full.weights, ckpt)

    def build(im):
        with tf_slim_net.arg_scope(tf_slim_net.alexnet_v2_arg_scope()):
            return tf_slim_net.alexnet_v2(im, num_classes=7, is_training=False,
                                          spatial_squeeze=False)[1]

    ref, _ = oracle.run_slim(build, x, checkpoint_in=ckpt)
    feats, _, eps = nc.build_functional(
        alexnet.alexnet_v2, alexnet.alexnet_v2_arg_scope, x.shape[1:],
        num_classes=None)
    assert list(eps)[-1] == "alexnet_v2/fc7"
    oracle.load_by_name(feats, ckpt)
    np.testing.assert_allclose(feats(x)[0], ref["alexnet_v2/fc7"],
                               rtol=1e-4, atol=1e-4)
    pooled, _, eps = nc.build_functional(
        alexnet.alexnet_v2, alexnet.alexnet_v2_arg_scope, x.shape[1:],
        num_classes=7, global_pool=True)
    assert list(eps)[-2:] == ["global_pool", "alexnet_v2/fc8"]
    oracle.load_by_name(pooled, ckpt)
    out, ep = pooled(x)
    np.testing.assert_allclose(
        ep["global_pool"], ref["alexnet_v2/fc7"].mean((1, 2), keepdims=True),
        rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out, ref["alexnet_v2/fc8"].mean((1, 2)),
                               rtol=1e-4, atol=1e-4)


def test_keras_lifecycle(tmp_path, narrow):
    model = slim.nets.create_model(NAME, num_classes=5,
                                   input_shape=(MIN_SIZE, MIN_SIZE, 3))
    x = nc.random_images((2, MIN_SIZE, MIN_SIZE, 3))
    nc.check_keras_lifecycle(model, x, np.array([1, 3]), tmp_path)


def test_fine_tune(tmp_path, narrow):
    def make(num_classes):
        return slim.nets.create_model(
            NAME, num_classes=num_classes, dropout_keep_prob=1.0,
            input_shape=(MIN_SIZE, MIN_SIZE, 3))

    ckpt = str(tmp_path / "pretrained.ckpt")
    nc.write_checkpoint(make(1000).weights, ckpt)
    x = nc.random_images((4, MIN_SIZE, MIN_SIZE, 3))
    nc.check_fine_tune(make, ckpt, slim.nets.get_net(NAME).logits_scopes,
                       x, np.arange(4) % 5, learning_rate=1e-3)


@pytest.mark.slow
def test_full_width_matches_tf_slim(tmp_path, tf_slim_net):
    x = nc.random_images((1, 224, 224, 3))
    nc.compare_with_oracle(
        lambda im: tf_slim_net.alexnet_v2(im, is_training=False),
        tf_slim_net.alexnet_v2_arg_scope, alexnet.alexnet_v2,
        alexnet.alexnet_v2_arg_scope, x, tmp_path, is_training=False)
