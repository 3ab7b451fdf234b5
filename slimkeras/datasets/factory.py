"""The dataset registry."""

from __future__ import annotations

import difflib
import glob
import importlib
import importlib.util
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


# Names whose descriptor module lives in slimkeras.datasets.<name> (the
# module may be added later; research/slim's dataset_factory map).
_MODULES = ("imagenet",)


def list_datasets() -> list[str]:
    return sorted(list(_SLIM) + ["digits", "image_folder", "tfrecords"]
                  + [m for m in _MODULES if _module_exists(m)])


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(f"slimkeras.datasets.{name}") is not None


def _from_module(module_name, split_name, dataset_dir, file_pattern):
    """research/slim's dataset modules: ``module.get_split(split_name,
    dataset_dir, file_pattern=None, reader=None)`` returning a
    :class:`slimkeras.data.Dataset`."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(
            f"dataset module {module_name!r} cannot be imported: {e}.") \
            from None
    get_split = getattr(module, "get_split", None)
    if not callable(get_split):
        raise ValueError(
            f"dataset module {module_name!r} has no get_split(split_name, "
            "dataset_dir, file_pattern=None, reader=None).")
    if file_pattern is None:
        return get_split(split_name, dataset_dir)
    return get_split(split_name, dataset_dir, file_pattern=file_pattern)


def _count_records(files) -> int:
    import tensorflow as tf

    n = 0
    for _ in tf.data.TFRecordDataset(files):
        n += 1
    return n


def tfrecords_dataset(split_name: str, dataset_dir: str | None,
                      file_pattern: str | None = None):
    """Any research/slim-layout classification TFRecords in ``dataset_dir``.

    ``labels.txt`` (research/slim's ``label:name`` lines) gives the classes;
    ``file_pattern`` (``%s`` is the split name; default ``*_%s_*.tfrecord``
    then ``*_%s.tfrecord``) the files; the records are counted once for
    ``num_samples``. Raises ValueError naming what is missing.
    """
    from slimkeras.data import tfrecords

    if not dataset_dir or not os.path.isdir(dataset_dir):
        raise ValueError(
            "dataset 'tfrecords' needs --dataset_dir with labels.txt and "
            f"TFRecords. Received: dataset_dir={dataset_dir!r}.")
    if not tfrecords.has_labels(dataset_dir):
        raise ValueError(
            f"dataset 'tfrecords': no labels.txt in {dataset_dir!r} (one "
            "'<label>:<class name>' per line, as research/slim writes it).")
    labels = tfrecords.read_label_file(dataset_dir)
    patterns = [file_pattern] if file_pattern else ["*_%s_*.tfrecord",
                                                    "*_%s.tfrecord"]
    for pattern in patterns:
        spec = os.path.join(dataset_dir, pattern % split_name
                            if "%s" in pattern else pattern)
        files = sorted(glob.glob(spec))
        if files:
            break
    else:
        raise ValueError(
            f"dataset 'tfrecords': no files match {patterns} for split "
            f"{split_name!r} in {dataset_dir!r}; pass --file_pattern "
            "(%s is the split name).")
    return tfrecords.classification_dataset(
        spec, _count_records(files), max(labels) + 1, dataset_dir, None, 3)


def _check_split(name, split_name, splits):
    if split_name not in splits:
        raise ValueError(
            f"Unknown split {split_name!r} for dataset {name!r}. Splits: "
            f"{', '.join(sorted(splits))}."
        )


def get_dataset(name: str, split_name: str, dataset_dir: str | None = None,
                file_pattern: str | None = None, reader=None):
    """A :class:`slimkeras.data.Dataset` for ``name``/``split_name``.

    ``name`` is a registered name (:func:`list_datasets`; ``tfrecords``:
    any ``labels.txt`` + TFRecords directory, see
    :func:`tfrecords_dataset`) or a dotted module path whose
    ``get_split(split_name, dataset_dir, file_pattern=None, reader=None)``
    returns a Dataset (research/slim's dataset_factory plug-in).

    Raises:
        ValueError: unknown dataset or split (listing the valid ones), or a
            missing ``dataset_dir``.
    """
    del reader
    if name == "digits":
        return digits.get_split(split_name, dataset_dir)
    if name == "image_folder":
        return image_folder.get_split(split_name, dataset_dir)
    if name == "tfrecords":
        return tfrecords_dataset(split_name, dataset_dir, file_pattern)
    if name in _MODULES and _module_exists(name):
        return _from_module(f"slimkeras.datasets.{name}", split_name,
                            dataset_dir, file_pattern)
    if "." in str(name) and name not in _SLIM:
        # A descriptor module by dotted path (research/slim's
        # datasets/<name>.py, ported to return a slimkeras Dataset).
        return _from_module(name, split_name, dataset_dir, file_pattern)
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


def num_classes(name: str, dataset_dir: str | None = None,
                file_pattern: str | None = None) -> int:
    """The number of classes of a dataset, as export_inference_graph reads
    it: registered research/slim datasets need no files."""
    if name in _SLIM:
        return _SLIM[name][2]
    if name == "digits":
        return 10
    if name in _MODULES and _module_exists(name):
        module = importlib.import_module(f"slimkeras.datasets.{name}")
        if isinstance(getattr(module, "NUM_CLASSES", None), int):
            return module.NUM_CLASSES
    return get_dataset(name, "train", dataset_dir, file_pattern).num_classes
