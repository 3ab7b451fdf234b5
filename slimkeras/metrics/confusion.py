"""Binary confusion counts and rates with slim's boolean semantics.

Slim counterparts: ``streaming_true_positives`` (… ``true_negatives``,
``false_positives``, ``false_negatives``), ``streaming_precision``,
``streaming_recall``, ``streaming_false_positive_rate`` and
``streaming_false_negative_rate``. Predictions and labels are cast to
bool (any non-zero value is positive), unlike Keras's ``TruePositives``/
``Precision``, which threshold predictions at 0.5. Rates are 0 when their
denominator is 0.
"""

from __future__ import annotations

import keras
from keras import ops

from slimkeras.metrics.base import broadcast_weights

__all__ = [
    "FalseNegativeRate", "FalseNegatives", "FalsePositiveRate",
    "FalsePositives", "Precision", "Recall", "TrueNegatives",
    "TruePositives",
]


class _BoolConfusion(keras.metrics.Metric):
    """Weighted tp/fp/tn/fn of bool-cast predictions and labels."""

    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        for k in ("tp", "fp", "tn", "fn"):
            setattr(self, k, self.add_variable((), "zeros", "float32",
                                               name=k))

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = ops.not_equal(ops.convert_to_tensor(y_pred), 0)
        y = ops.not_equal(ops.convert_to_tensor(y_true), 0)
        if tuple(p.shape) != tuple(y.shape):
            raise ValueError(
                "predictions and labels must have the same shape. Received: "
                f"predictions.shape={tuple(p.shape)}, "
                f"labels.shape={tuple(y.shape)}.")
        w = broadcast_weights(sample_weight, ops.cast(p, "float32"))

        def count(mask):
            return ops.sum(ops.cast(mask, "float32") * w)

        self.tp.assign_add(count(ops.logical_and(p, y)))
        self.fp.assign_add(count(ops.logical_and(p, ops.logical_not(y))))
        self.tn.assign_add(count(ops.logical_not(ops.logical_or(p, y))))
        self.fn.assign_add(count(ops.logical_and(ops.logical_not(p), y)))


def _rate(num, other):
    den = num + other
    return ops.where(den > 0, ops.divide_no_nan(num, den), 0.0)


class TruePositives(_BoolConfusion):
    def __init__(self, name="true_positives", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return ops.convert_to_tensor(self.tp)


class TrueNegatives(_BoolConfusion):
    def __init__(self, name="true_negatives", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return ops.convert_to_tensor(self.tn)


class FalsePositives(_BoolConfusion):
    def __init__(self, name="false_positives", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return ops.convert_to_tensor(self.fp)


class FalseNegatives(_BoolConfusion):
    def __init__(self, name="false_negatives", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return ops.convert_to_tensor(self.fn)


class Precision(_BoolConfusion):
    """``tp / (tp + fp)``, 0 if no positive prediction."""

    def __init__(self, name="precision", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return _rate(self.tp, self.fp)


class Recall(_BoolConfusion):
    """``tp / (tp + fn)``, 0 if no positive label."""

    def __init__(self, name="recall", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return _rate(self.tp, self.fn)


class FalsePositiveRate(_BoolConfusion):
    """``fp / (fp + tn)``, 0 if no negative label."""

    def __init__(self, name="false_positive_rate", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return _rate(self.fp, self.tn)


class FalseNegativeRate(_BoolConfusion):
    """``fn / (fn + tp)``, 0 if no positive label."""

    def __init__(self, name="false_negative_rate", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return _rate(self.fn, self.tp)
