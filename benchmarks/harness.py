"""Benchmark harness: interleaved A/B runs, medians, a same-run hardware
reference, results as JSON + Markdown.

Speed claims are ratios measured side by side in one run on one machine:
candidates are timed round-robin (A B C A B C …) after a warm-up, and a
float32 matmul rate measured in the same run is the hardware reference.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np


def timeit(fn: Callable[[], object], iters: int) -> float:
    """Seconds per call of ``fn`` averaged over ``iters`` calls."""
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - start) / iters


def interleave(cands: dict[str, Callable[[], object]], rounds: int,
               iters: int, warmup: int = 1) -> dict[str, list[float]]:
    """Times each candidate round-robin; returns per-round sec/call lists."""
    for fn in cands.values():
        for _ in range(warmup):
            fn()
    out: dict[str, list[float]] = {k: [] for k in cands}
    for _ in range(rounds):
        for k, fn in cands.items():
            out[k].append(timeit(fn, iters))
    return out


def summary(times: list[float]) -> dict:
    return {"median": statistics.median(times), "min": min(times),
            "max": max(times), "n": len(times)}


def matmul_candidate(n: int = 1024):
    """``(fn, flops)``: a float32 matmul to interleave with candidates."""
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    f = tf.function(lambda: tf.matmul(a, b))
    f()
    return (lambda: f().numpy()), 2.0 * n ** 3


def matmul_gflops(n: int = 1024, rounds: int = 5) -> float:
    """The same-run hardware reference: float32 matmul GFLOP/s (TF)."""
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    f = tf.function(lambda: tf.matmul(a, b))
    f()
    best = float("inf")
    for _ in range(rounds):
        t = timeit(lambda: f().numpy(), 5)
        best = min(best, t)
    return 2.0 * n ** 3 / best / 1e9


def machine() -> dict:
    import keras
    import tensorflow as tf

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def write_results(name: str, rows: list[dict], meta: dict,
                  columns: list[str], root: str | None = None
                  ) -> tuple[str, str]:
    """Writes ``<root>/<name>.json`` and ``.md`` (default root:
    ``benchmarks/results``)."""
    root = root or os.path.join(os.path.dirname(__file__), "results")
    os.makedirs(root, exist_ok=True)
    jpath = os.path.join(root, f"{name}.json")
    with open(jpath, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1, default=float)
    mpath = os.path.join(root, f"{name}.md")
    with open(mpath, "w") as f:
        f.write(f"# {name}\n\n")
        for k, v in meta.items():
            f.write(f"- {k}: {v}\n")
        f.write("\n| " + " | ".join(columns) + " |\n")
        f.write("|" + "---|" * len(columns) + "\n")
        for r in rows:
            f.write("| " + " | ".join(_fmt(r.get(c, "")) for c in columns)
                    + " |\n")
    return jpath, mpath


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def rng_images(batch: int, size: int, channels: int = 3, seed: int = 0):
    return np.random.default_rng(seed).uniform(
        -1, 1, (batch, size, size, channels)).astype("float32")
