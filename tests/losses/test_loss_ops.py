"""slim losses vs the ORIGINAL tf_slim.losses (graph mode) on shared inputs.

Tolerance: float32, rtol=1e-6, atol=1e-6 (the oracle uses fused TF kernels
for the cross-entropies; ours is keras.ops, so the last ulp may differ).
huber_loss and the explicit reductions come from tf.compat.v1.losses,
tf_slim has neither.
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.oracle import import_tf_slim

RTOL = ATOL = 1e-6
B, C = 4, 5
rng = np.random.default_rng(0)
PRED = rng.uniform(0.05, 0.95, (B, C)).astype("float32")
LABELS = (rng.uniform(size=(B, C)) > 0.5).astype("float32")
LOGITS = rng.normal(size=(B, C)).astype("float32") * 2
ONEHOT = np.eye(C, dtype="float32")[rng.integers(0, C, B)]
SPARSE = rng.integers(0, C, B).astype("int64")
REGRESS = rng.normal(size=(B, C)).astype("float32") * 1.5

WEIGHTS = {
    "none": 1.0,
    "scalar": 2.3,
    "zero": 0.0,
    "shape1": np.array([1.7], "float32"),          # slim quirk: counts 1 row
    "per_sample": np.array([1.0, 0.0, 2.5, 0.5], "float32"),
    "per_sample_col": np.array([[1.0], [0.0], [2.5], [0.5]], "float32"),
    "per_element": (rng.uniform(size=(B, C)) * (rng.uniform(size=(B, C))
                                                > 0.3)).astype("float32"),
}
SAMPLE_ONLY = ("none", "scalar", "zero", "per_sample", "per_sample_col")


def _graph(build):
    """Evaluates ``build()`` (tf_slim / tf.compat.v1 ops) in a tf.Graph."""
    with tf.Graph().as_default() as g, tf.compat.v1.Session(graph=g) as s:
        return s.run(build())


def _c(x):
    return tf.constant(x)


# name -> (slim-side call, oracle call); both take (module, weights).
CASES = {
    "absolute_difference": (
        lambda m, w: m.absolute_difference(PRED, LABELS, weights=w),
        lambda m, w: m.absolute_difference(_c(PRED), _c(LABELS), weights=w)),
    "mean_squared_error": (
        lambda m, w: m.mean_squared_error(REGRESS, PRED, weights=w),
        lambda m, w: m.mean_squared_error(_c(REGRESS), _c(PRED), weights=w)),
    "log_loss": (
        lambda m, w: m.log_loss(PRED, LABELS, weights=w),
        lambda m, w: m.log_loss(_c(PRED), _c(LABELS), weights=w)),
    "sigmoid_cross_entropy": (
        lambda m, w: m.sigmoid_cross_entropy(LOGITS, LABELS, weights=w),
        lambda m, w: m.sigmoid_cross_entropy(_c(LOGITS), _c(LABELS),
                                             weights=w)),
    "softmax_cross_entropy": (
        lambda m, w: m.softmax_cross_entropy(LOGITS, ONEHOT, weights=w),
        lambda m, w: m.softmax_cross_entropy(_c(LOGITS), _c(ONEHOT),
                                             weights=w)),
    "sparse_softmax_cross_entropy": (
        lambda m, w: m.sparse_softmax_cross_entropy(LOGITS, SPARSE,
                                                    weights=w),
        lambda m, w: m.sparse_softmax_cross_entropy(_c(LOGITS), _c(SPARSE),
                                                    weights=w)),
    "cosine_distance": (
        lambda m, w: m.cosine_distance(
            PRED / np.linalg.norm(PRED, axis=1, keepdims=True),
            REGRESS / np.linalg.norm(REGRESS, axis=1, keepdims=True),
            axis=1, weights=w),
        lambda m, w: m.cosine_distance(
            _c(PRED / np.linalg.norm(PRED, axis=1, keepdims=True)),
            _c(REGRESS / np.linalg.norm(REGRESS, axis=1, keepdims=True)),
            axis=1, weights=w)),
    "mean_pairwise_squared_error": (
        lambda m, w: m.mean_pairwise_squared_error(REGRESS, PRED, weights=w),
        lambda m, w: m.mean_pairwise_squared_error(_c(REGRESS), _c(PRED),
                                                   weights=w)),
}
# Per-sample-only losses (their losses tensor is [batch]).
_ROW_LOSSES = ("softmax_cross_entropy", "sparse_softmax_cross_entropy",
               "cosine_distance")


def _weight_names(name):
    for wname in WEIGHTS:
        if name in _ROW_LOSSES and wname not in SAMPLE_ONLY + ("shape1",):
            continue
        if name == "mean_pairwise_squared_error" and wname in (
                "per_element", "per_sample_col", "shape1"):
            continue
        yield wname


# One test per loss, looping over the weight kinds (keeps the run short).
@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_matches_tf_slim(name):
    tf_slim = import_tf_slim()
    ours_fn, ref_fn = CASES[name]
    wnames = list(_weight_names(name))

    def build():
        return [ref_fn(tf_slim.losses, _c(WEIGHTS[k]) if isinstance(
            WEIGHTS[k], np.ndarray) else WEIGHTS[k]) for k in wnames]

    for wname, ref in zip(wnames, _graph(build)):
        ours = ours_fn(slim.losses, WEIGHTS[wname])
        np.testing.assert_allclose(np.asarray(ours), ref, rtol=RTOL,
                                   atol=ATOL, err_msg=wname)


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_label_smoothing_matches_tf_slim(kind, smoothing):
    tf_slim = import_tf_slim()
    w = WEIGHTS["per_sample"]
    if kind == "sigmoid":
        ref = _graph(lambda: tf_slim.losses.sigmoid_cross_entropy(
            _c(LOGITS), _c(LABELS), weights=_c(w), label_smoothing=smoothing))
        ours = slim.losses.sigmoid_cross_entropy(
            LOGITS, LABELS, weights=w, label_smoothing=smoothing)
    else:
        ref = _graph(lambda: tf_slim.losses.softmax_cross_entropy(
            _c(LOGITS), _c(ONEHOT), weights=_c(w), label_smoothing=smoothing))
        ours = slim.losses.softmax_cross_entropy(
            LOGITS, ONEHOT, weights=w, label_smoothing=smoothing)
    np.testing.assert_allclose(np.asarray(ours), ref, rtol=RTOL, atol=ATOL)


def test_sparse_labels_column_and_hinge_match_tf_slim():
    tf_slim = import_tf_slim()
    ref = _graph(lambda: tf_slim.losses.sparse_softmax_cross_entropy(
        _c(LOGITS), _c(SPARSE[:, None]), weights=2.0))
    ours = slim.losses.sparse_softmax_cross_entropy(LOGITS, SPARSE[:, None],
                                                    weights=2.0)
    np.testing.assert_allclose(np.asarray(ours), ref, rtol=RTOL, atol=ATOL)
    ref = _graph(lambda: tf_slim.losses.hinge_loss(_c(LOGITS), _c(LABELS)))
    ours = slim.losses.hinge_loss(LOGITS, LABELS)
    np.testing.assert_allclose(np.asarray(ours), ref, rtol=RTOL, atol=ATOL)


def test_compute_weighted_loss_rank3_matches_tf_slim():
    tf_slim = import_tf_slim()
    losses = rng.uniform(size=(B, 3, 2)).astype("float32")
    for w in (np.array([1.0, 0.0, 3.0, 2.0], "float32"),
              (rng.uniform(size=(B, 3)) > 0.4).astype("float32") * 1.5):
        ref = _graph(lambda: tf_slim.losses.compute_weighted_loss(
            _c(losses), _c(w)))  # noqa: B023 -- _graph calls it at once
        ours = slim.losses.compute_weighted_loss(losses, w)
        np.testing.assert_allclose(np.asarray(ours), ref, rtol=RTOL)


R = slim.losses.Reduction


@pytest.mark.parametrize("reduction", list(R.all()))
def test_reductions_match_tf_compat_v1(reduction):
    v1 = tf.compat.v1.losses
    wnames = ["scalar", "per_sample_col", "per_element"]
    refs = _graph(lambda: [v1.mean_squared_error(
        _c(PRED), _c(REGRESS), weights=WEIGHTS[k], reduction=reduction)
        for k in wnames])
    for wname, ref in zip(wnames, refs):
        ours = slim.losses.mean_squared_error(
            REGRESS, PRED, weights=WEIGHTS[wname], reduction=reduction)
        np.testing.assert_allclose(np.asarray(ours), ref, rtol=RTOL,
                                   atol=ATOL, err_msg=wname)


def test_huber_matches_tf_compat_v1():
    cases = [(d, k) for d in (0.5, 1.0, 2.0)
             for k in ("scalar", "per_sample_col", "per_element")]
    refs = _graph(lambda: [tf.compat.v1.losses.huber_loss(
        _c(PRED), _c(REGRESS), weights=WEIGHTS[k], delta=d)
        for d, k in cases])
    for (delta, wname), ref in zip(cases, refs):
        ours = slim.losses.huber_loss(PRED, REGRESS, weights=WEIGHTS[wname],
                                      delta=delta)
        np.testing.assert_allclose(np.asarray(ours), ref, rtol=RTOL,
                                   atol=ATOL, err_msg=f"{delta} {wname}")


def test_bad_inputs_raise_named_errors():
    with pytest.raises(ValueError, match="predictions.*labels"):
        slim.losses.mean_squared_error(PRED, PRED[:, :2])
    with pytest.raises(ValueError, match="weights"):
        slim.losses.mean_squared_error(PRED, LABELS, weights=np.ones(3))
    with pytest.raises(ValueError, match="reduction"):
        slim.losses.mean_squared_error(PRED, LABELS, reduction="avg")
    with pytest.raises(ValueError, match="axis"):
        slim.losses.cosine_distance(PRED, LABELS)
    with pytest.raises(ValueError, match="Unknown slim loss"):
        slim.losses.Loss("nope")
