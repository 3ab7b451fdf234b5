"""CifarNet (the research/slim CIFAR-10 variant), with its LRN layers.

Reference: A. Krizhevsky, "Learning Multiple Layers of Features from Tiny
Images", 2009 (the cuda-convnet CIFAR-10 layout).

Slim counterpart: research/slim ``nets/cifarnet.py``: conv 5x5/64, pool
2x2/2, LRN, conv 5x5/64, LRN, pool, flatten, fc 384, dropout, fc 192,
logits. The LRN is ``tf.nn.lrn(depth_radius=4, bias=1, alpha=0.001/9,
beta=0.75)``, written here in ``keras.ops`` (:func:`lrn`). Variable names
match research/slim checkpoints (``CifarNet/conv1/weights`` …
``CifarNet/logits/biases``).

Usage::

    import slimkeras as slim
    from slimkeras.nets import cifarnet

    with slim.arg_scope(cifarnet.cifarnet_arg_scope()):
        logits, end_points = cifarnet.cifarnet(images)  # [B, 32, 32, 3]

``end_points`` keys: ``conv1``, ``pool1``, ``conv2``, ``pool2``,
``Flatten``, ``fc3``, ``fc4``, ``Logits``, ``Predictions``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

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

__all__ = [
    "cifarnet_arg_scope",
    "cifarnet",
    "LocalResponseNormalization",
    "lrn",
]


@keras.saving.register_keras_serializable(package="slimkeras")
class LocalResponseNormalization(keras.layers.Layer):
    """``tf.nn.lrn`` in ``keras.ops``: normalises across channels.

    ``out = x / (bias + alpha * sum(x[..., c-r:c+r+1] ** 2)) ** beta``
    with the window clipped at the channel edges (TF's definition: alpha
    is NOT divided by the window size). The window sum is a matmul with a
    0/1 band matrix, which keeps it one op on any backend.

    Args:
        depth_radius: half-width ``r`` of the channel window.
        bias, alpha, beta: as ``tf.nn.lrn``.
    """

    def __init__(self, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(depth_radius, bool) or not isinstance(
            depth_radius, int
        ) or depth_radius < 0:
            raise ValueError(
                "lrn: `depth_radius` must be a non-negative int. "
                f"Received: depth_radius={depth_radius!r}."
            )
        self.depth_radius = depth_radius
        self.bias = float(bias)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self._band = None

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "lrn: the channel dimension must be known. Received input "
                f"shape {tuple(input_shape)}."
            )
        idx = np.arange(int(channels))
        self._band = (
            np.abs(idx[:, None] - idx[None, :]) <= self.depth_radius
        ).astype("float32")

    def call(self, inputs):
        band = ops.cast(ops.convert_to_tensor(self._band), inputs.dtype)
        sqr_sum = ops.matmul(ops.square(inputs), band)
        return inputs / ops.power(self.bias + self.alpha * sqr_sum, self.beta)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_radius": self.depth_radius,
            "bias": self.bias,
            "alpha": self.alpha,
            "beta": self.beta,
        })
        return config


def lrn(inputs, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None):
    """Function form of :class:`LocalResponseNormalization` (``tf.nn.lrn``).

    ``name`` is the Keras layer name (made unique when None).
    """
    return LocalResponseNormalization(
        depth_radius, bias, alpha, beta, name=name)(inputs)


def cifarnet_arg_scope(weight_decay: float = 0.004) -> dict:
    """slim's CifarNet defaults.

    Convs: truncated-normal(0.05) weights, relu. Fully connected: biases
    0.1, truncated-normal(0.04) weights, L2 ``weight_decay``, relu.

    Returns:
        An arg_scope dict to enter with ``slim.arg_scope(...)``.
    """
    with arg_scope(
        [conv2d],
        weights_initializer=initializers.truncated_normal_initializer(
            stddev=5e-2),
        activation_fn=relu,
    ):
        with arg_scope(
            [fully_connected],
            biases_initializer=initializers.constant_initializer(0.1),
            weights_initializer=initializers.truncated_normal_initializer(
                stddev=0.04),
            weights_regularizer=regularizers.l2_regularizer(weight_decay),
            activation_fn=relu,
        ) as sc:
            return sc


def _unique_lrn_name(name: str) -> str:
    # Keras names must be unique in a functional model; slim's op names
    # (CifarNet/norm1) follow the scope, so make them unique the same way.
    scope = naming.resolve_scope(None, name)
    return naming.keras_name(scope)


default_cfgs = {
    "cifarnet": registry.net_cfg(
        arg_scope=cifarnet_arg_scope, default_image_size=32, num_classes=10,
        logits_scopes=("CifarNet/logits",), preprocessing="cifarnet"),
}


@registry.register_net
def cifarnet(
    images,
    num_classes: int | None = 10,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.5,
    prediction_fn=softmax,
    scope: str = "CifarNet",
):
    """CifarNet.

    Args:
        images: ``[batch, 32, 32, 3]`` images.
        num_classes: number of classes; 0 or None returns ``fc4``.
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
    lrn_args = dict(depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75)
    with naming.variable_scope(scope, default_name="CifarNet"):
        net = end_points["conv1"] = conv2d(images, 64, [5, 5], scope="conv1")
        net = end_points["pool1"] = max_pool2d(net, [2, 2], 2, scope="pool1")
        net = lrn(net, name=_unique_lrn_name("norm1"), **lrn_args)
        net = end_points["conv2"] = conv2d(net, 64, [5, 5], scope="conv2")
        net = lrn(net, name=_unique_lrn_name("norm2"), **lrn_args)
        net = end_points["pool2"] = max_pool2d(net, [2, 2], 2, scope="pool2")
        net = end_points["Flatten"] = flatten(net)
        net = end_points["fc3"] = fully_connected(net, 384, scope="fc3")
        net = dropout(net, dropout_keep_prob, is_training=is_training,
                      scope="dropout3")
        net = end_points["fc4"] = fully_connected(net, 192, scope="fc4")
        if not num_classes:
            return net, end_points
        logits = end_points["Logits"] = fully_connected(
            net, num_classes,
            biases_initializer=initializers.zeros_initializer(),
            weights_initializer=initializers.truncated_normal_initializer(
                stddev=1 / 192.0),
            weights_regularizer=None,
            activation_fn=None,
            scope="logits")
        end_points["Predictions"] = predictions(prediction_fn, logits)
    return logits, end_points

