"""inception_resnet_v2 against the golden manifest; blocks vs tf_slim.

research/slim's net is not pip-installable: names, shapes and end points
come from ``../shared/golden/inception_resnet_v2/manifest.json``;
numerics are checked per residual block, rebuilt here from ``tf_slim``
layers in graph mode as research/slim defines it (scale, relu6 clipping,
activation None), from the same He-scaled checkpoint, within
rtol=atol=1e-4 (float32).
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import inception_resnet_v2 as irv2
from tests import oracle
from tests.nets import inception_checks as ic
from tests.nets import net_checks as nc


def test_names_shapes_order_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, "inception_resnet_v2")
    nc.check_manifest(manifest, irv2.inception_resnet_v2,
                      irv2.inception_resnet_v2_arg_scope, check_order=False)
    ic.check_creation_order(manifest, irv2.inception_resnet_v2,
                            irv2.inception_resnet_v2_arg_scope)


def _slim_block35(tf_slim, net, scale, activation_fn):
    import tensorflow as tf

    conv = tf_slim.conv2d
    with tf.compat.v1.variable_scope("block35_1"):
        with tf.compat.v1.variable_scope("Branch_0"):
            t0 = conv(net, 32, 1, scope="Conv2d_1x1")
        with tf.compat.v1.variable_scope("Branch_1"):
            t1 = conv(net, 32, 1, scope="Conv2d_0a_1x1")
            t1 = conv(t1, 32, 3, scope="Conv2d_0b_3x3")
        with tf.compat.v1.variable_scope("Branch_2"):
            t2 = conv(net, 32, 1, scope="Conv2d_0a_1x1")
            t2 = conv(t2, 48, 3, scope="Conv2d_0b_3x3")
            t2 = conv(t2, 64, 3, scope="Conv2d_0c_3x3")
        mixed = tf.concat([t0, t1, t2], 3)
        up = conv(mixed, net.get_shape()[3], 1, normalizer_fn=None,
                  activation_fn=None, scope="Conv2d_1x1")
        scaled = up * scale
        if activation_fn == tf.nn.relu6:
            scaled = tf.clip_by_value(scaled, -6.0, 6.0)
        net = net + scaled
        return activation_fn(net) if activation_fn else net


def _ref_fn(scale, act_name):
    def ref(im):
        import tensorflow as tf

        tf_slim = oracle.import_tf_slim()
        act = {"relu": tf.nn.relu, "relu6": tf.nn.relu6, None: None}[act_name]
        with tf_slim.arg_scope([tf_slim.batch_norm], is_training=False):
            return _slim_block35(tf_slim, im, scale, act), {}
    return ref


@pytest.mark.parametrize("scale,act", [
    (0.17, "relu"), (3.0, "relu6"), (1.0, None)])
def test_block35_matches_tf_slim_layers(tmp_path, scale, act):
    oracle.import_tf_slim()
    from tf_slim.nets import inception_v3 as arg_src  # same BN scope
    ours_act = {"relu": slim.relu, "relu6": slim.relu6, None: None}[act]
    # relu6 with a large scale exercises the [-6, 6] residual clipping.
    x = nc.random_images((2, 7, 7, 24)) * (8.0 if act == "relu6" else 1.0)
    nc.compare_with_oracle(
        _ref_fn(scale, act), arg_src.inception_v3_arg_scope,
        lambda im: (irv2.block35(im, scale=scale, activation_fn=ours_act,
                                 scope="block35_1"), {}),
        irv2.inception_resnet_v2_arg_scope, x, tmp_path)


def test_base_prefix_align_and_output_stride(golden_dir):
    manifest = nc.load_manifest(golden_dir, "inception_resnet_v2")
    ic.check_manifest_prefix(
        manifest, irv2.inception_resnet_v2_base,
        irv2.inception_resnet_v2_arg_scope, "Mixed_6a",
        manifest["input_shape"])
    _, net, eps = nc.build_functional(
        irv2.inception_resnet_v2_base, irv2.inception_resnet_v2_arg_scope,
        (64, 64, 3), final_endpoint="PreAuxLogits", align_feature_maps=True,
        output_stride=8)
    assert eps["Conv2d_1a_3x3"].shape[1:3] == (32, 32)
    assert tuple(net.shape[1:]) == (8, 8, 1088)
    with pytest.raises(ValueError, match="output_stride"):
        irv2.inception_resnet_v2_base(np.zeros((1, 75, 75, 3), "float32"),
                                      output_stride=4)


def test_features_only():
    _, net, eps = nc.build_functional(
        irv2.inception_resnet_v2, irv2.inception_resnet_v2_arg_scope,
        (75, 75, 3), num_classes=0)
    assert tuple(net.shape) == (None, 1, 1, 1536)
    assert "AuxLogits" not in eps and list(eps)[-1] == "global_pool"


def test_registry_entry():
    spec = slim.nets.get_net("inception_resnet_v2")
    assert (spec.default_image_size, spec.num_classes) == (299, 1001)
    assert spec.logits_scopes == ("InceptionResnetV2/Logits",
                                  "InceptionResnetV2/AuxLogits")


@pytest.mark.slow
def test_keras_lifecycle(tmp_path):
    model = slim.nets.create_model(
        "inception_resnet_v2", num_classes=3, input_shape=(75, 75, 3),
        create_aux_logits=False)
    nc.check_keras_lifecycle(model, nc.random_images((1, 75, 75, 3)),
                             np.array([1]), tmp_path)


@pytest.mark.slow
def test_fine_tune_with_aux(tmp_path):
    import keras

    def make(n, is_training=None):
        model, _, eps = nc.build_functional(
            irv2.inception_resnet_v2, irv2.inception_resnet_v2_arg_scope,
            (107, 107, 3), num_classes=n, is_training=is_training)
        return keras.Model(model.inputs, {"Logits": eps["Logits"],
                                          "AuxLogits": eps["AuxLogits"]})

    ckpt = str(tmp_path / "full.ckpt")
    nc.write_checkpoint(make(10).weights, ckpt)
    ic.check_aux_fine_tune(
        lambda n: make(n, is_training=False), ckpt,
        slim.nets.get_net("inception_resnet_v2").logits_scopes,
        "InceptionResnetV2/AuxLogits", nc.random_images((2, 107, 107, 3)),
        np.array([0, 4]), steps=3)
