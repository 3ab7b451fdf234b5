"""One resolver for every form a checkpoint is given in.

``path`` may be:

* a V2 prefix (``/x/model.ckpt-1000``, with ``.index`` + ``.data-*``);
* one of its files (``….index``, ``….data-00000-of-00001``, ``….meta``);
* a V1 single file (research/slim's 2016 tarballs: ``vgg_16.ckpt``,
  written by ``tf.train.Saver(write_version=V1)``; no ``.index``);
* a directory: the checkpoint its ``checkpoint`` state file names (a
  stale absolute path there falls back to the same file name in this
  directory), else its only checkpoint (``member=`` picks one of several);
* a tarball (``.tar.gz``/``.tgz``/``.tar``) as research/slim publishes
  them, extracted into the cache (:mod:`slimkeras.checkpoints.archive`);
  ``member=`` picks one of several checkpoints inside;
* a slimkeras train_dir / ``ckpt-N`` (TF2 object-based,
  :class:`TrainingCheckpoint`): resolved the same way; its model weights
  are then read back under their slim names (``CheckpointIndex``).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from typing import Any

import tensorflow as tf

from slimkeras.checkpoints import archive as archive_lib
from slimkeras.checkpoints.v1_file import TABLE_MAGIC

__all__ = [
    "ResolvedCheckpoint",
    "find_checkpoints",
    "is_v1_file",
    "resolve_checkpoint",
    "resolve_checkpoint_path",
]

_FILE_SUFFIX = re.compile(r"\.(index|meta|data-\d{5}-of-\d{5})$")

@dataclasses.dataclass(frozen=True)
class ResolvedCheckpoint:
    """Where a checkpoint given as ``source`` really is.

    Attributes:
        path: what ``tf.train.load_checkpoint`` reads: a V2 prefix or a V1
            file.
        format: ``'v2'`` or ``'v1'`` (the file layout; whether the names
            are slim names or a TF2 object graph is
            ``CheckpointIndex.object_based``).
        source: the path as given.
        note: how it was found when not literally (state file fallback,
            archive extraction), else None.
    """

    path: str
    format: str
    source: str
    note: str | None = None


def _errors():
    from slimkeras.checkpoints.reader import (
        CheckpointNotFoundError,
        CheckpointReadError,
    )

    return CheckpointNotFoundError, CheckpointReadError


def is_v1_file(path: str) -> bool:
    """A regular file ending in the TF table magic, not a V2 ``.index``."""
    if not os.path.isfile(path) or path.endswith(".index"):
        return False
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() < 48:
                return False
            f.seek(-8, os.SEEK_END)
            return f.read(8) == TABLE_MAGIC
    except OSError:
        return False


def _as_checkpoint(path: str) -> tuple[str, str] | None:
    """(readable path, format) if ``path`` names a checkpoint, else None."""
    prefix = _FILE_SUFFIX.sub("", path)
    if os.path.isfile(prefix + ".index"):
        return prefix, "v2"
    if is_v1_file(prefix):
        return prefix, "v1"
    return None


def find_checkpoints(directory: str, recursive: bool = False) -> list[str]:
    """Every checkpoint in ``directory`` (V2 prefixes and V1 files),
    sorted by modification time (oldest first)."""
    found = []
    walker = os.walk(directory) if recursive else [
        (directory, [], os.listdir(directory))]
    for root, dirs, files in walker:
        dirs.sort()
        for name in files:
            full = os.path.join(root, name)
            if name.endswith(".index"):
                found.append(full[: -len(".index")])
            elif (not _FILE_SUFFIX.search(name) and name != "checkpoint"
                  and is_v1_file(full)):
                found.append(full)
    return sorted(set(found), key=lambda p: (os.path.getmtime(
        p + ".index" if os.path.exists(p + ".index") else p), p))


def _pick_member(where: str, candidates: list[str], member: str | None,
                 what: str) -> str:
    not_found, _ = _errors()
    rel = [os.path.relpath(c, where) for c in candidates]
    if member is not None:
        member = _FILE_SUFFIX.sub("", os.fspath(member))
        hits = [c for c, r in zip(candidates, rel)
                if member in (r, os.path.basename(r))]
        if len(hits) == 1:
            return hits[0]
        raise not_found(
            f"{what} holds no single checkpoint named member={member!r}; "
            f"its checkpoints: {rel}." + (
                " Did you mean "
                f"{difflib.get_close_matches(member, rel, 1, 0)[0]!r}?"
                if rel else ""))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise not_found(f"No checkpoint in {what[0].lower() + what[1:]} "
                        "(no 'checkpoint' state file, no *.index file and "
                        "no V1 checkpoint file).")
    raise not_found(
        f"{what} holds several checkpoints: {rel}. Choose one with "
        f"member=<one of {rel}> (or pass its path).")


def _from_state_file(directory: str) -> tuple[str, str, str | None] | None:
    """The checkpoint a ``checkpoint`` state file names, or None if none.

    Raises CheckpointNotFoundError when it names a checkpoint that is
    neither there nor in ``directory`` under the same file name.
    """
    not_found, _ = _errors()
    state_path = os.path.join(directory, "checkpoint")
    if not os.path.isfile(state_path):
        return None
    try:
        state = tf.train.get_checkpoint_state(directory)
    except Exception as e:  # a corrupted state file
        raise not_found(
            f"The state file {state_path!r} cannot be parsed "
            f"({type(e).__name__}); pass the checkpoint's prefix.") from None
    if state is None or not state.model_checkpoint_path:
        return None
    named = state.model_checkpoint_path
    full = named if os.path.isabs(named) else os.path.join(directory, named)
    hit = _as_checkpoint(full)
    if hit:
        return hit[0], hit[1], None
    local = os.path.join(directory, os.path.basename(named))
    hit = _as_checkpoint(local)
    if hit:
        return hit[0], hit[1], (
            f"the state file names {named!r}, which does not exist; using "
            f"{os.path.basename(named)!r} in {directory!r} (the directory "
            "was moved or copied)")
    present = [os.path.basename(c) for c in find_checkpoints(directory)]
    raise not_found(
        f"The state file {state_path!r} names {named!r}, which exists "
        f"neither there nor as {local!r}. Checkpoints in the directory: "
        f"{present or 'none'}. Pass one of them by path, or fix the state "
        "file.")


def resolve_checkpoint(path: Any, member: str | None = None
                       ) -> ResolvedCheckpoint:
    """Finds the checkpoint ``path`` stands for (module docstring).

    Args:
        path: prefix, file, directory or tarball (str or PathLike).
        member: in a directory or archive with several checkpoints, the
            one to use (its path relative to it, or its file name).

    Raises:
        TypeError: ``path`` is not a string / PathLike.
        CheckpointNotFoundError: nothing there (with close names), or an
            ambiguous directory/archive (lists the choices).
        CheckpointReadError: a file that is not a checkpoint, or an
            unreadable/unsafe archive.
    """
    not_found, read_error = _errors()
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise TypeError(
            "`path` must be a checkpoint prefix, file, directory or "
            f"tarball (str or PathLike). Received: path={path!r}.")
    source = path
    path = os.path.expanduser(path)
    if os.path.isfile(path) and archive_lib.is_archive(path):
        directory = archive_lib.extract_archive(path)
        found = find_checkpoints(directory, recursive=True)
        chosen = _pick_member(directory, found, member,
                              f"Archive {source!r}")
        fmt = "v2" if os.path.isfile(chosen + ".index") else "v1"
        return ResolvedCheckpoint(chosen, fmt, source,
                                  f"extracted from {source!r}")
    if os.path.isdir(path):
        if member is None:
            state = _from_state_file(path)
            if state is not None:
                return ResolvedCheckpoint(state[0], state[1], source,
                                          state[2])
        found = find_checkpoints(path)
        chosen = _pick_member(path, found, member, f"Directory {path!r}")
        fmt = "v2" if os.path.isfile(chosen + ".index") else "v1"
        return ResolvedCheckpoint(chosen, fmt, source)
    hit = _as_checkpoint(path)
    if hit:
        return ResolvedCheckpoint(hit[0], hit[1], source)
    prefix = _FILE_SUFFIX.sub("", path)
    if os.path.isfile(path):
        raise read_error(
            f"{source!r} is a file but not a TF checkpoint: expected a V2 "
            f"prefix with '<prefix>.index' + '<prefix>.data-*' files "
            f"({prefix + '.index'!r} is missing), a V1 single-file "
            "checkpoint, or a .tar.gz/.tgz checkpoint archive.")
    parent = os.path.dirname(prefix) or "."
    hint = ""
    if os.path.isdir(parent):
        names = [os.path.basename(c) for c in find_checkpoints(parent)]
        close = difflib.get_close_matches(os.path.basename(prefix), names,
                                          n=3, cutoff=0.5)
        if close:
            hint = f" Did you mean {', '.join(close)}?"
        elif names:
            hint = f" Checkpoints in {parent!r}: {', '.join(names[:10])}."
    raise not_found(f"No checkpoint found at {source!r}.{hint}")


def resolve_checkpoint_path(path: Any, member: str | None = None) -> str:
    """The readable checkpoint path (V2 prefix or V1 file) for ``path``.

    See :func:`resolve_checkpoint` (same arguments and errors).
    """
    return resolve_checkpoint(path, member).path
