"""Shared pieces of the Inception family: the arg_scope and small helpers.

Slim counterpart: research/slim ``nets/inception_utils.py`` (the
``inception_arg_scope`` factory) and the helpers each tf_slim Inception
module defined for itself (``trunc_normal``,
``_reduced_kernel_size_for_small_input``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras import ops

from slimkeras import activations, initializers, naming, regularizers, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.nets._common import predictions as predictions
from slimkeras.nets._common import softmax as softmax

__all__ = [
    "inception_arg_scope",
    "trunc_normal",
    "reduced_kernel_size_for_small_input",
    "softmax",
]


def inception_arg_scope(
    weight_decay: float = 0.00004,
    use_batch_norm: bool = True,
    batch_norm_decay: float = 0.9997,
    batch_norm_epsilon: float = 0.001,
    activation_fn: Callable | None = activations.relu,
    batch_norm_updates_collections: Any = "update_ops",
    batch_norm_scale: bool = False,
):
    """The default arg_scope of the Inception nets.

    ``conv2d`` and ``fully_connected`` get an L2 weight regularizer;
    ``conv2d`` gets He-normal weights (``variance_scaling_initializer``),
    ``activation_fn`` and, with ``use_batch_norm``, a batch norm (decay
    0.9997, epsilon 0.001, no ``gamma`` unless ``batch_norm_scale``).

    Args:
        weight_decay: L2 scale (slim arithmetic: ``scale * sum(w**2) / 2``).
        use_batch_norm: put a batch norm after every convolution.
        batch_norm_decay: moving-average decay.
        batch_norm_epsilon: added to the variance.
        activation_fn: activation of the convolutions.
        batch_norm_updates_collections: slim graph bookkeeping; kept only
            for its effect on variable creation order (see ``batch_norm``).
        batch_norm_scale: create ``gamma``.

    Returns:
        A scope dict to re-enter with ``slim.arg_scope(...)``.
    """
    return build_arg_scope(
        weight_decay, use_batch_norm, batch_norm_decay, batch_norm_epsilon,
        activation_fn, batch_norm_updates_collections, batch_norm_scale,
    )


def build_arg_scope(
    weight_decay, use_batch_norm, batch_norm_decay, batch_norm_epsilon,
    activation_fn, batch_norm_updates_collections, batch_norm_scale,
    fused=None,
):
    """``inception_arg_scope`` plus batch norm's ``fused`` (tf_slim v3)."""
    if use_batch_norm:
        normalizer_fn = batch_norm
        normalizer_params = {
            "decay": batch_norm_decay,
            "epsilon": batch_norm_epsilon,
            "updates_collections": batch_norm_updates_collections,
            "fused": fused,
            "scale": batch_norm_scale,
        }
    else:
        normalizer_fn = None
        normalizer_params = {}
    with scopes.arg_scope(
        [conv2d, fully_connected],
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
    ):
        with scopes.arg_scope(
            [conv2d],
            weights_initializer=initializers.variance_scaling_initializer(),
            activation_fn=activation_fn,
            normalizer_fn=normalizer_fn,
            normalizer_params=normalizer_params,
        ) as sc:
            return sc


def trunc_normal(stddev: float):
    """``truncated_normal_initializer(0.0, stddev)`` (slim's shorthand)."""
    return initializers.truncated_normal_initializer(0.0, stddev)


def reduced_kernel_size_for_small_input(tensor, kernel_size):
    """``kernel_size`` clipped to the spatial size of ``tensor``.

    As slim: when the height or width is unknown, ``kernel_size`` is
    returned unchanged (the input is assumed large enough).
    """
    h, w = tensor.shape[1], tensor.shape[2]
    if h is None or w is None:
        return list(kernel_size)
    return [min(int(h), kernel_size[0]), min(int(w), kernel_size[1])]


def spatial_squeeze(logits, net_name: str):
    """Drops the 1x1 spatial axes of ``[B, 1, 1, C]`` logits.

    Raises:
        ValueError: the spatial size is known and not 1x1 (slim failed too).
    """
    h, w = logits.shape[1], logits.shape[2]
    if (h is not None and h != 1) or (w is not None and w != 1):
        raise ValueError(
            f"{net_name}: spatial_squeeze=True needs 1x1 logits, but the "
            f"input size gives logits of shape {tuple(logits.shape)}. Pass "
            "spatial_squeeze=False (or use an input of the default size)."
        )
    return ops.squeeze(logits, axis=(1, 2))


def check_depth_multiplier(depth_multiplier: float, net_name: str) -> None:
    if isinstance(depth_multiplier, bool) or not isinstance(
        depth_multiplier, (int, float)
    ) or depth_multiplier <= 0:
        raise ValueError(
            f"{net_name}: depth_multiplier is not greater than zero. "
            f"Received: depth_multiplier={depth_multiplier!r}."
        )


def depth_fn(depth_multiplier: float, min_depth: int) -> Callable[[int], int]:
    """slim's ``depth(d) = max(int(d * depth_multiplier), min_depth)``."""
    return lambda d: max(int(d * depth_multiplier), min_depth)


def unknown_endpoint(net_name: str, final_endpoint: Any, valid) -> ValueError:
    return ValueError(
        f"{net_name}: unknown final_endpoint {final_endpoint!r}. Valid "
        f"values: {', '.join(valid)}."
    )


def check_final_endpoint(net_name: str, final_endpoint: Any, valid) -> None:
    """Fails before anything is built, naming the valid end points."""
    if final_endpoint not in valid:
        raise unknown_endpoint(net_name, final_endpoint, valid)


def concat(tensors):
    """Channel concatenation (slim's ``tf.concat(..., 3)``)."""
    return ops.concatenate(list(tensors), axis=3)


def global_mean(net):
    """``reduce_mean(net, [1, 2], keepdims=True)``."""
    return ops.mean(net, axis=(1, 2), keepdims=True)


branch = naming.variable_scope
