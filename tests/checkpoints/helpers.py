"""Shared small models for the checkpoint tests (slimkeras and tf-slim)."""

import keras
import numpy as np
import tensorflow as tf

import slimkeras as slim
from tests.oracle import import_tf_slim, run_slim

BN = {"scale": True, "is_training": False}
X = np.random.default_rng(1).normal(size=(2, 6, 6, 3)).astype("float32")


def keras_model(num_classes=3, scope="net"):
    """conv2d+batch_norm, flatten, fully_connected logits under ``scope``."""
    inp = keras.Input(X.shape[1:])
    with slim.name_registry(), slim.variable_scope(scope):
        x = slim.conv2d(inp, 4, [3, 3], normalizer_fn=slim.batch_norm,
                        normalizer_params=BN, scope="conv1")
        x = slim.flatten(x)
        x = slim.fully_connected(x, num_classes, activation_fn=None,
                                 scope="logits")
    return keras.Model(inp, x)


def slim_net(tf_slim, inp, num_classes=3, scope="net"):
    with tf.compat.v1.variable_scope(scope):
        x = tf_slim.conv2d(inp, 4, [3, 3], normalizer_fn=tf_slim.batch_norm,
                           normalizer_params=BN, scope="conv1")
        x = tf_slim.flatten(x)
        return tf_slim.fully_connected(x, num_classes, activation_fn=None,
                                       scope="logits")


def slim_checkpoint(path, num_classes=3, training_state=False, seed=0):
    """Runs the original, saves a real checkpoint; returns (logits, values).

    With ``training_state`` the graph also has a global_step, Momentum
    slots and ExponentialMovingAverage shadows (all randomised, so the EMA
    values differ from the raw ones).
    """
    tf_slim = import_tf_slim()

    def build(inp):
        logits = slim_net(tf_slim, inp, num_classes)
        if training_state:
            step = tf.compat.v1.train.get_or_create_global_step()
            loss = tf.reduce_mean(tf.square(logits))
            tf.compat.v1.train.MomentumOptimizer(0.1, 0.9).minimize(
                loss, global_step=step)
            ema = tf.compat.v1.train.ExponentialMovingAverage(0.9)
            ema.apply(tf.compat.v1.trainable_variables())
        return logits

    return run_slim(build, X, checkpoint_out=str(path), init_scale=0.3,
                    seed=seed)


def snapshot(model):
    return {v.path: np.array(v).tobytes() for v in model.variables}


def randomize(model, seed=3):
    rng = np.random.default_rng(seed)
    for v in model.weights:
        val = rng.normal(0, 0.3, v.shape).astype("float32")
        if "moving_variance" in v.path or "gamma" in v.path:
            val = np.abs(val) + 0.5
        v.assign(val)
