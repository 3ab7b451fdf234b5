"""slim's loss functions, in ``keras.ops``.

Slim counterpart: ``tf_slim.losses.loss_ops`` (and ``huber_loss`` from
``tf.compat.v1.losses``, which tf_slim lacks). Signatures, argument order
(predictions/logits first, labels second) and arithmetic are slim's:
inputs are cast to float32 (float16/bfloat16 logits of a mixed precision
net too: every loss is computed in float32), per-element losses are
weighted with ``compute_weighted_loss`` (scalar, per-sample or
per-element ``weights``) and divided by the number of elements with a
non-zero weight. Every weighted loss is added to the active
``LossCollector`` (see ``collection``).

Beyond slim: each weighted loss also takes ``loss_collection`` (``None``
to not collect) and ``reduction`` (a ``Reduction`` string, default slim's
``SUM_BY_NONZERO_WEIGHTS``), as ``tf.compat.v1.losses`` did.
"""

from __future__ import annotations

from keras import ops

from slimkeras.losses import collection, weighting
from slimkeras.losses.weighting import Reduction, compute_weighted_loss

__all__ = [
    "absolute_difference",
    "cosine_distance",
    "hinge_loss",
    "huber_loss",
    "log_loss",
    "mean_pairwise_squared_error",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
    "sum_of_squares",
]

_DEFAULT = Reduction.SUM_BY_NONZERO_WEIGHTS
_LOSSES = collection.LOSSES


def _check_shapes(a, b, a_name: str, b_name: str) -> None:
    sa, sb = tuple(a.shape), tuple(b.shape)
    ok = len(sa) == len(sb) and all(
        x is None or y is None or x == y for x, y in zip(sa, sb))
    if not ok:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape. Received: "
            f"{a_name}.shape={sa}, {b_name}.shape={sb}.")


def _pair(predictions, labels, p_name="predictions", l_name="labels"):
    if labels is None:
        raise ValueError(f"{l_name} must be given. Received: {l_name}=None.")
    predictions = ops.convert_to_tensor(predictions)
    labels = ops.convert_to_tensor(labels)
    _check_shapes(predictions, labels, p_name, l_name)
    return ops.cast(predictions, "float32"), ops.cast(labels, "float32")


def absolute_difference(predictions, labels=None, weights=1.0, scope=None,
                        loss_collection=_LOSSES, reduction=_DEFAULT):
    """Weighted mean of ``|predictions - labels|``."""
    p, y = _pair(predictions, labels)
    return compute_weighted_loss(ops.abs(p - y), weights,
                                 scope or "absolute_difference",
                                 loss_collection, reduction)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None,
                       loss_collection=_LOSSES, reduction=_DEFAULT):
    """Weighted mean of ``(predictions - labels)**2``."""
    p, y = _pair(predictions, labels)
    return compute_weighted_loss(ops.square(p - y), weights,
                                 scope or "mean_squared_error",
                                 loss_collection, reduction)


sum_of_squares = mean_squared_error  # slim's older name for the same loss


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7,
             scope=None, loss_collection=_LOSSES, reduction=_DEFAULT):
    """Binary log loss of probabilities ``predictions`` (``+epsilon``)."""
    p, y = _pair(predictions, labels)
    losses = (-y * ops.log(p + epsilon)
              - (1.0 - y) * ops.log(1.0 - p + epsilon))
    return compute_weighted_loss(losses, weights, scope or "log_loss",
                                 loss_collection, reduction)


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0,
                          label_smoothing=0, scope=None,
                          loss_collection=_LOSSES, reduction=_DEFAULT):
    """Sigmoid cross-entropy; labels smoothed towards 1/2.

    ``labels * (1 - label_smoothing) + 0.5 * label_smoothing``.
    """
    logits = weighting.loss_dtype(logits)
    labels = ops.convert_to_tensor(multi_class_labels)
    _check_shapes(logits, labels, "logits", "multi_class_labels")
    labels = ops.cast(labels, logits.dtype)
    if label_smoothing > 0:
        labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
    # The numerically stable form tf.nn.sigmoid_cross_entropy_with_logits
    # uses: max(x, 0) - x * z + log(1 + exp(-|x|)).
    losses = (ops.relu(logits) - logits * labels
              + ops.log1p(ops.exp(-ops.abs(logits))))
    return compute_weighted_loss(losses, weights,
                                 scope or "sigmoid_cross_entropy_loss",
                                 loss_collection, reduction)


def softmax_cross_entropy(logits, onehot_labels, weights=1.0,
                          label_smoothing=0, scope=None,
                          loss_collection=_LOSSES, reduction=_DEFAULT):
    """Softmax cross-entropy; labels smoothed towards 1/num_classes.

    ``onehot * (1 - label_smoothing) + label_smoothing / num_classes``.
    ``weights`` is a scalar or per sample (``[batch_size]``).
    """
    logits = weighting.loss_dtype(logits)
    labels = ops.convert_to_tensor(onehot_labels)
    _check_shapes(logits, labels, "logits", "onehot_labels")
    labels = ops.cast(labels, logits.dtype)
    if label_smoothing > 0:
        num_classes = ops.cast(ops.shape(labels)[1], logits.dtype)
        labels = labels * (1.0 - label_smoothing) + (
            label_smoothing / num_classes)
    losses = -ops.sum(labels * ops.log_softmax(logits, axis=-1), axis=-1)
    return compute_weighted_loss(losses, weights,
                                 scope or "softmax_cross_entropy_loss",
                                 loss_collection, reduction)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None,
                                 loss_collection=_LOSSES,
                                 reduction=_DEFAULT):
    """Softmax cross-entropy with integer ``labels`` (``[batch]`` or
    ``[batch, 1]``) in ``[0, num_classes)``."""
    logits = weighting.loss_dtype(logits)
    labels = ops.convert_to_tensor(labels)
    if len(logits.shape) != 2:
        raise ValueError(
            "logits must be [batch_size, num_classes]. Received: "
            f"logits.shape={tuple(logits.shape)}.")
    labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
    log_probs = ops.log_softmax(logits, axis=-1)
    picked = ops.take_along_axis(log_probs, labels[:, None], axis=-1)
    losses = -ops.squeeze(picked, axis=-1)
    return compute_weighted_loss(losses, weights,
                                 scope or "sparse_softmax_cross_entropy_loss",
                                 loss_collection, reduction)


def hinge_loss(logits, labels=None, scope=None):
    """Unweighted, unreduced ``relu(1 - (2 * labels - 1) * logits)``.

    As in slim, labels in {0, 1}; the result has the shape of ``logits`` and
    is not added to any collection (reduce it with
    ``compute_weighted_loss``).
    """
    del scope
    logits, labels = _pair(logits, labels, "logits", "labels")
    signs = 2.0 * labels - 1.0
    return ops.relu(1.0 - signs * logits)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=_LOSSES, reduction=_DEFAULT):
    """Huber loss, with ``tf.compat.v1.losses.huber_loss``'s signature.

    Note the argument order (labels first): tf_slim has no huber loss, so
    this follows ``tf.compat.v1.losses``. Per element, with
    ``e = |predictions - labels|``: ``0.5 * e**2`` if ``e <= delta``, else
    ``0.5 * delta**2 + delta * (e - delta)``.
    """
    p, y = _pair(predictions, labels)
    err = ops.abs(p - y)
    quadratic = ops.minimum(err, delta)
    linear = err - quadratic
    losses = 0.5 * ops.square(quadratic) + delta * linear
    return compute_weighted_loss(losses, weights, scope or "huber_loss",
                                 loss_collection, reduction)


def cosine_distance(predictions, labels=None, axis=None, weights=1.0,
                    scope=None, dim=None, loss_collection=_LOSSES,
                    reduction=_DEFAULT):
    """``1 - sum(predictions * labels, axis)`` for unit-normalised inputs.

    As in slim, the summed axis is dropped (weights align with the
    remaining dimensions). ``dim`` is the deprecated name of ``axis``.
    """
    if axis is None:
        axis = dim
    elif dim is not None and dim != axis:
        raise ValueError(
            f"Give axis or dim, not both. Received: axis={axis}, dim={dim}.")
    if axis is None:
        raise ValueError("You must specify 'axis'. Received: axis=None.")
    p, y = _pair(predictions, labels)
    losses = 1.0 - ops.sum(p * y, axis=axis)
    return compute_weighted_loss(losses, weights,
                                 scope or "cosine_distance_loss",
                                 loss_collection, reduction)


def mean_pairwise_squared_error(predictions, labels=None, weights=1.0,
                                scope=None, loss_collection=_LOSSES):
    """Mean of squared differences of all pairs of errors within a sample.

    For errors ``d`` over the n present elements of one sample this is
    ``2 * sum(d**2) / n - 2 * sum(d)**2 / n**2``, scaled by the sample's
    weight and summed over the batch (slim's arithmetic: no division by the
    number of samples). ``weights``: scalar or ``[batch_size]``.
    """
    p, y = _pair(predictions, labels)
    w = ops.cast(ops.convert_to_tensor(weights), "float32")
    if len(w.shape) > 1:
        raise ValueError(
            "mean_pairwise_squared_error: weights must be a scalar or "
            f"[batch_size]. Received: weights.shape={tuple(w.shape)}.")
    diffs = p - y
    axes = list(range(1, len(diffs.shape)))
    n = weighting.num_present(diffs, w, per_batch=True)
    term1 = 2.0 * ops.divide_no_nan(ops.sum(ops.square(diffs), axis=axes), n)
    term2 = 2.0 * ops.divide_no_nan(ops.square(ops.sum(diffs, axis=axes)),
                                    ops.square(n))
    loss = weighting.scale_losses(term1 - term2, w)
    loss = ops.where(ops.sum(n) > 0, loss, ops.zeros_like(loss))
    collection.add_loss(loss, loss_collection,
                        name=scope or "mean_pairwise_squared_error")
    return loss
