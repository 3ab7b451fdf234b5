"""Input pipeline vs train step: is tf.data the bottleneck?

Measures images/s of the embedded digits pipeline (TFRecord read, PNG
decode, research/slim preprocessing by net, batching) alone, and images/s
the train step of lenet / cifarnet / mobilenet_v1_025 consumes from
in-memory batches, and prints pipeline / consumption (must be > 1).

    python benchmarks/bench_pipeline.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks import harness  # noqa: E402
from slimkeras import nets  # noqa: E402
from slimkeras.data import make_batches  # noqa: E402
from slimkeras.datasets import get_dataset  # noqa: E402
from slimkeras.preprocessing import preprocessing_factory  # noqa: E402


def pipeline_rate(name, batch, n_batches, data_dir):
    spec = nets.get_net(name)
    size = spec.default_image_size
    fn = preprocessing_factory.get_preprocessing(spec.preprocessing, True)
    ds = make_batches(get_dataset("digits", "train", data_dir), batch, fn,
                      size, is_training=True, channels=spec.channels,
                      num_epochs=None)
    it = iter(ds)
    next(it)
    start = time.perf_counter()
    for _ in range(n_batches):
        next(it)
    return batch * n_batches / (time.perf_counter() - start), size, spec


def step_rate(spec, size, batch, n_steps):
    model = nets.create_model(spec.name, num_classes=10,
                              input_shape=(size, size, spec.channels))
    opt = keras.optimizers.SGD(0.01)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    x = harness.rng_images(batch, size, spec.channels)
    y = tf.zeros((batch,), tf.int64)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            out = tf.reshape(model(x, training=True), (batch, -1))
            loss = lossf(y, out)
        g = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(g, model.trainable_variables))
        return loss

    step()
    t = harness.timeit(lambda: float(step()), n_steps)
    return batch / t


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    n = 10 if args.quick else 40
    data_dir = os.path.join(tempfile.gettempdir(), "slimkeras_bench_digits")
    rows = []
    for name in ("lenet", "cifarnet", "mobilenet_v1_025"):
        pipe, size, spec = pipeline_rate(name, 32, n, data_dir)
        cons = step_rate(spec, size, 32, max(3, n // 4))
        rows.append({"net": name, "image_size": size,
                     "pipeline_img_s": pipe, "train_step_img_s": cons,
                     "ratio": pipe / cons})
        print(f"{name:18s} pipeline {pipe:8.0f} img/s   train step "
              f"{cons:8.0f} img/s   pipeline/step x{pipe / cons:.2f}")
    harness.write_results("pipeline_quick" if args.quick else "pipeline",
                          rows, harness.machine(),
                          ["net", "image_size", "pipeline_img_s",
                           "train_step_img_s", "ratio"])


if __name__ == "__main__":
    main()
