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

__all__ = ["alexnet_v2_arg_scope", "alexnet_v2"]


def alexnet_v2_arg_scope(weight_decay: float = 0.0005) -> dict:
    """slim's AlexNet defaults: relu, biases 0.1, L2, SAME convs, VALID pools.

    Returns:
        An arg_scope dict to enter with ``slim.arg_scope(...)``.
    """
    with arg_scope(
        [conv2d, fully_connected],
        activation_fn=relu,
        biases_initializer=initializers.constant_initializer(0.1),
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
    ):
        with arg_scope([conv2d], padding="SAME"):
            with arg_scope([max_pool2d], padding="VALID") as sc:
                return sc


def alexnet_v2(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    spatial_squeeze: bool = True,
    scope: str = "alexnet_v2",
    global_pool: bool = False,
):
    """AlexNet v2.

    Args:
        inputs: ``[batch, height, width, 3]`` images (224x224 to classify).
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
        scope, default_name="alexnet_v2"
    ) as sc:
        collection = sc + "_end_points"
        with arg_scope([conv2d, fully_connected, max_pool2d],
                       outputs_collections=[collection]):
            net = conv2d(inputs, 64, [11, 11], 4, padding="VALID",
                         scope="conv1")
            net = max_pool2d(net, [3, 3], 2, scope="pool1")
            net = conv2d(net, 192, [5, 5], scope="conv2")
            net = max_pool2d(net, [3, 3], 2, scope="pool2")
            net = conv2d(net, 384, [3, 3], scope="conv3")
            net = conv2d(net, 384, [3, 3], scope="conv4")
            net = conv2d(net, 256, [3, 3], scope="conv5")
            net = max_pool2d(net, [3, 3], 2, scope="pool5")
            # Fully connected layers as convolutions.
            with arg_scope(
                [conv2d],
                weights_initializer=initializers.truncated_normal_initializer(
                    0.0, 0.005),
                biases_initializer=initializers.constant_initializer(0.1),
            ):
                net = conv2d(net, 4096, [5, 5], padding="VALID", scope="fc6")
                net = dropout(net, dropout_keep_prob, is_training=is_training,
                              scope="dropout6")
                net = conv2d(net, 4096, [1, 1], scope="fc7")
                end_points = utils.convert_collection_to_dict(collection)
                return conv_classifier_head(
                    net, end_points, sc, num_classes, is_training,
                    dropout_keep_prob, spatial_squeeze, global_pool,
                    biases_initializer=initializers.zeros_initializer())


alexnet_v2.default_image_size = 224

registry.register_net(registry.NetSpec(
    name="alexnet_v2",
    fn=alexnet_v2,
    arg_scope=alexnet_v2_arg_scope,
    default_image_size=224,
    num_classes=1000,
    logits_scopes=("alexnet_v2/fc8",),
    preprocessing="vgg",
))
