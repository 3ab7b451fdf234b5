"""Keras ``fit`` callbacks for numerical health.

Keras's own ``keras.callbacks.TerminateOnNaN`` only *stops* ``fit`` (with a
printed line) and leaves the model with the weights of the bad step, which
are often NaN already. :class:`StopOnNaN` raises
:class:`~slimkeras.learning.NonFiniteLossError` naming the step (the
optimizer's iteration count, slim's global step), the epoch and the batch,
and can put back the weights of the last finite step first.

Example::

    model.fit(ds, epochs=3, callbacks=[slim.learning.callbacks.StopOnNaN(
        restore_weights=True)])
"""

from __future__ import annotations

import math

import keras
import numpy as np

from slimkeras.learning.loop import NonFiniteLossError

__all__ = ["StopOnNaN"]


class StopOnNaN(keras.callbacks.Callback):
    """Raises ``NonFiniteLossError`` at the first non-finite ``fit`` loss.

    Args:
        monitor: the log key to check (default ``'loss'``).
        restore_weights: keep a copy of every weight after each finite step
            and put it back before raising, so the model is left as the last
            good step left it (costs one copy of the weights per step).
        check_weights: also check every weight for NaN/Inf after each step
            (default True: catches a NaN gradient whose loss is still
            finite, e.g. NaN inputs behind a ReLU, which gives 0 for NaN;
            costs one pass over the weights per step).
    """

    def __init__(self, monitor: str = "loss", restore_weights: bool = False,
                 check_weights: bool = True):
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise TypeError("StopOnNaN: `monitor` must be a log key (str). "
                            f"Received: monitor={monitor!r}.")
        self.monitor = monitor
        self.restore_weights = bool(restore_weights)
        self.check_weights = bool(check_weights)
        self._good = None
        self._epoch = 0

    def _snapshot(self):
        return [np.array(v) for v in self.model.weights]

    def on_train_begin(self, logs=None):
        if self.restore_weights:
            self._good = self._snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _step(self) -> int:
        opt = getattr(self.model, "optimizer", None)
        it = getattr(opt, "iterations", None)
        return int(np.array(it)) if it is not None else -1

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        value = logs.get(self.monitor)
        problem = None
        if value is not None and not math.isfinite(float(value)):
            problem = f"{self.monitor}={float(value)}"
        elif self.check_weights:
            for v in self.model.weights:
                if not np.all(np.isfinite(np.array(v))):
                    problem = f"non-finite values in weight {v.path!r}"
                    break
        if problem is None:
            if self.restore_weights:
                self._good = self._snapshot()
            return
        self.model.stop_training = True
        restored = ""
        if self.restore_weights and self._good is not None:
            for v, value in zip(self.model.weights, self._good):
                v.assign(value)
            restored = " The weights of the last finite step were restored."
        raise NonFiniteLossError(
            f"StopOnNaN: {problem} at step {self._step()} (epoch "
            f"{self._epoch + 1}, batch {batch + 1}).{restored}"
        )
