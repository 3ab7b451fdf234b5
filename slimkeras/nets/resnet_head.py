"""What ResNet v1 and v2 share: the part around the blocks (root, pooling,
logits: :func:`build_resnet`, configured by a :class:`ResnetVersion`), the
published depths (:data:`UNITS`, :func:`depth_blocks`) and the body and
cfgs of the ``resnet_vN_<depth>`` entrypoints.

Shared by :mod:`slimkeras.nets.resnet_v1` and :mod:`slimkeras.nets.resnet_v2`
(slim wrote it twice); not part of slim's public API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from keras import ops

from slimkeras import activations, naming, scopes, utils
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.pooling import max_pool2d
from slimkeras.nets import registry, resnet_utils
from slimkeras.nets._common import logits_classes


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


GENERATOR_DOC = """Generator for ResNet {version} models (tf_slim's signature).

    Args:
        inputs: ``[batch, height, width, channels]`` (``keras.Input`` or a
            tensor).
        blocks: list of :class:`resnet_utils.Block`.
        num_classes: logits size; None returns the features.
        is_training: None follows Keras's ``training`` flag; True/False pins
            batch norm's mode.
        global_pool: average-pool the last block to 1x1 before the logits.
        output_stride: None, or a multiple of 4: the ratio of input to
            output resolution (atrous convolution beyond it).
        include_root_block: build the 7x7 conv + max pool root.
        reuse: reuse the layers already built under ``scope``.
        scope: default ``resnet_{version}`` (made unique).
        spatial_squeeze: research/slim's option: squeeze the logits to
            ``[batch, num_classes]`` (end point ``<scope>/spatial_squeeze``)
            and, with ``global_pool``, adds research/slim's
            ``end_points['global_pool']`` (the pooled features).
            Default False, as tf_slim (logits ``[batch, 1, 1, classes]``).

    Returns:
        ``(net, end_points)``: logits (or features) and an ordered dict of
        end points keyed by full scope path, plus ``'predictions'``.

    Raises:
        ValueError: an ``output_stride`` that cannot be reached.
    """
"""``resnet_v1.resnet_v1``'s and ``resnet_v2.resnet_v2``'s docstring."""


@dataclasses.dataclass(frozen=True)
class ResnetVersion:
    """What differs between ResNet v1 and v2 around the blocks.

    Attributes:
        default_scope: ``'resnet_v1'`` / ``'resnet_v2'``.
        unit_fn: the bottleneck (receives ``outputs_collections``).
        root_conv_args: arg_scope of the root conv (v2: no BN, no relu).
        postnorm: BN + relu after the last block (v2).
    """

    default_scope: str
    unit_fn: Callable
    root_conv_args: dict = dataclasses.field(default_factory=dict)
    postnorm: bool = False


# Units per block of the published depths (blocks of 64/128/256/512
# bottleneck channels; the last block does not stride).
UNITS = {
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
    200: (3, 24, 36, 3),
}


def bottleneck_block(scope: str, unit_fn: Callable, base_depth: int,
                     num_units: int, stride: int) -> resnet_utils.Block:
    """A block of ``num_units`` ``unit_fn`` bottlenecks of ``base_depth``
    (output ``4 * base_depth``); the last one strides."""
    unit = {"depth": base_depth * 4, "depth_bottleneck": base_depth}
    return resnet_utils.Block(
        scope, unit_fn,
        [dict(unit, stride=1)] * (num_units - 1) + [dict(unit, stride=stride)],
    )


def depth_blocks(block_fn: Callable, depth: int) -> list:
    """The four blocks of ResNet-``depth`` made with ``block_fn(scope,
    base_depth, num_units, stride)``."""
    units = UNITS[depth]
    return [block_fn(f"block{i + 1}", base, n, 1 if i == 3 else 2)
            for i, (base, n) in enumerate(zip((64, 128, 256, 512), units,
                                                strict=True))]


def depth_cfgs(prefix: str, num_classes: int) -> dict:
    """``default_cfgs`` rows of ``<prefix>_<depth>`` for every depth."""
    return {f"{prefix}_{depth}": registry.net_cfg(
        arg_scope=resnet_utils.resnet_arg_scope, default_image_size=224,
        num_classes=num_classes, logits_scopes=(f"{prefix}_{depth}/logits",),
        preprocessing="vgg") for depth in UNITS}


def depth_net(generator: Callable, block_fn: Callable, depth: int, inputs,
              num_classes, is_training, global_pool, output_stride, reuse,
              scope, spatial_squeeze):
    """``generator`` (``resnet_v1``/``resnet_v2``) on the blocks of
    ResNet-``depth``: the body of the ``resnet_vN_<depth>`` entrypoints."""
    return generator(
        inputs, depth_blocks(block_fn, depth), num_classes, is_training,
        global_pool, output_stride, include_root_block=True, reuse=reuse,
        scope=scope, spatial_squeeze=spatial_squeeze)


def build_resnet(
    inputs,
    blocks,
    version: ResnetVersion,
    *,
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
    num_classes = logits_classes(num_classes)
    if is_training not in (None, True, False):
        raise TypeError(
            "`is_training` must be None, True or False. Received: "
            f"is_training={is_training!r}."
        )
    if include_root_block:
        blocks_stride = root_output_stride(output_stride)
    else:
        blocks_stride = output_stride
    with naming.variable_scope(scope, version.default_scope,
                               reuse=reuse) as sc:
        collection = sc + "_end_points"
        with naming.collect_outputs(), scopes.arg_scope(
            [conv2d, version.unit_fn, resnet_utils.stack_blocks_dense],
            outputs_collections=collection,
        ), scopes.arg_scope([batch_norm], is_training=is_training):
            net = inputs
            if include_root_block:
                with scopes.arg_scope([conv2d], **version.root_conv_args):
                    net = resnet_utils.conv2d_same(
                        net, 64, 7, stride=2, scope="conv1")
                net = max_pool2d(net, [3, 3], stride=2, scope="pool1")
            net = resnet_utils.stack_blocks_dense(net, blocks, blocks_stride)
            if version.postnorm:
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
