"""A slimkeras train_dir (TrainingCheckpoint, TF2 object-based) read back
by slim name: research/slim's stage-2 ``--checkpoint_path=${TRAIN_DIR}``
and the walkthrough's ``assign_from_checkpoint_fn(latest_checkpoint(...))``
(issue 16 item 1), and the optimizer's EMA as
``<name>/ExponentialMovingAverage``."""

import keras
import numpy as np
import tensorflow as tf

from slimkeras import checkpoints
from slimkeras.checkpoints import TrainingCheckpoint
from tests.checkpoints.helpers import X, keras_model, randomize


def _trained(tmp_path, use_ema=False):
    model = keras_model()
    model.compile(keras.optimizers.SGD(0.1, use_ema=use_ema,
                                       ema_momentum=0.5,
                                       ema_overwrite_frequency=None),
                  keras.losses.MeanSquaredError())
    model.fit(X, np.ones((len(X), 3), "float32"), epochs=3, verbose=0)
    if use_ema:
        # fit's end copies the averages into the weights; make the raw
        # weights differ from the averages kept by the optimizer.
        for v in model.trainable_weights:
            v.assign(v + 1.0)
    TrainingCheckpoint(model, model.optimizer, tmp_path / "train").save()
    return model, str(tmp_path / "train")


def test_train_dir_restores_by_slim_name(tmp_path):
    src, train_dir = _trained(tmp_path)
    model = keras_model()
    randomize(model)
    report = checkpoints.restore(model, train_dir)
    assert report.checkpoint_format == "training"
    assert sorted(report.restored) == sorted(v.path for v in src.weights)
    assert report.unexpected == [] and report.skipped["optimizer"]
    np.testing.assert_array_equal(model(X), src(X))
    randomize(model)
    fn = checkpoints.assign_from_checkpoint_fn(
        tf.train.latest_checkpoint(train_dir), model)
    fn(None)
    np.testing.assert_array_equal(model(X), src(X))
    assert "net/conv1/weights" in checkpoints.inspect(train_dir).names


def test_train_dir_ema_weights(tmp_path):
    src, train_dir = _trained(tmp_path, use_ema=True)
    averages = {v.path.split("/", 1)[1][: -len("_average")]: np.asarray(v)
                for v in src.optimizer.variables
                if v.path.endswith("_average")}
    raw = {v.path: np.asarray(v) for v in src.weights}
    model = keras_model()
    report = checkpoints.restore(model, train_dir, use_moving_averages=True)
    assert sorted(report.from_moving_average) == sorted(
        v.path for v in src.trainable_weights)
    for v in model.trainable_weights:
        want = averages[v.path.replace("/", "_")]
        assert not np.array_equal(want, raw[v.path])  # EMA != raw here
        np.testing.assert_array_equal(np.asarray(v), want)
    for v in model.non_trainable_weights:  # moving statistics: own names
        np.testing.assert_array_equal(np.asarray(v), raw[v.path])
