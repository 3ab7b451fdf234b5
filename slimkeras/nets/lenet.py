"""LeNet (the research/slim variant), for MNIST-sized inputs.

Reference: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based
learning applied to document recognition", Proc. IEEE 1998.

Slim counterpart: research/slim ``nets/lenet.py``: conv 5x5/32, pool,
conv 5x5/64, pool, flatten (NHWC order), fc 1024, dropout, fc logits.
Matches the variable names of checkpoints trained with research/slim
(``LeNet/conv1/weights`` … ``LeNet/fc4/biases``).

Usage::

    import slimkeras as slim
    from slimkeras.nets import lenet

    with slim.arg_scope(lenet.lenet_arg_scope()):
        logits, end_points = lenet.lenet(images)  # [B, 28, 28, 1]

``end_points`` keys are short names: ``conv1``, ``pool1``, ``conv2``,
``pool2``, ``Flatten``, ``fc3``, ``dropout3``, ``Logits``,
``Predictions``.
"""

from __future__ import annotations

from slimkeras import initializers, naming, regularizers
from slimkeras.activations import relu
from slimkeras.layers import (
    conv2d,
    dropout,
    flatten,
    fully_connected,
    max_pool2d,
)
from slimkeras.nets import registry
from slimkeras.nets._common import predictions, softmax, validate_num_classes
from slimkeras.scopes import arg_scope

__all__ = ["lenet_arg_scope", "lenet", "softmax"]


def lenet_arg_scope(weight_decay: float = 0.0) -> dict:
    """slim's LeNet defaults: relu, truncated-normal(0.1) weights, L2.

    Returns:
        An arg_scope dict to enter with ``slim.arg_scope(...)``.
    """
    with arg_scope(
        [conv2d, fully_connected],
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
        weights_initializer=initializers.truncated_normal_initializer(
            stddev=0.1),
        activation_fn=relu,
    ) as sc:
        return sc


default_cfgs = {
    "lenet": registry.net_cfg(
        arg_scope=lenet_arg_scope, default_image_size=28, num_classes=10,
        logits_scopes=("LeNet/fc4",), preprocessing="lenet", channels=1),
}


@registry.register_net
def lenet(
    images,
    num_classes: int | None = 10,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    prediction_fn=softmax,
    scope: str = "LeNet",
):
    """LeNet.

    Args:
        images: ``[batch, 28, 28, channels]`` images.
        num_classes: number of classes; 0 or None returns the ``fc3``
            features (before dropout).
        is_training: None follows Keras's ``training`` flag; True/False
            pins dropout on/off (research/slim's default was False).
        dropout_keep_prob: keep probability of ``dropout3``.
        prediction_fn: ``fn(logits[, scope])`` for ``Predictions``
            (``keras.ops.softmax`` works too).
        scope: the net's variable scope.

    Returns:
        ``(logits, end_points)``.
    """
    validate_num_classes(num_classes)
    end_points = {}
    with naming.variable_scope(scope, default_name="LeNet"):
        net = end_points["conv1"] = conv2d(images, 32, [5, 5], scope="conv1")
        net = end_points["pool1"] = max_pool2d(net, [2, 2], 2, scope="pool1")
        net = end_points["conv2"] = conv2d(net, 64, [5, 5], scope="conv2")
        net = end_points["pool2"] = max_pool2d(net, [2, 2], 2, scope="pool2")
        net = end_points["Flatten"] = flatten(net)
        net = end_points["fc3"] = fully_connected(net, 1024, scope="fc3")
        if not num_classes:
            return net, end_points
        net = end_points["dropout3"] = dropout(
            net, dropout_keep_prob, is_training=is_training, scope="dropout3")
        logits = end_points["Logits"] = fully_connected(
            net, num_classes, activation_fn=None, scope="fc4")
    end_points["Predictions"] = predictions(prediction_fn, logits)
    return logits, end_points

