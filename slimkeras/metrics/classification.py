"""slim's ``metrics.accuracy``: the accuracy of one batch (not streamed).

``tf_slim.metrics.accuracy(predictions, labels, weights=None)`` returned a
tensor (no state, no update op): the mean of ``predictions == labels``,
or with ``weights`` ``sum(correct * weights) / sum(weights)``. Eagerly it
returns the value. For the accuracy over many batches use
``streaming_accuracy`` (or ``Accuracy`` / ``keras.metrics.Accuracy``).
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf


def accuracy(predictions: Any, labels: Any, weights: Any = None,
             name: str | None = None):
    """Fraction of ``predictions`` equal to ``labels`` (one batch).

    Args:
        predictions: class ids (same shape as ``labels``), e.g.
            ``tf.argmax(logits, -1)``.
        labels: ground truth: bool, integer or string dtype.
        weights: ``None`` or float weights that broadcast to ``labels``.
        name: accepted for slim compatibility (eager ops are unnamed).

    Returns:
        A float32 scalar tensor.

    Raises:
        ValueError: ``labels`` is not bool/integer/string, or the dtypes of
            ``predictions`` and ``labels`` are incompatible (e.g. float
            probabilities against integer labels: take the ``argmax``
            first). Unlike slim, integers of different widths (``argmax``'s
            int64 against int32 labels) are compared as integers.
    """
    del name
    labels = tf.convert_to_tensor(labels)
    predictions = tf.convert_to_tensor(predictions)
    if not (labels.dtype.is_integer or labels.dtype in (tf.bool, tf.string)):
        raise ValueError("accuracy: labels should have bool, integer, or "
                         f"string dtype, not {labels.dtype.name}.")
    if labels.dtype.is_integer and predictions.dtype.is_integer:
        predictions = tf.cast(predictions, labels.dtype)
    if predictions.dtype != labels.dtype:
        raise ValueError(
            "accuracy: dtypes of predictions and labels should match. Given: "
            f"predictions ({predictions.dtype.name}) and labels "
            f"({labels.dtype.name}); pass class ids, e.g. "
            "tf.argmax(logits, -1).")
    correct = tf.cast(tf.equal(predictions, labels), tf.float32)
    if weights is None:
        return tf.reduce_mean(correct)
    weights = tf.cast(weights, tf.float32)
    correct = correct * weights
    return tf.reduce_sum(correct) / tf.reduce_sum(
        weights * tf.ones_like(correct))
