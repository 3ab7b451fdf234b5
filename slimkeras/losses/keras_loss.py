"""slim loss functions as Keras losses, for ``model.compile(loss=...)``.

``slim.losses.Loss("softmax_cross_entropy", label_smoothing=0.1)`` or
``slim.losses.as_keras_loss(slim.losses.softmax_cross_entropy,
label_smoothing=0.1)`` gives a ``keras.losses.Loss`` that calls the slim
function with ``y_pred`` as predictions/logits and ``y_true`` as labels,
Keras's ``sample_weight`` (when given) as slim's ``weights``, and returns
slim's reduced scalar. It never adds to a ``LossCollector``, since ``fit``
traces it. ``hinge_loss`` (unreduced in slim) is reduced with
``compute_weighted_loss``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import ops

from slimkeras.losses import loss_ops, weighting

__all__ = ["Loss", "as_keras_loss"]

# name -> (function, labels_first)
_REGISTRY: dict[str, tuple[Callable[..., Any], bool]] = {
    "absolute_difference": (loss_ops.absolute_difference, False),
    "mean_squared_error": (loss_ops.mean_squared_error, False),
    "sum_of_squares": (loss_ops.mean_squared_error, False),
    "log_loss": (loss_ops.log_loss, False),
    "sigmoid_cross_entropy": (loss_ops.sigmoid_cross_entropy, False),
    "softmax_cross_entropy": (loss_ops.softmax_cross_entropy, False),
    "sparse_softmax_cross_entropy": (
        loss_ops.sparse_softmax_cross_entropy, False),
    "hinge_loss": (loss_ops.hinge_loss, False),
    "huber_loss": (loss_ops.huber_loss, True),
    "cosine_distance": (loss_ops.cosine_distance, False),
    "mean_pairwise_squared_error": (
        loss_ops.mean_pairwise_squared_error, False),
}


def _name_of(fn: Any) -> str:
    if isinstance(fn, str):
        name = fn
    else:
        name = next((k for k, (f, _) in _REGISTRY.items() if f is fn), None)
    if name not in _REGISTRY:
        raise ValueError(
            f"Unknown slim loss. Expected one of {sorted(_REGISTRY)} or the "
            f"function itself. Received: fn={fn!r}.")
    return name


@keras.saving.register_keras_serializable(package="slimkeras")
class Loss(keras.losses.Loss):
    """A slim loss function as a ``keras.losses.Loss``.

    Args:
        fn: the slim loss function or its name (``"softmax_cross_entropy"``).
        name: Keras name of the loss; defaults to ``fn``'s name.
        **fn_kwargs: fixed keyword arguments of ``fn`` (``label_smoothing``,
            ``axis``, ``delta``, ``epsilon``, ``weights``, ``reduction``).

    Call arguments:
        y_true: labels; y_pred: predictions or logits; sample_weight:
        replaces ``weights`` when given.

    Example:

    >>> model.compile("sgd", loss=slim.losses.Loss(
    ...     "softmax_cross_entropy", label_smoothing=0.1))  # doctest: +SKIP
    """

    def __init__(self, fn, name: str | None = None, **fn_kwargs):
        self.fn_name = _name_of(fn)
        for bad in ("loss_collection", "scope"):
            if bad in fn_kwargs:
                raise ValueError(
                    f"Loss: {bad} is not a Keras-loss argument. "
                    f"Received: {bad}={fn_kwargs[bad]!r}.")
        self.fn_kwargs = dict(fn_kwargs)
        super().__init__(name=name or self.fn_name)

    def call(self, y_true, y_pred):
        return self._slim_loss(y_true, y_pred, None)

    def __call__(self, y_true, y_pred, sample_weight=None):
        with keras.name_scope(self.name):
            loss = self._slim_loss(y_true, y_pred, sample_weight)
            return ops.cast(loss, self.dtype)

    def _slim_loss(self, y_true, y_pred, sample_weight):
        fn, labels_first = _REGISTRY[self.fn_name]
        kwargs = dict(self.fn_kwargs)
        weights = kwargs.pop("weights", 1.0)
        if sample_weight is not None:
            weights = sample_weight
        y_true = ops.convert_to_tensor(y_true)
        # float16/bfloat16 outputs of a mixed precision net: float32 loss.
        y_pred = weighting.loss_dtype(y_pred)
        if self.fn_name == "sparse_softmax_cross_entropy":
            y_true = ops.cast(y_true, "int32")
        elif y_true.dtype != y_pred.dtype:
            y_true = ops.cast(y_true, y_pred.dtype)
        if self.fn_name == "hinge_loss":
            losses = fn(y_pred, y_true)
            return weighting.compute_weighted_loss(
                losses, weights, loss_collection=None, **kwargs)
        args = (y_true, y_pred) if labels_first else (y_pred, y_true)
        return fn(*args, weights=weights, loss_collection=None, **kwargs)

    def get_config(self):
        return {"fn": self.fn_name, "name": self.name, **self.fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def as_keras_loss(fn, **fn_kwargs) -> Loss:
    """``Loss(fn, **fn_kwargs)``: a slim loss for ``model.compile``."""
    return Loss(fn, **fn_kwargs)
