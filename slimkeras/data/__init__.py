"""slim's data concepts on ``tf.data``: Dataset, decoders, providers,
research/slim's TFRecord layout."""

from slimkeras.data import parallel_reader as parallel_reader
from slimkeras.data import tfexample_decoder as tfexample_decoder
from slimkeras.data import tfrecords as tfrecords
from slimkeras.data.dataset import Dataset as Dataset
from slimkeras.data.provider import DatasetDataProvider as DatasetDataProvider
from slimkeras.data.provider import make_batches as make_batches

__all__ = [
    "Dataset",
    "DatasetDataProvider",
    "make_batches",
]
