"""Depthwise-separable convolution: slim's ``separable_conv2d``.

Variables: ``<scope>/depthwise_weights`` ``[kh, kw, in, depth_multiplier]``,
``<scope>/pointwise_weights`` ``[1, 1, in * depth_multiplier, out]`` (only
when ``num_outputs`` is not None) and ``<scope>/biases`` (absent with a
normalizer). With ``num_outputs=None`` only the depthwise convolution runs
and the output has ``in * depth_multiplier`` channels (MobileNet's
depthwise layers). Default scope ``SeparableConv2d``.
"""

from __future__ import annotations

from typing import Any, Literal

from keras import ops

from slimkeras import initializers as initializers_lib
from slimkeras.activations import relu
from slimkeras.layers import base, validation
from slimkeras.layers.conv_base import XAVIER, ConvBase


@base.slim_op("separable_convolution2d")
class SeparableConv2D(ConvBase):
    """Depthwise (+ pointwise) 2-D convolution with slim's names.

    Args:
        num_outputs: pointwise output channels; ``None`` skips the
            pointwise stage (depthwise convolution only).
        kernel_size: int or list of 2 ints (depthwise kernel).
        depth_multiplier: depthwise output channels per input channel.
        stride: int or list of 2 ints (depthwise stride).
        padding: ``'SAME'`` (default) or ``'VALID'``.
        data_format: ``'NHWC'`` (default) or ``'NCHW'`` (transposed
            around the kernel).
        rate: atrous rate; cannot exceed 1 together with ``stride``.
        activation_fn: default ``relu``; ``None`` for linear.
        normalizer_fn, normalizer_params: replace the biases.
        weights_initializer: depthwise initializer (default Xavier).
        pointwise_initializer: ``None`` uses ``weights_initializer``.
        weights_regularizer: applied to both depthwise and pointwise
            weights.
        biases_initializer (``None``: no biases), biases_regularizer,
        trainable, scope: as in ``conv2d`` (default scope
            ``SeparableConv2d``).

    Example:

    >>> import numpy as np, slimkeras as slim
    >>> dw = slim.layers.SeparableConv2D(None, [3, 3], depth_multiplier=2)
    >>> tuple(dw(np.zeros((1, 8, 8, 3), 'float32')).shape)
    (1, 8, 8, 6)
    >>> [v.path for v in dw.weights]
    ['SeparableConv2d/depthwise_weights', 'SeparableConv2d/biases']
    """

    DEFAULT_SCOPE = "SeparableConv2d"
    CONV_DIMS = 2
    NUM_OUTPUTS_OPTIONAL = True

    def __init__(
        self,
        num_outputs: int | None,
        kernel_size,
        depth_multiplier: int = 1,
        stride=1,
        padding: Literal["SAME", "VALID"] = "SAME",
        data_format: str | None = None,
        rate=1,
        activation_fn: Any = relu,
        normalizer_fn: Any = None,
        normalizer_params: dict | None = None,
        weights_initializer: Any = XAVIER,
        pointwise_initializer: Any = None,
        weights_regularizer: Any = None,
        biases_initializer: Any = "zeros",
        biases_regularizer: Any = None,
        trainable: bool = True,
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            num_outputs, kernel_size, stride, padding, data_format, rate,
            activation_fn, normalizer_fn, normalizer_params,
            weights_initializer, weights_regularizer, biases_initializer,
            biases_regularizer, trainable, scope, **kwargs)
        validation.check_positive_int(
            depth_multiplier, "depth_multiplier", self.OP_NAME)
        self.depth_multiplier = depth_multiplier
        # slim: None means the pointwise weights use weights_initializer.
        self.pointwise_initializer = initializers_lib.get(
            pointwise_initializer)

    def output_channels(self, channels):
        if self.num_outputs is not None:
            return self.num_outputs
        return None if channels is None else channels * self.depth_multiplier

    def build_kernels(self, channels: int) -> None:
        self.add_slim_weight(
            "depthwise_kernel", "depthwise_weights",
            (*self.kernel_size, channels, self.depth_multiplier),
            self.weights_initializer, self.weights_regularizer,
        )
        self.pointwise_kernel = None
        if self.num_outputs is not None:
            self.add_slim_weight(
                "pointwise_kernel", "pointwise_weights",
                (1, 1, channels * self.depth_multiplier, self.num_outputs),
                self.pointwise_initializer or self.weights_initializer,
                self.weights_regularizer,
            )

    def linear_op(self, x):
        args = {"strides": self.stride, "padding": self.padding.lower(),
                "data_format": "channels_last", "dilation_rate": self.rate}
        if self.pointwise_kernel is None:
            return ops.depthwise_conv(x, self.depthwise_kernel, **args)
        return ops.separable_conv(
            x, self.depthwise_kernel, self.pointwise_kernel, **args)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "pointwise_initializer": initializers_lib.serialize(
                self.pointwise_initializer),
        })
        return config


separable_convolution2d = separable_conv2d = SeparableConv2D.function
