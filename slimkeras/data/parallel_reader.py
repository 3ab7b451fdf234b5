"""File listing and parallel reading helpers (slim's ``parallel_reader``)."""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf


def list_files(data_sources: str | Sequence[str]) -> list[str]:
    """Expands file patterns; ValueError naming the pattern if none match."""
    if isinstance(data_sources, str):
        data_sources = [data_sources]
    files: list[str] = []
    for pattern in data_sources:
        found = sorted(tf.io.gfile.glob(pattern))
        if not found:
            raise ValueError(
                f"No data files match {pattern!r}. Check dataset_dir and "
                "the split name."
            )
        files.extend(found)
    return files


def parallel_read(data_sources, reader_class=None, num_readers: int = 4,
                  shuffle: bool = True, num_epochs=None, seed=None):
    """An interleaved ``tf.data`` of raw records from ``data_sources``."""
    files = list_files(data_sources)
    ds = tf.data.Dataset.from_tensor_slices(files)
    if shuffle:
        ds = ds.shuffle(len(files), seed=seed)
    read = reader_class or tf.data.TFRecordDataset
    ds = ds.interleave(read, cycle_length=min(num_readers, len(files)),
                       num_parallel_calls=tf.data.AUTOTUNE)
    return ds.repeat(num_epochs)


def single_pass_read(data_sources, reader_class=None):
    """All records of ``data_sources`` once, in file order."""
    return parallel_read(data_sources, reader_class, num_readers=1,
                         shuffle=False, num_epochs=1)
