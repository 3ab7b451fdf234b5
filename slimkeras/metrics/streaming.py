"""slim's functional metric names, eager: ``streaming_*`` -> StreamingMetric.

Each ``streaming_<metric>(...)`` takes slim's arguments in slim's order and
returns a ``StreamingMetric`` that unpacks as ``(value, update)`` (see
``base``). Called with data (``predictions``/``values`` not ``None``), it
also applies that first batch, the eager analogue of slim building the
update on those tensors; called without, it only creates the state::

    value, update = slim.metrics.streaming_accuracy()
    for images, labels in dataset:
        update(tf.argmax(model(images), 1), labels)
    print(float(value()))

This is the eager form of slim's ``value, update_op = streaming_x(
predictions, labels)`` + ``sess.run(update_op)`` per batch: in TF1 the
tensors were the input pipeline, so each run saw a new batch; in eager
code the batch is an argument of ``update``. Build the metric once, before
the loop: a ``streaming_*`` call inside the loop makes a new metric each
time, holding only that batch (a second build from data at the same line
warns). ``update()`` with no batch raises (the construction batch, if
any, was added already; re-adding it would count it twice).

The Keras metric is ``.metric`` (for ``model.compile(metrics=[...])``).
``metrics_collections``/``updates_collections`` have no eager meaning and
are not accepted.
"""

from __future__ import annotations

import sys
import warnings

import keras

from slimkeras.metrics import confusion, iou, mean_metrics, top_k
from slimkeras.metrics import thresholds as thr
from slimkeras.metrics.base import StreamingMetric

__all__ = [
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


def _pred_label_update(m, predictions, labels, weights=None):
    m.update_state(labels, predictions, sample_weight=weights)


def _values_update(m, values, weights=None):
    m.update_state(values, sample_weight=weights)


# Call sites (file, line) that built a metric from data: a second build at
# the same place is the TF1 pattern moved into an eager loop (see below).
_BUILT_WITH_DATA: set = set()


def _start(metric, update_fn, first=None, *rest, weights=None):
    sm = StreamingMetric(metric, update_fn)
    if first is not None:
        _warn_if_rebuilt(metric)
        sm.update(first, *rest, weights=weights)
    return sm


def _warn_if_rebuilt(metric):
    caller = sys._getframe(3)  # user -> streaming_x -> _start -> here
    site = (caller.f_code.co_filename, caller.f_lineno)
    if site not in _BUILT_WITH_DATA:
        _BUILT_WITH_DATA.add(site)
        return
    fn = sys._getframe(2).f_code.co_name
    if fn == "fn":  # the _pl_metric wrappers
        fn = f"streaming metric {metric.__class__.__name__}"
    warnings.warn(
        f"{fn}(...) was built from data again at {site[0]}:{site[1]}: each "
        "call makes a NEW metric holding only that batch, so calling it "
        "inside a batch loop gives the last batch's value, not the "
        "streamed one. Build it once before the loop (value, update = "
        "slim.metrics.streaming_...() with no data) and call "
        "update(predictions, labels) per batch.", UserWarning, stacklevel=4)


def _kw(name):
    return {} if name is None else {"name": name}


def _required(value, arg, fn):
    if value is None:
        raise ValueError(f"{fn}: {arg} must be given. Received: {arg}=None.")
    return value


def _pl_metric(cls):
    def fn(predictions=None, labels=None, weights=None, name=None):
        return _start(cls(**_kw(name)), _pred_label_update, predictions,
                      labels, weights=weights)
    fn.__doc__ = (f"Streaming ``{cls.__name__}``: ``update(predictions, "
                  "labels, weights=None)``.")
    return fn


streaming_true_positives = _pl_metric(confusion.TruePositives)
streaming_true_negatives = _pl_metric(confusion.TrueNegatives)
streaming_false_positives = _pl_metric(confusion.FalsePositives)
streaming_false_negatives = _pl_metric(confusion.FalseNegatives)
streaming_precision = _pl_metric(confusion.Precision)
streaming_recall = _pl_metric(confusion.Recall)
streaming_false_positive_rate = _pl_metric(confusion.FalsePositiveRate)
streaming_false_negative_rate = _pl_metric(confusion.FalseNegativeRate)
streaming_accuracy = _pl_metric(mean_metrics.Accuracy)
streaming_mean_absolute_error = _pl_metric(mean_metrics.MeanAbsoluteError)
streaming_mean_squared_error = _pl_metric(mean_metrics.MeanSquaredError)
streaming_root_mean_squared_error = _pl_metric(
    mean_metrics.RootMeanSquaredError)


def streaming_mean(values=None, weights=None, name=None):
    """Weighted mean of all values (``keras.metrics.Mean``)."""
    return _start(keras.metrics.Mean(**_kw(name or "mean")), _values_update,
                  values, weights=weights)


def streaming_mean_tensor(values=None, weights=None, name=None):
    """Element-wise weighted mean over batches (``MeanTensor``)."""
    return _start(mean_metrics.MeanTensor(**_kw(name)), _values_update,
                  values, weights=weights)


def count(values=None, weights=None, name=None):
    """Sum of weights, or number of values (``Count``)."""
    return _start(mean_metrics.Count(**_kw(name)), _values_update, values,
                  weights=weights)


def streaming_percentage_less(values=None, threshold=None, weights=None,
                              name=None):
    """Weighted fraction of values below ``threshold``."""
    _required(threshold, "threshold", "streaming_percentage_less")
    return _start(mean_metrics.PercentageLess(threshold, **_kw(name)),
                  _values_update, values, weights=weights)


def streaming_mean_relative_error(predictions=None, labels=None,
                                  normalizer=None, weights=None, name=None):
    """``update(predictions, labels, normalizer, weights=None)``."""

    def update(m, predictions, labels, normalizer, weights=None):
        m.update_state(labels, predictions, normalizer=normalizer,
                       sample_weight=weights)

    if predictions is not None:
        _required(normalizer, "normalizer", "streaming_mean_relative_error")
    return _start(mean_metrics.MeanRelativeError(**_kw(name)), update,
                  predictions, labels, normalizer, weights=weights)


def streaming_mean_cosine_distance(predictions=None, labels=None, dim=None,
                                   weights=None, name=None):
    """``1 - mean(sum(predictions * labels, dim))``."""
    _required(dim, "dim", "streaming_mean_cosine_distance")
    return _start(mean_metrics.MeanCosineDistance(dim, **_kw(name)),
                  _pred_label_update, predictions, labels, weights=weights)


def streaming_recall_at_k(predictions=None, labels=None, k=None,
                          weights=None, name=None):
    """Fraction of integer labels in the top ``k`` (``in_top_k``)."""
    _required(k, "k", "streaming_recall_at_k")
    return _start(mean_metrics.RecallAtK(k, **_kw(name)), _pred_label_update,
                  predictions, labels, weights=weights)


def streaming_sparse_recall_at_k(predictions=None, labels=None, k=None,
                                 class_id=None, weights=None, name=None):
    """Recall@k with integer label ids (``SparseRecallAtK``)."""
    _required(k, "k", "streaming_sparse_recall_at_k")
    return _start(top_k.SparseRecallAtK(k, class_id, **_kw(name)),
                  _pred_label_update, predictions, labels, weights=weights)


def streaming_sparse_precision_at_k(predictions=None, labels=None, k=None,
                                    class_id=None, weights=None, name=None):
    """Precision@k with integer label ids (``SparsePrecisionAtK``)."""
    _required(k, "k", "streaming_sparse_precision_at_k")
    return _start(top_k.SparsePrecisionAtK(k, class_id, **_kw(name)),
                  _pred_label_update, predictions, labels, weights=weights)


def streaming_mean_iou(predictions=None, labels=None, num_classes=None,
                       weights=None, name=None):
    """Mean IoU over classes with a non-empty union (``MeanIoU``).

    Unlike slim, whose update_op returned the confusion matrix, ``update``
    returns the updated mean IoU like every other metric here.
    """
    _required(num_classes, "num_classes", "streaming_mean_iou")
    metric = iou.MeanIoU(num_classes, **_kw(name or "mean_iou"))
    return _start(metric, _pred_label_update, predictions, labels,
                  weights=weights)


def streaming_auc(predictions=None, labels=None, weights=None,
                  num_thresholds=200, name=None, curve="ROC",
                  summation_method="trapezoidal"):
    """Area under the ROC/PR curve (``AUC``)."""
    metric = thr.AUC(num_thresholds, curve, summation_method,
                     **_kw(name or "auc"))
    return _start(metric, _pred_label_update, predictions, labels,
                  weights=weights)


def _at_thresholds(make, fn_name):
    def fn(predictions=None, labels=None, thresholds=None, weights=None,
           name=None):
        _required(thresholds, "thresholds", fn_name)
        return _start(make(thresholds, name), _pred_label_update,
                      predictions, labels, weights=weights)
    fn.__name__ = fn_name
    fn.__doc__ = (f"``{fn_name}``: one value per threshold; "
                  "``update(predictions, labels, weights=None)``.")
    return fn


def _count_at(count):
    return lambda t, name: thr.ConfusionAtThresholds(t, count,
                                                     **_kw(name))


def _rate_at(cls):
    return lambda t, name: cls(t, **_kw(name))


streaming_true_positives_at_thresholds = _at_thresholds(
    _count_at("tp"), "streaming_true_positives_at_thresholds")
streaming_false_positives_at_thresholds = _at_thresholds(
    _count_at("fp"), "streaming_false_positives_at_thresholds")
streaming_true_negatives_at_thresholds = _at_thresholds(
    _count_at("tn"), "streaming_true_negatives_at_thresholds")
streaming_false_negatives_at_thresholds = _at_thresholds(
    _count_at("fn"), "streaming_false_negatives_at_thresholds")
streaming_precision_at_thresholds = _at_thresholds(
    _rate_at(thr.PrecisionAtThresholds), "streaming_precision_at_thresholds")
streaming_recall_at_thresholds = _at_thresholds(
    _rate_at(thr.RecallAtThresholds), "streaming_recall_at_thresholds")
streaming_false_positive_rate_at_thresholds = _at_thresholds(
    _rate_at(thr.FalsePositiveRateAtThresholds),
    "streaming_false_positive_rate_at_thresholds")
streaming_false_negative_rate_at_thresholds = _at_thresholds(
    _rate_at(thr.FalseNegativeRateAtThresholds),
    "streaming_false_negative_rate_at_thresholds")
