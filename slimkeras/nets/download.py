"""Downloading research/slim's published checkpoint tarballs into the cache.

A tarball goes to ``<cache_root()>/downloads/<URL path>`` (``$SLIMKERAS_HOME``,
default ``~/.keras/slimkeras``; see :mod:`slimkeras.checkpoints.cache`):
fetched with ``keras.utils.get_file`` (progress bar) into a temporary
file next to its final place, checked (the whole gzip/tar stream is read;
size and SHA-256 when the registry knows them) and only then renamed into
place. A truncated or corrupted download is removed and reported with the
URL and the offline alternative; a cached tarball is re-checked cheaply
(it was complete when it was renamed).

``SLIMKERAS_WEIGHTS_URL`` (e.g. ``http://127.0.0.1:8000``, a mirror)
replaces the scheme and host of every published URL and keeps its path:
``http://127.0.0.1:8000/models/inception_v1_2016_08_28.tar.gz``.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.parse
import uuid

__all__ = ["PretrainedDownloadError", "weights_url", "cached_path",
           "download_tarball", "verify_tarball"]

WEIGHTS_URL_ENV = "SLIMKERAS_WEIGHTS_URL"


class PretrainedDownloadError(OSError):
    """A published checkpoint could not be fetched, or arrived damaged."""


def weights_url(url: str) -> str:
    """``url`` with scheme+host replaced by ``$SLIMKERAS_WEIGHTS_URL``."""
    mirror = os.environ.get(WEIGHTS_URL_ENV, "").strip()
    if not mirror:
        return url
    m = urllib.parse.urlsplit(mirror)
    if not m.scheme or not m.netloc:
        raise ValueError(
            f"${WEIGHTS_URL_ENV} must be a scheme and host such as "
            f"'http://127.0.0.1:8000' (a path prefix is allowed). Received: "
            f"{mirror!r}.")
    u = urllib.parse.urlsplit(url)
    path = m.path.rstrip("/") + u.path
    return urllib.parse.urlunsplit((m.scheme, m.netloc, path, u.query, ""))


def cached_path(url: str) -> str:
    """Where the tarball of the *published* ``url`` lives in the cache."""
    from slimkeras.checkpoints.cache import cache_root

    path = urllib.parse.urlsplit(url).path.lstrip("/")
    parts = [p for p in path.split("/") if p not in ("", ".", "..")]
    return os.path.join(cache_root(), "downloads", *parts)


def verify_tarball(path: str, size: int | None = None,
                   sha256: str | None = None) -> None:
    """Raises ``ValueError`` unless ``path`` is a complete, readable tar
    archive (every member read to the end) of the expected size/hash."""
    if size is not None and os.path.getsize(path) != size:
        raise ValueError(f"{os.path.getsize(path)} bytes, expected {size}")
    if sha256 is not None:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != sha256.lower():
            raise ValueError(f"sha256 {h.hexdigest()}, expected {sha256}")
    try:
        with tarfile.open(path, "r:*") as tar:
            count = 0
            for member in tar:
                count += 1
                if member.isfile():
                    f = tar.extractfile(member)
                    while f.read(1 << 20):
                        pass
            if count == 0:
                raise ValueError("an empty archive")
    except (tarfile.TarError, EOFError, OSError) as e:
        raise ValueError(f"{type(e).__name__}: {e}") from None


def _offline_hint(url: str, name: str) -> str:
    return (f"Download {url} by other means and pass "
            f"checkpoint_path='<path to the tarball or its extracted "
            f"checkpoint>' to create_model({name!r}, …), or set "
            f"${WEIGHTS_URL_ENV} to a mirror holding the same path.")


def download_tarball(url: str, *, name: str = "", size: int | None = None,
                     sha256: str | None = None) -> str:
    """The cached tarball of the published ``url``, downloaded if needed.

    Args:
        url: the published URL (the cache key); fetched from
            ``weights_url(url)``.
        name: the pretrained name, for messages.
        size, sha256: expected size / SHA-256 where known.

    Raises:
        PretrainedDownloadError: no network and no cache, an HTTP error,
            or a truncated/corrupted file (removed; nothing is cached).
    """
    final = cached_path(url)
    if os.path.isfile(final):
        # Renamed into place only once complete: a size check is enough.
        if size is None or os.path.getsize(final) == size:
            return final
        os.remove(final)
    source = weights_url(url)
    directory = os.path.dirname(final)
    os.makedirs(directory, exist_ok=True)  # get_file falls back to /tmp
    tmp_name = f".tmp-{uuid.uuid4().hex}-{os.path.basename(final)}"
    tmp = os.path.join(directory, tmp_name)
    import keras

    try:
        try:
            keras.utils.get_file(fname=tmp_name, origin=source,
                                 cache_dir=directory, cache_subdir=directory)
        except (Exception, KeyboardInterrupt) as e:  # get_file raises Exception
            if isinstance(e, KeyboardInterrupt):
                raise
            reason = str(e).strip().splitlines()[0][:300] if str(e) else \
                type(e).__name__
            mirror = ("" if source == url else
                      f" (the mirror ${WEIGHTS_URL_ENV} made it {source})")
            raise PretrainedDownloadError(
                f"Cannot download the published checkpoint {url}{mirror}: "
                f"{reason}. No cached copy at {final}. "
                + _offline_hint(url, name)) from None
        try:
            verify_tarball(tmp, size=size, sha256=sha256)
        except ValueError as e:
            raise PretrainedDownloadError(
                f"The download of {source} is truncated or corrupted ({e}); "
                "it was removed and nothing was cached. Try again, or "
                + _offline_hint(url, name)[0].lower()
                + _offline_hint(url, name)[1:]) from None
        os.replace(tmp, final)
        return final
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
