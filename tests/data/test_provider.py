"""``make_batches`` makes one pass by default, so Keras's ``fit`` ends each
epoch; ``num_epochs=None`` repeats forever for slim's train loop, and that
loop says so when a finite dataset ends before ``number_of_steps``."""

import logging

import keras
import pytest
import tensorflow as tf

from slimkeras import learning
from slimkeras.data import make_batches
from slimkeras.datasets import digits, get_dataset

BATCH = 64  # digits test: 360 images -> 5 full batches (training drops
STEPS = 360 // BATCH  # the remainder)


@pytest.fixture(scope="module")
def train_split():
    # The small split, shuffled and batched as a training split.
    return get_dataset("digits", "test", digits.ensure(None))


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(10)])


class _CountBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


# Keras learns an unknown-length dataset's epoch in the first one and warns.
@pytest.mark.filterwarnings("ignore:Your input ran out of data")
def test_fit_without_steps_per_epoch_ends_each_epoch(train_split):
    ds = make_batches(train_split, BATCH, image_size=28, channels=1, seed=0)
    assert int(ds.cardinality()) != int(tf.data.INFINITE_CARDINALITY)
    model = _model()
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(
        from_logits=True), metrics=["accuracy"])
    count = _CountBatches()
    history = model.fit(ds, epochs=2, verbose=0, callbacks=[count])
    assert count.per_epoch == [STEPS] * 2
    assert len(history.history["loss"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]


def test_num_epochs_none_repeats_and_bad_values_raise(train_split):
    forever = make_batches(train_split, BATCH, image_size=28, channels=1,
                           num_epochs=None)
    assert int(forever.cardinality()) == int(tf.data.INFINITE_CARDINALITY)
    assert len(list(forever.take(3 * STEPS))) == 3 * STEPS
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="num_epochs must be"):
            make_batches(train_split, BATCH, num_epochs=bad)


def test_slim_train_loop_warns_when_a_finite_dataset_ends(train_split,
                                                          caplog):
    ds = make_batches(train_split, BATCH, image_size=28, channels=1)
    model = _model()
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    step = learning.create_train_op(
        lambda b: lossf(b[1], model(b[0], training=True)),
        keras.optimizers.SGD(0.1), model=model)
    with caplog.at_level(logging.WARNING, logger="slimkeras.learning"):
        learning.train(step, None, number_of_steps=100, dataset=ds,
                       verbose=False)
    assert int(step.step.numpy()) == STEPS
    (record,) = [r for r in caplog.records if "dataset ended" in r.message]
    assert "step 5, before number_of_steps=100" in record.getMessage()
    assert "num_epochs=None" in record.getMessage()
