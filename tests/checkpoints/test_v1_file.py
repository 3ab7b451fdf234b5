"""Streaming big tensors out of V1 checkpoints (slimkeras.checkpoints.v1_file)
written by TF1's own ``Saver(write_version=V1)`` in graph mode: the values
equal TF's reader bit for bit, layouts it does not stream go to TF's
reader, a flipped bit fails clearly with nothing assigned, and big arrays
are assigned without a full-size copy. The memory bound itself is measured by
``benchmarks/bench_restore.py --net vgg_16``."""

import importlib

import numpy as np
import pytest
import tensorflow as tf

from slimkeras import checkpoints
from slimkeras.checkpoints import reader, v1_file

restore = importlib.import_module("slimkeras.checkpoints.restore")

BIG = (3000, 3000)  # 36 MB: over the in-place assignment threshold
# name -> value (dtype, shape); "part/w" is a partitioned variable: two
# slices under one name, which TF's reader assembles.
SPEC = {
    "big/w": ("float32", BIG),
    "big/d": ("float64", (700, 1000)),
    "conv/weights": ("float32", (3, 3, 64, 64)),
    "conv/biases": ("float32", (64,)),
    "global_step": ("int64", ()),
}


@pytest.fixture(scope="module")
def v1(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("v1") / "model.ckpt")
    rng = np.random.default_rng(0)
    values = {n: rng.normal(0, 1, s).astype(d) if d != "int64"
              else np.array(1234, d) for n, (d, s) in SPEC.items()}
    values["part/w"] = rng.normal(0, 1, (2000, 600)).astype("float32")
    graph = tf.Graph()
    with graph.as_default():
        for n, v in values.items():
            if n != "part/w":
                tf.compat.v1.get_variable(n, initializer=tf.constant(v))
        parts = list(tf.compat.v1.get_variable(
            "part/w", shape=(2000, 600), dtype=tf.float32,
            initializer=tf.compat.v1.zeros_initializer(),
            partitioner=tf.compat.v1.fixed_size_partitioner(2)))
        assert len(parts) == 2
        fill = [p.assign(values["part/w"][i * 1000:(i + 1) * 1000])
                for i, p in enumerate(parts)]
        saver = tf.compat.v1.train.Saver(
            write_version=tf.compat.v1.train.SaverDef.V1)
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(fill)
            saver.save(sess, path, write_meta_graph=False, write_state=False)
    assert tf.io.gfile.exists(path) and not tf.io.gfile.exists(
        path + ".index")
    return path, values


def test_streams_only_the_plain_big_float_tensors(v1):
    path, _ = v1
    f = v1_file.V1File(path, min_bytes=1 << 20)
    # conv/weights (147 KB) is below the threshold, the int64 step has no
    # fixed-width values, part/w has two slices: all left to TF's reader.
    assert sorted(f.big) == ["big/d", "big/w"]
    assert f.big["big/d"].dtype == "<f8"
    # Smaller tensors stream only where they end their block (others share
    # it with the next entry); what streams is still TF's values.
    low = v1_file.V1File(path, min_bytes=64)
    assert set(f.big) <= set(low.big) <= {"big/d", "big/w", "conv/weights",
                                          "conv/biases"}
    tf_reader = tf.train.load_checkpoint(path)
    for name in low.big:
        np.testing.assert_array_equal(
            low.read(name, SPEC[name][1]), tf_reader.get_tensor(name))


def test_values_equal_tensorflows_reader(v1):
    path, values = v1
    index = reader.open_checkpoint(path)
    assert index.format == "v1"
    # Streamed: what TF's ~3 copies would hold longer than the largest
    # tensor (over half its size, here big/w alone).
    assert sorted(index._streamed().big) == ["big/w"]
    tf_reader = tf.train.load_checkpoint(path)
    for name in SPEC:
        ours = index.read(name)
        theirs = tf_reader.get_tensor(name)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(ours, values[name])
    # A partitioned variable (two slices): TF's reader refuses it, and so
    # do we, clearly.
    with pytest.raises(checkpoints.CheckpointReadError,
                       match="part/w.*cannot read this layout.*[Ss]liced"):
        index.read("part/w")


def _variables():
    import keras

    out = {}
    for name, (dtype, shape) in SPEC.items():
        scope, _, leaf = name.rpartition("/")
        with keras.name_scope(scope or "top"):
            out[name] = keras.Variable(np.zeros(shape, dtype), name=leaf,
                                       dtype=dtype)
    return out


def _unaligned(shape, seed):
    """A C-contiguous float32 array whose data is not 64-byte aligned."""
    n = int(np.prod(shape))
    raw = np.empty(n + 16, "float32")
    offset = 4 if (raw.ctypes.data + 4) % 64 else 8
    out = np.frombuffer(raw.data, "float32", n, offset=offset).reshape(shape)
    out[...] = np.random.default_rng(seed).normal(0, 1, shape)
    assert out.flags.c_contiguous and out.ctypes.data % 64
    return out


def test_restore_assigns_big_arrays_without_a_full_copy(v1, monkeypatch):
    import keras

    path, values = v1
    written, full = [], []
    real = tf.raw_ops.ResourceStridedSliceAssign

    def spy(**kw):
        written.append((int(kw["begin"][0]), int(kw["end"][0])))
        full.append((tuple(kw["begin"]), tuple(kw["end"])))
        return real(**kw)

    monkeypatch.setattr(restore.tf.raw_ops, "ResourceStridedSliceAssign",
                        spy)
    vs = _variables()
    mapping = {n: v for n, v in vs.items()}
    report = checkpoints.restore(mapping, path)
    assert len(report.restored) == len(SPEC)
    for name, v in vs.items():
        np.testing.assert_array_equal(np.asarray(v), values[name])
    # big/w streamed into a page-aligned buffer: handed over by DLPack.
    assert written == []
    # An unaligned array goes in place in row blocks.
    var = keras.Variable(np.zeros(BIG, "float32"))
    value = _unaligned(BIG, 2)
    restore._assign(var, value)
    np.testing.assert_array_equal(np.asarray(var), value)
    rows = restore._SLICE_BYTES // (BIG[1] * 4)
    assert written == [(s, min(s + rows, BIG[0]))
                       for s in range(0, BIG[0], rows)]
    # A kernel whose leading rows exceed a block goes in blocks of rows of
    # its two leading axes, each a rectangular slice within one index of
    # the first axis (9 rows each, 8 rows a block: runs split at 9).
    full.clear()
    var = keras.Variable(np.zeros((3, 9, 512, 1024), "float32"))
    value = _unaligned((3, 9, 512, 1024), 1)
    restore._assign(var, value)
    np.testing.assert_array_equal(np.asarray(var), value)
    assert full == [
        ((0, 0, 0, 0), (1, 8, 512, 1024)), ((0, 8, 0, 0), (1, 9, 512, 1024)),
        ((1, 0, 0, 0), (2, 7, 512, 1024)), ((1, 7, 0, 0), (2, 9, 512, 1024)),
        ((2, 0, 0, 0), (3, 6, 512, 1024)), ((2, 6, 0, 0), (3, 9, 512, 1024)),
    ]
    # The DLPack hand-over of an aligned array keeps its values after the
    # array is dropped.
    aligned = v1_file._buffer(4 * BIG[0] * BIG[1]).view("float32").reshape(
        BIG)
    aligned[...] = value[0, 0, :, :1].sum() + np.arange(BIG[1])
    var = keras.Variable(np.zeros(BIG, "float32"))
    want = aligned.copy()
    restore._assign(var, aligned)
    del aligned
    np.testing.assert_array_equal(np.asarray(var), want)


def test_a_flipped_bit_fails_clearly_and_assigns_nothing(v1, tmp_path):
    path, values = v1
    bad = str(tmp_path / "model.ckpt")
    raw = bytearray(open(path, "rb").read())
    big = v1_file.V1File(path).big["big/w"]
    at = big.block_offset + big.payload_start + 4 * 4_000_000 + 1
    raw[at] ^= 0x04
    open(bad, "wb").write(bytes(raw))
    vs = _variables()
    with pytest.raises(checkpoints.CheckpointReadError,
                       match=r"big/w.*checksum"):
        checkpoints.restore(dict(vs), bad)
    for v in vs.values():  # nothing changed, not even the readable ones
        assert not np.asarray(v).any()
