"""The embedded default dataset: scikit-learn's bundled 8x8 digits.

1797 real handwritten digits (shipped inside scikit-learn, no network),
upscaled to 28x28 grayscale PNGs and written in research/slim's TFRecord
layout (``digits_train.tfrecord``: 1437, ``digits_test.tfrecord``: 360,
``labels.txt``) into ``dataset_dir`` or the cache directory
(``$SLIMKERAS_DATA_DIR`` or ``~/.cache/slimkeras/digits``) on first use.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import tensorflow as tf

from slimkeras.data import tfrecords

SPLITS = {"train": 1437, "test": 360}
NUM_CLASSES = 10
SIZE = 28


def default_dir() -> str:
    root = os.environ.get("SLIMKERAS_DATA_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "slimkeras")
    return os.path.join(root, "digits")


def _convert(dataset_dir: str) -> None:
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images / 16.0 * 255.0).astype("float32")[..., None]
    big = tf.image.resize(images, (SIZE, SIZE), method="bilinear")
    big = tf.cast(tf.clip_by_value(tf.round(big), 0, 255), tf.uint8).numpy()
    order = np.random.default_rng(0).permutation(len(big))
    parent = os.path.dirname(dataset_dir) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=".digits-")
    start = 0
    for split in ("train", "test"):
        idx = order[start:start + SPLITS[split]]
        start += SPLITS[split]
        examples = (
            tfrecords.image_to_tfexample(
                tf.io.encode_png(big[i]).numpy(), b"png", SIZE, SIZE,
                int(data.target[i]))
            for i in idx)
        tfrecords.write_tfrecord(
            os.path.join(tmp, f"digits_{split}.tfrecord"), examples)
    tfrecords.write_label_file({i: str(i) for i in range(NUM_CLASSES)}, tmp)
    try:
        os.replace(tmp, dataset_dir)  # atomic: readers never see half
    except OSError:
        # Another process converted it first.
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def ensure(dataset_dir: str | None = None) -> str:
    dataset_dir = dataset_dir or default_dir()
    if not os.path.exists(os.path.join(dataset_dir, "digits_test.tfrecord")):
        if os.path.isdir(dataset_dir) and os.listdir(dataset_dir):
            raise ValueError(
                f"dataset_dir {dataset_dir!r} exists but holds no digits "
                "TFRecords; pass an empty or new directory."
            )
        if os.path.isdir(dataset_dir):
            os.rmdir(dataset_dir)
        _convert(dataset_dir)
    return dataset_dir


def get_split(split_name: str, dataset_dir: str | None = None):
    if split_name not in SPLITS:
        raise ValueError(
            f"Unknown split {split_name!r} for dataset 'digits'. Splits: "
            f"{', '.join(SPLITS)}."
        )
    dataset_dir = ensure(dataset_dir)
    return tfrecords.classification_dataset(
        os.path.join(dataset_dir, f"digits_{split_name}.tfrecord"),
        SPLITS[split_name], NUM_CLASSES, dataset_dir, (SIZE, SIZE, 1), 1)


def load_arrays(seed: int = 0):
    """The 1797 8x8 digits as NumPy arrays, float32 in [0, 1], split 80/20.

    ``((x_train, y_train), (x_test, y_test))``, images ``(N, 8, 8, 1)``,
    shuffled with ``seed``: for Keras ``fit`` on arrays (``get_split``
    gives the research/slim TFRecord splits at 28x28).
    """
    import numpy as np
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype("float32")[..., None]
    y = data.target.astype("int64")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    return (x[:split], y[:split]), (x[split:], y[split:])
