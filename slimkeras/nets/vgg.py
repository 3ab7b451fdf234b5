"""VGG: Oxford VGG-11 (A), VGG-16 (D) and VGG-19 (E), as TF-Slim built them.

Reference: K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for
Large-Scale Image Recognition", arXiv:1409.1556.

Slim counterpart: ``tf_slim.nets.vgg`` / research/slim ``nets/vgg.py``
(``fc_conv_padding``, ``global_pool``, ``num_classes=None``). The fully
connected layers are convolutions (fc6 7x7 VALID, fc7/fc8 1x1), so the net
runs fully convolutionally on larger inputs with ``spatial_squeeze=False``.
Variable names match the released ``vgg_16.ckpt``/``vgg_19.ckpt``.

Usage::

    import slimkeras as slim
    from slimkeras.nets import vgg

    with slim.arg_scope(vgg.vgg_arg_scope()):
        logits, end_points = vgg.vgg_16(images, num_classes=1000)

``end_points`` keys are full scope paths (``vgg_16/conv1/conv1_1``,
``vgg_16/pool1`` … ``vgg_16/fc8``) in slim's order.
"""

from __future__ import annotations

from typing import Literal

from slimkeras import initializers, regularizers, utils
from slimkeras.activations import relu
from slimkeras.layers import (
    conv2d,
    dropout,
    fully_connected,
    max_pool2d,
    repeat,
)
from slimkeras.nets import registry
from slimkeras.nets._common import validate_num_classes
from slimkeras.nets._conv_fc import collecting_scope, conv_classifier_head
from slimkeras.scopes import arg_scope

__all__ = ["vgg_arg_scope", "vgg_a", "vgg_16", "vgg_19", "vgg_d", "vgg_e"]

# Convolutions per block (blocks 1-5 have 64, 128, 256, 512, 512 filters).
_DEPTHS = (64, 128, 256, 512, 512)
_REPEATS = {
    "vgg_a": (1, 1, 2, 2, 2),
    "vgg_16": (2, 2, 3, 3, 3),
    "vgg_19": (2, 2, 4, 4, 4),
}


def vgg_arg_scope(weight_decay: float = 0.0005) -> dict:
    """slim's VGG defaults: relu, L2 ``weight_decay``, zero biases, SAME.

    Returns:
        An arg_scope dict to enter with ``slim.arg_scope(...)``.
    """
    with arg_scope(
        [conv2d, fully_connected],
        activation_fn=relu,
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
        biases_initializer=initializers.zeros_initializer(),
    ):
        with arg_scope([conv2d], padding="SAME") as sc:
            return sc


def _vgg(
    name: str,
    inputs,
    num_classes,
    is_training,
    dropout_keep_prob,
    spatial_squeeze,
    scope,
    fc_conv_padding,
    global_pool,
):
    validate_num_classes(num_classes)
    with collecting_scope(scope, name) as (sc, collection):
        net = inputs
        for i, (n, depth) in enumerate(zip(_REPEATS[name], _DEPTHS,
                                           strict=True)):
            block = i + 1
            net = repeat(net, n, conv2d, depth, [3, 3],
                         scope=f"conv{block}")
            net = max_pool2d(net, [2, 2], scope=f"pool{block}")
        # Fully connected layers as convolutions.
        net = conv2d(net, 4096, [7, 7], padding=fc_conv_padding,
                     scope="fc6")
        net = dropout(net, dropout_keep_prob, is_training=is_training,
                      scope="dropout6")
        net = conv2d(net, 4096, [1, 1], scope="fc7")
        end_points = utils.convert_collection_to_dict(collection)
        return conv_classifier_head(
            net, end_points, sc, num_classes, is_training,
            dropout_keep_prob, spatial_squeeze, global_pool)


_DOC = """{title}

    Args:
        inputs: ``[batch, height, width, 3]`` images (224x224 to classify).
        num_classes: number of classes; 0 or None omits fc8 (and dropout7)
            and returns the fc7 features (after ``global_pool``).
        is_training: None follows Keras's ``training`` flag (dropout in
            ``fit``); True/False pins it.
        dropout_keep_prob: keep probability of dropout6/dropout7.
        spatial_squeeze: squeeze the 1x1 spatial dims of the logits.
        scope: the net's variable scope.
        fc_conv_padding: padding of fc6 (``'VALID'``: output is
            ``input/32 - 6``; ``'SAME'``: ``input/32``).
        global_pool: average fc7 to 1x1 for any input size.

    Returns:
        ``(net, end_points)``: the logits (or features) and an ordered
        dict of end points keyed by full scope path.
    """


default_cfgs = {
    name: registry.net_cfg(
        arg_scope=vgg_arg_scope, default_image_size=224, num_classes=1000,
        logits_scopes=(f"{name}/fc8",), preprocessing="vgg")
    for name in _REPEATS
}


@registry.register_net
def vgg_a(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "vgg_a",
    fc_conv_padding: Literal["SAME", "VALID"] = "VALID",
    global_pool: bool = False,
):
    return _vgg("vgg_a", inputs, num_classes, is_training, dropout_keep_prob,
                spatial_squeeze, scope, fc_conv_padding, global_pool)


@registry.register_net
def vgg_16(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "vgg_16",
    fc_conv_padding: Literal["SAME", "VALID"] = "VALID",
    global_pool: bool = False,
):
    return _vgg("vgg_16", inputs, num_classes, is_training,
                dropout_keep_prob, spatial_squeeze, scope, fc_conv_padding,
                global_pool)


@registry.register_net
def vgg_19(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "vgg_19",
    fc_conv_padding: Literal["SAME", "VALID"] = "VALID",
    global_pool: bool = False,
):
    return _vgg("vgg_19", inputs, num_classes, is_training,
                dropout_keep_prob, spatial_squeeze, scope, fc_conv_padding,
                global_pool)


vgg_a.__doc__ = _DOC.format(title="VGG 11-layer net (configuration A).")
vgg_16.__doc__ = _DOC.format(title="VGG 16-layer net (configuration D).")
vgg_19.__doc__ = _DOC.format(title="VGG 19-layer net (configuration E).")

# Aliases as in slim.
vgg_d = vgg_16
vgg_e = vgg_19
