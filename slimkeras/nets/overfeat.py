"""OverFeat (accurate-model feature extractor), as TF-Slim built it.

Reference: P. Sermanet, D. Eigen, X. Zhang, M. Mathieu, R. Fergus,
Y. LeCun, "OverFeat: Integrated Recognition, Localization and Detection
using Convolutional Networks", arXiv:1312.6229.

Slim counterpart: ``tf_slim.nets.overfeat`` / research/slim
``nets/overfeat.py`` (with ``global_pool`` and ``num_classes=None``). The
fully connected layers are convolutions (fc6 6x6 VALID, fc7/fc8 1x1);
classify at 231x231, or run fully convolutionally with
``spatial_squeeze=False``.

Usage::

    import slimkeras as slim
    from slimkeras.nets import overfeat

    with slim.arg_scope(overfeat.overfeat_arg_scope()):
        logits, end_points = overfeat.overfeat(images)

``end_points`` keys are full scope paths (``overfeat/conv1`` …
``overfeat/fc8``) in slim's order.
"""

from __future__ import annotations

from slimkeras import initializers
from slimkeras.layers import conv2d, max_pool2d
from slimkeras.nets import registry
from slimkeras.nets._conv_fc import NET_DOC, conv_fc_arg_scope, conv_fc_net

__all__ = ["overfeat_arg_scope", "overfeat"]


def overfeat_arg_scope(weight_decay: float = 0.0005) -> dict:
    """slim's OverFeat defaults: relu, L2, zero biases, SAME convs, VALID pools.

    Returns:
        An arg_scope dict to enter with ``slim.arg_scope(...)``.
    """
    return conv_fc_arg_scope(weight_decay, initializers.zeros_initializer())


def _features(net):
    net = conv2d(net, 64, [11, 11], 4, padding="VALID", scope="conv1")
    net = max_pool2d(net, [2, 2], scope="pool1")
    net = conv2d(net, 256, [5, 5], padding="VALID", scope="conv2")
    net = max_pool2d(net, [2, 2], scope="pool2")
    net = conv2d(net, 512, [3, 3], scope="conv3")
    net = conv2d(net, 1024, [3, 3], scope="conv4")
    net = conv2d(net, 1024, [3, 3], scope="conv5")
    return max_pool2d(net, [2, 2], scope="pool5")


default_cfgs = {
    "overfeat": registry.net_cfg(
        arg_scope=overfeat_arg_scope, default_image_size=231,
        num_classes=1000, logits_scopes=("overfeat/fc8",),
        preprocessing="vgg"),
}


@registry.register_net
def overfeat(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "overfeat",
    global_pool: bool = False,
):
    return conv_fc_net("overfeat", inputs, _features, 3072, [6, 6],
                       num_classes, is_training, dropout_keep_prob,
                       spatial_squeeze, scope, global_pool)


overfeat.__doc__ = NET_DOC.format(title="OverFeat.",
                                  size=overfeat.default_image_size)
