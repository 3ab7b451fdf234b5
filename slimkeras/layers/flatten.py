"""slim ``flatten``: all but the batch axis, in NHWC order."""

from __future__ import annotations

from keras import ops

from slimkeras.layers import base


@base.slim_op("flatten")
class Flatten(base.SlimLayer):
    """Flattens all but the batch axis, in NHWC order (slim ``flatten``)."""

    DEFAULT_SCOPE = "Flatten"

    def __init__(self, scope=None, **kwargs):
        super().__init__(scope=scope, **kwargs)

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(
                f"flatten {self.full_scope!r}: inputs must have rank >= 2. "
                f"Received input shape {tuple(input_shape)}."
            )

    def call(self, inputs):
        rest = inputs.shape[1:]
        if all(d is not None for d in rest):
            size = 1
            for d in rest:
                size *= int(d)
            return ops.reshape(inputs, (-1, size))
        return ops.reshape(inputs, (ops.shape(inputs)[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None
        if all(d is not None for d in rest):
            size = 1
            for d in rest:
                size *= d
        return (input_shape[0], size)


flatten = Flatten.function
