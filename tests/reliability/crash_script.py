"""Subprocess workloads for test_crash_safety (killed with SIGKILL).

Modes:
  train LOGDIR STEPS   slim learning.train on one fixed batch (so a resumed
                       run is step-for-step the uninterrupted one); prints
                       ``step=N`` after every step.
  tf1 PREFIX           save_tf1_checkpoint of big constant tensors, value
                       k on write k, forever; prints ``saved=k``.
  state DIR            TrainingCheckpoint.save of a big model whose weights
                       are all k at step k, forever; prints ``saved=k``.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import slimkeras as slim  # noqa: E402
from slimkeras import (
    checkpoints,  # noqa: E402
    learning,  # noqa: E402
)

BIG = 1 << 21  # floats per tensor (8 MiB)


def net(x, is_training=None):
    x = slim.conv2d(x, 3, [3, 3], scope="conv1")
    x = slim.flatten(x)
    return slim.fully_connected(x, 3, activation_fn=None, scope="logits")


def batch():
    rng = np.random.default_rng(0)
    xs = rng.random((8, 5, 5, 1)).astype("float32")
    ys = rng.integers(0, 3, 8)
    return xs, ys


def build():
    """The model with fixed initial weights, and its train step."""
    model = slim.Model(net)
    xs, ys = batch()
    model(xs[:1])
    rng = np.random.default_rng(1)
    for v in model.weights:
        v.assign(rng.normal(0, 0.3, v.shape).astype("float32"))
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def total(b):
        return lossf(b[1], model(b[0], training=True))

    step = learning.create_train_op(total, keras.optimizers.SGD(0.1,
                                                                momentum=0.9),
                                    model=model)
    return model, step


class _Printing:
    """Wraps a TrainStep: prints the step after each call."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __call__(self, b):
        out = self._inner(b)
        time.sleep(0.02)
        print(f"step={int(self._inner.step.numpy())}", flush=True)
        return out


def train(logdir, steps):
    model, step = build()
    ds = tf.data.Dataset.from_tensors(batch()).repeat()
    learning.train(_Printing(step), ds, logdir, number_of_steps=steps,
                   save_interval_steps=2, save_interval_secs=None,
                   max_to_keep=3, verbose=False)
    print(f"final_step={int(step.step.numpy())}", flush=True)


def tf1(prefix):
    k = 0
    while True:
        k += 1
        values = {f"big/t{i}": np.full(BIG, k, "float32") for i in range(4)}
        checkpoints.save_tf1_checkpoint(values, prefix)
        print(f"saved={k}", flush=True)


def big_model():
    inp = keras.Input((1024,))
    with slim.name_registry():
        x = slim.fully_connected(inp, 1024, scope="fc1")
        x = slim.fully_connected(x, 1024, scope="fc2")
    return keras.Model(inp, x)


def state(directory):
    model = big_model()
    opt = keras.optimizers.SGD(0.1, momentum=0.9)
    ckpt = checkpoints.TrainingCheckpoint(model, opt, directory,
                                          max_to_keep=2)
    k = 0
    while True:
        k += 1
        for v in model.weights + opt.variables:
            v.assign(np.full(v.shape, k, v.dtype))
        ckpt.save(k)
        print(f"saved={k}", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "train":
        train(sys.argv[2], int(sys.argv[3]))
    elif mode == "tf1":
        tf1(sys.argv[2])
    else:
        state(sys.argv[2])
