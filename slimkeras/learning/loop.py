"""slim's ``learning.train`` loop, on tf.function and CheckpointManager.

``train(train_step, dataset, logdir, number_of_steps=…)`` runs steps until
the optimizer's iteration counter (slim's global step) reaches
``number_of_steps``, saving a training-state checkpoint every
``save_interval_steps`` steps or ``save_interval_secs`` seconds and at the
end, writing TensorBoard scalars, and resuming from the latest checkpoint
in ``logdir`` when restarted (so a killed run continues its step count).
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable

import keras
import tensorflow as tf

from slimkeras.checkpoints.training import TrainingCheckpoint
from slimkeras.learning.train_op import TrainStep


class NonFiniteLossError(FloatingPointError):
    """Raised when a step's loss or gradient is NaN/Inf."""


def train(
    train_step: TrainStep,
    dataset: Any,
    logdir: str,
    number_of_steps: int | None = None,
    init_fn: Callable[[], Any] | None = None,
    log_every_n_steps: int = 1,
    save_interval_steps: int | None = None,
    save_interval_secs: float | None = 600,
    save_summaries_secs: float = 600,
    max_to_keep: int = 5,
    verbose: bool = True,
    trace_every_n_steps: Any = None,
) -> float:
    """Trains until the global step reaches ``number_of_steps``.

    Args:
        train_step: from :func:`create_train_op` (its ``model`` is saved).
        dataset: an iterable of batches (e.g. a repeated ``tf.data``).
        logdir: checkpoints and TensorBoard events; an existing checkpoint
            there is restored first (``init_fn`` then does not run).
        number_of_steps: stop at this global step (None: until the data
            ends).
        init_fn: called once on a fresh run (e.g. a restore from a
            pretrained slim checkpoint).
        log_every_n_steps: print/log the loss every n steps.
        save_interval_steps / save_interval_secs: checkpoint cadence.
        save_summaries_secs: TensorBoard scalar cadence (the loss).

    Returns:
        The last loss.

    Raises:
        NonFiniteLossError: a NaN/Inf loss or gradient; the message names the
            step; the last good checkpoint is kept and no bad one is written.
    """
    del trace_every_n_steps
    model = train_step.model
    if model is None:
        raise ValueError("train: the train step has no `model` to save; "
                         "pass model= to create_train_op.")
    os.makedirs(logdir, exist_ok=True)
    ckpt = TrainingCheckpoint(model, train_step.optimizer, logdir,
                              max_to_keep=max_to_keep)
    if ckpt.restore_latest() is None and init_fn is not None:
        init_fn()
    writer = tf.summary.create_file_writer(os.path.join(logdir, "train"))
    step = int(train_step.step.numpy())
    last_save = last_summary = time.time()
    last_saved_step = step
    loss = float("nan")
    progress = keras.utils.Progbar(number_of_steps, verbose=int(verbose))
    if train_step.replicas > 1 and isinstance(dataset, tf.data.Dataset):
        dataset = train_step.strategy.experimental_distribute_dataset(
            dataset)
    iterator = iter(dataset)
    while number_of_steps is None or step < number_of_steps:
        try:
            batch = next(iterator)
        except StopIteration:
            break
        try:
            loss_t = train_step(batch)
        except FloatingPointError as e:
            raise NonFiniteLossError(
                f"{e} Last good checkpoint: {ckpt.latest!r}."
            ) from None
        # One optimizer step per call: count in Python rather than read
        # the iteration variable back every step (a host round trip).
        step += 1
        loss = loss_t
        now = time.time()
        if log_every_n_steps and step % log_every_n_steps == 0:
            progress.update(step, [("loss", float(loss))])
        if now - last_summary >= save_summaries_secs or step == 1:
            with writer.as_default():
                tf.summary.scalar("total_loss", loss, step=step)
            last_summary = now
        due = (save_interval_steps and step - last_saved_step
               >= save_interval_steps) or (
            save_interval_secs is not None
            and now - last_save >= save_interval_secs)
        if due:
            ckpt.save(step)
            last_save, last_saved_step = now, step
    if step != last_saved_step or ckpt.latest is None:
        ckpt.save(step)
    with writer.as_default():
        tf.summary.scalar("total_loss", loss, step=step)
    writer.flush()
    return float(loss)
