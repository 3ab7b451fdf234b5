"""Shared pieces of the streaming metrics: weights, weighted means, the
eager ``(value, update)`` pair and slim's aggregation helpers.

Slim counterpart: ``tf_slim.metrics`` returned ``(value_tensor, update_op)``
pairs backed by local variables. In eager code a metric is a
``keras.metrics.Metric`` (state in variables, ``update_state``/``result``/
``reset_state``); ``StreamingMetric`` wraps one and unpacks as
``(value, update)``, where both are callables:

* ``update(predictions, labels, weights=None)`` (slim's argument order)
  adds one batch and returns the updated value (what running slim's
  ``update_op`` returned);
* ``value()`` returns the current value without changing the state.

``aggregate_metrics`` / ``aggregate_metric_map`` keep slim's return shape
(lists / dicts of values and updates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import ops

__all__ = [
    "StreamingMetric",
    "WeightedMean",
    "aggregate_metric_map",
    "aggregate_metrics",
    "broadcast_weights",
]


def broadcast_weights(weights, values):
    """float32 ``weights`` broadcast to ``values`` (``None`` -> ones).

    As ``tf.compat.v1.metrics``: a trailing size-1 dimension that makes
    ``weights`` one rank higher than ``values`` is squeezed. Beyond it,
    lower-rank weights are aligned from the left (``[batch]`` weights a
    ``[batch, d]`` tensor per sample).
    """
    if weights is None:
        return ops.ones_like(values)
    weights = ops.cast(ops.convert_to_tensor(weights), "float32")
    rank = len(values.shape)
    if len(weights.shape) == rank + 1 and weights.shape[-1] == 1:
        weights = ops.squeeze(weights, -1)
    if len(weights.shape) > rank:
        raise ValueError(
            "weights must not have a higher rank than the values. Received: "
            f"weights.shape={tuple(weights.shape)}, "
            f"values.shape={tuple(values.shape)}.")
    if len(weights.shape) > 0:
        while len(weights.shape) < rank:
            weights = ops.expand_dims(weights, -1)
    return ops.broadcast_to(weights, ops.shape(values))


class WeightedMean(keras.metrics.Metric):
    """``sum(values * weights) / sum(weights)`` over all streamed elements.

    Subclasses define ``values(y_true, y_pred)`` (element-wise values);
    weights broadcast to them (``broadcast_weights``). This is the
    arithmetic of ``tf.compat.v1.metrics.mean``.
    """

    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", "float32", name="total")
        self.count = self.add_variable((), "zeros", "float32", name="count")

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def _update(self, values, sample_weight):
        values = ops.cast(values, "float32")
        w = broadcast_weights(sample_weight, values)
        self.total.assign_add(ops.sum(values * w))
        self.count.assign_add(ops.sum(w))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._update(self.values(ops.convert_to_tensor(y_true),
                                 ops.convert_to_tensor(y_pred)),
                     sample_weight)

    def result(self):
        return ops.divide_no_nan(self.total, ops.maximum(self.count, 0.0))


class StreamingMetric:
    """A Keras metric seen as slim's ``(value, update)`` pair.

    Args:
        metric: the ``keras.metrics.Metric`` holding the state (also
            usable in ``model.compile(metrics=[...])``).
        update_fn: ``update_fn(metric, *args, **kwargs)`` maps slim's
            arguments (predictions, labels, weights …) to
            ``metric.update_state``.

    Unpacking gives ``(value, update)``; ``metric``, ``reset()`` and
    ``result()`` are also available.
    """

    def __init__(self, metric: keras.metrics.Metric,
                 update_fn: Callable[..., Any]):
        self.metric = metric
        self._update_fn = update_fn

    def update(self, *args, **kwargs):
        """Adds one batch; returns the updated value (slim's update_op).

        Call it once per batch with that batch (``update(predictions,
        labels)``); the TF1 ``sess.run(update_op)`` re-read the input
        pipeline, an eager update needs the data.
        """
        if not args and not any(v is not None for v in kwargs.values()):
            raise TypeError(
                f"{self!r}.update() needs the batch: update(predictions, "
                "labels[, weights]) (or update(values) for mean metrics), "
                "once per batch. A batch given when the metric was built "
                "is already counted.")
        self._update_fn(self.metric, *args, **kwargs)
        return self.metric.result()

    def value(self):
        """The current value (slim's value tensor)."""
        return self.metric.result()

    result = value

    def reset(self) -> None:
        self.metric.reset_state()

    def __iter__(self):
        return iter((self.value, self.update))

    def __repr__(self):
        return f"StreamingMetric({self.metric.name})"


def aggregate_metrics(*value_update_tuples):
    """``([value, ...], [update, ...])`` from ``(value, update)`` pairs.

    Raises:
        ValueError: if no pair is given.
    """
    if not value_update_tuples:
        raise ValueError("Expected at least one value_tensor/update_op pair")
    values, updates = zip(*value_update_tuples)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples):
    """``({name: value}, {name: update})`` from ``{name: (value, update)}``."""
    names = list(names_to_tuples)
    pairs = [tuple(names_to_tuples[n]) for n in names]
    return (dict(zip(names, (p[0] for p in pairs))),
            dict(zip(names, (p[1] for p in pairs))))
