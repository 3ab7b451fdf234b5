"""Inception V3.

Reference: Szegedy et al., "Rethinking the Inception Architecture for
Computer Vision", arXiv:1512.00567.

Slim counterpart: ``tf_slim.nets.inception_v3`` (names, end points and
defaults are matched; the code is our own). Usage, as in slim::

    with slim.arg_scope(inception_v3_arg_scope()):
        logits, end_points = inception_v3(images, num_classes=1001)

Checkpoint: ``inception_v3_2016_08_28`` (1001 classes) loads by name.

Slim compatibility: kernels shrink for small inputs and the layers are
named after them: at 299 px the aux conv is ``AuxLogits/Conv2d_2a_5x5``
and the final pool ``Logits/AvgPool_1a_8x8``; at 160 px they are
``Conv2d_2a_2x2`` (weights ``[2, 2, 128, 768]``) and ``AvgPool_1a_3x3``.
Name quirks kept verbatim: ``Mixed_5c/Branch_1/Conv2d_0b_1x1`` and
``Conv_1_0c_5x5``, ``Mixed_6a/.../Conv2d_1a_1x1`` (a 3x3 conv),
``Mixed_7b/Branch_1/Conv2d_0b_3x1``. Beyond tf_slim, ``global_pool=True``
and ``num_classes=0/None`` follow research/slim's ``inception_v3``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slimkeras import activations, naming, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.pooling import avg_pool2d, max_pool2d
from slimkeras.nets import inception_utils as iu
from slimkeras.nets import registry

__all__ = ["inception_v3", "inception_v3_base", "inception_v3_arg_scope"]

END_POINTS = (
    "Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "MaxPool_3a_3x3",
    "Conv2d_3b_1x1", "Conv2d_4a_3x3", "MaxPool_5a_3x3", "Mixed_5b",
    "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
    "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c",
)

# Stem (VALID unless noted): (end point, kind, depth, kernel, stride, pad).
_STEM = (
    ("Conv2d_1a_3x3", "conv", 32, 3, 2, "VALID"),
    ("Conv2d_2a_3x3", "conv", 32, 3, 1, "VALID"),
    ("Conv2d_2b_3x3", "conv", 64, 3, 1, "SAME"),
    ("MaxPool_3a_3x3", "max", None, 3, 2, "VALID"),
    ("Conv2d_3b_1x1", "conv", 80, 1, 1, "VALID"),
    ("Conv2d_4a_3x3", "conv", 192, 3, 1, "VALID"),
    ("MaxPool_5a_3x3", "max", None, 3, 2, "VALID"),
)
# 35x35 blocks: depth of branch_3's 1x1 conv; Mixed_5c's odd names.
_BLOCK_35 = {"Mixed_5b": 32, "Mixed_5c": 64, "Mixed_5d": 64}
# 17x17 blocks: depth of the 7x7 factorised towers.
_BLOCK_17 = {"Mixed_6b": 128, "Mixed_6c": 160, "Mixed_6d": 160,
             "Mixed_6e": 192}


def inception_v3_arg_scope(
    weight_decay: float = 0.00004,
    batch_norm_var_collection: str = "moving_vars",
    batch_norm_decay: float = 0.9997,
    batch_norm_epsilon: float = 0.001,
    updates_collections: Any = "update_ops",
    use_fused_batchnorm: bool = True,
):
    """tf_slim's InceptionV3 arg_scope (see ``inception_arg_scope``).

    ``batch_norm_var_collection`` is graph bookkeeping and is ignored;
    ``use_fused_batchnorm=False`` selects plain moments (biased variance
    in the moving average), as slim's non-fused path.
    """
    del batch_norm_var_collection
    return iu.build_arg_scope(
        weight_decay, True, batch_norm_decay, batch_norm_epsilon,
        activations.relu, updates_collections, False,
        fused=None if use_fused_batchnorm else False,
    )


def _block_35(net, name, depth):
    # sic: Mixed_5c names its branch-1 convs 'Conv2d_0b_1x1' and
    # 'Conv_1_0c_5x5' (released checkpoints use these names).
    odd = name == "Mixed_5c"
    with naming.variable_scope(name):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, depth(64), [1, 1], scope="Conv2d_0a_1x1")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, depth(48), [1, 1],
                        scope="Conv2d_0b_1x1" if odd else "Conv2d_0a_1x1")
            b1 = conv2d(b1, depth(64), [5, 5],
                        scope="Conv_1_0c_5x5" if odd else "Conv2d_0b_5x5")
        with iu.branch("Branch_2"):
            b2 = conv2d(net, depth(64), [1, 1], scope="Conv2d_0a_1x1")
            b2 = conv2d(b2, depth(96), [3, 3], scope="Conv2d_0b_3x3")
            b2 = conv2d(b2, depth(96), [3, 3], scope="Conv2d_0c_3x3")
        with iu.branch("Branch_3"):
            b3 = avg_pool2d(net, [3, 3], scope="AvgPool_0a_3x3")
            b3 = conv2d(b3, depth(_BLOCK_35[name]), [1, 1],
                        scope="Conv2d_0b_1x1")
        return iu.concat([b0, b1, b2, b3])


def _mixed_6a(net, depth):
    with naming.variable_scope("Mixed_6a"):
        with iu.branch("Branch_0"):
            # sic: a 3x3 conv named 'Conv2d_1a_1x1'.
            b0 = conv2d(net, depth(384), [3, 3], stride=2, padding="VALID",
                        scope="Conv2d_1a_1x1")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, depth(64), [1, 1], scope="Conv2d_0a_1x1")
            b1 = conv2d(b1, depth(96), [3, 3], scope="Conv2d_0b_3x3")
            b1 = conv2d(b1, depth(96), [3, 3], stride=2, padding="VALID",
                        scope="Conv2d_1a_1x1")
        with iu.branch("Branch_2"):
            b2 = max_pool2d(net, [3, 3], stride=2, padding="VALID",
                            scope="MaxPool_1a_3x3")
        return iu.concat([b0, b1, b2])


def _block_17(net, name, depth):
    c = _BLOCK_17[name]
    with naming.variable_scope(name):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, depth(192), [1, 1], scope="Conv2d_0a_1x1")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, depth(c), [1, 1], scope="Conv2d_0a_1x1")
            b1 = conv2d(b1, depth(c), [1, 7], scope="Conv2d_0b_1x7")
            b1 = conv2d(b1, depth(192), [7, 1], scope="Conv2d_0c_7x1")
        with iu.branch("Branch_2"):
            b2 = conv2d(net, depth(c), [1, 1], scope="Conv2d_0a_1x1")
            b2 = conv2d(b2, depth(c), [7, 1], scope="Conv2d_0b_7x1")
            b2 = conv2d(b2, depth(c), [1, 7], scope="Conv2d_0c_1x7")
            b2 = conv2d(b2, depth(c), [7, 1], scope="Conv2d_0d_7x1")
            b2 = conv2d(b2, depth(192), [1, 7], scope="Conv2d_0e_1x7")
        with iu.branch("Branch_3"):
            b3 = avg_pool2d(net, [3, 3], scope="AvgPool_0a_3x3")
            b3 = conv2d(b3, depth(192), [1, 1], scope="Conv2d_0b_1x1")
        return iu.concat([b0, b1, b2, b3])


def _mixed_7a(net, depth):
    with naming.variable_scope("Mixed_7a"):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, depth(192), [1, 1], scope="Conv2d_0a_1x1")
            b0 = conv2d(b0, depth(320), [3, 3], stride=2, padding="VALID",
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, depth(192), [1, 1], scope="Conv2d_0a_1x1")
            b1 = conv2d(b1, depth(192), [1, 7], scope="Conv2d_0b_1x7")
            b1 = conv2d(b1, depth(192), [7, 1], scope="Conv2d_0c_7x1")
            b1 = conv2d(b1, depth(192), [3, 3], stride=2, padding="VALID",
                        scope="Conv2d_1a_3x3")
        with iu.branch("Branch_2"):
            b2 = max_pool2d(net, [3, 3], stride=2, padding="VALID",
                            scope="MaxPool_1a_3x3")
        return iu.concat([b0, b1, b2])


def _block_8(net, name, depth):
    # sic: Mixed_7b names its branch-1 3x1 conv 'Conv2d_0b_3x1'.
    b1_3x1 = "Conv2d_0b_3x1" if name == "Mixed_7b" else "Conv2d_0c_3x1"
    with naming.variable_scope(name):
        with iu.branch("Branch_0"):
            b0 = conv2d(net, depth(320), [1, 1], scope="Conv2d_0a_1x1")
        with iu.branch("Branch_1"):
            b1 = conv2d(net, depth(384), [1, 1], scope="Conv2d_0a_1x1")
            b1 = iu.concat([
                conv2d(b1, depth(384), [1, 3], scope="Conv2d_0b_1x3"),
                conv2d(b1, depth(384), [3, 1], scope=b1_3x1),
            ])
        with iu.branch("Branch_2"):
            b2 = conv2d(net, depth(448), [1, 1], scope="Conv2d_0a_1x1")
            b2 = conv2d(b2, depth(384), [3, 3], scope="Conv2d_0b_3x3")
            b2 = iu.concat([
                conv2d(b2, depth(384), [1, 3], scope="Conv2d_0c_1x3"),
                conv2d(b2, depth(384), [3, 1], scope="Conv2d_0d_3x1"),
            ])
        with iu.branch("Branch_3"):
            b3 = avg_pool2d(net, [3, 3], scope="AvgPool_0a_3x3")
            b3 = conv2d(b3, depth(192), [1, 1], scope="Conv2d_0b_1x1")
        return iu.concat([b0, b1, b2, b3])


def _body(inputs, final_endpoint, min_depth, depth_multiplier):
    depth = iu.depth_fn(depth_multiplier, min_depth)
    end_points: dict[str, Any] = {}
    net = inputs
    pools_and_convs = [conv2d, max_pool2d, avg_pool2d]
    with scopes.arg_scope(pools_and_convs, stride=1, padding="VALID"):
        for name, kind, d, k, stride, pad in _STEM:
            if kind == "conv":
                net = conv2d(net, depth(d), [k, k], stride=stride,
                             padding=pad, scope=name)
            else:
                net = max_pool2d(net, [k, k], stride=stride, scope=name)
            end_points[name] = net
            if name == final_endpoint:
                return net, end_points
    with scopes.arg_scope(pools_and_convs, stride=1, padding="SAME"):
        for name in END_POINTS[len(_STEM):]:
            if name in _BLOCK_35:
                net = _block_35(net, name, depth)
            elif name == "Mixed_6a":
                net = _mixed_6a(net, depth)
            elif name in _BLOCK_17:
                net = _block_17(net, name, depth)
            elif name == "Mixed_7a":
                net = _mixed_7a(net, depth)
            else:
                net = _block_8(net, name, depth)
            end_points[name] = net
            if name == final_endpoint:
                return net, end_points
    raise iu.unknown_endpoint("inception_v3", final_endpoint, END_POINTS)


def inception_v3_base(
    inputs,
    final_endpoint: str = "Mixed_7c",
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    scope: str | None = None,
):
    """Inception V3 from ``inputs`` up to ``final_endpoint``.

    Args:
        inputs: ``[batch, height, width, channels]``.
        final_endpoint: one of ``END_POINTS`` (default ``'Mixed_7c'``).
        min_depth: minimum channels of every conv when
            ``depth_multiplier < 1``.
        depth_multiplier: multiplies every conv's channels (> 0).
        scope: variable scope (default ``'InceptionV3'``, made unique).

    Returns:
        ``(net, end_points)``.

    Raises:
        ValueError: unknown ``final_endpoint`` or ``depth_multiplier <= 0``.
    """
    iu.check_depth_multiplier(depth_multiplier, "inception_v3")
    iu.check_final_endpoint("inception_v3", final_endpoint, END_POINTS)
    with naming.variable_scope(scope, "InceptionV3"):
        return _body(inputs, final_endpoint, min_depth, depth_multiplier)


def _aux_logits(aux, num_classes, depth, spatial_squeeze):
    with scopes.arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1,
                          padding="SAME"):
        with naming.variable_scope("AuxLogits"):
            aux = avg_pool2d(aux, [5, 5], stride=3, padding="VALID",
                             scope="AvgPool_1a_5x5")
            aux = conv2d(aux, depth(128), [1, 1], scope="Conv2d_1b_1x1")
            k = iu.reduced_kernel_size_for_small_input(aux, [5, 5])
            aux = conv2d(aux, depth(768), k,
                         weights_initializer=iu.trunc_normal(0.01),
                         padding="VALID", scope="Conv2d_2a_{}x{}".format(*k))
            aux = conv2d(aux, num_classes, [1, 1], activation_fn=None,
                         normalizer_fn=None,
                         weights_initializer=iu.trunc_normal(0.001),
                         scope="Conv2d_2b_1x1")
            if spatial_squeeze:
                aux = iu.spatial_squeeze(aux, "inception_v3 (AuxLogits)")
    return aux


default_cfgs = {
    "inception_v3": registry.net_cfg(
        arg_scope=inception_v3_arg_scope, default_image_size=299,
        num_classes=1001,
        logits_scopes=("InceptionV3/Logits", "InceptionV3/AuxLogits"),
        preprocessing="inception"),
}


@registry.register_net
def inception_v3(
    inputs,
    num_classes: int | None = 1000,
    is_training: bool | None = None,
    dropout_keep_prob: float = 0.8,
    min_depth: int = 16,
    depth_multiplier: float = 1.0,
    prediction_fn: Callable = iu.softmax,
    spatial_squeeze: bool = True,
    reuse: bool | None = None,
    create_aux_logits: bool = True,
    scope: str = "InceptionV3",
    global_pool: bool = False,
):
    """Inception V3 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[batch, height, width, channels]``; with aux logits the
            input must give ``Mixed_6e`` at least 5x5 (about 139 px).
        num_classes: logits size; ``0``/``None`` returns the pooled
            features ``[B, 1, 1, 2048]`` (research/slim semantics; no aux
            head).
        is_training: ``None`` follows Keras's ``training`` flag.
        dropout_keep_prob: keep probability of ``Logits/Dropout_1b``.
        min_depth, depth_multiplier: see ``inception_v3_base``.
        prediction_fn: makes ``end_points['Predictions']``.
        spatial_squeeze: logits ``[B, C]`` instead of ``[B, 1, 1, C]``.
        reuse: reuse layers already built under ``scope``.
        create_aux_logits: build the ``AuxLogits`` head on ``Mixed_6e``.
        scope: variable scope (default ``'InceptionV3'``).
        global_pool: mean over H, W instead of the 8x8 (or smaller) pool
            (research/slim's argument; end point ``global_pool``).

    Raises:
        ValueError: ``depth_multiplier <= 0``.
    """
    iu.check_depth_multiplier(depth_multiplier, "inception_v3")
    depth = iu.depth_fn(depth_multiplier, min_depth)
    with naming.variable_scope(scope, "InceptionV3", reuse=reuse):
        with scopes.arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = _body(inputs, "Mixed_7c", min_depth,
                                    depth_multiplier)
            if create_aux_logits and num_classes:
                end_points["AuxLogits"] = _aux_logits(
                    end_points["Mixed_6e"], num_classes, depth,
                    spatial_squeeze)
            with naming.variable_scope("Logits"):
                if global_pool:
                    net = iu.global_mean(net)
                    end_points["global_pool"] = net
                else:
                    k = iu.reduced_kernel_size_for_small_input(net, [8, 8])
                    net = avg_pool2d(net, k, padding="VALID",
                                     scope="AvgPool_1a_{}x{}".format(*k))
                if not num_classes:
                    return net, end_points
                net = dropout(net, keep_prob=dropout_keep_prob,
                              scope="Dropout_1b")
                end_points["PreLogits"] = net
                logits = conv2d(
                    net, num_classes, [1, 1], activation_fn=None,
                    normalizer_fn=None, scope="Conv2d_1c_1x1",
                )
                if spatial_squeeze:
                    logits = iu.spatial_squeeze(logits, "inception_v3")
            end_points["Logits"] = logits
            end_points["Predictions"] = iu.predictions(prediction_fn, logits)
    return logits, end_points
