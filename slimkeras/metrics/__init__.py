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

from slimkeras.metrics import classification as classification
from slimkeras.metrics import streaming as _streaming
from slimkeras.metrics.base import (
    StreamingMetric as StreamingMetric,
)
from slimkeras.metrics.base import (
    WeightedMean as WeightedMean,
)
from slimkeras.metrics.base import (
    aggregate_metric_map as aggregate_metric_map,
)
from slimkeras.metrics.base import (
    aggregate_metrics as aggregate_metrics,
)
from slimkeras.metrics.base import (
    broadcast_weights as broadcast_weights,
)
from slimkeras.metrics.classification import accuracy as accuracy
from slimkeras.metrics.confusion import (
    FalseNegativeRate as FalseNegativeRate,
)
from slimkeras.metrics.confusion import (
    FalseNegatives as FalseNegatives,
)
from slimkeras.metrics.confusion import (
    FalsePositiveRate as FalsePositiveRate,
)
from slimkeras.metrics.confusion import (
    FalsePositives as FalsePositives,
)
from slimkeras.metrics.confusion import (
    Precision as Precision,
)
from slimkeras.metrics.confusion import (
    Recall as Recall,
)
from slimkeras.metrics.confusion import (
    TrueNegatives as TrueNegatives,
)
from slimkeras.metrics.confusion import (
    TruePositives as TruePositives,
)
from slimkeras.metrics.iou import (
    MeanIoU as MeanIoU,
)
from slimkeras.metrics.mean_metrics import (
    Accuracy as Accuracy,
)
from slimkeras.metrics.mean_metrics import (
    Count as Count,
)
from slimkeras.metrics.mean_metrics import (
    MeanAbsoluteError as MeanAbsoluteError,
)
from slimkeras.metrics.mean_metrics import (
    MeanCosineDistance as MeanCosineDistance,
)
from slimkeras.metrics.mean_metrics import (
    MeanRelativeError as MeanRelativeError,
)
from slimkeras.metrics.mean_metrics import (
    MeanSquaredError as MeanSquaredError,
)
from slimkeras.metrics.mean_metrics import (
    MeanTensor as MeanTensor,
)
from slimkeras.metrics.mean_metrics import (
    PercentageLess as PercentageLess,
)
from slimkeras.metrics.mean_metrics import (
    RecallAtK as RecallAtK,
)
from slimkeras.metrics.mean_metrics import (
    RootMeanSquaredError as RootMeanSquaredError,
)
from slimkeras.metrics.streaming import (
    count as count,
)
from slimkeras.metrics.streaming import (
    streaming_accuracy as streaming_accuracy,
)
from slimkeras.metrics.streaming import (
    streaming_auc as streaming_auc,
)
from slimkeras.metrics.streaming import (
    streaming_false_negative_rate as streaming_false_negative_rate,
)
from slimkeras.metrics.streaming import (
    streaming_false_negatives as streaming_false_negatives,
)
from slimkeras.metrics.streaming import (
    streaming_false_positive_rate as streaming_false_positive_rate,
)
from slimkeras.metrics.streaming import (
    streaming_false_positives as streaming_false_positives,
)
from slimkeras.metrics.streaming import (
    streaming_mean as streaming_mean,
)
from slimkeras.metrics.streaming import (
    streaming_mean_absolute_error as streaming_mean_absolute_error,
)
from slimkeras.metrics.streaming import (
    streaming_mean_cosine_distance as streaming_mean_cosine_distance,
)
from slimkeras.metrics.streaming import (
    streaming_mean_iou as streaming_mean_iou,
)
from slimkeras.metrics.streaming import (
    streaming_mean_relative_error as streaming_mean_relative_error,
)
from slimkeras.metrics.streaming import (
    streaming_mean_squared_error as streaming_mean_squared_error,
)
from slimkeras.metrics.streaming import (
    streaming_mean_tensor as streaming_mean_tensor,
)
from slimkeras.metrics.streaming import (
    streaming_percentage_less as streaming_percentage_less,
)
from slimkeras.metrics.streaming import (
    streaming_precision as streaming_precision,
)
from slimkeras.metrics.streaming import (
    streaming_precision_at_thresholds as streaming_precision_at_thresholds,
)
from slimkeras.metrics.streaming import (
    streaming_recall as streaming_recall,
)
from slimkeras.metrics.streaming import (
    streaming_recall_at_k as streaming_recall_at_k,
)
from slimkeras.metrics.streaming import (
    streaming_recall_at_thresholds as streaming_recall_at_thresholds,
)
from slimkeras.metrics.streaming import (
    streaming_root_mean_squared_error as streaming_root_mean_squared_error,
)
from slimkeras.metrics.streaming import (
    streaming_sparse_precision_at_k as streaming_sparse_precision_at_k,
)
from slimkeras.metrics.streaming import (
    streaming_sparse_recall_at_k as streaming_sparse_recall_at_k,
)
from slimkeras.metrics.streaming import (
    streaming_true_negatives as streaming_true_negatives,
)
from slimkeras.metrics.streaming import (
    streaming_true_positives as streaming_true_positives,
)
from slimkeras.metrics.thresholds import (
    AUC as AUC,
)
from slimkeras.metrics.thresholds import (
    ConfusionAtThresholds as ConfusionAtThresholds,
)
from slimkeras.metrics.thresholds import (
    FalseNegativeRateAtThresholds as FalseNegativeRateAtThresholds,
)
from slimkeras.metrics.thresholds import (
    FalsePositiveRateAtThresholds as FalsePositiveRateAtThresholds,
)
from slimkeras.metrics.thresholds import (
    PrecisionAtThresholds as PrecisionAtThresholds,
)
from slimkeras.metrics.thresholds import (
    RecallAtThresholds as RecallAtThresholds,
)
from slimkeras.metrics.top_k import (
    SparsePrecisionAtK as SparsePrecisionAtK,
)
from slimkeras.metrics.top_k import (
    SparseRecallAtK as SparseRecallAtK,
)

# Re-exported by assignment: as ``name as name`` imports these lines would
# run past 80 columns.
streaming_false_negative_rate_at_thresholds = (
    _streaming.streaming_false_negative_rate_at_thresholds
)
streaming_false_negatives_at_thresholds = (
    _streaming.streaming_false_negatives_at_thresholds
)
streaming_false_positive_rate_at_thresholds = (
    _streaming.streaming_false_positive_rate_at_thresholds
)
streaming_false_positives_at_thresholds = (
    _streaming.streaming_false_positives_at_thresholds
)
streaming_true_negatives_at_thresholds = (
    _streaming.streaming_true_negatives_at_thresholds
)
streaming_true_positives_at_thresholds = (
    _streaming.streaming_true_positives_at_thresholds
)

# The streaming_* functions are listed once, in streaming.__all__.
__all__ = [
    "accuracy",
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
