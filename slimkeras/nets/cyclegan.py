"""CycleGAN ResNet generator (research/slim ``nets/cyclegan.py``).

"Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
Networks", Jun-Yan Zhu, Taesung Park, Phillip Isola, Alexei A. Efros,
arXiv:1703.10593.

Our own code; names, end points and numerics match the original. No
network scope: ``input/Conv`` (7x7 VALID after REFLECT pad 3),
``encoder/Conv``, ``encoder/Conv_1`` (stride 2 after REFLECT pad),
``residual_blocks/block_<i>/Conv`` + ``Conv_1`` (residual add, no
activation after it), ``decoder/decoder{1,2}/upconv/…`` (see
:func:`cyclegan_upsample`), ``output/Conv`` (7x7, biases, no norm).
Every ``conv2d`` in :func:`cyclegan_arg_scope` has InstanceNorm
(``<conv>/InstanceNorm/{beta,gamma}``) and no biases; the net enters
``arg_scope_fn()`` itself. Returns ``(tanh(logits) + slope * logits,
end_points)``.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
from keras import ops

from slimkeras import naming, regularizers, scopes
from slimkeras.activations import relu
from slimkeras.layers.conv import conv2d
from slimkeras.layers.conv_transpose import conv2d_transpose
from slimkeras.layers.normalization import instance_norm
from slimkeras.layers.upsample import (
    pad_spatial,
    resize_bilinear,
    resize_nearest,
)

__all__ = ["cyclegan_arg_scope", "cyclegan_upsample",
           "cyclegan_generator_resnet"]


def cyclegan_arg_scope(instance_norm_center: bool = True,
                       instance_norm_scale: bool = True,
                       instance_norm_epsilon: float = 0.001,
                       weights_init_stddev: float = 0.02,
                       weight_decay: float = 0.0) -> dict:
    """``conv2d`` with InstanceNorm, ``N(0, stddev)`` weights and an
    optional L2 regularizer (``weight_decay > 0``)."""
    params = {"center": instance_norm_center, "scale": instance_norm_scale,
              "epsilon": instance_norm_epsilon}
    reg = (regularizers.l2_regularizer(weight_decay)
           if weight_decay and weight_decay > 0.0 else None)
    with scopes.arg_scope(
            [conv2d], normalizer_fn=instance_norm, normalizer_params=params,
            weights_initializer=keras.initializers.RandomNormal(
                0.0, weights_init_stddev),
            weights_regularizer=reg) as sc:
        return sc


def cyclegan_upsample(net, num_outputs: int, stride,
                      method: str = "conv2d_transpose",
                      pad_mode: str = "REFLECT",
                      align_corners: bool = False):
    """Upsamples by ``stride`` under scope ``upconv``.

    ``'conv2d_transpose'``: 3x3 VALID transposed conv (``Conv2d_transpose``)
    cropped ``[:, 1:, 1:, :]``; ``'nn_upsample_conv'`` /
    ``'bilinear_upsample_conv'``: resize, pad 1 (``pad_mode``), 3x3 VALID
    ``Conv``.
    """
    stride = [int(s) for s in stride]
    with naming.variable_scope("upconv"):
        h, w = net.shape[1], net.shape[2]
        if method == "nn_upsample_conv":
            net = resize_nearest(net, stride)
        elif method == "bilinear_upsample_conv":
            net = resize_bilinear(net, [stride[0] * h, stride[1] * w],
                                  align_corners=align_corners)
        elif method == "conv2d_transpose":
            net = conv2d_transpose(net, num_outputs, kernel_size=[3, 3],
                                   stride=stride, padding="VALID")
            return net[:, 1:, 1:, :]
        else:
            raise ValueError(
                "cyclegan_upsample: unknown method "
                f"{method!r}; use 'nn_upsample_conv', "
                "'bilinear_upsample_conv' or 'conv2d_transpose'.")
        net = pad_spatial(net, (1, 1), pad_mode)
        return conv2d(net, num_outputs, kernel_size=[3, 3], padding="VALID")


def cyclegan_generator_resnet(images, arg_scope_fn: Callable =
                              cyclegan_arg_scope,
                              num_resnet_blocks: int = 6,
                              num_filters: int = 64,
                              upsample_fn: Callable = cyclegan_upsample,
                              kernel_size=3, tanh_linear_slope: float = 0.0,
                              is_training: bool | None = False):
    """The CycleGAN ResNet generator (see module doc).

    Input H and W must be multiples of 4. ``is_training`` is unused (no
    batch norm or dropout), as in the original.
    """
    del is_training
    shape = tuple(images.shape)
    if len(shape) != 4 or shape[3] is None:
        raise ValueError(
            "cyclegan_generator_resnet: images must be [B, H, W, C] with "
            f"known C. Received shape {shape}.")
    for what, size in (("height", shape[1]), ("width", shape[2])):
        if size and size % 4:
            raise ValueError(
                f"cyclegan_generator_resnet: the input {what} must be a "
                f"multiple of 4. Received shape {shape}.")
    num_outputs = int(shape[3])
    if not isinstance(kernel_size, (list, tuple)):
        kernel_size = [kernel_size, kernel_size]
    kh, kw = kernel_size
    pads = (((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2))
    end_points = {}
    with scopes.arg_scope(arg_scope_fn()):
        with naming.variable_scope("input"):
            net = pad_spatial(images, (3, 3), "REFLECT")
            net = conv2d(net, num_filters, kernel_size=[7, 7],
                         padding="VALID")
            end_points["encoder_0"] = net
        with naming.variable_scope("encoder"), scopes.arg_scope(
                [conv2d], kernel_size=kernel_size, stride=2,
                activation_fn=relu, padding="VALID"):
            net = pad_spatial(net, pads, "REFLECT")
            net = conv2d(net, num_filters * 2)
            end_points["encoder_1"] = net
            net = pad_spatial(net, pads, "REFLECT")
            net = conv2d(net, num_filters * 4)
            end_points["encoder_2"] = net
        with naming.variable_scope("residual_blocks"), scopes.arg_scope(
                [conv2d], kernel_size=kernel_size, stride=1,
                activation_fn=relu, padding="VALID"):
            for block_id in range(num_resnet_blocks):
                with naming.variable_scope(f"block_{block_id}"):
                    res = pad_spatial(net, pads, "REFLECT")
                    res = conv2d(res, num_filters * 4)
                    res = pad_spatial(res, pads, "REFLECT")
                    res = conv2d(res, num_filters * 4, activation_fn=None)
                    net = ops.add(net, res)
                    end_points[f"resnet_block_{block_id}"] = net
        with naming.variable_scope("decoder"), scopes.arg_scope(
                [conv2d], kernel_size=kernel_size, stride=1,
                activation_fn=relu):
            with naming.variable_scope("decoder1"):
                net = upsample_fn(net, num_outputs=num_filters * 2,
                                  stride=[2, 2])
            end_points["decoder1"] = net
            with naming.variable_scope("decoder2"):
                net = upsample_fn(net, num_outputs=num_filters,
                                  stride=[2, 2])
            end_points["decoder2"] = net
        with naming.variable_scope("output"):
            net = pad_spatial(net, (3, 3), "REFLECT")
            logits = conv2d(net, num_outputs, [7, 7], activation_fn=None,
                            normalizer_fn=None, padding="VALID")
            if None not in shape[1:3] and tuple(logits.shape[1:]) != \
                    shape[1:]:
                raise ValueError(
                    "cyclegan_generator_resnet: logits of shape "
                    f"{tuple(logits.shape)} do not match the input {shape}.")
            end_points["logits"] = logits
            pred = ops.tanh(logits)
            if tanh_linear_slope:
                pred = ops.add(pred, ops.multiply(logits, tanh_linear_slope))
            end_points["predictions"] = pred
    return end_points["predictions"], end_points
