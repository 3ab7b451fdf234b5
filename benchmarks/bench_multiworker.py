"""Multi-worker training throughput: 1, 2 and 4 workers on localhost.

Each configuration starts that many worker processes on 127.0.0.1 (free
ports, ``TF_CONFIG`` per worker; 1 worker = a plain single process, the
anchor), trains LeNet (28x28x1, 10 classes, RMSProp) with
``slimkeras.learning.train`` under MultiWorkerMirroredStrategy at 32
images per replica, and times the steps after a warm-up. Printed: steps/s,
images/s (global) and the scaling efficiency ``images/s(N) / (N ×
images/s(1))``, with a float32 matmul GFLOP/s measured in the same run as
the hardware reference.

Threads per worker: ``max(1, cores // N)`` intra-op, 1 inter-op, so the
cores are not oversubscribed beyond one thread per core (4 workers on a
2-core host still share cores). On a host with fewer cores than workers
the figure shows the multi-worker overhead (gradient all-reduce through
gRPC, ~13 MB per step for LeNet, plus the sharing of cores), not a
speedup: real scaling needs one machine (or accelerator) per worker.

    python benchmarks/bench_multiworker.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

BATCH = 32  # per replica

_CHILD = r'''
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
threads, warm, steps, batch = map(int, sys.argv[1:5])
import numpy as np, tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras
from slimkeras import learning, nets
from slimkeras.learning import distributed

strategy = distributed.create_strategy(
    cluster=distributed.cluster_from_env())
workers = distributed.num_workers(strategy)
global_batch = batch * strategy.num_replicas_in_sync
rng = np.random.default_rng(0)
x = rng.random((global_batch, 28, 28, 1)).astype("float32")
y = rng.integers(0, 10, global_batch)
ds = tf.data.Dataset.from_tensors((x, y)).repeat()
if workers > 1:
    ds = distributed.shard_by(ds, 0, workers)
with strategy.scope():
    model = nets.create_model("lenet", num_classes=10,
                              input_shape=(28, 28, 1), outputs="both")
    opt = keras.optimizers.RMSprop(0.001)
xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

def loss(b):
    logits, _ = model(b[0], training=True)
    return xent(b[1], logits)

with strategy.scope():
    step = learning.create_train_op(loss, opt, model=model)
stamps = []

def timed(batch, train_op, global_step, kwargs):
    out = learning.train_step(batch, train_op, global_step, kwargs)
    stamps.append(time.perf_counter())  # the loss is fetched: step done
    return out

# One train() call, timed from the end of the warm-up steps: the tracing,
# the iterator start and the chief's initial broadcast are excluded.
learning.train(step, None, timed, number_of_steps=warm + steps,
               dataset=ds, verbose=False, log_every_n_steps=1)
sec = stamps[-1] - stamps[warm - 1]
print("RESULT " + json.dumps({"seconds": sec, "steps": steps,
                              "global_batch": global_batch,
                              "workers": workers,
                              "chief": distributed.is_chief(strategy)}))
'''


def _ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def run_workers(n, warm, steps, timeout=600):
    """Trains with n worker processes; returns the chief's result. A
    worker that fails stops the others at once (its output is raised)."""
    with contextlib.ExitStack() as stack:
        return _run_workers(stack, n, warm, steps, timeout)


def _run_workers(stack, n, warm, steps, timeout):
    import tempfile

    cores = os.cpu_count() or 1
    threads = max(1, cores // n)
    hosts = [f"127.0.0.1:{p}" for p in _ports(n)]
    procs, logs = [], []
    for task in range(n):
        env = dict(os.environ, PYTHONPATH=ROOT)
        env.pop("TF_CONFIG", None)
        if n > 1:
            env["TF_CONFIG"] = json.dumps(
                {"cluster": {"worker": hosts},
                 "task": {"type": "worker", "index": task}})
        log = stack.enter_context(tempfile.TemporaryFile("w+"))  # noqa: SIM115
        logs.append(log)
        procs.append(subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(threads), str(warm),
             str(steps), str(BATCH)], env=env, stdout=log,
            stderr=subprocess.STDOUT, text=True))
    deadline = time.time() + timeout
    try:
        while any(p.poll() is None for p in procs):
            bad = [i for i, p in enumerate(procs) if p.poll()]
            if bad or time.time() > deadline:
                i = bad[0] if bad else 0
                logs[i].seek(0)
                raise RuntimeError(f"{n} workers: task {i} "
                                   f"{'failed' if bad else 'timed out'}: "
                                   + logs[i].read()[-2000:])
            time.sleep(0.5)
        bad = [i for i, p in enumerate(procs) if p.returncode]
        texts = []
        for log in logs:
            log.seek(0)
            texts.append(log.read())
        if bad:
            raise RuntimeError(f"{n} workers: task {bad[0]} failed: "
                               + texts[bad[0]][-2000:])
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    results = [json.loads(t.split("RESULT ", 1)[1].splitlines()[0])
               for t in texts]
    return next(r for r in results if r["chief"]), threads


def main(argv=None):
    from benchmarks import harness
    from benchmarks.bench_tflite import cpu_flags

    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    rounds, warm, steps = (1, 3, 10) if args.quick else (3, 10, 50)
    flags = cpu_flags()
    print(f"CPU flags {flags}; {os.cpu_count()} cores")
    gflops = harness.matmul_gflops()
    print(f"same-run reference: float32 matmul {gflops:.1f} GFLOP/s")
    counts = (1, 2, 4)
    times = {n: [] for n in counts}
    threads = {}
    for _ in range(rounds):  # interleaved: 1 2 4 1 2 4 …
        for n in counts:
            r, threads[n] = run_workers(n, warm, steps)
            times[n].append(r["seconds"] / r["steps"])
            print(f"  {n} worker(s): {r['seconds'] / r['steps']:.3f} "
                  "s/step", flush=True)
    rows = []
    base_img = None
    for n in counts:
        s = harness.summary(times[n])
        sec = s["median"]
        img = BATCH * n / sec
        base_img = base_img or img
        eff = img / (n * base_img)
        rows.append({"workers": n, "threads_per_worker": threads[n],
                     "global_batch": BATCH * n, "steps_per_s": 1 / sec,
                     "images_per_s": img, "vs_1_worker": img / base_img,
                     "scaling_efficiency": eff})
        print(f"{n} worker(s) x {threads[n]} thread(s): {1 / sec:6.2f} "
              f"steps/s, {img:7.1f} images/s (global batch {BATCH * n}); "
              f"x{img / base_img:.2f} of 1 worker, scaling efficiency "
              f"{eff:.0%}")
    cores = os.cpu_count() or 1
    why = ("with more workers than cores the figure shows the "
           "multi-worker overhead (gRPC all-reduce of LeNet's ~13 MB of "
           "gradients per step, cores shared), not a speedup"
           if cores < max(counts) else "scaling as measured")
    note = f"this host has {cores} cores: {why}"
    print(f"note: {note}")
    meta = dict(harness.machine(), cpu_flags=" ".join(flags) or "unknown",
                matmul_gflops=round(gflops, 1), per_replica_batch=BATCH,
                net="lenet 28x28x1, RMSProp", warmup_steps=warm,
                timed_steps=steps, rounds=rounds, note=note)
    harness.write_results("multiworker_quick" if args.quick
                          else "multiworker", rows, meta,
                          ["workers", "threads_per_worker", "global_batch",
                           "steps_per_s", "images_per_s", "vs_1_worker",
                           "scaling_efficiency"])


if __name__ == "__main__":
    main()
