"""Benchmark: restoring a ~100 MB (resnet_v1_50-sized) slim checkpoint.

Compares ``slimkeras.checkpoints.restore`` with reading every tensor alone
(``tf.train.load_checkpoint`` + ``get_tensor``), and measures the peak RSS
added by each, in fresh subprocesses. Goals (issue 3): time ratio ≤ 1.5×;
peak RSS ≤ checkpoint size + largest tensor (over the baseline with the
model's variables allocated).

    python benchmarks/bench_restore.py            # ~30-60 s on 2 cores
    python benchmarks/bench_restore.py --net vgg_16   # V2 and V1, ~528 MB

Each run measures both layouts of the same variables: V2 (``.index`` +
``.data``) and V1 (one file, research/slim's 2016 tarballs, written by
``tf.compat.v1.train.Saver(write_version=V1)``), each against
``tf.train.load_checkpoint`` reading every tensor of that same file
(``SLIM_BENCH_FORMATS=v2`` or ``v1`` for one only).

V1 files: TF's reader holds ~3 copies of a tensor while it reads it
(vgg_16's fc6: ~1.2 GiB). slimkeras streams every tensor bigger than half
the largest straight into a page-aligned, pre-faulted buffer
(``checkpoints/v1_file.py``; the block's CRC-32C verified in NumPy) and
hands it to its variable through DLPack, without a copy. Measured here
(2 cores, avx2): vgg_16 V1 restore 1.89 s against TF's reader 1.78 s
(1.07x), peak +586 MiB (goal 920; TF's reader alone +1176).

The variable list is resnet_v1_50's (names and shapes from
../shared/golden/resnet_v1_50/manifest.json when present, else a synthetic
list of the same size).
"""

from __future__ import annotations

import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

GOLDEN = pathlib.Path(__file__).resolve().parents[2] / "shared" / "golden"
# ~100 MB (resnet_v1_50, default) or ~500 MB (vgg_16): --net / SLIM_BENCH_NET
NET = os.environ.get("SLIM_BENCH_NET", "resnet_v1_50")
MANIFEST = GOLDEN / NET / "manifest.json"


def specs() -> list[tuple[str, tuple[int, ...]]]:
    if MANIFEST.is_file():
        m = json.loads(MANIFEST.read_text())
        return [(v["name"], tuple(v["shape"])) for v in m["model_variables"]]
    out = [("resnet_v1_50/conv1/weights", (7, 7, 3, 64))]
    c_in = 64
    for b, (depth, units) in enumerate([(256, 3), (512, 4), (1024, 6),
                                        (2048, 3)], 1):
        for u in range(1, units + 1):
            s = f"resnet_v1_50/block{b}/unit_{u}/bottleneck_v1"
            mid = depth // 4
            shapes = [("conv1", (1, 1, c_in, mid)), ("conv2", (3, 3, mid, mid)),
                      ("conv3", (1, 1, mid, depth))]
            if u == 1:
                shapes.append(("shortcut", (1, 1, c_in, depth)))
            for name, shape in shapes:
                out.append((f"{s}/{name}/weights", shape))
                for bn in ("beta", "gamma", "moving_mean", "moving_variance"):
                    out.append((f"{s}/{name}/BatchNorm/{bn}", (shape[-1],)))
            c_in = depth
    out += [("resnet_v1_50/logits/weights", (1, 1, 2048, 1000)),
            ("resnet_v1_50/logits/biases", (1000,))]
    return out


def make_variables(init: str = "zeros"):
    import keras

    vs = []
    for name, shape in specs():
        parent, _, leaf = name.rpartition("/")
        grand, _, scope = parent.rpartition("/")
        with keras.name_scope(scope, override_parent=grand):
            vs.append(keras.Variable(initializer=init, shape=shape,
                                     dtype="float32", name=leaf))
    return vs


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> bool:
    """Resets VmHWM (Linux ≥ 4.0); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_both(path: str, vs: list, repeats: int = 3) -> dict:
    """Best-of-``repeats`` seconds of reading alone and of restoring."""
    import tensorflow as tf

    from slimkeras import checkpoints

    best = {"load": 1e9, "restore": 1e9}
    for _ in range(repeats):
        t = time.perf_counter()
        reader = tf.train.load_checkpoint(path)
        arrays = [reader.get_tensor(n) for n in
                  reader.get_variable_to_shape_map()]
        del arrays
        best["load"] = min(best["load"], time.perf_counter() - t)
        t = time.perf_counter()
        checkpoints.restore(vs, path)
        best["restore"] = min(best["restore"], time.perf_counter() - t)
    return best


def child(mode: str, path: str) -> None:
    """One operation in a fresh process: peak RSS over the baseline."""
    import tensorflow as tf

    from slimkeras import checkpoints

    vs = make_variables()
    reset_peak()
    base = rss_mib()
    t0 = time.perf_counter()
    if mode == "load":
        reader = tf.train.load_checkpoint(path)
        arrays = [reader.get_tensor(n) for n in
                  reader.get_variable_to_shape_map()]
        del arrays
    else:
        checkpoints.restore(vs, path)
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "baseline_mib": base,
                      "peak_delta_mib": peak_mib() - base}))


def run_child(mode: str, path: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, path],
                         capture_output=True, text=True, timeout=120)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_v1(vs: list, path: str) -> str:
    """The same variables as a V1 single file (research/slim's layout)."""
    import tensorflow as tf

    os.makedirs(os.path.dirname(path), exist_ok=True)
    saver = tf.compat.v1.train.Saver(
        var_list={v.path: v.value for v in vs},
        write_version=tf.compat.v1.train.SaverDef.V1)
    saver.save(None, path, write_meta_graph=False, write_state=False)
    assert os.path.isfile(path) and not os.path.exists(path + ".index")
    return path


def main() -> None:
    import numpy as np

    from slimkeras import checkpoints

    formats = os.environ.get("SLIM_BENCH_FORMATS", "v2,v1").split(",")
    mib = 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        vs = make_variables(init="random_normal")
        largest = max(int(np.prod(v.shape)) * 4 for v in vs)
        paths = {}
        if "v2" in formats:
            paths["v2"] = checkpoints.save_tf1_checkpoint(
                vs, os.path.join(tmp, "m.ckpt"))
        if "v1" in formats:
            paths["v1"] = write_v1(vs, os.path.join(tmp, "v1", "m.ckpt"))
        times = {f: time_both(p, vs) for f, p in paths.items()}
        del vs
        for fmt, path in paths.items():
            d = os.path.dirname(path)
            size = sum(os.path.getsize(os.path.join(d, f))
                       for f in os.listdir(d) if f.startswith("m.ckpt"))
            load = run_child("load", path)
            rest = run_child("restore", path)
            t = times[fmt]
            goal_rss = (size + largest) / mib
            print(f"[{NET} {fmt.upper()}] {len(specs())} tensors, "
                  f"{size / mib:.1f} MiB; largest tensor "
                  f"{largest / mib:.1f} MiB")
            print(f"  time   load_checkpoint+get_tensor: {t['load']:.3f} s"
                  f"   restore: {t['restore']:.3f} s   ratio "
                  f"{t['restore'] / t['load']:.2f}x (goal <= 1.5x)")
            print(f"  peak RSS over baseline   load: "
                  f"{load['peak_delta_mib']:.0f} MiB   restore: "
                  f"{rest['peak_delta_mib']:.0f} MiB   (goal <= ckpt + "
                  f"largest = {goal_rss:.0f} MiB; baseline with variables "
                  f"{rest['baseline_mib']:.0f} MiB)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "--net":
        # vgg_16 (~528 MB) needs ../shared/golden for its variable list.
        os.environ["SLIM_BENCH_NET"] = sys.argv[2]
        sys.exit(subprocess.call([sys.executable, __file__]))
    else:
        main()
