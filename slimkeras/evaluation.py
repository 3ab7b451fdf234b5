"""slim's ``evaluation``: evaluate a checkpoint once, or every new one.

Metrics are ``keras.metrics.Metric`` objects (``slim.metrics`` or Keras's);
each evaluation resets them, streams the whole dataset and returns
``{metric name: value}``, also written as TensorBoard scalars.

The checkpoint is restored **by slim name** (:func:`slimkeras.checkpoints.
restore`), whatever its form: a TF1 name-based checkpoint (published by
research/slim, written by tf_slim or by :func:`save_tf1_checkpoint`; V1 or
V2), a slimkeras train_dir / ``ckpt-N`` (:class:`TrainingCheckpoint`), a
directory or a tarball. Restoring is strict: every model variable must
come from the checkpoint, else it raises before evaluating anything — a
model is never evaluated on weights that were not restored. The
:class:`~slimkeras.checkpoints.RestoreReport` is on the result
(``result.report``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import tensorflow as tf

from slimkeras import checkpoints
from slimkeras import variables as variables_lib

__all__ = [
    "EvaluationResult",
    "evaluate_once",
    "evaluation_loop",
    "restore_for_evaluation",
    "wait_for_new_checkpoint",
]


class EvaluationResult(dict):
    """``{metric name: value}``, and what was evaluated.

    Attributes:
        report: the :class:`~slimkeras.checkpoints.RestoreReport` of the
            restore (None when no checkpoint was given).
        checkpoint: the checkpoint path read (None without one).
        step: the global step written with the summaries.
    """

    report = None
    checkpoint = None
    step = 0


def _step_of(index, path: str) -> int:
    m = re.search(r"-(\d+)$", path)
    if m:
        return int(m.group(1))
    for name in ("global_step", "optimizer/iteration"):
        if name in index.shapes and index.shapes[name] == ():
            try:
                return int(index.read(name))
            except Exception:  # a corrupted scalar: no step, not an error
                return 0
    return 0


def restore_for_evaluation(model: Any, checkpoint_path: Any, *,
                           use_moving_averages: bool = False,
                           member: str | None = None,
                           **restore_kwargs: Any):
    """Restores every model variable of ``model`` from a checkpoint.

    Args:
        model: the model to evaluate.
        checkpoint_path: any checkpoint form (see module docstring).
        use_moving_averages: research/slim's ``--moving_average_decay``:
            each trainable variable is read from
            ``<name>/ExponentialMovingAverage`` (the EMA shadow; the
            moving statistics of batch norm keep their own names). A
            trainable variable without its shadow is an error.
        member: which checkpoint of a directory/archive of several.
        **restore_kwargs: ``name_map``, ``include``/``exclude``, …
            (:func:`slimkeras.checkpoints.restore`); strict always.

    Returns:
        ``(report, step)``.

    Raises:
        CheckpointNotFoundError / CheckpointReadError: no readable
            checkpoint. CheckpointMismatchError: a variable is missing or
            does not fit (nothing was changed), no variable was restored,
            or an EMA shadow is missing.
    """
    if restore_kwargs.get("ignore_missing_vars") or restore_kwargs.get(
            "strict") is False:
        raise ValueError(
            "Evaluation restores every model variable (strict): "
            "ignore_missing_vars/strict=False would evaluate weights that "
            "were not restored. Restore partially with "
            "slimkeras.checkpoints.restore, then evaluate_once without "
            "checkpoint_path.")
    restore_kwargs.pop("strict", None)
    restore_kwargs.pop("ignore_missing_vars", None)
    index = checkpoints.reader.open_checkpoint(checkpoint_path, member)
    dry = checkpoints.restore(model, index.path, dry_run=True, strict=False,
                              use_moving_averages=use_moving_averages,
                              _stacklevel=5, **restore_kwargs)
    problems = list(dry.errors)
    if not dry.restored and not problems:
        problems.append("the model has no variable to restore")
    if use_moving_averages and not problems:
        trainable = {variables_lib.get_variable_full_name(v) for v in
                     variables_lib.get_trainable_variables(model)}
        lacking = [p for p in dry.restored
                   if p in trainable and p not in dry.from_moving_average]
        if lacking:
            problems.append(
                f"use_moving_averages: {len(lacking)} trainable variable(s) "
                "have no '<name>/ExponentialMovingAverage' in the "
                f"checkpoint, e.g. {lacking[:5]} (was it trained with "
                "--moving_average_decay?)")
    if problems:
        raise checkpoints.CheckpointMismatchError(
            f"Cannot evaluate {index.path!r}: {len(problems)} problem(s); "
            "no variable was changed and nothing was evaluated:\n  "
            + "\n  ".join(problems)
            + "".join(f"\nhint: {h}" for h in dry.hints),
            problems=problems, report=dry)
    report = checkpoints.restore(model, index.path,
                                 use_moving_averages=use_moving_averages,
                                 _stacklevel=5, **restore_kwargs)
    return report, _step_of(index, index.path)


def evaluate_once(
    model: Any,
    dataset: Iterable,
    metrics: dict[str, Any] | list,
    checkpoint_path: Any = None,
    logdir: str | None = None,
    num_evals: int | None = None,
    *,
    use_moving_averages: bool = False,
    member: str | None = None,
    **restore_kwargs: Any,
) -> EvaluationResult:
    """Evaluates ``model``, first restored from ``checkpoint_path``.

    Args:
        model: a built Keras model; batches are ``(images, labels)``.
        dataset: finite iterable of batches (or set ``num_evals``).
        metrics: ``{name: metric}`` or a list of metrics (named by
            ``metric.name``); each is updated with ``(labels, logits)``.
        checkpoint_path: any checkpoint form (module docstring); None
            evaluates the model's current weights.
        logdir: write the values as TensorBoard scalars here (tags are the
            metric names, step the checkpoint's global step).
        num_evals: stop after this many batches.
        use_moving_averages: evaluate the EMA weights
            (:func:`restore_for_evaluation`).
        member, **restore_kwargs: see :func:`restore_for_evaluation`.

    Returns:
        An :class:`EvaluationResult` ``{name: float}`` with ``.report``.
    """
    if isinstance(metrics, (list, tuple)):
        metrics = {m.name: m for m in metrics}
    result = EvaluationResult()
    if checkpoint_path is not None:
        result.report, result.step = restore_for_evaluation(
            model, checkpoint_path, use_moving_averages=use_moving_averages,
            member=member, **restore_kwargs)
        result.checkpoint = result.report.checkpoint
    elif use_moving_averages:
        raise ValueError("use_moving_averages needs a checkpoint_path.")
    for m in metrics.values():
        m.reset_state()
    predict = tf.function(lambda x: model(x, training=False))
    for i, (x, y) in enumerate(dataset):
        if num_evals is not None and i >= num_evals:
            break
        logits = predict(x)
        for m in metrics.values():
            m.update_state(y, logits)
    result.update({k: float(m.result()) for k, m in metrics.items()})
    if logdir:
        writer = tf.summary.create_file_writer(logdir)
        with writer.as_default():
            for k, v in result.items():
                tf.summary.scalar(k, v, step=result.step)
        writer.flush()
    return result


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
    *,
    use_moving_averages: bool = False,
    **restore_kwargs: Any,
) -> EvaluationResult | dict:
    """Evaluates every new checkpoint in ``checkpoint_dir`` as it appears.

    Each is restored strictly by slim name (see :func:`evaluate_once`).
    Stops after ``max_number_of_evaluations``, or when no new checkpoint
    arrives within ``timeout`` seconds and ``timeout_fn`` (if given)
    returns True. Returns the last evaluation's result (``{}`` if none).
    """
    last, count, values = None, 0, {}
    while (max_number_of_evaluations is None
           or count < max_number_of_evaluations):
        path = wait_for_new_checkpoint(checkpoint_dir, last,
                                       min(eval_interval_secs, 1.0), timeout)
        if path is None:
            if timeout_fn is None or timeout_fn():
                break
            continue
        values = evaluate_once(model, dataset, metrics, path, logdir,
                               num_evals,
                               use_moving_averages=use_moving_averages,
                               **restore_kwargs)
        last, count = path, count + 1
    return values
