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
from slimkeras import naming
from slimkeras import regularizers
from slimkeras import utils
from slimkeras.activations import relu
from slimkeras.layers import conv2d
from slimkeras.layers import dropout
from slimkeras.layers import fully_connected
from slimkeras.layers import max_pool2d
from slimkeras.nets import registry
from slimkeras.nets.vgg import check_num_classes
from slimkeras.nets.vgg import conv_classifier_head
from slimkeras.scopes import arg_scope

__all__ = ["overfeat_arg_scope", "overfeat"]


def overfeat_arg_scope(weight_decay: float = 0.0005) -> dict:
    """slim's OverFeat defaults: relu, L2, zero biases, SAME convs, VALID pools.

    Returns:
        An arg_scope dict to enter with ``slim.arg_scope(...)``.
    """
    with arg_scope(
        [conv2d, fully_connected],
        activation_fn=relu,
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
        biases_initializer=initializers.zeros_initializer(),
    ):
        with arg_scope([conv2d], padding="SAME"):
            with arg_scope([max_pool2d], padding="VALID") as sc:
                return sc


def overfeat(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "overfeat",
    global_pool: bool = False,
):
    """OverFeat.

    Args:
        inputs: ``[batch, height, width, 3]`` images (231x231 to classify).
        num_classes: number of classes; 0 or None omits fc8 (and dropout7)
            and returns the fc7 features (after ``global_pool``).
        is_training: None follows Keras's ``training`` flag; True/False
            pins dropout on/off.
        dropout_keep_prob: keep probability of dropout6/dropout7.
        spatial_squeeze: squeeze the 1x1 spatial dims of the logits.
        scope: the net's variable scope.
        global_pool: average fc7 to 1x1 for any input size.

    Returns:
        ``(net, end_points)``: logits (or features) and an ordered dict of
        end points keyed by full scope path.
    """
    check_num_classes(num_classes)
    with naming.collect_outputs(), naming.variable_scope(
        scope, default_name="overfeat"
    ) as sc:
        collection = sc + "_end_points"
        with arg_scope([conv2d, fully_connected, max_pool2d],
                       outputs_collections=collection):
            net = conv2d(inputs, 64, [11, 11], 4, padding="VALID",
                         scope="conv1")
            net = max_pool2d(net, [2, 2], scope="pool1")
            net = conv2d(net, 256, [5, 5], padding="VALID", scope="conv2")
            net = max_pool2d(net, [2, 2], scope="pool2")
            net = conv2d(net, 512, [3, 3], scope="conv3")
            net = conv2d(net, 1024, [3, 3], scope="conv4")
            net = conv2d(net, 1024, [3, 3], scope="conv5")
            net = max_pool2d(net, [2, 2], scope="pool5")
            # Fully connected layers as convolutions.
            with arg_scope(
                [conv2d],
                weights_initializer=initializers.truncated_normal_initializer(
                    0.0, 0.005),
                biases_initializer=initializers.constant_initializer(0.1),
            ):
                net = conv2d(net, 3072, [6, 6], padding="VALID", scope="fc6")
                net = dropout(net, dropout_keep_prob, is_training=is_training,
                              scope="dropout6")
                net = conv2d(net, 4096, [1, 1], scope="fc7")
                end_points = utils.convert_collection_to_dict(collection)
                return conv_classifier_head(
                    net, end_points, sc, num_classes, is_training,
                    dropout_keep_prob, spatial_squeeze, global_pool,
                    biases_initializer=initializers.zeros_initializer())


overfeat.default_image_size = 231

registry.register_net(registry.NetSpec(
    name="overfeat",
    fn=overfeat,
    arg_scope=overfeat_arg_scope,
    default_image_size=231,
    num_classes=1000,
    logits_scopes=("overfeat/fc8",),
    preprocessing="vgg",
))
