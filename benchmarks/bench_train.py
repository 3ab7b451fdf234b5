"""slim's train loop vs a hand-written tf.function loop vs Keras fit.

Same model (a slim-style CifarNet-sized net on 32x32x3), same optimizer,
same batches; steps/s of each, interleaved in rounds, printed as ratios
(goal: ``train()`` >= 0.98x both).

    python benchmarks/bench_train.py [--quick]
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
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks import harness  # noqa: E402
from slimkeras import learning, nets  # noqa: E402


def make(batch):
    model = nets.create_model("cifarnet", num_classes=10,
                              input_shape=(32, 32, 3))
    rng = np.random.default_rng(0)
    x = rng.random((batch * 4, 32, 32, 3)).astype("float32")
    y = rng.integers(0, 10, batch * 4)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(
        batch).prefetch(tf.data.AUTOTUNE)
    return model, ds


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    # Each round is one train() run from its logdir (restore, steps, final
    # save), as a user runs it: enough steps that set-up is amortised.
    batch, steps, rounds = (32, 100, 3) if args.quick else (32, 300, 5)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def slim_candidate(check_numerics):
        """A train() run of `steps` more steps per call, as a user runs it."""
        model, ds = make(batch)
        step = learning.create_train_op(
            lambda b: lossf(b[1], model(b[0], training=True)),
            keras.optimizers.SGD(0.01), model=model,
            check_numerics=check_numerics)
        logdir = tempfile.mkdtemp()
        target = {"n": 0}

        def run():
            target["n"] += steps
            learning.train(step, ds, logdir, number_of_steps=target["n"],
                           save_interval_secs=None, save_summaries_secs=1e9,
                           log_every_n_steps=0, verbose=False)

        return run

    slim_train = slim_candidate(True)
    # The same loop without the numerics guard (the check of every
    # gradient and the conditional update that keep a NaN step from
    # changing any weight): what the guard costs.
    slim_train_unchecked = slim_candidate(False)

    m2, ds2 = make(batch)
    opt2 = keras.optimizers.SGD(0.01)
    opt2.build(m2.trainable_variables)
    it2 = iter(ds2)

    @tf.function
    def hand_step(x, y):
        with tf.GradientTape() as tape:
            loss = lossf(y, m2(x, training=True))
        grads = tape.gradient(loss, m2.trainable_variables)
        opt2.apply_gradients(zip(grads, m2.trainable_variables))
        return loss

    def hand_loop():
        for _ in range(steps):
            x, y = next(it2)
            loss = hand_step(x, y)
        float(loss)

    m3, ds3 = make(batch)
    m3.compile(keras.optimizers.SGD(0.01), lossf)

    def fit():
        m3.fit(ds3, steps_per_epoch=steps, epochs=1, verbose=0)

    times = harness.interleave({
        "train()": slim_train,
        "train(check_numerics=False)": slim_train_unchecked,
        "tf.function": hand_loop, "fit": fit}, rounds, 1)
    med = {k: harness.summary(v)["median"] for k, v in times.items()}
    for k, t in med.items():
        lo, hi = min(times[k]), max(times[k])
        print(f"{k:28s} {steps / t:7.1f} steps/s [{steps / hi:.1f}-"
              f"{steps / lo:.1f}]")
    print("train() / tf.function loop: "
          f"x{med['tf.function'] / med['train()']:.3f}")
    print(f"train() / fit:              x{med['fit'] / med['train()']:.3f}")
    print("train(check_numerics=False) / tf.function loop: "
          f"x{med['tf.function'] / med['train(check_numerics=False)']:.3f}")
    rows = [{"candidate": k, "steps_per_s": steps / t} for k, t in med.items()]
    harness.write_results("train_quick" if args.quick else "train", rows,
                          dict(harness.machine(), batch=batch, steps=steps,
                               rounds=rounds), ["candidate", "steps_per_s"])


if __name__ == "__main__":
    del time
    main()
