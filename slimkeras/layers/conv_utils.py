"""Shape arithmetic and layout helpers for convolutions and pools.

As Keras's ``ops/operation_utils.py``: the SAME/VALID output sizes and the
channels-first wrapper (TensorFlow has no channels-first convolution or
pooling kernel on CPU, so such inputs are transposed around the op).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from keras import ops


def conv_output_length(size: int | None, kernel: int, stride: int,
                       padding: str, dilation: int = 1) -> int | None:
    """Output size of a convolution or pool along one spatial dimension.

    ``'SAME'``: ``ceil(size / stride)``; ``'VALID'``:
    ``floor((size - dilated_kernel) / stride) + 1``.
    """
    if size is None:
        return None
    if padding == "SAME":
        return -(-size // stride)
    return (size - (kernel - 1) * dilation - 1) // stride + 1


def deconv_output_length(size: int | None, kernel: int, stride: int,
                         padding: str) -> int | None:
    """Output size of a transposed convolution along one dimension.

    ``'SAME'``: ``size * stride``; ``'VALID'``:
    ``size * stride + max(kernel - stride, 0)``.
    """
    if size is None:
        return None
    if padding == "SAME":
        return size * stride
    return size * stride + max(kernel - stride, 0)


def spatial_dims(shape: Sequence, channels_first: bool) -> tuple:
    """The spatial entries of an ``N?C`` / ``NC?`` shape."""
    return tuple(shape[2:] if channels_first else shape[1:-1])


def channels_dim(shape: Sequence, channels_first: bool):
    return shape[1] if channels_first else shape[-1]


def output_shape(input_shape: Sequence, spatial: Sequence, channels,
                 channels_first: bool) -> tuple:
    """``(batch, *spatial, channels)`` or ``(batch, channels, *spatial)``."""
    if channels_first:
        return (input_shape[0], channels, *spatial)
    return (input_shape[0], *spatial, channels)


def channels_first_perm(rank: int, to_last: bool) -> list[int]:
    """The transpose from channels-first to -last (or back)."""
    if to_last:
        return [0] + list(range(2, rank)) + [1]
    return [0, rank - 1] + list(range(1, rank - 1))


def in_channels_last(op: Callable, x, channels_first: bool):
    """``op(x)`` on a channels-last view of ``x`` when it is channels-first."""
    if not channels_first:
        return op(x)
    rank = len(x.shape)
    y = op(ops.transpose(x, channels_first_perm(rank, True)))
    return ops.transpose(y, channels_first_perm(rank, False))
