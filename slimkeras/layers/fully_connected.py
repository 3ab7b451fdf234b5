"""slim ``fully_connected``: a dense layer over the last axis.

Variables: ``<scope>/weights`` ``[in, out]``, ``<scope>/biases`` (absent
with a normalizer). Default scope ``fully_connected``. Inputs of any rank
>= 2 are accepted; the last axis is contracted.
"""

from __future__ import annotations

from typing import Any

from keras import ops

from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.activations import relu
from slimkeras.layers import base
from slimkeras.layers.post import NormActMixin


@base.slim_op("fully_connected")
class FullyConnected(NormActMixin, base.SlimLayer):
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

    def __init__(
        self,
        num_outputs: int,
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
        if (
            isinstance(num_outputs, bool)
            or not isinstance(num_outputs, int)
            or num_outputs <= 0
        ):
            raise ValueError(
                "fully_connected: `num_outputs` must be a positive int. "
                f"Received: num_outputs={num_outputs!r}."
            )
        self.num_outputs = num_outputs
        self.weights_initializer = initializers_lib.get(
            weights_initializer
        ) or initializers_lib.xavier_initializer()
        self.weights_regularizer = regularizers_lib.get(weights_regularizer)
        self._setup_post(
            activation_fn, normalizer_fn, normalizer_params,
            biases_initializer, biases_regularizer,
        )

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(
                f"fully_connected {self.full_scope!r}: inputs must have rank "
                f">= 2. Received input shape {tuple(input_shape)}."
            )
        if input_shape[-1] is None:
            raise ValueError(
                f"fully_connected {self.full_scope!r}: the last dimension of "
                f"the inputs must be known. Received input shape "
                f"{tuple(input_shape)}."
            )
        self.add_slim_weight(
            "kernel", "weights", (int(input_shape[-1]), self.num_outputs),
            self.weights_initializer, self.weights_regularizer,
        )
        self._post_build_biases(self.num_outputs)
        self._build_post(self.compute_output_shape(input_shape))

    def call(self, inputs, training=None):
        x = ops.matmul(inputs, self.kernel)
        return self._apply_post(x, training)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.num_outputs)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_outputs": self.num_outputs,
            "weights_initializer": initializers_lib.serialize(
                self.weights_initializer),
            "weights_regularizer": regularizers_lib.serialize(
                self.weights_regularizer),
        })
        config.update(self._post_config())
        return config


fully_connected = FullyConnected.function
