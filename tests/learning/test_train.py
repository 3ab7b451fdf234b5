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
        f"import sys; sys.argv=['x','single','{first}','{tmp_path / 'l1'}'];"
        f"exec(open('{script}').read().replace('learning.train(', "
        "'np.savez(out + \".init\", **{v.path: v.numpy() for v in "
        "model.weights}); learning.train('))")],
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


# --- slim's learning.train signature (issue 17 item 6) ---------------------

ORACLE = os.path.join(os.path.dirname(__file__), "slim_train_oracle.py")


def _linear_step():
    """The oracle script's least-squares problem, as a slimkeras train op."""
    x = np.arange(12, dtype="float32").reshape(4, 3) / 10
    y = np.array([[1.0], [0.0], [2.0], [1.0]], "float32")
    inp = keras.Input((3,))
    with slim.name_registry():
        out = slim.fully_connected(inp, 1, activation_fn=None,
                                   biases_initializer=None, scope="fc")
    model = keras.Model(inp, out)
    model.weights[0].assign([[0.1], [-0.2], [0.3]])
    step = learning.create_train_op(
        lambda b: keras.ops.mean((model(b[0]) - b[1]) ** 2),
        keras.optimizers.SGD(0.1), model=model)
    ds = tf.data.Dataset.from_tensors((x, y)).repeat()
    return model, step, ds


def test_train_signature_is_slims_in_order():
    tf_slim = pytest.importorskip("tests.oracle").import_tf_slim()
    import inspect
    theirs = list(inspect.signature(tf_slim.learning.train).parameters)
    ours = list(inspect.signature(learning.train).parameters)
    assert ours[:len(theirs)] == theirs


def test_train_matches_tf_slim_train_in_graph_mode(tmp_path):
    """Same 3 SGD steps as tf_slim.learning.train (run in its own TF1
    process): per-step losses, should_stop flags, train_step_kwargs keys,
    final weights and the returned loss, 1e-6. A finished run is where
    slimkeras differs on purpose: slim runs one step past
    number_of_steps; slimkeras raises NoTrainingStepError and changes
    nothing."""
    import json
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    out = subprocess.run([sys.executable, ORACLE, str(tmp_path / "tf1"),
                          "3"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    ref = json.loads(out.stdout.split("ORACLE ", 1)[1])
    # slim's overshoot: a re-run of a finished job runs one more step and
    # saves it. Under load its Supervisor can stop before that step (seen
    # once in CI: no step, checkpoint left at 3), so the oracle is held to
    # what it recorded: at most one extra step, and the checkpoint at it.
    extra = len(ref["rerun_steps"])
    assert extra <= 1, ref["rerun_steps"]
    assert ref["rerun"]["global_step"] == 3 + extra
    assert [s["global_step"] for s in ref["rerun_steps"]] == [4][:extra]

    model, step, ds = _linear_step()
    seen = []

    def step_fn(batch, train_op, global_step, kwargs):
        loss, stop = learning.train_step(batch, train_op, global_step,
                                         kwargs)
        seen.append({"kwargs": sorted(kwargs), "loss": float(loss),
                     "should_stop": bool(stop),
                     "global_step": int(global_step.numpy())})
        return loss, stop

    logdir = str(tmp_path / "eager")
    # slim's order, positionally: train_op, logdir, train_step_fn.
    last = learning.train(step, logdir, step_fn, number_of_steps=3,
                          dataset=ds, verbose=False)
    assert [s["kwargs"] for s in seen] == [s["kwargs"]
                                           for s in ref["first_steps"]]
    for a, b in zip(seen, ref["first_steps"]):
        assert a["global_step"] == b["global_step"]
        assert a["should_stop"] == b["should_stop"]
        np.testing.assert_allclose(a["loss"], b["loss"], rtol=1e-6)
    assert len(seen) == 3
    np.testing.assert_allclose(last, ref["first"]["returned"], rtol=1e-6)
    np.testing.assert_allclose(model.weights[0].numpy(), ref["first"]["w"],
                               rtol=1e-6, atol=1e-7)

    model2, step2, _ = _linear_step()
    with pytest.raises(learning.NoTrainingStepError,
                       match=r"already 3 >= number_of_steps=3"):
        learning.train(step2, logdir, number_of_steps=3, dataset=ds,
                       verbose=False)
    np.testing.assert_allclose(model2.weights[0].numpy(), ref["first"]["w"],
                               rtol=1e-6, atol=1e-7)
    assert tf.train.latest_checkpoint(logdir).endswith("ckpt-3")


def test_train_keyword_form_and_should_stop_kwarg(tmp_path):
    _, step, ds = _linear_step()
    calls = []
    kwargs = {"should_stop": lambda: len(calls) >= 2}

    def step_fn(batch, train_op, global_step, kw):
        calls.append(1)
        return learning.train_step(batch, train_op, global_step, kw)

    last = learning.train(train_op=step, logdir=None, train_step_fn=step_fn,
                          train_step_kwargs=kwargs, log_every_n_steps=0,
                          graph=None, master="", is_chief=True,
                          global_step=step.step, number_of_steps=10,
                          init_op=None, init_feed_dict=None,
                          local_init_op=None, init_fn=lambda sess: None,
                          ready_op=None, summary_op=None,
                          save_summaries_secs=600, summary_writer=None,
                          startup_delay_steps=0, saver=None,
                          save_interval_secs=600, sync_optimizer=None,
                          session_config=None, session_wrapper=None,
                          trace_every_n_steps=None,
                          ignore_live_threads=False, dataset=ds,
                          verbose=False)
    assert len(calls) == 2 and int(step.step.numpy()) == 2
    assert np.isfinite(last)
    assert not os.listdir(tmp_path)  # logdir=None: nothing written


GRAPH_ARGUMENTS = [
    ("graph", tf.Graph(), "no graph"),
    ("master", "grpc://localhost:2222", "tf.distribute"),
    ("is_chief", False, "MultiWorkerMirroredStrategy"),
    ("init_op", "op", "init_fn="),
    ("init_feed_dict", {"x": 1}, "dataset="),
    ("local_init_op", "op", "reset_state"),
    ("ready_op", "op", "ready"),
    ("summary_op", "op", "tf.summary"),
    ("startup_delay_steps", 5, "pass 0"),
    ("saver", "saver", "max_to_keep="),
    ("sync_optimizer", "opt", "MirroredStrategy"),
    ("session_config", "cfg", "tf.config"),
    ("session_wrapper", lambda s: s, "train_step_fn"),
    ("trace_every_n_steps", 10, "tf.profiler"),
]


def test_train_rejects_graph_arguments_by_name(tmp_path):
    _, step, ds = _linear_step()
    for name, value, hint in GRAPH_ARGUMENTS:
        with pytest.raises(ValueError, match=name) as info:
            learning.train(step, str(tmp_path), number_of_steps=2,
                           dataset=ds, verbose=False, **{name: value})
        assert hint in str(info.value), (name, str(info.value))
        assert int(step.step.numpy()) == 0 and not os.listdir(tmp_path)


def test_train_errors_name_the_fix(tmp_path):
    _, step, ds = _linear_step()
    with pytest.raises(TypeError, match="dataset="):
        learning.train(step, str(tmp_path), number_of_steps=2)
    with pytest.raises(ValueError, match="train_op.step"):
        learning.train(step, str(tmp_path), number_of_steps=2, dataset=ds,
                       global_step=tf.Variable(0))
    with pytest.raises(learning.NoTrainingStepError, match="no batch"):
        learning.train(step, None, dataset=[], verbose=False)
    # The pre-0.2 slimkeras order (train_op, dataset, logdir) still works.
    last = learning.train(step, ds, str(tmp_path), number_of_steps=1,
                          verbose=False)
    assert np.isfinite(last) and int(step.step.numpy()) == 1


def test_progress_is_plain_lines_when_stdout_is_not_a_tty(capsys):
    """A log file or pipe gets one plain line per logging interval, no
    ``\\r``/ANSI progress-bar codes (a terminal keeps Keras's bar)."""
    import io

    from slimkeras.learning.progress import TrainProgress

    buf = io.StringIO()
    progress = TrainProgress(30, stream=buf)
    assert progress.bar is None
    for step in (10, 20, 30):
        progress.update(step, 1.0 / step)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "step 10/30: loss 0.1000"
    assert lines[2].startswith("step 30/30: loss 0.0333 (")
    assert "\r" not in buf.getvalue() and "\x1b" not in buf.getvalue()
    quiet = io.StringIO()
    TrainProgress(30, verbose=False, stream=quiet).update(10, 1.0)
    assert quiet.getvalue() == ""
