"""pix2pix U-Net generator and PatchGAN discriminator (research/slim
``nets/pix2pix.py``).

"Image-to-Image Translation with Conditional Adversarial Networks",
Phillip Isola, Jun-Yan Zhu, Tinghui Zhou, Alexei A. Efros,
arXiv:1611.07004.

Our own code; names, end points and numerics match the original. No
network scope. Generator: ``encoder/Conv`` … (4x4 stride 2 SAME, leaky
relu; the first without norm, the last without norm and activation),
``decoder/Conv`` … (concat with the mirrored encoder output but for the
first, relu, upsample x2 + 4x4 conv, dropout ``decoder_keep_prob`` when
> 0), ``output/Conv`` (4x4, biases, no norm). **The decoder dropout runs
at inference too** (pinned ``is_training=True``, as the paper and the
original). Discriminator: ``conv0`` … ``conv<n>`` 4x4 VALID convs after
``padding`` (REFLECT) pixels; stride 2 but the last two; InstanceNorm but
on the first and last; logits ``[B, N, N, 1]``.
:func:`pix2pix_arg_scope`: InstanceNorm (epsilon 1e-5) and ``N(0, 0.02)``
weights for ``conv2d`` and ``conv2d_transpose``.
"""

from __future__ import annotations

import collections
from typing import Any

import keras
import numpy as np
from keras import ops

from slimkeras import naming, scopes
from slimkeras.layers.conv import conv2d
from slimkeras.layers.conv_transpose import conv2d_transpose
from slimkeras.layers.dropout import dropout
from slimkeras.layers.normalization import instance_norm
from slimkeras.layers.upsample import pad_spatial, resize_nearest

__all__ = ["pix2pix_arg_scope", "upsample", "Block", "pix2pix_generator",
           "pix2pix_discriminator"]


def pix2pix_arg_scope() -> dict:
    """InstanceNorm (center, scale, epsilon 1e-5) and ``N(0, 0.02)``
    weights for ``conv2d`` and ``conv2d_transpose``."""
    params = {"center": True, "scale": True, "epsilon": 0.00001}
    with scopes.arg_scope(
            [conv2d, conv2d_transpose], normalizer_fn=instance_norm,
            normalizer_params=params,
            weights_initializer=keras.initializers.RandomNormal(0.0, 0.02)
    ) as sc:
        return sc


def upsample(net, num_outputs: int, kernel_size,
             method: str = "nn_upsample_conv"):
    """Upsamples by ``kernel_size`` (factors): nearest resize + 4x4 SAME
    ``conv2d`` (``'nn_upsample_conv'``) or a 4x4 ``conv2d_transpose`` of
    that stride; no activation."""
    if method == "nn_upsample_conv":
        net = resize_nearest(net, kernel_size)
        return conv2d(net, num_outputs, [4, 4], activation_fn=None)
    if method == "conv2d_transpose":
        return conv2d_transpose(net, num_outputs, [4, 4],
                                stride=list(kernel_size), activation_fn=None)
    raise ValueError(
        f"pix2pix.upsample: unknown method {method!r}; use "
        "'nn_upsample_conv' or 'conv2d_transpose'.")


class Block(collections.namedtuple("Block",
                                   ["num_filters", "decoder_keep_prob"])):
    """One encoder/decoder level: filters and decoder dropout keep prob
    (0: no dropout)."""


def _default_generator_blocks():
    return [Block(64, 0.5), Block(128, 0.5), Block(256, 0.5),
            Block(512, 0), Block(512, 0), Block(512, 0), Block(512, 0)]


def pix2pix_generator(net, num_outputs: int, blocks=None,
                      upsample_method: str = "nn_upsample_conv",
                      is_training: Any = False):
    """U-Net generator: ``(logits [B, H, W, num_outputs], end_points)``
    with end points ``encoder<i>``, ``decoder<i>``, ``logits`` and
    ``predictions`` (tanh). ``is_training`` is unused, as upstream."""
    del is_training
    blocks = list(blocks or _default_generator_blocks())
    shape = list(net.shape)
    if len(shape) != 4:
        raise ValueError(
            "pix2pix_generator: inputs must be [B, H, W, C]. Received "
            f"shape {tuple(shape)}.")
    end_points = {}
    encoder_activations = []
    with naming.variable_scope("encoder"), scopes.arg_scope(
            [conv2d], kernel_size=[4, 4], stride=2,
            activation_fn="leaky_relu"):
        for block_id, block in enumerate(blocks):
            if block_id == 0:
                net = conv2d(net, block.num_filters, normalizer_fn=None)
            elif block_id < len(blocks) - 1:
                net = conv2d(net, block.num_filters)
            else:
                net = conv2d(net, block.num_filters, activation_fn=None,
                             normalizer_fn=None)
            encoder_activations.append(net)
            end_points[f"encoder{block_id}"] = net
    with naming.variable_scope("decoder"), scopes.arg_scope(
            [dropout], is_training=True):
        for block_id, block in enumerate(reversed(blocks)):
            if block_id > 0:
                net = ops.concatenate(
                    [net, encoder_activations[-block_id - 1]], axis=3)
            net = ops.relu(net)
            net = upsample(net, block.num_filters, [2, 2],
                           method=upsample_method)
            if block.decoder_keep_prob > 0:
                net = dropout(net, keep_prob=block.decoder_keep_prob)
            end_points[f"decoder{block_id}"] = net
    with naming.variable_scope("output"):
        logits = conv2d(net, num_outputs, [4, 4], activation_fn=None,
                        normalizer_fn=None)
        want = [shape[1], shape[2], num_outputs]
        got = list(logits.shape[1:])
        if None not in want and got != want:
            raise ValueError(
                f"pix2pix_generator: logits of shape {tuple(logits.shape)} "
                f"do not match the input {tuple(shape)} (H and W must be "
                f"divisible by 2**{len(blocks)}).")
        end_points["logits"] = logits
        end_points["predictions"] = ops.tanh(logits)
    return logits, end_points


def pix2pix_discriminator(net, num_filters, padding: int = 2,
                          pad_mode: str = "REFLECT",
                          activation_fn: Any = "leaky_relu",
                          is_training: Any = False):
    """PatchGAN discriminator: ``(logits [B, N, N, 1], end_points)`` with
    end points ``conv0`` … ``conv<n-1>``, ``logits``, ``predictions``
    (sigmoid). ``is_training`` is unused, as upstream."""
    del is_training
    if isinstance(padding, bool) or not isinstance(padding,
                                                   (int, np.integer)):
        raise TypeError(
            "pix2pix_discriminator: `padding` must be an int. Received: "
            f"padding={padding!r}.")
    if padding < 0:
        raise ValueError(
            "pix2pix_discriminator: `padding` must be >= 0. Received: "
            f"padding={padding!r}.")
    num_layers = len(num_filters)
    end_points = {}

    def padded(x):
        return pad_spatial(x, (padding, padding), pad_mode) if padding else x

    with scopes.arg_scope([conv2d], kernel_size=[4, 4], stride=2,
                          padding="VALID", activation_fn=activation_fn):
        net = conv2d(padded(net), num_filters[0], normalizer_fn=None,
                     scope="conv0")
        end_points["conv0"] = net
        for i in range(1, num_layers - 1):
            net = conv2d(padded(net), num_filters[i], scope=f"conv{i}")
            end_points[f"conv{i}"] = net
        name = f"conv{num_layers - 1}"
        net = conv2d(padded(net), num_filters[-1], stride=1, scope=name)
        end_points[name] = net
        logits = conv2d(padded(net), 1, stride=1, activation_fn=None,
                        normalizer_fn=None, scope=f"conv{num_layers}")
        end_points["logits"] = logits
        end_points["predictions"] = ops.sigmoid(logits)
    return logits, end_points
