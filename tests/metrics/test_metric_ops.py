"""Streaming metrics vs the ORIGINAL tf_slim.metrics in graph mode.

The same batches are streamed through both: slim's update_op is run once
per batch (its returned value is compared after every step) and the
final value tensor is compared with ``value()``. Tolerance: float32,
rtol=1e-6, atol=1e-6 (identical formulas; sums may be ordered
differently). ``tf_slim.metrics.count`` raises in eager mode only, so it
runs here too.

Oracle broken on TF 2.21 (DESIGN.md §1): tf_slim's private
``_streaming_confusion_matrix_at_thresholds`` calls the removed
``array_ops.stack``, which breaks ``streaming_{true,false}_{positives,
negatives}_at_thresholds`` and ``streaming_false_{positive,negative}_rate_
at_thresholds``. Those are checked against ``tf.compat.v1.metrics.*_at_
thresholds`` in graph mode (the same counts slim's helper computed) and,
for the two rates, slim's documented formula ``fp / (1e-7 + fp + tn)`` /
``fn / (1e-7 + fn + tp)`` on those counts. ``streaming_auc`` has no
``summation_method`` argument; non-default methods are checked against
``tf.compat.v1.metrics.auc``, which slim's ``streaming_auc`` wraps.
slim's ``streaming_mean_iou`` update_op returns the confusion matrix, so
only its final value is compared.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.oracle import import_tf_slim

RTOL = ATOL = 1e-6
S = slim.metrics
rng = np.random.default_rng(0)
N_STEPS, B, C = 3, 6, 4


def _batches(make):
    return [make() for _ in range(N_STEPS)]


def _f(*shape):
    return rng.uniform(size=shape).astype("float32")


def _binary():
    # Predictions: 0/1 plus a few non-0/1 non-zeros (bool cast -> True).
    p = (rng.uniform(size=(B, C)) > 0.5) * rng.choice([1.0, 0.3], (B, C))
    return p.astype("float32"), (rng.uniform(size=(B, C)) > 0.4).astype(
        "float32")


def _w_elem():
    return (_f(B, C) * (rng.uniform(size=(B, C)) > 0.2)).astype("float32")


def _w_row():
    return (_f(B, 1) + 0.5).astype("float32")


def _slim_stream(build, batches):
    """Runs slim's (value, update) over ``batches`` in a fresh graph."""
    with tf.Graph().as_default() as g:
        phs = [tf.compat.v1.placeholder(tf.as_dtype(a.dtype), a.shape)
               for a in batches[0]]
        value, update = build(*phs)
        with tf.compat.v1.Session(graph=g) as sess:
            sess.run(tf.compat.v1.local_variables_initializer())
            sess.run(tf.compat.v1.global_variables_initializer())
            steps = [sess.run(update, dict(zip(phs, b))) for b in batches]
            return steps, sess.run(value)


def _ours_stream(make, batches, update=None):
    sm = make()
    value, upd = sm
    steps = []
    for b in batches:
        steps.append(np.asarray(update(sm, *b) if update else upd(*b)))
    return steps, np.asarray(value())


TH = [0.0, 0.25, 0.5, 0.9]
TWO = lambda: (*_binary(), _w_elem())  # noqa: E731


def _probs():
    return _f(B, C), (rng.uniform(size=(B, C)) > 0.5).astype("float32"), \
        _w_elem()


def _topk_dense():
    return _f(B, 5), rng.integers(0, 5, B).astype("int64"), _w_row()[:, 0]


def _topk_sparse():
    labels = np.stack([rng.choice(6, 2, replace=False) for _ in range(B)])
    return _f(B, 6), labels.astype("int64"), _w_row()[:, 0]


CASES = {
    "true_positives": (TWO, lambda M, p, l, w: M.streaming_true_positives(
        p, l, w), lambda: S.streaming_true_positives()),
    "true_negatives": (TWO, lambda M, p, l, w: M.streaming_true_negatives(
        p, l, w), lambda: S.streaming_true_negatives()),
    "false_positives": (TWO, lambda M, p, l, w: M.streaming_false_positives(
        p, l, w), lambda: S.streaming_false_positives()),
    "false_negatives": (TWO, lambda M, p, l, w: M.streaming_false_negatives(
        p, l, w), lambda: S.streaming_false_negatives()),
    "precision": (TWO, lambda M, p, l, w: M.streaming_precision(p, l, w),
                  lambda: S.streaming_precision()),
    "recall": (TWO, lambda M, p, l, w: M.streaming_recall(p, l, w),
               lambda: S.streaming_recall()),
    "false_positive_rate": (
        TWO, lambda M, p, l, w: M.streaming_false_positive_rate(p, l, w),
        lambda: S.streaming_false_positive_rate()),
    "false_negative_rate": (
        TWO, lambda M, p, l, w: M.streaming_false_negative_rate(p, l, w),
        lambda: S.streaming_false_negative_rate()),
    "accuracy": (
        lambda: (rng.integers(0, 3, (B, 2)).astype("int64"),
                 rng.integers(0, 3, (B, 2)).astype("int64"), _w_row()),
        lambda M, p, l, w: M.streaming_accuracy(p, l, w),
        lambda: S.streaming_accuracy()),
    "mean": (lambda: (_f(B, C), _w_row()),
             lambda M, v, w: M.streaming_mean(v, w),
             lambda: S.streaming_mean()),
    "mean_unweighted": (lambda: (_f(B, C),),
                        lambda M, v: M.streaming_mean(v),
                        lambda: S.streaming_mean()),
    "mean_tensor": (lambda: (_f(B, C), _w_elem()),
                    lambda M, v, w: M.streaming_mean_tensor(v, w),
                    lambda: S.streaming_mean_tensor()),
    "count": (lambda: (_f(B, C), _w_elem()),
              lambda M, v, w: M.count(v, w), lambda: S.count()),
    "percentage_less": (
        lambda: (_f(B, C), _w_elem()),
        lambda M, v, w: M.streaming_percentage_less(v, 0.4, w),
        lambda: S.streaming_percentage_less(threshold=0.4)),
    "mean_absolute_error": (
        lambda: (_f(B, C), _f(B, C), _w_row()),
        lambda M, p, l, w: M.streaming_mean_absolute_error(p, l, w),
        lambda: S.streaming_mean_absolute_error()),
    "mean_squared_error": (
        lambda: (_f(B, C), _f(B, C), _w_elem()),
        lambda M, p, l, w: M.streaming_mean_squared_error(p, l, w),
        lambda: S.streaming_mean_squared_error()),
    "root_mean_squared_error": (
        lambda: (_f(B, C), _f(B, C), _w_elem()),
        lambda M, p, l, w: M.streaming_root_mean_squared_error(p, l, w),
        lambda: S.streaming_root_mean_squared_error()),
    "mean_relative_error": (
        lambda: (_f(B, C), _f(B, C),
                 (_f(B, C) * (rng.uniform(size=(B, C)) > 0.2)).astype(
                     "float32"), _w_elem()),
        lambda M, p, l, n, w: M.streaming_mean_relative_error(p, l, n, w),
        lambda: S.streaming_mean_relative_error()),
    "mean_cosine_distance": (
        lambda: (_f(B, C), _f(B, C), _w_row()),
        lambda M, p, l, w: M.streaming_mean_cosine_distance(p, l, 1, w),
        lambda: S.streaming_mean_cosine_distance(dim=1)),
    "mean_iou": (
        lambda: (rng.integers(0, 3, (B, 5)).astype("int64"),
                 rng.integers(0, 4, (B, 5)).astype("int64"), _f(B, 5)),
        lambda M, p, l, w: M.streaming_mean_iou(p, l, 4, w),
        lambda: S.streaming_mean_iou(num_classes=4)),
    "recall_at_k": (
        _topk_dense, lambda M, p, l, w: M.streaming_recall_at_k(p, l, 2, w),
        lambda: S.streaming_recall_at_k(k=2)),
    "sparse_recall_at_k": (
        _topk_sparse,
        lambda M, p, l, w: M.streaming_sparse_recall_at_k(p, l, 3,
                                                          weights=w),
        lambda: S.streaming_sparse_recall_at_k(k=3)),
    "sparse_recall_at_k_class": (
        _topk_sparse,
        lambda M, p, l, w: M.streaming_sparse_recall_at_k(
            p, l, 3, class_id=2, weights=w),
        lambda: S.streaming_sparse_recall_at_k(k=3, class_id=2)),
    "sparse_precision_at_k": (
        _topk_sparse,
        lambda M, p, l, w: M.streaming_sparse_precision_at_k(p, l, 2,
                                                             weights=w),
        lambda: S.streaming_sparse_precision_at_k(k=2)),
    "sparse_precision_at_k_class": (
        _topk_sparse,
        lambda M, p, l, w: M.streaming_sparse_precision_at_k(
            p, l, 2, class_id=1, weights=w),
        lambda: S.streaming_sparse_precision_at_k(k=2, class_id=1)),
}
V1 = tf.compat.v1.metrics
for _n in ("precision", "recall"):
    _fn = f"streaming_{_n}_at_thresholds"
    CASES[f"{_n}_at_thresholds"] = (
        _probs,
        (lambda fn: lambda M, p, l, w: getattr(M, fn)(p, l, TH, w))(_fn),
        (lambda fn: lambda: getattr(S, fn)(thresholds=TH))(_fn))
for _n in ("true_positives", "false_positives", "true_negatives",
           "false_negatives"):
    CASES[f"{_n}_at_thresholds"] = (
        _probs,
        (lambda n: lambda M, p, l, w: getattr(V1, f"{n}_at_thresholds")(
            l, p, TH, w))(_n),
        (lambda n: lambda: getattr(S, f"streaming_{n}_at_thresholds")(
            thresholds=TH))(_n))


def _v1_rate(num, other):
    """slim's formula num / (1e-7 + num + other) on v1 counts."""
    def build(M, p, l, w):
        a, ua = getattr(V1, f"{num}_at_thresholds")(l, p, TH, w)
        b, ub = getattr(V1, f"{other}_at_thresholds")(l, p, TH, w)
        return a / (1e-7 + a + b), ua / (1e-7 + ua + ub)
    return build


CASES["false_positive_rate_at_thresholds"] = (
    _probs, _v1_rate("false_positives", "true_negatives"),
    lambda: S.streaming_false_positive_rate_at_thresholds(thresholds=TH))
CASES["false_negative_rate_at_thresholds"] = (
    _probs, _v1_rate("false_negatives", "true_positives"),
    lambda: S.streaming_false_negative_rate_at_thresholds(thresholds=TH))
CASES["auc_ROC"] = (
    _probs, lambda M, p, l, w: M.streaming_auc(p, l, w, num_thresholds=50),
    lambda: S.streaming_auc(num_thresholds=50))
CASES["auc_PR"] = (
    _probs, lambda M, p, l, w: M.streaming_auc(p, l, w, num_thresholds=50,
                                               curve="PR"),
    lambda: S.streaming_auc(num_thresholds=50, curve="PR"))
for _curve, _method in [("PR", "careful_interpolation"),
                        ("ROC", "minoring"), ("ROC", "majoring")]:
    CASES[f"auc_{_curve}_{_method}"] = (
        _probs,
        (lambda c, m: lambda M, p, l, w: V1.auc(
            l, p, w, num_thresholds=50, curve=c, summation_method=m))(
                _curve, _method),
        (lambda c, m: lambda: S.streaming_auc(
            num_thresholds=50, curve=c, summation_method=m))(_curve, _method))


@pytest.mark.parametrize("name", sorted(CASES))
def test_streaming_metric_matches_tf_slim(name):
    tf_slim = import_tf_slim()
    make_batch, slim_build, ours_make = CASES[name]
    batches = _batches(make_batch)
    ref_steps, ref_value = _slim_stream(
        lambda *phs: slim_build(tf_slim.metrics, *phs), batches)
    steps, value = _ours_stream(ours_make, batches)
    if name == "mean_iou":  # slim's update_op returns the confusion matrix
        ref_steps = steps
    for i, (a, b) in enumerate(zip(steps, ref_steps)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} step {i}")
    np.testing.assert_allclose(value, ref_value, rtol=RTOL, atol=ATOL)


def test_construct_with_data_applies_first_batch_and_reset():
    p, l = _binary()
    acc = S.streaming_accuracy(p, l)
    np.testing.assert_allclose(acc.value(), np.mean(p == l), rtol=1e-6)
    acc.reset()
    assert float(acc.value()) == 0.0


def test_aggregate_shapes_match_slim():
    p, l = _binary()
    values, updates = S.aggregate_metrics(S.streaming_precision(),
                                          S.streaming_recall())
    assert len(values) == len(updates) == 2
    for u in updates:
        u(p, l)
    names_to_values, names_to_updates = S.aggregate_metric_map({
        "mae": S.streaming_mean_absolute_error(),
        "rmse": S.streaming_root_mean_squared_error(),
    })
    assert list(names_to_values) == list(names_to_updates) == ["mae", "rmse"]
    names_to_updates["mae"](p, l)
    np.testing.assert_allclose(names_to_values["mae"](),
                               np.mean(np.abs(p - l)), rtol=1e-6)
    with pytest.raises(ValueError, match="at least one"):
        S.aggregate_metrics()


def test_metric_objects_work_in_compile_and_evaluate():
    x = _f(8, 3)
    y = (rng.uniform(size=(8, 1)) > 0.5).astype("float32")
    model = keras.Sequential([keras.Input((3,)),
                              keras.layers.Dense(1, activation="sigmoid")])
    auc = S.AUC(num_thresholds=50)
    model.compile("sgd", loss="binary_crossentropy",
                  metrics=[auc, S.RecallAtThresholds([0.5]),
                           S.MeanSquaredError()])
    res = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    ref = S.streaming_auc(model.predict_on_batch(x), y, num_thresholds=50)
    np.testing.assert_allclose(res["auc"], ref.value(), rtol=1e-6)


def test_bad_arguments_raise_named_errors():
    with pytest.raises(ValueError, match="thresholds"):
        S.streaming_precision_at_thresholds()
    with pytest.raises(ValueError, match="curve"):
        S.streaming_auc(curve="XY")
    with pytest.raises(ValueError, match="k must be"):
        S.streaming_sparse_recall_at_k(k=0)
    with pytest.raises(ValueError, match="labels"):
        S.streaming_precision(np.ones((2, 3)), np.ones((2, 2)))
