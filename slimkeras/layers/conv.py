"""Convolution: slim's ``convolution``, ``conv1d``, ``conv2d``, ``conv3d``.

Variables: ``<scope>/weights`` ``[*kernel_size, in, out]`` and
``<scope>/biases`` (absent with a normalizer, which lives at
``<scope>/BatchNorm``). Default scope ``Conv``.
"""

from __future__ import annotations

from typing import Any, Literal

from keras import ops

from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.activations import relu
from slimkeras.layers import base
from slimkeras.layers.post import NormActMixin

_FORMATS = {
    1: ("NWC", "NCW"),
    2: ("NHWC", "NCHW"),
    3: ("NDHWC", "NCDHW"),
}


def channels_first_perm(rank: int, to_last: bool) -> list[int]:
    if to_last:
        return [0] + list(range(2, rank)) + [1]
    return [0, rank - 1] + list(range(1, rank - 1))


@base.slim_op("convolution")
class Convolution(NormActMixin, base.SlimLayer):
    """N-D convolution (N = 1, 2, 3) with slim's arguments and names.

    Args:
        num_outputs: number of output channels.
        kernel_size: int or list of N ints.
        stride: int or list of N ints (default 1).
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NHWC'`` (default) or ``'NCHW'`` (and the 1-D/3-D
            equivalents). Channels-first inputs are transposed around the
            kernel on CPU, where TF has no channels-first convolution.
        rate: atrous (dilation) rate; cannot exceed 1 together with stride.
        activation_fn: default ``relu``; ``None`` for linear.
        normalizer_fn: e.g. ``slim.batch_norm``; replaces the biases.
        normalizer_params: kwargs for ``normalizer_fn``.
        weights_initializer: default Xavier (Glorot uniform).
        weights_regularizer: e.g. ``slim.l2_regularizer(4e-5)``.
        biases_initializer: default zeros; ``None`` for no biases.
        biases_regularizer: optional.
        trainable: whether the variables are trainable.
        scope: slim scope (default ``Conv``).
        conv_dims: N; inferred from the input rank when None.

    Call arguments:
        inputs: a ``[batch, *spatial, channels]`` tensor.
        training: passed to the normalizer.

    Example:

    >>> import numpy as np, slimkeras as slim
    >>> layer = slim.layers.Conv2D(4, [3, 3], scope='conv1')
    >>> tuple(layer(np.zeros((1, 8, 8, 3), 'float32')).shape)
    (1, 8, 8, 4)
    >>> [v.path for v in layer.weights]
    ['conv1/weights', 'conv1/biases']
    """

    DEFAULT_SCOPE = "Conv"
    CONV_DIMS: int | None = None

    def __init__(
        self,
        num_outputs: int,
        kernel_size,
        stride=1,
        padding: Literal["SAME", "VALID"] = "SAME",
        data_format: str | None = None,
        rate=1,
        activation_fn: Any = relu,
        normalizer_fn: Any = None,
        normalizer_params: dict | None = None,
        weights_initializer: Any = None,
        weights_regularizer: Any = None,
        biases_initializer: Any = "zeros",
        biases_regularizer: Any = None,
        trainable: bool = True,
        scope: str | None = None,
        conv_dims: int | None = None,
        full_scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            scope=scope, full_scope=full_scope, trainable=trainable, **kwargs
        )
        conv_dims = conv_dims or self.CONV_DIMS
        if conv_dims is not None and conv_dims not in (1, 2, 3):
            raise ValueError(
                "`conv_dims` must be 1, 2 or 3. "
                f"Received: conv_dims={conv_dims!r}."
            )
        if (
            isinstance(num_outputs, bool)
            or not isinstance(num_outputs, int)
            or num_outputs <= 0
        ):
            raise ValueError(
                "`num_outputs` must be a positive int. "
                f"Received: num_outputs={num_outputs!r}."
            )
        self.conv_dims = conv_dims
        self.num_outputs = num_outputs
        self._kernel_arg = kernel_size
        self._stride_arg = stride
        self._rate_arg = rate
        self.padding = base.check_padding(padding)
        self.data_format = data_format
        if conv_dims is not None:
            self._resolve_dims(conv_dims)
        self.weights_initializer = initializers_lib.get(
            weights_initializer
        ) or initializers_lib.xavier_initializer()
        self.weights_regularizer = regularizers_lib.get(weights_regularizer)
        self._setup_post(
            activation_fn, normalizer_fn, normalizer_params,
            biases_initializer, biases_regularizer,
        )

    def _resolve_dims(self, n: int) -> None:
        self.kernel_size = base.to_tuple(self._kernel_arg, n, "kernel_size")
        self.stride = base.to_tuple(self._stride_arg, n, "stride")
        self.rate = base.to_tuple(self._rate_arg, n, "rate")
        base.check_positive_ints(self.kernel_size, "kernel_size")
        base.check_positive_ints(self.stride, "stride")
        base.check_positive_ints(self.rate, "rate")
        if max(self.stride) > 1 and max(self.rate) > 1:
            raise ValueError(
                "Only one of rate or stride can be larger than one. "
                f"Received: stride={self._stride_arg!r}, "
                f"rate={self._rate_arg!r}."
            )
        self.data_format = base.check_data_format(
            self.data_format, _FORMATS[n]
        )
        self.channels_first = self.data_format.startswith("NC")

    def build(self, input_shape):
        rank = len(input_shape)
        if self.conv_dims is None:
            if rank not in (3, 4, 5):
                raise ValueError(
                    f"{type(self).__name__} {self.full_scope!r}: inputs must "
                    "have rank 3, 4 or 5 (batch, spatial…, channels). "
                    f"Received input shape {tuple(input_shape)}."
                )
            self.conv_dims = rank - 2
            self._resolve_dims(self.conv_dims)
        if rank != self.conv_dims + 2:
            raise ValueError(
                f"{type(self).__name__} {self.full_scope!r}: expected inputs "
                f"of rank {self.conv_dims + 2}. Received input shape "
                f"{tuple(input_shape)}."
            )
        channels = input_shape[1] if self.channels_first else input_shape[-1]
        if channels is None:
            raise ValueError(
                f"{self.full_scope!r}: the channels dimension of the inputs "
                f"must be known. Received input shape {tuple(input_shape)}."
            )
        self.add_slim_weight(
            "kernel", "weights",
            (*self.kernel_size, int(channels), self.num_outputs),
            self.weights_initializer, self.weights_regularizer,
        )
        self._post_build_biases(self.num_outputs)
        self._build_post(self.compute_output_shape(input_shape))

    def call(self, inputs, training=None):
        x = inputs
        rank = self.conv_dims + 2
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, True))
        if self._is_dense(x.shape):
            x = self._dense_conv(x)
        else:
            x = ops.conv(
                x, self.kernel, strides=self.stride,
                padding=self.padding.lower(), data_format="channels_last",
                dilation_rate=self.rate,
            )
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, False))
        return self._apply_post(x, training, 1 if self.channels_first else -1)

    def _is_dense(self, shape) -> bool:
        """A kernel covering the whole (static) input is a matmul.

        slim writes VGG/AlexNet/OverFeat's fully connected layers as convs
        (fc6 k x k VALID on a k x k map, fc7/fc8 1 x 1 on 1 x 1). A matmul
        computes the same sums and runs faster than the conv kernel.
        """
        spatial = tuple(shape[1:-1])
        if any(d is None for d in spatial) or max(self.rate) > 1:
            return False
        if spatial != tuple(self.kernel_size):
            return False
        return self.padding == "VALID" or all(k == 1 for k in spatial)

    def _dense_conv(self, x):
        k = self.kernel
        fan_in = 1
        for d in k.shape[:-1]:
            fan_in *= int(d)
        flat = ops.reshape(x, (-1, fan_in))
        y = ops.matmul(flat, ops.reshape(k, (fan_in, self.num_outputs)))
        return ops.reshape(y, (-1,) + (1,) * self.conv_dims
                           + (self.num_outputs,))

    def compute_output_shape(self, input_shape):
        n = self.conv_dims or len(input_shape) - 2
        if self.conv_dims is None:
            self._resolve_dims(n)
        spatial = input_shape[2:] if self.channels_first else input_shape[1:-1]
        out = []
        for size, k, s, r in zip(spatial, self.kernel_size, self.stride,
                                  self.rate):
            if size is None:
                out.append(None)
            elif self.padding == "SAME":
                out.append(-(-size // s))
            else:
                out.append(-(-(size - (k - 1) * r) // s))
        if self.channels_first:
            return (input_shape[0], self.num_outputs, *out)
        return (input_shape[0], *out, self.num_outputs)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_outputs": self.num_outputs,
            "kernel_size": list(self._kernel_arg) if isinstance(
                self._kernel_arg, (list, tuple)) else self._kernel_arg,
            "stride": list(self._stride_arg) if isinstance(
                self._stride_arg, (list, tuple)) else self._stride_arg,
            "padding": self.padding,
            "data_format": self.data_format,
            "rate": list(self._rate_arg) if isinstance(
                self._rate_arg, (list, tuple)) else self._rate_arg,
            "weights_initializer": initializers_lib.serialize(
                self.weights_initializer),
            "weights_regularizer": regularizers_lib.serialize(
                self.weights_regularizer),
            "conv_dims": self.conv_dims,
        })
        config.update(self._post_config())
        return config


@base.slim_op("convolution1d")
class Conv1D(Convolution):
    """1-D convolution (slim ``conv1d``/``convolution1d``); see Convolution."""

    CONV_DIMS = 1


@base.slim_op("convolution2d")
class Conv2D(Convolution):
    """2-D convolution (slim ``conv2d``/``convolution2d``); see Convolution."""

    CONV_DIMS = 2


@base.slim_op("convolution3d")
class Conv3D(Convolution):
    """3-D convolution (slim ``conv3d``/``convolution3d``); see Convolution."""

    CONV_DIMS = 3


convolution = Convolution.function
convolution1d = conv1d = Conv1D.function
convolution2d = conv2d = Conv2D.function
convolution3d = conv3d = Conv3D.function
