"""The dataset registry."""

from __future__ import annotations

import difflib
import os

from slimkeras.data import tfrecords
from slimkeras.datasets import digits, image_folder

# research/slim's datasets: (file pattern, split sizes, classes, shape,
# channels).
_SLIM = {
    "mnist": ("mnist_%s.tfrecord", {"train": 60000, "test": 10000}, 10,
              (28, 28, 1), 1),
    "cifar10": ("cifar10_%s.tfrecord", {"train": 50000, "test": 10000}, 10,
                (32, 32, 3), 3),
    "flowers": ("flowers_%s_*.tfrecord", {"train": 3320, "validation": 350},
                5, None, 3),
}


def list_datasets() -> list[str]:
    return sorted(list(_SLIM) + ["digits", "image_folder"])


def _check_split(name, split_name, splits):
    if split_name not in splits:
        raise ValueError(
            f"Unknown split {split_name!r} for dataset {name!r}. Splits: "
            f"{', '.join(sorted(splits))}."
        )


def get_dataset(name: str, split_name: str, dataset_dir: str | None = None,
                file_pattern: str | None = None, reader=None):
    """A :class:`slimkeras.data.Dataset` for ``name``/``split_name``.

    Raises:
        ValueError: unknown dataset or split (listing the valid ones), or a
            missing ``dataset_dir``.
    """
    del reader
    if name == "digits":
        return digits.get_split(split_name, dataset_dir)
    if name == "image_folder":
        return image_folder.get_split(split_name, dataset_dir)
    if name not in _SLIM:
        close = difflib.get_close_matches(str(name), list_datasets(), n=2)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"Unknown dataset name {name!r}.{hint} Known datasets: "
            f"{', '.join(list_datasets())}."
        )
    pattern, splits, num_classes, shape, channels = _SLIM[name]
    _check_split(name, split_name, splits)
    if not dataset_dir or not os.path.isdir(dataset_dir):
        raise ValueError(
            f"dataset {name!r} needs --dataset_dir with its TFRecords. "
            f"Received: dataset_dir={dataset_dir!r}."
        )
    files = os.path.join(dataset_dir, (file_pattern or pattern) % split_name)
    return tfrecords.classification_dataset(
        files, splits[split_name], num_classes, dataset_dir, shape, channels)
