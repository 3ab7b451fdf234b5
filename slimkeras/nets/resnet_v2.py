"""ResNet v2 (He et al. 2016, "Identity Mappings in Deep Residual
Networks"), as TF-Slim's ``nets.resnet_v2``.

Pre-activation bottleneck units (``preact`` BN + relu before the convs, no
BN on ``conv3`` or on a conv shortcut); the root conv has neither BN nor
activation; a ``postnorm`` BN + relu follows the last block. A block
downsamples in its **last** unit.
Variables and end points carry slim's names
(``resnet_v2_50/block1/unit_1/bottleneck_v2/conv1/weights``), so slim's
published checkpoints load by name.

As in ``tf_slim`` (not tensorflow/models' research/slim) the logits are
``[batch, 1, 1, num_classes]``; ``spatial_squeeze=True`` (keyword only)
squeezes them as research/slim does.

Example:

>>> import keras, slimkeras as slim
>>> from slimkeras.nets import resnet_v2
>>> images = keras.Input((64, 64, 3))
>>> with slim.name_registry(), slim.arg_scope(resnet_v2.resnet_arg_scope()):
...     logits, end_points = resnet_v2.resnet_v2_50(images, num_classes=10)
>>> tuple(logits.shape)
(None, 1, 1, 10)
"""

from __future__ import annotations

from typing import Any

from keras import ops

from slimkeras import activations
from slimkeras import naming
from slimkeras import scopes
from slimkeras import utils
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.nets import registry
from slimkeras.nets import resnet_head
from slimkeras.nets import resnet_utils

__all__ = [
    "bottleneck",
    "resnet_v2",
    "resnet_v2_block",
    "resnet_v2_50",
    "resnet_v2_101",
    "resnet_v2_152",
    "resnet_v2_200",
    "resnet_arg_scope",
]

resnet_arg_scope = resnet_utils.resnet_arg_scope


@scopes.add_arg_scope
def bottleneck(inputs, depth: int, depth_bottleneck: int, stride: int,
               rate: int = 1, outputs_collections: Any = None,
               scope: str | None = None):
    """Bottleneck residual unit with full pre-activation.

    ``preact = relu(BN(x))``; ``shortcut + conv3(conv2(conv1(preact)))``
    with no final activation. The shortcut is the (subsampled) input when
    its depth is ``depth``, else a 1x1 conv (with biases) on ``preact``.

    Args:
        inputs: ``[batch, height, width, channels]``.
        depth: output depth.
        depth_bottleneck: depth of the 1x1/3x3 bottleneck convs.
        stride: the unit's stride (applied by the 3x3 conv).
        rate: atrous rate of the 3x3 conv.
        outputs_collections: collection receiving the unit's output.
        scope: default ``bottleneck_v2``.

    Returns:
        The unit's output.
    """
    if scope is None and naming.current_reuse():
        scope = "bottleneck_v2"  # TF1 reuse re-enters the same default name
    with naming.variable_scope(scope, "bottleneck_v2") as sc:
        depth_in = utils.last_dimension(inputs.shape, min_rank=4)
        preact = batch_norm(inputs, activation_fn=activations.relu,
                            scope="preact")
        if depth == depth_in:
            shortcut = resnet_utils.subsample(inputs, stride, "shortcut")
        else:
            shortcut = conv2d(preact, depth, [1, 1], stride=stride,
                              normalizer_fn=None, activation_fn=None,
                              scope="shortcut")
        residual = conv2d(preact, depth_bottleneck, [1, 1], stride=1,
                          scope="conv1")
        residual = resnet_utils.conv2d_same(
            residual, depth_bottleneck, 3, stride, rate=rate, scope="conv2")
        residual = conv2d(residual, depth, [1, 1], stride=1,
                          normalizer_fn=None, activation_fn=None,
                          scope="conv3")
        output = ops.add(shortcut, residual)
        return utils.collect_named_outputs(outputs_collections, sc, output)


def resnet_v2(inputs, blocks, num_classes: int | None = None,
              is_training: bool | None = None, global_pool: bool = True,
              output_stride: int | None = None,
              include_root_block: bool = True, reuse: bool | None = None,
              scope: str | None = None, *, spatial_squeeze: bool = False):
    """Generator for ResNet v2 models (tf_slim's signature).

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
        scope: default ``resnet_v2`` (made unique).
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
    return resnet_head.build_resnet(
        inputs, blocks, "resnet_v2", bottleneck,
        {"activation_fn": None, "normalizer_fn": None}, True, num_classes,
        is_training, global_pool, output_stride, include_root_block, reuse,
        scope, spatial_squeeze,
    )


resnet_v2.default_image_size = 224


def resnet_v2_block(scope: str, base_depth: int, num_units: int,
                    stride: int) -> resnet_utils.Block:
    """A block of ``num_units`` v2 bottlenecks; the last one strides."""
    unit = {"depth": base_depth * 4, "depth_bottleneck": base_depth}
    return resnet_utils.Block(
        scope, bottleneck,
        [dict(unit, stride=1)] * (num_units - 1) + [dict(unit, stride=stride)],
    )


_UNITS = {
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
    200: (3, 24, 36, 3),
}


def _blocks(depth: int) -> list:
    units = _UNITS[depth]
    return [
        resnet_v2_block("block1", 64, units[0], 2),
        resnet_v2_block("block2", 128, units[1], 2),
        resnet_v2_block("block3", 256, units[2], 2),
        resnet_v2_block("block4", 512, units[3], 1),
    ]


def _make(depth: int):
    name = f"resnet_v2_{depth}"

    def net(inputs, num_classes: int | None = None,
            is_training: bool | None = None, global_pool: bool = True,
            output_stride: int | None = None, reuse: bool | None = None,
            scope: str = name, *, spatial_squeeze: bool = False):
        return resnet_v2(
            inputs, _blocks(depth), num_classes, is_training, global_pool,
            output_stride, include_root_block=True, reuse=reuse, scope=scope,
            spatial_squeeze=spatial_squeeze,
        )

    net.__name__ = net.__qualname__ = name
    net.__doc__ = (
        f"ResNet-{depth} v2; see :func:`resnet_v2` for arguments and "
        "returns. Blocks of "
        f"{'/'.join(str(u) for u in _UNITS[depth])} units."
    )
    net.default_image_size = 224
    registry.register_net(registry.NetSpec(
        name=name, fn=net, arg_scope=resnet_arg_scope,
        default_image_size=224, num_classes=1001,  # published: 1001
        logits_scopes=(f"{name}/logits",), preprocessing="vgg",
    ))
    return net


resnet_v2_50 = _make(50)
resnet_v2_101 = _make(101)
resnet_v2_152 = _make(152)
resnet_v2_200 = _make(200)
