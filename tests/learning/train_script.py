"""A tiny training run for the kill/resume test (run as a subprocess)."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import slimkeras as slim  # noqa: E402
from slimkeras import learning  # noqa: E402


def net(x, is_training=None):
    x = slim.conv2d(x, 4, [3, 3], scope="conv1")
    x = slim.flatten(x)
    return slim.fully_connected(x, 3, activation_fn=None, scope="logits")


def main(logdir, steps, slow):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    xs = rng.random((32, 6, 6, 1)).astype("float32")
    ys = (xs.mean(axis=(1, 2, 3)) * 3).astype("int64").clip(0, 2)
    model = slim.Model(net)
    model(xs[:1])
    ds = tf.data.Dataset.from_tensor_slices((xs, ys)).repeat().batch(8)
    if slow:
        ds = ds.map(lambda a, b: (tf.numpy_function(
            lambda t: (__import__("time").sleep(0.05), t)[1], [a], tf.float32),
            b))
        ds = ds.map(lambda a, b: (tf.ensure_shape(a, (8, 6, 6, 1)), b))
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def total(batch):
        x, y = batch
        return lossf(y, model(x, training=True))

    step = learning.create_train_op(total, keras.optimizers.SGD(0.1),
                                    model=model)
    loss = learning.train(step, ds, logdir, number_of_steps=steps,
                          save_interval_steps=2, save_interval_secs=None,
                          verbose=False)
    print(f"final_step={int(step.step.numpy())} loss={loss:.6f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "slow")
