"""Streaming the big tensors of a V1 checkpoint into their arrays.

research/slim's 2016 tarballs hold V1 checkpoints: one LevelDB-style table
written by ``tf.train.Saver(write_version=V1)``, each tensor a serialized
``SavedTensorSlices`` proto (its values a packed ``float_val``). TF's
reader keeps three copies of a tensor while it reads one (the block, the
parsed proto, the tensor): vgg_16's 392 MiB ``fc6/weights`` peaks at
~1.2 GiB. This module finds where a big tensor's values sit in the file
and reads them straight into a NumPy array, verifying the block's masked
CRC-32C as TF does; everything else (small tensors, compressed blocks,
partitioned or unusual layouts) is left to TF's reader, so no layout is
ever guessed.

Table layout (TF ``lib/io/table``): data blocks, an index block, a 48-byte
footer (two varint block handles, padding, magic); each block is followed
by a compression byte and the masked CRC of block + that byte; a block is
prefix-compressed entries (three varint32s: shared, non-shared key bytes,
value length) followed by its restart array.
"""

from __future__ import annotations

import mmap
import os
import struct
from typing import NamedTuple

import numpy as np

from slimkeras.checkpoints import crc32c

__all__ = ["TABLE_MAGIC", "BigTensor", "V1File"]

# The last 8 bytes of a TF table file (V1 checkpoints and V2 .index files).
TABLE_MAGIC = (0xDB4775248B80FB57).to_bytes(8, "little")
_FOOTER = 48
_TRAILER = 5  # compression type byte + masked crc
_PREFIX = 1 << 20  # bytes read to find a big entry's header
# TF DataType enum -> (TensorProto field of its packed values, NumPy dtype).
_FIXED = {1: (5, "<f4"), 2: (6, "<f8")}  # DT_FLOAT float_val, DT_DOUBLE
_PACKED = {f: d for f, d in _FIXED.values()}


class BigTensor(NamedTuple):
    """Where one tensor's values sit in the file."""

    block_offset: int
    block_size: int
    payload_start: int  # relative to the block
    count: int
    dtype: str  # NumPy dtype of the values on disk


class _Layout(Exception):
    """A layout this reader does not stream (TF's reader takes it)."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    out, shift = 0, 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise _Layout("truncated varint")
        b = buf[pos]
        pos += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, pos
        shift += 7


def _fields(buf: bytes, pos: int, end: int):
    """(field, wire type, value or (start, stop)) of one message."""
    while pos < end:
        tag, pos = _varint(buf, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            val, pos = _varint(buf, pos)
            yield field, wire, val
        elif wire == 2:
            n, pos = _varint(buf, pos)
            yield field, wire, (pos, pos + n)
            pos += n
        elif wire == 5:
            yield field, wire, None
            pos += 4
        elif wire == 1:
            yield field, wire, None
            pos += 8
        else:
            raise _Layout(f"wire type {wire}")


def _buffer(nbytes: int) -> np.ndarray:
    """A writable uint8 array for a big tensor, its pages mapped at once
    (``MAP_POPULATE``, Linux): faulting ~100k pages in one by one while
    reading costs more than the read itself (1.7 s against 0.3 s for
    400 MB, measured here)."""
    try:
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(
            mmap, "MAP_POPULATE", 0)
        return np.frombuffer(mmap.mmap(-1, nbytes, flags=flags), np.uint8)
    except (AttributeError, OSError, TypeError, ValueError):
        return np.empty(nbytes, np.uint8)  # no anonymous mmap here


class V1File:
    """The big tensors of one V1 checkpoint file, readable by streaming.

    Args:
        path: the V1 file.
        min_bytes: tensors at least this big are streamed; smaller ones
            cost TF's reader little and stay with it.

    Attributes:
        big: ``{name: BigTensor}`` of the tensors this reader streams.
    """

    def __init__(self, path: str, min_bytes: int = 4 << 20):
        self.path = path
        self.big: dict[str, BigTensor] = {}
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            if size < _FOOTER:
                return
            f.seek(size - _FOOTER)
            footer = f.read(_FOOTER)
            if footer[-8:] != TABLE_MAGIC:
                return
            try:
                _, pos = _varint(footer, _varint(footer, 0)[1])  # metaindex
                index_off, pos = _varint(footer, pos)
                index_size, _ = _varint(footer, pos)
                index = self._block(f, index_off, index_size)
            except (_Layout, OSError):
                return
            seen: dict[str, int] = {}
            for handle in self._entries(index, whole=True):
                try:
                    off, p = _varint(handle, 0)
                    n, _ = _varint(handle, p)
                except _Layout:
                    return
                if n < min_bytes:
                    continue
                try:
                    name, big = self._locate(f, off, n)
                except _Layout:
                    continue
                seen[name] = seen.get(name, 0) + 1
                self.big[name] = big
            for name, count in seen.items():  # several slices: TF assembles
                if count > 1:
                    del self.big[name]

    @staticmethod
    def _block(f, offset: int, size: int) -> bytes:
        """A whole (small) block, its checksum verified."""
        f.seek(offset)
        raw = f.read(size + _TRAILER)
        if len(raw) != size + _TRAILER or raw[size] != 0:
            raise _Layout("short or compressed block")
        stored = struct.unpack("<I", raw[size + 1:])[0]
        if crc32c.masked(crc32c.value(raw[:size + 1])) != stored:
            raise _Layout("block checksum")
        return raw[:size]

    @staticmethod
    def _entries(block: bytes, whole: bool):
        """Values of a block's entries (``whole``: all of them must fit)."""
        if len(block) < 4:
            raise _Layout("block too small")
        restarts = struct.unpack("<I", block[-4:])[0]
        limit = len(block) - 4 * (restarts + 1)
        pos = 0
        while pos < limit:
            _, pos = _varint(block, pos)
            unshared, pos = _varint(block, pos)
            n, pos = _varint(block, pos)
            pos += unshared
            if whole and pos + n > limit:
                raise _Layout("entry past the block")
            yield block[pos:pos + n]
            pos += n

    def _locate(self, f, offset: int, size: int) -> tuple[str, BigTensor]:
        """Finds the one big entry of a block: its name and values."""
        f.seek(offset)
        head = f.read(min(size, _PREFIX))
        f.seek(offset + size - 4)
        tail = f.read(5)  # the restart count, then the compression type
        if len(tail) != 5 or tail[4] != 0:
            raise _Layout("short or compressed block")
        restarts = struct.unpack("<I", tail[:4])[0]
        limit = size - 4 * (restarts + 1)  # where the entries end
        if limit <= 0:
            raise _Layout("restart array")
        pos = 0
        while True:  # small entries may precede the big one
            if pos >= min(limit, len(head)):
                raise _Layout("no entry runs past the first MiB")
            _, pos = _varint(head, pos)
            unshared, pos = _varint(head, pos)
            n, pos = _varint(head, pos)
            pos += unshared
            if pos + n > len(head):
                break
            pos += n
        value_end = pos + n
        if value_end != limit:  # the big entry must be the block's last
            raise _Layout("entry is not the block's last")
        name, payload, count, dtype = self._payload(head, pos, value_end)
        return name, BigTensor(offset, size, payload, count, dtype)

    @staticmethod
    def _payload(head: bytes, start: int, end: int):
        """Name and values of a SavedTensorSlices{data: SavedSlice} whose
        values end exactly where the value ends (else _Layout)."""
        sliced = None
        for field, wire, span in _fields(head, start, len(head)):
            if field == 2 and wire == 2:
                sliced = span
            break
        if sliced is None or sliced[1] != end:
            raise _Layout("not a data entry")
        name, data = None, None
        for field, wire, span in _fields(head, sliced[0], len(head)):
            if field == 1 and wire == 2:
                name = head[span[0]:span[1]].decode("utf-8")
            elif field == 2 and wire == 2:
                for ef, ew, espan in _fields(head, *span):  # extents
                    if ef != 1 or ew != 2:
                        raise _Layout("slice")
                    for xf, _, _ in _fields(head, *espan):
                        if xf == 2:  # a length: a partial slice
                            raise _Layout("partial slice")
            elif field == 3 and wire == 2:
                data = span
                break
        if name is None or data is None or data[1] != end:
            raise _Layout("no tensor")
        # The saver leaves the dtype to the file's meta entry (the caller
        # checks it); the packed field says float or double.
        dtype_enum, values, dtype = None, None, None
        for field, wire, span in _fields(head, data[0], len(head)):
            if field == 1 and wire == 0:
                dtype_enum = span
            elif field in _PACKED and wire == 2:
                values, dtype = span, _PACKED[field]
                break
            elif field not in (2, 3):
                raise _Layout(f"tensor field {field}")
        if values is None or values[1] != end:
            raise _Layout("values are not packed last")
        if dtype_enum is not None and _FIXED.get(dtype_enum) != (
                field, dtype):
            raise _Layout("dtype and values disagree")
        nbytes = values[1] - values[0]
        width = np.dtype(dtype).itemsize
        if nbytes % width:
            raise _Layout("ragged values")
        return name, values[0], nbytes // width, dtype

    def read(self, name: str, shape: tuple) -> np.ndarray:
        """The tensor's values as an array of ``shape``, read in place.

        Raises:
            ValueError: the size disagrees with ``shape``, or the block's
                checksum fails (the data is corrupted).
        """
        big = self.big[name]
        count = 1
        for d in shape:
            count *= int(d)
        if count != big.count:
            raise ValueError(f"{name!r}: {big.count} values on disk for "
                             f"shape {tuple(shape)}")
        out = _buffer(big.count * np.dtype(big.dtype).itemsize).view(
            big.dtype)
        with open(self.path, "rb") as f:
            f.seek(big.block_offset)
            head = f.read(big.payload_start)
            crc = crc32c.extend(0, head)
            view, got = memoryview(out).cast("B"), 0
            while got < out.nbytes:  # 16 MiB reads: no giant syscall
                n = f.readinto(view[got:got + (16 << 20)])
                if not n:
                    raise ValueError(f"{name!r}: the file ends inside its "
                                     "data")
                got += n
            crc = crc32c.extend(crc, out)
            rest = big.block_size - big.payload_start - out.nbytes
            tail = f.read(rest + _TRAILER)
            if len(tail) != rest + _TRAILER:
                raise ValueError(f"{name!r}: the file ends inside its block")
            crc = crc32c.extend(crc, tail[:rest + 1])
            if crc32c.masked(crc) != struct.unpack("<I", tail[-4:])[0]:
                raise ValueError(f"{name!r}: block checksum mismatch (the "
                                 "data is corrupted)")
        return out.reshape(shape).astype(out.dtype.newbyteorder("="),
                                         copy=False)
