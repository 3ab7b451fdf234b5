"""Backend fast paths behind ``keras.ops`` fallbacks (DESIGN.md §5b).

Only the fused batch norm lives here: on TensorFlow it calls the fused
kernel (as slim's default 4-D path did); elsewhere it computes the same
numbers with ``keras.ops``.
"""

from __future__ import annotations

import keras
from keras import ops


def _use_tf() -> bool:
    return keras.backend.backend() == "tensorflow"


def fused_batch_norm(x, scale, offset, mean, variance, epsilon, training):
    """Batch norm over all axes but the last of a rank-4 NHWC tensor.

    Returns ``(outputs, batch_mean, batch_variance)``; in training the
    batch variance is Bessel-corrected (``n / (n - 1)``), as TF's fused
    kernel returns it and slim feeds it to ``moving_variance``. In
    inference the given ``mean``/``variance`` are used and returned.

    Mixed precision: ``x`` may be float16/bfloat16 with float32
    ``scale``/``offset``/``mean``/``variance`` (the kernel's ``T``/``U``);
    ``outputs`` then have ``x``'s dtype and the batch statistics float32.
    """
    if _use_tf():
        import tensorflow as tf

        if training:
            y, m, v = tf.compat.v1.nn.fused_batch_norm(
                x, scale, offset, epsilon=epsilon, is_training=True,
                data_format="NHWC",
            )
            return y, m, v
        y, _, _ = tf.compat.v1.nn.fused_batch_norm(
            x, scale, offset, mean=mean, variance=variance,
            epsilon=epsilon, is_training=False, data_format="NHWC",
        )
        return y, mean, variance
    out_dtype = x.dtype
    x = ops.cast(x, scale.dtype)
    if training:
        axes = list(range(len(x.shape) - 1))
        m, v = ops.moments(x, axes=axes)
        n = ops.cast(ops.size(x) // ops.size(m), v.dtype)
        y = (x - m) * ops.rsqrt(v + epsilon) * scale + offset
        return ops.cast(y, out_dtype), m, v * n / ops.maximum(n - 1.0, 1.0)
    y = (x - mean) * ops.rsqrt(variance + epsilon) * scale + offset
    return ops.cast(y, out_dtype), mean, variance


def eager_scope():
    """A context that lifts variable creation out of a function trace.

    On TensorFlow: ``tf.init_scope()``; elsewhere a no-op.
    """
    import contextlib

    if _use_tf():
        import tensorflow as tf

        return tf.init_scope()
    return contextlib.nullcontext()
