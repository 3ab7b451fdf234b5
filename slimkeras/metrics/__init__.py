"""slim's streaming metrics (``tf_slim.metrics``) as Keras metrics.

Metric classes (``keras.metrics.Metric``; Keras argument order
``update_state(y_true, y_pred, sample_weight)``) live in ``mean_metrics``,
``confusion``, ``thresholds`` and ``top_k``; ``keras.metrics.Mean`` and
``keras.metrics.MeanIoU`` are reused where their arithmetic is slim's.
The ``streaming_*`` functions (``streaming``) keep slim's names and
argument order and return ``StreamingMetric`` objects that unpack as
``(value, update)``; ``aggregate_metrics`` / ``aggregate_metric_map``
keep slim's return shape.
"""

from slimkeras.metrics.base import StreamingMetric as StreamingMetric
from slimkeras.metrics.base import WeightedMean as WeightedMean
from slimkeras.metrics.base import aggregate_metric_map as aggregate_metric_map
from slimkeras.metrics.base import aggregate_metrics as aggregate_metrics
from slimkeras.metrics.base import broadcast_weights as broadcast_weights
from slimkeras.metrics.mean_metrics import Accuracy as Accuracy
from slimkeras.metrics.mean_metrics import Count as Count
from slimkeras.metrics.mean_metrics import MeanAbsoluteError as MeanAbsoluteError
from slimkeras.metrics.mean_metrics import MeanCosineDistance as MeanCosineDistance
from slimkeras.metrics.mean_metrics import MeanRelativeError as MeanRelativeError
from slimkeras.metrics.mean_metrics import MeanSquaredError as MeanSquaredError
from slimkeras.metrics.mean_metrics import MeanTensor as MeanTensor
from slimkeras.metrics.mean_metrics import PercentageLess as PercentageLess
from slimkeras.metrics.mean_metrics import RecallAtK as RecallAtK
from slimkeras.metrics.mean_metrics import RootMeanSquaredError as RootMeanSquaredError
from slimkeras.metrics.confusion import FalseNegativeRate as FalseNegativeRate
from slimkeras.metrics.confusion import FalseNegatives as FalseNegatives
from slimkeras.metrics.confusion import FalsePositiveRate as FalsePositiveRate
from slimkeras.metrics.confusion import FalsePositives as FalsePositives
from slimkeras.metrics.confusion import Precision as Precision
from slimkeras.metrics.confusion import Recall as Recall
from slimkeras.metrics.confusion import TrueNegatives as TrueNegatives
from slimkeras.metrics.confusion import TruePositives as TruePositives
from slimkeras.metrics.thresholds import AUC as AUC
from slimkeras.metrics.thresholds import ConfusionAtThresholds as ConfusionAtThresholds
from slimkeras.metrics.thresholds import FalseNegativeRateAtThresholds as FalseNegativeRateAtThresholds
from slimkeras.metrics.thresholds import FalsePositiveRateAtThresholds as FalsePositiveRateAtThresholds
from slimkeras.metrics.thresholds import PrecisionAtThresholds as PrecisionAtThresholds
from slimkeras.metrics.thresholds import RecallAtThresholds as RecallAtThresholds
from slimkeras.metrics.top_k import SparsePrecisionAtK as SparsePrecisionAtK
from slimkeras.metrics.top_k import SparseRecallAtK as SparseRecallAtK
from slimkeras.metrics.streaming import count as count
from slimkeras.metrics.streaming import streaming_accuracy as streaming_accuracy
from slimkeras.metrics.streaming import streaming_auc as streaming_auc
from slimkeras.metrics.streaming import streaming_false_negative_rate as streaming_false_negative_rate
from slimkeras.metrics.streaming import streaming_false_negative_rate_at_thresholds as streaming_false_negative_rate_at_thresholds
from slimkeras.metrics.streaming import streaming_false_negatives as streaming_false_negatives
from slimkeras.metrics.streaming import streaming_false_negatives_at_thresholds as streaming_false_negatives_at_thresholds
from slimkeras.metrics.streaming import streaming_false_positive_rate as streaming_false_positive_rate
from slimkeras.metrics.streaming import streaming_false_positive_rate_at_thresholds as streaming_false_positive_rate_at_thresholds
from slimkeras.metrics.streaming import streaming_false_positives as streaming_false_positives
from slimkeras.metrics.streaming import streaming_false_positives_at_thresholds as streaming_false_positives_at_thresholds
from slimkeras.metrics.streaming import streaming_mean as streaming_mean
from slimkeras.metrics.streaming import streaming_mean_absolute_error as streaming_mean_absolute_error
from slimkeras.metrics.streaming import streaming_mean_cosine_distance as streaming_mean_cosine_distance
from slimkeras.metrics.streaming import streaming_mean_iou as streaming_mean_iou
from slimkeras.metrics.streaming import streaming_mean_relative_error as streaming_mean_relative_error
from slimkeras.metrics.streaming import streaming_mean_squared_error as streaming_mean_squared_error
from slimkeras.metrics.streaming import streaming_mean_tensor as streaming_mean_tensor
from slimkeras.metrics.streaming import streaming_percentage_less as streaming_percentage_less
from slimkeras.metrics.streaming import streaming_precision as streaming_precision
from slimkeras.metrics.streaming import streaming_precision_at_thresholds as streaming_precision_at_thresholds
from slimkeras.metrics.streaming import streaming_recall as streaming_recall
from slimkeras.metrics.streaming import streaming_recall_at_k as streaming_recall_at_k
from slimkeras.metrics.streaming import streaming_recall_at_thresholds as streaming_recall_at_thresholds
from slimkeras.metrics.streaming import streaming_root_mean_squared_error as streaming_root_mean_squared_error
from slimkeras.metrics.streaming import streaming_sparse_precision_at_k as streaming_sparse_precision_at_k
from slimkeras.metrics.streaming import streaming_sparse_recall_at_k as streaming_sparse_recall_at_k
from slimkeras.metrics.streaming import streaming_true_negatives as streaming_true_negatives
from slimkeras.metrics.streaming import streaming_true_negatives_at_thresholds as streaming_true_negatives_at_thresholds
from slimkeras.metrics.streaming import streaming_true_positives as streaming_true_positives
from slimkeras.metrics.streaming import streaming_true_positives_at_thresholds as streaming_true_positives_at_thresholds

__all__ = [
    "AUC",
    "Accuracy",
    "ConfusionAtThresholds",
    "Count",
    "FalseNegativeRate",
    "FalseNegativeRateAtThresholds",
    "FalseNegatives",
    "FalsePositiveRate",
    "FalsePositiveRateAtThresholds",
    "FalsePositives",
    "MeanAbsoluteError",
    "MeanCosineDistance",
    "MeanRelativeError",
    "MeanSquaredError",
    "MeanTensor",
    "PercentageLess",
    "Precision",
    "PrecisionAtThresholds",
    "Recall",
    "RecallAtK",
    "RecallAtThresholds",
    "RootMeanSquaredError",
    "SparsePrecisionAtK",
    "SparseRecallAtK",
    "StreamingMetric",
    "TrueNegatives",
    "TruePositives",
    "WeightedMean",
    "aggregate_metric_map",
    "aggregate_metrics",
    "broadcast_weights",
    "count",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_false_negative_rate",
    "streaming_false_negative_rate_at_thresholds",
    "streaming_false_negatives",
    "streaming_false_negatives_at_thresholds",
    "streaming_false_positive_rate",
    "streaming_false_positive_rate_at_thresholds",
    "streaming_false_positives",
    "streaming_false_positives_at_thresholds",
    "streaming_mean",
    "streaming_mean_absolute_error",
    "streaming_mean_cosine_distance",
    "streaming_mean_iou",
    "streaming_mean_relative_error",
    "streaming_mean_squared_error",
    "streaming_mean_tensor",
    "streaming_percentage_less",
    "streaming_precision",
    "streaming_precision_at_thresholds",
    "streaming_recall",
    "streaming_recall_at_k",
    "streaming_recall_at_thresholds",
    "streaming_root_mean_squared_error",
    "streaming_sparse_precision_at_k",
    "streaming_sparse_recall_at_k",
    "streaming_true_negatives",
    "streaming_true_negatives_at_thresholds",
    "streaming_true_positives",
    "streaming_true_positives_at_thresholds",
]
