"""I3D: Inflated 3-D Inception-v1 (research/slim ``nets/i3d.py``).

"Quo Vadis, Action Recognition? A New Model and the Kinetics Dataset",
Joao Carreira, Andrew Zisserman, arXiv:1705.07750.

I3D is the S3D-G base (:mod:`slimkeras.nets.s3dg`) with
``first_temporal_kernel_size=7``, 3-D ``[3, 3, 3]`` convs from
``Conv2d_2c_3x3`` on (not separable unless ``i3d_arg_scope(
separable_conv3d=True)``), no self-gating, ``min_depth=16`` and depth
multiplier 1: scope ``InceptionV1``, the same variable names, end points
and head as ``s3dg``.

Divergence: ``is_training=None`` (default; slim's is True) follows Keras's
``training`` flag. ``use_renorm=True`` raises (batch renormalisation is not
implemented by slimkeras' ``batch_norm``).
"""

from __future__ import annotations

from collections.abc import Callable

from slimkeras import naming, regularizers, scopes
from slimkeras.activations import relu
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv3d
from slimkeras.layers.dropout import dropout
from slimkeras.nets import inception_utils as iu
from slimkeras.nets import registry
from slimkeras.nets import s3dg as s3dg_lib

__all__ = ["i3d", "i3d_base", "i3d_arg_scope"]

conv3d_spatiotemporal = s3dg_lib.conv3d_spatiotemporal

_I3D = dict(first_temporal_kernel_size=7,
            temporal_conv_startat="Conv2d_2c_3x3", gating_startat=None,
            min_depth=16, depth_multiplier=1.0, data_format="NDHWC")


def i3d_arg_scope(weight_decay: float = 1e-7,
                  batch_norm_decay: float = 0.999,
                  batch_norm_epsilon: float = 0.001,
                  use_renorm: bool = False,
                  separable_conv3d: bool = False) -> dict:
    """I3D's arg_scope: L2 weights, relu, non-fused batch norm (no gamma);
    ``separable_conv3d`` makes ``conv3d_spatiotemporal`` separable."""
    bn = {"decay": batch_norm_decay, "epsilon": batch_norm_epsilon,
          "fused": False}
    if use_renorm:
        bn["renorm"] = True  # batch_norm raises NotImplementedError
    with scopes.arg_scope(
            [conv3d, conv3d_spatiotemporal],
            weights_regularizer=regularizers.l2_regularizer(weight_decay),
            activation_fn=relu, normalizer_fn=batch_norm,
            normalizer_params=bn):
        with scopes.arg_scope([conv3d_spatiotemporal],
                              separable=separable_conv3d) as sc:
            return sc


def i3d_base(inputs, final_endpoint: str = "Mixed_5c",
             scope: str = "InceptionV1"):
    """The I3D body up to ``final_endpoint``: ``(net, end_points)``."""
    return s3dg_lib.s3dg_base(inputs, final_endpoint=final_endpoint,
                              scope=scope, **_I3D)


default_cfgs = {
    "i3d": registry.net_cfg(
        arg_scope=i3d_arg_scope, default_image_size=224, num_classes=1000,
        logits_scopes=("InceptionV1/Logits",), preprocessing="inception",
        num_frames=64),
}


@registry.register_net
def i3d(inputs, num_classes: int = 1000, dropout_keep_prob: float = 0.8,
        is_training: bool | None = None,
        prediction_fn: Callable = iu.softmax, spatial_squeeze: bool = True,
        reuse: bool | None = None, scope: str = "InceptionV1"):
    """I3D classifier; returns ``(logits, end_points)`` (head as
    :func:`slimkeras.nets.s3dg.s3dg`)."""
    with naming.variable_scope(scope, "InceptionV1", reuse=reuse):
        with scopes.arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = s3dg_lib._body(
                inputs, _I3D["first_temporal_kernel_size"],
                _I3D["temporal_conv_startat"], _I3D["gating_startat"],
                "Mixed_5c", _I3D["min_depth"], _I3D["depth_multiplier"],
                "NDHWC")
            with naming.variable_scope("Logits"):
                return s3dg_lib._logits(net, end_points, num_classes,
                                        dropout_keep_prob, prediction_fn,
                                        spatial_squeeze, "NDHWC", "i3d")
