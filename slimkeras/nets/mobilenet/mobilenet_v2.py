"""MobileNet V2.

"MobileNetV2: Inverted Residuals and Linear Bottlenecks", Mark Sandler,
Andrew Howard, Menglong Zhu, Andrey Zhmoginov, Liang-Chieh Chen,
arXiv:1801.04381.

Slim counterpart: research/slim ``nets/mobilenet/mobilenet_v2.py`` (our own
code; architecture, names and end points are matched). Variables are
``MobilenetV2/Conv``, ``MobilenetV2/expanded_conv[_<n>]/{expand,depthwise,
project}``, ``MobilenetV2/Conv_1`` and ``MobilenetV2/Logits/Conv2d_1c_1x1``;
end points ``layer_1`` … ``layer_19``, ``layer_<i>/expansion_output`` …,
``global_pool``, ``Logits``, ``Predictions``. Loads the published
``mobilenet_v2_*`` checkpoints (1001 classes) by name.

Usage::

    import slimkeras as slim
    from slimkeras.nets.mobilenet import mobilenet_v2

    with slim.arg_scope(mobilenet_v2.training_scope()):
        logits, end_points = mobilenet_v2.mobilenet(images)

Divergences: ``is_training=None`` (default, also in ``training_scope``)
follows Keras's ``training`` flag; the original built inference nets by
default and training nets in ``training_scope()``.
"""

from __future__ import annotations

import copy

from slimkeras import scopes
from slimkeras.activations import relu6
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.layers.separable_conv import separable_conv2d
from slimkeras.nets import registry
from slimkeras.nets._common import variant
from slimkeras.nets.mobilenet import conv_blocks as ops
from slimkeras.nets.mobilenet import mobilenet as lib

__all__ = [
    "V2_DEF",
    "mobilenet",
    "mobilenet_v2",
    "mobilenet_base",
    "mobilenet_v2_140",
    "mobilenet_v2_050",
    "mobilenet_v2_035",
    "training_scope",
]

op = lib.op
expand_input = ops.expand_input_by_factor

# Architecture of arXiv:1801.04381, Table 2. The batch-norm center/scale
# defaults live here (they change the variables), not in training_scope.
V2_DEF = dict(
    defaults={
        (batch_norm,): {"center": True, "scale": True},
        (conv2d, fully_connected, separable_conv2d): {
            "normalizer_fn": batch_norm, "activation_fn": relu6,
        },
        (ops.expanded_conv,): {
            "expansion_size": expand_input(6),
            "split_expansion": 1,
            "normalizer_fn": batch_norm,
            "residual": True,
        },
        (conv2d, separable_conv2d): {"padding": "SAME"},
    },
    spec=[
        op(conv2d, stride=2, num_outputs=32, kernel_size=[3, 3]),
        op(ops.expanded_conv, expansion_size=expand_input(1, divisible_by=1),
           num_outputs=16),
        op(ops.expanded_conv, stride=2, num_outputs=24),
        op(ops.expanded_conv, stride=1, num_outputs=24),
        op(ops.expanded_conv, stride=2, num_outputs=32),
        op(ops.expanded_conv, stride=1, num_outputs=32),
        op(ops.expanded_conv, stride=1, num_outputs=32),
        op(ops.expanded_conv, stride=2, num_outputs=64),
        op(ops.expanded_conv, stride=1, num_outputs=64),
        op(ops.expanded_conv, stride=1, num_outputs=64),
        op(ops.expanded_conv, stride=1, num_outputs=64),
        op(ops.expanded_conv, stride=1, num_outputs=96),
        op(ops.expanded_conv, stride=1, num_outputs=96),
        op(ops.expanded_conv, stride=1, num_outputs=96),
        op(ops.expanded_conv, stride=2, num_outputs=160),
        op(ops.expanded_conv, stride=1, num_outputs=160),
        op(ops.expanded_conv, stride=1, num_outputs=160),
        op(ops.expanded_conv, stride=1, num_outputs=320),
        op(conv2d, stride=1, kernel_size=[1, 1], num_outputs=1280),
    ],
)


def _with_last_outputs(conv_defs: dict, num_outputs) -> dict:
    conv_defs = dict(conv_defs)
    spec = list(conv_defs["spec"])
    last = spec[-1]
    spec[-1] = last._replace(params=dict(last.params,
                                         num_outputs=num_outputs))
    conv_defs["spec"] = spec
    return conv_defs


def training_scope(**kwargs) -> dict:
    """MobileNet V2's arg_scope; see :func:`mobilenet.training_scope`
    (``is_training``, ``weight_decay``, ``stddev``, ``dropout_keep_prob``,
    ``bn_decay``)."""
    return lib.training_scope(**kwargs)


default_cfgs = {
    name: registry.net_cfg(
        arg_scope=training_scope, default_image_size=224, num_classes=1001,
        logits_scopes=("MobilenetV2/Logits",), preprocessing="inception")
    for name in ("mobilenet_v2", "mobilenet_v2_140", "mobilenet_v2_050",
                 "mobilenet_v2_035")
}


@registry.register_net(name="mobilenet_v2")
@scopes.add_arg_scope
def mobilenet(inputs, num_classes: int | None = 1001,
              depth_multiplier: float = 1.0, scope: str = "MobilenetV2",
              conv_defs: dict | None = None,
              finegrain_classification_mode: bool = False,
              min_depth: int | None = None, divisible_by: int | None = None,
              activation_fn=None, is_training: bool | None = None,
              **kwargs):
    """MobileNet V2 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[B, H, W, 3]`` images (any size; the head pools
            globally).
        num_classes: logits size (1001 for the published checkpoints);
            0/None returns the pooled ``[B, 1, 1, C]`` features.
        depth_multiplier: channel multiplier; each layer's depth becomes
            ``make_divisible(d * depth_multiplier, divisible_by,
            min_depth)`` (multiples of 8 by default, never more than 10%
            below the exact value).
        scope: variable scope.
        conv_defs: architecture (default :data:`V2_DEF`).
        finegrain_classification_mode: keep the last conv at 1280
            channels when ``depth_multiplier < 1``.
        min_depth, divisible_by: depth rounding (default 8 and 8).
        activation_fn: replaces relu6 in every conv.
        is_training: None follows the enclosing scope or Keras's
            ``training``; True/False pins batch norm and dropout.
        **kwargs: ``prediction_fn``, ``reuse``, ``base_only``,
            ``final_endpoint``, ``output_stride``, ``use_explicit_padding``.
    """
    if conv_defs is None:
        conv_defs = V2_DEF
    if "multiplier" in kwargs:
        raise ValueError(
            "mobilenet_v2: use `depth_multiplier`, not `multiplier`. "
            f"Received: multiplier={kwargs['multiplier']!r}."
        )
    if finegrain_classification_mode and depth_multiplier < 1:
        last = conv_defs["spec"][-1].params["num_outputs"]
        conv_defs = _with_last_outputs(conv_defs, last / depth_multiplier)
    if activation_fn:
        conv_defs = copy.copy(conv_defs)
        defaults = dict(conv_defs["defaults"])
        key = (conv2d, fully_connected, separable_conv2d)
        defaults[key] = dict(defaults[key], activation_fn=activation_fn)
        conv_defs["defaults"] = defaults
    depth_args = {}
    if min_depth is not None:
        depth_args["min_depth"] = min_depth
    if divisible_by is not None:
        depth_args["divisible_by"] = divisible_by
    if is_training is not None:
        kwargs["is_training"] = is_training
    with scopes.arg_scope([lib.depth_multiplier], **depth_args):
        return lib.mobilenet(inputs, num_classes=num_classes,
                             conv_defs=conv_defs, scope=scope,
                             multiplier=depth_multiplier, **kwargs)


mobilenet_v2 = mobilenet


# As the original: the thinner variants keep a 1280-channel last layer.
@registry.register_net
@variant(mobilenet, depth_multiplier=1.4)
def mobilenet_v2_140(inputs, *args, **kwargs):
    return mobilenet(inputs, *args, **{"depth_multiplier": 1.4, **kwargs})


@registry.register_net
@variant(mobilenet, depth_multiplier=0.50,
         finegrain_classification_mode=True)
def mobilenet_v2_050(inputs, *args, **kwargs):
    return mobilenet(inputs, *args, **{
        "depth_multiplier": 0.50, "finegrain_classification_mode": True,
        **kwargs})


@registry.register_net
@variant(mobilenet, depth_multiplier=0.35,
         finegrain_classification_mode=True)
def mobilenet_v2_035(inputs, *args, **kwargs):
    return mobilenet(inputs, *args, **{
        "depth_multiplier": 0.35, "finegrain_classification_mode": True,
        **kwargs})


@scopes.add_arg_scope
def mobilenet_base(inputs, depth_multiplier: float = 1.0, **kwargs):
    """The V2 body without pooling and logits: ``(net, end_points)``."""
    return mobilenet(inputs, depth_multiplier=depth_multiplier,
                     base_only=True, **kwargs)
