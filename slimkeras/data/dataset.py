"""slim's ``Dataset`` descriptor: where the records are and how to decode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Dataset:
    """Describes a dataset (as ``slim.dataset.Dataset``).

    Args:
        data_sources: a file pattern or list of TFRecord files/patterns.
        reader: kept for compatibility; records are read with
            ``tf.data.TFRecordDataset`` (pass a callable ``files ->
            tf.data.Dataset`` to read another format).
        decoder: a :class:`~slimkeras.data.tfexample_decoder.TFExampleDecoder`.
        num_samples: number of examples in this split.
        items_to_descriptions: ``{item: description}``.
        **kwargs: kept as attributes (``num_classes``, ``labels_to_names``).
    """

    def __init__(self, data_sources: str | Sequence[str], reader: Any,
                 decoder: Any, num_samples: int,
                 items_to_descriptions: dict, **kwargs: Any):
        self.data_sources = data_sources
        self.reader = reader
        self.decoder = decoder
        self.num_samples = num_samples
        self.items_to_descriptions = items_to_descriptions
        for k, v in kwargs.items():
            setattr(self, k, v)

    def __repr__(self):
        return (f"Dataset(data_sources={self.data_sources!r}, "
                f"num_samples={self.num_samples}, "
                f"num_classes={getattr(self, 'num_classes', None)})")
