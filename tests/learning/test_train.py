"""slim-style training: create_train_op, train(), freezing, resume."""

import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import learning

SCRIPT = os.path.join(os.path.dirname(__file__), "train_script.py")


def _net(x, is_training=None):
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"scale": True, "decay": 0.5}):
        x = slim.conv2d(x, 4, [3, 3], scope="backbone/conv1")
        x = slim.conv2d(x, 4, [3, 3], scope="backbone/conv2")
    x = slim.flatten(x)
    return slim.fully_connected(x, 3, activation_fn=None, scope="logits")


def _data(n=16):
    rng = np.random.default_rng(0)
    x = rng.random((n, 6, 6, 1)).astype("float32")
    y = rng.integers(0, 3, n)
    return x, y


def _model():
    model = slim.Model(_net)
    model(_data()[0][:1])
    return model


def test_gradient_multipliers_and_clipping_match_manual_sgd():
    x, y = _data(4)
    model = _model()
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    variables = model.trainable_weights
    with tf.GradientTape() as tape:
        loss = lossf(y, model(x, training=True))
    grads = tape.gradient(loss, variables)
    before = [v.numpy().copy() for v in variables]
    mult = {v.path: (3.0 if v.path.startswith("logits") else 1.0)
            for v in variables}
    scaled = [g.numpy() * mult[v.path] for g, v in zip(grads, variables)]
    norm = np.sqrt(sum(float(np.sum(g ** 2)) for g in scaled))
    clip = norm / 2
    expected = [b - 0.5 * g * clip / norm for b, g in zip(before, scaled)]
    # Reset BN moving stats changed by the manual forward pass do not matter:
    step = learning.create_train_op(
        lambda b: lossf(b[1], model(b[0], training=True)),
        keras.optimizers.SGD(0.5), model=model, clip_gradient_norm=clip,
        gradient_multipliers={"logits": 3.0})
    step((x, y))
    for v, e in zip(variables, expected):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-4, atol=1e-5)


def test_set_trainable_scopes_freezes_weights_and_bn_stats_in_fit():
    x, y = _data()
    model = _model()
    kept = learning.set_trainable_scopes(model, "logits")
    assert kept == ["logits/weights", "logits/biases"]
    frozen = {v.path: v.numpy().copy() for v in model.weights
              if v.path.startswith("backbone")}
    model.compile(keras.optimizers.SGD(0.1),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    for v in model.weights:
        if v.path in frozen:
            np.testing.assert_array_equal(v.numpy(), frozen[v.path])


def test_unmatched_trainable_scope_warns():
    model = _model()
    with pytest.warns(UserWarning, match="logitz"):
        learning.set_trainable_scopes(model, "logitz")


def test_train_loop_saves_resumes_and_reduces_loss(tmp_path):
    x, y = _data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(8)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def run(steps):
        model = _model()
        step = learning.create_train_op(
            lambda b: lossf(b[1], model(b[0], training=True)),
            keras.optimizers.SGD(0.1), model=model)
        first = float(lossf(y, model(x, training=False)))
        last = learning.train(step, ds, str(tmp_path), number_of_steps=steps,
                              save_interval_steps=3, verbose=False)
        return model, step, first, last

    _, step, first, _ = run(6)
    assert int(step.step.numpy()) == 6
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-6")
    model, step, resumed_first, _ = run(12)
    assert int(step.step.numpy()) == 12
    # The second run started from the checkpoint, not from scratch.
    final = float(lossf(y, model(x, training=False)))
    assert final < first
    assert os.path.isdir(tmp_path / "train")


def test_nan_loss_stops_with_step_and_keeps_weights(tmp_path):
    x, y = _data()
    model = _model()
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = keras.optimizers.SGD(0.1)

    def total(b):
        loss = lossf(b[1], model(b[0], training=True))
        # From the 4th step on the loss is NaN.
        return tf.cond(opt.iterations >= 3,
                       lambda: loss * np.float32("nan"), lambda: loss)

    step = learning.create_train_op(total, opt, model=model)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(8)
    with pytest.raises(learning.NonFiniteLossError, match="step 4") as info:
        learning.train(step, ds, str(tmp_path), number_of_steps=10,
                       save_interval_steps=2, verbose=False)
    assert "ckpt-2" in str(info.value)
    weights = [v.numpy() for v in model.weights]
    assert all(np.all(np.isfinite(w)) for w in weights)
    assert int(opt.iterations.numpy()) == 3


def test_sigkill_then_resume_reaches_same_final_step(tmp_path):
    logdir = str(tmp_path / "run")
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.Popen([sys.executable, SCRIPT, logdir, "400", "slow"],
                            env=env, stdout=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline:
        latest = tf.train.latest_checkpoint(logdir) if os.path.isdir(
            logdir) else None
        if latest and int(latest.rsplit("-", 1)[1]) >= 4:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = int(tf.train.latest_checkpoint(logdir).rsplit("-", 1)[1])
    assert 4 <= killed_at < 400
    out = subprocess.run([sys.executable, SCRIPT, logdir, str(killed_at + 6),
                          "fast"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"final_step={killed_at + 6}" in out.stdout


def test_mirrored_strategy_matches_single_device(tmp_path):
    """research/slim's num_clones → MirroredStrategy over 2 logical CPUs:
    same weights after N steps as 1 device with the same global batch."""
    script = os.path.join(os.path.dirname(__file__), "mirrored_script.py")
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    first = str(tmp_path / "one")
    # Shared initial weights: the single-device run writes them first.
    out = subprocess.run([sys.executable, "-c", (
        "import sys; sys.argv=['x','single','%s','%s'];"
        "exec(open('%s').read().replace('learning.train(', "
        "'np.savez(out + \".init\", **{v.path: v.numpy() for v in "
        "model.weights}); learning.train('))") % (first, tmp_path / "l1",
                                                   script)],
        env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    second = str(tmp_path / "two")
    os.link(first + ".init.npz", second + ".init.npz")
    out = subprocess.run([sys.executable, script, "mirrored", second,
                          str(tmp_path / "l2")], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    a, b = np.load(first + ".npz"), np.load(second + ".npz")
    assert sorted(a.files) == sorted(b.files)
    init = np.load(first + ".init.npz")
    for k in a.files:
        assert not np.array_equal(a[k], init[k]) or "moving" in k
        np.testing.assert_allclose(a[k], b[k], rtol=1e-4, atol=1e-5,
                                   err_msg=k)
