"""Trains a tiny slim net N steps on 1 device or MirroredStrategy over 2
logical CPU devices (same global batch); saves the weights as .npz."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402

import slimkeras as slim  # noqa: E402
from slimkeras import learning  # noqa: E402


def net(x, is_training=None):
    # Batch norm in inference mode: in training mode each replica would
    # normalise with its own half-batch statistics (as slim's clones did),
    # which is a different computation from one device's full batch.
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"scale": True,
                                           "is_training": False}):
        x = slim.conv2d(x, 4, [3, 3], scope="conv1")
    x = slim.flatten(x)
    return slim.fully_connected(x, 3, activation_fn=None, scope="logits")


def main(mode, out, logdir):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    xs = rng.random((32, 6, 6, 1)).astype("float32")
    ys = rng.integers(0, 3, 32)
    if mode == "mirrored":
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    else:
        strategy = tf.distribute.get_strategy()
    with strategy.scope():
        model = slim.Model(net)
        model(xs[:1])
        init = np.load(out + ".init.npz") if os.path.exists(
            out + ".init.npz") else None
        if init is not None:
            for v in model.weights:
                v.assign(init[v.path])
        opt = keras.optimizers.SGD(0.1, momentum=0.9)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def total(batch):
        x, y = batch
        return lossf(y, model(x, training=True))

    with strategy.scope():
        step = learning.create_train_op(total, opt, model=model,
                                        clip_gradient_norm=5.0)
    ds = tf.data.Dataset.from_tensor_slices((xs, ys)).repeat().batch(8)
    learning.train(step, ds, logdir, number_of_steps=6, verbose=False,
                   save_interval_secs=None)
    np.savez(out, **{v.path: v.numpy() for v in model.weights})


if __name__ == "__main__":
    main(*sys.argv[1:])
