"""research/slim's ``--moving_average_decay``: EMA shadows of the model
variables under TF1's names.

``tf.train.ExponentialMovingAverage(decay, num_updates=global_step)``
applied to ``slim.get_model_variables()`` (weights, biases and batch-norm
statistics alike), with shadows named ``<variable>/ExponentialMovingAverage``
so eval's ``--moving_average_decay`` (and research/slim's
``variables_to_restore``) find them. Each update uses TF1's decay
``min(decay, (1 + step) / (10 + step))`` with ``step`` the global step
before the train step, and the variables' values after it.

Differences from TF1 (deliberate, documented): the shadows start at the
variables' values when training starts (after any ``--checkpoint_path``
restore), where TF1 started them at the initialiser's values; and the
update reads the variables after the step, where TF1's ``update_ops`` ran
unordered next to the gradient update.
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["ExponentialMovingAverage", "AVERAGE_SUFFIX"]

AVERAGE_SUFFIX = "ExponentialMovingAverage"


class ExponentialMovingAverage(keras.layers.Layer):
    """Shadow variables for ``variables`` (a list of Keras variables).

    Args:
        variables: what to average (research/slim: every model variable).
        decay: research/slim's ``--moving_average_decay``.
    """

    def __init__(self, variables, decay: float, name: str = "ema"):
        super().__init__(name=name, trainable=False)
        decay = float(decay)
        if not 0.0 < decay < 1.0:
            raise ValueError("moving_average_decay must be in (0, 1). "
                             f"Received: {decay!r}.")
        self.decay = decay
        self.averaged = list(variables)
        shadows = []
        for v in self.averaged:
            parent, leaf = v.path.rsplit("/", 1) if "/" in v.path else (
                "", v.path)
            with keras.name_scope(leaf, override_parent=parent or None):
                # A copy: Keras's TF `v.value` is the tf.Variable itself,
                # which a new Variable would alias.
                shadows.append(keras.Variable(
                    keras.ops.convert_to_numpy(v), trainable=False,
                    dtype=v.dtype, name=AVERAGE_SUFFIX))
        self.shadows = shadows
        self._ema_fn = tf.function(self._ema_step)

    def _ema_step(self, step):
        step = tf.cast(step, tf.float32)
        d = tf.minimum(self.decay, (1.0 + step) / (10.0 + step))
        for v, s in zip(self.averaged, self.shadows):
            s.assign_sub((1.0 - tf.cast(d, s.dtype)) * (s - v.value))

    def update(self, step) -> None:
        """One TF1 ``apply()``: ``shadow -= (1 - d) * (shadow - var)``."""
        self._ema_fn(tf.convert_to_tensor(step, tf.int64))
