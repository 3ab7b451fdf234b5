"""Inception V4.

Reference: Szegedy, Ioffe, Vanhoucke & Alemi, "Inception-v4,
Inception-ResNet and the Impact of Residual Connections on Learning",
arXiv:1602.07261.

Slim counterpart: research/slim ``nets/inception_v4.py`` (names, end
points and defaults are matched; the code is our own). Usage, as in slim::

    with slim.arg_scope(inception_v4_arg_scope()):
        logits, end_points = inception_v4(images, num_classes=1001)

Checkpoint: ``inception_v4_2016_09_09`` (1001 classes) loads by name.

Slim compatibility: the classifier and aux head are ``fully_connected``
layers after ``flatten`` (``Logits/Logits``, ``AuxLogits/Aux_logits``);
the aux conv ``AuxLogits/Conv2d_2a`` and the final pool
``Logits/AvgPool_1a`` take the whole feature map as kernel, so their
shapes follow the input size. With unknown height/width the final pool
is a mean (end point ``global_pool`` either way).
"""

from __future__ import annotations

from typing import Any

from slimkeras import naming, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.flatten import flatten
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.layers.pooling import avg_pool2d, max_pool2d
from slimkeras.nets import inception_utils as iu
from slimkeras.nets import registry

__all__ = [
    "inception_v4",
    "inception_v4_base",
    "inception_v4_arg_scope",
    "block_inception_a",
    "block_reduction_a",
    "block_inception_b",
    "block_reduction_b",
    "block_inception_c",
]

END_POINTS = (
    "Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "Mixed_3a",
    "Mixed_4a", "Mixed_5a", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_5e",
    "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_6f",
    "Mixed_6g", "Mixed_6h", "Mixed_7a", "Mixed_7b", "Mixed_7c", "Mixed_7d",
)

inception_v4_arg_scope = iu.inception_arg_scope

_SAME = dict(stride=1, padding="SAME")
_OPS = [conv2d, avg_pool2d, max_pool2d]


def block_inception_a(inputs, scope=None, reuse=None):
    """Inception-A block (35x35): 4 branches, 384 channels."""
    with scopes.arg_scope(_OPS, **_SAME):
        with naming.variable_scope(scope, "BlockInceptionA", reuse=reuse):
            with iu.branch("Branch_0"):
                b0 = conv2d(inputs, 96, [1, 1], scope="Conv2d_0a_1x1")
            with iu.branch("Branch_1"):
                b1 = conv2d(inputs, 64, [1, 1], scope="Conv2d_0a_1x1")
                b1 = conv2d(b1, 96, [3, 3], scope="Conv2d_0b_3x3")
            with iu.branch("Branch_2"):
                b2 = conv2d(inputs, 64, [1, 1], scope="Conv2d_0a_1x1")
                b2 = conv2d(b2, 96, [3, 3], scope="Conv2d_0b_3x3")
                b2 = conv2d(b2, 96, [3, 3], scope="Conv2d_0c_3x3")
            with iu.branch("Branch_3"):
                b3 = avg_pool2d(inputs, [3, 3], scope="AvgPool_0a_3x3")
                b3 = conv2d(b3, 96, [1, 1], scope="Conv2d_0b_1x1")
            return iu.concat([b0, b1, b2, b3])


def block_reduction_a(inputs, scope=None, reuse=None):
    """Reduction-A block: 35x35 -> 17x17."""
    with scopes.arg_scope(_OPS, **_SAME):
        with naming.variable_scope(scope, "BlockReductionA", reuse=reuse):
            with iu.branch("Branch_0"):
                b0 = conv2d(inputs, 384, [3, 3], stride=2, padding="VALID",
                            scope="Conv2d_1a_3x3")
            with iu.branch("Branch_1"):
                b1 = conv2d(inputs, 192, [1, 1], scope="Conv2d_0a_1x1")
                b1 = conv2d(b1, 224, [3, 3], scope="Conv2d_0b_3x3")
                b1 = conv2d(b1, 256, [3, 3], stride=2, padding="VALID",
                            scope="Conv2d_1a_3x3")
            with iu.branch("Branch_2"):
                b2 = max_pool2d(inputs, [3, 3], stride=2, padding="VALID",
                                scope="MaxPool_1a_3x3")
            return iu.concat([b0, b1, b2])


def block_inception_b(inputs, scope=None, reuse=None):
    """Inception-B block (17x17): factorised 7x7 towers, 1024 channels."""
    with scopes.arg_scope(_OPS, **_SAME):
        with naming.variable_scope(scope, "BlockInceptionB", reuse=reuse):
            with iu.branch("Branch_0"):
                b0 = conv2d(inputs, 384, [1, 1], scope="Conv2d_0a_1x1")
            with iu.branch("Branch_1"):
                b1 = conv2d(inputs, 192, [1, 1], scope="Conv2d_0a_1x1")
                b1 = conv2d(b1, 224, [1, 7], scope="Conv2d_0b_1x7")
                b1 = conv2d(b1, 256, [7, 1], scope="Conv2d_0c_7x1")
            with iu.branch("Branch_2"):
                b2 = conv2d(inputs, 192, [1, 1], scope="Conv2d_0a_1x1")
                b2 = conv2d(b2, 192, [7, 1], scope="Conv2d_0b_7x1")
                b2 = conv2d(b2, 224, [1, 7], scope="Conv2d_0c_1x7")
                b2 = conv2d(b2, 224, [7, 1], scope="Conv2d_0d_7x1")
                b2 = conv2d(b2, 256, [1, 7], scope="Conv2d_0e_1x7")
            with iu.branch("Branch_3"):
                b3 = avg_pool2d(inputs, [3, 3], scope="AvgPool_0a_3x3")
                b3 = conv2d(b3, 128, [1, 1], scope="Conv2d_0b_1x1")
            return iu.concat([b0, b1, b2, b3])


def block_reduction_b(inputs, scope=None, reuse=None):
    """Reduction-B block: 17x17 -> 8x8."""
    with scopes.arg_scope(_OPS, **_SAME):
        with naming.variable_scope(scope, "BlockReductionB", reuse=reuse):
            with iu.branch("Branch_0"):
                b0 = conv2d(inputs, 192, [1, 1], scope="Conv2d_0a_1x1")
                b0 = conv2d(b0, 192, [3, 3], stride=2, padding="VALID",
                            scope="Conv2d_1a_3x3")
            with iu.branch("Branch_1"):
                b1 = conv2d(inputs, 256, [1, 1], scope="Conv2d_0a_1x1")
                b1 = conv2d(b1, 256, [1, 7], scope="Conv2d_0b_1x7")
                b1 = conv2d(b1, 320, [7, 1], scope="Conv2d_0c_7x1")
                b1 = conv2d(b1, 320, [3, 3], stride=2, padding="VALID",
                            scope="Conv2d_1a_3x3")
            with iu.branch("Branch_2"):
                b2 = max_pool2d(inputs, [3, 3], stride=2, padding="VALID",
                                scope="MaxPool_1a_3x3")
            return iu.concat([b0, b1, b2])


def block_inception_c(inputs, scope=None, reuse=None):
    """Inception-C block (8x8): split 1x3/3x1 towers, 1536 channels."""
    with scopes.arg_scope(_OPS, **_SAME):
        with naming.variable_scope(scope, "BlockInceptionC", reuse=reuse):
            with iu.branch("Branch_0"):
                b0 = conv2d(inputs, 256, [1, 1], scope="Conv2d_0a_1x1")
            with iu.branch("Branch_1"):
                b1 = conv2d(inputs, 384, [1, 1], scope="Conv2d_0a_1x1")
                b1 = iu.concat([
                    conv2d(b1, 256, [1, 3], scope="Conv2d_0b_1x3"),
                    conv2d(b1, 256, [3, 1], scope="Conv2d_0c_3x1"),
                ])
            with iu.branch("Branch_2"):
                b2 = conv2d(inputs, 384, [1, 1], scope="Conv2d_0a_1x1")
                b2 = conv2d(b2, 448, [3, 1], scope="Conv2d_0b_3x1")
                b2 = conv2d(b2, 512, [1, 3], scope="Conv2d_0c_1x3")
                b2 = iu.concat([
                    conv2d(b2, 256, [1, 3], scope="Conv2d_0d_1x3"),
                    conv2d(b2, 256, [3, 1], scope="Conv2d_0e_3x1"),
                ])
            with iu.branch("Branch_3"):
                b3 = avg_pool2d(inputs, [3, 3], scope="AvgPool_0a_3x3")
                b3 = conv2d(b3, 256, [1, 1], scope="Conv2d_0b_1x1")
            return iu.concat([b0, b1, b2, b3])


def _stem(name, net):
    if name == "Conv2d_1a_3x3":  # 299 x 299 x 3
        return conv2d(net, 32, [3, 3], stride=2, padding="VALID", scope=name)
    if name == "Conv2d_2a_3x3":  # 149 x 149 x 32
        return conv2d(net, 32, [3, 3], padding="VALID", scope=name)
    if name == "Conv2d_2b_3x3":  # 147 x 147 x 32
        return conv2d(net, 64, [3, 3], scope=name)
    if name == "Mixed_3a":  # 147 x 147 x 64
        with naming.variable_scope(name):
            with iu.branch("Branch_0"):
                b0 = max_pool2d(net, [3, 3], stride=2, padding="VALID",
                                scope="MaxPool_0a_3x3")
            with iu.branch("Branch_1"):
                b1 = conv2d(net, 96, [3, 3], stride=2, padding="VALID",
                            scope="Conv2d_0a_3x3")
            return iu.concat([b0, b1])
    if name == "Mixed_4a":  # 73 x 73 x 160
        with naming.variable_scope(name):
            with iu.branch("Branch_0"):
                b0 = conv2d(net, 64, [1, 1], scope="Conv2d_0a_1x1")
                b0 = conv2d(b0, 96, [3, 3], padding="VALID",
                            scope="Conv2d_1a_3x3")
            with iu.branch("Branch_1"):
                b1 = conv2d(net, 64, [1, 1], scope="Conv2d_0a_1x1")
                b1 = conv2d(b1, 64, [1, 7], scope="Conv2d_0b_1x7")
                b1 = conv2d(b1, 64, [7, 1], scope="Conv2d_0c_7x1")
                b1 = conv2d(b1, 96, [3, 3], padding="VALID",
                            scope="Conv2d_1a_3x3")
            return iu.concat([b0, b1])
    # Mixed_5a: 71 x 71 x 192 -> 35 x 35 x 384
    with naming.variable_scope(name):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, 192, [3, 3], stride=2, padding="VALID",
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_1"):
            b1 = max_pool2d(net, [3, 3], stride=2, padding="VALID",
                            scope="MaxPool_1a_3x3")
        return iu.concat([b0, b1])


def _block_fn(name):
    if name == "Mixed_6a":
        return block_reduction_a
    if name == "Mixed_7a":
        return block_reduction_b
    return {"5": block_inception_a, "6": block_inception_b,
            "7": block_inception_c}[name[6]]


def _body(inputs, final_endpoint):
    end_points: dict[str, Any] = {}
    net = inputs
    with scopes.arg_scope([conv2d, max_pool2d, avg_pool2d], **_SAME):
        for name in END_POINTS:
            if END_POINTS.index(name) < 6:
                net = _stem(name, net)
            else:
                net = _block_fn(name)(net, name)
            end_points[name] = net
            if name == final_endpoint:
                return net, end_points
    raise iu.unknown_endpoint("inception_v4", final_endpoint, END_POINTS)


def inception_v4_base(inputs, final_endpoint: str = "Mixed_7d", scope=None):
    """Inception V4 from ``inputs`` up to ``final_endpoint``.

    Args:
        inputs: ``[batch, height, width, 3]``.
        final_endpoint: one of ``END_POINTS`` (default ``'Mixed_7d'``).
        scope: variable scope (default ``'InceptionV4'``, made unique).

    Returns:
        ``(net, end_points)``.

    Raises:
        ValueError: unknown ``final_endpoint``.
    """
    iu.check_final_endpoint("inception_v4", final_endpoint, END_POINTS)
    with naming.variable_scope(scope, "InceptionV4"):
        return _body(inputs, final_endpoint)


def _aux_logits(aux, num_classes):
    with naming.variable_scope("AuxLogits"):
        # 17 x 17 x 1024
        aux = avg_pool2d(aux, [5, 5], stride=3, padding="VALID",
                         scope="AvgPool_1a_5x5")
        aux = conv2d(aux, 128, [1, 1], scope="Conv2d_1b_1x1")
        kernel = _known_spatial(aux, "AuxLogits/Conv2d_2a")
        aux = conv2d(aux, 768, kernel, padding="VALID", scope="Conv2d_2a")
        aux = flatten(aux)
        return fully_connected(aux, num_classes, activation_fn=None,
                               scope="Aux_logits")


def _known_spatial(net, what):
    h, w = net.shape[1], net.shape[2]
    if h is None or w is None:
        raise ValueError(
            f"inception_v4: {what} takes the whole feature map as kernel, "
            f"so the input height and width must be known. Received a "
            f"feature map of shape {tuple(net.shape)}; pass "
            "create_aux_logits=False for inputs of unknown size."
        )
    return [int(h), int(w)]


default_cfgs = {
    "inception_v4": registry.net_cfg(
        arg_scope=inception_v4_arg_scope, default_image_size=299,
        num_classes=1001,
        logits_scopes=("InceptionV4/Logits", "InceptionV4/AuxLogits"),
        preprocessing="inception"),
}


@registry.register_net
def inception_v4(
    inputs,
    num_classes: int | None = 1001,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.8,
    reuse: bool | None = None,
    scope: str = "InceptionV4",
    create_aux_logits: bool = True,
):
    """Inception V4 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[batch, height, width, 3]``; with aux logits the input
            must give ``Mixed_6h`` at least 5x5 (about 107 px).
        num_classes: logits size; ``0``/``None`` returns the pooled
            features ``[B, 1, 1, 1536]`` (no aux head).
        is_training: ``None`` follows Keras's ``training`` flag.
        dropout_keep_prob: keep probability of ``Logits/Dropout_1b``.
        reuse: reuse layers already built under ``scope``.
        scope: variable scope (default ``'InceptionV4'``).
        create_aux_logits: build the ``AuxLogits`` head on ``Mixed_6h``.
    """
    with naming.variable_scope(scope, "InceptionV4", reuse=reuse):
        with scopes.arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = _body(inputs, "Mixed_7d")
            with scopes.arg_scope([conv2d, max_pool2d, avg_pool2d], **_SAME):
                if create_aux_logits and num_classes:
                    end_points["AuxLogits"] = _aux_logits(
                        end_points["Mixed_6h"], num_classes)
                with naming.variable_scope("Logits"):
                    # 8 x 8 x 1536
                    h, w = net.shape[1], net.shape[2]
                    if h is not None and w is not None:
                        net = avg_pool2d(net, [int(h), int(w)],
                                         padding="VALID", scope="AvgPool_1a")
                    else:
                        net = iu.global_mean(net)
                    end_points["global_pool"] = net
                    if not num_classes:
                        return net, end_points
                    # 1 x 1 x 1536
                    net = dropout(net, dropout_keep_prob, scope="Dropout_1b")
                    net = flatten(net, scope="PreLogitsFlatten")
                    end_points["PreLogitsFlatten"] = net
                    logits = fully_connected(net, num_classes,
                                             activation_fn=None,
                                             scope="Logits")
                    end_points["Logits"] = logits
                    end_points["Predictions"] = iu.softmax(logits)
    return logits, end_points
