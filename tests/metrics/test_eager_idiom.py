"""slim.metrics.accuracy and the eager streaming idiom vs tf_slim (graph).

* ``slim.metrics.accuracy`` (one batch, no state) against
  ``tf_slim.metrics.accuracy`` on the same arrays: unweighted, weighted,
  bool and string labels, rtol=1e-6.
* The TF1 pattern ``value, update_op = streaming_accuracy(preds, labels)``
  built once over fed tensors and ``sess.run(update_op)`` per batch,
  against its eager form: built once, ``update(preds, labels)`` per batch.
* Rebuilding a metric from data at the same line (the TF1 call moved into
  an eager loop) warns; ``update()`` without the batch raises.
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.oracle import import_tf_slim

rng = np.random.default_rng(3)
B = 8


def _slim_accuracy(cases):
    tf_slim = import_tf_slim()
    out = []
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        for p, lab, w in cases:
            out.append(sess.run(tf_slim.metrics.accuracy(
                tf.constant(p), tf.constant(lab),
                None if w is None else tf.constant(w))))
    return out


def test_accuracy_matches_tf_slim():
    ids = rng.integers(0, 3, (2, B)).astype("int32")
    w = rng.uniform(size=B).astype("float32")
    bools = rng.uniform(size=(2, B)) > 0.5
    strs = np.array([["a", "b"] * (B // 2), ["a", "a"] * (B // 2)])
    cases = [(ids[0], ids[1], None), (ids[0], ids[1], w),
             (bools[0], bools[1], None), (strs[0], strs[1], w)]
    want = _slim_accuracy(cases)
    for (p, lab, weights), ref in zip(cases, want):
        got = slim.metrics.accuracy(p, lab, weights)
        np.testing.assert_allclose(float(got), ref, rtol=1e-6)
    assert 0 < want[0] < 1 and want[0] != want[1]
    # argmax's int64 against int32 labels compare as integers (slim
    # raised); float probabilities against labels raise, as in slim.
    np.testing.assert_allclose(
        float(slim.metrics.accuracy(ids[0].astype("int64"), ids[1])),
        want[0], rtol=1e-6)
    with pytest.raises(ValueError, match="argmax"):
        slim.metrics.accuracy(ids[0].astype("float32"), ids[1])
    with pytest.raises(ValueError, match="bool, integer, or string"):
        slim.metrics.accuracy(w, w)


def test_streaming_loop_idiom_matches_tf_slim_update_op_per_batch():
    tf_slim = import_tf_slim()
    batches = [(rng.integers(0, 3, B).astype("int64"),
                rng.integers(0, 3, B).astype("int64"),
                rng.uniform(size=B).astype("float32")) for _ in range(4)]
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        p = tf.compat.v1.placeholder(tf.int64, [B])
        lab = tf.compat.v1.placeholder(tf.int64, [B])
        w = tf.compat.v1.placeholder(tf.float32, [B])
        value_t, update_op = tf_slim.metrics.streaming_accuracy(p, lab, w)
        sess.run(tf.compat.v1.local_variables_initializer())
        per_step = [sess.run(update_op, {p: a, lab: b, w: c})
                    for a, b, c in batches]
        final = sess.run(value_t)

    value, update = slim.metrics.streaming_accuracy()  # once, no data
    for (a, b, c), ref in zip(batches, per_step):
        np.testing.assert_allclose(float(update(a, b, c)), ref, rtol=1e-6)
    np.testing.assert_allclose(float(value()), final, rtol=1e-6)
    # Not trivially the last batch's accuracy.
    last = slim.metrics.accuracy(*batches[-1])
    assert abs(float(last) - final) > 1e-3


def test_rebuilding_from_data_in_a_loop_warns_and_bare_update_raises():
    (a, b) = rng.integers(0, 3, (2, B))
    with pytest.warns(UserWarning, match="NEW metric"):
        for _ in range(2):
            value, update = slim.metrics.streaming_accuracy(a, b)
    with pytest.warns(UserWarning, match="streaming_mean"):
        for _ in range(2):
            slim.metrics.streaming_mean(a.astype("float32"))
    with pytest.raises(TypeError, match=r"update\(predictions"):
        update()
    before = float(value())
    update(a, b)  # an explicit batch still works
    assert float(value()) == before
