"""Progress lines of slim's train loop: a Keras progress bar on a
terminal, one plain line per logging interval otherwise (log files and
pipes get no ``\\r`` or ANSI codes)."""

from __future__ import annotations

import sys
import time

import keras

__all__ = ["TrainProgress"]


class TrainProgress:
    """``update(step, loss)`` at every logging interval."""

    def __init__(self, target: int | None, verbose: bool = True,
                 stream=None):
        self.target = target
        self.verbose = bool(verbose)
        self.stream = stream or sys.stdout
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.bar = (keras.utils.Progbar(target, verbose=1)
                    if self.verbose and isatty() else None)
        self._last = None

    def update(self, step: int, loss: float) -> None:
        if not self.verbose:
            return
        if self.bar is not None:
            self.bar.update(step, [("loss", float(loss))])
            return
        now = time.perf_counter()
        rate = ""
        if self._last is not None and step > self._last[0]:
            per = (now - self._last[1]) / (step - self._last[0])
            rate = f" ({per:.3f} s/step)"
        self._last = (step, now)
        total = f"/{self.target}" if self.target else ""
        print(f"step {step}{total}: loss {float(loss):.4f}{rate}",
              file=self.stream, flush=True)
