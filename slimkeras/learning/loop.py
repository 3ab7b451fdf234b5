"""slim's ``learning.train`` loop, on tf.function and CheckpointManager.

``train(train_op, logdir, …, number_of_steps=…, dataset=…)`` keeps
slim's signature (``train_op, logdir, train_step_fn, train_step_kwargs,
log_every_n_steps, graph, master, is_chief, global_step, number_of_steps,
…``, positional or keyword) and runs steps until the optimizer's iteration
counter (slim's global step) reaches ``number_of_steps``, saving a
training-state checkpoint every ``save_interval_steps`` steps or
``save_interval_secs`` seconds and at the end, writing TensorBoard
scalars, and resuming from the latest checkpoint in ``logdir`` when
restarted (so a killed run continues its step count).

In TF1 the train op pulled its batches from the graph's input queues; in
eager code the batches come from ``dataset=`` (any iterable; each element
is passed to ``train_op``). The older slimkeras order
``train(train_op, dataset, logdir, …)`` is still accepted.
"""

from __future__ import annotations

import inspect
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from slimkeras.checkpoints.training import TrainingCheckpoint
from slimkeras.learning import distributed, graph_args
from slimkeras.learning.progress import TrainProgress
from slimkeras.learning.summaries import TrainSummaries

_log = logging.getLogger("slimkeras.learning")
_USE_DEFAULT = graph_args.USE_DEFAULT


class NonFiniteLossError(FloatingPointError):
    """Raised when a step's loss or gradient is NaN/Inf."""


class NoTrainingStepError(RuntimeError):
    """Raised by :func:`train` when it ran no step (nothing to return)."""


def _truth(value: Any) -> bool:
    """A ``train_step_kwargs`` flag: a callable (evaluated now) or a value."""
    return bool(value() if callable(value) else value)


def train_step(batch: Any, train_op: Any, global_step: Any,
               train_step_kwargs: dict) -> tuple[Any, bool]:
    """slim's default ``train_step_fn``: one step on ``batch``.

    slim's signature was ``(sess, train_op, global_step, kwargs)``; eager
    code has no session, so the first argument is the batch the session
    used to pull from the graph's queues (``None`` when ``train()`` got no
    ``dataset``). A custom ``train_step_fn`` that wraps this one keeps
    slim's shape: ``total_loss, should_stop = train_step(batch, train_op,
    global_step, kwargs)``.

    ``train_step_kwargs`` flags (``should_stop``, ``should_log``) are
    callables evaluated after the step (a TF1 program passed boolean
    tensors that ``sess.run`` evaluated; a bool or an eager tensor is used
    as is).

    Returns:
        ``(total_loss, should_stop)``.
    """
    start = time.time()
    total_loss = train_op(batch)
    if "should_log" in train_step_kwargs and _log.isEnabledFor(
            logging.INFO) and _truth(train_step_kwargs["should_log"]):
        _log.info("global step %d: loss = %.4f (%.3f sec/step)",
                  int(global_step.numpy()), float(total_loss),
                  time.time() - start)
    should_stop = ("should_stop" in train_step_kwargs
                   and _truth(train_step_kwargs["should_stop"]))
    return total_loss, should_stop


class _StepCounter:
    """The global step after the current call, counted in Python.

    With the default ``train_step`` (one optimizer step per call) ``train``
    sets it before each call, so the default flags need no read-back of
    the step variable (a host round trip per step); otherwise
    (``value is None``) they read the variable.
    """

    def __init__(self, variable):
        self.variable = variable
        self.value = None

    def __call__(self) -> int:
        if self.value is not None:
            return self.value
        return int(self.variable.numpy())


def _default_kwargs(counter, number_of_steps, log_every_n_steps):
    kwargs = {"should_stop": (
        (lambda: counter() >= number_of_steps)
        if number_of_steps else False)}
    if log_every_n_steps and log_every_n_steps > 0:
        kwargs["should_log"] = (
            lambda: counter() % log_every_n_steps == 0)
    return kwargs


def _legacy_order(logdir, train_step_fn, dataset):
    """``train(op, dataset, logdir)`` (slimkeras ≤ 0.1) → ``(logdir, ds)``."""
    if logdir is None or isinstance(logdir, (str, os.PathLike)):
        return logdir, train_step_fn, dataset
    if dataset is None and isinstance(train_step_fn, (str, os.PathLike)):
        return train_step_fn, train_step, logdir
    raise TypeError(
        f"train: logdir must be a directory path (str) or None. Received: "
        f"{type(logdir).__name__}. Pass the batches as dataset=: "
        "train(train_op, logdir, number_of_steps=..., dataset=ds).")


def _call_init_fn(init_fn):
    # slim's init_fn took the session; accept both forms.
    try:
        inspect.signature(init_fn).bind()
    except TypeError:
        return init_fn(None)
    except ValueError:  # no signature (builtins): call it bare
        pass
    return init_fn()


def train(
    train_op: Any,
    logdir: str | None = None,
    train_step_fn: Callable[..., Any] = train_step,
    train_step_kwargs: Any = _USE_DEFAULT,
    log_every_n_steps: int = 1,
    graph: Any = None,
    master: str = "",
    is_chief: bool = True,
    global_step: Any = None,
    number_of_steps: int | None = None,
    init_op: Any = _USE_DEFAULT,
    init_feed_dict: Any = None,
    local_init_op: Any = _USE_DEFAULT,
    init_fn: Callable[..., Any] | None = None,
    ready_op: Any = _USE_DEFAULT,
    summary_op: Any = _USE_DEFAULT,
    save_summaries_secs: float = 600,
    summary_writer: Any = _USE_DEFAULT,
    startup_delay_steps: int = 0,
    saver: Any = None,
    save_interval_secs: float | None = 600,
    sync_optimizer: Any = None,
    session_config: Any = None,
    session_wrapper: Any = None,
    trace_every_n_steps: Any = None,
    ignore_live_threads: bool = False,
    *,
    dataset: Any = None,
    save_interval_steps: int | None = None,
    max_to_keep: int = 5,
    verbose: bool = True,
    summary_fn: Callable[[int], Any] | None = None,
) -> float:
    """Trains until the global step reaches ``number_of_steps``.

    slim's arguments, in slim's order. Accepted as in slim: ``train_op``,
    ``logdir`` (``None``: no checkpoints, no summaries), ``train_step_fn``
    (see :func:`train_step` for its eager contract), ``train_step_kwargs``,
    ``log_every_n_steps``, ``global_step`` (must be the train op's step),
    ``number_of_steps``, ``init_fn`` (called once on a fresh run, with or
    without slim's session argument), ``save_summaries_secs``,
    ``summary_writer`` (``None``: no summaries; or a
    ``tf.summary.SummaryWriter``), ``save_interval_secs``,
    ``ignore_live_threads`` (no threads: no effect). The TF1
    graph/session arguments (``graph``, ``master``, ``init_op``,
    ``init_feed_dict``, ``local_init_op``, ``ready_op``, ``summary_op``,
    ``saver``, ``sync_optimizer``, ``session_config``, ``session_wrapper``,
    ``trace_every_n_steps``, ``is_chief=False``,
    ``startup_delay_steps>0``) are accepted at their defaults and otherwise
    raise ``ValueError`` naming the argument and what to use instead.

    Args:
        train_op: from :func:`create_train_op` (its ``model`` is saved).
        logdir: checkpoints and TensorBoard events; an existing checkpoint
            there is restored first (``init_fn`` then does not run).
        train_step_fn: ``(batch, train_op, global_step, kwargs) ->
            (total_loss, should_stop)``, called once per batch.
        train_step_kwargs: the dict passed to ``train_step_fn``; default
            ``should_stop`` (global step ≥ ``number_of_steps``) and
            ``should_log`` (every ``log_every_n_steps``) callables.
        number_of_steps: stop at this global step (None: until the data
            ends or ``should_stop``).
        dataset: keyword only: an iterable of batches (e.g. a repeated
            ``tf.data``); ``None`` passes ``None`` as the batch (a
            ``train_step_fn`` that fetches its own data).
        save_interval_steps / save_interval_secs: checkpoint cadence.
        save_summaries_secs: TensorBoard cadence in seconds; summaries
            (``total_loss``, ``global_step/sec``, ``summary_fn``'s) are
            also written every ``log_every_n_steps`` steps and at the last
            step, at most once per step (see :mod:`.summaries`).
        max_to_keep: training checkpoints kept in ``logdir``.
        verbose: a progress bar every ``log_every_n_steps``.
        summary_fn: keyword only: ``fn(step)`` called with the summary
            writer as default at each summary step; its ``tf.summary.*``
            calls join ``total_loss`` (TF1's ``summary_op``).

    Returns:
        The last step's total loss (a float), as slim returned it.

    Raises:
        NoTrainingStepError: no step ran (the global step had already
            reached ``number_of_steps``, e.g. a finished run restored from
            ``logdir``, or the dataset was empty); slim would have
            returned ``None`` or run past ``number_of_steps``.
        NonFiniteLossError: a NaN/Inf loss or gradient; the message names the
            step; the last good checkpoint is kept and no bad one is written.
        ValueError: a TF1-only argument (named) or a bad value.
    """
    logdir, train_step_fn, dataset = _legacy_order(
        logdir, train_step_fn, dataset)
    _check_train_op(train_op, train_step_fn)
    graph_args.check(
        graph=graph, master=master, init_op=init_op,
        init_feed_dict=init_feed_dict, local_init_op=local_init_op,
        ready_op=ready_op, summary_op=summary_op, saver=saver,
        sync_optimizer=sync_optimizer, session_config=session_config,
        session_wrapper=session_wrapper,
        trace_every_n_steps=trace_every_n_steps)
    graph_args.check_replica(is_chief, startup_delay_steps)
    del ignore_live_threads
    step_var = _checked_step_var(train_op, train_step_fn, global_step,
                                 number_of_steps, dataset)
    counter = _StepCounter(step_var)
    train_step_kwargs = _step_kwargs(train_step_kwargs, counter,
                                     number_of_steps, log_every_n_steps)
    # Multi-worker: only the chief writes to logdir (see .distributed).
    strategy = getattr(train_op, "strategy", None)
    logdir = distributed.worker_dir(logdir, strategy)
    ckpt, writer, restored = _open_logdir(train_op, logdir, summary_writer,
                                          max_to_keep)
    if writer is not None:
        train_step_kwargs.setdefault("summary_writer", writer)
    restored = bool(distributed.chief_value(strategy, restored))
    if not restored and init_fn is not None:
        _call_init_fn(init_fn)
    distributed.sync_train_state(strategy, train_op)
    step = start_step = int(step_var.numpy())
    _check_steps_left(step, number_of_steps, restored, ckpt)
    summaries = None if writer is None else TrainSummaries(
        writer, log_every_n_steps, save_summaries_secs, summary_fn)
    with distributed.failures_stop(strategy, ckpt):
        return _run(train_op, train_step_fn, train_step_kwargs, dataset,
                    number_of_steps, step, start_step, ckpt, summaries,
                    log_every_n_steps, save_interval_steps,
                    save_interval_secs, save_summaries_secs, verbose,
                    counter)


def _check_train_op(train_op, train_step_fn):
    if train_op is None:
        raise ValueError("train: train_op cannot be None.")
    if not callable(train_step_fn):
        raise TypeError(
            "train: train_step_fn must be a callable (batch, train_op, "
            "global_step, train_step_kwargs) -> (total_loss, should_stop). "
            f"Received: {train_step_fn!r}.")


def _checked_step_var(train_op, train_step_fn, global_step, number_of_steps,
                      dataset):
    """Checks ``number_of_steps``, ``global_step`` and that there are
    batches; the train op's step variable."""
    if number_of_steps is not None and number_of_steps <= 0:
        raise ValueError("train: number_of_steps must be None or a positive "
                         f"number. Received: {number_of_steps!r}.")
    step_var = train_op.step
    if global_step is not None and global_step is not step_var:
        raise ValueError(
            "train: global_step must be the train op's step counter "
            "(train_op.step, the optimizer's iterations); a separate "
            f"variable would not advance. Received: {global_step!r}.")
    if dataset is None and train_step_fn is train_step:
        raise TypeError(
            "train: no batches. Pass them as dataset= (an iterable, e.g. a "
            "repeated tf.data.Dataset): train(train_op, logdir, "
            "number_of_steps=..., dataset=ds).")
    return step_var


def _step_kwargs(train_step_kwargs, counter, number_of_steps,
                 log_every_n_steps):
    if train_step_kwargs is _USE_DEFAULT:
        return _default_kwargs(counter, number_of_steps, log_every_n_steps)
    if not isinstance(train_step_kwargs, dict):
        raise TypeError("train: train_step_kwargs must be a dict. Received: "
                        f"{train_step_kwargs!r}.")
    return train_step_kwargs


def _open_logdir(train_op, logdir, summary_writer, max_to_keep):
    """``(checkpoint, summary writer, restored?)``: restores the latest
    checkpoint in ``logdir``, if any."""
    ckpt = writer = None
    if logdir is not None:
        model = train_op.model
        if model is None:
            raise ValueError("train: the train step has no `model` to save; "
                             "pass model= to create_train_op.")
        os.makedirs(logdir, exist_ok=True)
        ckpt = TrainingCheckpoint(model, train_op.optimizer, logdir,
                                  max_to_keep=max_to_keep)
        restored = ckpt.restore_latest() is not None
        if summary_writer is _USE_DEFAULT:
            writer = tf.summary.create_file_writer(
                os.path.join(logdir, "train"))
    else:
        restored = False
    if summary_writer is not None and summary_writer is not _USE_DEFAULT:
        writer = summary_writer
    return ckpt, writer, restored


def _check_steps_left(step, number_of_steps, restored, ckpt):
    if number_of_steps is not None and step >= number_of_steps:
        raise NoTrainingStepError(
            f"train: the global step is already {step} >= number_of_steps="
            f"{number_of_steps}" + (f" (restored from {ckpt.latest!r})"
                                    if restored else "")
            + "; no step ran. Raise number_of_steps to train further, or "
            "use a new logdir to start over.")


def _batches(train_op, dataset):
    if dataset is None:
        while True:
            yield None
    if getattr(train_op, "replicas", 1) > 1 and isinstance(
            dataset, tf.data.Dataset):
        dataset = train_op.strategy.experimental_distribute_dataset(dataset)
    yield from dataset


def _run(train_op, train_step_fn, kwargs, dataset, number_of_steps, step,
         start_step, ckpt, summaries, log_every_n_steps, save_interval_steps,
         save_interval_secs, save_summaries_secs, verbose, counter):
    step_var = train_op.step
    default_fn = train_step_fn is train_step
    last_save = time.time()
    last_saved_step = step
    loss = None
    progress = TrainProgress(number_of_steps, verbose)
    for batch in _batches(train_op, dataset):
        if default_fn:
            counter.value = step + 1
        try:
            loss, should_stop = train_step_fn(batch, train_op, step_var,
                                              kwargs)
        except FloatingPointError as e:
            latest = ckpt.latest if ckpt is not None else None
            raise NonFiniteLossError(
                f"{e} Last good checkpoint: {latest!r}.") from None
        # The default step runs one optimizer step per call: count in
        # Python rather than read the iteration variable back (a host
        # round trip); a custom train_step_fn may run any number.
        step = step + 1 if default_fn else int(step_var.numpy())
        now = time.time()
        if log_every_n_steps and step % log_every_n_steps == 0:
            progress.update(step, float(loss))
        if summaries is not None:
            summaries.after_step(step, loss)
        due = ckpt is not None and (
            (save_interval_steps
             and step - last_saved_step >= save_interval_steps)
            or (save_interval_secs is not None
                and now - last_save >= save_interval_secs))
        if due:
            ckpt.save(step)
            last_save, last_saved_step = now, step
        if should_stop or (number_of_steps is not None
                           and step >= number_of_steps):
            break
    if loss is None:
        raise NoTrainingStepError(
            "train: the dataset yielded no batch; no step ran.")
    if ckpt is not None and (step != last_saved_step or ckpt.latest is None):
        ckpt.save(step)
    if summaries is not None:
        summaries.finish(step, loss)
    if number_of_steps is not None and step < number_of_steps and not (
            should_stop):
        _log.warning(
            "train: the dataset ended at step %d, before number_of_steps=%d"
            " (a finite dataset, e.g. make_batches(num_epochs=1)); pass "
            "num_epochs=None to repeat it.", step, number_of_steps)
    return float(loss)
