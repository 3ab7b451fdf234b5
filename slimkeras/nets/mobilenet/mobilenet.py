"""The generic MobileNet builder (research/slim ``nets/mobilenet/mobilenet``).

A net is a ``conv_defs`` dict: ``defaults`` (``{ops tuple: kwargs}``,
entered as arg_scopes around the body) and ``spec``, a list of
:func:`op` entries. :func:`mobilenet_base` applies the depth multiplier
to each op's ``num_outputs`` (``depth_multiplier`` rule: round to a
multiple of ``divisible_by``, at least ``min_depth``), handles
``output_stride`` (atrous) and names the end points ``layer_<i>`` plus
``layer_<i>/<named output>`` for the blocks' ``expansion_output``,
``depthwise_output`` and ``output``. :func:`mobilenet` adds the
classification head under ``Logits``.

Divergence from the original: ``is_training=None`` (the default) sets
nothing and leaves batch norm and dropout to an enclosing scope or to
Keras's ``training`` flag; the original defaulted to ``False``.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable
from typing import Any

from keras import ops

from slimkeras import initializers, naming, regularizers, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.layers.separable_conv import separable_conv2d
from slimkeras.nets._common import predictions as apply_prediction_fn
from slimkeras.nets._common import softmax as softmax
from slimkeras.nets.mobilenet import conv_blocks

__all__ = [
    "op",
    "depth_multiplier",
    "mobilenet_base",
    "mobilenet",
    "global_pool",
    "training_scope",
    "softmax",
    "apply_prediction_fn",
]


@scopes.add_arg_scope
def depth_multiplier(output_params: dict, multiplier: float,
                     divisible_by: int = 8, min_depth: int = 8,
                     **unused_kwargs):
    """Scales ``output_params['num_outputs']`` in place (if present)."""
    if "num_outputs" not in output_params:
        return
    d = output_params["num_outputs"]
    output_params["num_outputs"] = conv_blocks.make_divisible(
        d * multiplier, divisible_by, min_depth)


_Op = collections.namedtuple("Op", ["op", "params", "multiplier_func"])


def op(opfunc: Callable, **params) -> _Op:
    """One spec entry: ``opfunc(net, **params)`` with a depth multiplier
    rule (``multiplier_transform=``, default :func:`depth_multiplier`)."""
    multiplier = params.pop("multiplier_transform", None)
    # sic: the original spells the keyword 'multiplier_transorm'.
    multiplier = params.pop("multiplier_transorm", multiplier)
    return _Op(opfunc, params=params,
               multiplier_func=multiplier or depth_multiplier)


@contextlib.contextmanager
def _defaults(defaults: Any):
    items = list(defaults.items()) if hasattr(defaults, "items") else list(
        defaults or [])
    with contextlib.ExitStack() as stack:
        for funcs, kwargs in items:
            if not isinstance(funcs, (list, tuple)):
                funcs = (funcs,)
            stack.enter_context(scopes.arg_scope(list(funcs), **kwargs))
        yield


def _layer_name(i: int) -> str:
    return f"layer_{i + 1}"


@scopes.add_arg_scope
def mobilenet_base(inputs, conv_defs: dict, multiplier: float = 1.0,
                   final_endpoint: str | None = None,
                   output_stride: int | None = None,
                   use_explicit_padding: bool = False,
                   scope: str | None = None,
                   is_training: bool | None = None):
    """Builds ``conv_defs['spec']`` from ``inputs`` (no pooling/logits).

    Args:
        inputs: ``[B, H, W, C]``.
        conv_defs: ``{'defaults': {...}, 'spec': [op(...), ...]}``.
        multiplier: depth multiplier (> 0).
        final_endpoint: stop after this ``layer_<i>``.
        output_stride: None, 1 or an even number: later strides become
            atrous rates once reached.
        use_explicit_padding: pad explicitly, VALID convs.
        scope: variable scope (default unique ``Mobilenet``).
        is_training: None leaves batch norm to the enclosing scope /
            Keras's ``training``; True/False pins it.

    Returns:
        ``(net, end_points)``.
    """
    if multiplier <= 0:
        raise ValueError(
            "mobilenet_base: `multiplier` must be greater than zero. "
            f"Received: multiplier={multiplier!r}."
        )
    if output_stride is not None and (
            output_stride == 0 or (output_stride > 1 and output_stride % 2)):
        raise ValueError(
            "mobilenet_base: `output_stride` must be None, 1 or a multiple "
            f"of 2. Received: output_stride={output_stride!r}."
        )
    spec = conv_defs["spec"]
    names = [_layer_name(i) for i in range(len(spec))]
    if final_endpoint is not None and final_endpoint not in names:
        raise ValueError(
            f"mobilenet_base: unknown final_endpoint {final_endpoint!r}; "
            f"valid: {names[0]} … {names[-1]}."
        )
    overrides = dict(conv_defs.get("overrides", {}))
    if use_explicit_padding:
        overrides[(conv2d, separable_conv2d)] = {"padding": "VALID"}
    bn_scope = ({} if is_training is None
                else {"is_training": is_training})
    with contextlib.ExitStack() as stack:
        if isinstance(scope, _Reentered):
            stack.enter_context(naming.absolute_scope(scope.path))
        else:
            stack.enter_context(
                naming.variable_scope(scope, default_name="Mobilenet"))
        stack.enter_context(scopes.arg_scope([batch_norm], **bn_scope))
        stack.enter_context(_defaults(conv_defs.get("defaults", {})))
        stack.enter_context(_defaults(overrides))
        store = stack.enter_context(naming.collect_outputs())
        return _build_spec(inputs, spec, multiplier, final_endpoint,
                           output_stride, use_explicit_padding, store)


class _Reentered(str):
    """A scope path already opened by :func:`mobilenet` (re-entered)."""

    @property
    def path(self) -> str:
        return str(self)


def _build_spec(inputs, spec, multiplier, final_endpoint, output_stride,
                use_explicit_padding, store):
    current_stride, rate = 1, 1
    net = inputs
    end_points: dict[str, Any] = {}
    named: list[tuple[str, Any]] = []
    for i, opdef in enumerate(spec):
        params = dict(opdef.params)
        opdef.multiplier_func(params, multiplier)
        stride = params.get("stride", 1)
        if output_stride is not None and current_stride == output_stride:
            layer_stride, layer_rate = 1, rate
            rate *= stride
        else:
            layer_stride, layer_rate = stride, 1
            current_stride *= stride
        params["stride"] = layer_stride
        if layer_rate > 1:
            params["rate"] = layer_rate
        if use_explicit_padding:
            if "kernel_size" in params:
                net = conv_blocks.fixed_padding(
                    net, params["kernel_size"], layer_rate)
            else:
                params["use_explicit_padding"] = True
        name = _layer_name(i)
        before = len(store.get(conv_blocks.NAMED_OUTPUTS, []))
        net = opdef.op(net, **params)
        end_points[name] = net
        for alias, value in store.get(conv_blocks.NAMED_OUTPUTS,
                                      [])[before:]:
            named.append((f"{name}/{alias}", value))
        if final_endpoint is not None and name == final_endpoint:
            break
    # The original adds every op named '*output' in a layer's scope after
    # the layer end points, in graph order.
    for key, value in named:
        end_points[key] = value
    return net, end_points


def global_pool(inputs):
    """Average over H and W, keeping them: ``[B, 1, 1, C]``."""
    return ops.mean(inputs, axis=[1, 2], keepdims=True)


@scopes.add_arg_scope
def mobilenet(inputs, num_classes: int | None = 1001,
              prediction_fn: Callable | None = softmax, reuse=None,
              scope: str = "Mobilenet", base_only: bool = False,
              use_reduce_mean_for_pooling: bool = False,
              **mobilenet_args):
    """MobileNet classifier: :func:`mobilenet_base` + ``Logits`` head.

    The head: global average pool (end point ``global_pool``), dropout
    ``Logits/Dropout`` (keep_prob from arg_scope, 0.8 in
    :func:`training_scope`), 1x1 conv ``Logits/Conv2d_1c_1x1`` with biases,
    squeezed to ``[B, num_classes]`` (end point ``Logits``), and
    ``Predictions``. ``num_classes`` 0/None returns the pooled features;
    ``base_only`` returns the base output.
    """
    del use_reduce_mean_for_pooling  # both spellings are a spatial mean
    if len(inputs.shape) != 4:
        raise ValueError(
            "mobilenet: expected rank 4 inputs [B, H, W, C]. Received "
            f"shape {tuple(inputs.shape)}."
        )
    is_training = mobilenet_args.get("is_training")
    with naming.variable_scope(scope, default_name="Mobilenet",
                               reuse=reuse) as full:
        net, end_points = mobilenet_base(
            inputs, scope=_Reentered(full), **mobilenet_args)
        if base_only:
            return net, end_points
        with naming.variable_scope("Logits"):
            net = global_pool(net)
            end_points["global_pool"] = net
            if not num_classes:
                return net, end_points
            kw = {} if is_training is None else {"is_training": is_training}
            net = dropout(net, scope="Dropout", **kw)
            logits = conv2d(net, num_classes, [1, 1], activation_fn=None,
                            normalizer_fn=None, biases_initializer="zeros",
                            scope="Conv2d_1c_1x1")
            logits = ops.squeeze(logits, [1, 2])
        end_points["Logits"] = logits
        if prediction_fn:
            end_points["Predictions"] = apply_prediction_fn(
                prediction_fn, logits)
    return logits, end_points


def training_scope(is_training: bool | None = None,
                   weight_decay: float = 0.00004, stddev: float = 0.09,
                   dropout_keep_prob: float = 0.8,
                   bn_decay: float = 0.997) -> dict:
    """MobileNet's arg_scope: initializer, regularizer, BN and dropout.

    Args:
        is_training: None (default; the original's default is True)
            follows Keras's ``training`` flag; True/False pins batch norm,
            dropout and the builders.
        weight_decay: L2 scale for ``conv2d`` weights (not depthwise).
        stddev: truncated-normal stddev; negative uses Xavier.
        dropout_keep_prob: keep probability of the head's dropout.
        bn_decay: batch-norm moving-average decay.

    Returns:
        A scope dict for ``slim.arg_scope``.
    """
    if stddev < 0:
        init = initializers.xavier_initializer()
    else:
        init = initializers.truncated_normal_initializer(stddev=stddev)
    with scopes.arg_scope(
            [conv2d, fully_connected, separable_conv2d],
            weights_initializer=init, normalizer_fn=batch_norm), \
            scopes.arg_scope([mobilenet_base, mobilenet],
                             is_training=is_training), \
            scopes.arg_scope([batch_norm], is_training=is_training,
                             decay=bn_decay), \
            scopes.arg_scope([dropout], is_training=is_training,
                             keep_prob=dropout_keep_prob), \
            scopes.arg_scope([conv2d], weights_regularizer=(
                regularizers.l2_regularizer(weight_decay))), \
            scopes.arg_scope([separable_conv2d],
                             weights_regularizer=None) as sc:
        return sc
