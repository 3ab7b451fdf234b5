"""Mean intersection-over-union, slim's arithmetic on Keras's ``MeanIoU``.

Slim counterpart: ``streaming_mean_iou`` (``tf.compat.v1.metrics.mean_iou``).
Keras's ``MeanIoU`` computes the same per-class IoU averaged over classes
with a non-empty union, but by default accumulates its confusion matrix in
int64 (fractional weights truncate) and flattens weights without
broadcasting them. This subclass accumulates in float64 as slim did,
broadcasts weights to the labels first (``broadcast_weights``) and returns
float32.
"""

from __future__ import annotations

import keras
from keras import ops

from slimkeras.metrics.base import broadcast_weights

__all__ = ["MeanIoU"]


class MeanIoU(keras.metrics.MeanIoU):
    """``keras.metrics.MeanIoU`` with slim's weights and float64 state.

    Args:
        num_classes: number of classes (the confusion matrix is
            ``[num_classes, num_classes]``).
    """

    def __init__(self, num_classes, name="mean_iou", dtype="float64",
                 **kwargs):
        super().__init__(num_classes, name=name, dtype=dtype, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.convert_to_tensor(y_true)
        if sample_weight is not None:
            sample_weight = broadcast_weights(
                sample_weight, ops.cast(y_true, "float32"))
        return super().update_state(y_true, y_pred, sample_weight)

    def result(self):
        return ops.cast(super().result(), "float32")
