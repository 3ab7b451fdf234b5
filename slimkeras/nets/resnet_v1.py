"""ResNet v1 (He et al. 2015, "Deep Residual Learning for Image
Recognition"), as TF-Slim's ``nets.resnet_v1``.

Bottleneck units with BN after each conv; a block downsamples in its
**last** unit; the root is a 7x7/2 ``conv2d_same`` + 3x3/2 SAME max pool.
Variables and end points carry slim's names
(``resnet_v1_50/block1/unit_1/bottleneck_v1/conv1/weights``), so slim's
published checkpoints load by name.

As in ``tf_slim`` (not tensorflow/models' research/slim) the logits are
``[batch, 1, 1, num_classes]``; ``spatial_squeeze=True`` (keyword only)
squeezes them as research/slim does.

Example:

>>> import keras, slimkeras as slim
>>> from slimkeras.nets import resnet_v1
>>> images = keras.Input((64, 64, 3))
>>> with slim.name_registry(), slim.arg_scope(resnet_v1.resnet_arg_scope()):
...     logits, end_points = resnet_v1.resnet_v1_50(images, num_classes=10)
>>> tuple(logits.shape)
(None, 1, 1, 10)
"""

from __future__ import annotations

from typing import Any

from keras import ops

from slimkeras import naming, scopes, utils
from slimkeras.layers.conv import conv2d
from slimkeras.nets import registry, resnet_head, resnet_utils

__all__ = [
    "bottleneck",
    "resnet_v1",
    "resnet_v1_block",
    "resnet_v1_50",
    "resnet_v1_101",
    "resnet_v1_152",
    "resnet_v1_200",
    "resnet_arg_scope",
]

resnet_arg_scope = resnet_utils.resnet_arg_scope


@scopes.add_arg_scope
def bottleneck(inputs, depth: int, depth_bottleneck: int, stride: int,
               rate: int = 1, outputs_collections: Any = None,
               scope: str | None = None):
    """Bottleneck residual unit with BN after the convolutions.

    ``relu(shortcut + conv3(conv2(conv1(x))))``; the shortcut is the
    (subsampled) input when its depth is ``depth``, else a 1x1 conv + BN.

    Args:
        inputs: ``[batch, height, width, channels]``.
        depth: output depth.
        depth_bottleneck: depth of the 1x1/3x3 bottleneck convs.
        stride: the unit's stride (applied by the 3x3 conv).
        rate: atrous rate of the 3x3 conv.
        outputs_collections: collection receiving the unit's output.
        scope: default ``bottleneck_v1``.

    Returns:
        The unit's output.
    """
    if scope is None and naming.current_reuse():
        scope = "bottleneck_v1"  # TF1 reuse re-enters the same default name
    with naming.variable_scope(scope, "bottleneck_v1") as sc:
        depth_in = utils.last_dimension(inputs.shape, min_rank=4)
        if depth == depth_in:
            shortcut = resnet_utils.subsample(inputs, stride, "shortcut")
        else:
            shortcut = conv2d(inputs, depth, [1, 1], stride=stride,
                              activation_fn=None, scope="shortcut")
        residual = conv2d(inputs, depth_bottleneck, [1, 1], stride=1,
                          scope="conv1")
        residual = resnet_utils.conv2d_same(
            residual, depth_bottleneck, 3, stride, rate=rate, scope="conv2")
        residual = conv2d(residual, depth, [1, 1], stride=1,
                          activation_fn=None, scope="conv3")
        output = ops.relu(ops.add(shortcut, residual))
        return utils.collect_named_outputs(outputs_collections, sc, output)


_VERSION = resnet_head.ResnetVersion("resnet_v1", bottleneck)


def resnet_v1(inputs, blocks, num_classes: int | None = None,
              is_training: bool | None = None, global_pool: bool = True,
              output_stride: int | None = None,
              include_root_block: bool = True, reuse: bool | None = None,
              scope: str | None = None, *, spatial_squeeze: bool = False):
    return resnet_head.build_resnet(
        inputs, blocks, _VERSION, num_classes=num_classes,
        is_training=is_training, global_pool=global_pool,
        output_stride=output_stride, include_root_block=include_root_block,
        reuse=reuse, scope=scope, spatial_squeeze=spatial_squeeze)


resnet_v1.__doc__ = resnet_head.GENERATOR_DOC.format(version="v1")
resnet_v1.default_image_size = 224


def resnet_v1_block(scope: str, base_depth: int, num_units: int,
                    stride: int) -> resnet_utils.Block:
    """A block of ``num_units`` v1 bottlenecks; the last one strides."""
    return resnet_head.bottleneck_block(scope, bottleneck, base_depth,
                                        num_units, stride)



default_cfgs = resnet_head.depth_cfgs("resnet_v1", 1000)


@registry.register_net
def resnet_v1_50(inputs, num_classes: int | None = None,
                 is_training: bool | None = None, global_pool: bool = True,
                 output_stride: int | None = None, reuse: bool | None = None,
                 scope: str = "resnet_v1_50", *,
                 spatial_squeeze: bool = False):
    """ResNet-50 v1 (blocks of 3/4/6/3 units); arguments and returns as
    :func:`resnet_v1`."""
    return resnet_head.depth_net(
        resnet_v1, resnet_v1_block, 50, inputs, num_classes, is_training,
        global_pool, output_stride, reuse, scope, spatial_squeeze)


@registry.register_net
def resnet_v1_101(inputs, num_classes: int | None = None,
                  is_training: bool | None = None, global_pool: bool = True,
                  output_stride: int | None = None, reuse: bool | None = None,
                  scope: str = "resnet_v1_101", *,
                  spatial_squeeze: bool = False):
    """ResNet-101 v1 (blocks of 3/4/23/3 units); arguments and returns as
    :func:`resnet_v1`."""
    return resnet_head.depth_net(
        resnet_v1, resnet_v1_block, 101, inputs, num_classes, is_training,
        global_pool, output_stride, reuse, scope, spatial_squeeze)


@registry.register_net
def resnet_v1_152(inputs, num_classes: int | None = None,
                  is_training: bool | None = None, global_pool: bool = True,
                  output_stride: int | None = None, reuse: bool | None = None,
                  scope: str = "resnet_v1_152", *,
                  spatial_squeeze: bool = False):
    """ResNet-152 v1 (blocks of 3/8/36/3 units); arguments and returns as
    :func:`resnet_v1`."""
    return resnet_head.depth_net(
        resnet_v1, resnet_v1_block, 152, inputs, num_classes, is_training,
        global_pool, output_stride, reuse, scope, spatial_squeeze)


@registry.register_net
def resnet_v1_200(inputs, num_classes: int | None = None,
                  is_training: bool | None = None, global_pool: bool = True,
                  output_stride: int | None = None, reuse: bool | None = None,
                  scope: str = "resnet_v1_200", *,
                  spatial_squeeze: bool = False):
    """ResNet-200 v1 (blocks of 3/24/36/3 units); arguments and returns as
    :func:`resnet_v1`."""
    return resnet_head.depth_net(
        resnet_v1, resnet_v1_block, 200, inputs, num_classes, is_training,
        global_pool, output_stride, reuse, scope, spatial_squeeze)
