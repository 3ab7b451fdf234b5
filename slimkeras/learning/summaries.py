"""TensorBoard summaries of slim's train loop, at the logging interval.

:class:`TrainSummaries` is what :func:`slimkeras.learning.train` writes:
``total_loss`` and ``global_step/sec`` (TF1's Supervisor wrote it) every
``every_n_steps`` steps (the loop's ``log_every_n_steps``), every
``every_secs`` seconds (``save_summaries_secs``) and at the last step,
never twice for one step; a ``summary_fn(step)`` adds its own
``tf.summary.*`` calls at the same steps.

:class:`StepValues` and :func:`research_slim_summary_fn` give
``slimkeras train`` research/slim's ``train_image_classifier.py``
summaries: ``learning_rate``, ``losses/<loss>/value`` for each loss,
``Losses/clone_loss`` (their sum), ``Losses/regularization_loss``, plus the
training batch's ``accuracy`` (slimkeras); with ``histograms=True``
(``--summarize_histograms``) also a histogram of every model variable
under its slim name, and ``activations/<end_point>`` histograms with
``sparsity/<end_point>`` scalars (research/slim wrote these always;
slimkeras writes them at the ``every_n_steps`` steps only, in the
compiled step).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import tensorflow as tf

__all__ = ["StepValues", "TrainSummaries", "research_slim_summary_fn"]

# research/slim's tags: tf.losses op names under losses/, model_deploy's
# clone summaries under Losses/.
LOSS_TAGS = {"main": "losses/softmax_cross_entropy_loss/value",
             "aux": "losses/aux_loss/value",
             "clone": "Losses/clone_loss",
             "reg": "Losses/regularization_loss",
             "accuracy": "accuracy"}


class TrainSummaries:
    """Writes the loop's summaries at most once per step.

    Args:
        writer: a ``tf.summary.SummaryWriter``.
        every_n_steps: write when ``step % every_n_steps == 0`` (None or 0:
            no step cadence).
        every_secs: also write when this many seconds passed since the
            last write (None: no time cadence).
        summary_fn: ``fn(step)`` called under ``writer`` after the loop's
            own scalars; put ``tf.summary.*`` calls in it.
    """

    def __init__(self, writer, every_n_steps: int | None = None,
                 every_secs: float | None = None,
                 summary_fn: Callable[[int], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.writer = writer
        self.every_n_steps = int(every_n_steps or 0)
        self.every_secs = every_secs
        self.summary_fn = summary_fn
        self._clock = clock
        self._last_time = clock()
        self._last_step = None
        self._rate_from = None

    def due(self, step: int) -> bool:
        if step == self._last_step:
            return False
        if self.every_n_steps > 0 and step % self.every_n_steps == 0:
            return True
        return (self.every_secs is not None
                and self._clock() - self._last_time >= self.every_secs)

    def after_step(self, step: int, loss) -> None:
        """Called by the loop after each step."""
        if self._rate_from is None:
            self._rate_from = (step, self._clock())
        if self.due(step):
            self.write(step, loss)

    def finish(self, step: int, loss) -> None:
        """The last step (written unless it was already), then flush."""
        if step != self._last_step:
            self.write(step, loss)
        self.writer.flush()

    def write(self, step: int, loss) -> None:
        now = self._clock()
        with self.writer.as_default():
            tf.summary.scalar("total_loss", loss, step=step)
            if self._rate_from is not None and step > self._rate_from[0] \
                    and now > self._rate_from[1]:
                tf.summary.scalar(
                    "global_step/sec",
                    (step - self._rate_from[0]) / (now - self._rate_from[1]),
                    step=step)
            if self.summary_fn is not None:
                self.summary_fn(step)
        self._last_step, self._last_time = step, now
        self._rate_from = (step, now)


class StepValues:
    """The last training step's loss terms and batch accuracy.

    ``record(...)`` runs inside the compiled step (it assigns variables);
    the summary function reads them on the host. Disabled (records
    nothing) under a multi-replica strategy, where each replica holds only
    its share.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = bool(enabled)
        self.values = {k: tf.Variable(0.0, trainable=False,
                                      name=f"summary_{k}")
                       for k in LOSS_TAGS}
        self.seen: set[str] = set()

    def record(self, main=None, aux=None, reg=None, logits=None,
               labels=None) -> None:
        """``main``/``aux``: the cross-entropy terms (research/slim's
        LOSSES collection), ``reg``: the regularization sum, ``logits`` /
        ``labels`` (sparse): the batch accuracy."""
        if not self.enabled:
            return
        clone = None
        for v in (main, aux):
            if v is not None:
                clone = v if clone is None else clone + v
        acc = None
        if logits is not None and labels is not None:
            hits = tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int64),
                            tf.cast(tf.reshape(labels, [-1]), tf.int64))
            acc = tf.reduce_mean(tf.cast(hits, tf.float32))
        for k, v in (("main", main), ("aux", aux), ("clone", clone),
                     ("reg", reg), ("accuracy", acc)):
            if v is not None:
                self.values[k].assign(tf.cast(v, tf.float32))
                self.seen.add(k)

    def write(self) -> None:
        for k in sorted(self.seen):
            tf.summary.scalar(LOSS_TAGS[k], self.values[k])


def record_activations(writer, end_points: dict, step, every_n_steps: int,
                       last_step: int | None = None) -> None:
    """In the compiled step: ``activations/<name>`` histograms and
    ``sparsity/<name>`` (fraction of zeros) scalars of the end points,
    recorded only when ``step`` (the step after this update) is a multiple
    of ``every_n_steps`` or ``last_step``."""
    if not every_n_steps or every_n_steps <= 0:
        return
    step = tf.cast(step, tf.int64)
    cond = tf.equal(step % every_n_steps, 0)
    if last_step:
        cond = tf.logical_or(cond, tf.equal(step, last_step))
    tensors = {name: x for name, x in end_points.items()
               if hasattr(x, "dtype") and x.dtype.is_floating}

    def write():
        # Inside the branch: nothing is computed on the other steps. The
        # reset name scope keeps the tags free of the cond's "cond/".
        with tf.compat.v1.name_scope(None), writer.as_default(step=step):
            for name, x in tensors.items():
                tf.summary.histogram(f"activations/{name}", x)
                tf.summary.scalar(f"sparsity/{name}",
                                  tf.math.zero_fraction(x))
        return tf.constant(True)

    tf.cond(cond, write, lambda: tf.constant(False))


def research_slim_summary_fn(values: StepValues, learning_rate,
                             variables=(), histograms: bool = False
                             ) -> Callable[[int], None]:
    """``summary_fn(step)`` writing research/slim's training scalars
    (``learning_rate`` at the step that produced ``step``, each loss,
    ``accuracy``) and, with ``histograms``, one histogram per variable
    named by its slim path (``variable.path``)."""
    variables = list(variables)

    def summary_fn(step: int) -> None:
        lr = (learning_rate(step - 1) if callable(learning_rate)
              else learning_rate)
        tf.summary.scalar("learning_rate", lr, step=step)
        tf.summary.experimental.set_step(step)
        try:
            values.write()
            if histograms:
                for v in variables:
                    tf.summary.histogram(getattr(v, "path", v.name), v)
        finally:
            tf.summary.experimental.set_step(None)

    return summary_fn
