"""slim ``images_to_sequence`` and ``sequence_to_images``.

``images_to_sequence``: ``[N, H, W, D]`` images (or ``[N, D, H, W]`` with
``data_format='NCHW'``) become a time-major ``[W, N*H, D]`` sequence: one
step per image column. ``sequence_to_images(seq, height)`` inverts it,
giving ``[N, H, W, D]`` (``'channels_last'``) or ``[N, D, H, W]``
(``'channels_first'``). Note the leading axis of a sequence is time, not
batch. Default scopes ``ImagesToSequence``/``SequenceToImages``.
"""

from __future__ import annotations

from keras import ops

from slimkeras.layers import base, validation


def _mul(a, b):
    return None if a is None or b is None else a * b


@base.slim_op("images_to_sequence")
class ImagesToSequence(base.SlimLayer):
    """Images to a time-major sequence of columns.

    Args:
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        scope: default ``ImagesToSequence``.
    """

    DEFAULT_SCOPE = "ImagesToSequence"

    def __init__(self, data_format: str = "NHWC", scope: str | None = None,
                 **kwargs):
        super().__init__(scope=scope, **kwargs)
        self.data_format = validation.standardize_data_format(
            data_format, ("NHWC", "NCHW"))

    def _nhwc(self, shape):
        if self.data_format == "NCHW":
            return (shape[0], shape[2], shape[3], shape[1])
        return tuple(shape)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"images_to_sequence {self.full_scope!r}: inputs must have "
                f"rank 4. Received input shape {tuple(input_shape)}."
            )
        _, _, width, depth = self._nhwc(input_shape)
        if width is None or depth is None:
            raise ValueError(
                f"images_to_sequence {self.full_scope!r}: width and depth "
                f"must be known. Received input shape {tuple(input_shape)}."
            )

    def call(self, inputs):
        x = inputs
        if self.data_format == "NCHW":
            x = ops.transpose(x, (0, 2, 3, 1))
        width, depth = int(x.shape[2]), int(x.shape[3])
        x = ops.transpose(x, (2, 0, 1, 3))
        return ops.reshape(x, (width, -1, depth))

    def compute_output_shape(self, input_shape):
        n, h, w, d = self._nhwc(input_shape)
        return (w, _mul(n, h), d)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


@base.slim_op("sequence_to_images")
class SequenceToImages(base.SlimLayer):
    """A time-major ``[W, N*H, D]`` sequence back to images.

    Args:
        height: image height ``H``; must divide the second axis.
        output_data_format: ``'channels_last'`` (default) or
            ``'channels_first'``.
        scope: default ``SequenceToImages``.
    """

    DEFAULT_SCOPE = "SequenceToImages"

    def __init__(self, height: int, output_data_format: str = "channels_last",
                 scope: str | None = None, **kwargs):
        super().__init__(scope=scope, **kwargs)
        if isinstance(height, bool) or not isinstance(height, int) or (
                height <= 0):
            raise ValueError(
                "sequence_to_images: `height` must be a positive int. "
                f"Received: height={height!r}."
            )
        if output_data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "sequence_to_images: `output_data_format` must be "
                "'channels_last' or 'channels_first'. Received: "
                f"output_data_format={output_data_format!r}."
            )
        self.height = height
        self.output_data_format = output_data_format

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"sequence_to_images {self.full_scope!r}: inputs must have "
                f"rank 3 [steps, batch*height, depth]. Received input shape "
                f"{tuple(input_shape)}."
            )
        rows = input_shape[1]
        if rows is not None and rows % self.height:
            raise ValueError(
                f"sequence_to_images {self.full_scope!r}: the second axis "
                f"({rows}) must be a multiple of height={self.height}. "
                f"Received input shape {tuple(input_shape)}."
            )

    def call(self, inputs):
        steps, _, depth = inputs.shape
        if steps is None:
            steps = ops.shape(inputs)[0]
        x = ops.reshape(inputs, (steps, -1, self.height, depth))
        if self.output_data_format == "channels_first":
            return ops.transpose(x, (1, 3, 2, 0))
        return ops.transpose(x, (1, 2, 0, 3))

    def compute_output_shape(self, input_shape):
        w, rows, d = input_shape
        n = None if rows is None else rows // self.height
        if self.output_data_format == "channels_first":
            return (n, d, self.height, w)
        return (n, self.height, w, d)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height,
                       "output_data_format": self.output_data_format})
        return config


images_to_sequence = ImagesToSequence.function
sequence_to_images = SequenceToImages.function
