"""``DatasetDataProvider`` on ``tf.data`` (no queues).

Reads a :class:`~slimkeras.data.dataset.Dataset`'s TFRecords with parallel
interleaved readers, shuffles, repeats, and decodes the requested items.
:func:`make_batches` adds preprocessing by name, batching and prefetch —
the input pipeline of research/slim's ``train_image_classifier.py``.

Epochs: :class:`DatasetDataProvider` repeats forever by default, as slim's
did; :func:`make_batches` makes **one** pass by default, so that Keras's
``model.fit(batches, epochs=n)`` ends each epoch (each epoch iterates the
dataset again, reshuffled). slim's train loop wants an endless stream:
pass ``num_epochs=None`` there (``slimkeras train`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from slimkeras.data.parallel_reader import list_files


class DatasetDataProvider:
    """Provides decoded items of a Dataset as a ``tf.data.Dataset``.

    Args:
        dataset: the :class:`Dataset`.
        num_readers: files read in parallel (interleaved).
        shuffle: shuffle files and records.
        num_epochs: repeat this many times (None: forever).
        common_queue_capacity: shuffle buffer size.
        seed: shuffling seed.
    """

    def __init__(self, dataset, num_readers: int = 4, shuffle: bool = True,
                 num_epochs: int | None = None,
                 common_queue_capacity: int = 256,
                 common_queue_min: int = 128, seed: int | None = None,
                 record_key: str = "record_key", scope=None):
        del common_queue_min, record_key, scope
        if num_readers < 1:
            raise ValueError(f"num_readers must be >= 1. Received: "
                             f"{num_readers!r}.")
        self.dataset = dataset
        self.num_readers = num_readers
        self.shuffle = shuffle
        self.num_epochs = num_epochs
        self.capacity = common_queue_capacity
        self.seed = seed

    def list_items(self) -> list[str]:
        return self.dataset.decoder.list_items()

    def records(self) -> tf.data.Dataset:
        files = list_files(self.dataset.data_sources)
        ds = tf.data.Dataset.from_tensor_slices(files)
        if self.shuffle:
            ds = ds.shuffle(len(files), seed=self.seed)
        reader = self.dataset.reader
        read = reader if callable(reader) and not isinstance(reader, type) \
            else tf.data.TFRecordDataset
        ds = ds.interleave(read, cycle_length=min(self.num_readers,
                                                  len(files)),
                           num_parallel_calls=tf.data.AUTOTUNE,
                           deterministic=not self.shuffle)
        if self.shuffle:
            ds = ds.shuffle(self.capacity, seed=self.seed)
        return ds.repeat(self.num_epochs)

    def as_dataset(self, items: Sequence[str] | None = None
                   ) -> tf.data.Dataset:
        """A dataset of tuples of the decoded ``items`` (default: all)."""
        items = self.list_items() if items is None else list(items)
        decoder = self.dataset.decoder
        return self.records().map(
            lambda r: tuple(decoder.decode(r, items)),
            num_parallel_calls=tf.data.AUTOTUNE)

    def get(self, items: Sequence[str]):
        """One decoded example (eager), for inspection like slim's get()."""
        return next(iter(self.as_dataset(items)))


def make_batches(
    dataset,
    batch_size: int,
    preprocessing_fn: Callable[..., Any] | None = None,
    image_size: int | None = None,
    is_training: bool = True,
    labels_offset: int = 0,
    channels: int | None = None,
    num_epochs: int | None = 1,
    num_readers: int = 4,
    seed: int | None = None,
    drop_remainder: bool | None = None,
) -> tf.data.Dataset:
    """``(images, labels)`` batches of a Dataset, preprocessed and prefetched.

    Args:
        preprocessing_fn: ``fn(image, height, width)`` (from
            ``get_preprocessing(name, is_training)``); None casts to float in
            [0, 1] and resizes.
        channels: convert images to this many channels (1 <-> 3).
        labels_offset: subtracted from labels (research/slim's flag).
        num_epochs: passes over the data (default 1: one Keras epoch per
            iteration, what ``fit(batches, epochs=n)`` expects); ``None``
            repeats forever (slim's train loop, ``learning.train``), so
            ``fit`` then needs ``steps_per_epoch``. (A TFRecord pipeline's
            length is unknown to tf.data, so Keras learns it in the first
            epoch and warns once "Your input ran out of data"; the epochs
            are whole.)
    """
    if num_epochs is not None and (isinstance(num_epochs, bool) or not (
            isinstance(num_epochs, int) and num_epochs >= 1)):
        raise ValueError("make_batches: num_epochs must be a positive int "
                         "(passes over the data) or None (repeat forever)."
                         f" Received: {num_epochs!r}.")
    provider = DatasetDataProvider(dataset, num_readers=num_readers,
                                   shuffle=is_training,
                                   num_epochs=num_epochs, seed=seed)
    ds = provider.as_dataset(["image", "label"])

    def prep(image, label):
        if channels == 3 and image.shape[-1] == 1:
            image = tf.image.grayscale_to_rgb(image)
        elif channels == 1 and image.shape[-1] == 3:
            image = tf.image.rgb_to_grayscale(image)
        if preprocessing_fn is not None:
            size = image_size
            image = preprocessing_fn(image, size, size)
        else:
            image = tf.image.convert_image_dtype(image, tf.float32)
            if image_size:
                image = tf.image.resize(image, (image_size, image_size))
        return image, tf.cast(label, tf.int64) - labels_offset

    ds = ds.map(prep, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(batch_size, drop_remainder=is_training
                  if drop_remainder is None else drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
