"""Convolution: slim's ``convolution``, ``conv1d``, ``conv2d``, ``conv3d``.

Variables: ``<scope>/weights`` ``[*kernel_size, in, out]`` and
``<scope>/biases`` (absent with a normalizer, which lives at
``<scope>/BatchNorm``). Default scope ``Conv``.
"""

from __future__ import annotations

from keras import ops

from slimkeras.layers import base
from slimkeras.layers.conv_base import ConvBase


@base.slim_op("convolution")
class Convolution(ConvBase):
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
    CONFIG_ARGS = ConvBase.CONFIG_ARGS + ("conv_dims",)

    def kernel_shape(self, channels: int) -> tuple[int, ...]:
        return (*self.kernel_size, channels, self.num_outputs)

    def linear_op(self, x):
        if self._is_dense(x.shape):
            return self._dense_conv(x)
        return ops.conv(
            x, self.kernel, strides=self.stride,
            padding=self.padding.lower(), data_format="channels_last",
            dilation_rate=self.rate,
        )

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
