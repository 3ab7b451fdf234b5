"""First-call latency, construction time and execution-mode variants.

* first call (build + trace + one batch-1 forward) of resnet_v1_50, each
  candidate in a fresh subprocess: slimkeras (``create_model`` +
  ``tf.function`` call), the original tf-slim (graph build, session, init,
  one run) and keras.applications ResNet50 (construct + ``tf.function``
  call). Target: slimkeras <= 2 s.
* construction time of resnet_v1_152 and inception_v3 vs
  keras.applications ResNet152 / InceptionV3 (fresh subprocesses).
* resnet_v1_50 batch-16 inference eager vs ``tf.function`` vs
  ``jit_compile=True`` (interleaved in one process).

    python benchmarks/bench_startup.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

_CHILD = r'''
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
t0 = time.perf_counter()
import numpy as np, tensorflow as tf, keras
t_import = time.perf_counter()
what, size = sys.argv[1], int(sys.argv[2])
x = np.zeros((1, size, size, 3), "float32")
if what == "slimkeras_first_call":
    from slimkeras import nets
    t1 = time.perf_counter()
    m = nets.create_model("resnet_v1_50", input_shape=(size, size, 3))
    tf.function(lambda t: m(t, training=False))(x).numpy()
elif what == "keras_first_call":
    t1 = time.perf_counter()
    m = keras.applications.ResNet50(weights=None,
                                    input_shape=(size, size, 3))
    tf.function(lambda t: m(t, training=False))(x).numpy()
elif what == "original_first_call":
    sys.path.insert(0, sys.argv[3])
    from tests.oracle import import_tf_slim
    import_tf_slim()
    import tf_slim
    from tf_slim.nets import resnet_v1
    t1 = time.perf_counter()
    g = tf.Graph()
    with g.as_default():
        ph = tf.compat.v1.placeholder(tf.float32, x.shape)
        with tf_slim.arg_scope(resnet_v1.resnet_arg_scope()):
            out, _ = resnet_v1.resnet_v1_50(ph, 1000, is_training=False)
        s = tf.compat.v1.Session(graph=g)
        s.run(tf.compat.v1.global_variables_initializer())
        s.run(out, {ph: x})
elif what.startswith("construct_"):
    name = what[len("construct_"):]
    t1 = time.perf_counter()
    if name in ("ResNet152", "InceptionV3"):
        getattr(keras.applications, name)(weights=None,
                                          input_shape=(size, size, 3))
    else:
        from slimkeras import nets
        nets.create_model(name, input_shape=(size, size, 3))
print(json.dumps({"seconds": time.perf_counter() - t1,
                  "import": t_import - t0}))
'''


def child(what, size):
    out = subprocess.run([sys.executable, "-c", _CHILD, what, str(size), ROOT],
                         capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, PYTHONPATH=ROOT))
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def interleaved_children(names, size, rounds):
    times = {n: [] for n in names}
    for _ in range(rounds):
        for n in names:
            times[n].append(child(n, size))
    return times


def modes(rounds, iters):
    import keras
    import numpy as np
    import tensorflow as tf

    from benchmarks import harness
    from slimkeras import nets

    m = nets.create_model("resnet_v1_50")
    x = np.random.default_rng(0).random((16, 224, 224, 3)).astype("float32")
    f = tf.function(lambda t: m(t, training=False))
    j = tf.function(lambda t: m(t, training=False), jit_compile=True)
    cands = {"eager": lambda: m(x, training=False).numpy(),
             "tf.function": lambda: f(x).numpy(),
             "jit_compile": lambda: j(x).numpy()}
    del keras
    return harness.interleave(cands, rounds, iters)


def report_seconds(times: dict, rows: list) -> None:
    """Appends a median/min/max row per candidate and prints it."""
    from benchmarks import harness

    for k, v in times.items():
        s = harness.summary(v)
        rows.append({"what": k, "median_s": s["median"], "min_s": s["min"],
                     "max_s": s["max"]})
        print(f"{k:24s} {s['median']:.2f} s [{s['min']:.2f}-{s['max']:.2f}]")


def main(argv=None):
    from benchmarks import harness

    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    rounds = 2 if args.quick else 3
    rows = []
    first = interleaved_children(["slimkeras_first_call", "original_first_call",
                                  "keras_first_call"], 224, rounds)
    report_seconds(first, rows)
    cons = interleaved_children(["construct_resnet_v1_152",
                                 "construct_ResNet152",
                                 "construct_inception_v3",
                                 "construct_InceptionV3"], 299, rounds)
    report_seconds(cons, rows)
    t = modes(rounds, 2)
    base = harness.summary(t["tf.function"])["median"]
    for k, v in t.items():
        s = harness.summary(v)
        rows.append({"what": f"resnet_v1_50 b16 {k}", "median_s": s["median"],
                     "min_s": s["min"], "max_s": s["max"],
                     "vs_tf_function": base / s["median"]})
        print(f"resnet_v1_50 b16 {k:12s} {16 / s['median']:.1f} img/s "
              f"(x{base / s['median']:.2f} of tf.function)")
    harness.write_results("startup_quick" if args.quick else "startup", rows,
                          harness.machine(),
                          ["what", "median_s", "min_s", "max_s",
                           "vs_tf_function"])


if __name__ == "__main__":
    main()
