"""``set_trainable_scopes`` against research/slim's ``--trainable_scopes``.

research/slim's train_image_classifier passes only the variables under
``--trainable_scopes`` to the optimizer but runs the whole net with
``is_training=True`` and runs every ``UPDATE_OPS``: batch norms outside the
trainable scopes still update their moving statistics. The oracle below is
that graph (tf_slim, TF1 graph mode); slimkeras shares its initial weights
through a checkpoint and takes the same SGD step.
"""

import keras
import numpy as np
import tensorflow as tf

import slimkeras as slim
from slimkeras import learning
from tests.oracle import import_tf_slim, load_by_name, run_slim

_X = np.random.default_rng(0).normal(size=(8, 8, 8, 3)).astype("float32")
_Y = np.array([0, 1, 2, 0, 1, 2, 0, 1], "int32")


def _slim_net(tfslim, x):
    with tfslim.arg_scope([tfslim.conv2d], normalizer_fn=tfslim.batch_norm):
        net = tfslim.conv2d(x, 4, [3, 3], scope="conv1")
        net = tfslim.conv2d(net, 4, [3, 3], scope="conv2")
    net = tf.reduce_mean(net, [1, 2])
    return tfslim.fully_connected(net, 3, activation_fn=None, scope="logits")


def _oracle(tmp_path):
    tfslim = import_tf_slim()
    ckpt = str(tmp_path / "init.ckpt")

    def build(x, y):
        logits = _slim_net(tfslim, x)
        return tf.compat.v1.losses.sparse_softmax_cross_entropy(y, logits)

    def train_op(loss):
        # research/slim: variables_to_train from the TRAINABLE_VARIABLES
        # collection under the scope; every UPDATE_OPS runs.
        var_list = tf.compat.v1.get_collection(
            tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, "logits")
        updates = tf.compat.v1.get_collection(
            tf.compat.v1.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(updates):
            return tf.compat.v1.train.GradientDescentOptimizer(
                0.5).minimize(loss, var_list=var_list)

    _, before = run_slim(build, [_X, _Y], checkpoint_out=ckpt,
                         init_scale=0.3)
    _, after = run_slim(build, [_X, _Y], checkpoint_in=ckpt,
                        run_train_op=train_op)
    return ckpt, before, after


def _keras_net():
    x = keras.Input((8, 8, 3))
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
        net = slim.conv2d(x, 4, [3, 3], scope="conv1")
        net = slim.conv2d(net, 4, [3, 3], scope="conv2")
    net = keras.ops.mean(net, axis=[1, 2])
    logits = slim.fully_connected(net, 3, activation_fn=None, scope="logits")
    return keras.Model(x, logits)


def _keras_step(ckpt, freeze_bn):
    model = _keras_net()
    load_by_name(model, ckpt)
    kept = learning.set_trainable_scopes(
        model, "logits", freeze_batch_norm_statistics=freeze_bn)
    assert kept == ["logits/weights", "logits/biases"]
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    step = learning.create_train_op(
        lambda b: lossf(b[1], model(b[0], training=True)),
        keras.optimizers.SGD(0.5), model=model)
    step((tf.constant(_X), tf.constant(_Y)))
    return {v.path: np.array(v) for v in model.weights}


def test_default_cli_behaviour_updates_statistics_like_research_slim(
        tmp_path):
    """freeze_batch_norm_statistics=False (the CLI default): every moving
    statistic outside the trainable scope changes, as research/slim's, and
    every variable equals the original's after the step (1e-5)."""
    ckpt, before, after = _oracle(tmp_path)
    got = _keras_step(ckpt, freeze_bn=False)
    assert sorted(got) == sorted(after)
    stats = [k for k in after if "moving_" in k]
    assert len(stats) == 4
    for k in stats:  # the original moved them ...
        assert np.abs(after[k] - before[k]).max() > 1e-5, k
    for k, want in after.items():  # ... and slimkeras moves them the same
        np.testing.assert_allclose(got[k], want, rtol=1e-5, atol=1e-5,
                                   err_msg=k)
    for k in ("conv1/weights", "conv2/BatchNorm/beta"):
        np.testing.assert_array_equal(got[k], before[k])


def test_freeze_flag_keeps_statistics(tmp_path):
    """freeze_batch_norm_statistics=True (CLI
    --freeze_batch_norm_outside_trainable_scopes): frozen batch norms run in
    inference mode; their statistics stay as restored."""
    ckpt, before, after = _oracle(tmp_path)
    got = _keras_step(ckpt, freeze_bn=True)
    for k in got:
        if "moving_" in k:
            np.testing.assert_array_equal(got[k], before[k], err_msg=k)
    assert np.abs(got["logits/weights"] - before["logits/weights"]).max() > 0
