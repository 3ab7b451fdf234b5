"""evaluate_once / evaluation_loop over checkpoints written by train()."""

import threading

import keras
import numpy as np
import tensorflow as tf

import slimkeras as slim
from slimkeras import evaluation, learning


def _net(x, is_training=None):
    x = slim.flatten(x)
    x = slim.fully_connected(x, 16, scope="fc1")
    return slim.fully_connected(x, 2, activation_fn=None, scope="logits")


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4, 4, 1)).astype("float32")
    y = (x.sum(axis=(1, 2, 3)) > 0).astype("int64")
    return x, y


def test_evaluation_loop_picks_up_checkpoints_and_reports_accuracy(tmp_path):
    x, y = _data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(16)
    model = slim.Model(_net)
    model(x[:1])
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    step = learning.create_train_op(
        lambda b: lossf(b[1], model(b[0], training=True)),
        keras.optimizers.Adam(0.05), model=model)
    learning.train(step, ds, str(tmp_path), number_of_steps=40,
                   save_interval_steps=20, verbose=False)

    eval_model = slim.Model(_net)
    eval_model(x[:1])
    eval_ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    metrics = [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    fresh = evaluation.evaluate_once(eval_model, eval_ds, metrics)
    values = evaluation.evaluation_loop(
        eval_model, eval_ds, metrics, str(tmp_path),
        logdir=str(tmp_path / "eval"), max_number_of_evaluations=1,
        timeout=5)
    assert values["accuracy"] > 0.85  # linearly separable; chance is ~0.5
    assert values["accuracy"] > fresh["accuracy"]
    # Same numbers as the trained model itself.
    acc = np.mean(np.argmax(model(x, training=False), -1) == y)
    np.testing.assert_allclose(values["accuracy"], acc, atol=1e-6)


def test_evaluation_loop_times_out_without_checkpoints(tmp_path):
    model = slim.Model(_net)
    x, y = _data()
    model(x[:1])
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    done = []
    t = threading.Thread(target=lambda: done.append(evaluation.evaluation_loop(
        model, ds, [keras.metrics.SparseCategoricalAccuracy()],
        str(tmp_path), timeout=1)))
    t.start()
    t.join(30)
    assert done == [{}]
