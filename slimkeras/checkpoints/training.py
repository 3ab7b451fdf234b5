"""Training-state checkpoints: weights + optimizer state + step, to resume.

Which format is for what:

* **TF1 name-based** (:func:`restore`, :func:`save_tf1_checkpoint`): model
  weights under slim names. Exchange with TF-Slim and the published
  research/slim checkpoints; fine-tuning starts.
* **Training state** (:class:`TrainingCheckpoint`, this module): a TF2
  object-based ``tf.train.Checkpoint`` managed by
  ``tf.train.CheckpointManager`` (numbered files, ``max_to_keep``), holding
  the model weights, the optimizer's variables (slots, ``iterations`` —
  the step) so an interrupted run resumes where it stopped.

DESIGN.md §7 trap: ``tf.train.Checkpoint(model=model)`` silently skips the
variables of sublayers held in Python lists/dicts. Here every variable is
keyed by ``variable.path`` in a flat dict, so no variable can be skipped,
and a restore checks every key and shape *before* assigning.
"""

from __future__ import annotations

import os
from typing import Any

import keras
import tensorflow as tf

from slimkeras.checkpoints.reader import open_checkpoint

__all__ = ["TrainingCheckpoint"]


def _escape(name: str) -> str:
    # tf.train.Checkpoint's escaping of object-graph node names.
    return name.replace(".", "..").replace("/", ".S")


def _keyed(variables: list, what: str, strip_root: bool = False) -> dict:
    out: dict = {}
    for v in variables:
        key = v.path
        if strip_root:
            # Optimizer paths start with the optimizer's auto-made name
            # ('sgd', 'sgd_1' …), which differs between runs: drop it.
            key = key.split("/", 1)[-1]
        if key in out:
            raise ValueError(
                f"TrainingCheckpoint: two {what} variables share the path "
                f"{key!r}; keys must be unique (give the layers distinct "
                "scopes/names)."
            )
        out[key] = v
    return out


def _optimizer_keyed(optimizer) -> dict:
    """Optimizer variables by path without the auto-made root name. A
    ``LossScaleOptimizer`` (mixed_float16) keeps its own variables (the
    scale, counters) under ``loss_scale/``, beside its inner optimizer's.
    """
    inner = getattr(optimizer, "inner_optimizer", None)
    if inner is None:
        return _keyed(optimizer.variables, "optimizer", strip_root=True)
    inner_ids = {id(v) for v in inner.variables}
    own = [v for v in optimizer.variables if id(v) not in inner_ids]
    out = {f"loss_scale/{k}": v for k, v in _keyed(
        own, "optimizer", strip_root=True).items()}
    out.update(_keyed(inner.variables, "optimizer", strip_root=True))
    return out


class TrainingCheckpoint:
    """Saves and resumes model weights, optimizer state and the step.

    Args:
        model: a built Keras model (or layer).
        optimizer: optional Keras optimizer; built on the model's trainable
            variables if it is not yet, so its slots exist before restore.
        directory: where the numbered checkpoints go.
        max_to_keep: how many recent checkpoints to keep (None: all).

    Example::

        ckpt = TrainingCheckpoint(model, optimizer, "/tmp/run", max_to_keep=3)
        ckpt.restore_latest()          # no-op on a fresh directory
        model.fit(...)
        ckpt.save()                    # numbered by optimizer.iterations
    """

    def __init__(self, model: Any, optimizer: Any = None,
                 directory: Any = None, max_to_keep: int | None = 5):
        if not isinstance(model, keras.Layer):
            raise TypeError("TrainingCheckpoint: `model` must be a keras "
                            f"Model/Layer. Received: model={model!r}.")
        if optimizer is not None and not isinstance(
                optimizer, keras.optimizers.Optimizer):
            raise TypeError("TrainingCheckpoint: `optimizer` must be a keras "
                            f"optimizer. Received: optimizer={optimizer!r}.")
        if directory is None:
            raise ValueError("TrainingCheckpoint: `directory` is required. "
                             "Received: directory=None.")
        if not model.weights:
            raise ValueError("TrainingCheckpoint: the model has no weights "
                             "yet; build it (call it once) first.")
        self.model = model
        self.optimizer = optimizer
        self.directory = os.fspath(directory)
        objects = {"weights": _keyed(model.weights, "model")}
        if optimizer is not None:
            if not optimizer.built:
                optimizer.build(model.trainable_variables)
            objects["optimizer"] = _optimizer_keyed(optimizer)
        self._objects = objects
        self.checkpoint = tf.train.Checkpoint(**objects)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, self.directory, max_to_keep=max_to_keep)

    @property
    def step(self) -> int:
        """The optimizer's iteration count (0 without an optimizer)."""
        if self.optimizer is None:
            return 0
        return int(self.optimizer.iterations.numpy())

    @property
    def latest(self) -> str | None:
        return self.manager.latest_checkpoint

    def save(self, step: int | None = None) -> str:
        """Writes a checkpoint numbered ``step`` (default :attr:`step`)."""
        return self.manager.save(
            checkpoint_number=self.step if step is None else int(step))

    def _read_checked(self, path: str) -> list:
        """Reads every value after checking every key, shape and dtype.

        Raises CheckpointReadError (unreadable, truncated or corrupted
        files) or ValueError (missing keys, shape/dtype mismatches) before
        any variable changes.
        """
        index = open_checkpoint(path, raw=True)
        problems, pairs = [], []
        for group, vs in self._objects.items():
            for key, v in vs.items():
                name = f"{group}/{_escape(key)}/.ATTRIBUTES/VARIABLE_VALUE"
                if name not in index.shapes:
                    problems.append(f"{group} {key}: not in checkpoint")
                elif index.shapes[name] != tuple(v.shape):
                    problems.append(f"{group} {key}: shape {tuple(v.shape)} "
                                    f"!= checkpoint {index.shapes[name]}")
                elif index.dtypes[name].name != str(v.dtype):
                    problems.append(f"{group} {key}: dtype {v.dtype} != "
                                    f"checkpoint {index.dtypes[name].name}")
                else:
                    pairs.append((name, v))
        if problems:
            raise ValueError(
                f"TrainingCheckpoint: cannot restore {path!r}; nothing was "
                "changed:\n  " + "\n  ".join(problems))
        values = index.read_many([n for n, _ in pairs])
        return [(v, value) for (_, v), value in zip(pairs, values)]

    def restore(self, path: str) -> str:
        """Restores ``path`` atomically: every key, shape and dtype is
        checked and every tensor read before the first variable changes.

        Raises:
            CheckpointNotFoundError / CheckpointReadError: no checkpoint, or
                unreadable (truncated, corrupted) files.
            ValueError: keys missing or shapes/dtypes differ.
        """
        for v, value in self._read_checked(path):
            v.assign(value)
        return path

    def restore_latest(self) -> str | None:
        """Restores the latest checkpoint; returns its path (None if none)."""
        path = self.manager.latest_checkpoint
        if path is None:
            return None
        return self.restore(path)
