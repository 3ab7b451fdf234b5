"""research/slim's checkpoint tarballs (``.tar.gz``/``.tgz``/``.tar``),
extracted safely and atomically into the slimkeras cache.

``<cache_root()>/extracted/<archive stem>`` holds the members; a marker file
records the archive's size and mtime, so the same archive is extracted
once and a replaced one (same name, other bytes) is extracted again. The
extraction goes to a temporary directory renamed into place: an
interrupted or failed extraction leaves nothing behind. Members whose path
would leave the directory (absolute, ``..``, links, devices) are refused.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import uuid

from slimkeras.checkpoints.cache import cache_root

__all__ = ["ARCHIVE_SUFFIXES", "extract_archive", "is_archive"]

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
_MARKER = ".slimkeras_archive.json"


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def _stem(path: str) -> str:
    name = os.path.basename(path)
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or "archive"
    return name


def _fingerprint(path: str) -> dict:
    st = os.stat(path)
    return {"archive": os.path.abspath(path), "size": st.st_size,
            "mtime_ns": st.st_mtime_ns}


def _marker_ok(directory: str, fingerprint: dict) -> bool:
    try:
        with open(os.path.join(directory, _MARKER)) as f:
            return json.load(f) == fingerprint
    except (OSError, ValueError):
        return False


def _check_member(member: tarfile.TarInfo, archive: str) -> None:
    name = member.name
    parts = name.replace("\\", "/").split("/")
    if os.path.isabs(name) or name.startswith(("/", "\\")) or ".." in parts:
        raise ValueError(
            f"Refusing to extract {archive!r}: member {name!r} would be "
            "written outside the extraction directory.")
    if not (member.isfile() or member.isdir()):
        raise ValueError(
            f"Refusing to extract {archive!r}: member {name!r} is a "
            "link or special file (a checkpoint tarball holds only "
            "regular files and directories).")


def extract_archive(archive: str) -> str:
    """The directory holding the extracted members of ``archive``.

    Reuses a previous extraction of the same archive (same path, size and
    mtime). Raises ``CheckpointReadError`` for an unreadable, truncated or
    unsafe archive (nothing is left in the cache).
    """
    from slimkeras.checkpoints.reader import CheckpointReadError

    fingerprint = _fingerprint(archive)
    root = os.path.join(cache_root(), "extracted")
    final = os.path.join(root, _stem(archive))
    if _marker_ok(final, fingerprint):
        return final
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".tmp-{_stem(archive)}-", dir=root)
    try:
        try:
            with tarfile.open(archive, "r:*") as tar:
                members = tar.getmembers()
                for m in members:
                    _check_member(m, archive)
                for m in members:
                    tar.extract(m, tmp, set_attrs=False,
                                **({"filter": "data"}
                                   if hasattr(tarfile, "data_filter")
                                   else {}))
        except (tarfile.TarError, EOFError, OSError, ValueError) as e:
            raise CheckpointReadError(
                f"Cannot extract checkpoint archive {archive!r}: "
                f"{type(e).__name__}: {e}. The archive is truncated, "
                "corrupted or unsafe; download it again (nothing was "
                "cached).") from None
        with open(os.path.join(tmp, _MARKER), "w") as f:
            json.dump(fingerprint, f)
        if os.path.exists(final):
            if _marker_ok(final, fingerprint):  # another process won
                return final
            trash = os.path.join(root, f".old-{uuid.uuid4().hex}")
            os.replace(final, trash)
            shutil.rmtree(trash, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:
            if _marker_ok(final, fingerprint):  # concurrent extraction
                return final
            raise
        tmp = None
        return final
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
