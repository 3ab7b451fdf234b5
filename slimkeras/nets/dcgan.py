"""DCGAN generator and discriminator (research/slim ``nets/dcgan.py``).

"Unsupervised Representation Learning with Deep Convolutional Generative
Adversarial Networks", Alec Radford, Luke Metz, Soumith Chintala,
arXiv:1511.06434.

Our own code; names, end points and numerics match the original.
``Generator/deconv1`` (4x4 stride 1 VALID transposed conv on the
``[B, 1, 1, N]`` noise), ``deconv2`` … (4x4 stride 2 SAME, batch norm +
relu), the last deconv (biases, no norm/activation) and the 1x1
``logits`` conv (no tanh). ``Discriminator/conv1`` … (4x4 stride 2,
leaky relu, batch norm but on the first) and ``Discriminator/Conv`` (1x1
VALID, reshaped to ``[B, 1]``). Transposed-conv kernels are stored
``[kH, kW, out, in]``. There is no arg_scope function (as upstream).

Batch norm: slim's non-fused legacy path (no gamma) with
``zero_debias_moving_mean=True``; its debias variables
(``moving_mean/biased``, ``moving_mean/local_step``) exist only when the
net can train (``is_training`` True or None), as in the original whose
inference graph has none. Divergence: ``is_training=None`` follows Keras's
``training`` flag (slim's default is True).
"""

from __future__ import annotations

import math

from keras import ops

from slimkeras import naming, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.conv_transpose import conv2d_transpose

__all__ = ["generator", "discriminator"]


def _log2(n: int, what: str) -> int:
    k = round(math.log2(n)) if n > 0 else -1
    if k < 0 or 2 ** k != n:
        raise ValueError(f"dcgan: {what} must be a power of 2. Received {n}.")
    return k


def _validate_image_inputs(inputs):
    shape = tuple(inputs.shape)
    if len(shape) != 4:
        raise ValueError(
            f"dcgan.discriminator: inputs must be [B, H, W, C]. Received "
            f"shape {shape}.")
    if shape[1] is None or shape[2] is None:
        raise ValueError(
            "dcgan.discriminator: height and width must be static. "
            f"Received shape {shape}.")
    if shape[1] != shape[2]:
        raise ValueError(
            "dcgan.discriminator: height and width must be equal. Received "
            f"shape {shape}.")
    return _log2(int(shape[1]), "the input width")


def _bn_args(is_training, fused_batch_norm):
    return {"is_training": is_training,
            "zero_debias_moving_mean": is_training is not False,
            "fused": fused_batch_norm}


def discriminator(inputs, depth: int = 64, is_training: bool | None = None,
                  reuse: bool | None = None, scope: str = "Discriminator",
                  fused_batch_norm: bool = False):
    """DCGAN discriminator: ``(logits [B, 1], end_points)``.

    ``log2(width)`` 4x4 stride-2 SAME convs ``conv1`` … of
    ``depth * 2**i`` channels (leaky relu 0.2; batch norm from ``conv2``),
    then the 1x1 VALID logits conv (scope ``Conv``) reshaped to
    ``[B, 1]``. Inputs must be square with a power-of-2 width.
    """
    num_layers = _validate_image_inputs(inputs)
    end_points = {}
    with naming.variable_scope(scope, "Discriminator", reuse=reuse), \
            scopes.arg_scope([batch_norm],
                             **_bn_args(is_training, fused_batch_norm)), \
            scopes.arg_scope([conv2d], stride=2, kernel_size=4,
                             activation_fn="leaky_relu"):
        net = inputs
        for i in range(num_layers):
            name = f"conv{i + 1}"
            net = conv2d(net, depth * 2 ** i,
                         normalizer_fn=None if i == 0 else batch_norm,
                         scope=name)
            end_points[name] = net
        logits = conv2d(net, 1, kernel_size=1, stride=1, padding="VALID",
                        normalizer_fn=None, activation_fn=None)
        logits = ops.reshape(logits, [-1, 1])
        end_points["logits"] = logits
    return logits, end_points


def generator(inputs, depth: int = 64, final_size: int = 32,
              num_outputs: int = 3, is_training: bool | None = None,
              reuse: bool | None = None, scope: str = "Generator",
              fused_batch_norm: bool = False):
    """DCGAN generator: ``(logits [B, final_size, final_size,
    num_outputs], end_points)`` from noise ``[B, N]``.

    ``deconv1`` (``depth * 2**(L-2)`` channels, L = log2(final_size) - 1)
    makes 4x4; ``deconv2`` … halve the channels and double the size (batch
    norm + relu); ``deconv<L>`` has ``depth`` channels, biases and no
    norm/activation; ``logits`` is a 1x1 conv. ``final_size`` must be a
    power of 2 and at least 8.
    """
    if len(inputs.shape) != 2:
        raise ValueError(
            "dcgan.generator: inputs must be [B, N] noise. Received shape "
            f"{tuple(inputs.shape)}.")
    _log2(final_size, "`final_size`")
    if final_size < 8:
        raise ValueError(
            f"dcgan.generator: `final_size` must be at least 8. Received "
            f"{final_size}.")
    num_layers = round(math.log2(final_size)) - 1
    end_points = {}
    with naming.variable_scope(scope, "Generator", reuse=reuse), \
            scopes.arg_scope([batch_norm],
                             **_bn_args(is_training, fused_batch_norm)), \
            scopes.arg_scope([conv2d_transpose], normalizer_fn=batch_norm,
                             stride=2, kernel_size=4):
        net = ops.expand_dims(ops.expand_dims(inputs, 1), 1)
        net = conv2d_transpose(net, depth * 2 ** (num_layers - 1), stride=1,
                               padding="VALID", scope="deconv1")
        end_points["deconv1"] = net
        for i in range(2, num_layers):
            name = f"deconv{i}"
            net = conv2d_transpose(net, depth * 2 ** (num_layers - i),
                                   scope=name)
            end_points[name] = net
        name = f"deconv{num_layers}"
        net = conv2d_transpose(net, depth, normalizer_fn=None,
                               activation_fn=None, scope=name)
        end_points[name] = net
        logits = conv2d(net, num_outputs, normalizer_fn=None,
                        activation_fn=None, kernel_size=1, stride=1,
                        padding="VALID", scope="logits")
        end_points["logits"] = logits
        want = (final_size, final_size, num_outputs)
        if tuple(logits.shape[1:]) != want:
            raise ValueError(
                f"dcgan.generator: built logits of shape "
                f"{tuple(logits.shape)}, expected [B, {want}].")
    return logits, end_points
