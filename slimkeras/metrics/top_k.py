"""Recall and precision at k with sparse (integer id) labels.

Slim counterparts: ``streaming_sparse_recall_at_k`` and
``streaming_sparse_precision_at_k`` (``tf.compat.v1.metrics.recall_at_k`` /
``precision_at_k``). For each row, the top ``k`` class ids of ``y_pred``
are compared with the label ids of ``y_true`` (``[batch]`` or
``[batch, num_labels]``; every label entry counts, ids outside
``[0, num_classes)`` can never be hit, so they count as false negatives).
Label ids within a row are assumed distinct (slim used set operations).
With ``class_id``, only that class is counted. Values are
``tp / (tp + fn)`` and ``tp / (tp + fp)``, NaN before any count (as
slim).
"""

from __future__ import annotations

import keras
from keras import ops

from slimkeras.metrics.base import broadcast_weights

__all__ = ["SparsePrecisionAtK", "SparseRecallAtK"]


class _SparseAtK(keras.metrics.Metric):
    _other = ""

    def __init__(self, k, class_id=None, name=None, dtype=None):
        if int(k) < 1:
            raise ValueError(f"k must be >= 1. Received: k={k!r}.")
        super().__init__(name=name, dtype=dtype)
        self.k = int(k)
        self.class_id = class_id
        self.tp = self.add_variable((), "zeros", "float32", name="tp")
        self.other = self.add_variable((), "zeros", "float32",
                                       name=self._other)

    def _row_counts(self, y_true, y_pred):
        labels = ops.cast(ops.convert_to_tensor(y_true), "int32")
        scores = ops.convert_to_tensor(y_pred)
        if len(labels.shape) == len(scores.shape) - 1:
            labels = ops.expand_dims(labels, -1)
        _, top = ops.top_k(scores, self.k)                     # [B, k]
        top = ops.cast(top, "int32")
        if self.class_id is not None:
            c = int(self.class_id)
            in_labels = ops.any(ops.equal(labels, c), axis=-1)
            in_top = ops.any(ops.equal(top, c), axis=-1)
            tp = ops.logical_and(in_labels, in_top)
            fn = ops.logical_and(in_labels, ops.logical_not(in_top))
            fp = ops.logical_and(in_top, ops.logical_not(in_labels))
            return tuple(ops.cast(t, "float32") for t in (tp, fn, fp))
        match = ops.equal(top[..., :, None], labels[..., None, :])  # [B,k,n]
        hit_labels = ops.sum(ops.cast(ops.any(match, axis=-2), "float32"), -1)
        hit_top = ops.sum(ops.cast(ops.any(match, axis=-1), "float32"), -1)
        n_labels = ops.cast(ops.shape(labels)[-1], "float32")
        return hit_labels, n_labels - hit_labels, self.k - hit_top

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, fn, fp = self._row_counts(y_true, y_pred)
        w = broadcast_weights(sample_weight, tp)
        self.tp.assign_add(ops.sum(tp * w))
        other = fn if self._other == "fn" else fp
        self.other.assign_add(ops.sum(other * w))

    def result(self):
        return self.tp / (self.tp + self.other)

    def get_config(self):
        return {**super().get_config(), "k": self.k,
                "class_id": self.class_id}


def _at_k_name(base, k, class_id):
    name = f"{base}_at_{k}"
    return name if class_id is None else f"{name}_class{class_id}"


class SparseRecallAtK(_SparseAtK):
    """Fraction of label ids that are among the top ``k`` predictions."""
    _other = "fn"

    def __init__(self, k, class_id=None, name=None, dtype=None):
        super().__init__(k, class_id,
                         name or _at_k_name("recall", k, class_id), dtype)


class SparsePrecisionAtK(_SparseAtK):
    """Fraction of the top ``k`` predictions that are label ids."""
    _other = "fp"

    def __init__(self, k, class_id=None, name=None, dtype=None):
        super().__init__(k, class_id,
                         name or _at_k_name("precision", k, class_id), dtype)
