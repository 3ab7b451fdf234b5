"""inception_v3 against the golden manifest and the ORIGINAL tf_slim.

Numerics: ``tf_slim.nets.inception_v3`` in graph mode from the same
He-scaled checkpoint (``net_checks.compare_with_oracle``), logits and
every end point (same keys, same order) within rtol=atol=1e-4 (float32).
Fast tests use depth_multiplier=0.1 (min_depth 16) at small inputs; the
full-depth 299x299 comparison is marked slow.
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import inception_v3 as v3
from tests import oracle
from tests.nets import inception_checks as ic
from tests.nets import net_checks as nc


@pytest.fixture
def orig():
    oracle.import_tf_slim()
    from tf_slim.nets import inception_v3 as slim_v3

    return slim_v3


def _compare(orig, tmp_path, size, batch=2, **kw):
    x = nc.random_images((batch, size, size, 3))
    kw.setdefault("num_classes", 7)
    return nc.compare_with_oracle(
        lambda im: orig.inception_v3(im, is_training=False, **kw),
        orig.inception_v3_arg_scope, v3.inception_v3,
        v3.inception_v3_arg_scope, x, tmp_path, is_training=False, **kw)


def test_names_shapes_order_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, "inception_v3")
    nc.check_manifest(manifest, v3.inception_v3, v3.inception_v3_arg_scope,
                      check_order=False)
    ic.check_creation_order(manifest, v3.inception_v3,
                            v3.inception_v3_arg_scope)


def test_small_input_renames_aux_conv_and_pool(orig, tmp_path):
    # 160 px: Mixed_6e is 8x8 -> aux pool 2x2 -> 'Conv2d_2a_2x2'.
    _, _, model = _compare(orig, tmp_path, 160, depth_multiplier=0.1)
    paths = {v.path: tuple(v.shape) for v in model.weights}
    assert paths["InceptionV3/AuxLogits/Conv2d_2a_2x2/weights"] == (
        2, 2, 16, 76)
    assert not any("Conv2d_2a_5x5" in p for p in paths)


@pytest.mark.slow
def test_139_px_gives_1x1_aux_kernel_and_3x3_pool(orig, tmp_path):
    _, eps, model = _compare(orig, tmp_path, 139, batch=1,
                             depth_multiplier=0.1, min_depth=8)
    assert any("AuxLogits/Conv2d_2a_1x1/" in v.path for v in model.weights)
    assert eps["Mixed_7c"].shape[1:3] == (3, 3)


def test_no_squeeze_at_larger_input(orig, tmp_path):
    # 395 px: Mixed_7c is 11x11 -> 8x8 pool, stride 2 -> 2x2 logits.
    ref, _, _ = _compare(orig, tmp_path, 395, batch=1, depth_multiplier=0.1,
                         spatial_squeeze=False, create_aux_logits=False)
    assert ref.shape == (1, 2, 2, 7)


def test_squeeze_on_non_1x1_logits_raises():
    with pytest.raises(ValueError, match="spatial_squeeze"):
        nc.build_functional(v3.inception_v3, v3.inception_v3_arg_scope,
                            (395, 395, 3), num_classes=3,
                            depth_multiplier=0.1, create_aux_logits=False)


def test_base_final_endpoint_matches_tf_slim(orig, tmp_path):
    tf_slim = oracle.import_tf_slim()
    x = nc.random_images((2, 96, 96, 3))

    def ref(im):  # the base alone: pin batch norm to inference like ours
        with tf_slim.arg_scope([tf_slim.batch_norm], is_training=False):
            return orig.inception_v3_base(
                im, final_endpoint="Mixed_6a", depth_multiplier=0.25)

    nc.compare_with_oracle(
        ref,
        orig.inception_v3_arg_scope, v3.inception_v3_base,
        v3.inception_v3_arg_scope, x, tmp_path,
        final_endpoint="Mixed_6a", depth_multiplier=0.25)


@pytest.mark.slow
def test_global_pool_matches_tf_slim_layers(orig, tmp_path):
    """research/slim's global_pool: mean over H, W, then the 1x1 logits.

    tf_slim 1.1.0 has no global_pool; the reference is the original
    inception_v3_base plus tf_slim's conv2d under the same scopes.
    """
    tf_slim = oracle.import_tf_slim()
    import tensorflow as tf

    def ref(im):
        with tf.compat.v1.variable_scope("InceptionV3") as sc, \
                tf_slim.arg_scope([tf_slim.batch_norm], is_training=False):
            net, eps = orig.inception_v3_base(im, scope=sc,
                                              depth_multiplier=0.1)
            with tf.compat.v1.variable_scope("Logits"):
                net = tf.reduce_mean(net, [1, 2], keepdims=True)
                eps["global_pool"] = net
                eps["PreLogits"] = net
                logits = tf_slim.conv2d(net, 7, [1, 1], activation_fn=None,
                                        normalizer_fn=None,
                                        scope="Conv2d_1c_1x1")
                logits = tf.squeeze(logits, [1, 2])
            eps["Logits"] = logits
            eps["Predictions"] = tf.nn.softmax(logits)
        return logits, eps

    x = nc.random_images((1, 200, 200, 3))
    nc.compare_with_oracle(
        lambda im: ref(im), orig.inception_v3_arg_scope, v3.inception_v3,
        v3.inception_v3_arg_scope, x, tmp_path, num_classes=7,
        is_training=False, depth_multiplier=0.1, global_pool=True,
        create_aux_logits=False)


def test_features_only_and_bad_arguments():
    _, logits, eps = nc.build_functional(
        v3.inception_v3, v3.inception_v3_arg_scope, (160, 160, 3),
        num_classes=0, depth_multiplier=0.1)
    assert tuple(logits.shape) == (None, 1, 1, 203)
    assert "AuxLogits" not in eps and "Logits" not in eps
    with pytest.raises(ValueError, match="depth_multiplier"):
        v3.inception_v3(np.zeros((1, 75, 75, 3), "float32"),
                        depth_multiplier=0)
    with pytest.raises(ValueError, match="final_endpoint.*Mixed_9z"):
        v3.inception_v3_base(np.zeros((1, 75, 75, 3), "float32"),
                             final_endpoint="Mixed_9z")


def test_registry_entry():
    spec = slim.nets.get_net("inception_v3")
    assert spec.default_image_size == 299 and spec.num_classes == 1001
    assert spec.logits_scopes == ("InceptionV3/Logits",
                                  "InceptionV3/AuxLogits")
    assert spec.preprocessing == "inception"


def test_keras_lifecycle(tmp_path):
    model = slim.nets.create_model(
        "inception_v3", num_classes=3, input_shape=(139, 139, 3),
        depth_multiplier=0.1, min_depth=8, create_aux_logits=False)
    x = nc.random_images((2, 139, 139, 3))
    nc.check_keras_lifecycle(model, x, np.array([0, 2]), tmp_path)


def _aux_model(num_classes, is_training=None):
    model, _, eps = nc.build_functional(
        v3.inception_v3, v3.inception_v3_arg_scope, (139, 139, 3),
        num_classes=num_classes, depth_multiplier=0.1, min_depth=8,
        is_training=is_training)
    return _dict_model(model.inputs, eps)


def _dict_model(inputs, eps):
    import keras

    return keras.Model(inputs, {"Logits": eps["Logits"],
                                "AuxLogits": eps["AuxLogits"]})


def test_fine_tune_excluding_logits_and_aux(tmp_path):
    # Batch norm frozen (is_training=False) while fine-tuning on 4 images:
    # the loss that goes down is the inference loss that is measured.
    ckpt = str(tmp_path / "full.ckpt")
    nc.write_checkpoint(_aux_model(10).weights, ckpt)
    x = nc.random_images((4, 139, 139, 3), seed=1)
    report = ic.check_aux_fine_tune(
        lambda n: _aux_model(n, is_training=False), ckpt,
        slim.nets.get_net("inception_v3").logits_scopes,
        "InceptionV3/AuxLogits", x, np.array([0, 1, 2, 3]))
    assert report["restored"] > 0


@pytest.mark.slow
def test_full_size_matches_tf_slim(orig, tmp_path):
    _compare(orig, tmp_path, 299, batch=1, num_classes=1001)
