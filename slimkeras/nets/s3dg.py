"""S3D-G: gated separable 3-D Inception (and the I3D base it generalises).

"Rethinking Spatiotemporal Feature Learning For Video Understanding",
Saining Xie, Chen Sun, Jonathan Huang, Zhuowen Tu, Kevin Murphy,
arXiv:1712.04851.

Slim counterpart: research/slim ``nets/s3dg.py`` (our own code; names,
end points, defaults and numerics are matched). Scope ``InceptionV1`` with
Inception-v1 layer names; inputs ``[B, T, H, W, C]``; 5-D weights
``[kT, kH, kW, in, out]``. From ``temporal_conv_startat`` on, the 3x3
convs are ``[3, 3, 3]`` (separable in S3D-G: ``X`` + ``X/temporal``);
from ``gating_startat`` on, a self-gating (``X/self_gating/transformer_W``)
follows ``Conv2d_2c_3x3`` and each branch of every Mixed block. The
widths are ``max(int(d * depth_multiplier), min_depth)``.

Usage::

    with slim.arg_scope(s3dg.s3dg_arg_scope()):
        logits, end_points = s3dg.s3dg(videos, num_classes=400)

Divergence: ``is_training=None`` (default; slim's is True) follows Keras's
``training`` flag. slim's ``variables_collections`` of the batch norm is
graph bookkeeping and is not kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras import ops

from slimkeras import initializers, naming, regularizers, scopes
from slimkeras.activations import relu
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv3d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.pooling import avg_pool3d, max_pool3d
from slimkeras.nets import i3d_utils, registry
from slimkeras.nets import inception_utils as iu

__all__ = ["s3dg", "s3dg_base", "s3dg_arg_scope", "self_gating",
           "END_POINTS"]

conv3d_spatiotemporal = i3d_utils.conv3d_spatiotemporal
inception_block_v1_3d = i3d_utils.inception_block_v1_3d


def trunc_normal(stddev: float):
    return initializers.truncated_normal_initializer(0.0, stddev)


def s3dg_arg_scope(weight_decay: float = 1e-7,
                   batch_norm_decay: float = 0.999,
                   batch_norm_epsilon: float = 0.001) -> dict:
    """S3D-G's arg_scope: L2 weights, relu, non-fused batch norm (no
    gamma), separable ``conv3d_spatiotemporal``."""
    bn = {"decay": batch_norm_decay, "epsilon": batch_norm_epsilon,
          "fused": False}
    with scopes.arg_scope(
            [conv3d, conv3d_spatiotemporal],
            weights_regularizer=regularizers.l2_regularizer(weight_decay),
            activation_fn=relu, normalizer_fn=batch_norm,
            normalizer_params=bn):
        with scopes.arg_scope([conv3d_spatiotemporal], separable=True) as sc:
            return sc


def self_gating(input_tensor, scope: str, data_format: str = "NDHWC"):
    """``sigmoid(W · mean_{T,H,W}(x)) * x`` (slim's S3D-G gating).

    The average pool's kernel is written ``[t, w, h]`` as in slim (W before
    H; the same for square maps), stride 1, VALID; ``W`` is the 1x1x1
    ``<scope>/self_gating/transformer_W`` conv without biases.
    """
    ic, idd = data_format.index("C"), data_format.index("D")
    ih, iw = data_format.index("H"), data_format.index("W")
    shape = list(input_tensor.shape)
    t, w, h, c = shape[idd], shape[iw], shape[ih], shape[ic]
    if None in (t, w, h, c):
        raise ValueError(
            f"self_gating {scope!r}: needs a static [T, H, W, C]. Received "
            f"shape {tuple(shape)}.")
    avg = avg_pool3d(input_tensor, [t, w, h], stride=1,
                     data_format=data_format,
                     scope=scope + "/self_gating/avg_pool3d")
    weights = conv3d(avg, c, [1, 1, 1], activation_fn=None,
                     normalizer_fn=None, biases_initializer=None,
                     data_format=data_format,
                     weights_initializer=trunc_normal(0.01),
                     scope=scope + "/self_gating/transformer_W")
    multiples = [1, t, w, h]
    multiples.insert(ic, 1)
    weights = ops.sigmoid(ops.tile(weights, multiples))
    return ops.multiply(weights, input_tensor)


# name, kind, args: conv (depth, kernel-kind, stride), pool (kernel,
# stride) or mixed (six depths).
_LAYERS = (
    ("Conv2d_1a_7x7", "first", (64,)),
    ("MaxPool_2a_3x3", "pool", ([1, 3, 3], [1, 2, 2])),
    ("Conv2d_2b_1x1", "conv1", (64,)),
    ("Conv2d_2c_3x3", "conv3", (192,)),
    ("MaxPool_3a_3x3", "pool", ([1, 3, 3], [1, 2, 2])),
    ("Mixed_3b", "mixed", (64, 96, 128, 16, 32, 32)),
    ("Mixed_3c", "mixed", (128, 128, 192, 32, 96, 64)),
    ("MaxPool_4a_3x3", "pool", ([3, 3, 3], [2, 2, 2])),
    ("Mixed_4b", "mixed", (192, 96, 208, 16, 48, 64)),
    ("Mixed_4c", "mixed", (160, 112, 224, 24, 64, 64)),
    ("Mixed_4d", "mixed", (128, 128, 256, 24, 64, 64)),
    ("Mixed_4e", "mixed", (112, 144, 288, 32, 64, 64)),
    ("Mixed_4f", "mixed", (256, 160, 320, 32, 128, 128)),
    ("MaxPool_5a_2x2", "pool", ([2, 2, 2], [2, 2, 2])),
    ("Mixed_5b", "mixed", (256, 160, 320, 32, 128, 128)),
    ("Mixed_5c", "mixed", (384, 192, 384, 48, 128, 128)),
)

END_POINTS = tuple(name for name, _, _ in _LAYERS)


def _check_args(first_temporal_kernel_size, final_endpoint,
                depth_multiplier, data_format):
    if data_format not in ("NDHWC", "NCDHW"):
        raise ValueError(
            "s3dg: `data_format` must be 'NDHWC' or 'NCDHW'. Received: "
            f"{data_format!r}.")
    if depth_multiplier <= 0:
        raise ValueError(
            "s3dg: `depth_multiplier` must be greater than zero. Received: "
            f"{depth_multiplier!r}.")
    if first_temporal_kernel_size not in (1, 3, 5, 7):
        raise ValueError(
            "s3dg: `first_temporal_kernel_size` must be 1, 3, 5 or 7. "
            f"Received: {first_temporal_kernel_size!r}.")
    iu.check_final_endpoint("s3dg", final_endpoint, END_POINTS)


def _body(inputs, first_temporal_kernel_size, temporal_conv_startat,
          gating_startat, final_endpoint, min_depth, depth_multiplier,
          data_format):
    if len(inputs.shape) != 5:
        raise ValueError(
            "s3dg: expected 5-D video inputs [B, T, H, W, C]. Received "
            f"shape {tuple(inputs.shape)}.")

    def depth(d):
        return max(int(d * depth_multiplier), min_depth)

    def gating_fn(x, scope):
        return self_gating(x, scope, data_format=data_format)

    end_points: dict[str, Any] = {}
    t, gate = 1, None
    net = inputs
    with scopes.arg_scope([conv3d], weights_initializer=trunc_normal(0.01)), \
            scopes.arg_scope([conv3d, max_pool3d, conv3d_spatiotemporal],
                             stride=1, data_format=data_format,
                             padding="SAME"):
        for name, kind, args in _LAYERS:
            if name == temporal_conv_startat:
                t = 3
            if name == gating_startat:
                gate = gating_fn
            if kind == "first":
                net = conv3d_spatiotemporal(
                    net, depth(args[0]), [first_temporal_kernel_size, 7, 7],
                    stride=2, separable=False, scope=name)
            elif kind == "pool":
                net = max_pool3d(net, args[0], stride=args[1], scope=name)
            elif kind == "conv1":
                net = conv3d(net, depth(args[0]), [1, 1, 1], scope=name)
            elif kind == "conv3":
                net = conv3d_spatiotemporal(net, depth(args[0]), [t, 3, 3],
                                            scope=name)
                if gate is not None:
                    net = gate(net, scope=name)
            else:
                net = inception_block_v1_3d(
                    net, *[depth(d) for d in args], temporal_kernel_size=t,
                    self_gating_fn=gate, data_format=data_format,
                    scope=name)
            end_points[name] = net
            if name == final_endpoint:
                return net, end_points
    raise iu.unknown_endpoint("s3dg", final_endpoint, END_POINTS)


def s3dg_base(inputs, first_temporal_kernel_size: int = 3,
              temporal_conv_startat: str | None = "Conv2d_2c_3x3",
              gating_startat: str | None = "Conv2d_2c_3x3",
              final_endpoint: str = "Mixed_5c", min_depth: int = 16,
              depth_multiplier: float = 1.0, data_format: str = "NDHWC",
              scope: str = "InceptionV1"):
    """The I3D/S3D-G body up to ``final_endpoint``: ``(net, end_points)``.

    Args:
        inputs: ``[B, T, H, W, C]`` (or NCDHW with ``data_format``).
        first_temporal_kernel_size: 1, 3, 5 or 7 (kT of
            ``Conv2d_1a_7x7``, never separable).
        temporal_conv_startat: first block with 3-D (separable in the
            S3D-G arg_scope) 3x3 convs; a name not in :data:`END_POINTS`
            (e.g. None) keeps every 3x3 conv 2-D ([1, 3, 3]).
        gating_startat: first block with self-gating (None: none).
        final_endpoint: one of :data:`END_POINTS`.
        min_depth, depth_multiplier: widths ``max(int(d * m), min_depth)``.
        data_format: ``'NDHWC'`` or ``'NCDHW'``.
        scope: variable scope.
    """
    _check_args(first_temporal_kernel_size, final_endpoint,
                depth_multiplier, data_format)
    with naming.variable_scope(scope, "InceptionV1"):
        return _body(inputs, first_temporal_kernel_size,
                     temporal_conv_startat, gating_startat, final_endpoint,
                     min_depth, depth_multiplier, data_format)


default_cfgs = {
    "s3dg": registry.net_cfg(
        arg_scope=s3dg_arg_scope, default_image_size=224, num_classes=1000,
        logits_scopes=("InceptionV1/Logits",), preprocessing="inception",
        num_frames=64),
}


@registry.register_net
def s3dg(inputs, num_classes: int = 1000,
         first_temporal_kernel_size: int = 3,
         temporal_conv_startat: str | None = "Conv2d_2c_3x3",
         gating_startat: str | None = "Conv2d_2c_3x3",
         final_endpoint: str = "Mixed_5c", min_depth: int = 16,
         depth_multiplier: float = 1.0, dropout_keep_prob: float = 0.8,
         is_training: bool | None = None,
         prediction_fn: Callable = iu.softmax, spatial_squeeze: bool = True,
         reuse: bool | None = None, data_format: str = "NDHWC",
         scope: str = "InceptionV1"):
    """S3D-G classifier; returns ``(logits, end_points)``.

    After the base: ``Logits/AvgPool_0a_7x7`` (VALID average pool, kernel
    ``min(map, [2, 7, 7])``, stride 1), dropout ``Dropout_0b``, 1x1x1
    ``Conv2d_0c_1x1`` with biases, mean over time, squeeze to
    ``[B, num_classes]`` (``spatial_squeeze``); end points ``Logits`` and
    ``Predictions``. ``num_classes=0``/``None`` (not in research/slim)
    returns the pooled features averaged over time, ``[B, 1, 1, C]``, with
    no classifier variables. Other arguments: see :func:`s3dg_base`;
    ``is_training`` None follows Keras's ``training`` flag.
    """
    _check_args(first_temporal_kernel_size, final_endpoint,
                depth_multiplier, data_format)
    with naming.variable_scope(scope, "InceptionV1", reuse=reuse):
        with scopes.arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = _body(
                inputs, first_temporal_kernel_size, temporal_conv_startat,
                gating_startat, final_endpoint, min_depth, depth_multiplier,
                data_format)
            with naming.variable_scope("Logits"):
                return _logits(net, end_points, num_classes,
                               dropout_keep_prob, prediction_fn,
                               spatial_squeeze, data_format, "s3dg")


def _logits(net, end_points, num_classes, dropout_keep_prob, prediction_fn,
            spatial_squeeze, data_format, net_name):
    if data_format.startswith("NC"):
        net = ops.transpose(net, [0, 2, 3, 4, 1])
    kernel = i3d_utils.reduced_kernel_size_3d(net, [2, 7, 7])
    net = avg_pool3d(net, kernel, stride=1, data_format="NDHWC",
                     scope="AvgPool_0a_7x7")
    if not num_classes:  # headless (create_model's num_classes=0)
        return ops.mean(net, axis=1), end_points
    net = dropout(net, dropout_keep_prob, scope="Dropout_0b")
    logits = conv3d(net, num_classes, [1, 1, 1], activation_fn=None,
                    normalizer_fn=None, data_format="NDHWC",
                    scope="Conv2d_0c_1x1")
    logits = ops.mean(logits, axis=1)
    if spatial_squeeze:
        logits = iu.spatial_squeeze(logits, net_name)
    end_points["Logits"] = logits
    end_points["Predictions"] = iu.predictions(prediction_fn, logits)
    return logits, end_points
