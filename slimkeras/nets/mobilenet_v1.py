"""MobileNet V1.

"MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
Applications", Andrew G. Howard, Menglong Zhu, Bo Chen, Dmitry
Kalenichenko, Weijun Wang, Tobias Weyand, Marco Andreetto, Hartwig Adam,
arXiv:1704.04861.

Slim counterpart: research/slim ``nets/mobilenet_v1.py`` (our own code;
architecture, names and end points are matched). Variables are
``MobilenetV1/Conv2d_0``, ``MobilenetV1/Conv2d_<i>_depthwise``
(``depthwise_weights``), ``MobilenetV1/Conv2d_<i>_pointwise`` (each with
``BatchNorm``) and ``MobilenetV1/Logits/Conv2d_1c_1x1``; end points carry
the same short names plus ``AvgPool_1a`` (or ``global_pool``),
``Logits`` and ``Predictions``. Loads the published ``mobilenet_v1_*``
checkpoints (1001 classes) by name.

Usage::

    import slimkeras as slim
    from slimkeras.nets import mobilenet_v1

    with slim.arg_scope(mobilenet_v1.mobilenet_v1_arg_scope()):
        logits, end_points = mobilenet_v1.mobilenet_v1(images, 1001)

Divergences: ``is_training=None`` (the default, in the net and in the
arg_scope) follows Keras's ``training`` flag; the original defaulted to
True. ``final_endpoint`` is checked before anything is built.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable
from typing import Any

from keras import ops

from slimkeras import initializers, naming, regularizers, scopes
from slimkeras.activations import relu6
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.pooling import avg_pool2d
from slimkeras.layers.separable_conv import separable_conv2d
from slimkeras.nets import registry
from slimkeras.nets._common import predictions, softmax, variant
from slimkeras.nets.mobilenet import conv_blocks

__all__ = [
    "Conv",
    "DepthSepConv",
    "MOBILENETV1_CONV_DEFS",
    "mobilenet_v1_base",
    "mobilenet_v1",
    "mobilenet_v1_075",
    "mobilenet_v1_050",
    "mobilenet_v1_025",
    "mobilenet_v1_arg_scope",
]

# Conv: a full 3x3 convolution. DepthSepConv: 3x3 depthwise then 1x1
# pointwise. ``depth`` is scaled by the depth multiplier.
Conv = collections.namedtuple("Conv", ["kernel", "stride", "depth"])
DepthSepConv = collections.namedtuple(
    "DepthSepConv", ["kernel", "stride", "depth"])

# arXiv:1704.04861, Table 1.
MOBILENETV1_CONV_DEFS = [
    Conv(kernel=[3, 3], stride=2, depth=32),
    DepthSepConv(kernel=[3, 3], stride=1, depth=64),
    DepthSepConv(kernel=[3, 3], stride=2, depth=128),
    DepthSepConv(kernel=[3, 3], stride=1, depth=128),
    DepthSepConv(kernel=[3, 3], stride=2, depth=256),
    DepthSepConv(kernel=[3, 3], stride=1, depth=256),
    DepthSepConv(kernel=[3, 3], stride=2, depth=512),
    DepthSepConv(kernel=[3, 3], stride=1, depth=512),
    DepthSepConv(kernel=[3, 3], stride=1, depth=512),
    DepthSepConv(kernel=[3, 3], stride=1, depth=512),
    DepthSepConv(kernel=[3, 3], stride=1, depth=512),
    DepthSepConv(kernel=[3, 3], stride=1, depth=512),
    DepthSepConv(kernel=[3, 3], stride=2, depth=1024),
    DepthSepConv(kernel=[3, 3], stride=1, depth=1024),
]
_CONV_DEFS = MOBILENETV1_CONV_DEFS  # the original's older name


def mobilenet_v1_arg_scope(
    is_training: bool | None = None,
    weight_decay: float = 0.00004,
    stddev: float = 0.09,
    regularize_depthwise: bool = False,
    batch_norm_decay: float = 0.9997,
    batch_norm_epsilon: float = 0.001,
    batch_norm_updates_collections: Any = "update_ops",
    normalizer_fn: Any = batch_norm,
) -> dict:
    """The MobileNet V1 arg_scope (slim's defaults).

    Args:
        is_training: None (default; the original's is True) leaves batch
            norm to Keras's ``training`` flag; True/False pins it.
        weight_decay: L2 scale on ``conv2d`` weights.
        stddev: truncated-normal initializer stddev.
        regularize_depthwise: also regularize the depthwise weights.
        batch_norm_decay, batch_norm_epsilon: batch norm settings.
        batch_norm_updates_collections: kept for slim compatibility.
        normalizer_fn: normalizer of every conv (None: biases instead).

    Returns:
        A scope dict for ``slim.arg_scope``.
    """
    bn_params = {
        "center": True, "scale": True, "decay": batch_norm_decay,
        "epsilon": batch_norm_epsilon,
        "updates_collections": batch_norm_updates_collections,
    }
    if is_training is not None:
        bn_params["is_training"] = is_training
    init = initializers.truncated_normal_initializer(stddev=stddev)
    reg = regularizers.l2_regularizer(weight_decay)
    with scopes.arg_scope([conv2d, separable_conv2d],
                          weights_initializer=init, activation_fn=relu6,
                          normalizer_fn=normalizer_fn), \
            scopes.arg_scope([batch_norm], **bn_params), \
            scopes.arg_scope([conv2d], weights_regularizer=reg), \
            scopes.arg_scope([separable_conv2d], weights_regularizer=(
                reg if regularize_depthwise else None)) as sc:
        return sc


def _endpoint_names(conv_defs) -> list[str]:
    names = []
    for i, d in enumerate(conv_defs):
        if isinstance(d, DepthSepConv):
            names += [f"Conv2d_{i}_depthwise", f"Conv2d_{i}_pointwise"]
        else:
            names.append(f"Conv2d_{i}")
    return names


def _check_base_args(depth_multiplier, conv_defs, output_stride,
                     final_endpoint):
    if depth_multiplier <= 0:
        raise ValueError(
            "mobilenet_v1: `depth_multiplier` must be greater than zero. "
            f"Received: depth_multiplier={depth_multiplier!r}."
        )
    if output_stride is not None and output_stride not in (8, 16, 32):
        raise ValueError(
            "mobilenet_v1: `output_stride` must be None, 8, 16 or 32. "
            f"Received: output_stride={output_stride!r}."
        )
    for i, d in enumerate(conv_defs):
        if not isinstance(d, (Conv, DepthSepConv)):
            raise ValueError(
                f"mobilenet_v1: conv_defs[{i}] must be a Conv or "
                f"DepthSepConv. Received: {d!r}."
            )
    names = _endpoint_names(conv_defs)
    if final_endpoint not in names:
        raise ValueError(
            f"mobilenet_v1: unknown final_endpoint {final_endpoint!r}. "
            f"Valid: {', '.join(names)}."
        )


def _base(inputs, final_endpoint, min_depth, depth_multiplier, conv_defs,
          output_stride, use_explicit_padding):
    """The body, inside an already opened scope."""
    def depth(d):
        return max(int(d * depth_multiplier), min_depth)

    padding = "VALID" if use_explicit_padding else "SAME"
    end_points: dict[str, Any] = {}
    net = inputs
    current_stride, rate = 1, 1
    with scopes.arg_scope([conv2d, separable_conv2d], padding=padding):
        for i, conv_def in enumerate(conv_defs):
            base = f"Conv2d_{i}"
            if output_stride is not None and current_stride == output_stride:
                layer_stride, layer_rate = 1, rate
                rate *= conv_def.stride
            else:
                layer_stride, layer_rate = conv_def.stride, 1
                current_stride *= conv_def.stride
            if isinstance(conv_def, Conv):
                if use_explicit_padding:
                    net = conv_blocks.fixed_padding(net, conv_def.kernel)
                net = conv2d(net, depth(conv_def.depth), conv_def.kernel,
                             stride=conv_def.stride, scope=base)
                end_points[base] = net
                if base == final_endpoint:
                    return net, end_points
                continue
            if use_explicit_padding:
                net = conv_blocks.fixed_padding(net, conv_def.kernel,
                                                layer_rate)
            name = base + "_depthwise"
            # num_outputs=None: the depthwise stage only.
            net = separable_conv2d(net, None, conv_def.kernel,
                                   depth_multiplier=1, stride=layer_stride,
                                   rate=layer_rate, scope=name)
            end_points[name] = net
            if name == final_endpoint:
                return net, end_points
            name = base + "_pointwise"
            net = conv2d(net, depth(conv_def.depth), [1, 1], stride=1,
                         scope=name)
            end_points[name] = net
            if name == final_endpoint:
                return net, end_points
    return net, end_points


def mobilenet_v1_base(inputs, final_endpoint: str = "Conv2d_13_pointwise",
                      min_depth: int = 8, depth_multiplier: float = 1.0,
                      conv_defs=None, output_stride: int | None = None,
                      use_explicit_padding: bool = False,
                      scope: str | None = None):
    """MobileNet V1 from ``inputs`` to ``final_endpoint``.

    Args:
        inputs: ``[B, H, W, C]``.
        final_endpoint: last end point built (``Conv2d_0``,
            ``Conv2d_<i>_depthwise`` / ``_pointwise``).
        min_depth: lower bound on every layer's depth (active when
            ``depth_multiplier < 1``).
        depth_multiplier: depths become ``max(int(d * m), min_depth)``.
        conv_defs: list of :data:`Conv` / :data:`DepthSepConv`.
        output_stride: 8, 16 or 32: later strides become atrous rates.
        use_explicit_padding: zero-pad explicitly and use VALID convs.
        scope: variable scope (default unique ``MobilenetV1``).

    Returns:
        ``(net, end_points)``.
    """
    conv_defs = MOBILENETV1_CONV_DEFS if conv_defs is None else conv_defs
    _check_base_args(depth_multiplier, conv_defs, output_stride,
                     final_endpoint)
    with naming.variable_scope(scope, default_name="MobilenetV1"):
        return _base(inputs, final_endpoint, min_depth, depth_multiplier,
                     conv_defs, output_stride, use_explicit_padding)


def _reduced_kernel_size_for_small_input(net, kernel_size):
    h, w = net.shape[1], net.shape[2]
    if h is None or w is None:
        return list(kernel_size)
    return [min(h, kernel_size[0]), min(w, kernel_size[1])]


def _training(is_training):
    if is_training is None:
        return contextlib.nullcontext()
    return scopes.arg_scope([batch_norm, dropout], is_training=is_training)


default_cfgs = {
    name: registry.net_cfg(
        arg_scope=mobilenet_v1_arg_scope, default_image_size=224,
        num_classes=1001, logits_scopes=("MobilenetV1/Logits",),
        preprocessing="inception")
    for name in ("mobilenet_v1", "mobilenet_v1_075", "mobilenet_v1_050",
                 "mobilenet_v1_025")
}


@registry.register_net
def mobilenet_v1(inputs, num_classes: int | None = 1000,
                 dropout_keep_prob: float = 0.999,
                 is_training: bool | None = None, min_depth: int = 8,
                 depth_multiplier: float = 1.0, conv_defs=None,
                 prediction_fn: Callable | None = softmax,
                 spatial_squeeze: bool = True, reuse=None,
                 scope: str = "MobilenetV1", global_pool: bool = False):
    """MobileNet V1 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[B, H, W, 3]`` images.
        num_classes: logits size (1001 for the published checkpoints);
            0/None returns the pooled features (before dropout).
        dropout_keep_prob: keep probability before the logits.
        is_training: None follows the enclosing scope or Keras's
            ``training``; True/False pins batch norm and dropout.
        min_depth, depth_multiplier, conv_defs: see
            :func:`mobilenet_v1_base`.
        prediction_fn: applied to the logits (end point ``Predictions``).
        spatial_squeeze: ``[B, C]`` logits; False keeps ``[B, 1, 1, C]``.
        reuse: reuse the layers built under ``scope``.
        scope: variable scope.
        global_pool: average over all positions; otherwise a 7x7 VALID
            average pool (smaller when the feature map is smaller).
    """
    if len(inputs.shape) != 4:
        raise ValueError(
            "mobilenet_v1: expected rank 4 inputs [B, H, W, C]. Received "
            f"shape {tuple(inputs.shape)}."
        )
    conv_defs = MOBILENETV1_CONV_DEFS if conv_defs is None else conv_defs
    final = _endpoint_names(conv_defs)[-1] if conv_defs else None
    _check_base_args(depth_multiplier, conv_defs, None, final)
    with naming.variable_scope(scope, default_name="MobilenetV1",
                               reuse=reuse), _training(is_training):
        net, end_points = _base(inputs, final, min_depth, depth_multiplier,
                                conv_defs, None, False)
        with naming.variable_scope("Logits"):
            if global_pool:
                net = ops.mean(net, axis=[1, 2], keepdims=True)
                end_points["global_pool"] = net
            else:
                kernel = _reduced_kernel_size_for_small_input(net, [7, 7])
                net = avg_pool2d(net, kernel, padding="VALID",
                                 scope="AvgPool_1a")
                end_points["AvgPool_1a"] = net
            if not num_classes:
                return net, end_points
            # 1 x 1 x 1024
            net = dropout(net, keep_prob=dropout_keep_prob,
                          scope="Dropout_1b")
            logits = conv2d(net, num_classes, [1, 1], activation_fn=None,
                            normalizer_fn=None, scope="Conv2d_1c_1x1")
            if spatial_squeeze:
                logits = ops.squeeze(logits, [1, 2])
        end_points["Logits"] = logits
        if prediction_fn:
            end_points["Predictions"] = predictions(
                prediction_fn, logits)
    return logits, end_points


@registry.register_net
@variant(mobilenet_v1, depth_multiplier=0.75)
def mobilenet_v1_075(inputs, *args, **kwargs):
    return mobilenet_v1(inputs, *args, **{"depth_multiplier": 0.75, **kwargs})


@registry.register_net
@variant(mobilenet_v1, depth_multiplier=0.50)
def mobilenet_v1_050(inputs, *args, **kwargs):
    return mobilenet_v1(inputs, *args, **{"depth_multiplier": 0.50, **kwargs})


@registry.register_net
@variant(mobilenet_v1, depth_multiplier=0.25)
def mobilenet_v1_025(inputs, *args, **kwargs):
    return mobilenet_v1(inputs, *args, **{"depth_multiplier": 0.25, **kwargs})
