"""slim ``bias_add``: adds ``<scope>/biases`` along the channels axis.

Usable as a ``normalizer_fn`` of ``conv2d``/``fully_connected`` (the
variable is then ``<conv scope>/BiasAdd/biases``). Default scope
``BiasAdd``.
"""

from __future__ import annotations

from typing import Any

from keras import ops

from slimkeras import activations
from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.layers import base, validation


@base.slim_op("bias_add")
class BiasAdd(base.SlimLayer):
    """Adds a learned bias per channel, then an optional activation.

    Args:
        activation_fn: applied after the bias (default None).
        initializer: initializer of ``biases`` (default zeros).
        regularizer: regularizer of ``biases`` (default None).
        trainable: whether ``biases`` is trainable.
        data_format: ``'NHWC'`` (channels last, any rank >= 2) or
            ``'NCHW'`` (rank 4, channels axis 1).
        scope: default ``BiasAdd``.
    """

    DEFAULT_SCOPE = "BiasAdd"

    def __init__(
        self,
        activation_fn: Any = None,
        initializer: Any = "zeros",
        regularizer: Any = None,
        trainable: bool = True,
        data_format: str = "NHWC",
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            scope=scope, trainable=trainable, **kwargs
        )
        self.data_format = validation.standardize_data_format(
            data_format, ("NHWC", "NCHW"))
        self.activation_fn = activations.get(activation_fn)
        self.initializer = initializers_lib.get(initializer)
        self.regularizer = regularizers_lib.get(regularizer)

    def build(self, input_shape):
        rank = len(input_shape)
        if rank < 2 or (self.data_format == "NCHW" and rank != 4):
            need = "4 with data_format='NCHW'" if (
                self.data_format == "NCHW") else ">= 2"
            raise ValueError(
                f"bias_add {self.full_scope!r}: inputs must have rank {need}. "
                f"Received input shape {tuple(input_shape)}."
            )
        self._axis = 1 if self.data_format == "NCHW" else rank - 1
        channels = input_shape[self._axis]
        if channels is None:
            raise ValueError(
                f"bias_add {self.full_scope!r}: the channels dimension must "
                f"be known. Received input shape {tuple(input_shape)}."
            )
        self.add_slim_weight(
            "bias", "biases", (int(channels),), self.initializer,
            self.regularizer,
        )

    def call(self, inputs):
        bias = ops.cast(self.bias, inputs.dtype)
        if self.data_format == "NCHW":
            bias = ops.reshape(bias, (1, -1, 1, 1))
        y = inputs + bias
        if self.activation_fn is not None:
            y = self.activation_fn(y)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "activation_fn": activations.serialize(self.activation_fn),
            "initializer": initializers_lib.serialize(self.initializer),
            "regularizer": regularizers_lib.serialize(self.regularizer),
            "data_format": self.data_format,
        })
        return config


bias_add = BiasAdd.function
