"""Checkpoints: TF-Slim name-based files in and out, and training state.

* :func:`restore` — a TF1/TF-Slim checkpoint into Keras variables by slim
  path, partially (``include``/``exclude``), through a ``name_map``, with
  ``label_offset``/``reshape_variables``/``use_moving_averages``; atomic;
  returns a :class:`RestoreReport`.
* slim's wrappers :func:`assign_from_checkpoint`,
  :func:`assign_from_checkpoint_fn` (and, in :mod:`slimkeras.variables`,
  ``assign_from_values``).
* :func:`save_tf1_checkpoint` — a name-based file the original TF-Slim
  restores with ``tf.compat.v1.train.Saver``.
* :func:`resolve_checkpoint` / :func:`resolve_checkpoint_path` — every
  form a checkpoint comes in (V1 file, V2 prefix or file, directory,
  ``.tar.gz`` archive, slimkeras train_dir) to one readable path; every
  function here accepts all of them.
* :func:`inspect` — list a checkpoint; with a model, a dry-run report.
  Also ``python -m slimkeras.checkpoints inspect PATH [--net NAME]``.
* :class:`TrainingCheckpoint` — resumable training state (weights,
  optimizer slots, step) in TF2 object-based format; see
  :mod:`slimkeras.checkpoints.training` for which format is for what.
"""

from slimkeras.checkpoints.inspection import CheckpointInfo as CheckpointInfo
from slimkeras.checkpoints.inspection import inspect as inspect
from slimkeras.checkpoints.plan import plan_restore as plan_restore
from slimkeras.checkpoints.reader import (
    CheckpointMismatchError as CheckpointMismatchError,
)
from slimkeras.checkpoints.reader import (
    CheckpointNotFoundError as CheckpointNotFoundError,
)
from slimkeras.checkpoints.reader import (
    CheckpointReadError as CheckpointReadError,
)
from slimkeras.checkpoints.report import RestoreReport as RestoreReport
from slimkeras.checkpoints.resolve import (
    ResolvedCheckpoint as ResolvedCheckpoint,
)
from slimkeras.checkpoints.resolve import (
    resolve_checkpoint as resolve_checkpoint,
)
from slimkeras.checkpoints.resolve import (
    resolve_checkpoint_path as resolve_checkpoint_path,
)
from slimkeras.checkpoints.restore import (
    assign_from_checkpoint as assign_from_checkpoint,
)
from slimkeras.checkpoints.restore import (
    assign_from_checkpoint_fn as assign_from_checkpoint_fn,
)
from slimkeras.checkpoints.restore import restore as restore
from slimkeras.checkpoints.save import (
    save_tf1_checkpoint as save_tf1_checkpoint,
)
from slimkeras.checkpoints.training import (
    TrainingCheckpoint as TrainingCheckpoint,
)

__all__ = [
    "CheckpointInfo",
    "CheckpointMismatchError",
    "CheckpointNotFoundError",
    "CheckpointReadError",
    "ResolvedCheckpoint",
    "RestoreReport",
    "TrainingCheckpoint",
    "assign_from_checkpoint",
    "assign_from_checkpoint_fn",
    "inspect",
    "plan_restore",
    "resolve_checkpoint",
    "resolve_checkpoint_path",
    "restore",
    "save_tf1_checkpoint",
]
