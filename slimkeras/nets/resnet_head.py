"""The part of ResNet v1 and v2 around the blocks: root, pooling, logits.

Shared by :mod:`slimkeras.nets.resnet_v1` and :mod:`slimkeras.nets.resnet_v2`
(slim wrote it twice); not part of slim's public API.
"""

from __future__ import annotations

from typing import Any, Callable

from keras import ops

from slimkeras import activations
from slimkeras import naming
from slimkeras import scopes
from slimkeras import utils
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.pooling import max_pool2d
from slimkeras.nets import resnet_utils


def check_num_classes(num_classes: Any) -> int | None:
    """None (or 0, research/slim's falsy) means no logits layer."""
    if num_classes is None or num_classes == 0:
        return None
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or (
            num_classes < 0):
        raise ValueError(
            "`num_classes` must be None or a positive int. Received: "
            f"num_classes={num_classes!r}."
        )
    return num_classes


def root_output_stride(output_stride: Any) -> int | None:
    """``output_stride`` left for the blocks after the root's stride 4."""
    if output_stride is None:
        return None
    if isinstance(output_stride, bool) or not isinstance(
            output_stride, int) or output_stride <= 0 or output_stride % 4:
        raise ValueError(
            "The output_stride needs to be a multiple of 4. Received: "
            f"output_stride={output_stride!r}."
        )
    return output_stride // 4


def build_resnet(
    inputs,
    blocks,
    default_scope: str,
    unit_fn: Callable,
    root_conv_args: dict,
    postnorm: bool,
    num_classes: Any,
    is_training: bool | None,
    global_pool: bool,
    output_stride: Any,
    include_root_block: bool,
    reuse: bool | None,
    scope: str | None,
    spatial_squeeze: bool,
):
    """The ResNet generator body; see ``resnet_v1.resnet_v1``."""
    num_classes = check_num_classes(num_classes)
    if is_training not in (None, True, False):
        raise TypeError(
            "`is_training` must be None, True or False. Received: "
            f"is_training={is_training!r}."
        )
    if include_root_block:
        blocks_stride = root_output_stride(output_stride)
    else:
        blocks_stride = output_stride
    with naming.variable_scope(scope, default_scope, reuse=reuse) as sc:
        collection = sc + "_end_points"
        with naming.collect_outputs(), scopes.arg_scope(
            [conv2d, unit_fn, resnet_utils.stack_blocks_dense],
            outputs_collections=collection,
        ), scopes.arg_scope([batch_norm], is_training=is_training):
            net = inputs
            if include_root_block:
                with scopes.arg_scope([conv2d], **root_conv_args):
                    net = resnet_utils.conv2d_same(
                        net, 64, 7, stride=2, scope="conv1")
                net = max_pool2d(net, [3, 3], stride=2, scope="pool1")
            net = resnet_utils.stack_blocks_dense(net, blocks, blocks_stride)
            if postnorm:
                net = batch_norm(net, activation_fn=activations.relu,
                                 scope="postnorm")
            if global_pool:
                net = ops.mean(net, axis=(1, 2), keepdims=True)
                if spatial_squeeze:  # research/slim's end point (not tf_slim's)
                    utils.collect_named_outputs(collection, "global_pool", net)
            if num_classes is not None:
                net = conv2d(net, num_classes, [1, 1], activation_fn=None,
                             normalizer_fn=None, scope="logits")
                if spatial_squeeze:
                    net = ops.squeeze(net, axis=(1, 2))
                    utils.collect_named_outputs(
                        collection, sc + "/spatial_squeeze", net)
            end_points = utils.convert_collection_to_dict(collection)
            if num_classes is not None:
                end_points["predictions"] = ops.softmax(net, axis=-1)
    return net, end_points
