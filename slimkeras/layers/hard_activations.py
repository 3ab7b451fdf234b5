"""Piecewise-linear activations of MobileNet V3 (arXiv:1905.02244).

``hard_swish(x) = x * relu6(x + 3) * (1/6)`` (float32 constants, as
research/slim's ``mobilenet_v3.hard_swish``) and ``hard_sigmoid_gate(x) =
relu6(x + 3) * 0.16667``: the squeeze-excite gate of research/slim's V3,
with that literal constant (not 1/6). Both are registered Keras
serializables, so layers holding them survive a ``.keras`` round trip.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

__all__ = ["hard_swish", "hard_sigmoid_gate"]


@keras.saving.register_keras_serializable(package="slimkeras")
def hard_swish(x):
    """``x * relu6(x + 3) / 6``."""
    return ops.multiply(
        ops.multiply(x, ops.relu6(ops.add(x, np.float32(3.0)))),
        np.float32(1.0 / 6.0))


@keras.saving.register_keras_serializable(package="slimkeras")
def hard_sigmoid_gate(x):
    """``relu6(x + 3) * 0.16667`` (MobileNet V3's squeeze-excite gate)."""
    return ops.multiply(ops.relu6(ops.add(x, np.float32(3.0))),
                        np.float32(0.16667))
