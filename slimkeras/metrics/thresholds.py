"""Confusion counts at thresholds, the rates derived from them, and AUC.

Slim counterparts: ``streaming_{true,false}_{positives,negatives}_at_
thresholds``, ``streaming_precision_at_thresholds``,
``streaming_recall_at_thresholds``, ``streaming_false_{positive,negative}_
rate_at_thresholds`` and ``streaming_auc``. A prediction is positive at a
threshold when ``prediction > threshold``; labels are cast to bool. Rates
use slim's ``epsilon = 1e-7`` in the denominator (Keras's use
``divide_no_nan``); AUC uses ``tf.compat.v1.metrics.auc``'s thresholds and
``1e-6`` smoothing, which Keras's ``AUC`` does not.
"""

from __future__ import annotations

import keras
from keras import ops

from slimkeras.metrics.base import broadcast_weights

__all__ = [
    "AUC", "ConfusionAtThresholds", "FalseNegativeRateAtThresholds",
    "FalsePositiveRateAtThresholds", "PrecisionAtThresholds",
    "RecallAtThresholds",
]

_EPSILON = 1e-7


class ConfusionAtThresholds(keras.metrics.Metric):
    """Weighted tp/fp/tn/fn vectors, one entry per threshold.

    Args:
        thresholds: list of floats in ``[0, 1]``.
        count: which count ``result()`` returns: ``"tp"``, ``"fp"``,
            ``"tn"`` or ``"fn"``.
    """

    def __init__(self, thresholds, count="tp", name=None, dtype=None):
        if count not in ("tp", "fp", "tn", "fn"):
            raise ValueError(
                "count must be one of 'tp', 'fp', 'tn', 'fn'. "
                f"Received: count={count!r}.")
        super().__init__(name=name or f"{count}_at_thresholds", dtype=dtype)
        self.thresholds = [float(t) for t in thresholds]
        self.count_name = count
        n = len(self.thresholds)
        for k in ("tp", "fp", "tn", "fn"):
            setattr(self, k, self.add_variable((n,), "zeros", "float32",
                                               name=k))

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = ops.cast(ops.convert_to_tensor(y_pred), "float32")
        y = ops.not_equal(ops.convert_to_tensor(y_true), 0)
        w = broadcast_weights(sample_weight, p)
        p, y, w = (ops.reshape(t, (1, -1)) for t in (p, y, w))
        thr = ops.convert_to_tensor(self.thresholds, "float32")[:, None]
        pos = ops.greater(p, thr)              # [T, N]

        def count(mask):
            return ops.sum(ops.cast(mask, "float32") * w, axis=1)

        neg_y = ops.logical_not(y)
        self.tp.assign_add(count(ops.logical_and(pos, y)))
        self.fp.assign_add(count(ops.logical_and(pos, neg_y)))
        self.tn.assign_add(count(ops.logical_and(ops.logical_not(pos),
                                                 neg_y)))
        self.fn.assign_add(count(ops.logical_and(ops.logical_not(pos), y)))

    def result(self):
        return ops.convert_to_tensor(getattr(self, self.count_name))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds,
                "count": self.count_name}


class _RateAtThresholds(ConfusionAtThresholds):
    _num = _other = ""

    def __init__(self, thresholds, name=None, dtype=None):
        super().__init__(thresholds, "tp", name=name, dtype=dtype)

    def result(self):
        num = getattr(self, self._num)
        return num / (_EPSILON + num + getattr(self, self._other))

    def get_config(self):
        config = super().get_config()
        config.pop("count")
        return config


class PrecisionAtThresholds(_RateAtThresholds):
    """``tp / (1e-7 + tp + fp)`` per threshold."""
    _num, _other = "tp", "fp"


class RecallAtThresholds(_RateAtThresholds):
    """``tp / (1e-7 + tp + fn)`` per threshold."""
    _num, _other = "tp", "fn"


class FalsePositiveRateAtThresholds(_RateAtThresholds):
    """``fp / (1e-7 + fp + tn)`` per threshold."""
    _num, _other = "fp", "tn"


class FalseNegativeRateAtThresholds(_RateAtThresholds):
    """``fn / (1e-7 + fn + tp)`` per threshold."""
    _num, _other = "fn", "tp"


def auc_thresholds(num_thresholds: int) -> list[float]:
    """``-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7`` (tf.compat.v1)."""
    if num_thresholds < 2:
        raise ValueError(
            "num_thresholds must be > 1. "
            f"Received: num_thresholds={num_thresholds}.")
    kepsilon = 1e-7
    inner = [(i + 1) * 1.0 / (num_thresholds - 1)
             for i in range(num_thresholds - 2)]
    return [0.0 - kepsilon] + inner + [1.0 + kepsilon]


class AUC(ConfusionAtThresholds):
    """Area under the ROC or PR curve from confusion counts at thresholds.

    Args:
        num_thresholds: number of thresholds (slim default 200).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"trapezoidal"`` (slim's default),
            ``"careful_interpolation"``, ``"minoring"`` or ``"majoring"``.
    """

    def __init__(self, num_thresholds=200, curve="ROC",
                 summation_method="trapezoidal", name="auc", dtype=None):
        if curve not in ("ROC", "PR"):
            raise ValueError(
                f"curve must be 'ROC' or 'PR'. Received: curve={curve!r}.")
        methods = ("trapezoidal", "careful_interpolation", "minoring",
                   "majoring")
        if summation_method not in methods:
            raise ValueError(
                f"summation_method must be one of {methods}. Received: "
                f"summation_method={summation_method!r}.")
        super().__init__(auc_thresholds(num_thresholds), "tp", name=name,
                         dtype=dtype)
        self.num_thresholds = num_thresholds
        self.curve = curve
        self.summation_method = summation_method

    def _interpolate_pr(self):
        tp, fp, fn = self.tp, self.fp, self.fn
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        slope = ops.divide_no_nan(dtp, ops.maximum(p[:-1] - p[1:], 0.0))
        intercept = tp[1:] - slope * p[1:]
        ratio = ops.where(
            ops.logical_and(p[:-1] > 0, p[1:] > 0),
            ops.divide_no_nan(p[:-1], ops.maximum(p[1:], 0.0)),
            ops.ones_like(p[1:]))
        return ops.sum(ops.divide_no_nan(
            slope * (dtp + intercept * ops.log(ratio)),
            ops.maximum(tp[1:] + fn[1:], 0.0)))

    def result(self):
        eps = 1e-6
        tp, fp, tn, fn = self.tp, self.fp, self.tn, self.fn
        if self.curve == "PR" and (
                self.summation_method == "careful_interpolation"):
            return self._interpolate_pr()
        rec = (tp + eps) / (tp + fn + eps)
        if self.curve == "ROC":
            x, y = fp / (fp + tn + eps), rec
        else:
            x, y = rec, (tp + eps) / (tp + fp + eps)
        dx = x[:-1] - x[1:]
        if self.summation_method in ("trapezoidal", "careful_interpolation"):
            return ops.sum(dx * (y[:-1] + y[1:]) / 2.0)
        if self.summation_method == "minoring":
            return ops.sum(dx * ops.minimum(y[:-1], y[1:]))
        return ops.sum(dx * ops.maximum(y[:-1], y[1:]))

    def get_config(self):
        config = super().get_config()
        for k in ("thresholds", "count"):
            config.pop(k)
        return {**config, "num_thresholds": self.num_thresholds,
                "curve": self.curve,
                "summation_method": self.summation_method}
