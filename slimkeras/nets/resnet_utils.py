"""Building blocks shared by ResNet v1 and v2 (slim's ``resnet_utils``).

* :class:`Block`: a named block spec ``(scope, unit_fn, args)``; ``args``
  holds one ``dict(depth=…, depth_bottleneck=…, stride=…)`` per unit.
* :func:`subsample`: a 1x1 max pool with stride ``factor`` (identity at 1).
* :func:`conv2d_same`: a strided conv whose padding does not depend on the
  input size (explicit zero padding + VALID), as slim's ResNets use it.
* :func:`stack_blocks_dense`: stacks the blocks under ``block<i>/unit_<j>``
  scopes and turns strides into atrous rates past ``output_stride``.
* :func:`resnet_arg_scope`: the ResNet defaults (BN decay 0.997, epsilon
  1e-5, with ``gamma``; He-init convs; weight decay 1e-4; SAME max pool).

Everything runs on ``keras.Input`` (functional models) and eagerly.
"""

from __future__ import annotations

import collections
from typing import Any

from keras import ops

from slimkeras import (
    activations,
    initializers,
    naming,
    regularizers,
    scopes,
    utils,
)
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.pooling import max_pool2d

__all__ = [
    "Block",
    "subsample",
    "conv2d_same",
    "stack_blocks_dense",
    "resnet_arg_scope",
]


class Block(collections.namedtuple("Block", ["scope", "unit_fn", "args"])):
    """A ResNet block: ``scope`` name, ``unit_fn`` and per-unit ``args``.

    ``unit_fn(net, rate=…, **args[i])`` builds unit ``i``; each entry of
    ``args`` is a dict such as ``{'depth': 256, 'depth_bottleneck': 64,
    'stride': 1}``.
    """


def _check_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or (
            value < minimum):
        raise ValueError(
            f"`{name}` must be an int >= {minimum}. Received: "
            f"{name}={value!r}."
        )
    return value


def subsample(inputs, factor: int, scope: str | None = None):
    """Subsamples ``inputs`` spatially by ``factor`` (1x1 max pool).

    Args:
        inputs: ``[batch, height, width, channels]``.
        factor: the subsampling factor; 1 returns ``inputs`` unchanged.
        scope: scope of the pooling op.

    Returns:
        ``inputs`` or its strided subsample.
    """
    _check_int(factor, "factor")
    if factor == 1:
        return inputs
    return max_pool2d(inputs, [1, 1], stride=factor, scope=scope)


def conv2d_same(inputs, num_outputs: int, kernel_size: int, stride: int,
                rate: int = 1, scope: str | None = None):
    """Strided 2-D convolution whose padding does not depend on the input.

    With ``stride == 1`` it is ``conv2d(..., padding='SAME')``. Otherwise
    the input is zero-padded by ``(k_eff - 1) // 2`` before and the rest
    after, with ``k_eff = k + (k - 1)(rate - 1)``, and a VALID conv runs.
    On even inputs this differs from a strided SAME conv (which pads more
    at the end): it equals a stride-1 SAME conv followed by subsampling.

    Args:
        inputs: ``[batch, height, width, channels]``.
        num_outputs: output channels.
        kernel_size: an int, the square kernel side.
        stride: an int, the output stride.
        rate: an int, the atrous rate.
        scope: the conv's scope.

    Returns:
        The convolution output (normalizer/activation from ``arg_scope``).
    """
    _check_int(kernel_size, "kernel_size")
    _check_int(stride, "stride")
    _check_int(rate, "rate")
    if stride == 1:
        return conv2d(inputs, num_outputs, kernel_size, stride=1, rate=rate,
                      padding="SAME", scope=scope)
    k_eff = kernel_size + (kernel_size - 1) * (rate - 1)
    pad_beg = (k_eff - 1) // 2
    pad_end = k_eff - 1 - pad_beg
    if pad_beg or pad_end:
        inputs = ops.pad(
            inputs, [[0, 0], [pad_beg, pad_end], [pad_beg, pad_end], [0, 0]]
        )
    return conv2d(inputs, num_outputs, kernel_size, stride=stride, rate=rate,
                  padding="VALID", scope=scope)


@scopes.add_arg_scope
def stack_blocks_dense(net, blocks, output_stride: int | None = None,
                       outputs_collections: Any = None):
    """Stacks ResNet ``blocks``; controls the output density with atrous.

    Scopes are ``<block.scope>/unit_<i>``. Once the product of the strides
    applied so far reaches ``output_stride``, later units run with stride 1
    and an atrous rate multiplied by the stride they would have had.

    Args:
        net: ``[batch, height, width, channels]``.
        blocks: a list of :class:`Block`.
        output_stride: None (nominal stride) or the requested ratio of input
            to output resolution; it must be a product of unit strides
            reached along the way.
        outputs_collections: collection receiving each block's output
            (alias: the block's full scope).

    Returns:
        The output of the last block.

    Raises:
        ValueError: ``output_stride`` cannot be reached.
    """
    if output_stride is not None and (
            isinstance(output_stride, bool) or output_stride <= 0):
        raise ValueError(
            "`output_stride` must be None or a positive number. Received: "
            f"output_stride={output_stride!r}."
        )
    current_stride = 1
    rate = 1
    for block in blocks:
        if not isinstance(block, Block):
            raise TypeError(
                "`blocks` must be a list of resnet_utils.Block. Received an "
                f"element of type {type(block).__name__}: {block!r}."
            )
        with naming.variable_scope(block.scope, "block") as sc:
            for i, unit in enumerate(block.args):
                if output_stride is not None and current_stride > output_stride:
                    raise ValueError(
                        "The target output_stride cannot be reached. "
                        f"Received: output_stride={output_stride!r}."
                    )
                with naming.variable_scope(f"unit_{i + 1}"):
                    unit_stride = unit.get("stride", 1)
                    if output_stride is not None and (
                            current_stride == output_stride):
                        net = block.unit_fn(net, rate=rate,
                                            **dict(unit, stride=1))
                        rate *= unit_stride
                    else:
                        net = block.unit_fn(net, rate=1, **unit)
                        current_stride *= unit_stride
            utils.collect_named_outputs(outputs_collections, sc, net)
    if output_stride is not None and current_stride != output_stride:
        raise ValueError(
            "The target output_stride cannot be reached. Received: "
            f"output_stride={output_stride!r}; the blocks reach "
            f"{current_stride}."
        )
    return net


def resnet_arg_scope(
    weight_decay: float = 0.0001,
    batch_norm_decay: float = 0.997,
    batch_norm_epsilon: float = 1e-5,
    batch_norm_scale: bool = True,
    activation_fn: Any = activations.relu,
    use_batch_norm: bool = True,
    batch_norm_updates_collections: Any = "update_ops",
) -> dict:
    """The default ResNet ``arg_scope``.

    Args:
        weight_decay: L2 weight decay of the conv weights (slim's
            ``scale * sum(w**2) / 2``).
        batch_norm_decay: moving-average decay.
        batch_norm_epsilon: added to the variance.
        batch_norm_scale: whether BN has a ``gamma``.
        activation_fn: conv activation (research/slim's argument).
        use_batch_norm: conv normalizer on/off (research/slim's argument).
        batch_norm_updates_collections: research/slim's argument; here it
            only selects BN variable creation order (updates always run
            in training).

    Returns:
        A scope dict to re-enter with ``slim.arg_scope(sc)``.
    """
    bn_params = {
        "decay": batch_norm_decay,
        "epsilon": batch_norm_epsilon,
        "scale": batch_norm_scale,
        "updates_collections": batch_norm_updates_collections,
    }
    with scopes.arg_scope(
        [conv2d],
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
        weights_initializer=initializers.variance_scaling_initializer(),
        activation_fn=activation_fn,
        normalizer_fn=batch_norm if use_batch_norm else None,
        normalizer_params=bn_params,
    ):
        with scopes.arg_scope([batch_norm], **bn_params):
            # SAME pool1 (fb.resnet.torch); the paper's code used VALID.
            with scopes.arg_scope([max_pool2d], padding="SAME") as sc:
                return sc
