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

from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.activations import relu
from slimkeras.layers import base
from slimkeras.layers.conv import _FORMATS, channels_first_perm
from slimkeras.layers.post import NormActMixin


def check_num_outputs(num_outputs: Any, op: str, allow_none=False) -> None:
    """Raises ValueError unless ``num_outputs`` is a positive int."""
    if allow_none and num_outputs is None:
        return
    if (
        isinstance(num_outputs, bool)
        or not isinstance(num_outputs, int)
        or num_outputs <= 0
    ):
        what = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(
            f"{op}: `num_outputs` must be {what}. "
            f"Received: num_outputs={num_outputs!r}."
        )


def as_config(value: Any) -> Any:
    """A kernel/stride/rate argument as JSON-friendly config."""
    return list(value) if isinstance(value, (list, tuple)) else value


class _ConvTranspose(NormActMixin, base.SlimLayer):
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
        weights_initializer: Any = None,
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
        n = self.CONV_DIMS
        check_num_outputs(num_outputs, self.OP_NAME)
        self.num_outputs = num_outputs
        self._kernel_arg, self._stride_arg = kernel_size, stride
        self.kernel_size = base.to_tuple(kernel_size, n, "kernel_size")
        self.stride = base.to_tuple(stride, n, "stride")
        base.check_positive_ints(self.kernel_size, "kernel_size")
        base.check_positive_ints(self.stride, "stride")
        self.padding = base.check_padding(padding)
        self.data_format = base.check_data_format(data_format, _FORMATS[n])
        self.channels_first = self.data_format.startswith("NC")
        self.weights_initializer = initializers_lib.get(
            weights_initializer
        ) or initializers_lib.xavier_initializer()
        self.weights_regularizer = regularizers_lib.get(weights_regularizer)
        self._setup_post(
            activation_fn, normalizer_fn, normalizer_params,
            biases_initializer, biases_regularizer,
        )

    def build(self, input_shape):
        rank = self.CONV_DIMS + 2
        if len(input_shape) != rank:
            raise ValueError(
                f"{self.OP_NAME} {self.full_scope!r}: expected inputs of rank "
                f"{rank}. Received input shape {tuple(input_shape)}."
            )
        channels = input_shape[1] if self.channels_first else input_shape[-1]
        if channels is None:
            raise ValueError(
                f"{self.OP_NAME} {self.full_scope!r}: the channels dimension "
                "of the inputs must be known. Received input shape "
                f"{tuple(input_shape)}."
            )
        self.add_slim_weight(
            "kernel", "weights",
            (*self.kernel_size, self.num_outputs, int(channels)),
            self.weights_initializer, self.weights_regularizer,
        )
        self._post_build_biases(self.num_outputs)
        self._build_post(self.compute_output_shape(input_shape))

    def call(self, inputs, training=None):
        rank = self.CONV_DIMS + 2
        x = inputs
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, True))
        x = ops.conv_transpose(
            x, self.kernel, strides=self.stride,
            padding=self.padding.lower(), data_format="channels_last",
        )
        if self.channels_first:
            x = ops.transpose(x, channels_first_perm(rank, False))
        return self._apply_post(x, training, 1 if self.channels_first else -1)

    def compute_output_shape(self, input_shape):
        spatial = input_shape[2:] if self.channels_first else input_shape[1:-1]
        out = []
        for size, k, s in zip(spatial, self.kernel_size, self.stride):
            if size is None:
                out.append(None)
            elif self.padding == "SAME":
                out.append(size * s)
            else:
                out.append(size * s + max(k - s, 0))
        if self.channels_first:
            return (input_shape[0], self.num_outputs, *out)
        return (input_shape[0], *out, self.num_outputs)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_outputs": self.num_outputs,
            "kernel_size": as_config(self._kernel_arg),
            "stride": as_config(self._stride_arg),
            "padding": self.padding,
            "data_format": self.data_format,
            "weights_initializer": initializers_lib.serialize(
                self.weights_initializer),
            "weights_regularizer": regularizers_lib.serialize(
                self.weights_regularizer),
        })
        config.update(self._post_config())
        return config


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
