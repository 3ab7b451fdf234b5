"""MobileNet convolution blocks (research/slim ``nets/mobilenet/conv_blocks``).

``expanded_conv`` is the inverted-residual block of MobileNet V2
(arXiv:1801.04381): 1x1 expansion -> depthwise -> linear 1x1 projection,
plus a residual when shapes allow. Scopes and end point names match the
original: ``<block>/expand``, ``<block>/depthwise``, ``<block>/project`` and
the named outputs ``expansion_output``, ``depthwise_output``, ``output``.
``squeeze_excite`` is MobileNet V3's gate (``<block>/squeeze_excite/Conv``,
``Conv_1``), used there as the block's ``expansion_transform``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from keras import ops

from slimkeras import naming, scopes
from slimkeras.activations import linear, relu
from slimkeras.layers.conv import conv2d
from slimkeras.layers.separable_conv import separable_conv2d
from slimkeras.layers.upsample import resize_bilinear

__all__ = [
    "make_divisible",
    "fixed_padding",
    "expand_input_by_factor",
    "split_conv",
    "split_separable_conv2d",
    "expanded_conv",
    "squeeze_excite",
    "NAMED_OUTPUTS",
]

# Private collection through which blocks report their named outputs
# (``expansion_output`` …) to ``mobilenet_base``, which keys them
# ``layer_<i>/<name>`` as the original found them among the graph's ops.
NAMED_OUTPUTS = "slimkeras.nets.mobilenet/named_outputs"


def make_divisible(v: float, divisor: int, min_value: int | None = None):
    """Rounds ``v`` to the nearest multiple of ``divisor`` (at least
    ``min_value``, default ``divisor``), never more than 10% below ``v``."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return int(new_v)


def fixed_padding(inputs, kernel_size, rate: int = 1):
    """Zero-pads H and W so a VALID conv gives SAME's output size."""
    k = kernel_size[0] + (kernel_size[0] - 1) * (rate - 1)
    beg = (k - 1) // 2
    end = k - 1 - beg
    return ops.pad(inputs, [[0, 0], [beg, end], [beg, end], [0, 0]])


def expand_input_by_factor(n: float, divisible_by: int = 8) -> Callable:
    """``expansion_size`` callable: ``make_divisible(num_inputs * n, …)``."""
    def expansion(num_inputs, **_):
        return make_divisible(num_inputs * n, divisible_by)

    return expansion


def _split_divisible(num: int, num_ways: int, divisible_by: int = 8):
    """Splits ``num`` into ``num_ways`` multiples of ``divisible_by``."""
    if num % divisible_by or num / num_ways < divisible_by:
        raise ValueError(
            f"split_conv: cannot split {num} channels {num_ways} ways in "
            f"multiples of {divisible_by}."
        )
    base = num // num_ways // divisible_by * divisible_by
    parts, total = [], 0
    for i in range(num_ways):
        r = base
        while total + r < num * (i + 1) / num_ways:
            r += divisible_by
        parts.append(r)
        total += r
    return parts


def split_conv(inputs, num_outputs, num_ways, scope, divisible_by=8,
               **kwargs):
    """1x1 conv, optionally split into ``num_ways`` channel groups.

    Without a split (``num_ways == 1`` or groups smaller than
    ``divisible_by``) it is one ``conv2d`` named ``scope``; otherwise
    ``<scope>_part_<i>`` convs on channel slices, concatenated.
    """
    channels = int(inputs.shape[-1])
    if num_ways == 1 or min(channels // num_ways,
                            num_outputs // num_ways) < divisible_by:
        return conv2d(inputs, num_outputs, [1, 1], scope=scope, **kwargs)
    in_splits = _split_divisible(channels, num_ways, divisible_by)
    out_splits = _split_divisible(num_outputs, num_ways, divisible_by)
    bounds = [sum(in_splits[:i]) for i in range(1, num_ways)]
    pieces = ops.split(inputs, bounds, axis=3)
    outs = []
    for i, (piece, size) in enumerate(zip(pieces, out_splits)):
        part = f"{scope}_part_{i}"
        out = conv2d(piece, size, [1, 1], scope=part, **kwargs)
        naming.add_to_collection(NAMED_OUTPUTS, f"{part}_output", out)
        outs.append(out)
    return ops.concatenate(outs, axis=3)


@scopes.add_arg_scope
def split_separable_conv2d(inputs, num_outputs, scope=None,
                           normalizer_fn=None, stride=1, rate=1,
                           endpoints=None, use_explicit_padding=False):
    """MobileNet V1 style separable conv: depthwise (+norm, act) then 1x1.

    Scopes ``<scope>_depthwise`` / ``<scope>_pointwise`` (V1 checkpoint
    names) or, with ``scope=None``, a unique ``separable/depthwise`` …
    """
    endpoints = endpoints if endpoints is not None else {}
    kernel_size = [3, 3]
    padding = "SAME"
    if use_explicit_padding:
        padding = "VALID"
        inputs = fixed_padding(inputs, kernel_size, rate)
    if scope is None:
        ctx = naming.variable_scope(None, default_name="separable")
        prefix = ""
    else:
        ctx = contextlib.nullcontext()
        prefix = scope + "_"
    with ctx:
        dw_scope = prefix + "depthwise"
        net = separable_conv2d(
            inputs, None, kernel_size, depth_multiplier=1, stride=stride,
            rate=rate, normalizer_fn=normalizer_fn, padding=padding,
            scope=dw_scope)
        endpoints[dw_scope] = net
        pw_scope = prefix + "pointwise"
        net = conv2d(net, num_outputs, [1, 1], stride=1,
                     normalizer_fn=normalizer_fn, scope=pw_scope)
        endpoints[pw_scope] = net
    return net


def _named(name: str, value, endpoints: dict | None):
    naming.add_to_collection(NAMED_OUTPUTS, name, value)
    if endpoints is not None:
        endpoints[name] = value
    return value


@scopes.add_arg_scope
def expanded_conv(
    inputs,
    num_outputs: int,
    # slim's signature: one shared, stateless expansion function.
    expansion_size: Any = expand_input_by_factor(6),  # noqa: B008 -- stateless
    stride=1,
    rate=1,
    kernel_size=(3, 3),
    residual: Any = True,
    normalizer_fn: Any = None,
    split_projection: int = 1,
    split_expansion: int = 1,
    split_divisible_by: int = 8,
    expansion_transform: Callable | None = None,
    depthwise_location: str | None = "expansion",
    depthwise_channel_multiplier: int = 1,
    endpoints: dict | None = None,
    use_explicit_padding: bool = False,
    padding: str = "SAME",
    inner_activation_fn: Any = None,
    depthwise_activation_fn: Any = None,
    project_activation_fn: Any = linear,
    depthwise_fn: Callable = separable_conv2d,
    expansion_fn: Callable = split_conv,
    projection_fn: Callable = split_conv,
    scope: str | None = None,
):
    """Inverted-residual block: expand 1x1 -> depthwise -> project 1x1.

    Args:
        inputs: ``[B, H, W, C]`` tensor (C must be known).
        num_outputs: channels of the projection.
        expansion_size: int, or ``f(num_inputs=C)``; no expansion conv is
            made unless it exceeds C (V2's first block).
        stride, rate, kernel_size: of the depthwise conv.
        residual: add the input when stride is 1 and depths match; or a
            callable ``f(input_tensor=, output_tensor=)``.
        normalizer_fn: for all three convs (e.g. ``slim.batch_norm``).
        split_projection, split_expansion, split_divisible_by: channel
            splits of the 1x1 convs (``<scope>_part_<i>``).
        expansion_transform: optional ``f(expansion_tensor=, input_tensor=)``.
        depthwise_location: ``'expansion'`` (default), ``'input'``,
            ``'output'`` or None.
        depthwise_channel_multiplier: depthwise ``depth_multiplier``.
        endpoints: optional dict receiving ``expansion_output``,
            ``depthwise_output``, ``projection_output``.
        use_explicit_padding: pad explicitly and use VALID convs.
        padding: padding when ``use_explicit_padding`` is False.
        inner_activation_fn, depthwise_activation_fn: override the scoped
            activation of the inner convs / the depthwise conv.
        project_activation_fn: projection activation (linear).
        depthwise_fn, expansion_fn, projection_fn: the conv functions.
        scope: block scope (default unique ``expanded_conv``).

    Returns:
        ``[B, H/stride, W/stride, num_outputs]``.
    """
    padding = _checked_padding(depthwise_location, use_explicit_padding,
                               padding)
    conv_defaults, dw_defaults = _activation_defaults(
        inner_activation_fn, depthwise_activation_fn)
    with naming.variable_scope(scope, default_name="expanded_conv"), \
            scopes.arg_scope([conv2d], **conv_defaults), \
            scopes.arg_scope([separable_conv2d], **dw_defaults):
        prev_depth = int(inputs.shape[-1])
        depthwise = functools.partial(
            depthwise_fn, num_outputs=None, kernel_size=kernel_size,
            depth_multiplier=depthwise_channel_multiplier, stride=stride,
            rate=rate, normalizer_fn=normalizer_fn, padding=padding,
            scope="depthwise")

        def run_depthwise(x, **kw):
            if use_explicit_padding:
                x = fixed_padding(x, kernel_size, rate)
            return _named("depthwise_output", depthwise(x, **kw), endpoints)

        net = inputs
        if depthwise_location == "input":
            net = run_depthwise(net, activation_fn=None)
        inner = (expansion_size(num_inputs=prev_depth)
                 if callable(expansion_size) else expansion_size)
        if inner > int(net.shape[-1]):
            fn = _with_splits(expansion_fn, split_expansion,
                              split_divisible_by)
            net = fn(net, inner, scope="expand", normalizer_fn=normalizer_fn)
            net = _named("expansion_output", net, endpoints)
        if depthwise_location == "expansion":
            net = run_depthwise(net)
        if expansion_transform:
            net = expansion_transform(expansion_tensor=net,
                                      input_tensor=inputs)
        fn = _with_splits(projection_fn, split_projection,
                          split_divisible_by)
        net = fn(net, num_outputs, scope="project",
                 normalizer_fn=normalizer_fn,
                 activation_fn=project_activation_fn)
        if endpoints is not None:
            endpoints["projection_output"] = net
        if depthwise_location == "output":
            net = run_depthwise(net, activation_fn=None)
        net = _add_residual(residual, inputs, net, stride)
        return _named("output", net, None)


def _checked_padding(depthwise_location: str | None,
                     use_explicit_padding: bool, padding: str) -> str:
    """Validates ``depthwise_location`` and the padding; the convs'
    padding (VALID under explicit padding)."""
    if depthwise_location not in (None, "input", "output", "expansion"):
        raise TypeError(
            "expanded_conv: unknown `depthwise_location`. Received: "
            f"depthwise_location={depthwise_location!r}."
        )
    if use_explicit_padding:
        if padding != "SAME":
            raise TypeError(
                "expanded_conv: `use_explicit_padding` needs padding 'SAME'. "
                f"Received: padding={padding!r}."
            )
        padding = "VALID"
    return padding


def _activation_defaults(inner_activation_fn: Any,
                         depthwise_activation_fn: Any) -> tuple[dict, dict]:
    """arg_scope defaults of the 1x1 convs and of the depthwise conv."""
    conv_defaults, dw_defaults = {}, {}
    if inner_activation_fn is not None:
        conv_defaults["activation_fn"] = inner_activation_fn
        dw_defaults["activation_fn"] = inner_activation_fn
    if depthwise_activation_fn is not None:
        dw_defaults["activation_fn"] = depthwise_activation_fn
    return conv_defaults, dw_defaults


def _with_splits(fn: Callable, num_ways: int, divisible_by: int) -> Callable:
    """``fn``, with its channel splits bound when it is ``split_conv``."""
    if fn is split_conv:
        fn = functools.partial(
            split_conv, num_ways=num_ways, divisible_by=divisible_by,
            stride=1)
    return fn


def _add_residual(residual: Any, inputs, net, stride):
    """The block output with its residual connection, if any."""
    if callable(residual):
        return residual(input_tensor=inputs, output_tensor=net)
    if (residual and stride == 1
            and int(net.shape[-1]) == int(inputs.shape[-1])):
        return ops.add(net, inputs)
    return net


@scopes.add_arg_scope
def squeeze_excite(inputs, divisible_by: int = 8, squeeze_factor: float = 3,
                   inner_activation_fn: Any = relu,
                   gating_fn: Any = ops.sigmoid,
                   squeeze_input_tensor=None, pool: int | None = None):
    """Squeeze-excite (MobileNet V3): ``inputs * gate(squeeze_input)``.

    Under ``squeeze_excite/``: mean over H, W (or, with ``pool``, a VALID
    ``pool`` x ``pool`` average pool of stride ``pool`` when the map is at
    least that tall, bilinearly resized back with aligned corners), 1x1
    ``Conv`` to ``make_divisible(C_squeeze / squeeze_factor,
    divisible_by)`` channels with ``inner_activation_fn``, 1x1 ``Conv_1``
    to ``C`` channels with ``gating_fn``; both with biases and no
    normalizer. ``squeeze_input_tensor`` (default ``inputs``) feeds the
    gate.
    """
    with naming.variable_scope("squeeze_excite"):
        src = inputs if squeeze_input_tensor is None else squeeze_input_tensor
        if len(src.shape) != 4 or src.shape[-1] is None:
            raise ValueError(
                "squeeze_excite: expected [B, H, W, C] with known C. "
                f"Received shape {tuple(src.shape)}."
            )
        size = tuple(inputs.shape[1:3])
        squeeze_channels = make_divisible(int(src.shape[-1]) / squeeze_factor,
                                          divisible_by)
        height = src.shape[1]
        if pool is not None and height is not None and height >= pool:
            pooled = ops.average_pool(src, (pool, pool), (pool, pool),
                                      "valid", data_format="channels_last")
        elif pool is not None:
            pooled = ops.average_pool(src, tuple(src.shape[1:3]), 1,
                                      "valid", data_format="channels_last")
        else:
            pooled = ops.mean(src, axis=[1, 2], keepdims=True)
        squeeze = conv2d(pooled, squeeze_channels, [1, 1], normalizer_fn=None,
                         activation_fn=inner_activation_fn)
        excite = conv2d(squeeze, int(inputs.shape[-1]), [1, 1],
                        normalizer_fn=None, activation_fn=gating_fn)
        if pool is not None:
            if None in size:
                raise ValueError(
                    "squeeze_excite: `pool` needs static H and W. Received "
                    f"shape {tuple(inputs.shape)}."
                )
            excite = resize_bilinear(excite, size, align_corners=True)
        return ops.multiply(inputs, excite)
