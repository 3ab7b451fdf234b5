"""AlexNet v2 ("One weird trick" variant), as TF-Slim built it.

Reference: A. Krizhevsky, "One weird trick for parallelizing convolutional
neural networks", arXiv:1404.5997 (LRN layers removed, as in slim).

Slim counterpart: ``tf_slim.nets.alexnet`` / research/slim
``nets/alexnet.py`` (with ``global_pool`` and ``num_classes=None``). The
fully connected layers are convolutions (fc6 5x5 VALID, fc7/fc8 1x1);
biases start at 0.1 (fc8: 0); pools are 3x3/2 VALID.

Usage::

    import slimkeras as slim
    from slimkeras.nets import alexnet

    with slim.arg_scope(alexnet.alexnet_v2_arg_scope()):
        logits, end_points = alexnet.alexnet_v2(images)

``end_points`` keys are full scope paths (``alexnet_v2/conv1`` …
``alexnet_v2/fc8``) in slim's order.
"""

from __future__ import annotations

from slimkeras import initializers
from slimkeras.layers import conv2d, max_pool2d
from slimkeras.nets import registry
from slimkeras.nets._conv_fc import NET_DOC, conv_fc_arg_scope, conv_fc_net

__all__ = ["alexnet_v2_arg_scope", "alexnet_v2"]


def alexnet_v2_arg_scope(weight_decay: float = 0.0005) -> dict:
    """slim's AlexNet defaults: relu, biases 0.1, L2, SAME convs, VALID pools.

    Returns:
        An arg_scope dict to enter with ``slim.arg_scope(...)``.
    """
    return conv_fc_arg_scope(weight_decay,
                             initializers.constant_initializer(0.1))


def _features(net):
    net = conv2d(net, 64, [11, 11], 4, padding="VALID", scope="conv1")
    net = max_pool2d(net, [3, 3], 2, scope="pool1")
    net = conv2d(net, 192, [5, 5], scope="conv2")
    net = max_pool2d(net, [3, 3], 2, scope="pool2")
    net = conv2d(net, 384, [3, 3], scope="conv3")
    net = conv2d(net, 384, [3, 3], scope="conv4")
    net = conv2d(net, 256, [3, 3], scope="conv5")
    return max_pool2d(net, [3, 3], 2, scope="pool5")


default_cfgs = {
    "alexnet_v2": registry.net_cfg(
        arg_scope=alexnet_v2_arg_scope, default_image_size=224,
        num_classes=1000, logits_scopes=("alexnet_v2/fc8",),
        preprocessing="vgg"),
}


@registry.register_net
def alexnet_v2(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "alexnet_v2",
    global_pool: bool = False,
):
    return conv_fc_net("alexnet_v2", inputs, _features, 4096, [5, 5],
                       num_classes, is_training, dropout_keep_prob,
                       spatial_squeeze, scope, global_pool)


alexnet_v2.__doc__ = NET_DOC.format(title="AlexNet v2.",
                                    size=alexnet_v2.default_image_size)
