"""Restoring TF1 name-based (TF-Slim) checkpoints into Keras variables.

Atomic: every lookup, shape and dtype check, and every tensor read, happens
before the first assignment; a failure raises one error that lists every
offending name and leaves all weights as they were.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import tensorflow as tf

from slimkeras.checkpoints.plan import plan_restore
from slimkeras.checkpoints.reader import (
    CheckpointMismatchError,
    open_checkpoint,
    resolve_checkpoint_path,
)
from slimkeras.checkpoints.report import RestoreReport

__all__ = ["assign_from_checkpoint", "assign_from_checkpoint_fn", "restore"]


def _check_bool(value: Any, name: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be a bool. Received: {name}={value!r}.")


def restore(model_or_variables: Any, path: Any, *, include: Any = None,
            exclude: Any = None, name_map: Any = None,
            ignore_missing_vars: bool = False,
            reshape_variables: bool = False,
            use_moving_averages: bool = False, label_offset: int = 0,
            strict: bool = True, dry_run: bool = False,
            member: str | None = None,
            _stacklevel: int = 4) -> RestoreReport:
    """Restores a TF-Slim (TF1 name-based) checkpoint by variable path.

    Args:
        model_or_variables: a Keras model/layer (its model variables: see
            :mod:`slimkeras.variables`), a list of variables, or a dict
            ``{checkpoint name: variable}``.
        path: any checkpoint form (:func:`resolve_checkpoint`): a V2
            prefix or one of its files, a V1 single file (research/slim's
            2016 tarballs), a directory (its latest), a ``.tar.gz``/``.tgz``
            archive (extracted into the cache), or a slimkeras train_dir /
            ``ckpt-N`` (its model weights, by slim path).
        include: patterns (:mod:`slimkeras.patterns`) of variable paths to
            restore; None restores all. Applied to *variable* paths.
        exclude: patterns of variable paths not to restore (e.g. the
            logits scope when ``num_classes`` changed). A pattern that
            matches nothing gives a ``UserWarning``.
        name_map: ``{variable path: checkpoint name}`` (unlisted paths map
            to themselves) or a callable ``(variable path) -> checkpoint
            name``. A callable that raises or returns a non-string is
            reported as an error for that variable.
        ignore_missing_vars: variables absent from the checkpoint are
            listed in ``report.missing`` instead of failing.
        reshape_variables: a checkpoint tensor with the variable's number
            of elements but another shape is reshaped.
        use_moving_averages: read ``<name>/ExponentialMovingAverage`` when
            the checkpoint has it (else ``<name>``).
        label_offset: for every variable whose shape differs from the
            checkpoint's *only in the last dimension, by exactly*
            ``label_offset`` (the logits weights and biases), drop the
            first ``label_offset`` checkpoint entries of that dimension
            (``1``: 1001 classes with background → 1000). A negative offset
            does the reverse: the first ``-label_offset`` entries keep the
            variable's current values, the rest come from the checkpoint.
            ``report.label_offset_applied`` lists the variables.
        strict: True (default): any problem raises and nothing is assigned.
            False: variables with problems are left alone, the others are
            restored, and ``report.errors`` lists the problems.
        dry_run: check and report only; assign nothing (read nothing).
        member: which checkpoint of a directory/archive holding several.

    Returns:
        A :class:`RestoreReport` (``print(report)`` shows a table).

    Raises:
        CheckpointNotFoundError: no checkpoint at ``path``.
        CheckpointReadError: not a checkpoint, or a tensor cannot be read
            (truncated/corrupted data); nothing was assigned.
        CheckpointMismatchError (a ValueError): missing names, shape or
            dtype mismatches, a failing ``name_map``; nothing was assigned.
        TypeError: arguments of the wrong type.
    """
    for name in ("ignore_missing_vars", "reshape_variables",
                 "use_moving_averages", "strict", "dry_run"):
        _check_bool(locals()[name], name)
    index = open_checkpoint(path, member)
    items, report = plan_restore(
        model_or_variables, index, include=include, exclude=exclude,
        name_map=name_map, ignore_missing_vars=ignore_missing_vars,
        reshape_variables=reshape_variables,
        use_moving_averages=use_moving_averages, label_offset=label_offset,
        warn_stacklevel=_stacklevel)
    report.dry_run = dry_run
    report.checkpoint_format = _format_name(index)
    if dry_run:
        return report
    if report.errors and strict:
        raise CheckpointMismatchError(
            f"Cannot restore from {index.path!r}: {len(report.errors)} "
            "problem(s); no variable was changed:\n  "
            + "\n  ".join(report.errors)
            + "".join(f"\nhint: {h}" for h in report.hints)
            + "\n(ignore_missing_vars=True skips missing names; exclude=… "
            "skips scopes; strict=False restores the rest.)",
            problems=report.errors, report=report)
    # Read everything first: a corrupted data file fails here, before any
    # variable changes.
    values = index.read_many([it.source for it in items])
    for i, it in enumerate(items):
        if it.transform == "label_offset":
            k = label_offset
            if k > 0:
                values[i] = values[i][..., k:]
            else:
                current = tf.convert_to_tensor(np.asarray(it.var)[..., :-k])
                values[i] = tf.concat([current, values[i]], axis=-1)
        elif it.transform == "reshape":
            values[i] = tf.reshape(values[i], tuple(it.var.shape))
    for i, it in enumerate(items):
        _assign(it.var, values[i])
        values[i] = None  # free as we go
    return report


_SLICE_BYTES = 16 << 20


def _assign(var, value) -> None:
    """``var.assign(value)`` without a full-size copy of a big NumPy array
    (assigning a 392 MiB array at once holds two more copies): an aligned
    one is handed over through DLPack, any other written in place in row
    blocks."""
    target = getattr(var, "_value", var)  # a Keras variable's tf.Variable
    if not (isinstance(value, np.ndarray) and value.ndim
            and value.nbytes > 2 * _SLICE_BYTES
            and isinstance(target, tf.Variable)
            and tuple(target.shape) == value.shape
            and target.dtype.as_numpy_dtype == value.dtype):
        var.assign(value)
        return
    if value.flags.c_contiguous and value.ctypes.data % 64 == 0:
        # A page-aligned array (v1_file's buffers) becomes a tensor without
        # a copy; TF needs 64-byte alignment for that.
        try:
            tensor = tf.experimental.dlpack.from_dlpack(value.__dlpack__())
        except Exception:  # no DLPack in this NumPy/TF: the blocks below
            tensor = None
        if tensor is not None:
            var.assign(tensor)
            return
    # Blocks of at most _SLICE_BYTES: whole rows of the k leading axes
    # (fc6's [7, 7, 512, 4096] goes in 49 blocks of [1, 1, 512, 4096]).
    shape = value.shape
    k, block = 0, value.nbytes
    while k < len(shape) and block > _SLICE_BYTES:
        block //= shape[k]
        k += 1
    k = max(k, 1)
    rows = max(1, _SLICE_BYTES // (value.nbytes // math.prod(shape[:k])))
    flat_rows = value.reshape(math.prod(shape[:k]), *shape[k:])
    for start in range(0, flat_rows.shape[0], rows):
        stop = min(start + rows, flat_rows.shape[0])
        # The raw op: `target[a:b].assign` first reads the whole variable,
        # and the read makes the in-place write copy the buffer.
        for lo in _runs(start, stop, shape[:k]):
            index = np.unravel_index(lo[0], shape[:k])
            begin = [int(i) for i in index] + [0] * (len(shape) - k)
            end = [int(i) + 1 for i in index[:-1]] + [
                int(index[-1]) + lo[1] - lo[0]] + list(shape[k:])
            tf.raw_ops.ResourceStridedSliceAssign(
                ref=target.handle, begin=begin, end=end,
                strides=[1] * len(shape),
                value=flat_rows[lo[0]:lo[1]].reshape(
                    [e - b for b, e in zip(begin, end)]))


def _runs(start: int, stop: int, lead: tuple):
    """Splits flat rows [start, stop) of the ``lead`` axes into runs that
    stay inside one index of every lead axis but the last (rectangular
    slices)."""
    last = lead[-1]
    while start < stop:
        end = min(stop, (start // last + 1) * last)
        yield start, end
        start = end


def _format_name(index) -> str:
    if index.training_layout:
        return "training"
    if index.object_based:
        return "object-based"
    return f"tf1-{index.format}"


def assign_from_checkpoint(model_path: Any, var_list: Any,
                           ignore_missing_vars: bool = False
                           ) -> RestoreReport:
    """slim's ``assign_from_checkpoint``, eager: restores now.

    Args:
        model_path: any checkpoint form (see :func:`restore`), incl. a
            slimkeras train_dir.
        var_list: a list of variables (restored by ``variable.path``), a
            model/layer, or a dict ``{checkpoint name: variable}``.
        ignore_missing_vars: warn about, instead of failing on, variables
            the checkpoint lacks.

    Returns:
        The :class:`RestoreReport` (slim returned an op and a feed dict).
    """
    report = restore(var_list, model_path,
                     ignore_missing_vars=ignore_missing_vars, _stacklevel=5)
    if report.missing:
        warnings.warn(f"Variables not found in checkpoint {report.checkpoint}"
                      f": {report.missing}", UserWarning, stacklevel=2)
    return report


def assign_from_checkpoint_fn(model_path: Any, var_list: Any,
                              ignore_missing_vars: bool = False,
                              reshape_variables: bool = False):
    """slim's ``assign_from_checkpoint_fn``: a callable that restores.

    The checkpoint path is checked now; the restore (atomic, see
    :func:`restore`) runs when the callable is called. It takes no
    argument (one positional argument, slim's session, is accepted and
    ignored) and returns the :class:`RestoreReport`.

    Returns:
        The callable, or None when ``ignore_missing_vars`` is set and no
        variable is in the checkpoint (as slim).

    Raises:
        ValueError: ``var_list`` is empty.
    """
    if not var_list:
        raise ValueError("var_list cannot be empty. "
                         f"Received: var_list={var_list!r}.")
    resolve_checkpoint_path(model_path)  # fail now on a bad path
    if ignore_missing_vars:
        plan = restore(var_list, model_path, ignore_missing_vars=True,
                       reshape_variables=reshape_variables, dry_run=True,
                       strict=False)
        if not plan.restored:
            warnings.warn(f"No variables to restore from {model_path!r}.",
                          UserWarning, stacklevel=2)
            return None

    def init_fn(*unused_session):
        return restore(var_list, model_path,
                       ignore_missing_vars=ignore_missing_vars,
                       reshape_variables=reshape_variables, _stacklevel=5)

    return init_fn
