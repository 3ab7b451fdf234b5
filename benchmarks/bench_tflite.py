"""Batch-1 latency: TFLite interpreter (XNNPACK) float32 / int8 vs the
Keras model in float32 and under ``mixed_bfloat16``, mobilenet_v1/v2.

All candidates of a net are timed round-robin in one run; ratios are
against the Keras float32 ``tf.function`` call (the anchor). The CPU
flags that decide the int8/bf16 kernels are printed with the results.

    python benchmarks/bench_tflite.py [--quick] [--nets mobilenet_v1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks import harness  # noqa: E402
from slimkeras import nets  # noqa: E402
from slimkeras.export import to_tflite  # noqa: E402

FLAGS_OF_INTEREST = ("avx2", "avx512f", "avx512_vnni", "avx_vnni",
                     "avx512_bf16", "amx_bf16", "amx_int8", "amx_tile")


def cpu_flags() -> list[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    return [x for x in FLAGS_OF_INTEREST if x in have]
    except OSError:
        pass
    return []


def build(name, dtype=None):
    model = nets.create_model(name, num_classes=1001, is_training=False,
                              **({"dtype": dtype} if dtype else {}))
    return model


def interpreter_candidate(path, image):
    interp = tf.lite.Interpreter(model_path=path, num_threads=os.cpu_count())
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    x = image
    if inp["dtype"] != np.float32:
        scale, zero = inp["quantization"]
        x = np.clip(np.round(image / scale + zero), -128, 127).astype(
            inp["dtype"])

    def run():
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        return interp.get_tensor(out["index"])

    return run


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--nets", default="mobilenet_v1,mobilenet_v2")
    args = p.parse_args(argv)
    rounds, iters = (3, 10) if args.quick else (5, 30)
    rows = []
    tmp = tempfile.mkdtemp()
    for name in args.nets.split(","):
        model = build(name)
        size = int(model.inputs[0].shape[1])
        image = harness.rng_images(1, size)
        calib = [harness.rng_images(1, size, seed=s) for s in range(8)]
        f32 = to_tflite(model, os.path.join(tmp, f"{name}.tflite"))
        q8 = to_tflite(model, os.path.join(tmp, f"{name}_int8.tflite"),
                       quantize="int8", representative_data=calib,
                       representative_steps=8)
        keras_fn = tf.function(lambda x: model(x, training=False))
        xt = tf.constant(image)
        cands = {
            "keras float32": lambda: keras_fn(xt),
            "tflite float32": interpreter_candidate(f32.path, image),
            "tflite int8": interpreter_candidate(q8.path, image),
        }
        try:
            keras.mixed_precision.set_global_policy("mixed_bfloat16")
            bf16 = build(name)
            bf16_fn = tf.function(lambda x: bf16(x, training=False))
            bf16_fn(xt)
            cands["keras mixed_bfloat16"] = lambda: bf16_fn(xt)
        except Exception as e:  # report, do not hide
            print(f"{name}: keras mixed_bfloat16 not timed: "
                  f"{type(e).__name__}: {str(e)[:200]}")
        finally:
            keras.mixed_precision.set_global_policy("float32")
        times = harness.interleave(cands, rounds, iters, warmup=2)
        anchor = harness.summary(times["keras float32"])["median"]
        for k, v in times.items():
            med = harness.summary(v)["median"]
            size_mb = {"tflite float32": f32.size_bytes,
                       "tflite int8": q8.size_bytes}.get(k)
            rows.append({"net": name, "candidate": k, "ms": med * 1e3,
                         "vs keras float32": anchor / med,
                         "file MB": (size_mb / 1e6) if size_mb else ""})
            print(f"{name:14s} {k:22s} {med * 1e3:8.2f} ms  "
                  f"x{anchor / med:.2f}")
    meta = dict(harness.machine(), cpu_flags=" ".join(cpu_flags()) or
                "(none of interest)", batch=1, rounds=rounds, iters=iters)
    harness.write_results("tflite_quick" if args.quick else "tflite", rows,
                          meta, ["net", "candidate", "ms",
                                 "vs keras float32", "file MB"])


if __name__ == "__main__":
    main()
