"""slim pooling: ``max_pool2d``, ``avg_pool2d`` (+1-D/3-D) and ``pool``.

slim defaults: ``kernel_size`` required, ``stride=2``, ``padding='VALID'``.
Pools hold no variables; their scope names the output end point
(``vgg_16/pool1``). Default scopes ``MaxPool2D``/``AvgPool2D``.
"""

from __future__ import annotations

from typing import Literal

from keras import ops

from slimkeras.layers import base
from slimkeras.layers.conv import _FORMATS, channels_first_perm


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
        full_scope: str | None = None,
        **kwargs,
    ):
        super().__init__(scope=scope, full_scope=full_scope, **kwargs)
        n = self.POOL_DIMS
        self._kernel_arg, self._stride_arg = kernel_size, stride
        self.kernel_size = base.to_tuple(kernel_size, n, "kernel_size")
        self.stride = base.to_tuple(stride, n, "stride")
        base.check_positive_ints(self.kernel_size, "kernel_size")
        base.check_positive_ints(self.stride, "stride")
        self.padding = base.check_padding(padding)
        self.data_format = base.check_data_format(data_format, _FORMATS[n])
        self.channels_first = self.data_format.startswith("NC")

    def build(self, input_shape):
        if len(input_shape) != self.POOL_DIMS + 2:
            raise ValueError(
                f"{type(self).__name__} {self.full_scope!r}: expected inputs "
                f"of rank {self.POOL_DIMS + 2}. Received input shape "
                f"{tuple(input_shape)}."
            )

    def call(self, inputs):
        x = inputs
        rank = self.POOL_DIMS + 2
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, True))
        fn = ops.max_pool if self.POOL_TYPE == "MAX" else ops.average_pool
        x = fn(x, self.kernel_size, self.stride, self.padding.lower(),
               data_format="channels_last")
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, False))
        return x

    def compute_output_shape(self, input_shape):
        spatial = input_shape[2:] if self.channels_first else input_shape[1:-1]
        out = []
        for size, k, s in zip(spatial, self.kernel_size, self.stride):
            if size is None:
                out.append(None)
            elif self.padding == "SAME":
                out.append(-(-size // s))
            else:
                out.append((size - k) // s + 1)
        if self.channels_first:
            return (input_shape[0], input_shape[1], *out)
        return (input_shape[0], *out, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        as_list = lambda v: list(v) if isinstance(v, (list, tuple)) else v  # noqa: E731
        config.update({
            "kernel_size": as_list(self._kernel_arg),
            "stride": as_list(self._stride_arg),
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
