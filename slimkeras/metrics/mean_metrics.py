"""Mean-based streaming metrics that Keras lacks or computes differently.

Slim counterparts: ``streaming_accuracy``, ``streaming_mean_absolute_error``,
``streaming_mean_squared_error``, ``streaming_root_mean_squared_error``,
``streaming_mean_relative_error``, ``streaming_mean_cosine_distance``,
``streaming_percentage_less``, ``streaming_recall_at_k``,
``streaming_mean_tensor`` and ``count``. All are
``sum(values * weights) / sum(weights)`` over every streamed element, with
weights broadcast element-wise (Keras's MAE/MSE average per sample first,
which differs with per-element weights).
"""

from __future__ import annotations

import keras
from keras import ops

from slimkeras.metrics.base import WeightedMean, broadcast_weights

__all__ = [
    "Accuracy", "Count", "MeanAbsoluteError", "MeanCosineDistance",
    "MeanRelativeError", "MeanSquaredError", "MeanTensor", "PercentageLess",
    "RecallAtK", "RootMeanSquaredError",
]


class Accuracy(WeightedMean):
    """Weighted fraction of ``y_pred == y_true``."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def values(self, y_true, y_pred):
        # As tf.compat.v1.metrics.accuracy: predictions take labels' dtype.
        return ops.equal(ops.cast(y_pred, y_true.dtype), y_true)


class MeanAbsoluteError(WeightedMean):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def values(self, y_true, y_pred):
        return ops.abs(ops.cast(y_pred, "float32") - ops.cast(y_true,
                                                              "float32"))


class MeanSquaredError(WeightedMean):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def values(self, y_true, y_pred):
        return ops.square(ops.cast(y_pred, "float32")
                          - ops.cast(y_true, "float32"))


class RootMeanSquaredError(MeanSquaredError):
    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return ops.sqrt(super().result())


class MeanRelativeError(WeightedMean):
    """Mean of ``|y_true - y_pred| / normalizer`` (0 where normalizer == 0).

    ``update_state(y_true, y_pred, normalizer=None, sample_weight=None)``;
    without ``normalizer``, ``y_true`` is used.
    """

    def __init__(self, name="mean_relative_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, normalizer=None,
                     sample_weight=None):
        y = ops.cast(y_true, "float32")
        p = ops.cast(y_pred, "float32")
        n = y if normalizer is None else ops.cast(normalizer, "float32")
        safe = ops.where(ops.equal(n, 0.0), 1.0, n)
        rel = ops.where(ops.equal(n, 0.0), 0.0, ops.abs(y - p) / safe)
        self._update(rel, sample_weight)


class MeanCosineDistance(WeightedMean):
    """``1 - mean(sum(y_pred * y_true, dim))`` for unit-normalised inputs."""

    def __init__(self, dim, name="mean_cosine_distance", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.dim = dim

    def values(self, y_true, y_pred):
        return ops.sum(ops.cast(y_pred, "float32") * ops.cast(
            y_true, "float32"), axis=self.dim, keepdims=True)

    def result(self):
        return 1.0 - super().result()

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}


class PercentageLess(WeightedMean):
    """Weighted fraction of ``values < threshold``.

    ``update_state(values, sample_weight=None)``.
    """

    def __init__(self, threshold, name="percentage_below", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, values, sample_weight=None):
        values = ops.cast(values, "float32")
        self._update(ops.less(values, self.threshold), sample_weight)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class RecallAtK(WeightedMean):
    """Weighted fraction of integer ``y_true`` in the top ``k`` of ``y_pred``
    (``in_top_k``: ties at the k-th score count as hits)."""

    def __init__(self, k, name=None, dtype=None):
        super().__init__(name=name or f"recall_at_{k}", dtype=dtype)
        self.k = int(k)

    def values(self, y_true, y_pred):
        y_true = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        return ops.in_top_k(y_true, ops.cast(y_pred, "float32"), self.k)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


class Count(keras.metrics.Metric):
    """Sum of the weights (number of values without weights).

    ``update_state(values, sample_weight=None)``.
    """

    def __init__(self, name="count", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.count = self.add_variable((), "zeros", "float32", name="count")

    def update_state(self, values, sample_weight=None):
        values = ops.cast(ops.convert_to_tensor(values), "float32")
        self.count.assign_add(ops.sum(broadcast_weights(sample_weight,
                                                        values)))

    def result(self):
        return ops.convert_to_tensor(self.count)


class MeanTensor(keras.metrics.Metric):
    """Element-wise weighted mean over batches (the batch axis is kept).

    ``update_state(values, sample_weight=None)``. The state has the shape
    of ``values``; pass ``shape`` to create it up front (needed inside
    ``tf.function``), else it is made on the first eager update.
    """

    def __init__(self, shape=None, name="mean_tensor", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.shape = None if shape is None else tuple(shape)
        self.total = self.count = None
        if self.shape is not None:
            self._make(self.shape)

    def _make(self, shape):
        self.total = self.add_variable(shape, "zeros", "float32",
                                       name="total_tensor")
        self.count = self.add_variable(shape, "zeros", "float32",
                                       name="count_tensor")
        self.shape = tuple(shape)

    def update_state(self, values, sample_weight=None):
        values = ops.cast(ops.convert_to_tensor(values), "float32")
        if self.total is None:
            self._make(tuple(values.shape))
        if tuple(values.shape) != self.shape:
            raise ValueError(
                f"MeanTensor: values must keep shape {self.shape}. "
                f"Received: values.shape={tuple(values.shape)}.")
        w = broadcast_weights(sample_weight, values)
        self.total.assign_add(values * w)
        self.count.assign_add(w)

    def result(self):
        if self.total is None:
            raise ValueError("MeanTensor: result() before any update.")
        return ops.divide_no_nan(self.total, ops.maximum(self.count, 0.0))

    def reset_state(self):
        if self.total is not None:
            super().reset_state()

    def get_config(self):
        return {**super().get_config(), "shape": self.shape}
