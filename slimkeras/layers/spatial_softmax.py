"""slim ``spatial_softmax`` (Finn et al., 2016): expected feature keypoints.

Each channel's map gets a softmax over its ``H*W`` positions; the output
is the expected ``(row, column)`` position per channel, in ``[-1, 1]``,
arranged ``[i1, j1, i2, j2, …]`` (shape ``[batch, 2 * channels]``).

Variable ``<scope>/temperature`` (a float32 scalar) always exists, as in
slim: initialised to ``temperature`` (or 1.0 when None) and trainable
when ``trainable``. slim named the scope with ``name=``; ``scope=`` is
accepted too. Default scope ``spatial_softmax``.
"""

from __future__ import annotations

import keras
from keras import ops

from slimkeras.layers import base, validation


@base.slim_op("spatial_softmax")
class SpatialSoftmax(base.SlimLayer):
    """Spatial soft-argmax of a feature map.

    Args:
        temperature: initial softmax temperature (None: 1.0).
        name: slim's scope argument for this op (same as ``scope``).
        variables_collections: graph bookkeeping; ignored.
        trainable: whether ``temperature`` is trainable.
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        scope: the scope, if ``name`` is not given.
    """

    DEFAULT_SCOPE = "spatial_softmax"

    @classmethod
    def scope_from(cls, arguments):
        # slim named this op's scope with ``name=``.
        scope = arguments.get("scope")
        return (arguments.get("name") if scope is None else scope,
                cls.DEFAULT_SCOPE)

    def __init__(
        self,
        temperature: float | None = None,
        name: str | None = None,
        variables_collections=None,
        trainable: bool = True,
        data_format: str = "NHWC",
        scope: str | None = None,
        **kwargs,
    ):
        del variables_collections, name  # name: the scope, see scope_from
        super().__init__(scope=scope, trainable=trainable, **kwargs)
        if temperature is not None and (
            isinstance(temperature, bool)
            or not isinstance(temperature, (int, float))
        ):
            raise TypeError(
                "spatial_softmax: `temperature` must be a number or None. "
                f"Received: temperature={temperature!r}."
            )
        self.temperature = None if temperature is None else float(temperature)
        self.data_format = validation.standardize_data_format(
            data_format, ("NHWC", "NCHW"))

    def build(self, input_shape):
        channels_axis = 3 if self.data_format == "NHWC" else 1
        if len(input_shape) != 4 or input_shape[channels_axis] is None:
            raise ValueError(
                f"spatial_softmax {self.full_scope!r}: inputs must have rank "
                f"4 ({self.data_format}) with a known channels dimension. "
                f"Received input shape {tuple(input_shape)}."
            )
        init = 1.0 if self.temperature is None else self.temperature
        self.add_slim_weight(
            "temperature_var", "temperature", (),
            keras.initializers.Constant(init),
        )

    def call(self, features):
        x = features
        if self.data_format == "NHWC":
            x = ops.transpose(x, (0, 3, 1, 2))
        channels, height, width = x.shape[1], x.shape[2], x.shape[3]
        if height is None or width is None:
            dyn = ops.shape(x)
            height, width = dyn[2], dyn[3]
        flat = ops.reshape(x, (-1, height * width))
        temp = ops.cast(self.temperature_var, flat.dtype)
        attention = ops.softmax(flat / temp, axis=-1)
        rows = ops.expand_dims(_grid(height, flat.dtype), 1)
        cols = ops.expand_dims(_grid(width, flat.dtype), 0)
        pos_i = ops.reshape(rows * ops.ones_like(cols), (-1,))
        pos_j = ops.reshape(ops.ones_like(rows) * cols, (-1,))
        exp_i = ops.sum(pos_i * attention, axis=1, keepdims=True)
        exp_j = ops.sum(pos_j * attention, axis=1, keepdims=True)
        keypoints = ops.concatenate([exp_i, exp_j], axis=1)
        return ops.reshape(keypoints, (-1, int(channels) * 2))

    def compute_output_shape(self, input_shape):
        channels = input_shape[3 if self.data_format == "NHWC" else 1]
        return (input_shape[0], 2 * channels)

    def get_config(self):
        config = super().get_config()
        config.update({
            "temperature": self.temperature,
            "data_format": self.data_format,
        })
        return config


def _grid(num, dtype):
    """``num`` evenly spaced values from -1 to 1 (``[-1]`` when 1)."""
    index = ops.cast(ops.arange(num), dtype)
    step = 2.0 / ops.cast(ops.maximum(num - 1, 1), dtype)
    return index * step - 1.0


spatial_softmax = SpatialSoftmax.function
