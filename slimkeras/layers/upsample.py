"""Resizing and padding helpers of the GAN nets (pix2pix, CycleGAN).

* :func:`resize_nearest`: nearest-neighbour upsampling by integer factors
  (TF2 ``tf.image.resize(..., NEAREST_NEIGHBOR)``; for an integer factor
  ``f`` output pixel ``i`` reads input ``i // f``).
* :func:`resize_bilinear`: TF1 ``resize_bilinear`` semantics (no
  half-pixel centres; ``align_corners`` maps corner to corner).
* :func:`pad_spatial`: ``tf.pad`` of H and W with mode ``CONSTANT``,
  ``REFLECT`` or ``SYMMETRIC``.

All in ``keras.ops`` on NHWC tensors with static H and W.
"""

from __future__ import annotations

import numpy as np
from keras import ops

__all__ = ["resize_nearest", "resize_bilinear", "pad_spatial"]

_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect",
              "SYMMETRIC": "symmetric"}


def resize_nearest(x, factors):
    """``[B, H, W, C] -> [B, fH*H, fW*W, C]`` by repetition."""
    fh, fw = (int(f) for f in factors)
    if fh < 1 or fw < 1:
        raise ValueError(
            f"resize_nearest: factors must be positive ints. Received "
            f"{factors!r}.")
    if fh > 1:
        x = ops.repeat(x, fh, axis=1)
    if fw > 1:
        x = ops.repeat(x, fw, axis=2)
    return x


def resize_bilinear(x, size, align_corners: bool = False):
    """Bilinear resize of ``[B, h, w, C]`` to ``size`` (TF1 arithmetic:
    source ``i * in / out``, or ``i * (in - 1) / (out - 1)`` with
    ``align_corners``)."""
    out = x
    for axis, new in ((1, int(size[0])), (2, int(size[1]))):
        old = out.shape[axis]
        if old is None:
            raise ValueError(
                "resize_bilinear: needs static H and W. Received shape "
                f"{tuple(x.shape)}.")
        old = int(old)
        if old == new:
            continue
        if align_corners and new > 1:
            scale = (old - 1) / (new - 1)
        else:
            scale = old / new
        pos = (np.arange(new, dtype="float64") * scale).astype("float32")
        lo = np.floor(pos).astype("int32")
        lo = np.minimum(lo, old - 1)
        hi = np.minimum(lo + 1, old - 1)
        frac = (pos - lo).astype("float32")
        shape = [1, 1, 1, 1]
        shape[axis] = new
        frac = ops.reshape(ops.convert_to_tensor(frac), shape)
        a = ops.take(out, lo, axis=axis)
        b = ops.take(out, hi, axis=axis)
        out = ops.add(a, ops.multiply(ops.subtract(b, a), frac))
    return out


def pad_spatial(x, pads, mode: str = "CONSTANT"):
    """Pads H by ``pads[0]`` and W by ``pads[1]`` (each ``(before, after)``
    or an int for both sides) with a ``tf.pad`` mode."""
    key = str(mode).upper()
    if key not in _PAD_MODES:
        raise ValueError(
            "pad_spatial: `mode` must be CONSTANT, REFLECT or SYMMETRIC. "
            f"Received: mode={mode!r}.")
    widths = []
    for p in pads:
        widths.append([int(p), int(p)] if np.isscalar(p) else
                      [int(p[0]), int(p[1])])
    return ops.pad(x, [[0, 0], widths[0], widths[1], [0, 0]],
                   mode=_PAD_MODES[key])
