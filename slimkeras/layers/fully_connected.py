"""slim ``fully_connected``: a dense layer over the last axis.

Variables: ``<scope>/weights`` ``[in, out]``, ``<scope>/biases`` (absent
with a normalizer). Default scope ``fully_connected``. Inputs of any rank
>= 2 are accepted; the last axis is contracted.
"""

from __future__ import annotations

from keras import ops

from slimkeras.layers import base
from slimkeras.layers.conv_base import LinearBase


@base.slim_op("fully_connected")
class FullyConnected(LinearBase):
    """Dense layer with slim's arguments and names.

    Args:
        num_outputs: number of output units (a positive int).
        activation_fn: default ``relu``; ``None`` for linear.
        normalizer_fn, normalizer_params: as in ``conv2d``; replace biases.
        weights_initializer: default Xavier (Glorot uniform).
        weights_regularizer, biases_initializer, biases_regularizer,
        trainable, scope: as in ``conv2d`` (default scope
            ``fully_connected``).

    Example:

    >>> import numpy as np, slimkeras as slim
    >>> fc = slim.layers.FullyConnected(3, scope='fc')
    >>> tuple(fc(np.ones((2, 5), 'float32')).shape)
    (2, 3)
    """

    DEFAULT_SCOPE = "fully_connected"

    def check_input_shape(self, input_shape) -> None:
        if len(input_shape) < 2:
            raise self._rank_error(">= 2", input_shape)

    def kernel_shape(self, channels: int) -> tuple[int, ...]:
        return (channels, self.num_outputs)

    def linear_op(self, x):
        return ops.matmul(x, self.kernel)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.num_outputs)

    def get_config(self):
        config = super().get_config()
        config["num_outputs"] = self.num_outputs
        return config


fully_connected = FullyConnected.function
