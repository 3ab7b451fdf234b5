"""Foundation benchmarks: construction and call overhead of slim layers.

1. Construct 1,000 ``slim.layers.Conv2D`` under three nested arg_scopes vs
   1,000 plain ``keras.layers.Conv2D`` (ratio slim / keras).
2. Call throughput of a 20-layer slim conv stack vs the same stack of plain
   Keras layers (same weights), eager and in ``tf.function``; A/B runs are
   interleaved, medians reported (goal: call ratio <= 1.02).

Run: ``python benchmarks/bench_layers.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import slimkeras as slim  # noqa: E402


def build_slim(n):
    with slim.name_registry():
        with slim.arg_scope([slim.conv2d], padding="SAME"):
            with slim.arg_scope([slim.conv2d], activation_fn=slim.relu):
                with slim.arg_scope([slim.conv2d],
                                    weights_regularizer=slim.l2_regularizer(1e-4)):
                    return [slim.layers.Conv2D(16, [3, 3]) for _ in range(n)]


def build_keras(n):
    return [keras.layers.Conv2D(16, 3, padding="same", activation="relu",
                                kernel_regularizer=keras.regularizers.L2(1e-4))
            for _ in range(n)]


def interleave(a, b, repeats):
    ta, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t)
    return ta, tb


def fmt(name, ta, tb):
    ma, mb = statistics.median(ta), statistics.median(tb)
    return (f"{name:38s} slim {ma*1e3:9.2f} ms "
            f"[{min(ta)*1e3:.2f}-{max(ta)*1e3:.2f}]"
            f"  keras {mb*1e3:9.2f} ms [{min(tb)*1e3:.2f}-{max(tb)*1e3:.2f}]"
            f"  ratio {ma/mb:.3f}")


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    reps = 3 if args.quick else 7
    n = 1000
    ta, tb = interleave(lambda: build_slim(n), lambda: build_keras(n), reps)
    print(fmt(f"construct {n} Conv2D (3 nested scopes)", ta, tb))

    x = np.random.rand(16, 32, 32, 16).astype("float32")
    inp = keras.Input(x.shape[1:])
    with slim.name_registry():
        net = inp
        for i in range(20):
            net = slim.conv2d(net, 16, [3, 3], scope=f"c{i}")
    m_slim = keras.Model(inp, net)
    net = inp
    for _ in range(20):
        net = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(net)
    m_keras = keras.Model(inp, net)
    m_keras.set_weights(m_slim.get_weights())
    np.testing.assert_allclose(m_slim(x), m_keras(x), rtol=1e-4, atol=1e-4)
    f_slim, f_keras = tf.function(m_slim), tf.function(m_keras)
    f_slim(x), f_keras(x)
    calls = 5 if args.quick else 20

    def loop(f):
        return lambda: [f(x) for _ in range(calls)]

    ta, tb = interleave(loop(f_slim), loop(f_keras), reps)
    print(fmt(f"tf.function call x{calls} (20 convs, b16)", ta, tb))
    ta, tb = interleave(loop(m_slim), loop(m_keras), reps)
    print(fmt(f"eager call x{calls} (20 convs, b16)", ta, tb))


if __name__ == "__main__":
    main()
