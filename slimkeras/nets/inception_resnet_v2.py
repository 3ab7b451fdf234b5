"""Inception-ResNet-V2.

Reference: Szegedy, Ioffe, Vanhoucke & Alemi, "Inception-v4,
Inception-ResNet and the Impact of Residual Connections on Learning",
arXiv:1602.07261.

Slim counterpart: research/slim ``nets/inception_resnet_v2.py`` (names,
end points and defaults are matched; the code is our own). Usage::

    with slim.arg_scope(inception_resnet_v2_arg_scope()):
        logits, end_points = inception_resnet_v2(images, num_classes=1001)

Checkpoint: ``inception_resnet_v2_2016_08_30`` (1001 classes) loads by
name.

Slim compatibility: the residual blocks are built with ``slim.repeat``
(``Repeat/block35_1`` … ``Repeat_2/block8_9``) and a last unscaled
``Block8`` without activation. Each residual adds ``scale * up`` (0.17,
0.10, 0.20), clipped to [-6, 6] when ``activation_fn`` is relu6. The
``up`` projections have biases and no batch norm. ``AuxLogits`` pools
with scope ``Conv2d_1a_3x3`` (sic: a 5x5/3 average pool) and its
``Conv2d_2a_5x5`` takes the whole map as kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras import ops

from slimkeras import activations, naming, regularizers, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.flatten import flatten
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.layers.pooling import avg_pool2d, max_pool2d
from slimkeras.layers.repeat import repeat
from slimkeras.nets import inception_utils as iu
from slimkeras.nets import registry

__all__ = [
    "inception_resnet_v2",
    "inception_resnet_v2_base",
    "inception_resnet_v2_arg_scope",
    "block35",
    "block17",
    "block8",
]

END_POINTS = (
    "Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "MaxPool_3a_3x3",
    "Conv2d_3b_1x1", "Conv2d_4a_3x3", "MaxPool_5a_3x3", "Mixed_5b",
    "Mixed_6a", "PreAuxLogits", "Mixed_7a", "Conv2d_7b_1x1",
)


def inception_resnet_v2_arg_scope(
    weight_decay: float = 0.00004,
    batch_norm_decay: float = 0.9997,
    batch_norm_epsilon: float = 0.001,
    activation_fn: Callable | None = activations.relu,
    batch_norm_updates_collections: Any = "update_ops",
    batch_norm_scale: bool = False,
):
    """The InceptionResnetV2 arg_scope.

    Unlike ``inception_arg_scope``: biases are L2-regularized too and the
    convolutions keep slim's default (Xavier) initializer.
    """
    reg = regularizers.l2_regularizer(weight_decay)
    with scopes.arg_scope([conv2d, fully_connected], weights_regularizer=reg,
                          biases_regularizer=reg):
        params = {
            "decay": batch_norm_decay,
            "epsilon": batch_norm_epsilon,
            "updates_collections": batch_norm_updates_collections,
            "fused": None,
            "scale": batch_norm_scale,
        }
        with scopes.arg_scope([conv2d], activation_fn=activation_fn,
                              normalizer_fn=batch_norm,
                              normalizer_params=params) as sc:
            return sc


def _is_relu6(fn) -> bool:
    return fn is not None and getattr(fn, "__name__", "") == "relu6"


def _residual(net, mixed, scale, activation_fn):
    up = conv2d(mixed, int(net.shape[3]), 1, normalizer_fn=None,
                activation_fn=None, scope="Conv2d_1x1")
    scaled_up = ops.multiply(up, scale)
    if _is_relu6(activation_fn):
        # slim's band-pass: clip the residual as relu6 clips activations.
        scaled_up = ops.clip(scaled_up, -6.0, 6.0)
    net = ops.add(net, scaled_up)
    if activation_fn:
        net = activation_fn(net)
    return net


def block35(net, scale=1.0, activation_fn=activations.relu, scope=None,
            reuse=None):
    """35x35 residual block (Inception-ResNet-A)."""
    with naming.variable_scope(scope, "Block35", reuse=reuse):
        with iu.branch("Branch_0"):
            t0 = conv2d(net, 32, 1, scope="Conv2d_1x1")
        with iu.branch("Branch_1"):
            t1 = conv2d(net, 32, 1, scope="Conv2d_0a_1x1")
            t1 = conv2d(t1, 32, 3, scope="Conv2d_0b_3x3")
        with iu.branch("Branch_2"):
            t2 = conv2d(net, 32, 1, scope="Conv2d_0a_1x1")
            t2 = conv2d(t2, 48, 3, scope="Conv2d_0b_3x3")
            t2 = conv2d(t2, 64, 3, scope="Conv2d_0c_3x3")
        mixed = iu.concat([t0, t1, t2])
        return _residual(net, mixed, scale, activation_fn)


def block17(net, scale=1.0, activation_fn=activations.relu, scope=None,
            reuse=None):
    """17x17 residual block (Inception-ResNet-B)."""
    with naming.variable_scope(scope, "Block17", reuse=reuse):
        with iu.branch("Branch_0"):
            t0 = conv2d(net, 192, 1, scope="Conv2d_1x1")
        with iu.branch("Branch_1"):
            t1 = conv2d(net, 128, 1, scope="Conv2d_0a_1x1")
            t1 = conv2d(t1, 160, [1, 7], scope="Conv2d_0b_1x7")
            t1 = conv2d(t1, 192, [7, 1], scope="Conv2d_0c_7x1")
        mixed = iu.concat([t0, t1])
        return _residual(net, mixed, scale, activation_fn)


def block8(net, scale=1.0, activation_fn=activations.relu, scope=None,
           reuse=None):
    """8x8 residual block (Inception-ResNet-C)."""
    with naming.variable_scope(scope, "Block8", reuse=reuse):
        with iu.branch("Branch_0"):
            t0 = conv2d(net, 192, 1, scope="Conv2d_1x1")
        with iu.branch("Branch_1"):
            t1 = conv2d(net, 192, 1, scope="Conv2d_0a_1x1")
            t1 = conv2d(t1, 224, [1, 3], scope="Conv2d_0b_1x3")
            t1 = conv2d(t1, 256, [3, 1], scope="Conv2d_0c_3x1")
        mixed = iu.concat([t0, t1])
        return _residual(net, mixed, scale, activation_fn)


def _mixed_5b(net):
    with naming.variable_scope("Mixed_5b"):
        with iu.branch("Branch_0"):
            t0 = conv2d(net, 96, 1, scope="Conv2d_1x1")
        with iu.branch("Branch_1"):
            t1 = conv2d(net, 48, 1, scope="Conv2d_0a_1x1")
            t1 = conv2d(t1, 64, 5, scope="Conv2d_0b_5x5")
        with iu.branch("Branch_2"):
            t2 = conv2d(net, 64, 1, scope="Conv2d_0a_1x1")
            t2 = conv2d(t2, 96, 3, scope="Conv2d_0b_3x3")
            t2 = conv2d(t2, 96, 3, scope="Conv2d_0c_3x3")
        with iu.branch("Branch_3"):
            t3 = avg_pool2d(net, 3, stride=1, padding="SAME",
                            scope="AvgPool_0a_3x3")
            t3 = conv2d(t3, 64, 1, scope="Conv2d_0b_1x1")
        return iu.concat([t0, t1, t2, t3])


def _mixed_6a(net, padding, stride):
    with naming.variable_scope("Mixed_6a"):
        with iu.branch("Branch_0"):
            t0 = conv2d(net, 384, 3, stride=stride, padding=padding,
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_1"):
            t1 = conv2d(net, 256, 1, scope="Conv2d_0a_1x1")
            t1 = conv2d(t1, 256, 3, scope="Conv2d_0b_3x3")
            t1 = conv2d(t1, 384, 3, stride=stride, padding=padding,
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_2"):
            t2 = max_pool2d(net, 3, stride=stride, padding=padding,
                            scope="MaxPool_1a_3x3")
        return iu.concat([t0, t1, t2])


def _mixed_7a(net, padding):
    with naming.variable_scope("Mixed_7a"):
        with iu.branch("Branch_0"):
            t0 = conv2d(net, 256, 1, scope="Conv2d_0a_1x1")
            t0 = conv2d(t0, 384, 3, stride=2, padding=padding,
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_1"):
            t1 = conv2d(net, 256, 1, scope="Conv2d_0a_1x1")
            t1 = conv2d(t1, 288, 3, stride=2, padding=padding,
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_2"):
            t2 = conv2d(net, 256, 1, scope="Conv2d_0a_1x1")
            t2 = conv2d(t2, 288, 3, scope="Conv2d_0b_3x3")
            t2 = conv2d(t2, 320, 3, stride=2, padding=padding,
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_3"):
            t3 = max_pool2d(net, 3, stride=2, padding=padding,
                            scope="MaxPool_1a_3x3")
        return iu.concat([t0, t1, t2, t3])


def _body(inputs, final_endpoint, output_stride, align_feature_maps,
          activation_fn):
    padding = "SAME" if align_feature_maps else "VALID"
    use_atrous = output_stride == 8
    end_points: dict[str, Any] = {}

    def add(name, value):
        end_points[name] = value
        return name == final_endpoint

    with scopes.arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1,
                          padding="SAME"):
        net = conv2d(inputs, 32, 3, stride=2, padding=padding,
                     scope="Conv2d_1a_3x3")  # 149 x 149 x 32
        if add("Conv2d_1a_3x3", net):
            return net, end_points
        net = conv2d(net, 32, 3, padding=padding, scope="Conv2d_2a_3x3")
        if add("Conv2d_2a_3x3", net):  # 147 x 147 x 32
            return net, end_points
        net = conv2d(net, 64, 3, scope="Conv2d_2b_3x3")
        if add("Conv2d_2b_3x3", net):  # 147 x 147 x 64
            return net, end_points
        net = max_pool2d(net, 3, stride=2, padding=padding,
                         scope="MaxPool_3a_3x3")
        if add("MaxPool_3a_3x3", net):  # 73 x 73 x 64
            return net, end_points
        net = conv2d(net, 80, 1, padding=padding, scope="Conv2d_3b_1x1")
        if add("Conv2d_3b_1x1", net):  # 73 x 73 x 80
            return net, end_points
        net = conv2d(net, 192, 3, padding=padding, scope="Conv2d_4a_3x3")
        if add("Conv2d_4a_3x3", net):  # 71 x 71 x 192
            return net, end_points
        net = max_pool2d(net, 3, stride=2, padding=padding,
                         scope="MaxPool_5a_3x3")
        if add("MaxPool_5a_3x3", net):  # 35 x 35 x 192
            return net, end_points
        net = _mixed_5b(net)
        if add("Mixed_5b", net):  # 35 x 35 x 320
            return net, end_points
        net = repeat(net, 10, block35, scale=0.17,
                     activation_fn=activation_fn)
        # 17 x 17 x 1088 (33 x 33 with output_stride 8)
        net = _mixed_6a(net, padding, 1 if use_atrous else 2)
        if add("Mixed_6a", net):
            return net, end_points
        with scopes.arg_scope([conv2d], rate=2 if use_atrous else 1):
            net = repeat(net, 20, block17, scale=0.10,
                         activation_fn=activation_fn)
        if add("PreAuxLogits", net):
            return net, end_points
        if output_stride == 8:
            raise ValueError(
                "inception_resnet_v2: output_stride=8 is only supported up "
                "to the 'PreAuxLogits' end point. Received: "
                f"final_endpoint={final_endpoint!r}."
            )
        net = _mixed_7a(net, padding)
        if add("Mixed_7a", net):  # 8 x 8 x 2080
            return net, end_points
        net = repeat(net, 9, block8, scale=0.20, activation_fn=activation_fn)
        net = block8(net, activation_fn=None)
        net = conv2d(net, 1536, 1, scope="Conv2d_7b_1x1")
        if add("Conv2d_7b_1x1", net):  # 8 x 8 x 1536
            return net, end_points
    raise iu.unknown_endpoint("inception_resnet_v2", final_endpoint,
                              END_POINTS)


def inception_resnet_v2_base(
    inputs,
    final_endpoint: str = "Conv2d_7b_1x1",
    output_stride: int = 16,
    align_feature_maps: bool = False,
    scope: str | None = None,
    activation_fn: Callable | None = activations.relu,
):
    """Inception-ResNet-V2 from ``inputs`` up to ``final_endpoint``.

    Args:
        inputs: ``[batch, height, width, channels]``.
        final_endpoint: one of ``END_POINTS`` (default
            ``'Conv2d_7b_1x1'``).
        output_stride: 16, or 8 (atrous ``block17``; only up to
            ``'PreAuxLogits'``).
        align_feature_maps: SAME instead of VALID padding everywhere, so
            feature maps are aligned with the input.
        scope: variable scope (default ``'InceptionResnetV2'``).
        activation_fn: activation after each residual addition.

    Returns:
        ``(net, end_points)``.

    Raises:
        ValueError: unknown ``final_endpoint``, ``output_stride`` not 8 or
            16, or ``output_stride=8`` past ``'PreAuxLogits'``.
    """
    _check_args(final_endpoint, output_stride)
    with naming.variable_scope(scope, "InceptionResnetV2"):
        return _body(inputs, final_endpoint, output_stride,
                     align_feature_maps, activation_fn)


def _check_args(final_endpoint, output_stride):
    if output_stride not in (8, 16):
        raise ValueError(
            "inception_resnet_v2: output_stride must be 8 or 16. "
            f"Received: output_stride={output_stride!r}."
        )
    iu.check_final_endpoint("inception_resnet_v2", final_endpoint,
                            END_POINTS)


def _aux_logits(aux, num_classes):
    with naming.variable_scope("AuxLogits"):
        aux = avg_pool2d(aux, 5, stride=3, padding="VALID",
                         scope="Conv2d_1a_3x3")  # sic
        aux = conv2d(aux, 128, 1, scope="Conv2d_1b_1x1")
        h, w = aux.shape[1], aux.shape[2]
        if h is None or w is None:
            raise ValueError(
                "inception_resnet_v2: AuxLogits/Conv2d_2a_5x5 takes the "
                "whole feature map as kernel, so the input height and "
                f"width must be known. Received a feature map of shape "
                f"{tuple(aux.shape)}; pass create_aux_logits=False."
            )
        aux = conv2d(aux, 768, [int(h), int(w)], padding="VALID",
                     scope="Conv2d_2a_5x5")
        aux = flatten(aux)
        return fully_connected(aux, num_classes, activation_fn=None,
                               scope="Logits")


default_cfgs = {
    "inception_resnet_v2": registry.net_cfg(
        arg_scope=inception_resnet_v2_arg_scope, default_image_size=299,
        num_classes=1001,
        logits_scopes=("InceptionResnetV2/Logits",
                       "InceptionResnetV2/AuxLogits"),
        preprocessing="inception"),
}


@registry.register_net
def inception_resnet_v2(
    inputs,
    num_classes: int | None = 1001,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.8,
    reuse: bool | None = None,
    scope: str = "InceptionResnetV2",
    create_aux_logits: bool = True,
    activation_fn: Callable | None = activations.relu,
):
    """Inception-ResNet-V2 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[batch, height, width, 3]``; with aux logits the input
            must give ``PreAuxLogits`` at least 5x5 (about 107 px).
        num_classes: logits size; ``0``/``None`` returns the pooled
            features ``[B, 1, 1, 1536]`` (no aux head).
        is_training: ``None`` follows Keras's ``training`` flag.
        dropout_keep_prob: keep probability of ``Logits/Dropout``.
        reuse: reuse layers already built under ``scope``.
        scope: variable scope (default ``'InceptionResnetV2'``).
        create_aux_logits: build the ``AuxLogits`` head on
            ``PreAuxLogits``.
        activation_fn: activation after each residual addition.
    """
    with naming.variable_scope(scope, "InceptionResnetV2", reuse=reuse):
        with scopes.arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = _body(inputs, "Conv2d_7b_1x1", 16, False,
                                    activation_fn)
            if create_aux_logits and num_classes:
                end_points["AuxLogits"] = _aux_logits(
                    end_points["PreAuxLogits"], num_classes)
            with naming.variable_scope("Logits"):
                h, w = net.shape[1], net.shape[2]
                if h is not None and w is not None:
                    net = avg_pool2d(net, [int(h), int(w)], padding="VALID",
                                     scope="AvgPool_1a_8x8")
                else:
                    net = iu.global_mean(net)
                end_points["global_pool"] = net
                if not num_classes:
                    return net, end_points
                net = flatten(net)
                net = dropout(net, dropout_keep_prob,
                              is_training=is_training, scope="Dropout")
                end_points["PreLogitsFlatten"] = net
                logits = fully_connected(net, num_classes, activation_fn=None,
                                         scope="Logits")
                end_points["Logits"] = logits
                end_points["Predictions"] = iu.softmax(logits)
    return logits, end_points
