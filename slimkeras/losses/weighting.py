"""Weighting and reduction of per-element losses, with slim's arithmetic.

Slim counterpart: ``tf_slim.losses.compute_weighted_loss`` (and its private
``_scale_losses`` / ``_num_present``), plus the explicit reductions of
``tf.compat.v1.losses.Reduction``.

``weights`` are aligned with ``losses`` from the *left*: a scalar scales
everything, a ``[batch]`` vector scales each sample, a
``[batch, d1, ..., dK]`` tensor scales each element (K < N) or each slice.
A trailing dimension of size 1 on a weights tensor of rank > 1 is squeezed
first (``[batch, 1]`` is per-sample), as slim did.
"""

from __future__ import annotations

import keras
from keras import ops

from slimkeras.losses import collection

__all__ = ["Reduction", "compute_weighted_loss", "loss_dtype"]

_HALF = ("float16", "bfloat16")


def loss_dtype(x):
    """``x`` as a tensor, cast to float32 when float16/bfloat16.

    Under a mixed precision policy nets output float16/bfloat16; losses
    are computed (and returned) in float32, as Keras does.
    """
    x = ops.convert_to_tensor(x)
    if keras.backend.standardize_dtype(x.dtype) in _HALF:
        return ops.cast(x, "float32")
    return x


class Reduction:
    """Reduction names, the strings of ``tf.compat.v1.losses.Reduction``.

    ``SUM_BY_NONZERO_WEIGHTS`` (the default everywhere) is slim's
    reduction: the weighted sum divided by the number of elements that a
    non-zero weight covers.
    """

    NONE = "none"
    SUM = "weighted_sum"
    MEAN = "weighted_mean"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, reduction):
        if reduction not in cls.all():
            raise ValueError(
                f"reduction must be one of {cls.all()}. "
                f"Received: reduction={reduction!r}.")
        return reduction


def _prepare_weights(losses, weights):
    """float32 weights, trailing size-1 dim squeezed, rank checked."""
    weights = ops.cast(ops.convert_to_tensor(weights), "float32")
    if len(weights.shape) > 1 and weights.shape[-1] == 1:
        weights = ops.squeeze(weights, axis=-1)
    w_rank, l_rank = len(weights.shape), len(losses.shape)
    if w_rank > l_rank:
        raise ValueError(
            f"weights must have rank <= rank of the losses ({l_rank}). "
            f"Received: weights.shape={tuple(weights.shape)}, "
            f"losses.shape={tuple(losses.shape)}.")
    for i, (w, d) in enumerate(zip(weights.shape, losses.shape)):
        if w is not None and d is not None and w not in (1, d):
            raise ValueError(
                f"weights.shape[{i}]={w} does not match the loss dimension "
                f"{d}. Received: weights.shape={tuple(weights.shape)}, "
                f"losses.shape={tuple(losses.shape)}.")
    return weights


def scale_losses(losses, weights):
    """Sum of ``losses * weights`` with weights aligned from the left."""
    k = len(weights.shape)
    axes = list(range(k, len(losses.shape)))
    reduced = ops.sum(losses, axis=axes) if axes else losses
    return ops.sum(reduced * weights)


def num_present(losses, weights, per_batch: bool = False):
    """Number of loss elements covered by non-zero weights (slim's count).

    Mirrors slim's quirk: a weights tensor of shape ``[1]`` counts one
    "sample", i.e. ``prod(losses.shape[1:])`` elements, not all of them.
    """
    shape = ops.shape(losses)
    if len(weights.shape) == 0:
        batch = ops.cast(shape[0], "float32")
        per = ops.cast(ops.size(losses), "float32") / batch
        per = ops.where(ops.equal(weights, 0.0), 0.0, per)
        per = ops.ones((shape[0],), "float32") * per
        return per if per_batch else ops.sum(per)
    k = len(weights.shape)
    nonzero = ops.cast(ops.not_equal(weights, 0.0), "float32")
    if k > 1:
        nonzero = ops.sum(nonzero, axis=list(range(1, k)))
    rest = 1.0
    for d in shape[k:]:
        rest = rest * ops.cast(d, "float32")
    per = nonzero * rest
    return per if per_batch else ops.sum(per)


def _broadcast_left(losses, weights):
    """``weights`` expanded on the right and broadcast to ``losses``."""
    for _ in range(len(losses.shape) - len(weights.shape)):
        weights = ops.expand_dims(weights, -1)
    return ops.broadcast_to(weights, ops.shape(losses))


def reduce_weighted(losses, weights, reduction):
    """Applies ``weights`` and ``reduction`` to float32 ``losses``."""
    weights = _prepare_weights(losses, weights)
    if reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
        total = scale_losses(losses, weights)
        return ops.divide_no_nan(total, num_present(losses, weights))
    full = _broadcast_left(losses, weights)
    weighted = losses * full
    if reduction == Reduction.NONE:
        return weighted
    total = ops.sum(weighted)
    if reduction == Reduction.SUM:
        return total
    if reduction == Reduction.MEAN:
        return ops.divide_no_nan(total, ops.sum(full))
    # SUM_OVER_BATCH_SIZE: divided by the number of loss elements.
    return ops.divide_no_nan(total, ops.cast(ops.size(losses), "float32"))


def compute_weighted_loss(
    losses,
    weights=1.0,
    scope: str | None = None,
    loss_collection=collection.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
):
    """Weights and reduces ``losses``; adds the result to the collector.

    Args:
        losses: tensor ``[batch_size, d1, ..., dN]`` of per-element losses.
        weights: scalar, ``[batch_size]``, ``[batch_size, 1]`` or
            ``[batch_size, d1, ..., dK]`` (K <= N), aligned from the left.
        scope: name recorded with the loss (``get_losses(scope=...)``
            filters on it); defaults to ``"weighted_loss"``.
        loss_collection: collection the loss is added to in the active
            ``LossCollector``; ``None`` adds it nowhere.
        reduction: a ``Reduction`` string; the default is slim's.

    Returns:
        The loss in the dtype of ``losses`` (float32 for float16/bfloat16
        losses): a scalar, or the weighted per-element losses for
        ``Reduction.NONE``.

    Raises:
        ValueError: for a bad ``weights`` shape or ``reduction``.
    """
    Reduction.validate(reduction)
    losses = ops.convert_to_tensor(losses)
    input_dtype = loss_dtype(losses).dtype
    if weights is None:
        raise ValueError("weights must not be None. Received: weights=None.")
    loss = reduce_weighted(ops.cast(losses, "float32"), weights, reduction)
    loss = ops.cast(loss, input_dtype)
    collection.add_loss(loss, loss_collection, name=scope or "weighted_loss")
    return loss

