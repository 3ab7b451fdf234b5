"""evaluate_once / evaluation_loop over checkpoints written by train()."""

import threading

import keras
import numpy as np
import pytest
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


# --- TF1 checkpoints: restored by name, same metrics as tf_slim's own -----

def _digits_batches(n=150, batch=50):
    """The embedded digits (scikit-learn's), 28x28 in [0, 1], fixed order."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = tf.image.resize(d.images[:n, :, :, None].astype("float32") / 16.0,
                        (28, 28)).numpy()
    return x, d.target[:n].astype("int64"), batch


def _lenet_model():
    from slimkeras.nets import lenet
    from tests.nets.net_checks import build_functional

    model, _, _ = build_functional(lenet.lenet, lenet.lenet_arg_scope,
                                   (28, 28, 1), outputs="logits",
                                   num_classes=10)
    return model


def _tf_slim_lenet(tf_slim, images):
    """research/slim's nets/lenet.py, with the original tf_slim."""
    with tf_slim.arg_scope([tf_slim.conv2d, tf_slim.fully_connected],
                           activation_fn=tf.nn.relu):
        with tf.compat.v1.variable_scope("LeNet"):
            net = tf_slim.conv2d(images, 32, [5, 5], scope="conv1")
            net = tf_slim.max_pool2d(net, [2, 2], 2, scope="pool1")
            net = tf_slim.conv2d(net, 64, [5, 5], scope="conv2")
            net = tf_slim.max_pool2d(net, [2, 2], 2, scope="pool2")
            net = tf_slim.flatten(net)
            net = tf_slim.fully_connected(net, 1024, scope="fc3")
            net = tf_slim.dropout(net, 0.5, is_training=False,
                                  scope="dropout3")
            return tf_slim.fully_connected(net, 10, activation_fn=None,
                                           scope="fc4")


@pytest.fixture(scope="module")
def lenet_tf1(tmp_path_factory):
    """A briefly trained lenet saved as a TF1 name-based checkpoint, and
    tf_slim's evaluation of it (research/slim's eval_image_classifier
    metrics: streaming_accuracy of argmax, streaming_recall_at_k 5)."""
    from tests.oracle import import_tf_slim

    tf_slim = import_tf_slim()
    root = tmp_path_factory.mktemp("lenet")
    x, y, batch = _digits_batches()
    model = _lenet_model()
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True))
    model.fit(x, y, batch_size=50, epochs=2, verbose=0, shuffle=False)
    path = slim.checkpoints.save_tf1_checkpoint(model, root / "model.ckpt-9")
    graph = tf.Graph()
    with graph.as_default():
        images, labels = tf.compat.v1.data.make_one_shot_iterator(
            tf.compat.v1.data.Dataset.from_tensor_slices((x, y)).batch(
                batch)).get_next()
        logits = _tf_slim_lenet(tf_slim, images)
        values, updates = tf_slim.metrics.aggregate_metric_map({
            "Accuracy": tf_slim.metrics.streaming_accuracy(
                tf.argmax(logits, 1), labels),
            "Recall_5": tf_slim.metrics.streaming_recall_at_k(
                logits, labels, 5),
        })
        got = tf_slim.evaluation.evaluate_once(
            "", path, str(root / "tf_slim_eval"), num_evals=len(x) // batch,
            eval_op=list(updates.values()), final_op=values,
            variables_to_restore=tf_slim.get_model_variables())
    return path, got, (x, y, batch)


def _eval_ds(data):
    x, y, batch = data
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)


def _metrics():
    return {"Accuracy": keras.metrics.SparseCategoricalAccuracy(),
            "Recall_5": keras.metrics.SparseTopKCategoricalAccuracy(k=5)}


def test_tf1_checkpoint_evaluates_as_tf_slim(lenet_tf1, tmp_path):
    path, ref, data = lenet_tf1
    model = _lenet_model()
    untouched = evaluation.evaluate_once(model, _eval_ds(data), _metrics())
    got = evaluation.evaluate_once(model, _eval_ds(data), _metrics(),
                                   checkpoint_path=path)
    assert ref["Accuracy"] > 0.5  # trained; chance is 0.1
    for k in ("Accuracy", "Recall_5"):  # counts / 150: equal, not close
        np.testing.assert_allclose(got[k], ref[k], rtol=0, atol=1e-7)
    assert abs(untouched["Accuracy"] - got["Accuracy"]) > 0.2
    assert got.report.checkpoint_format == "tf1-v2"
    assert sorted(got.report.restored) == sorted(
        v.path for v in model.weights)
    assert got.step == 9


def test_checkpoint_that_restores_nothing_is_an_error(lenet_tf1, tmp_path):
    from tests.checkpoints.helpers import keras_model

    _, _, data = lenet_tf1
    other = slim.checkpoints.save_tf1_checkpoint(keras_model(),
                                                 tmp_path / "other.ckpt")
    model = _lenet_model()
    before = [np.array(v) for v in model.weights]
    metrics = _metrics()
    with pytest.raises(slim.checkpoints.CheckpointMismatchError,
                       match=r"Cannot evaluate .*nothing was evaluated"
                             r"(.|\n)*model's under \['LeNet'\]"):
        evaluation.evaluate_once(model, _eval_ds(data), metrics,
                                 checkpoint_path=other)
    for a, v in zip(before, model.weights):
        np.testing.assert_array_equal(a, v)
    with pytest.raises(ValueError, match="would evaluate weights that were "
                                         "not restored"):
        evaluation.evaluate_once(model, _eval_ds(data), metrics,
                                 checkpoint_path=other,
                                 ignore_missing_vars=True)


def test_moving_averages(tmp_path):
    from tests.checkpoints.helpers import X, keras_model, slim_checkpoint

    path = tmp_path / "model.ckpt-7"
    slim_checkpoint(path, training_state=True)  # the original, with EMA
    ds = [(X, np.zeros(len(X), "int64"))]
    model = keras_model()
    got = evaluation.evaluate_once(
        model, ds, [keras.metrics.SparseCategoricalAccuracy()], str(path),
        use_moving_averages=True)
    reader = tf.train.load_checkpoint(str(path))
    for v in model.weights:
        name = v.path + ("/ExponentialMovingAverage" if v.trainable else "")
        np.testing.assert_array_equal(np.asarray(v), reader.get_tensor(name))
    assert sorted(got.report.from_moving_average) == sorted(
        v.path for v in model.trainable_weights)
    plain = tmp_path / "plain.ckpt"
    slim_checkpoint(plain)  # no averages in it
    with pytest.raises(slim.checkpoints.CheckpointMismatchError,
                       match="have no '<name>/ExponentialMovingAverage'"):
        evaluation.evaluate_once(
            model, ds, [keras.metrics.SparseCategoricalAccuracy()],
            str(plain), use_moving_averages=True)
