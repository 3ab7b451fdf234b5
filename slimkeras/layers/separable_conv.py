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
from slimkeras import regularizers as regularizers_lib
from slimkeras.activations import relu
from slimkeras.layers import base
from slimkeras.layers.conv import _FORMATS, channels_first_perm
from slimkeras.layers.conv_transpose import as_config, check_num_outputs
from slimkeras.layers.post import NormActMixin


@base.slim_op("separable_convolution2d")
class SeparableConv2D(NormActMixin, base.SlimLayer):
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
        weights_initializer: Any = None,
        pointwise_initializer: Any = None,
        weights_regularizer: Any = None,
        biases_initializer: Any = "zeros",
        biases_regularizer: Any = None,
        trainable: bool = True,
        scope: str | None = None,
        full_scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            scope=scope, full_scope=full_scope, trainable=trainable, **kwargs
        )
        check_num_outputs(num_outputs, "separable_conv2d", allow_none=True)
        if (
            isinstance(depth_multiplier, bool)
            or not isinstance(depth_multiplier, int)
            or depth_multiplier <= 0
        ):
            raise ValueError(
                "separable_conv2d: `depth_multiplier` must be a positive int. "
                f"Received: depth_multiplier={depth_multiplier!r}."
            )
        self.num_outputs = num_outputs
        self.depth_multiplier = depth_multiplier
        self._kernel_arg, self._stride_arg = kernel_size, stride
        self._rate_arg = rate
        self.kernel_size = base.to_tuple(kernel_size, 2, "kernel_size")
        self.stride = base.to_tuple(stride, 2, "stride")
        self.rate = base.to_tuple(rate, 2, "rate")
        for value, name in ((self.kernel_size, "kernel_size"),
                            (self.stride, "stride"), (self.rate, "rate")):
            base.check_positive_ints(value, name)
        if max(self.stride) > 1 and max(self.rate) > 1:
            raise ValueError(
                "separable_conv2d: only one of rate or stride can be larger "
                f"than one. Received: stride={stride!r}, rate={rate!r}."
            )
        self.padding = base.check_padding(padding)
        self.data_format = base.check_data_format(data_format, _FORMATS[2])
        self.channels_first = self.data_format == "NCHW"
        self.weights_initializer = initializers_lib.get(
            weights_initializer
        ) or initializers_lib.xavier_initializer()
        self.pointwise_initializer = initializers_lib.get(
            pointwise_initializer)
        self.weights_regularizer = regularizers_lib.get(weights_regularizer)
        self._setup_post(
            activation_fn, normalizer_fn, normalizer_params,
            biases_initializer, biases_regularizer,
        )

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"separable_conv2d {self.full_scope!r}: expected inputs of "
                f"rank 4. Received input shape {tuple(input_shape)}."
            )
        channels = input_shape[1] if self.channels_first else input_shape[-1]
        if channels is None:
            raise ValueError(
                f"separable_conv2d {self.full_scope!r}: the channels "
                "dimension of the inputs must be known. Received input "
                f"shape {tuple(input_shape)}."
            )
        mid = int(channels) * self.depth_multiplier
        self.add_slim_weight(
            "depthwise_kernel", "depthwise_weights",
            (*self.kernel_size, int(channels), self.depth_multiplier),
            self.weights_initializer, self.weights_regularizer,
        )
        self.pointwise_kernel = None
        if self.num_outputs is not None:
            self.add_slim_weight(
                "pointwise_kernel", "pointwise_weights",
                (1, 1, mid, self.num_outputs),
                self.pointwise_initializer or self.weights_initializer,
                self.weights_regularizer,
            )
        self._post_build_biases(self.num_outputs or mid)
        self._build_post(self.compute_output_shape(input_shape))

    def call(self, inputs, training=None):
        x = inputs
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(4, True))
        if self.pointwise_kernel is None:
            x = ops.depthwise_conv(
                x, self.depthwise_kernel, strides=self.stride,
                padding=self.padding.lower(), data_format="channels_last",
                dilation_rate=self.rate,
            )
        else:
            x = ops.separable_conv(
                x, self.depthwise_kernel, self.pointwise_kernel,
                strides=self.stride, padding=self.padding.lower(),
                data_format="channels_last", dilation_rate=self.rate,
            )
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(4, False))
        return self._apply_post(x, training, 1 if self.channels_first else -1)

    def compute_output_shape(self, input_shape):
        if self.channels_first:
            channels, spatial = input_shape[1], input_shape[2:]
        else:
            channels, spatial = input_shape[-1], input_shape[1:-1]
        out = []
        for size, k, s, r in zip(spatial, self.kernel_size, self.stride,
                                  self.rate):
            if size is None:
                out.append(None)
            elif self.padding == "SAME":
                out.append(-(-size // s))
            else:
                out.append(-(-(size - (k - 1) * r) // s))
        depth = self.num_outputs
        if depth is None:
            depth = None if channels is None else channels * (
                self.depth_multiplier)
        if self.channels_first:
            return (input_shape[0], depth, *out)
        return (input_shape[0], *out, depth)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_outputs": self.num_outputs,
            "kernel_size": as_config(self._kernel_arg),
            "depth_multiplier": self.depth_multiplier,
            "stride": as_config(self._stride_arg),
            "padding": self.padding,
            "data_format": self.data_format,
            "rate": as_config(self._rate_arg),
            "weights_initializer": initializers_lib.serialize(
                self.weights_initializer),
            "pointwise_initializer": initializers_lib.serialize(
                self.pointwise_initializer),
            "weights_regularizer": regularizers_lib.serialize(
                self.weights_regularizer),
        })
        config.update(self._post_config())
        return config


separable_convolution2d = separable_conv2d = SeparableConv2D.function
