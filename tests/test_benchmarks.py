"""The benchmark harness and the fairness of bench_nets' comparisons.

Speed is never asserted here (benchmarks print ratios; see README). What
is asserted: candidates are timed round-robin; results are written as
JSON + Markdown; FLOP counts are multiply-adds x 2; and every candidate
bench_nets times computes the SAME function from the SAME weights — the
original tf-slim net in its Session and as a TF2 function, slimkeras as
a model, folded and frozen (rtol=atol=1e-4, float32) — so its ratios
compare like with like.
"""

import json

import keras
import numpy as np

import slimkeras as slim
from benchmarks import harness
from tests import oracle


def test_interleave_is_round_robin_with_warmup():
    calls = []
    cands = {k: (lambda k=k: calls.append(k)) for k in ("a", "b", "c")}
    times = harness.interleave(cands, rounds=3, iters=2, warmup=1)
    assert calls == ["a", "b", "c"] + ["a", "a", "b", "b", "c", "c"] * 3
    assert sorted(times) == ["a", "b", "c"]
    assert all(len(v) == 3 and all(t >= 0 for t in v)
               for v in times.values())
    s = harness.summary([3.0, 1.0, 2.0])
    assert (s["median"], s["min"], s["max"], s["n"]) == (2.0, 1.0, 3.0, 3)


def test_write_results_json_and_markdown(tmp_path):
    rows = [{"net": "x", "ratio": 1.23456}, {"net": "y"}]
    j, m = harness.write_results("t", rows, {"cpus": 2}, ["net", "ratio"],
                                 root=str(tmp_path))
    data = json.load(open(j))
    assert data == {"meta": {"cpus": 2}, "rows": rows}
    md = open(m).read().splitlines()
    assert md[0] == "# t" and "- cpus: 2" in md
    assert md[-3:] == ["|---|---|", "| x | 1.23 |", "| y |  |"]


def test_conv_flops_counts_multiply_adds():
    from benchmarks import bench_nets

    inputs = keras.Input((8, 8, 3))
    with slim.name_registry():
        net = slim.conv2d(inputs, 4, [3, 3], scope="conv")
        net = slim.separable_conv2d(net, None, [3, 3], depth_multiplier=2,
                                    scope="dw")
        net = slim.fully_connected(slim.flatten(net), 5, scope="fc")
    model = keras.Model(inputs, net)
    want = 2 * (3 * 3 * 3 * 4 * 64 + 3 * 3 * 4 * 2 * 64 + 8 * 8 * 8 * 5)
    assert bench_nets.conv_flops(model) == want


def test_bench_nets_candidates_compute_the_same_function():
    """The original (Session and TF2 function) and slimkeras (model,
    folded, frozen) give the same logits from the same weights, at
    batch 1 and at the throughput batch."""
    oracle.import_tf_slim()
    from benchmarks import bench_nets
    from slimkeras.inference import fold_batch_norms, freeze

    size, classes, batch = 64, 7, 2
    sk = bench_nets.slimkeras_model("resnet_v1_50", size, classes)
    before = {v.path: v.numpy() for v in sk.weights}
    bench_nets.pretrained_like_statistics(sk)
    for v in sk.weights:  # batch norm statistics only, none left trivial
        changed = not np.array_equal(v.numpy(), before[v.path])
        assert changed == (v.path.rsplit("/", 1)[-1] in (
            "moving_mean", "moving_variance", "beta", "gamma")), v.path
    sess, (px, px1, _), (lg, lg1, _) = bench_nets.original_candidates(
        "resnet_v1", "resnet_v1_50", sk, size, batch, classes)
    tf2 = bench_nets.original_as_tf_function("resnet_v1", "resnet_v1_50",
                                             sk, classes)
    folded, frozen = fold_batch_norms(sk), freeze(sk)
    try:
        for n, ph, out in ((1, px1, lg1), (batch, px, lg)):
            x = harness.rng_images(n, size, seed=n)
            want = sk(x, training=False).numpy()
            scale = max(float(np.abs(want).max()), 1.0)
            tol = dict(rtol=1e-4, atol=1e-4 * scale, err_msg=f"batch {n}")
            got = sess.run(out, {ph: x})
            np.testing.assert_allclose(got.reshape(want.shape), want, **tol)
            np.testing.assert_allclose(
                tf2(x).numpy().reshape(want.shape), want, **tol)
            np.testing.assert_allclose(folded(x), want, **tol)
            np.testing.assert_allclose(frozen(x), want, **tol)
    finally:
        sess.close()
