"""slimkeras.checkpoints.crc32c against published check values and TF's own
CRC-32C (the masked checksum TF writes after every TFRecord)."""

import struct

import numpy as np
import pytest
import tensorflow as tf

from slimkeras.checkpoints import crc32c

# RFC 3720 (iSCSI) appendix B.4 and the usual "123456789" check value.
VECTORS = [
    (b"123456789", 0xE3069283),
    (bytes(32), 0x8A9136AA),
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
    (b"", 0),
]


@pytest.mark.parametrize("data,expected", VECTORS)
def test_published_check_values(data, expected):
    assert crc32c.value(data) == expected


def _tf_masked_crc(data: bytes, tmp_path) -> int:
    """The masked CRC-32C TF's TFRecordWriter stores after ``data``."""
    path = str(tmp_path / "r.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        w.write(data)
    raw = open(path, "rb").read()
    assert len(raw) == 8 + 4 + len(data) + 4
    return struct.unpack("<I", raw[-4:])[0]


@pytest.mark.parametrize("n", [1, 4095, 4096, 70_001, 3 << 20])
def test_equals_tensorflow(n, tmp_path):
    data = np.random.default_rng(n).integers(0, 256, n, np.uint8).tobytes()
    assert crc32c.masked(crc32c.value(data)) == _tf_masked_crc(data,
                                                              tmp_path)


def test_extend_threads_and_mask(monkeypatch):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 256, (1 << 20) + 12345, np.uint8)
    whole = crc32c.value(data)
    for cut in (0, 1, 7, 4096, 500_000, data.size):
        assert crc32c.extend(crc32c.value(data[:cut]), data[cut:]) == whole
    # The threaded path (parts checked on several cores) is the same sum.
    monkeypatch.setattr(crc32c, "_PART", 1 << 16)
    monkeypatch.setattr(crc32c, "_THREADS", 3)
    assert crc32c.value(data) == whole
    assert crc32c.unmask(crc32c.masked(whole)) == whole
    flipped = data.copy()
    flipped[123_456] ^= 0x10
    assert crc32c.value(flipped) != whole
