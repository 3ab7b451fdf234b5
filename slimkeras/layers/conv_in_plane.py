"""In-plane convolution: slim's ``conv2d_in_plane``.

One ``[kh, kw]`` kernel is applied to every channel independently (e.g.
image gradients with a ``[1, -1]`` kernel). Variables: ``<scope>/weights``
``[kh, kw, 1, 1]`` and ``<scope>/biases`` ``[channels]`` (absent with a
normalizer). Inputs are NHWC. Default scope ``ConvInPlane``.
"""

from __future__ import annotations

from typing import Any, Literal

from keras import ops

from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.activations import relu
from slimkeras.layers import base
from slimkeras.layers.conv_transpose import as_config
from slimkeras.layers.post import NormActMixin


@base.slim_op("convolution2d_in_plane")
class ConvInPlane(NormActMixin, base.SlimLayer):
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

    def __init__(
        self,
        kernel_size,
        stride=1,
        padding: Literal["SAME", "VALID"] = "SAME",
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
        self._kernel_arg, self._stride_arg = kernel_size, stride
        self.kernel_size = base.to_tuple(kernel_size, 2, "kernel_size")
        self.stride = base.to_tuple(stride, 2, "stride")
        base.check_positive_ints(self.kernel_size, "kernel_size")
        base.check_positive_ints(self.stride, "stride")
        self.padding = base.check_padding(padding)
        self.weights_initializer = initializers_lib.get(
            weights_initializer
        ) or initializers_lib.xavier_initializer()
        self.weights_regularizer = regularizers_lib.get(weights_regularizer)
        self._setup_post(
            activation_fn, normalizer_fn, normalizer_params,
            biases_initializer, biases_regularizer,
        )

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"conv2d_in_plane {self.full_scope!r}: expected inputs of "
                f"rank 4. Received input shape {tuple(input_shape)}."
            )
        if input_shape[-1] is None:
            raise ValueError(
                f"conv2d_in_plane {self.full_scope!r}: the channels "
                "dimension of the inputs must be known. Received input "
                f"shape {tuple(input_shape)}."
            )
        self.channels = int(input_shape[-1])
        self.add_slim_weight(
            "kernel", "weights", (*self.kernel_size, 1, 1),
            self.weights_initializer, self.weights_regularizer,
        )
        self._post_build_biases(self.channels)
        self._build_post(self.compute_output_shape(input_shape))

    def call(self, inputs, training=None):
        kernel = ops.tile(self.kernel, (1, 1, self.channels, 1))
        x = ops.depthwise_conv(
            inputs, kernel, strides=self.stride,
            padding=self.padding.lower(), data_format="channels_last",
        )
        return self._apply_post(x, training)

    def compute_output_shape(self, input_shape):
        out = []
        for size, k, s in zip(input_shape[1:3], self.kernel_size,
                              self.stride):
            if size is None:
                out.append(None)
            elif self.padding == "SAME":
                out.append(-(-size // s))
            else:
                out.append(-(-(size - k + 1) // s))
        return (input_shape[0], *out, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({
            "kernel_size": as_config(self._kernel_arg),
            "stride": as_config(self._stride_arg),
            "padding": self.padding,
            "weights_initializer": initializers_lib.serialize(
                self.weights_initializer),
            "weights_regularizer": regularizers_lib.serialize(
                self.weights_regularizer),
        })
        config.update(self._post_config())
        return config


convolution2d_in_plane = conv2d_in_plane = ConvInPlane.function
