"""``create_model``: Keras-shaped logits, features, headless backbones, aux
heads kept for export, classes read from a local checkpoint, research/slim's
``global_pool`` end point."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from slimkeras import checkpoints, nets


def _x(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(
        np.float32)


def test_logits_are_batch_by_classes_and_fit_works():
    # resnet_v1 returns [N, 1, 1, C] from the slim net function (tf_slim's
    # default); create_model gives Keras's (N, C).
    resnet = nets.create_model("resnet_v1_50", num_classes=5,
                               input_shape=(32, 32, 3))
    assert tuple(resnet.output.shape) == (None, 5)
    mnet = nets.create_model("mobilenet_v1_025", num_classes=3,
                             input_shape=(64, 64, 3))
    assert tuple(mnet.output.shape) == (None, 3)
    # The explicit slim option still wins.
    raw = nets.create_model("mobilenet_v1_025", num_classes=3,
                            input_shape=(64, 64, 3), spatial_squeeze=False)
    assert tuple(raw.output.shape) == (None, 1, 1, 3)
    model = nets.create_model("lenet", num_classes=4)
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    hist = model.fit(_x((8, 28, 28, 1)), np.arange(8) % 4, epochs=1,
                     verbose=0)
    assert np.isfinite(hist.history["loss"][0])


def test_features_and_headless_backbone():
    x = _x((2, 64, 64, 3), seed=1)
    full = nets.create_model("mobilenet_v1_025", num_classes=7,
                             input_shape=(64, 64, 3), outputs="both")
    head = nets.create_model("mobilenet_v1_025", num_classes=0,
                             input_shape=(64, 64, 3))
    feats = nets.create_model("mobilenet_v1_025", outputs="features",
                              input_shape=(64, 64, 3))
    assert tuple(head.output.shape) == tuple(feats.output.shape) == (
        None, 256)
    assert not any("Logits" in w.path for w in head.weights)
    # Same body weights -> the features are the pooled input of the logits.
    values = {w.path: w for w in full.weights}
    for m in (head, feats):
        for w in m.weights:
            w.assign(values[w.path])
    logits, eps = full(x, training=False)
    pooled = np.asarray(eps["AvgPool_1a"])[:, 0, 0]
    np.testing.assert_allclose(head(x, training=False), pooled, rtol=1e-6,
                               atol=1e-6)
    np.testing.assert_allclose(feats(x, training=False), pooled, rtol=1e-6,
                               atol=1e-6)
    w = values["MobilenetV1/Logits/Conv2d_1c_1x1/weights"].numpy()[0, 0]
    b = values["MobilenetV1/Logits/Conv2d_1c_1x1/biases"].numpy()
    np.testing.assert_allclose(logits, pooled @ w + b, rtol=1e-4, atol=1e-5)


def test_aux_head_is_kept_for_export(tmp_path):
    model = nets.create_model("inception_v3", num_classes=5)
    aux = [w.path for w in model.weights if "/AuxLogits/" in w.path]
    assert "InceptionV3/AuxLogits/Conv2d_2b_1x1/weights" in aux
    assert "InceptionV3/AuxLogits/Conv2d_2a_5x5/weights" in aux
    assert not any("/AuxLogits/" in w.path for w in model.trainable_weights)
    assert tuple(model.output.shape) == (None, 5)
    prefix = checkpoints.save_tf1_checkpoint(model, tmp_path / "model.ckpt")
    names = tf.train.load_checkpoint(str(prefix)).get_variable_to_shape_map()
    assert set(aux) <= set(names)
    assert names["InceptionV3/AuxLogits/Conv2d_2b_1x1/weights"][-1] == 5


def test_classes_come_from_a_local_checkpoint(tmp_path, caplog):
    src = nets.create_model("lenet", num_classes=7)
    prefix = checkpoints.save_tf1_checkpoint(src, tmp_path / "lenet.ckpt")
    x = _x((3, 28, 28, 1), seed=2)
    model = nets.create_model("lenet", checkpoint_path=str(tmp_path))
    assert tuple(model.output.shape) == (None, 7)
    assert model.pretrained_cfg is None
    assert len(model.restore_report.restored) == len(src.weights)
    np.testing.assert_allclose(model(x, training=False),
                               src(x, training=False), rtol=1e-6, atol=1e-6)
    other = nets.create_model("lenet", num_classes=3, checkpoint_path=prefix)
    assert sorted(other.restore_report.excluded) == [
        "LeNet/fc4/biases", "LeNet/fc4/weights"]
    assert "LeNet/fc4" in caplog.text and "NOT restored" in caplog.text


def test_resnet_v2_global_pool_end_point():
    # research/slim's end point (spatial_squeeze=True, create_model's
    # default); a one-block resnet_v2 keeps the test cheap.
    from slimkeras import naming, scopes
    from slimkeras.nets import resnet_utils, resnet_v2

    assert nets.get_net("resnet_v2_50").num_classes == 1001
    x = _x((2, 32, 32, 3), seed=3)
    blocks = [resnet_v2.resnet_v2_block("block1", 8, 2, 2)]
    inputs = keras.Input((32, 32, 3))
    with naming.name_registry(), scopes.arg_scope(
            resnet_utils.resnet_arg_scope()):
        _, eps = resnet_v2.resnet_v2(inputs, blocks, num_classes=4,
                                     scope="tiny", spatial_squeeze=True)
    keys = list(eps)
    assert keys[-4:] == ["global_pool", "tiny/logits",
                         "tiny/spatial_squeeze", "predictions"]
    model = keras.Model(inputs, dict(eps))
    out = model(x, training=False)
    pooled = np.asarray(out["global_pool"])
    assert pooled.shape == (2, 1, 1, 32)
    # It is the pooled input of the logits layer.
    w = {v.path: v.numpy() for v in model.weights}
    np.testing.assert_allclose(
        out["tiny/spatial_squeeze"],
        pooled[:, 0, 0] @ w["tiny/logits/weights"][0, 0]
        + w["tiny/logits/biases"], rtol=1e-4, atol=1e-5)
    # tf_slim's form (the default of the net function) has no such key.
    with naming.name_registry(), scopes.arg_scope(
            resnet_utils.resnet_arg_scope()):
        _, plain = resnet_v2.resnet_v2(keras.Input((32, 32, 3)), blocks,
                                       num_classes=4, scope="tiny")
    assert "global_pool" not in plain


def test_bad_outputs_and_pretrained_values():
    with pytest.raises(ValueError, match="'features'"):
        nets.create_model("lenet", outputs="all")
    with pytest.raises(ValueError, match="Two tags"):
        nets.create_model("mobilenet_v1.192", pretrained="160")
