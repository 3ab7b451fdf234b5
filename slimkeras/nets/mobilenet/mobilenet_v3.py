"""MobileNet V3 (and MobileNet EdgeTPU) on the generic MobileNet builder.

"Searching for MobileNetV3", Andrew Howard, Mark Sandler, Grace Chu,
Liang-Chieh Chen, Bo Chen, Mingxing Tan, Weijun Wang, Yukun Zhu, Ruoming
Pang, Vijay Vasudevan, Quoc V. Le, Hartwig Adam, arXiv:1905.02244.

Slim counterpart: research/slim ``nets/mobilenet/mobilenet_v3.py`` (our
own code; architecture, names, end points and defaults are matched).
Variables: ``MobilenetV3/Conv``, ``MobilenetV3/expanded_conv[_<n>]/{expand,
depthwise,squeeze_excite/Conv,squeeze_excite/Conv_1,project}``,
``MobilenetV3/Conv_1``, ``MobilenetV3/Conv_2`` (biases, no batch norm) and
``MobilenetV3/Logits/Conv2d_1c_1x1``. The pooling op ``AvgPool2D`` (a
VALID average pool over the whole final map) is a spec layer and an end
point ``layer_<n>``. EdgeTPU nets use scope ``MobilenetEdgeTPU``.

Usage::

    import slimkeras as slim
    from slimkeras.nets.mobilenet import mobilenet_v3

    with slim.arg_scope(mobilenet_v3.training_scope(is_training=False)):
        logits, end_points = mobilenet_v3.large(images)

Divergence: ``is_training=None`` (default, also in ``training_scope``)
follows Keras's ``training`` flag (see :mod:`..mobilenet`).
"""

from __future__ import annotations

import copy
import functools

from slimkeras import scopes
from slimkeras.activations import relu
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.layers.group_norm import group_norm
from slimkeras.layers.hard_activations import hard_sigmoid_gate, hard_swish
from slimkeras.layers.pooling import avg_pool2d
from slimkeras.layers.separable_conv import separable_conv2d
from slimkeras.nets import registry
from slimkeras.nets._common import variant
from slimkeras.nets.mobilenet import conv_blocks as ops
from slimkeras.nets.mobilenet import mobilenet as lib

__all__ = [
    "training_scope",
    "mobilenet",
    "mobilenet_base",
    "hard_swish",
    "squeeze_excite",
    "reduce_to_1x1",
    "mbv3_op",
    "mbv3_fused",
    "V3_LARGE",
    "V3_SMALL",
    "V3_LARGE_MINIMALISTIC",
    "V3_SMALL_MINIMALISTIC",
    "V3_EDGETPU",
    "V3_LARGE_DETECTION",
    "V3_SMALL_DETECTION",
    "large",
    "small",
    "large_minimalistic",
    "small_minimalistic",
    "edge_tpu",
    "edge_tpu_075",
]

op = lib.op
expand_input = ops.expand_input_by_factor
training_scope = lib.training_scope

# Squeeze-excite as V3 uses it: squeeze 4x, relu inside, hard-sigmoid gate.
squeeze_excite = functools.partial(
    ops.squeeze_excite, squeeze_factor=4, inner_activation_fn=relu,
    gating_fn=hard_sigmoid_gate)


def _se4(expansion_tensor, input_tensor):
    """``expansion_transform`` form of :data:`squeeze_excite`."""
    del input_tensor
    return squeeze_excite(expansion_tensor)


@scopes.add_arg_scope
def reduce_to_1x1(inputs, default_size: int = 7, **kwargs):
    """``avg_pool2d`` whose kernel is the whole (square) map, else
    ``default_size`` (scope ``AvgPool2D``).

    ``use_explicit_padding`` (set by ``mobilenet_base`` on ops without a
    ``kernel_size``) is accepted and ignored: a VALID pool needs no
    padding. The original passed it on to ``avg_pool2d`` and failed.
    """
    kwargs.pop("use_explicit_padding", None)
    h, w = inputs.shape[1:3]
    k = [h, h] if h is not None and w == h else [default_size,
                                                  default_size]
    return avg_pool2d(inputs, kernel_size=k, **kwargs)


def mbv3_op(ef, n, k, s=1, act=relu, se=None, **kwargs):
    """One V3 block: ``expanded_conv`` with expansion factor ``ef``,
    ``n`` outputs, a ``k`` x ``k`` depthwise of stride ``s``, inner
    activation ``act`` and optional ``se`` expansion transform."""
    return op(ops.expanded_conv, expansion_size=expand_input(ef),
              kernel_size=(k, k), stride=s, num_outputs=n,
              inner_activation_fn=act, expansion_transform=se, **kwargs)


def mbv3_fused(ef, n, k, s=1, **kwargs):
    """EdgeTPU block: a ``k`` x ``k`` stride-``s`` expansion conv instead
    of expand 1x1 + depthwise (``depthwise_location=None``)."""
    expansion_fn = functools.partial(conv2d, kernel_size=k, stride=s)
    return mbv3_op(ef, n, k=1, s=s, depthwise_location=None,
                   expansion_fn=expansion_fn, **kwargs)


mbv3_op_se = functools.partial(mbv3_op, se=_se4)

DEFAULTS = {
    (ops.expanded_conv,): {"normalizer_fn": batch_norm, "residual": True},
    (conv2d, fully_connected, separable_conv2d): {
        "normalizer_fn": batch_norm, "activation_fn": relu,
    },
    (batch_norm,): {"center": True, "scale": True},
}

DEFAULTS_GROUP_NORM = {
    (ops.expanded_conv,): {"normalizer_fn": group_norm, "residual": True},
    (conv2d, fully_connected, separable_conv2d): {
        "normalizer_fn": group_norm, "activation_fn": relu,
    },
    (group_norm,): {"groups": 8},
}


def _head(last_conv, pool_then_conv, act):
    """The tail of large/small: 1x1 conv, whole-map pool, 1x1 conv with
    biases and no normalizer."""
    extra = {} if act is None else {"activation_fn": act}
    return [
        op(conv2d, stride=1, kernel_size=[1, 1], num_outputs=last_conv,
           **extra),
        op(reduce_to_1x1, default_size=7, stride=1, padding="VALID"),
        op(conv2d, stride=1, kernel_size=[1, 1], num_outputs=pool_then_conv,
           normalizer_fn=None, **extra),
    ]


hs = hard_swish

V3_LARGE = dict(
    defaults=dict(DEFAULTS),
    spec=[
        op(conv2d, stride=2, num_outputs=16, kernel_size=(3, 3),
           activation_fn=hs),
        mbv3_op(ef=1, n=16, k=3),
        mbv3_op(ef=4, n=24, k=3, s=2),
        mbv3_op(ef=3, n=24, k=3, s=1),
        mbv3_op_se(ef=3, n=40, k=5, s=2),
        mbv3_op_se(ef=3, n=40, k=5, s=1),
        mbv3_op_se(ef=3, n=40, k=5, s=1),
        mbv3_op(ef=6, n=80, k=3, s=2, act=hs),
        mbv3_op(ef=2.5, n=80, k=3, s=1, act=hs),
        mbv3_op(ef=184 / 80., n=80, k=3, s=1, act=hs),
        mbv3_op(ef=184 / 80., n=80, k=3, s=1, act=hs),
        mbv3_op_se(ef=6, n=112, k=3, s=1, act=hs),
        mbv3_op_se(ef=6, n=112, k=3, s=1, act=hs),
        mbv3_op_se(ef=6, n=160, k=5, s=2, act=hs),
        mbv3_op_se(ef=6, n=160, k=5, s=1, act=hs),
        mbv3_op_se(ef=6, n=160, k=5, s=1, act=hs),
    ] + _head(960, 1280, hs),
)

V3_LARGE_MINIMALISTIC = dict(
    defaults=dict(DEFAULTS),
    spec=[
        op(conv2d, stride=2, num_outputs=16, kernel_size=(3, 3)),
        mbv3_op(ef=1, n=16, k=3),
        mbv3_op(ef=4, n=24, k=3, s=2),
        mbv3_op(ef=3, n=24, k=3, s=1),
        mbv3_op(ef=3, n=40, k=3, s=2),
        mbv3_op(ef=3, n=40, k=3, s=1),
        mbv3_op(ef=3, n=40, k=3, s=1),
        mbv3_op(ef=6, n=80, k=3, s=2),
        mbv3_op(ef=2.5, n=80, k=3, s=1),
        mbv3_op(ef=184 / 80., n=80, k=3, s=1),
        mbv3_op(ef=184 / 80., n=80, k=3, s=1),
        mbv3_op(ef=6, n=112, k=3, s=1),
        mbv3_op(ef=6, n=112, k=3, s=1),
        mbv3_op(ef=6, n=160, k=3, s=2),
        mbv3_op(ef=6, n=160, k=3, s=1),
        mbv3_op(ef=6, n=160, k=3, s=1),
    ] + _head(960, 1280, None),
)

V3_SMALL = dict(
    defaults=dict(DEFAULTS),
    spec=[
        op(conv2d, stride=2, num_outputs=16, kernel_size=(3, 3),
           activation_fn=hs),
        mbv3_op_se(ef=1, n=16, k=3, s=2),
        mbv3_op(ef=72. / 16, n=24, k=3, s=2),
        mbv3_op(ef=(88. / 24), n=24, k=3, s=1),
        mbv3_op_se(ef=4, n=40, k=5, s=2, act=hs),
        mbv3_op_se(ef=6, n=40, k=5, s=1, act=hs),
        mbv3_op_se(ef=6, n=40, k=5, s=1, act=hs),
        mbv3_op_se(ef=3, n=48, k=5, s=1, act=hs),
        mbv3_op_se(ef=3, n=48, k=5, s=1, act=hs),
        mbv3_op_se(ef=6, n=96, k=5, s=2, act=hs),
        mbv3_op_se(ef=6, n=96, k=5, s=1, act=hs),
        mbv3_op_se(ef=6, n=96, k=5, s=1, act=hs),
    ] + _head(576, 1024, hs),
)

V3_SMALL_MINIMALISTIC = dict(
    defaults=dict(DEFAULTS),
    spec=[
        op(conv2d, stride=2, num_outputs=16, kernel_size=(3, 3)),
        mbv3_op(ef=1, n=16, k=3, s=2),
        mbv3_op(ef=72. / 16, n=24, k=3, s=2),
        mbv3_op(ef=(88. / 24), n=24, k=3, s=1),
        mbv3_op(ef=4, n=40, k=3, s=2),
        mbv3_op(ef=6, n=40, k=3, s=1),
        mbv3_op(ef=6, n=40, k=3, s=1),
        mbv3_op(ef=3, n=48, k=3, s=1),
        mbv3_op(ef=3, n=48, k=3, s=1),
        mbv3_op(ef=6, n=96, k=3, s=2),
        mbv3_op(ef=6, n=96, k=3, s=1),
        mbv3_op(ef=6, n=96, k=3, s=1),
    ] + _head(576, 1024, None),
)

# EdgeTPU: fused (full) convs instead of depthwise in the early layers.
V3_EDGETPU = dict(
    defaults=dict(DEFAULTS),
    spec=[
        op(conv2d, stride=2, num_outputs=32, kernel_size=(3, 3)),
        mbv3_fused(k=3, s=1, ef=1, n=16),
        mbv3_fused(k=3, s=2, ef=8, n=32),
        mbv3_fused(k=3, s=1, ef=4, n=32),
        mbv3_fused(k=3, s=1, ef=4, n=32),
        mbv3_fused(k=3, s=1, ef=4, n=32),
        mbv3_fused(k=3, s=2, ef=8, n=48),
        mbv3_fused(k=3, s=1, ef=4, n=48),
        mbv3_fused(k=3, s=1, ef=4, n=48),
        mbv3_fused(k=3, s=1, ef=4, n=48),
        mbv3_op(k=3, s=2, ef=8, n=96),
        mbv3_op(k=3, s=1, ef=4, n=96),
        mbv3_op(k=3, s=1, ef=4, n=96),
        mbv3_op(k=3, s=1, ef=4, n=96),
        mbv3_op(k=3, s=1, ef=8, n=96, residual=False),
        mbv3_op(k=3, s=1, ef=4, n=96),
        mbv3_op(k=3, s=1, ef=4, n=96),
        mbv3_op(k=3, s=1, ef=4, n=96),
        mbv3_op(k=5, s=2, ef=8, n=160),
        mbv3_op(k=5, s=1, ef=4, n=160),
        mbv3_op(k=5, s=1, ef=4, n=160),
        mbv3_op(k=5, s=1, ef=4, n=160),
        mbv3_op(k=3, s=1, ef=8, n=192),
        op(conv2d, stride=1, num_outputs=1280, kernel_size=(1, 1)),
    ],
)


def _keep_params(params, multiplier):
    """Multiplier rule of the finegrain last layer: leaves it unscaled."""
    del multiplier
    return params


@scopes.add_arg_scope
def mobilenet(inputs, num_classes: int | None = 1001,
              depth_multiplier: float = 1.0, scope: str = "MobilenetV3",
              conv_defs: dict | None = None,
              finegrain_classification_mode: bool = False,
              use_groupnorm: bool = False, **kwargs):
    """MobileNet V3 classifier; returns ``(logits, end_points)``.

    Args:
        inputs: ``[B, H, W, 3]`` images.
        num_classes: logits size (1001 for the published checkpoints);
            0/None returns the pooled ``[B, 1, 1, C]`` features.
        depth_multiplier: every ``num_outputs`` becomes
            ``make_divisible(n * depth_multiplier, 8)``; expansion sizes
            follow from the multiplied input depth.
        scope: variable scope.
        conv_defs: architecture (default :data:`V3_LARGE`).
        finegrain_classification_mode: the last spec layer (``Conv_2`` of
            large/small) is not depth-multiplied.
        use_groupnorm: group norm (``groups`` kwarg, default 8) instead of
            batch norm.
        **kwargs: ``prediction_fn``, ``reuse``, ``base_only``,
            ``final_endpoint``, ``output_stride``, ``use_explicit_padding``,
            ``is_training``, ``groups``.
    """
    if conv_defs is None:
        conv_defs = V3_LARGE
    if "multiplier" in kwargs:
        raise ValueError(
            "mobilenet_v3: use `depth_multiplier`, not `multiplier`. "
            f"Received: multiplier={kwargs['multiplier']!r}."
        )
    groups = kwargs.pop("groups", 8)
    if use_groupnorm:
        conv_defs = copy.copy(conv_defs)
        defaults = dict(DEFAULTS_GROUP_NORM)
        defaults[(group_norm,)] = {"groups": groups}
        conv_defs["defaults"] = defaults
    if finegrain_classification_mode:
        conv_defs = copy.copy(conv_defs)
        spec = list(conv_defs["spec"])
        spec[-1] = spec[-1]._replace(multiplier_func=_keep_params)
        conv_defs["spec"] = spec
    return lib.mobilenet(inputs, num_classes=num_classes,
                         conv_defs=conv_defs, scope=scope,
                         multiplier=depth_multiplier, **kwargs)


mobilenet.default_image_size = 224


@scopes.add_arg_scope
def mobilenet_base(inputs, depth_multiplier: float = 1.0, **kwargs):
    """The V3 body without pooling head: ``(net, end_points)``."""
    return mobilenet(inputs, depth_multiplier=depth_multiplier,
                     base_only=True, **kwargs)


def wrapped_partial(func, new_defaults: dict | None = None, **kwargs):
    """``func`` with ``kwargs`` fixed and ``new_defaults`` overridable."""
    new_defaults = dict(new_defaults or {})

    @functools.wraps(func)
    def wrapper(*args, **kw):
        merged = dict(new_defaults)
        merged.update(kwargs)
        merged.update(kw)
        return func(*args, **merged)

    wrapper.default_image_size = 224
    return wrapper


default_cfgs = {
    name: registry.net_cfg(
        arg_scope=training_scope, default_image_size=224, num_classes=1001,
        logits_scopes=(f"{scope}/Logits",), preprocessing="inception")
    for name, scope in (
        ("mobilenet_v3_large", "MobilenetV3"),
        ("mobilenet_v3_small", "MobilenetV3"),
        ("mobilenet_v3_large_minimalistic", "MobilenetV3"),
        ("mobilenet_v3_small_minimalistic", "MobilenetV3"),
        ("mobilenet_edgetpu", "MobilenetEdgeTPU"),
        ("mobilenet_edgetpu_075", "MobilenetEdgeTPU"))
}


@registry.register_net(name="mobilenet_v3_large")
@variant(mobilenet, conv_defs=V3_LARGE)
def large(inputs, *args, **kwargs):
    return mobilenet(inputs, *args, **{"conv_defs": V3_LARGE, **kwargs})


@registry.register_net(name="mobilenet_v3_small")
@variant(mobilenet, conv_defs=V3_SMALL)
def small(inputs, *args, **kwargs):
    return mobilenet(inputs, *args, **{"conv_defs": V3_SMALL, **kwargs})


@registry.register_net(name="mobilenet_v3_large_minimalistic")
@variant(mobilenet, conv_defs=V3_LARGE_MINIMALISTIC)
def large_minimalistic(inputs, *args, **kwargs):
    return mobilenet(inputs, *args,
                     **{"conv_defs": V3_LARGE_MINIMALISTIC, **kwargs})


@registry.register_net(name="mobilenet_v3_small_minimalistic")
@variant(mobilenet, conv_defs=V3_SMALL_MINIMALISTIC)
def small_minimalistic(inputs, *args, **kwargs):
    return mobilenet(inputs, *args,
                     **{"conv_defs": V3_SMALL_MINIMALISTIC, **kwargs})


_EDGETPU = {"scope": "MobilenetEdgeTPU", "conv_defs": V3_EDGETPU}
_EDGETPU_075 = dict(_EDGETPU, depth_multiplier=0.75,
                    finegrain_classification_mode=True)


@registry.register_net(name="mobilenet_edgetpu")
@variant(mobilenet, **_EDGETPU)
def edge_tpu(inputs, *args, **kwargs):
    return mobilenet(inputs, *args, **{**_EDGETPU, **kwargs})


@registry.register_net(name="mobilenet_edgetpu_075")
@variant(mobilenet, **_EDGETPU_075)
def edge_tpu_075(inputs, *args, **kwargs):
    return mobilenet(inputs, *args, **{**_EDGETPU_075, **kwargs})


def _reduce_consecutive_layers(conv_defs: dict, start_id: int, end_id: int,
                               multiplier: float = 0.5) -> dict:
    """``conv_defs`` with layers ``start_id..end_id`` (0-based, inclusive)
    narrowed to ``round(num_outputs * multiplier)``."""
    defs = dict(conv_defs)
    spec = list(defs["spec"])
    for i in range(start_id, end_id + 1):
        params = spec[i].params
        if "num_outputs" not in params:
            raise ValueError(
                f"_reduce_consecutive_layers: layer {i} has no num_outputs.")
        spec[i] = spec[i]._replace(params=dict(
            params, num_outputs=int(round(params["num_outputs"] *
                                          multiplier))))
    defs["spec"] = spec
    return defs


V3_LARGE_DETECTION = _reduce_consecutive_layers(V3_LARGE, 13, 16)
V3_SMALL_DETECTION = _reduce_consecutive_layers(V3_SMALL, 9, 12)
