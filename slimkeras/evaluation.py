"""slim's ``evaluation``: evaluate a checkpoint once, or every new one.

Metrics are ``keras.metrics.Metric`` objects (``slim.metrics`` or Keras's);
each evaluation resets them, streams the whole dataset and returns
``{metric name: value}``, also written as TensorBoard scalars.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Iterable

import tensorflow as tf

from slimkeras.checkpoints.training import TrainingCheckpoint

__all__ = ["evaluate_once", "evaluation_loop", "wait_for_new_checkpoint"]


def _restore(model, checkpoint_path: str) -> int:
    ckpt = TrainingCheckpoint(model, None, os.path.dirname(checkpoint_path)
                              or ".", max_to_keep=None)
    # Training checkpoints also hold optimizer state: restore weights only.
    status = tf.train.Checkpoint(weights=ckpt._objects["weights"]).restore(
        checkpoint_path)
    status.expect_partial()
    try:
        return int(checkpoint_path.rsplit("-", 1)[-1])
    except ValueError:
        return 0


def evaluate_once(
    model: Any,
    dataset: Iterable,
    metrics: dict[str, Any] | list,
    checkpoint_path: str | None = None,
    logdir: str | None = None,
    num_evals: int | None = None,
) -> dict[str, float]:
    """Evaluates ``model`` (optionally restored from a training checkpoint).

    Args:
        model: a built Keras model; batches are ``(images, labels)``.
        dataset: finite iterable of batches (or set ``num_evals``).
        metrics: ``{name: metric}`` or a list of metrics (named by
            ``metric.name``); each is updated with ``(labels, logits)``.
        checkpoint_path: a training-state checkpoint written by ``train``.
        logdir: write the values as TensorBoard scalars here.
        num_evals: stop after this many batches.

    Returns:
        ``{name: float}``.
    """
    if isinstance(metrics, (list, tuple)):
        metrics = {m.name: m for m in metrics}
    step = _restore(model, checkpoint_path) if checkpoint_path else 0
    for m in metrics.values():
        m.reset_state()
    predict = tf.function(lambda x: model(x, training=False))
    for i, (x, y) in enumerate(dataset):
        if num_evals is not None and i >= num_evals:
            break
        logits = predict(x)
        for m in metrics.values():
            m.update_state(y, logits)
    values = {k: float(m.result()) for k, m in metrics.items()}
    if logdir:
        writer = tf.summary.create_file_writer(logdir)
        with writer.as_default():
            for k, v in values.items():
                tf.summary.scalar(k, v, step=step)
        writer.flush()
    return values


def wait_for_new_checkpoint(checkpoint_dir: str, last: str | None = None,
                            seconds_to_sleep: float = 1, timeout=None):
    """The next checkpoint path in ``checkpoint_dir`` after ``last``."""
    deadline = None if timeout is None else time.time() + timeout
    while True:
        path = tf.train.latest_checkpoint(checkpoint_dir)
        if path is not None and path != last:
            return path
        if deadline is not None and time.time() + seconds_to_sleep > deadline:
            return None
        time.sleep(seconds_to_sleep)


def evaluation_loop(
    model: Any,
    dataset: Iterable,
    metrics: dict[str, Any] | list,
    checkpoint_dir: str,
    logdir: str | None = None,
    eval_interval_secs: float = 60,
    max_number_of_evaluations: int | None = None,
    timeout: float | None = None,
    timeout_fn: Callable[[], bool] | None = None,
    num_evals: int | None = None,
) -> dict[str, float]:
    """Evaluates every new checkpoint in ``checkpoint_dir`` as it appears.

    Stops after ``max_number_of_evaluations``, or when no new checkpoint
    arrives within ``timeout`` seconds and ``timeout_fn`` (if given)
    returns True. Returns the last evaluation's values.
    """
    last, count, values = None, 0, {}
    while max_number_of_evaluations is None or count < max_number_of_evaluations:
        path = wait_for_new_checkpoint(checkpoint_dir, last,
                                       min(eval_interval_secs, 1.0), timeout)
        if path is None:
            if timeout_fn is None or timeout_fn():
                break
            continue
        values = evaluate_once(model, dataset, metrics, path, logdir,
                               num_evals)
        last, count = path, count + 1
    return values
