"""Crash safety: killed runs resume intact; interrupted writes never leave a
checkpoint that loads but is wrong.

* A ``learning.train`` run (subprocess, one fixed batch, so the resumed run
  is step-for-step the uninterrupted one) is SIGKILLed at several random
  steps in a chain (kill, resume, kill, resume …, finish). After every
  kill the latest checkpoint restores in this process, loses at most one
  save interval, and holds exactly the reference weights of its step; the
  finished run equals an uninterrupted one.
  (tests/learning/test_train.py has the single kill/resume step-count
  test; this one adds random points and checks the restored values.)
* ``save_tf1_checkpoint`` and ``TrainingCheckpoint.save`` writing big
  tensors are SIGKILLed at random moments, and files are truncated or
  bit-flipped at random offsets: every outcome either restores values
  that are all from ONE complete write, or fails with a clear error
  (CheckpointReadError / CheckpointNotFoundError / ValueError).
"""

import glob
import os
import random
import signal
import subprocess
import sys
import time
import zlib

import keras
import numpy as np
import pytest

from slimkeras import checkpoints
from tests.reliability import crash_script

SCRIPT = os.path.join(os.path.dirname(__file__), "crash_script.py")
ENV = dict(os.environ, PYTHONPATH=os.getcwd(), TF_CPP_MIN_LOG_LEVEL="3")
STEPS, INTERVAL = 24, 2
CLEAR = (checkpoints.CheckpointReadError, checkpoints.CheckpointNotFoundError,
         ValueError)


def _spawn(*args):
    return subprocess.Popen([sys.executable, SCRIPT, *args], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)


def _kill_when(proc, key, target, extra_delay, timeout=90):
    """Reads ``key=N`` lines until N >= target, sleeps, SIGKILLs; returns
    the last N printed (what the process had finished)."""
    last = 0
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith(key + "="):
            last = int(line.strip().split("=")[1])
            if last >= target:
                break
    time.sleep(extra_delay)
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate()
    for line in rest.splitlines():  # printed before the kill landed
        if line.startswith(key + "="):
            last = int(line.split("=")[1])
    return last


@pytest.fixture(scope="module")
def reference():
    """Weights after each step of an uninterrupted run (in process)."""
    model, step = crash_script.build()
    b = crash_script.batch()
    out = {0: [np.array(v) for v in model.weights]}
    for i in range(1, STEPS + 1):
        step(b)
        out[i] = [np.array(v) for v in model.weights]
    return out


def _restore_latest(logdir):
    model, step = crash_script.build()
    ckpt = checkpoints.TrainingCheckpoint(model, step.optimizer, logdir)
    path = ckpt.restore_latest()
    return path, ckpt.step, [np.array(v) for v in model.weights]


def test_sigkill_at_random_steps_resumes_intact(tmp_path, reference):
    rng = random.Random(1234)
    logdir = str(tmp_path / "run")
    done = 0
    for trial in range(3):
        target = rng.randint(done + 2, done + 6)
        delay = rng.uniform(0.0, 0.03)  # may land inside a save
        proc = _spawn("train", logdir, str(STEPS))
        finished = _kill_when(proc, "step", target, delay)
        path, step, weights = _restore_latest(logdir)
        info = f"trial {trial}: target {target}, finished {finished}, " \
               f"latest {path}"
        assert path is not None and path.endswith(f"ckpt-{step}"), info
        assert step >= finished - INTERVAL, info  # at most one interval lost
        for w, r in zip(weights, reference[step]):
            np.testing.assert_allclose(w, r, rtol=1e-5, atol=1e-6,
                                       err_msg=info)
        done = step
    out = subprocess.run([sys.executable, SCRIPT, "train", logdir,
                          str(STEPS)], env=ENV, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"final_step={STEPS}" in out.stdout
    _, step, weights = _restore_latest(logdir)
    assert step == STEPS
    for w, r in zip(weights, reference[STEPS]):
        np.testing.assert_allclose(w, r, rtol=1e-5, atol=1e-6)


def _tf1_values(prefix):
    """The restored values: all from one write (k), or a clear error."""
    index = checkpoints.reader.open_checkpoint(prefix)
    values = index.read_many(sorted(index.names()))
    ks = {float(np.unique(np.asarray(v))[0]) for v in values}
    assert all(np.unique(np.asarray(v)).size == 1 for v in values)
    assert len(ks) == 1 and len(values) == 4, ks
    return ks.pop()


def _interrupted_writes(mode, tmp_path, check, trials=2, most=8):
    """``trials`` kills at random moments, more (up to ``most``) while none
    has left a loadable checkpoint: a kill inside the rename window is a
    correct outcome (a clear error) but proves nothing about the values,
    and on a loaded machine several in a row can land there."""
    rng = random.Random(99)
    loaded, errors = 0, []
    for trial in range(most):
        if trial >= trials and loaded:
            break
        where = str(tmp_path / f"{mode}{trial}" / ("m.ckpt" if mode == "tf1"
                                                   else ""))
        proc = _spawn(mode, where)
        saved = _kill_when(proc, "saved", 1 + trial % 2,
                           rng.uniform(0, 0.4))
        directory = os.path.dirname(where) if mode == "tf1" else where
        try:
            k = check(directory)
        except CLEAR as e:
            assert str(e), "an error must say what is wrong"
            errors.append(f"trial {trial}: {type(e).__name__}: {e}"[:300])
            continue
        # Either the last completed write or the one in flight, complete.
        assert k in (saved, saved + 1), (trial, k, saved)
        loaded += 1
    assert loaded, ("no trial left a loadable checkpoint: test is "
                    "vacuous\n" + "\n".join(errors))


def test_interrupted_tf1_writes_never_load_wrong(tmp_path):
    _interrupted_writes("tf1", tmp_path, _tf1_values)


def _state_values(directory):
    model = crash_script.big_model()
    opt = keras.optimizers.SGD(0.1, momentum=0.9)
    ckpt = checkpoints.TrainingCheckpoint(model, opt, directory)
    if ckpt.restore_latest() is None:
        raise checkpoints.CheckpointNotFoundError("no checkpoint yet")
    ks = {float(np.unique(np.array(v))[0])
          for v in model.weights + opt.variables}
    assert len(ks) == 1, ks
    k = ks.pop()
    assert ckpt.step == k and ckpt.latest.endswith(f"ckpt-{int(k)}")
    return k


def test_interrupted_training_checkpoint_saves_never_load_wrong(tmp_path):
    _interrupted_writes("state", tmp_path, _state_values)


def _damage(prefix, which, rng, how):
    f = glob.glob(prefix + which)[0]
    size = os.path.getsize(f)
    if how == "truncate":
        with open(f, "r+b") as fh:
            fh.truncate(rng.randrange(0, size))
    else:
        raw = bytearray(open(f, "rb").read())
        raw[rng.randrange(size)] ^= 1 << rng.randrange(8)
        open(f, "wb").write(bytes(raw))


@pytest.mark.parametrize("which", [".index", ".data-*"])
@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_damaged_tf1_files_load_right_or_fail_clearly(tmp_path, which, how):
    rng = random.Random(zlib.crc32(f"{which}{how}".encode()))
    good = {f"v{i}": np.full((64, 8), i + 1, "float32") for i in range(4)}
    for trial in range(8):
        prefix = checkpoints.save_tf1_checkpoint(
            good, tmp_path / f"t{trial}" / "m.ckpt")
        _damage(prefix, which, rng, how)
        try:
            index = checkpoints.reader.open_checkpoint(prefix)
            values = index.read_many(sorted(good))
        except CLEAR:
            continue
        for name, v in zip(sorted(good), values):
            np.testing.assert_array_equal(np.asarray(v), good[name])


@pytest.mark.parametrize("which", [".index", ".data-*"])
@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_damaged_training_checkpoints_load_right_or_fail_clearly(
        tmp_path, which, how):
    rng = random.Random(zlib.crc32(f"{which}{how}1".encode()))
    model, step = crash_script.build()
    step(crash_script.batch())
    saved = [np.array(v) for v in model.weights]
    for trial in range(6):
        d = tmp_path / f"t{trial}"
        path = checkpoints.TrainingCheckpoint(model, step.optimizer,
                                              d).save()
        _damage(path, which, rng, how)
        fresh, fstep = crash_script.build()
        before = [np.array(v) for v in fresh.weights]
        ckpt = checkpoints.TrainingCheckpoint(fresh, fstep.optimizer, d)
        try:
            ckpt.restore(path)
        except CLEAR:
            # Atomic: a failed restore changed nothing.
            for v, b in zip(fresh.weights, before):
                assert np.array_equal(np.array(v), b)
            continue
        for v, s in zip(fresh.weights, saved):
            np.testing.assert_array_equal(np.array(v), s)
