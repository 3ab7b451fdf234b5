"""slim's generic ``pool``: N-D (N = 1, 2, 3) AVG/MAX pooling with dilation.

Defaults as slim: ``padding='VALID'``, ``stride=1``, ``dilation_rate=1``;
``stride`` and ``dilation_rate`` cannot both exceed 1. The default scope is
``avg_pool`` or ``max_pool`` (after ``pooling_type``), made unique.

``padding='SAME'`` with ``dilation_rate > 1`` raises ``ValueError``, as
the original does on TensorFlow 2 (``nn.pool`` no longer implements it).
"""

from __future__ import annotations

import inspect
import itertools

from keras import ops

from slimkeras import naming
from slimkeras import scopes
from slimkeras.layers import base
from slimkeras.layers.conv import _FORMATS, channels_first_perm

_TYPES = ("AVG", "MAX")


def _check_type(pooling_type) -> str:
    if not isinstance(pooling_type, str) or pooling_type.upper() not in _TYPES:
        raise ValueError(
            "pool: `pooling_type` must be 'AVG' or 'MAX'. Received: "
            f"pooling_type={pooling_type!r}."
        )
    return pooling_type.upper()


def _check_positive(value, name: str) -> None:
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1
        for v in items
    ):
        raise ValueError(
            f"pool: `{name}` must be an int or a list of ints >= 1. "
            f"Received: {name}={value!r}."
        )


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
        full_scope: str | None = None,
        **kwargs,
    ):
        self.pooling_type = _check_type(pooling_type)
        if full_scope is None:
            full_scope = naming.resolve_scope(
                scope, f"{self.pooling_type.lower()}_pool")
        super().__init__(full_scope=full_scope, **kwargs)
        self.padding = base.check_padding(padding)
        allowed = sum(_FORMATS.values(), ())
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
            _check_positive(v, name)
        if self._max(dilation_rate) > 1 and self.padding == "SAME":
            raise ValueError(
                "pool: padding='SAME' is not supported with `dilation_rate` "
                "> 1 (TensorFlow's nn.pool rejects it too). Received: "
                f"padding={padding!r}, dilation_rate={dilation_rate!r}."
            )
        if self._max(dilation_rate) > 1 and self._max(stride) > 1:
            raise ValueError(
                "pool: `stride` must be 1 when `dilation_rate` > 1. Received: "
                f"stride={stride!r}, dilation_rate={dilation_rate!r}."
            )

    @staticmethod
    def _max(v) -> int:
        return max(v) if hasattr(v, "__len__") else v

    def build(self, input_shape):
        rank = len(input_shape)
        n = rank - 2
        if n not in _FORMATS:
            raise ValueError(
                f"pool {self.full_scope!r}: inputs must have rank 3, 4 or 5. "
                f"Received input shape {tuple(input_shape)}."
            )
        if self.data_format is not None and self.data_format not in (
                _FORMATS[n]):
            raise ValueError(
                f"pool {self.full_scope!r}: data_format={self.data_format!r} "
                f"does not fit inputs of rank {rank}; use one of "
                f"{_FORMATS[n]}."
            )
        self._k = base.to_tuple(self.kernel_size, n, "kernel_size")
        self._d = base.to_tuple(self.dilation_rate, n, "dilation_rate")
        self._s = base.to_tuple(self.stride, n, "stride")
        self._dilated = max(self._d) > 1
        spatial = self._spatial(input_shape)
        if self.padding == "VALID":
            for size, k, d in zip(spatial, self._k, self._d):
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

    def _spatial(self, shape):
        return tuple(shape[2:] if self.channels_first else shape[1:-1])

    def call(self, inputs):
        x = inputs
        rank = len(x.shape)
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, True))
        if self._dilated:
            x = self._dilated_pool(x)
        else:
            fn = ops.max_pool if self.pooling_type == "MAX" else (
                ops.average_pool)
            x = fn(x, self._k, self._s, self.padding.lower(),
                   data_format="channels_last")
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, False))
        return x

    def _dilated_pool(self, x):
        """VALID pooling with dilation: the max/mean of strided slices."""
        out = [s - (k - 1) * d for s, k, d in
               zip(x.shape[1:-1], self._k, self._d)]
        result = None
        for offsets in itertools.product(*(range(k) for k in self._k)):
            index = [slice(None)]
            for o, d, size in zip(offsets, self._d, out):
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
        n = len(input_shape) - 2
        k = base.to_tuple(self.kernel_size, n, "kernel_size")
        d = base.to_tuple(self.dilation_rate, n, "dilation_rate")
        s = base.to_tuple(self.stride, n, "stride")
        out = []
        for size, ki, di, si in zip(self._spatial(input_shape), k, d, s):
            if size is None:
                out.append(None)
            elif self.padding == "SAME":
                out.append(-(-size // si))
            else:
                out.append((size - (ki - 1) * di - 1) // si + 1)
        if self.channels_first:
            return (input_shape[0], input_shape[1], *out)
        return (input_shape[0], *out, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        as_list = lambda v: list(v) if isinstance(v, (list, tuple)) else v  # noqa: E731
        config.update({
            "kernel_size": as_list(self.kernel_size),
            "pooling_type": self.pooling_type,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": as_list(self.dilation_rate),
            "stride": as_list(self.stride),
        })
        return config


_POSITIONAL = ("kernel_size", "pooling_type", "padding", "data_format",
               "dilation_rate", "stride")


def pool(inputs, *args, **kwargs):
    """slim ``pool(inputs, kernel_size, pooling_type, padding='VALID', …)``.

    Builds a :class:`Pool` under the current scopes and calls it; the
    default scope is ``avg_pool``/``max_pool`` (made unique), as in slim.
    """
    if len(args) > len(_POSITIONAL):
        raise TypeError(
            f"pool takes at most {len(_POSITIONAL) + 1} positional "
            f"arguments. Received {len(args) + 1}."
        )
    for key, value in zip(_POSITIONAL, args):
        if key in kwargs:
            raise TypeError(f"pool: got multiple values for {key!r}.")
        kwargs[key] = value
    if kwargs.get("scope") is None:
        ptype = kwargs.get("pooling_type", scopes.scoped_defaults(
            Pool._slim_key_op).get("pooling_type"))
        ptype = _check_type(ptype)
        kwargs["scope"] = naming.registry().unique(
            naming.current_scope_name(), f"{ptype.lower()}_pool")
    return Pool.function(inputs, **kwargs)


pool._slim_key_op = Pool.function._slim_key_op
pool.layer_class = Pool
pool.__signature__ = inspect.signature(Pool.function)
