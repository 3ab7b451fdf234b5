"""slim's generic ``pool``: N-D (N = 1, 2, 3) AVG/MAX pooling with dilation.

Defaults as slim: ``padding='VALID'``, ``stride=1``, ``dilation_rate=1``;
``stride`` and ``dilation_rate`` cannot both exceed 1. The default scope is
``avg_pool`` or ``max_pool`` (after ``pooling_type``), made unique.

``padding='SAME'`` with ``dilation_rate > 1`` raises ``ValueError``, as
the original does on TensorFlow 2 (``nn.pool`` no longer implements it).
"""

from __future__ import annotations

import itertools

from keras import ops

from slimkeras.layers import base, conv_utils, validation

_TYPES = ("AVG", "MAX")


def _check_type(pooling_type) -> str:
    if not isinstance(pooling_type, str) or pooling_type.upper() not in _TYPES:
        raise ValueError(
            "pool: `pooling_type` must be 'AVG' or 'MAX'. Received: "
            f"pooling_type={pooling_type!r}."
        )
    return pooling_type.upper()


@base.slim_op("pool")
class Pool(base.SlimLayer):
    """N-D pooling; N is the input rank minus 2.

    Args:
        kernel_size: int or list of N ints >= 1.
        pooling_type: ``'AVG'`` or ``'MAX'``.
        padding: ``'VALID'`` (default) or ``'SAME'``.
        data_format: None (channels last) or e.g. ``'NHWC'``/``'NCHW'``
            (``'NWC'``/``'NCW'``, ``'NDHWC'``/``'NCDHW'`` for 1-D/3-D).
        dilation_rate: int or list of N ints >= 1 (default 1).
        stride: int or list of N ints >= 1 (default 1).
        scope: default ``avg_pool`` / ``max_pool``.
    """

    DEFAULT_SCOPE = "pool"

    def __init__(
        self,
        kernel_size,
        pooling_type: str,
        padding: str = "VALID",
        data_format: str | None = None,
        dilation_rate=1,
        stride=1,
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(scope=scope, **kwargs)
        self.pooling_type = _check_type(pooling_type)
        self.padding = validation.standardize_padding(padding)
        allowed = sum(validation.FORMATS.values(), ())
        if data_format is not None and data_format not in allowed:
            raise ValueError(
                f"pool: `data_format` must be None or one of {allowed}. "
                f"Received: data_format={data_format!r}."
            )
        self.data_format = data_format
        self.channels_first = bool(data_format) and data_format.startswith(
            "NC")
        self.kernel_size, self.dilation_rate, self.stride = (
            kernel_size, dilation_rate, stride)
        # Validated now for any N; the tuples are fixed in build().
        for name, v in (("kernel_size", kernel_size),
                        ("dilation_rate", dilation_rate), ("stride", stride)):
            validation.check_positive_int_or_list(v, name, "pool")
        if validation.largest(dilation_rate) > 1 and self.padding == "SAME":
            raise ValueError(
                "pool: padding='SAME' is not supported with `dilation_rate` "
                "> 1 (TensorFlow's nn.pool rejects it too). Received: "
                f"padding={padding!r}, dilation_rate={dilation_rate!r}."
            )
        validation.check_rate_or_stride(stride, dilation_rate, "pool",
                                        rate_name="dilation_rate")

    @classmethod
    def scope_from(cls, arguments):
        # slim: the default scope is avg_pool / max_pool, made unique.
        ptype = _check_type(arguments.get("pooling_type"))
        return arguments.get("scope"), f"{ptype.lower()}_pool"

    def build(self, input_shape):
        rank = len(input_shape)
        n = rank - 2
        if n not in validation.FORMATS:
            raise ValueError(
                f"pool {self.full_scope!r}: inputs must have rank 3, 4 or 5. "
                f"Received input shape {tuple(input_shape)}."
            )
        if self.data_format is not None and self.data_format not in (
                validation.FORMATS[n]):
            raise ValueError(
                f"pool {self.full_scope!r}: data_format={self.data_format!r} "
                f"does not fit inputs of rank {rank}; use one of "
                f"{validation.FORMATS[n]}."
            )
        self._k, self._d, self._s = self._tuples(n)
        self._dilated = max(self._d) > 1
        spatial = self._spatial(input_shape)
        if self.padding == "VALID":
            for size, k, d in zip(spatial, self._k, self._d, strict=False):
                if size is not None and size < (k - 1) * d + 1:
                    raise ValueError(
                        f"pool {self.full_scope!r}: with padding='VALID' the "
                        f"(dilated) kernel {self._k} does not fit the input. "
                        f"Received input shape {tuple(input_shape)}, "
                        f"dilation_rate={self.dilation_rate!r}."
                    )
        if self._dilated and any(s is None for s in spatial):
            raise ValueError(
                f"pool {self.full_scope!r}: dilated pooling needs known "
                f"spatial sizes. Received input shape {tuple(input_shape)}."
            )

    def _tuples(self, n: int):
        return tuple(
            validation.standardize_tuple(getattr(self, name), n, name)
            for name in ("kernel_size", "dilation_rate", "stride"))

    def _spatial(self, shape):
        return conv_utils.spatial_dims(shape, self.channels_first)

    def call(self, inputs):
        return conv_utils.in_channels_last(
            self._pool, inputs, self.channels_first)

    def _pool(self, x):
        if self._dilated:
            return self._dilated_pool(x)
        fn = ops.max_pool if self.pooling_type == "MAX" else ops.average_pool
        return fn(x, self._k, self._s, self.padding.lower(),
                  data_format="channels_last")

    def _dilated_pool(self, x):
        """VALID pooling with dilation: the max/mean of strided slices."""
        out = [s - (k - 1) * d for s, k, d in
               zip(x.shape[1:-1], self._k, self._d, strict=False)]
        result = None
        for offsets in itertools.product(*(range(k) for k in self._k)):
            index = [slice(None)]
            for o, d, size in zip(offsets, self._d, out, strict=False):
                index.append(slice(o * d, o * d + size))
            window = x[tuple(index)]
            if result is None:
                result = window
            elif self.pooling_type == "MAX":
                result = ops.maximum(result, window)
            else:
                result = result + window
        if self.pooling_type == "AVG":
            count = 1
            for k in self._k:
                count *= k
            result = result / count
        return result

    def compute_output_shape(self, input_shape):
        kernel, dilation, stride = self._tuples(len(input_shape) - 2)
        spatial = [
            conv_utils.conv_output_length(size, k, s, self.padding, d)
            for size, k, d, s in zip(self._spatial(input_shape), kernel,
                                     dilation, stride, strict=False)
        ]
        return conv_utils.output_shape(
            input_shape, spatial,
            conv_utils.channels_dim(input_shape, self.channels_first),
            self.channels_first)

    def get_config(self):
        config = super().get_config()
        as_list = validation.as_config
        config.update({
            "kernel_size": as_list(self.kernel_size),
            "pooling_type": self.pooling_type,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": as_list(self.dilation_rate),
            "stride": as_list(self.stride),
        })
        return config


pool = Pool.function
