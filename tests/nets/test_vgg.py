"""VGG (vgg_a, vgg_16, vgg_19) against the golden manifests and tf_slim.

Numerics: the ORIGINAL ``tf_slim.nets.vgg`` in graph mode, same weights
(He-scaled checkpoint written from our variable names), logits and every
end point within rtol=atol=1e-4 (float32; observed differences ~1e-6).
Fast tests run at the real 224x224 spatial size with every conv width
divided by 16 on both sides (``net_checks.narrow_conv_widths``); the full
width comparison is marked slow.
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import vgg
from tests import oracle
from tests.nets import net_checks as nc

NETS = ["vgg_a", "vgg_16", "vgg_19"]


@pytest.fixture
def tf_slim_vgg():
    oracle.import_tf_slim()
    from tf_slim.nets import vgg as slim_vgg

    return slim_vgg


@pytest.fixture
def narrow(monkeypatch, tf_slim_vgg):
    nc.narrow_conv_widths(monkeypatch, [tf_slim_vgg], [vgg])


@pytest.mark.parametrize("name", NETS)
def test_names_and_shapes_match_manifest(golden_dir, name):
    manifest = nc.load_manifest(golden_dir, name)
    nc.check_manifest(manifest, getattr(vgg, name), vgg.vgg_arg_scope)


@pytest.mark.parametrize("name,squeeze", [
    ("vgg_a", True), ("vgg_16", True), ("vgg_16", False), ("vgg_19", True),
])
def test_matches_tf_slim(tmp_path, tf_slim_vgg, narrow, name, squeeze):
    x = nc.random_images((1, 224, 224, 3))
    nc.compare_with_oracle(
        lambda im: getattr(tf_slim_vgg, name)(
            im, num_classes=7, is_training=False, spatial_squeeze=squeeze),
        tf_slim_vgg.vgg_arg_scope, getattr(vgg, name), vgg.vgg_arg_scope,
        x, tmp_path, num_classes=7, is_training=False,
        spatial_squeeze=squeeze)


def _oracle_fc(tf_slim_vgg, x, tmp_path, size_model):
    """The original vgg_16 (7 classes, unsqueezed) from our weights."""
    ckpt = str(tmp_path / "w.ckpt")
    nc.write_checkpoint(size_model.weights, ckpt)

    def build(im):
        with tf_slim_vgg.arg_scope(tf_slim_vgg.vgg_arg_scope()):
            return tf_slim_vgg.vgg_16(im, num_classes=7, is_training=False,
                                      spatial_squeeze=False)[1]

    ref, _ = oracle.run_slim(build, x, checkpoint_in=ckpt)
    return ref, ckpt


def test_features_only_and_global_pool(tmp_path, tf_slim_vgg, narrow):
    """num_classes=None returns fc7; global_pool averages it (research/slim).

    tf_slim 1.1.0 has neither argument: the reference is the original's
    fc7 end point (and its spatial mean), computed by the original net at
    a fully-convolutional 256x256 input (fc7 is 2x2 there).
    """
    x = nc.random_images((1, 256, 256, 3), seed=1)
    full, _, _ = nc.build_functional(vgg.vgg_16, vgg.vgg_arg_scope,
                                     x.shape[1:], num_classes=7,
                                     spatial_squeeze=False)
    ref, ckpt = _oracle_fc(tf_slim_vgg, x, tmp_path, full)
    fc7, fc8 = ref["vgg_16/fc7"], ref["vgg_16/fc8"]
    assert fc8.shape == (1, 2, 2, 7)

    feats, _, eps = nc.build_functional(vgg.vgg_16, vgg.vgg_arg_scope,
                                        x.shape[1:], num_classes=None)
    assert "vgg_16/fc8" not in eps
    assert not any("fc8" in v.path for v in feats.weights)
    oracle.load_by_name(feats, ckpt, strict=True)
    out, ep = feats(x, training=False)
    np.testing.assert_allclose(out, fc7, rtol=1e-4, atol=1e-4)
    assert list(ep) == [k for k in ref if k != "vgg_16/fc8"]

    pooled, _, eps = nc.build_functional(vgg.vgg_16, vgg.vgg_arg_scope,
                                         x.shape[1:], num_classes=0,
                                         global_pool=True)
    assert list(eps)[-1] == "global_pool"
    oracle.load_by_name(pooled, ckpt)
    out, _ = pooled(x, training=False)
    np.testing.assert_allclose(out, fc7.mean(axis=(1, 2), keepdims=True),
                               rtol=1e-4, atol=1e-4)

    # fc8 is linear, so fc8(mean(fc7)) == mean(fc8(fc7)) of the original.
    logits_model, _, eps = nc.build_functional(
        vgg.vgg_16, vgg.vgg_arg_scope, x.shape[1:], num_classes=7,
        global_pool=True)
    assert list(eps)[-2:] == ["global_pool", "vgg_16/fc8"]
    oracle.load_by_name(logits_model, ckpt)
    out, _ = logits_model(x, training=False)
    np.testing.assert_allclose(out, fc8.mean(axis=(1, 2)), rtol=1e-4,
                               atol=1e-4)


def test_fully_convolutional_shapes(narrow):
    """fc_conv_padding: VALID gives input/32 - 6, SAME gives input/32."""
    for padding, size, want in [("VALID", 288, 3), ("SAME", 64, 2)]:
        _, logits, eps = nc.build_functional(
            vgg.vgg_a, vgg.vgg_arg_scope, (size, size, 3), num_classes=4,
            spatial_squeeze=False, fc_conv_padding=padding)
        assert tuple(logits.shape) == (None, want, want, 4)
        assert tuple(eps["vgg_a/fc8"].shape) == (None, want, want, 4)


def test_eager_call_and_is_training(narrow):
    x = nc.random_images((2, 32, 32, 3))
    with slim.name_registry(), slim.arg_scope(vgg.vgg_arg_scope()):
        logits, eps = vgg.vgg_a(x, num_classes=3, fc_conv_padding="SAME",
                                is_training=False)
    assert logits.shape == (2, 3)
    assert list(eps)[0] == "vgg_a/conv1/conv1_1"
    model = slim.Model(vgg.vgg_a, fn_kwargs={
        "num_classes": 3, "fc_conv_padding": "SAME", "dropout_keep_prob": 0.5,
    }, arg_scope=vgg.vgg_arg_scope())
    a = model(x, training=False)
    b = model(x, training=False)
    c = model(x, training=True)
    a, b, c = (t[0] if isinstance(t, (tuple, list)) else t for t in (a, b, c))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)  # dropout follows Keras's training flag


def test_bad_num_classes():
    with pytest.raises(ValueError, match="num_classes"):
        vgg.vgg_16(np.zeros((1, 224, 224, 3), "float32"), num_classes=-2)


def test_keras_lifecycle(tmp_path, narrow):
    model = slim.nets.create_model(
        "vgg_16", num_classes=5, input_shape=(32, 32, 3),
        fc_conv_padding="SAME", weight_decay=5e-4)
    assert model.weights[0].path == "vgg_16/conv1/conv1_1/weights"
    assert len(model.losses) == 16  # l2 on every conv of vgg_arg_scope
    x = nc.random_images((4, 32, 32, 3))
    y = np.arange(4) % 5
    nc.check_keras_lifecycle(model, x, y, tmp_path)


def test_fine_tune(tmp_path, narrow):
    def make(num_classes):
        return slim.nets.create_model(
            "vgg_16", num_classes=num_classes, input_shape=(32, 32, 3),
            fc_conv_padding="SAME", dropout_keep_prob=1.0)

    ckpt = str(tmp_path / "pretrained.ckpt")
    nc.write_checkpoint(make(7).weights, ckpt)
    x = nc.random_images((8, 32, 32, 3))
    y = np.arange(8) % 5
    spec = slim.nets.get_net("vgg_16")
    nc.check_fine_tune(make, ckpt, spec.logits_scopes, x, y, steps=5,
                       learning_rate=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("name", NETS)
def test_full_width_matches_tf_slim(tmp_path, tf_slim_vgg, name):
    x = nc.random_images((1, 224, 224, 3))
    nc.compare_with_oracle(
        lambda im: getattr(tf_slim_vgg, name)(im, is_training=False),
        tf_slim_vgg.vgg_arg_scope, getattr(vgg, name), vgg.vgg_arg_scope,
        x, tmp_path, is_training=False)
