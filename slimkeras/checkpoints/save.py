"""Writing TF1 name-based checkpoints that the original TF-Slim restores.

The file is a V2 bundle (``<prefix>.index`` + ``<prefix>.data-…``) keyed by
slim names, so ``tf.compat.v1.train.Saver`` in graph mode (and
``slim.assign_from_checkpoint_fn``) restores it into a tf-slim graph. It
holds weights only: use :class:`TrainingCheckpoint` to resume training.
"""

from __future__ import annotations

import os
import shutil
import uuid
from typing import Any

import keras
import tensorflow as tf

from slimkeras import variables as variables_lib
from slimkeras.checkpoints.plan import _map_name, _mapper

__all__ = ["save_tf1_checkpoint"]


def _write_state(prefix: str) -> None:
    directory = os.path.dirname(prefix) or "."
    rel = os.path.basename(prefix)
    text = (f'model_checkpoint_path: "{rel}"\n'
            f'all_model_checkpoint_paths: "{rel}"\n')
    tmp = os.path.join(directory, f".checkpoint.tmp{uuid.uuid4().hex}")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(directory, "checkpoint"))


def save_tf1_checkpoint(model_or_variables: Any, path: Any,
                        name_map: Any = None,
                        write_state_file: bool = True) -> str:
    """Saves variables under their slim names as a TF1 V2 checkpoint.

    Args:
        model_or_variables: a model/layer (its model variables), a list of
            variables, or a dict ``{checkpoint name: variable or array}``.
        path: the checkpoint prefix to write (``/dir/model.ckpt``); its
            directory is created.
        name_map: ``{variable path: checkpoint name}`` or a callable, as in
            :func:`restore` (so a map used to restore can save back).
        write_state_file: also write ``<dir>/checkpoint`` naming this file
            as the latest (what ``tf.train.latest_checkpoint`` reads).

    Returns:
        The prefix written. The write goes to a temporary prefix first and
        is renamed into place, so a failure leaves no half-written file.

    Raises:
        ValueError: two variables would get the same checkpoint name, or
            ``name_map`` fails for a variable (all such names listed).
    """
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path or path.endswith(("/", os.sep)):
        raise TypeError("`path` must be a checkpoint prefix such as "
                        f"'/dir/model.ckpt'. Received: path={path!r}.")
    if isinstance(model_or_variables, dict):
        if name_map is not None:
            raise ValueError("`name_map` cannot be combined with a "
                             "{checkpoint name: variable} dict.")
        pairs = list(model_or_variables.items())
        bad = [k for k, _ in pairs if not isinstance(k, str) or not k]
        if bad:
            raise TypeError("A dict to save maps checkpoint names (str) to "
                            f"variables or arrays. Received keys {bad!r}.")
    else:
        if isinstance(model_or_variables, keras.Layer):
            vs = variables_lib.get_model_variables(model_or_variables)
        else:
            vs = variables_lib.iter_variables(model_or_variables)
        mapper = _mapper(name_map)
        pairs, problems = [], []
        for v in vs:
            p = variables_lib.get_variable_full_name(v)
            name, problem = _map_name(mapper, p)
            if problem:
                problems.append(f"{p}: {problem}")
            else:
                pairs.append((name, v))
        if problems:
            raise ValueError("save_tf1_checkpoint: nothing was written:\n  "
                             + "\n  ".join(problems))
    seen: dict[str, int] = {}
    for name, _ in pairs:
        seen[name] = seen.get(name, 0) + 1
    dups = sorted(n for n, c in seen.items() if c > 1)
    if dups:
        raise ValueError("save_tf1_checkpoint: several variables share the "
                         f"checkpoint name(s) {dups}; nothing was written.")
    if not pairs:
        raise ValueError("save_tf1_checkpoint: no variables to save. "
                         f"Received: {model_or_variables!r}.")
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    tmp_dir = f"{path}_temp_{uuid.uuid4().hex}"
    os.makedirs(tmp_dir)
    tmp_prefix = os.path.join(tmp_dir, "part-00000-of-00001")
    try:
        with tf.device("CPU:0"):
            tensors = [tf.convert_to_tensor(
                v.value if variables_lib._is_variable(v) else v)
                for _, v in pairs]
            tf.raw_ops.SaveV2(
                prefix=tmp_prefix, tensor_names=[n for n, _ in pairs],
                shape_and_slices=[""] * len(pairs), tensors=tensors)
        # One SaveV2 writes a complete single-shard bundle, so two renames
        # put it in place: the data file first, then the index that names
        # it. Overwriting a prefix, a kill between the two leaves an index
        # whose checksums do not match the data (a clear read error), never
        # values mixed from two writes; the window is two syscalls.
        for suffix in (".data-00000-of-00001", ".index"):
            os.replace(tmp_prefix + suffix, path + suffix)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    if write_state_file:
        _write_state(path)
    return path
