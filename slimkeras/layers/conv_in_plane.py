"""In-plane convolution: slim's ``conv2d_in_plane``.

One ``[kh, kw]`` kernel is applied to every channel independently (e.g.
image gradients with a ``[1, -1]`` kernel). Variables: ``<scope>/weights``
``[kh, kw, 1, 1]`` and ``<scope>/biases`` ``[channels]`` (absent with a
normalizer). Inputs are NHWC. Default scope ``ConvInPlane``.
"""

from __future__ import annotations

from typing import Any, Literal

from keras import ops

from slimkeras.activations import relu
from slimkeras.layers import base
from slimkeras.layers.conv_base import XAVIER, ConvBase


@base.slim_op("convolution2d_in_plane")
class ConvInPlane(ConvBase):
    """The same 2-D kernel convolved with each channel on its own.

    Args:
        kernel_size: int or list of 2 ints.
        stride: int or list of 2 ints (default 1).
        padding: ``'SAME'`` (default) or ``'VALID'``.
        activation_fn: default ``relu``; ``None`` for linear.
        normalizer_fn, normalizer_params: replace the biases.
        weights_initializer: default Xavier (Glorot uniform).
        weights_regularizer, biases_initializer (``None``: no biases),
        biases_regularizer, trainable, scope: as in ``conv2d`` (default
            scope ``ConvInPlane``).

    Call arguments:
        inputs: a ``[batch, height, width, channels]`` tensor.
        training: passed to the normalizer.

    Example:

    >>> import numpy as np, slimkeras as slim
    >>> layer = slim.layers.ConvInPlane([1, 2], activation_fn=None)
    >>> tuple(layer(np.zeros((1, 4, 4, 3), 'float32')).shape)
    (1, 4, 4, 3)
    >>> [tuple(v.shape) for v in layer.weights]
    [(1, 2, 1, 1), (3,)]
    """

    DEFAULT_SCOPE = "ConvInPlane"
    CONV_DIMS = 2
    NUM_OUTPUTS_OPTIONAL = True  # the output depth is the input depth
    CONFIG_ARGS = ("kernel_size", "stride", "padding")

    def __init__(
        self,
        kernel_size,
        stride=1,
        padding: Literal["SAME", "VALID"] = "SAME",
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
            None, kernel_size, stride, padding, "NHWC", 1,
            activation_fn, normalizer_fn, normalizer_params,
            weights_initializer, weights_regularizer, biases_initializer,
            biases_regularizer, trainable, scope, **kwargs)

    def kernel_shape(self, channels: int) -> tuple[int, ...]:
        return (*self.kernel_size, 1, 1)

    def output_channels(self, channels):
        return channels

    def build_kernels(self, channels: int) -> None:
        self.channels = channels
        super().build_kernels(channels)

    def linear_op(self, x):
        kernel = ops.tile(self.kernel, (1, 1, self.channels, 1))
        return ops.depthwise_conv(
            x, kernel, strides=self.stride,
            padding=self.padding.lower(), data_format="channels_last",
        )


convolution2d_in_plane = conv2d_in_plane = ConvInPlane.function
