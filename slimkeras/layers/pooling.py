"""slim pooling: ``max_pool2d``, ``avg_pool2d`` (+1-D/3-D) and ``pool``.

slim defaults: ``kernel_size`` required, ``stride=2``, ``padding='VALID'``.
Pools hold no variables; their scope names the output end point
(``vgg_16/pool1``). Default scopes ``MaxPool2D``/``AvgPool2D``.
"""

from __future__ import annotations

from typing import Literal

from keras import ops

from slimkeras.layers import base, conv_utils, validation


class _Pool(base.SlimLayer):
    POOL_DIMS = 2
    POOL_TYPE = "MAX"

    def __init__(
        self,
        kernel_size,
        stride=2,
        padding: Literal["SAME", "VALID"] = "VALID",
        data_format: str | None = None,
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(scope=scope, **kwargs)
        n = self.POOL_DIMS
        self._kernel_arg, self._stride_arg = kernel_size, stride
        self.kernel_size = validation.positive_tuple(
            kernel_size, n, "kernel_size")
        self.stride = validation.positive_tuple(stride, n, "stride")
        self.padding = validation.standardize_padding(padding)
        self.data_format = validation.standardize_data_format(
            data_format, validation.FORMATS[n])
        self.channels_first = self.data_format.startswith("NC")

    def build(self, input_shape):
        if len(input_shape) != self.POOL_DIMS + 2:
            raise ValueError(
                f"{type(self).__name__} {self.full_scope!r}: expected inputs "
                f"of rank {self.POOL_DIMS + 2}. Received input shape "
                f"{tuple(input_shape)}."
            )

    def call(self, inputs):
        fn = ops.max_pool if self.POOL_TYPE == "MAX" else ops.average_pool
        return conv_utils.in_channels_last(
            lambda x: fn(x, self.kernel_size, self.stride,
                         self.padding.lower(), data_format="channels_last"),
            inputs, self.channels_first)

    def compute_output_shape(self, input_shape):
        first = self.channels_first
        spatial = [
            conv_utils.conv_output_length(size, k, s, self.padding)
            for size, k, s in zip(conv_utils.spatial_dims(input_shape, first),
                                  self.kernel_size, self.stride, strict=False)
        ]
        return conv_utils.output_shape(
            input_shape, spatial, conv_utils.channels_dim(input_shape, first),
            first)

    def get_config(self):
        config = super().get_config()
        config.update({
            "kernel_size": validation.as_config(self._kernel_arg),
            "stride": validation.as_config(self._stride_arg),
            "padding": self.padding,
            "data_format": self.data_format,
        })
        return config


@base.slim_op("max_pool2d")
class MaxPool2D(_Pool):
    """2-D max pooling (slim ``max_pool2d``): stride 2, VALID by default."""

    DEFAULT_SCOPE = "MaxPool2D"


@base.slim_op("avg_pool2d")
class AvgPool2D(_Pool):
    """2-D average pooling (slim ``avg_pool2d``): stride 2, VALID."""

    DEFAULT_SCOPE = "AvgPool2D"
    POOL_TYPE = "AVG"


@base.slim_op("max_pool3d")
class MaxPool3D(_Pool):
    """3-D max pooling (slim ``max_pool3d``)."""

    DEFAULT_SCOPE = "MaxPool3D"
    POOL_DIMS = 3


@base.slim_op("avg_pool3d")
class AvgPool3D(_Pool):
    """3-D average pooling (slim ``avg_pool3d``)."""

    DEFAULT_SCOPE = "AvgPool3D"
    POOL_DIMS = 3
    POOL_TYPE = "AVG"


@base.slim_op("max_pool1d")
class MaxPool1D(_Pool):
    """1-D max pooling."""

    DEFAULT_SCOPE = "MaxPool1D"
    POOL_DIMS = 1


@base.slim_op("avg_pool1d")
class AvgPool1D(_Pool):
    """1-D average pooling."""

    DEFAULT_SCOPE = "AvgPool1D"
    POOL_DIMS = 1
    POOL_TYPE = "AVG"


max_pool2d = MaxPool2D.function
avg_pool2d = AvgPool2D.function
max_pool3d = MaxPool3D.function
avg_pool3d = AvgPool3D.function
max_pool1d = MaxPool1D.function
avg_pool1d = AvgPool1D.function
