"""slim's streaming metrics (``tf_slim.metrics``) as Keras metrics.

Metric classes (``keras.metrics.Metric``; Keras argument order
``update_state(y_true, y_pred, sample_weight)``) live in ``mean_metrics``,
``confusion``, ``thresholds``, ``iou`` and ``top_k``. ``keras.metrics.Mean``
is reused and ``keras.metrics.MeanIoU`` subclassed, where their arithmetic
is slim's; the rest differ from Keras (bool-cast confusion counts, slim's
epsilons, element-wise weighting) and are written here.
The ``streaming_*`` functions (``streaming``) keep slim's names and
argument order and return ``StreamingMetric`` objects that unpack as
``(value, update)``; ``aggregate_metrics`` / ``aggregate_metric_map``
keep slim's return shape.
"""

from slimkeras.metrics.base import (
    StreamingMetric as StreamingMetric,
    WeightedMean as WeightedMean,
    aggregate_metric_map as aggregate_metric_map,
    aggregate_metrics as aggregate_metrics,
    broadcast_weights as broadcast_weights,
)
from slimkeras.metrics.confusion import (
    FalseNegativeRate as FalseNegativeRate,
    FalseNegatives as FalseNegatives,
    FalsePositiveRate as FalsePositiveRate,
    FalsePositives as FalsePositives,
    Precision as Precision,
    Recall as Recall,
    TrueNegatives as TrueNegatives,
    TruePositives as TruePositives,
)
from slimkeras.metrics.iou import (
    MeanIoU as MeanIoU,
)
from slimkeras.metrics.mean_metrics import (
    Accuracy as Accuracy,
    Count as Count,
    MeanAbsoluteError as MeanAbsoluteError,
    MeanCosineDistance as MeanCosineDistance,
    MeanRelativeError as MeanRelativeError,
    MeanSquaredError as MeanSquaredError,
    MeanTensor as MeanTensor,
    PercentageLess as PercentageLess,
    RecallAtK as RecallAtK,
    RootMeanSquaredError as RootMeanSquaredError,
)
from slimkeras.metrics import classification as classification
from slimkeras.metrics.classification import accuracy as accuracy
from slimkeras.metrics import streaming as _streaming
from slimkeras.metrics.streaming import (
    count as count,
    streaming_accuracy as streaming_accuracy,
    streaming_auc as streaming_auc,
    streaming_false_negative_rate as streaming_false_negative_rate,
    streaming_false_negative_rate_at_thresholds as streaming_false_negative_rate_at_thresholds,
    streaming_false_negatives as streaming_false_negatives,
    streaming_false_negatives_at_thresholds as streaming_false_negatives_at_thresholds,
    streaming_false_positive_rate as streaming_false_positive_rate,
    streaming_false_positive_rate_at_thresholds as streaming_false_positive_rate_at_thresholds,
    streaming_false_positives as streaming_false_positives,
    streaming_false_positives_at_thresholds as streaming_false_positives_at_thresholds,
    streaming_mean as streaming_mean,
    streaming_mean_absolute_error as streaming_mean_absolute_error,
    streaming_mean_cosine_distance as streaming_mean_cosine_distance,
    streaming_mean_iou as streaming_mean_iou,
    streaming_mean_relative_error as streaming_mean_relative_error,
    streaming_mean_squared_error as streaming_mean_squared_error,
    streaming_mean_tensor as streaming_mean_tensor,
    streaming_percentage_less as streaming_percentage_less,
    streaming_precision as streaming_precision,
    streaming_precision_at_thresholds as streaming_precision_at_thresholds,
    streaming_recall as streaming_recall,
    streaming_recall_at_k as streaming_recall_at_k,
    streaming_recall_at_thresholds as streaming_recall_at_thresholds,
    streaming_root_mean_squared_error as streaming_root_mean_squared_error,
    streaming_sparse_precision_at_k as streaming_sparse_precision_at_k,
    streaming_sparse_recall_at_k as streaming_sparse_recall_at_k,
    streaming_true_negatives as streaming_true_negatives,
    streaming_true_negatives_at_thresholds as streaming_true_negatives_at_thresholds,
    streaming_true_positives as streaming_true_positives,
    streaming_true_positives_at_thresholds as streaming_true_positives_at_thresholds,
)
from slimkeras.metrics.thresholds import (
    AUC as AUC,
    ConfusionAtThresholds as ConfusionAtThresholds,
    FalseNegativeRateAtThresholds as FalseNegativeRateAtThresholds,
    FalsePositiveRateAtThresholds as FalsePositiveRateAtThresholds,
    PrecisionAtThresholds as PrecisionAtThresholds,
    RecallAtThresholds as RecallAtThresholds,
)
from slimkeras.metrics.top_k import (
    SparsePrecisionAtK as SparsePrecisionAtK,
    SparseRecallAtK as SparseRecallAtK,
)

# The streaming_* functions are listed once, in streaming.__all__.
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
    "MeanIoU",
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
    *_streaming.__all__,
]
