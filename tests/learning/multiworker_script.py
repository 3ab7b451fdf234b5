"""One worker of a MultiWorkerMirroredStrategy cluster (TF_CONFIG set by
the caller) training a tiny slim net with ``learning.train`` directly.

    python multiworker_script.py LOGDIR STEPS OUT.npz

Saves this worker's final weights to OUT.npz and prints
``final_step=N chief=B``.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

# These imports follow the thread settings on purpose: TensorFlow accepts
# them only before its runtime starts, which importing these may do.
import keras  # noqa: E402 -- after the TF thread settings

import slimkeras as slim  # noqa: E402 -- after the TF thread settings
from slimkeras import learning  # noqa: E402 -- after the TF thread settings
from slimkeras.learning import distributed  # noqa: E402 -- see above


def net(x, is_training=None):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"scale": True}):
        x = slim.conv2d(x, 4, [3, 3], scope="conv1")
    x = slim.flatten(x)
    return slim.fully_connected(x, 3, activation_fn=None, scope="logits")


def main(logdir, steps, out):
    strategy = distributed.create_strategy(
        cluster=distributed.cluster_from_env())
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    xs = rng.random((48, 6, 6, 1)).astype("float32")
    ys = rng.integers(0, 3, 48)
    with strategy.scope():
        model = slim.Model(net)
        model(xs[:1])
        opt = keras.optimizers.SGD(0.1, momentum=0.9)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def total(batch):
        x, y = batch
        return lossf(y, model(x, training=True))

    with strategy.scope():
        step = learning.create_train_op(total, opt, model=model)
    # Global batch 4 per replica; each worker keeps its share (DATA).
    ds = tf.data.Dataset.from_tensor_slices((xs, ys)).repeat().batch(
        4 * strategy.num_replicas_in_sync, drop_remainder=True)
    ds = distributed.shard_by(ds, 0, distributed.num_workers(strategy))
    learning.train(step, logdir, number_of_steps=int(steps), dataset=ds,
                   verbose=False, save_interval_secs=None)
    np.savez(out, **{v.path: v.numpy() for v in model.weights})
    print(f"final_step={int(step.step.numpy())} "
          f"chief={distributed.is_chief(strategy)} "
          f"dir={distributed.worker_dir(logdir, strategy)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
