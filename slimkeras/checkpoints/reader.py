"""Finding and opening TF1 name-based checkpoints, with clear errors.

``path`` may be a checkpoint prefix (``/x/model.ckpt-1000``), one of its
files (``….index``, ``….data-00000-of-00001``) or a directory (its latest
checkpoint, from the ``checkpoint`` state file, else its only ``*.index``).
"""

from __future__ import annotations

import difflib
import glob
import os
import re
from typing import Any

import tensorflow as tf

__all__ = [
    "CheckpointNotFoundError",
    "CheckpointReadError",
    "CheckpointMismatchError",
    "resolve_checkpoint_path",
    "CheckpointIndex",
    "open_checkpoint",
]

_FILE_SUFFIX = re.compile(r"\.(index|meta|data-\d{5}-of-\d{5})$")
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


def resolve_checkpoint_path(path: Any) -> str:
    """The checkpoint prefix for ``path`` (see module docstring).

    Raises:
        TypeError: ``path`` is not a string / PathLike.
        CheckpointNotFoundError: nothing there (with close file names).
        CheckpointReadError: a file that is not a checkpoint.
    """
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise TypeError(
            "`path` must be a checkpoint prefix or directory (str or "
            f"PathLike). Received: path={path!r}."
        )
    if os.path.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest and os.path.exists(latest + ".index"):
            return latest
        indexes = sorted(glob.glob(os.path.join(glob.escape(path), "*.index")),
                         key=os.path.getmtime)
        if len(indexes) == 1:
            return indexes[0][: -len(".index")]
        if indexes:
            raise CheckpointNotFoundError(
                f"Directory {path!r} holds several checkpoints and no "
                "'checkpoint' state file names the latest: "
                f"{[os.path.basename(i)[:-6] for i in indexes]}. "
                "Pass the prefix of the one to use."
            )
        raise CheckpointNotFoundError(
            f"No checkpoint in directory {path!r} (no 'checkpoint' state "
            "file and no *.index file)."
        )
    prefix = _FILE_SUFFIX.sub("", path)
    if os.path.exists(prefix + ".index"):
        return prefix
    if os.path.isfile(path):
        raise CheckpointReadError(
            f"{path!r} is a file but not a TF checkpoint: a name-based "
            f"checkpoint is a prefix with '<prefix>.index' and "
            f"'<prefix>.data-*' files ({prefix + '.index'!r} is missing)."
        )
    parent = os.path.dirname(prefix) or "."
    hint = ""
    if os.path.isdir(parent):
        names = sorted({_FILE_SUFFIX.sub("", n) for n in os.listdir(parent)
                        if n.endswith(".index")})
        close = difflib.get_close_matches(os.path.basename(prefix), names,
                                          n=3, cutoff=0.5)
        if close:
            hint = f" Did you mean {', '.join(close)}?"
        elif names:
            hint = f" Checkpoints in {parent!r}: {', '.join(names[:10])}."
    raise CheckpointNotFoundError(f"No checkpoint found at {path!r}.{hint}")


class CheckpointIndex:
    """Names, shapes and dtypes of a checkpoint, and its reader.

    Attributes:
        path: the resolved prefix.
        shapes: ``{name: tuple shape}`` (object-graph entry removed).
        dtypes: ``{name: tf.DType}``.
        object_based: True for a TF2 ``tf.train.Checkpoint`` file.
    """

    def __init__(self, path: str, reader: Any):
        self.path = path
        self.reader = reader
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
        self.object_based = _OBJECT_GRAPH in shapes
        self.shapes = {k: tuple(v) for k, v in shapes.items()
                       if k != _OBJECT_GRAPH}
        self.dtypes = {k: dtypes[k] for k in self.shapes}

    def names(self) -> list[str]:
        return sorted(self.shapes)

    def read(self, name: str):
        """The tensor ``name`` as a NumPy array (CheckpointReadError)."""
        try:
            return self.reader.get_tensor(name)
        except Exception as e:  # tf.errors.* (data loss, out of range …)
            raise CheckpointReadError(
                f"Cannot read tensor {name!r} from checkpoint "
                f"{self.path!r}: the data file is truncated or corrupted "
                f"({type(e).__name__}: {_first_line(e)})."
            ) from None


    def read_many(self, names: list[str], chunk_bytes: int = 32 << 20
                  ) -> list:
        """Tensors for ``names`` (tf tensors), read in a few RestoreV2 calls.

        Chunks of about ``chunk_bytes`` keep the reader's transient memory
        small. A failing chunk is re-read tensor by tensor so the error
        names the unreadable tensor (CheckpointReadError).
        """
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
                    prefix=self.path, tensor_names=names,
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


def open_checkpoint(path: Any) -> CheckpointIndex:
    """Resolves ``path`` and reads the checkpoint's index.

    Raises:
        CheckpointNotFoundError, CheckpointReadError, TypeError.
    """
    prefix = resolve_checkpoint_path(path)
    try:
        reader = tf.train.load_checkpoint(prefix)
    except Exception as e:
        raise CheckpointReadError(
            f"Cannot read checkpoint {prefix!r}: not a TF checkpoint or its "
            f"index is corrupted ({type(e).__name__}: {_first_line(e)})."
        ) from None
    return CheckpointIndex(prefix, reader)
