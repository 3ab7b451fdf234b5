"""ImageNet (ILSVRC-2012-CLS) as research/slim's ``datasets/imagenet.py``,
offline.

* :func:`get_split` — the descriptor for the TFRecords written by
  research/slim's ``download_and_preprocess_imagenet`` (``train-*`` and
  ``validation-*`` in ``dataset_dir``; 1,281,167 / 50,000 images; 1001
  classes, label 0 is the background class the published Inception /
  MobileNet / ResNet V2 checkpoints reserve).
* :func:`create_readable_names_for_imagenet_labels` — ``{0: 'background',
  1: 'tench, Tinca tinca', …, 1000: 'toilet tissue, …'}``. research/slim
  downloads two files from GitHub for this; the 1000 ILSVRC-2012 synsets
  (sorted, as research/slim numbers them) and their WordNet names ship
  inside the package here (``imagenet_synsets.txt``), so it works offline.
* :func:`decode_predictions` — top-k ``(synset, name, score)`` for 1001- or
  1000-class outputs.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np

__all__ = [
    "SPLITS_TO_SIZES",
    "NUM_CLASSES",
    "FILE_PATTERN",
    "create_readable_names_for_imagenet_labels",
    "synsets",
    "decode_predictions",
    "get_split",
]

FILE_PATTERN = "%s-*"
SPLITS_TO_SIZES = {"train": 1281167, "validation": 50000}
NUM_CLASSES = 1001

ITEMS_TO_DESCRIPTIONS = {
    "image": "A color image of varying height and width.",
    "label": "The label id of the image, integer between 0 and 999",
    "label_text": "The text of the label.",
    "object/bbox": "A list of bounding boxes.",
    "object/label": "A list of labels, one per each object.",
}

_SYNSETS_FILE = os.path.join(os.path.dirname(__file__), "imagenet_synsets.txt")


@functools.lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, str], ...]:
    with open(_SYNSETS_FILE, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split(" ", 1) for line in f if line.strip()]
    if len(rows) != 1000 or any(len(r) != 2 for r in rows):
        raise RuntimeError(  # pragma: no cover - a broken install
            f"{_SYNSETS_FILE} must hold 1000 '<synset> <names>' lines.")
    return tuple((r[0], r[1]) for r in rows)


def synsets() -> list[str]:
    """The 1000 ILSVRC-2012 WordNet ids in research/slim's (sorted) order."""
    return [s for s, _ in _table()]


def create_readable_names_for_imagenet_labels() -> dict[int, str]:
    """``{label: human-readable name}`` for the 1001 labels (0:
    ``'background'``), as research/slim's function of the same name
    returns, without a download."""
    names = {0: "background"}
    for i, (_, name) in enumerate(_table(), start=1):
        names[i] = name
    return names


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple]]:
    """The ``top`` classes of each row of ``preds`` (logits or
    probabilities).

    Args:
        preds: ``(N, 1001)`` (research/slim's label 0 = background) or
            ``(N, 1000)`` (the 1000 ImageNet classes in synset order, e.g.
            ``create_model(..., num_classes=1000)`` or VGG/ResNet V1).
        top: how many classes per row.

    Returns:
        Per row, ``[(synset, name, score), …]`` best first; the background
        class is ``('background', 'background', score)``.

    Raises:
        ValueError: another shape, or ``top`` out of range.
    """
    preds = np.asarray(preds)
    if preds.ndim == 4 and preds.shape[1:3] == (1, 1):
        preds = preds[:, 0, 0]
    if preds.ndim != 2 or preds.shape[-1] not in (1000, 1001):
        raise ValueError(
            "decode_predictions expects a batch of ImageNet scores of shape "
            f"(N, 1001) or (N, 1000). Received: shape={preds.shape}.")
    n = preds.shape[-1]
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or \
            not 1 <= top <= n:
        raise ValueError(f"`top` must be an int in [1, {n}]. Received: "
                         f"top={top!r}.")
    table = _table()
    offset = n - 1000  # 1 when column 0 is the background class
    out = []
    for row in preds:
        best = np.argsort(-row, kind="stable")[:top]
        out.append([
            ("background", "background", float(row[i])) if i < offset
            else (table[i - offset][0], table[i - offset][1], float(row[i]))
            for i in best])
    return out


def get_split(split_name: str, dataset_dir: str | None,
              file_pattern: str | None = None, reader: Any = None):
    """research/slim's ImageNet descriptor (:class:`slimkeras.data.Dataset`).

    Args:
        split_name: ``'train'`` or ``'validation'``.
        dataset_dir: the directory of ``train-00000-of-01024`` …
            ``validation-00127-of-00128``.
        file_pattern: default ``'%s-*'`` (``%s`` is the split name).
        reader: ignored (records are read with ``tf.data``).

    Returns:
        A Dataset with items ``image``, ``label`` (1…1000; 0 background),
        ``label_text``, ``object/bbox``, ``object/label``;
        ``num_classes=1001`` and ``labels_to_names`` (a ``labels.txt`` in
        ``dataset_dir`` wins, else the shipped names).
    """
    del reader
    import tensorflow as tf

    from slimkeras.data import tfexample_decoder as dec
    from slimkeras.data import tfrecords
    from slimkeras.data.dataset import Dataset

    if split_name not in SPLITS_TO_SIZES:
        raise ValueError(
            f"split name {split_name!r} was not recognized; ImageNet splits: "
            f"{', '.join(SPLITS_TO_SIZES)}.")
    if not dataset_dir:
        raise ValueError(
            "ImageNet needs dataset_dir: the directory of research/slim's "
            "train-*/validation-* TFRecords.")
    pattern = os.path.join(dataset_dir, (file_pattern or FILE_PATTERN)
                           % split_name)
    keys_to_features = {
        "image/encoded": tf.io.FixedLenFeature((), tf.string, ""),
        "image/format": tf.io.FixedLenFeature((), tf.string, "jpeg"),
        "image/class/label": tf.io.FixedLenFeature([], tf.int64, -1),
        "image/class/text": tf.io.FixedLenFeature([], tf.string, ""),
        "image/object/bbox/xmin": tf.io.VarLenFeature(tf.float32),
        "image/object/bbox/ymin": tf.io.VarLenFeature(tf.float32),
        "image/object/bbox/xmax": tf.io.VarLenFeature(tf.float32),
        "image/object/bbox/ymax": tf.io.VarLenFeature(tf.float32),
        "image/object/class/label": tf.io.VarLenFeature(tf.int64),
    }
    items_to_handlers = {
        "image": dec.Image("image/encoded", "image/format", channels=3),
        "label": dec.Tensor("image/class/label"),
        "label_text": dec.Tensor("image/class/text"),
        "object/bbox": dec.BoundingBox(["ymin", "xmin", "ymax", "xmax"],
                                       "image/object/bbox/"),
        "object/label": dec.Tensor("image/object/class/label"),
    }
    if tfrecords.has_labels(dataset_dir):
        labels_to_names = tfrecords.read_label_file(dataset_dir)
    else:
        labels_to_names = create_readable_names_for_imagenet_labels()
    return Dataset(
        data_sources=pattern, reader=tf.data.TFRecordDataset,
        decoder=dec.TFExampleDecoder(keys_to_features, items_to_handlers),
        num_samples=SPLITS_TO_SIZES[split_name],
        items_to_descriptions=ITEMS_TO_DESCRIPTIONS,
        num_classes=NUM_CLASSES, labels_to_names=labels_to_names)
