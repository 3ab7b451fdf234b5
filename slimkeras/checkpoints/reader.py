"""Opening checkpoints by slim name, with clear errors.

Every form a checkpoint comes in (V1 file, V2 prefix or file, directory,
tarball, slimkeras train_dir) is found by
:mod:`slimkeras.checkpoints.resolve`. :class:`CheckpointIndex` then lists
its tensors under slim names: a TF1 name-based file as it is; a slimkeras
:class:`TrainingCheckpoint` (TF2 object-based) through its layout, where
each model weight is keyed by its ``variable.path``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from slimkeras.checkpoints.resolve import (
    resolve_checkpoint as resolve_checkpoint,
)
from slimkeras.checkpoints.resolve import (
    resolve_checkpoint_path as resolve_checkpoint_path,
)
from slimkeras.checkpoints.v1_file import V1File

__all__ = [
    "CheckpointIndex",
    "CheckpointMismatchError",
    "CheckpointNotFoundError",
    "CheckpointReadError",
    "open_checkpoint",
    "resolve_checkpoint_path",
]

_OBJECT_GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH"


class CheckpointNotFoundError(FileNotFoundError):
    """No checkpoint at the given path."""


class CheckpointReadError(ValueError):
    """The files exist but are not a readable TF checkpoint."""


class CheckpointMismatchError(ValueError):
    """Variables and checkpoint do not fit; nothing was assigned.

    Attributes:
        problems: ``[(variable_path, message), …]``, every offending name.
        report: the :class:`RestoreReport` of the failed (dry) plan.
    """

    def __init__(self, message: str, problems=(), report=None):
        super().__init__(message)
        self.problems = list(problems)
        self.report = report


class CheckpointIndex:
    """Names, shapes and dtypes of a checkpoint, and its reader.

    For a TF1 name-based checkpoint the names are the file's. For a
    slimkeras :class:`TrainingCheckpoint` (``weights/<escaped path>/…``
    keys in a TF2 object-based file) they are the model weights' slim
    paths; the optimizer's exponential moving averages (Keras
    ``use_ema``), when present, appear as ``<path>/ExponentialMovingAverage``
    and the other optimizer entries as ``extras`` of kind ``'optimizer'``.

    Attributes:
        path: the resolved prefix (or V1 file).
        format: ``'v1'`` or ``'v2'`` (file layout).
        shapes: ``{name: tuple shape}`` (object-graph entry removed).
        dtypes: ``{name: tf.DType}``.
        object_based: True for a TF2 ``tf.train.Checkpoint`` file.
        training_layout: True for a slimkeras TrainingCheckpoint (names
            mapped back to slim paths).
        extras: ``{name: kind}`` of training-state entries that are not
            model weights (object-based files only).
        note: how the path was resolved (see ``ResolvedCheckpoint``).
    """

    def __init__(self, path: str, reader: Any, raw: bool = False,
                 format: str = "v2", note: str | None = None):
        self.path = path
        self.reader = reader
        self._v1 = None
        self.format = format
        self.note = note
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
        self.object_based = _OBJECT_GRAPH in shapes
        self._keys: dict[str, str] = {}
        self.extras: dict[str, str] = {}
        raw_shapes = {k: tuple(v) for k, v in shapes.items()
                      if k != _OBJECT_GRAPH}
        mapped = None
        if self.object_based and not raw:
            mapped = _training_names(raw_shapes)
        self.training_layout = mapped is not None
        if mapped is None:
            self.shapes = raw_shapes
            self.dtypes = {k: dtypes[k] for k in self.shapes}
        else:
            self._keys, self.extras = mapped
            self.shapes = {n: raw_shapes[k] for n, k in self._keys.items()}
            self.dtypes = {n: dtypes[k] for n, k in self._keys.items()}

    def key(self, name: str) -> str:
        """The file's own key for ``name``."""
        return self._keys.get(name, name)

    def names(self) -> list[str]:
        return sorted(self.shapes)

    def _streamed(self):
        """The V1 file's tensors that stream into their arrays (lazy)."""
        if self._v1 is None:
            if self.format != "v1" or not self.shapes:
                self._v1 = False
            else:
                # TF's reader holds ~3 copies of a tensor while it reads
                # it: stream each tensor whose two extra copies would
                # outgrow the largest one (the bound is checkpoint +
                # largest tensor); TF's reader is faster for the rest.
                largest = max((_prod(s) * self.dtypes[n].size
                               for n, s in self.shapes.items()
                               if self.dtypes[n] != tf.string), default=0)
                self._v1 = V1File(self.path, min_bytes=max(
                    1 << 20, largest // 2 + 1))
        return self._v1

    def read(self, name: str):
        """The tensor ``name`` as a NumPy array (CheckpointReadError)."""
        v1 = self._streamed()
        if v1 and name in v1.big and np.dtype(v1.big[name].dtype) == \
                self.dtypes[name].as_numpy_dtype:
            try:
                return v1.read(name, self.shapes[name])
            except (ValueError, OSError) as e:
                raise CheckpointReadError(
                    f"Cannot read tensor {name!r} from checkpoint "
                    f"{self.path!r}: the data file is truncated or "
                    f"corrupted ({e}).") from None
        try:
            return self.reader.get_tensor(self.key(name))
        except Exception as e:  # tf.errors.* (data loss, out of range …)
            why = ("TF's reader cannot read this layout"
                   if isinstance(e, tf.errors.UnimplementedError) else
                   "the data file is truncated or corrupted")
            raise CheckpointReadError(
                f"Cannot read tensor {name!r} from checkpoint "
                f"{self.path!r}: {why} "
                f"({type(e).__name__}: {_first_line(e)})."
            ) from None


    def read_many(self, names: list[str], chunk_bytes: int = 32 << 20
                  ) -> list:
        """Tensors for ``names`` (tf tensors), read in a few RestoreV2 calls.

        Chunks of about ``chunk_bytes`` keep the reader's transient memory
        small. A failing chunk is re-read tensor by tensor so the error
        names the unreadable tensor (CheckpointReadError).
        """
        if self.format == "v1":
            # RestoreV2 re-opens (re-indexes) a V1 file per call; read one
            # tensor at a time instead: the big ones stream into their
            # arrays (v1_file), the small ones through TF's reader, whose
            # transient copies (~2x a tensor) then stay small. Largest
            # first keeps the peak near checkpoint + largest tensor.
            order = sorted(range(len(names)), key=lambda i: -_prod(
                self.shapes[names[i]]) * self.dtypes[names[i]].size)
            out = [None] * len(names)
            for i in order:
                out[i] = self.read(names[i])
            return out
        out: list = []
        chunk: list[str] = []
        size = 0
        for n in names:
            dt = self.dtypes[n]
            nbytes = dt.size * _prod(self.shapes[n]) if dt != tf.string \
                else chunk_bytes
            if chunk and size + nbytes > chunk_bytes:
                out += self._restore(chunk)
                chunk, size = [], 0
            chunk.append(n)
            size += nbytes
        if chunk:
            out += self._restore(chunk)
        return out

    def _restore(self, names: list[str]) -> list:
        try:
            with tf.device("CPU:0"):
                return list(tf.raw_ops.RestoreV2(
                    prefix=self.path,
                    tensor_names=[self.key(n) for n in names],
                    shape_and_slices=[""] * len(names),
                    dtypes=[self.dtypes[n] for n in names]))
        except Exception as e:  # tf.errors.*: find the culprit
            for n in names:
                self.read(n)
            raise CheckpointReadError(
                f"Cannot read tensors {names[:5]} … from checkpoint "
                f"{self.path!r} ({type(e).__name__}: {_first_line(e)})."
            ) from None


def _prod(shape) -> int:
    out = 1
    for d in shape:
        out *= int(d)
    return out


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0][:300] if text else type(e).__name__


def _unescape(name: str) -> str:
    # Inverse of tf.train.Checkpoint's node-name escaping ('.'->'..',
    # '/'->'.S'), as used by TrainingCheckpoint.
    out, i = [], 0
    while i < len(name):
        if name[i] == "." and i + 1 < len(name):
            out.append("/" if name[i + 1] == "S" else name[i + 1])
            i += 2
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


_ATTR = "/.ATTRIBUTES/VARIABLE_VALUE"


def _training_names(raw_shapes: dict) -> tuple[dict, dict] | None:
    """``({slim name: key}, {extra name: kind})`` for a TrainingCheckpoint
    layout, None for another object-based checkpoint."""
    weights = {}
    for k in raw_shapes:
        if k.startswith("weights/") and k.endswith(_ATTR):
            weights[_unescape(k[len("weights/"):-len(_ATTR)])] = k
    if not weights:
        return None
    ema_keys = {}
    for path in weights:
        k = f"optimizer/{path.replace('/', '_')}_average{_ATTR}"
        if k in raw_shapes:
            ema_keys[path + "/ExponentialMovingAverage"] = k
    used = set(weights.values()) | set(ema_keys.values())
    extras = {}
    for k in raw_shapes:
        if k in used:
            continue
        name = k.removesuffix(_ATTR)
        extras[name] = "global_step" if name in (
            "save_counter", "optimizer/iteration") else "optimizer"
        ema_keys.setdefault(name, k)
    return {**weights, **ema_keys}, extras


def open_checkpoint(path: Any, member: str | None = None,
                    raw: bool = False) -> CheckpointIndex:
    """Resolves ``path`` (any form, see
    :func:`~slimkeras.checkpoints.resolve.resolve_checkpoint`) and reads
    the checkpoint's index.

    Args:
        raw: keep an object-based file's own keys (no slim-name view).

    Raises:
        CheckpointNotFoundError, CheckpointReadError, TypeError.
    """
    resolved = resolve_checkpoint(path, member)
    prefix = resolved.path
    try:
        reader = tf.train.load_checkpoint(prefix)
    except Exception as e:
        raise CheckpointReadError(
            f"Cannot read checkpoint {prefix!r}: not a TF checkpoint or its "
            f"index is corrupted ({type(e).__name__}: {_first_line(e)})."
        ) from None
    return CheckpointIndex(prefix, reader, raw=raw, format=resolved.format,
                           note=resolved.note)
