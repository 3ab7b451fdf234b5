"""Datasets by name (research/slim's ``dataset_factory``).

``get_dataset(name, split_name, dataset_dir)`` returns a
:class:`slimkeras.data.Dataset`. ``digits`` is the embedded default: the
8x8 digits shipped with scikit-learn, upscaled to 28x28 and written as
research/slim-layout TFRecords into a cache directory on first use (no
network). ``mnist``, ``cifar10`` and ``flowers`` read TFRecords written by
research/slim's ``download_and_convert_*`` scripts unchanged;
``image_folder`` converts a folder of ``class_name/*.jpg|png`` images.
"""

from slimkeras.datasets.factory import get_dataset as get_dataset
from slimkeras.datasets.factory import list_datasets as list_datasets

__all__ = [
    "get_dataset",
    "list_datasets",
]
