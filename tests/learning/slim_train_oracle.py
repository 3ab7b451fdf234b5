"""Runs tf_slim's ``learning.train`` (TF1 graph mode, own process) on a
linear least-squares problem; prints JSON for tests/learning/test_train.py.

``python slim_train_oracle.py LOGDIR STEPS`` trains to STEPS with a
recording ``train_step_fn``, then re-runs ``train`` on the same logdir
with the same ``number_of_steps`` (slim's behaviour for a finished run).
Eager execution is off for the whole process: slim's Supervisor threads
fail under TF2's eager default.
"""

import json
import sys

import numpy as np
import tensorflow as tf

from tests import oracle

X = np.arange(12, dtype="float32").reshape(4, 3) / 10
Y = np.array([[1.0], [0.0], [2.0], [1.0]], "float32")
W0 = np.array([[0.1], [-0.2], [0.3]], "float32")
LR = 0.1


def _run(logdir, steps, record):
    slim = oracle.import_tf_slim()
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("w", initializer=W0)
        loss = tf.reduce_mean((tf.matmul(tf.constant(X), w) - Y) ** 2)
        opt = tf.compat.v1.train.GradientDescentOptimizer(LR)
        train_op = slim.learning.create_train_op(loss, opt)

        def step_fn(sess, op, global_step, kwargs):
            out = slim.learning.train_step(sess, op, global_step, kwargs)
            record.append({"kwargs": sorted(kwargs),
                           "loss": float(out[0]),
                           "should_stop": bool(out[1]),
                           "global_step": int(sess.run(global_step))})
            return out

        last = slim.learning.train(train_op, logdir, train_step_fn=step_fn,
                                   number_of_steps=steps,
                                   save_summaries_secs=1e9,
                                   save_interval_secs=1e9)
    ckpt = tf.train.load_checkpoint(tf.train.latest_checkpoint(logdir))
    return {"returned": None if last is None else float(last),
            "w": ckpt.get_tensor("w").tolist(),
            "global_step": int(ckpt.get_tensor("global_step"))}


def main(logdir, steps):
    tf.compat.v1.disable_eager_execution()
    first, again = [], []
    out = {"first": _run(logdir, steps, first), "first_steps": first}
    out["rerun"] = _run(logdir, steps, again)
    out["rerun_steps"] = again
    print("ORACLE " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
