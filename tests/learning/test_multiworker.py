"""Multi-worker training on MultiWorkerMirroredStrategy (issue 22): real
worker processes on 127.0.0.1 (free ports, one intra/inter-op thread each,
a timeout on every process), the CLI and ``learning.train``.

The default run shares one 2-worker CLI job (module fixture) between the
identical-weights, final-checkpoint, eval-accuracy and chief-only-writes
checks; the 3-worker and kill-and-resume jobs are slow.
"""

import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from slimkeras.datasets import digits
from slimkeras.learning import distributed

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCRIPT = os.path.join(os.path.dirname(__file__), "multiworker_script.py")
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_NUM_INTRAOP_THREADS="1",
           TF_NUM_INTEROP_THREADS="1", PYTHONPATH=REPO)
ENV.pop("TF_CONFIG", None)


def _hosts(n):
    """n free 127.0.0.1 ports, as --worker_hosts."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    hosts = [f"127.0.0.1:{s.getsockname()[1]}" for s in socks]
    for s in socks:
        s.close()
    return ",".join(hosts)


def _start(argvs, env=ENV):
    return [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, cwd=REPO)
            for argv in argvs]


def _finish(procs, timeout):
    """Waits for every process (one shared deadline); kills all and fails
    on a timeout. Returns [(returncode, output)]."""
    deadline = time.time() + timeout
    out = []
    try:
        for p in procs:
            text, _ = p.communicate(timeout=max(1, deadline - time.time()))
            out.append((p.returncode, text))
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        texts = [p.communicate()[0][-2000:] for p in procs]
        pytest.fail(f"workers still running after {timeout} s: {texts}")
    return out


def _train_argv(hosts, task, train_dir, data, steps, *extra):
    return [sys.executable, "-m", "slimkeras", "train", "--dataset_dir",
            data, "--train_dir", train_dir, "--worker_hosts", hosts,
            "--task", str(task), "--max_number_of_steps", str(steps),
            "--batch_size", "16", "--log_every_n_steps", "0",
            # 16x16 inputs: LeNet's fc3 has 1M weights instead of 3.2M,
            # and each step all-reduces them between the processes.
            "--train_image_size", "16", *extra]


# --- cheap: the cluster description ----------------------------------------

def test_tf_config_from_worker_hosts_and_task():
    config = distributed.tf_config_from_flags("10.0.0.1:2222, h2:2223", 1)
    assert config == {"cluster": {"worker": ["10.0.0.1:2222", "h2:2223"]},
                      "task": {"type": "worker", "index": 1}}
    cluster = distributed.parse_tf_config(json.dumps(config))
    assert cluster.num_workers == 2 and not cluster.is_chief
    assert distributed.parse_tf_config(json.dumps(
        distributed.tf_config_from_flags(["a:1", "b:2"], 0))).is_chief
    # A separate chief task is the chief; worker 0 is then not.
    with_chief = {"cluster": {"chief": ["c:1"], "worker": ["w:2"]},
                  "task": {"type": "worker", "index": 0}}
    cluster = distributed.parse_tf_config(json.dumps(with_chief))
    assert cluster.workers == ("c:1", "w:2") and not cluster.is_chief
    for hosts, task, needle in (("", 0, "host:port"),
                                ("a:1,b", 0, "'b' is not host:port"),
                                ("a:1,a:1", 0, "repeats"),
                                ("a:1,b:2", 2, "--task=2")):
        with pytest.raises(ValueError, match=needle):
            distributed.tf_config_from_flags(hosts, task)
    with pytest.raises(ValueError, match="parameter servers"):
        distributed.parse_tf_config(json.dumps(
            {"cluster": {"worker": ["a:1"], "ps": ["p:1"]},
             "task": {"type": "worker", "index": 0}}))
    with pytest.raises(ValueError, match="not a task of the cluster"):
        distributed.parse_tf_config(json.dumps(
            {"cluster": {"worker": ["a:1"]},
             "task": {"type": "worker", "index": 3}}))


def test_set_tf_config_sets_checks_and_conflicts():
    env = {}
    cluster = distributed.set_tf_config("a:1,b:2", 1, env)
    assert json.loads(env["TF_CONFIG"])["task"] == {"type": "worker",
                                                    "index": 1}
    assert cluster.task_index == 1 and cluster.num_workers == 2
    # The same cluster again is fine; a different one is an error.
    assert distributed.set_tf_config("a:1,b:2", 1, env) == cluster
    with pytest.raises(ValueError, match="different clusters"):
        distributed.set_tf_config("a:1,c:3", 1, env)
    with pytest.raises(ValueError, match="needs --worker_hosts"):
        distributed.set_tf_config(None, 1, {})
    assert distributed.set_tf_config(None, 0, {}) is None
    assert distributed.set_tf_config(None, 1, env).task_index == 1


def test_shard_policy_and_single_process_defaults():
    import tensorflow as tf

    one = tf.distribute.get_strategy()
    assert distributed.num_workers(one) == 1
    assert distributed.is_chief(one) and not distributed.is_multi_worker(one)
    assert distributed.worker_dir("some/dir", one) == "some/dir"
    assert distributed.chief_value(one, 7.0) == 7.0
    policy = tf.data.experimental.AutoShardPolicy
    assert distributed.shard_policy(4, 2) == policy.FILE
    assert distributed.shard_policy(2, 2) == policy.FILE
    assert distributed.shard_policy(1, 2) == policy.DATA
    ds = distributed.shard_by(tf.data.Dataset.range(4), 1, 2)
    assert ds.options().experimental_distribute.auto_shard_policy == (
        policy.DATA)


def test_cli_rejects_ps_tasks_and_mismatched_cluster_flags(tmp_path,
                                                           monkeypatch):
    """Before anything is built or written; TF_CONFIG is left as it was."""
    from tests.cli.in_process import run_cli

    monkeypatch.setenv("TF_CONFIG", "")
    td = str(tmp_path / "t")
    rc, _, err = run_cli("train", "--num_ps_tasks=2", f"--train_dir={td}")
    assert rc == 2 and "--num_ps_tasks=2: parameter-server training is " \
        "not supported" in err and "MultiWorkerMirroredStrategy" in err
    rc, _, err = run_cli("train", "--worker_hosts=127.0.0.1:1,127.0.0.1:2",
                         "--worker_replicas=3", f"--train_dir={td}")
    assert rc == 2 and "--worker_replicas=3: the cluster has 2" in err
    rc, _, err = run_cli("train", "--worker_hosts=127.0.0.1:1,127.0.0.1:2",
                         "--replicas_to_aggregate=3", f"--train_dir={td}")
    assert rc == 2 and "use 1 or 2" in err
    rc, _, err = run_cli("train", "--task=1", f"--train_dir={td}")
    assert rc == 2 and "--task=1 needs --worker_hosts" in err
    assert not os.path.exists(td)


# --- one shared 2-worker CLI job -------------------------------------------

STEPS = 40


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    root = tmp_path_factory.mktemp("mw2")
    data, train_dir = str(root / "digits"), str(root / "train")
    digits.ensure(data)  # once, here, rather than in both workers
    # Worker 1 is given a train_dir it must never create (another host
    # would not see the chief's); it learns the weights from the chief.
    view = str(root / "worker1_view")
    hosts = _hosts(2)
    start = time.time()
    procs = _start([_train_argv(hosts, 0, train_dir, data, STEPS),
                    _train_argv(hosts, 1, view, data, STEPS)])
    pids = [p.pid for p in procs]
    results = _finish(procs, timeout=240)
    for rc, text in results:
        assert rc == 0, text[-3000:]
    return {"data": data, "train_dir": train_dir, "view": view,
            "pids": pids, "outs": [t for _, t in results],
            "seconds": time.time() - start}


def _fingerprint(text):
    return re.search(r"weights fingerprint (\w+)", text).group(1)


def test_two_workers_cli_same_weights_final_checkpoint(two_workers):
    import tensorflow as tf

    from slimkeras import nets
    from slimkeras.checkpoints import TrainingCheckpoint

    chief, worker = two_workers["outs"]
    for text in (chief, worker):
        assert "training on 2 workers × 1 replica = 2 replicas in sync" \
            in text and "global batch 32 (--batch_size 16 per replica)" \
            in text
        assert f"step {STEPS}: loss" in text
    assert "(this worker is the chief)" in chief
    assert "(this worker is not the chief)" in worker
    # Identical weights on both workers, and they are the checkpoint's.
    assert _fingerprint(chief) == _fingerprint(worker)
    latest = tf.train.latest_checkpoint(two_workers["train_dir"])
    assert latest.endswith(f"ckpt-{STEPS}")
    model = nets.create_model("lenet", num_classes=10,
                              input_shape=(16, 16, 1), outputs="both")
    TrainingCheckpoint(model, None, two_workers["train_dir"]).restore(latest)
    assert distributed.fingerprint(model.weights) == _fingerprint(chief)


def test_two_workers_checkpoint_evaluates_unchanged(two_workers):
    """`slimkeras eval` of the chief's train_dir (in process)."""
    from tests.cli.in_process import run_cli

    rc, out, err = run_cli("eval", "--dataset_dir", two_workers["data"],
                           "--checkpoint_path", two_workers["train_dir"],
                           "--eval_image_size", "16")
    assert rc == 0, err[-3000:]
    acc = float(out.split("eval/Accuracy:")[1].split()[0])
    assert acc > 0.7, out  # chance 0.1; measured 0.88 after 40 steps
    # The chief's own after-training eval printed the same model's figure.
    assert "eval/accuracy on digits test" in two_workers["outs"][0]
    assert "eval/accuracy" not in two_workers["outs"][1]


def test_only_the_chief_writes_to_train_dir(two_workers):
    chief_pid, worker_pid = two_workers["pids"]
    assert not os.path.exists(two_workers["view"])
    events = glob.glob(os.path.join(two_workers["train_dir"], "**",
                                    "events.out.tfevents.*"), recursive=True)
    assert events
    for e in events:  # event file names carry the writing process's pid
        assert f".{chief_pid}." in os.path.basename(e), e
    # Worker 1 wrote its copies to a temporary directory, gone at exit.
    copy = re.search(r"checkpoints in (\S+) \(this worker's copy",
                     two_workers["outs"][1]).group(1)
    assert copy != two_workers["train_dir"] and not os.path.exists(copy)
    assert str(worker_pid) not in " ".join(events)


# --- slow: 3 workers with learning.train; kill one and resume ---------------

@pytest.mark.slow
def test_three_workers_learning_train_identical_weights(tmp_path):
    hosts = _hosts(3).split(",")
    procs = []
    for task in range(3):
        env = dict(ENV, TF_CONFIG=json.dumps(
            distributed.tf_config_from_flags(hosts, task)))
        procs += _start([[sys.executable, SCRIPT, str(tmp_path / f"log{task}"),
                          "12", str(tmp_path / f"w{task}.npz")]], env=env)
    results = _finish(procs, timeout=300)
    for rc, text in results:
        assert rc == 0, text[-3000:]
        assert "final_step=12" in text
    assert "chief=True" in results[0][1] and "chief=False" in results[1][1]
    # Only the chief's logdir exists; the others wrote to temp dirs.
    assert os.path.exists(tmp_path / "log0" / "ckpt-12.index")
    assert not os.path.exists(tmp_path / "log1")
    assert not os.path.exists(tmp_path / "log2")
    w = [np.load(tmp_path / f"w{t}.npz") for t in range(3)]
    assert sorted(w[0].files) == sorted(w[1].files) == sorted(w[2].files)
    for k in w[0].files:
        np.testing.assert_array_equal(w[0][k], w[1][k], err_msg=k)
        np.testing.assert_array_equal(w[0][k], w[2][k], err_msg=k)


@pytest.mark.slow
def test_clone_on_cpu_gives_logical_cpu_replicas(tmp_path):
    """research/slim's --num_clones 2 --clone_on_cpu on one CPU host."""
    data = str(tmp_path / "digits")
    digits.ensure(data)
    argv = _train_argv("unused:1", 0, str(tmp_path / "t"), data, 5,
                       "--num_clones", "2", "--clone_on_cpu")
    i = argv.index("--worker_hosts")
    del argv[i:i + 2]
    ((rc, out),) = _finish(_start([argv]), timeout=200)
    assert rc == 0, out[-3000:]
    assert "training on 1 worker × 2 replicas = 2 replicas in sync; " \
        "global batch 32 (--batch_size 16 per replica)" in out
    assert "step 5: loss" in out


def _latest_step(train_dir):
    import tensorflow as tf

    latest = tf.train.latest_checkpoint(train_dir)
    return None if latest is None else int(latest.rsplit("-", 1)[1])


@pytest.mark.slow
def test_sigkill_a_worker_then_relaunch_resumes(tmp_path):
    """A killed worker stops the job within a bound; relaunching both
    resumes from the chief's last checkpoint, losing at most one
    --save_interval_secs of work."""
    data, train_dir = str(tmp_path / "digits"), str(tmp_path / "train")
    digits.ensure(data)
    interval = 2.0
    save = ("--save_interval_secs", str(interval))
    hosts = _hosts(2)
    procs = _start([_train_argv(hosts, t, train_dir if t == 0 else
                                str(tmp_path / "view"), data, 100000, *save)
                    for t in range(2)])
    deadline = time.time() + 240
    while (_latest_step(train_dir) or 0) < 20:
        assert time.time() < deadline and procs[0].poll() is None, \
            procs[0].communicate()[0] if procs[0].poll() is not None else ""
        time.sleep(0.5)
    time.sleep(interval + 1)  # mid-interval: some work is after the save
    os.kill(procs[1].pid, signal.SIGKILL)
    killed_at = time.time()
    (rc0, out0), (rc1, _) = _finish(procs, timeout=90)
    stopped_after = time.time() - killed_at
    assert rc1 == -signal.SIGKILL
    assert rc0 == 2 and "a worker of the cluster stopped" in out0, out0[-3000:]
    assert "Traceback" not in out0
    assert stopped_after < 60, stopped_after
    resume = _latest_step(train_dir)
    index = os.path.join(train_dir, f"ckpt-{resume}.index")
    lost_secs = killed_at - os.path.getmtime(index)
    # At most one interval (plus a step's time and the file's write).
    assert lost_secs <= interval + 1.5, lost_secs
    hosts = _hosts(2)
    final = resume + 20
    results = _finish(_start([_train_argv(
        hosts, t, train_dir if t == 0 else str(tmp_path / "view"), data,
        final, *save) for t in range(2)]), timeout=240)
    for rc, text in results:
        assert rc == 0, text[-3000:]
        assert f"step {final}: loss" in text
    assert f"resuming from {train_dir}/ckpt-{resume}" in results[0][1]
    assert _fingerprint(results[0][1]) == _fingerprint(results[1][1])
    assert _latest_step(train_dir) == final
    print(f"stopped {stopped_after:.1f} s after the kill; last checkpoint "
          f"{lost_secs:.2f} s before it (interval {interval} s)")


def test_two_workers_checkpoint_exports_unchanged(two_workers, tmp_path):
    """`slimkeras export` of the chief's train_dir (in process): the .keras
    file predicts what the restored checkpoint predicts."""
    import keras

    from slimkeras import nets
    from slimkeras.checkpoints import restore
    from tests.cli.in_process import run_cli

    kpath = str(tmp_path / "mw.keras")
    rc, _, err = run_cli("export", "--num_classes", "10", "--image_size",
                         "16", "--checkpoint_path", two_workers["train_dir"],
                         "--keras_path", kpath)
    assert rc == 0, err[-3000:]
    ref = nets.create_model("lenet", num_classes=10, input_shape=(16, 16, 1))
    report = restore(ref, two_workers["train_dir"])
    assert not report.missing
    x = np.random.default_rng(0).random((4, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(keras.models.load_model(kpath)(x), ref(x),
                               rtol=1e-5, atol=1e-5)
