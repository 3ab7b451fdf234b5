"""research/slim's TFRecord layout: writing examples and label files.

Records hold ``image/encoded``, ``image/format``, ``image/class/label``,
``image/height``, ``image/width`` (as ``download_and_convert_*`` wrote
them); ``labels.txt`` has ``id:name`` lines.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import tensorflow as tf

from slimkeras.data import tfexample_decoder as dec
from slimkeras.data.dataset import Dataset

LABELS_FILENAME = "labels.txt"


def _bytes(v):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[v]))


def _int64(v):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(v)]))


def image_to_tfexample(image_data: bytes, image_format: bytes, height: int,
                       width: int, class_id: int) -> tf.train.Example:
    """One example in research/slim's layout."""
    return tf.train.Example(features=tf.train.Features(feature={
        "image/encoded": _bytes(image_data),
        "image/format": _bytes(image_format),
        "image/class/label": _int64(class_id),
        "image/height": _int64(height),
        "image/width": _int64(width),
    }))


def write_tfrecord(path: str, examples: Iterable[tf.train.Example]) -> int:
    """Writes examples to ``path`` atomically; returns how many."""
    tmp = path + ".tmp"
    n = 0
    with tf.io.TFRecordWriter(tmp) as w:
        for ex in examples:
            w.write(ex.SerializeToString())
            n += 1
    os.replace(tmp, path)
    return n


def write_label_file(labels_to_class_names: dict, dataset_dir: str,
                     filename: str = LABELS_FILENAME) -> str:
    path = os.path.join(dataset_dir, filename)
    with open(path, "w") as f:
        for label in sorted(labels_to_class_names):
            f.write(f"{label}:{labels_to_class_names[label]}\n")
    return path


def has_labels(dataset_dir: str, filename: str = LABELS_FILENAME) -> bool:
    return os.path.exists(os.path.join(dataset_dir, filename))


def read_label_file(dataset_dir: str, filename: str = LABELS_FILENAME
                    ) -> dict:
    out = {}
    with open(os.path.join(dataset_dir, filename)) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            idx, _, name = line.partition(":")
            out[int(idx)] = name
    return out


def classification_decoder(shape=None, channels: int = 3):
    """The decoder for research/slim's image-classification records."""
    keys_to_features = {
        "image/encoded": tf.io.FixedLenFeature((), tf.string, ""),
        "image/format": tf.io.FixedLenFeature((), tf.string, "png"),
        "image/class/label": tf.io.FixedLenFeature(
            [], tf.int64, tf.zeros([], tf.int64)),
    }
    items = {
        "image": dec.Image(shape=shape, channels=channels),
        "label": dec.Tensor("image/class/label"),
    }
    return dec.TFExampleDecoder(keys_to_features, items)


def classification_dataset(file_pattern: str, num_samples: int,
                           num_classes: int, dataset_dir: str | None = None,
                           shape=None, channels: int = 3) -> Dataset:
    """A :class:`Dataset` over research/slim-layout classification records."""
    labels = read_label_file(dataset_dir) if dataset_dir and has_labels(
        dataset_dir) else None
    return Dataset(
        data_sources=file_pattern, reader=tf.data.TFRecordDataset,
        decoder=classification_decoder(shape, channels),
        num_samples=num_samples,
        items_to_descriptions={
            "image": "A color or grayscale image.",
            "label": f"A single integer between 0 and {num_classes - 1}",
        },
        num_classes=num_classes, labels_to_names=labels)
