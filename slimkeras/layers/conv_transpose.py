"""Transposed convolution: slim's ``conv2d_transpose``/``conv3d_transpose``.

Variables: ``<scope>/weights`` ``[*kernel_size, out, in]`` (the transposed
kernel layout) and ``<scope>/biases`` ``[out]`` (absent with a normalizer).
Default scopes ``Conv2d_transpose`` and ``Conv3d_transpose``.

Output size per spatial dimension: ``size * stride`` with ``'SAME'``,
``size * stride + max(kernel - stride, 0)`` with ``'VALID'``.
"""

from __future__ import annotations

from typing import Any, Literal

from keras import ops

from slimkeras.activations import relu
from slimkeras.layers import base, conv_utils
from slimkeras.layers.conv_base import XAVIER, ConvBase


class _ConvTranspose(ConvBase):
    """N-D transposed convolution (N = 2, 3) with slim's arguments and names.

    Args:
        num_outputs: number of output channels.
        kernel_size: int or list of N ints.
        stride: int or list of N ints (default 1).
        padding: ``'SAME'`` (default) or ``'VALID'``.
        data_format: ``'NHWC'``/``'NDHWC'`` (default) or ``'NCHW'``/
            ``'NCDHW'``; channels-first inputs are transposed around the
            kernel.
        activation_fn: default ``relu``; ``None`` for linear.
        normalizer_fn, normalizer_params: e.g. ``slim.batch_norm``;
            replace the biases.
        weights_initializer: default Xavier (Glorot uniform).
        weights_regularizer, biases_initializer (``None``: no biases),
        biases_regularizer, trainable, scope: as in ``conv2d``.

    Call arguments:
        inputs: a ``[batch, *spatial, channels]`` tensor (rank N + 2).
        training: passed to the normalizer.
    """

    CONV_DIMS = 2
    CONFIG_ARGS = ("num_outputs", "kernel_size", "stride", "padding",
                   "data_format")

    def __init__(
        self,
        num_outputs: int,
        kernel_size,
        stride=1,
        padding: Literal["SAME", "VALID"] = "SAME",
        data_format: str | None = None,
        activation_fn: Any = relu,
        normalizer_fn: Any = None,
        normalizer_params: dict | None = None,
        weights_initializer: Any = XAVIER,
        weights_regularizer: Any = None,
        biases_initializer: Any = "zeros",
        biases_regularizer: Any = None,
        trainable: bool = True,
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            num_outputs, kernel_size, stride, padding, data_format, 1,
            activation_fn, normalizer_fn, normalizer_params,
            weights_initializer, weights_regularizer, biases_initializer,
            biases_regularizer, trainable, scope, **kwargs)

    def kernel_shape(self, channels: int) -> tuple[int, ...]:
        # The transposed layout: [*kernel_size, out, in].
        return (*self.kernel_size, self.num_outputs, channels)

    def linear_op(self, x):
        return ops.conv_transpose(
            x, self.kernel, strides=self.stride,
            padding=self.padding.lower(), data_format="channels_last",
        )

    def output_length(self, size, kernel: int, stride: int, rate: int):
        return conv_utils.deconv_output_length(
            size, kernel, stride, self.padding)


@base.slim_op("convolution2d_transpose")
class Conv2DTranspose(_ConvTranspose):
    """2-D transposed convolution (slim ``conv2d_transpose``).

    Arguments as in ``_ConvTranspose`` with N = 2.

    Example:

    >>> import numpy as np, slimkeras as slim
    >>> layer = slim.layers.Conv2DTranspose(4, [3, 3], stride=2, scope='up')
    >>> tuple(layer(np.zeros((1, 5, 5, 3), 'float32')).shape)
    (1, 10, 10, 4)
    >>> [tuple(v.shape) for v in layer.weights]
    [(3, 3, 4, 3), (4,)]
    """

    DEFAULT_SCOPE = "Conv2d_transpose"
    CONV_DIMS = 2


@base.slim_op("convolution3d_transpose")
class Conv3DTranspose(_ConvTranspose):
    """3-D transposed convolution (slim ``conv3d_transpose``), N = 3."""

    DEFAULT_SCOPE = "Conv3d_transpose"
    CONV_DIMS = 3


convolution2d_transpose = conv2d_transpose = Conv2DTranspose.function
convolution3d_transpose = conv3d_transpose = Conv3DTranspose.function
