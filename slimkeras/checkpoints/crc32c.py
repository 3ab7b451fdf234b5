"""CRC-32C (Castagnoli), the checksum of TF's table files, in NumPy.

TensorFlow checks every block of a V1 checkpoint (a LevelDB-style table)
with a masked CRC-32C of its bytes; :mod:`slimkeras.checkpoints.v1_file`
verifies the same checksums while it streams tensors straight into their
arrays, so a flipped bit fails as clearly as it does in TF.

The register is linear over GF(2), which makes a fast NumPy version
possible: the data is cut into many equal lanes whose registers advance
together (four table lookups per 32-bit word, for all lanes at once), and
the lanes' registers are then folded together with the "advance over n
zero bytes" operator, itself a 32x32 bit matrix. Inputs of tens of MiB are
cut in parts checked in threads.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os

import numpy as np

__all__ = ["extend", "masked", "unmask", "value"]

_POLY = 0x82F63B78  # reflected Castagnoli polynomial
_MASK_DELTA = 0xA282EAD8
_LANES = 8192  # registers advanced together; 8192 words = 32 KiB of state
_SERIAL = 4096  # below this many bytes the byte loop is faster
_PART = 16 << 20  # inputs of two parts or more use threads
_THREADS = min(4, os.cpu_count() or 1)


def _byte_table() -> np.ndarray:
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(_POLY), t >> 1)
    return t.astype(np.uint32)


_T0 = _byte_table()
# _TABLES[k][b]: the register after b and then k zero bytes (slicing-by-4).
_TABLES = [_T0]
for _ in range(3):
    _prev = _TABLES[-1]
    _TABLES.append((_prev >> 8) ^ _T0[_prev & 0xFF])
_T0_LIST = [int(x) for x in _T0]
# One 32-bit step as two 16-bit lookups: low half, high half.
_V16 = np.arange(1 << 16, dtype=np.uint32)
_HALF_TABLES = (
    (_TABLES[3][_V16 & 0xFF] ^ _TABLES[2][_V16 >> 8]).astype(np.int64),
    (_TABLES[1][_V16 & 0xFF] ^ _TABLES[0][_V16 >> 8]).astype(np.int64))


def _serial(reg: int, data) -> int:
    """Raw register update, one byte at a time (small inputs)."""
    table = _T0_LIST
    for b in bytes(data):
        reg = table[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


# A 32x32 bit matrix over GF(2) is a tuple of 32 ints: column j is the
# image of bit j.
def _apply(mat: tuple, x: int) -> int:
    out, j = 0, 0
    while x:
        if x & 1:
            out ^= mat[j]
        x >>= 1
        j += 1
    return out


def _compose(a: tuple, b: tuple) -> tuple:
    """The matrix of a(b(x))."""
    return tuple(_apply(a, col) for col in b)


@functools.cache
def _zeros_op(n: int) -> tuple:
    """The operator that advances a register over ``n`` zero bytes."""
    if n == 0:
        return tuple(1 << j for j in range(32))
    if n == 1:
        return tuple(_serial(1 << j, b"\0") for j in range(32))
    half = _zeros_op(n // 2)
    op = _compose(half, half)
    return _compose(_zeros_op(1), op) if n % 2 else op


def _apply_many(mat: tuple, x: np.ndarray) -> np.ndarray:
    """``mat`` applied to every register in ``x`` (byte tables)."""
    out = np.zeros_like(x)
    for k in range(4):
        cols = mat[8 * k:8 * k + 8]
        table = np.zeros(256, np.uint32)
        for bit, col in enumerate(cols):
            table[(np.arange(256) >> bit) & 1 == 1] ^= np.uint32(col)
        out ^= table[(x >> np.uint32(8 * k)) & np.uint32(0xFF)]
    return out


def _lanes(data: np.ndarray, lanes: int) -> int:
    """Raw register (start 0) of ``data`` (uint8, length lanes*4*w;
    ``lanes`` a power of two)."""
    words = data.view("<u4").reshape(lanes, -1)
    lo, hi = _HALF_TABLES
    reg = np.zeros(lanes, np.int64)  # int64: take() needs no index copy
    a = np.empty(lanes, np.int64)
    b = np.empty(lanes, np.int64)
    for j in range(words.shape[1]):
        reg ^= words[:, j]
        np.bitwise_and(reg, 0xFFFF, out=a)
        np.right_shift(reg, 16, out=b)
        np.take(lo, a, out=reg)
        reg ^= hi[b]
    # Fold neighbours: the left lane is advanced over the right one's bytes.
    reg = reg.astype(np.uint32)
    length = words.shape[1] * 4
    while reg.size > 1:
        reg = _apply_many(_zeros_op(length), reg[0::2]) ^ reg[1::2]
        length *= 2
    return int(reg[0])


def _raw_one(reg: int, buf: np.ndarray) -> int:
    n = buf.size
    if n < _SERIAL:
        return _serial(reg, buf.tobytes())
    lanes = _LANES
    while lanes > 1 and n < lanes * 64:
        lanes //= 2
    width = (n // (4 * lanes)) * 4
    head = lanes * width
    # R(reg, A + B) = Z^|A+B|(reg) ^ R(0, A) advanced over B ^ R(0, B)
    out = _apply(_zeros_op(head), reg) ^ _lanes(buf[:head], lanes)
    return _raw_one(out, buf[head:]) if head < n else out


def _raw(reg: int, data) -> int:
    """Raw register after ``data`` starting from ``reg``; big inputs are
    cut in parts checked on several cores (NumPy releases the GIL)."""
    buf = np.frombuffer(memoryview(data).cast("B"), np.uint8)
    parts = min(_THREADS, buf.size // _PART)
    if parts < 2:
        return _raw_one(reg, buf)
    step = buf.size // parts
    bounds = [i * step for i in range(parts)] + [buf.size]
    with concurrent.futures.ThreadPoolExecutor(parts) as pool:
        regs = list(pool.map(lambda i: _raw_one(0, buf[bounds[i]:
                                                       bounds[i + 1]]),
                             range(parts)))
    out = reg
    for i, r in enumerate(regs):
        out = _apply(_zeros_op(bounds[i + 1] - bounds[i]), out) ^ r
    return out


def extend(crc: int, data) -> int:
    """The CRC-32C of (what ``crc`` covers) + ``data``."""
    return _raw(crc ^ 0xFFFFFFFF, data) ^ 0xFFFFFFFF


def value(data) -> int:
    """The CRC-32C of ``data`` (bytes-like)."""
    return extend(0, data)


def masked(crc: int) -> int:
    """TF/LevelDB's stored form of a CRC (rotated and offset)."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) \
        & 0xFFFFFFFF


def unmask(stored: int) -> int:
    rot = (stored - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
