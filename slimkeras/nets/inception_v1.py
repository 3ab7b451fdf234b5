"""Inception V1 (GoogLeNet) with batch norm.

Reference: Szegedy et al., "Going deeper with convolutions",
arXiv:1409.4842.

Slim counterpart: ``tf_slim.nets.inception_v1`` (names, end points and
defaults are matched; the code is our own). Usage, as in slim::

    with slim.arg_scope(inception_v1_arg_scope()):
        logits, end_points = inception_v1(images, num_classes=1001)

Checkpoint: ``inception_v1_2016_08_28`` (1001 classes) loads by name.

Slim compatibility: tf_slim's final pool is a fixed 7x7 VALID average
pool named ``Logits/MaxPool_0a_7x7`` (sic: matches released checkpoint
graphs), so the classifier needs inputs of at least ~193 px and gives
2x2 logits at 256 px (use ``spatial_squeeze=False``). Beyond tf_slim,
``global_pool=True`` and ``num_classes=0/None`` follow research/slim's
``inception_v1`` (mean over H, W as end point ``global_pool``; features
returned before dropout).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slimkeras import naming, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.layers.pooling import avg_pool2d, max_pool2d
from slimkeras.nets import inception_utils as iu
from slimkeras.nets import registry

__all__ = ["inception_v1", "inception_v1_base", "inception_v1_arg_scope"]

# Mixed block depths: branch_0 1x1; branch_1 1x1 -> 3x3; branch_2
# 1x1 -> 3x3; branch_3 max pool -> 1x1.
_MIXED = {
    "Mixed_3b": (64, 96, 128, 16, 32, 32),
    "Mixed_3c": (128, 128, 192, 32, 96, 64),
    "Mixed_4b": (192, 96, 208, 16, 48, 64),
    "Mixed_4c": (160, 112, 224, 24, 64, 64),
    "Mixed_4d": (128, 128, 256, 24, 64, 64),
    "Mixed_4e": (112, 144, 288, 32, 64, 64),
    "Mixed_4f": (256, 160, 320, 32, 128, 128),
    "Mixed_5b": (256, 160, 320, 32, 128, 128),
    "Mixed_5c": (384, 192, 384, 48, 128, 128),
}

# The base, in order: (end point, kind, args).
_LAYERS = (
    ("Conv2d_1a_7x7", "conv", (64, 7, 2)),
    ("MaxPool_2a_3x3", "max", (3, 2)),
    ("Conv2d_2b_1x1", "conv", (64, 1, 1)),
    ("Conv2d_2c_3x3", "conv", (192, 3, 1)),
    ("MaxPool_3a_3x3", "max", (3, 2)),
    ("Mixed_3b", "mixed", None),
    ("Mixed_3c", "mixed", None),
    ("MaxPool_4a_3x3", "max", (3, 2)),
    ("Mixed_4b", "mixed", None),
    ("Mixed_4c", "mixed", None),
    ("Mixed_4d", "mixed", None),
    ("Mixed_4e", "mixed", None),
    ("Mixed_4f", "mixed", None),
    ("MaxPool_5a_2x2", "max", (2, 2)),
    ("Mixed_5b", "mixed", None),
    ("Mixed_5c", "mixed", None),
)

END_POINTS = tuple(name for name, _, _ in _LAYERS)


def inception_v1_arg_scope(
    weight_decay: float = 0.00004,
    use_batch_norm: bool = True,
    batch_norm_var_collection: str = "moving_vars",
):
    """tf_slim's InceptionV1 arg_scope (see ``inception_arg_scope``).

    ``batch_norm_var_collection`` is graph bookkeeping and is ignored.
    """
    del batch_norm_var_collection
    return iu.inception_arg_scope(
        weight_decay=weight_decay, use_batch_norm=use_batch_norm
    )


def _mixed(net, name: str):
    d0, d1a, d1b, d2a, d2b, d3 = _MIXED[name]
    # sic: Mixed_5b's second branch-2 conv is 'Conv2d_0a_3x3' in slim.
    b2_scope = "Conv2d_0a_3x3" if name == "Mixed_5b" else "Conv2d_0b_3x3"
    with naming.variable_scope(name):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, d0, [1, 1], scope="Conv2d_0a_1x1")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, d1a, [1, 1], scope="Conv2d_0a_1x1")
            b1 = conv2d(b1, d1b, [3, 3], scope="Conv2d_0b_3x3")
        with iu.branch("Branch_2"):
            b2 = conv2d(net, d2a, [1, 1], scope="Conv2d_0a_1x1")
            b2 = conv2d(b2, d2b, [3, 3], scope=b2_scope)
        with iu.branch("Branch_3"):
            b3 = max_pool2d(net, [3, 3], scope="MaxPool_0a_3x3")
            b3 = conv2d(b3, d3, [1, 1], scope="Conv2d_0b_1x1")
        return iu.concat([b0, b1, b2, b3])


def _body(inputs, final_endpoint: str):
    end_points: dict[str, Any] = {}
    net = inputs
    with scopes.arg_scope(
        [conv2d, fully_connected], weights_initializer=iu.trunc_normal(0.01)
    ):
        with scopes.arg_scope([conv2d, max_pool2d], stride=1, padding="SAME"):
            for name, kind, args in _LAYERS:
                if kind == "conv":
                    depth, k, stride = args
                    net = conv2d(net, depth, [k, k], stride=stride,
                                 scope=name)
                elif kind == "max":
                    k, stride = args
                    net = max_pool2d(net, [k, k], stride=stride, scope=name)
                else:
                    net = _mixed(net, name)
                end_points[name] = net
                if name == final_endpoint:
                    return net, end_points
    raise iu.unknown_endpoint("inception_v1", final_endpoint, END_POINTS)


def inception_v1_base(
    inputs, final_endpoint: str = "Mixed_5c", scope: str = "InceptionV1"
):
    """Inception V1 from ``inputs`` up to ``final_endpoint``.

    Args:
        inputs: ``[batch, height, width, channels]``.
        final_endpoint: one of ``END_POINTS`` (default ``'Mixed_5c'``).
        scope: variable scope (default ``'InceptionV1'``).

    Returns:
        ``(net, end_points)``: the final end point's tensor and an ordered
        dict of every end point built.

    Raises:
        ValueError: unknown ``final_endpoint``.
    """
    iu.check_final_endpoint("inception_v1", final_endpoint, END_POINTS)
    with naming.variable_scope(scope, "InceptionV1"):
        return _body(inputs, final_endpoint)


default_cfgs = {
    "inception_v1": registry.net_cfg(
        arg_scope=inception_v1_arg_scope, default_image_size=224,
        num_classes=1001, logits_scopes=("InceptionV1/Logits",),
        preprocessing="inception"),
}


@registry.register_net
def inception_v1(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.8,
    prediction_fn: Callable = iu.softmax,
    spatial_squeeze: bool = True,
    reuse: bool | None = None,
    scope: str = "InceptionV1",
    global_pool: bool = False,
):
    """Inception V1 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[batch, height, width, channels]``; at least ~193 px
            unless ``global_pool`` (slim's 7x7 VALID pool).
        num_classes: logits size; ``0``/``None`` returns the pooled
            features ``[B, 1, 1, 1024]`` (research/slim semantics).
        is_training: ``None`` follows Keras's ``training`` flag.
        dropout_keep_prob: keep probability of ``Logits/Dropout_0b``.
        prediction_fn: makes ``end_points['Predictions']``.
        spatial_squeeze: logits ``[B, C]`` instead of ``[B, 1, 1, C]``.
        reuse: reuse layers already built under ``scope``.
        scope: variable scope (default ``'InceptionV1'``).
        global_pool: mean over H, W instead of the 7x7 pool
            (research/slim's argument; end point ``global_pool``).
    """
    with naming.variable_scope(scope, "InceptionV1", reuse=reuse):
        with scopes.arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = _body(inputs, "Mixed_5c")
            with naming.variable_scope("Logits"):
                if global_pool:
                    net = iu.global_mean(net)
                    end_points["global_pool"] = net
                else:
                    net = avg_pool2d(net, [7, 7], stride=1,
                                     scope="MaxPool_0a_7x7")  # sic
                if not num_classes:
                    return net, end_points
                net = dropout(net, dropout_keep_prob, scope="Dropout_0b")
                logits = conv2d(
                    net, num_classes, [1, 1], activation_fn=None,
                    normalizer_fn=None, scope="Conv2d_0c_1x1",
                )
                if spatial_squeeze:
                    logits = iu.spatial_squeeze(logits, "inception_v1")
                end_points["Logits"] = logits
                end_points["Predictions"] = iu.predictions(
                    prediction_fn, logits)
    return logits, end_points
