"""Inception V2 (BN-Inception).

Reference: Ioffe & Szegedy, "Batch Normalization: Accelerating Deep
Network Training by Reducing Internal Covariate Shift", arXiv:1502.03167.

Slim counterpart: ``tf_slim.nets.inception_v2`` (names, end points and
defaults are matched; the code is our own). Usage, as in slim::

    with slim.arg_scope(inception_v2_arg_scope()):
        logits, end_points = inception_v2(images, num_classes=1001)

Checkpoint: ``inception_v2_2016_08_28`` (1001 classes) loads by name.

Slim compatibility: ``Conv2d_1a_7x7`` is a separable convolution with
depth multiplier ``min(depth(64) // 3, 8)`` (8 at full depth), biases, no
batch norm, followed by relu (only ``conv2d`` is in the arg_scope). The
final pool kernel shrinks for small inputs and is named after it
(``Logits/AvgPool_1a_{k}x{k}``). Beyond tf_slim, ``global_pool=True``
and ``num_classes=0/None`` follow research/slim's ``inception_v2``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slimkeras import naming, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.pooling import avg_pool2d, max_pool2d
from slimkeras.layers.separable_conv import separable_conv2d
from slimkeras.nets import inception_utils as iu
from slimkeras.nets import registry

__all__ = ["inception_v2", "inception_v2_base", "inception_v2_arg_scope"]

END_POINTS = (
    "Conv2d_1a_7x7", "MaxPool_2a_3x3", "Conv2d_2b_1x1", "Conv2d_2c_3x3",
    "MaxPool_3a_3x3", "Mixed_3b", "Mixed_3c", "Mixed_4a", "Mixed_4b",
    "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_5a", "Mixed_5b", "Mixed_5c",
)

# Inception blocks: (branch_0 1x1, branch_1 1x1 -> 3x3, branch_2
# 1x1 -> 3x3 -> 3x3, branch_3 pool -> 1x1, pool type of branch_3).
_MIXED = {
    "Mixed_3b": (64, 64, 64, 64, 96, 32, "avg"),
    "Mixed_3c": (64, 64, 96, 64, 96, 64, "avg"),
    "Mixed_4b": (224, 64, 96, 96, 128, 128, "avg"),
    "Mixed_4c": (192, 96, 128, 96, 128, 128, "avg"),
    "Mixed_4d": (160, 128, 160, 128, 160, 96, "avg"),
    "Mixed_4e": (96, 128, 192, 160, 192, 96, "avg"),
    "Mixed_5b": (352, 192, 320, 160, 224, 128, "avg"),
    "Mixed_5c": (352, 192, 320, 192, 224, 128, "max"),
}
# Reduction blocks: (branch_0 1x1 -> 3x3/2, branch_1 1x1 -> 3x3 -> 3x3/2).
_REDUCTION = {
    "Mixed_4a": (128, 160, 64, 96),
    "Mixed_5a": (128, 192, 192, 256),
}


def inception_v2_arg_scope(
    weight_decay: float = 0.00004,
    batch_norm_var_collection: str = "moving_vars",
):
    """tf_slim's InceptionV2 arg_scope (see ``inception_arg_scope``).

    ``batch_norm_var_collection`` is graph bookkeeping and is ignored.
    """
    del batch_norm_var_collection
    return iu.inception_arg_scope(weight_decay=weight_decay)


def _mixed(net, name: str, depth):
    d0, d1a, d1b, d2a, d2b, d3, pool = _MIXED[name]
    t09, t1 = iu.trunc_normal(0.09), iu.trunc_normal(0.1)
    with naming.variable_scope(name):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, depth(d0), [1, 1], scope="Conv2d_0a_1x1")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, depth(d1a), [1, 1], weights_initializer=t09,
                        scope="Conv2d_0a_1x1")
            b1 = conv2d(b1, depth(d1b), [3, 3], scope="Conv2d_0b_3x3")
        with iu.branch("Branch_2"):
            b2 = conv2d(net, depth(d2a), [1, 1], weights_initializer=t09,
                        scope="Conv2d_0a_1x1")
            b2 = conv2d(b2, depth(d2b), [3, 3], scope="Conv2d_0b_3x3")
            b2 = conv2d(b2, depth(d2b), [3, 3], scope="Conv2d_0c_3x3")
        with iu.branch("Branch_3"):
            if pool == "avg":
                b3 = avg_pool2d(net, [3, 3], scope="AvgPool_0a_3x3")
            else:
                b3 = max_pool2d(net, [3, 3], scope="MaxPool_0a_3x3")
            b3 = conv2d(b3, depth(d3), [1, 1], weights_initializer=t1,
                        scope="Conv2d_0b_1x1")
        return iu.concat([b0, b1, b2, b3])


def _reduction(net, name: str, depth):
    d0a, d0b, d1a, d1b = _REDUCTION[name]
    t09 = iu.trunc_normal(0.09)
    with naming.variable_scope(name):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, depth(d0a), [1, 1], weights_initializer=t09,
                        scope="Conv2d_0a_1x1")
            b0 = conv2d(b0, depth(d0b), [3, 3], stride=2,
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, depth(d1a), [1, 1], weights_initializer=t09,
                        scope="Conv2d_0a_1x1")
            b1 = conv2d(b1, depth(d1b), [3, 3], scope="Conv2d_0b_3x3")
            b1 = conv2d(b1, depth(d1b), [3, 3], stride=2,
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_2"):
            b2 = max_pool2d(net, [3, 3], stride=2, scope="MaxPool_1a_3x3")
        return iu.concat([b0, b1, b2])


def _stem(name: str, net, depth):
    if name == "Conv2d_1a_7x7":
        # 'depthwise_multiplier' in slim: 8 at full depth.
        multiplier = min(int(depth(64) / 3), 8)
        return separable_conv2d(
            net, depth(64), [7, 7], depth_multiplier=multiplier, stride=2,
            weights_initializer=iu.trunc_normal(1.0), scope=name,
        )
    if name in ("MaxPool_2a_3x3", "MaxPool_3a_3x3"):
        return max_pool2d(net, [3, 3], stride=2, scope=name)
    if name == "Conv2d_2b_1x1":
        return conv2d(net, depth(64), [1, 1],
                      weights_initializer=iu.trunc_normal(0.1), scope=name)
    return conv2d(net, depth(192), [3, 3], scope=name)  # Conv2d_2c_3x3


def _body(inputs, final_endpoint, min_depth, depth_multiplier):
    depth = iu.depth_fn(depth_multiplier, min_depth)
    end_points: dict[str, Any] = {}
    net = inputs
    with scopes.arg_scope(
        [conv2d, max_pool2d, avg_pool2d, separable_conv2d],
        stride=1, padding="SAME",
    ):
        for name in END_POINTS:
            if name in _MIXED:
                net = _mixed(net, name, depth)
            elif name in _REDUCTION:
                net = _reduction(net, name, depth)
            else:
                net = _stem(name, net, depth)
            end_points[name] = net
            if name == final_endpoint:
                return net, end_points
    raise iu.unknown_endpoint("inception_v2", final_endpoint, END_POINTS)


def inception_v2_base(
    inputs,
    final_endpoint: str = "Mixed_5c",
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    scope: str | None = None,
):
    """Inception V2 from ``inputs`` up to ``final_endpoint``.

    Args:
        inputs: ``[batch, height, width, channels]``.
        final_endpoint: one of ``END_POINTS`` (default ``'Mixed_5c'``).
        min_depth: minimum channels of every conv when
            ``depth_multiplier < 1``.
        depth_multiplier: multiplies every conv's channels (> 0).
        scope: variable scope (default ``'InceptionV2'``, made unique).

    Returns:
        ``(net, end_points)``.

    Raises:
        ValueError: unknown ``final_endpoint`` or ``depth_multiplier <= 0``.
    """
    iu.check_depth_multiplier(depth_multiplier, "inception_v2")
    iu.check_final_endpoint("inception_v2", final_endpoint, END_POINTS)
    with naming.variable_scope(scope, "InceptionV2"):
        return _body(inputs, final_endpoint, min_depth, depth_multiplier)


default_cfgs = {
    "inception_v2": registry.net_cfg(
        arg_scope=inception_v2_arg_scope, default_image_size=224,
        num_classes=1001, logits_scopes=("InceptionV2/Logits",),
        preprocessing="inception"),
}


@registry.register_net
def inception_v2(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.8,
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    prediction_fn: Callable = iu.softmax,
    spatial_squeeze: bool = True,
    reuse: bool | None = None,
    scope: str = "InceptionV2",
    global_pool: bool = False,
):
    """Inception V2 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[batch, height, width, channels]``.
        num_classes: logits size; ``0``/``None`` returns the pooled
            features (research/slim semantics).
        is_training: ``None`` follows Keras's ``training`` flag.
        dropout_keep_prob: keep probability of ``Logits/Dropout_1b``.
        min_depth, depth_multiplier: see ``inception_v2_base``.
        prediction_fn: makes ``end_points['Predictions']``.
        spatial_squeeze: logits ``[B, C]`` instead of ``[B, 1, 1, C]``.
        reuse: reuse layers already built under ``scope``.
        scope: variable scope (default ``'InceptionV2'``).
        global_pool: mean over H, W instead of the 7x7 (or smaller) pool
            (research/slim's argument; end point ``global_pool``).

    Raises:
        ValueError: ``depth_multiplier <= 0``.
    """
    iu.check_depth_multiplier(depth_multiplier, "inception_v2")
    with naming.variable_scope(scope, "InceptionV2", reuse=reuse):
        with scopes.arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = _body(inputs, "Mixed_5c", min_depth,
                                    depth_multiplier)
            with naming.variable_scope("Logits"):
                if global_pool:
                    net = iu.global_mean(net)
                    end_points["global_pool"] = net
                else:
                    k = iu.reduced_kernel_size_for_small_input(net, [7, 7])
                    net = avg_pool2d(net, k, padding="VALID",
                                     scope="AvgPool_1a_{}x{}".format(*k))
                if not num_classes:
                    return net, end_points
                net = dropout(net, keep_prob=dropout_keep_prob,
                              scope="Dropout_1b")
                logits = conv2d(
                    net, num_classes, [1, 1], activation_fn=None,
                    normalizer_fn=None, scope="Conv2d_1c_1x1",
                )
                if spatial_squeeze:
                    logits = iu.spatial_squeeze(logits, "inception_v2")
            end_points["Logits"] = logits
            end_points["Predictions"] = iu.predictions(prediction_fn, logits)
    return logits, end_points
