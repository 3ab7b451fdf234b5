"""inception_v4 against the golden manifest; blocks against tf_slim layers.

research/slim's inception_v4 is not pip-installable: names, shapes and
end points come from ``../shared/golden/inception_v4/manifest.json``;
numerics are checked per block: each block is rebuilt here from
``tf_slim`` layers in graph mode as research/slim defines it, run from the
same He-scaled checkpoint, and compared within rtol=atol=1e-4 (float32).
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import inception_v4 as v4
from tests import oracle
from tests.nets import inception_checks as ic
from tests.nets import net_checks as nc


def test_names_shapes_order_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, "inception_v4")
    nc.check_manifest(manifest, v4.inception_v4, v4.inception_v4_arg_scope,
                      check_order=False)
    ic.check_creation_order(manifest, v4.inception_v4,
                            v4.inception_v4_arg_scope)


def _slim_block_a(tf_slim, net):
    import tensorflow as tf

    conv = tf_slim.conv2d
    with tf_slim.arg_scope([conv, tf_slim.avg_pool2d], stride=1,
                           padding="SAME"):
        with tf.compat.v1.variable_scope("Mixed_5b"):
            with tf.compat.v1.variable_scope("Branch_0"):
                b0 = conv(net, 96, [1, 1], scope="Conv2d_0a_1x1")
            with tf.compat.v1.variable_scope("Branch_1"):
                b1 = conv(net, 64, [1, 1], scope="Conv2d_0a_1x1")
                b1 = conv(b1, 96, [3, 3], scope="Conv2d_0b_3x3")
            with tf.compat.v1.variable_scope("Branch_2"):
                b2 = conv(net, 64, [1, 1], scope="Conv2d_0a_1x1")
                b2 = conv(b2, 96, [3, 3], scope="Conv2d_0b_3x3")
                b2 = conv(b2, 96, [3, 3], scope="Conv2d_0c_3x3")
            with tf.compat.v1.variable_scope("Branch_3"):
                b3 = tf_slim.avg_pool2d(net, [3, 3], scope="AvgPool_0a_3x3")
                b3 = conv(b3, 96, [1, 1], scope="Conv2d_0b_1x1")
            return tf.concat([b0, b1, b2, b3], 3)


def _slim_reduction_b(tf_slim, net):
    import tensorflow as tf

    conv = tf_slim.conv2d
    with tf_slim.arg_scope([conv], stride=1, padding="SAME"):
        with tf.compat.v1.variable_scope("Mixed_7a"):
            with tf.compat.v1.variable_scope("Branch_0"):
                b0 = conv(net, 192, [1, 1], scope="Conv2d_0a_1x1")
                b0 = conv(b0, 192, [3, 3], stride=2, padding="VALID",
                          scope="Conv2d_1a_3x3")
            with tf.compat.v1.variable_scope("Branch_1"):
                b1 = conv(net, 256, [1, 1], scope="Conv2d_0a_1x1")
                b1 = conv(b1, 256, [1, 7], scope="Conv2d_0b_1x7")
                b1 = conv(b1, 320, [7, 1], scope="Conv2d_0c_7x1")
                b1 = conv(b1, 320, [3, 3], stride=2, padding="VALID",
                          scope="Conv2d_1a_3x3")
            with tf.compat.v1.variable_scope("Branch_2"):
                b2 = tf_slim.max_pool2d(net, [3, 3], stride=2,
                                        padding="VALID",
                                        scope="MaxPool_1a_3x3")
            return tf.concat([b0, b1, b2], 3)


@pytest.mark.parametrize("ref_fn,ours,scope", [
    (_slim_block_a, v4.block_inception_a, "Mixed_5b"),
    (_slim_reduction_b, v4.block_reduction_b, "Mixed_7a"),
])
def test_block_matches_tf_slim_layers(tmp_path, ref_fn, ours, scope):
    tf_slim = oracle.import_tf_slim()
    from tf_slim.nets import inception_v3 as arg_src  # same BN/conv scope

    def ref(im):
        with tf_slim.arg_scope([tf_slim.batch_norm], is_training=False):
            return ref_fn(tf_slim, im), {}

    nc.compare_with_oracle(
        ref, arg_src.inception_v3_arg_scope,
        lambda im: (ours(im, scope), {}), v4.inception_v4_arg_scope,
        nc.random_images((2, 11, 11, 24)), tmp_path)


def test_base_prefix_and_features():
    _, net, eps = nc.build_functional(
        v4.inception_v4, v4.inception_v4_arg_scope, (75, 75, 3),
        num_classes=None, create_aux_logits=False)
    assert tuple(net.shape) == (None, 1, 1, 1536)
    assert list(eps)[-1] == "global_pool"
    with pytest.raises(ValueError, match="final_endpoint"):
        v4.inception_v4_base(np.zeros((1, 75, 75, 3), "float32"),
                             final_endpoint="Mixed_8a")


def test_registry_entry():
    spec = slim.nets.get_net("inception_v4")
    assert (spec.default_image_size, spec.num_classes) == (299, 1001)
    assert spec.logits_scopes == ("InceptionV4/Logits",
                                  "InceptionV4/AuxLogits")


def _small(num_classes, is_training=None):
    return slim.nets.create_model(
        "inception_v4", num_classes=num_classes, input_shape=(75, 75, 3),
        create_aux_logits=False, is_training=is_training)


@pytest.mark.slow
def test_keras_lifecycle(tmp_path):
    x = nc.random_images((1, 75, 75, 3))
    nc.check_keras_lifecycle(_small(3), x, np.array([2]), tmp_path)


@pytest.mark.slow
def test_fine_tune_with_aux(tmp_path):
    def make(n, is_training=None):
        model, _, eps = nc.build_functional(
            v4.inception_v4, v4.inception_v4_arg_scope, (107, 107, 3),
            num_classes=n, is_training=is_training)
        import keras

        return keras.Model(model.inputs, {"Logits": eps["Logits"],
                                          "AuxLogits": eps["AuxLogits"]})

    ckpt = str(tmp_path / "full.ckpt")
    nc.write_checkpoint(make(10).weights, ckpt)
    ic.check_aux_fine_tune(
        lambda n: make(n, is_training=False), ckpt,
        slim.nets.get_net("inception_v4").logits_scopes,
        "InceptionV4/AuxLogits", nc.random_images((2, 107, 107, 3)),
        np.array([0, 4]), steps=3)
