"""The command line as a subprocess, on the embedded digits dataset:
train → checkpoints → TensorBoard summaries at the logging interval → eval
(accuracy well above chance) → resume continues the step count → export
loads back with the same predictions."""

import os
import subprocess
import sys

import numpy as np
import pytest


def _run(*args, timeout=400):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "slimkeras", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env=env)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    data, train_dir = str(root / "digits"), str(root / "train")
    out = _run("train", "--dataset_dir", data, "--train_dir", train_dir,
               "--max_number_of_steps", "150", "--save_interval_steps", "50",
               "--log_every_n_steps=50", "--summarize_histograms")
    assert out.returncode == 0, out.stderr[-3000:]
    return root, data, train_dir, out.stdout


def test_train_writes_checkpoints(trained):
    _, _, train_dir, stdout = trained
    assert "step 150" in stdout
    files = os.listdir(train_dir)
    assert "checkpoint" in files and "ckpt-150.index" in files


def test_log_is_plain_lines_when_stdout_is_not_a_tty(trained):
    """stdout is a pipe here: one plain line per logging interval, no
    ``\\r`` or ANSI codes (Keras's Progbar on a terminal only)."""
    _, _, _, stdout = trained
    assert "\r" not in stdout and "\x1b" not in stdout
    lines = [ln for ln in stdout.splitlines() if ln.startswith("step ")]
    assert [ln.split(":")[0] for ln in lines] == [
        "step 50/150", "step 100/150", "step 150/150", "step 150"]
    assert lines[1].endswith(" s/step)")


def test_summaries_at_the_logging_interval(trained):
    """research/slim's train_image_classifier.py summaries (plus the
    batch accuracy and TF1 Supervisor's global_step/sec), read back with
    tensorboard's EventAccumulator: each tag once at each of the
    --log_every_n_steps steps 50/100/150, values consistent with the run."""
    import tensorflow as tf
    from tensorboard.backend.event_processing import event_accumulator as ea

    _, _, train_dir, stdout = trained
    acc = ea.EventAccumulator(train_dir, size_guidance={ea.TENSORS: 0})
    acc.Reload()
    tags = set(acc.Tags()["tensors"])
    scalars = {"total_loss", "learning_rate", "accuracy", "global_step/sec",
               "losses/softmax_cross_entropy_loss/value",
               "Losses/clone_loss", "Losses/regularization_loss"}
    weights = {f"LeNet/{layer}/{kind}" for layer in ("conv1", "conv2", "fc3",
                                                     "fc4")
               for kind in ("weights", "biases")}
    ends = ("conv1", "pool1", "conv2", "pool2", "Flatten", "fc3", "Logits")
    activations = {f"{kind}/{e}" for e in ends
                   for kind in ("activations", "sparsity")}
    assert scalars | weights | activations <= tags, sorted(tags)
    assert not [t for t in tags if t.startswith("train")]  # one event dir

    def values(tag):
        events = acc.Tensors(tag)
        assert [e.step for e in events] == [50, 100, 150], tag  # no dupes
        return [tf.make_ndarray(e.tensor_proto) for e in events]

    v = {tag: np.array(values(tag), dtype="float64")
         for tag in scalars | {f"sparsity/{e}" for e in ends}}
    for tag in tags - scalars:
        values(tag)
    final = float(stdout.split("step 150: loss ")[1].split(";")[0])
    np.testing.assert_allclose(v["total_loss"][-1], final, atol=5e-5)
    # research/slim's arithmetic: total = clone (the cross entropy) +
    # regularization.
    np.testing.assert_allclose(
        v["total_loss"], v["Losses/clone_loss"]
        + v["Losses/regularization_loss"], rtol=1e-5)
    np.testing.assert_allclose(v["Losses/clone_loss"],
                               v["losses/softmax_cross_entropy_loss/value"])
    # Exponential decay, staircase: 0.01 * 0.94 ** floor(s / decay_steps)
    # at the step s = step - 1 that produced the logged step; digits has
    # 1437 training images: decay_steps = int(1437 * 2 / 32) = 89.
    np.testing.assert_allclose(v["learning_rate"], [0.01, 0.0094, 0.0094],
                               rtol=1e-6)
    batch = v["accuracy"] * 32  # a fraction of the 32-image batch
    np.testing.assert_allclose(batch, np.round(batch), atol=1e-4)
    assert v["accuracy"][-1] > 0.5 and (v["global_step/sec"] > 0).all()
    assert (v["sparsity/conv1"] > 0).all()  # after a ReLU
    assert (v["sparsity/Logits"] == 0).all()
    # A variable's histogram covers the checkpointed value at step 150.
    hist = tf.make_ndarray(acc.Tensors("LeNet/conv1/weights")[-1]
                           .tensor_proto)  # rows: [left, right, count]
    from slimkeras.checkpoints.reader import open_checkpoint

    (value,) = open_checkpoint(train_dir).read_many(["LeNet/conv1/weights"])
    value = np.asarray(value)
    assert hist[:, 2].sum() == value.size == 5 * 5 * 1 * 32
    np.testing.assert_allclose([hist[0, 0], hist[-1, 1]],
                               [value.min(), value.max()], rtol=1e-5)


def test_eval_reports_accuracy_above_chance(trained):
    _, data, train_dir, _ = trained
    out = _run("eval", "--dataset_dir", data, "--checkpoint_path", train_dir)
    assert out.returncode == 0, out.stderr[-3000:]
    acc = float(out.stdout.split("eval/Accuracy:")[1].split()[0])
    assert acc > 0.8  # chance 0.1; measured ~0.97 after 150 steps here
    assert "eval/Recall_5:" in out.stdout


def test_resume_continues_step_count(trained):
    _, data, train_dir, _ = trained
    out = _run("train", "--dataset_dir", data, "--train_dir", train_dir,
               "--max_number_of_steps", "170")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "step 170" in out.stdout
    assert "ckpt-170.index" in os.listdir(train_dir)


def test_export_round_trip_same_predictions(trained):
    import keras

    from slimkeras import nets
    from slimkeras.checkpoints import restore

    root, _, train_dir, _ = trained
    kpath, tf1 = str(root / "m.keras"), str(root / "tf1" / "model.ckpt")
    out = _run("export", "--num_classes", "10", "--checkpoint_path",
               train_dir, "--keras_path", kpath, "--tf1_checkpoint", tf1)
    assert out.returncode == 0, out.stderr[-3000:]
    loaded = keras.models.load_model(kpath)
    ref = nets.create_model("lenet", num_classes=10)
    restore(ref, train_dir)
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(loaded(x), ref(x), rtol=1e-5, atol=1e-5)
    again = nets.create_model("lenet", num_classes=10)
    report = restore(again, tf1)
    assert not report.missing
    np.testing.assert_allclose(again(x), ref(x), rtol=1e-5, atol=1e-5)


def test_export_folds_batch_norm(tmp_path):
    """--fold_batch_norms: the .keras export has no batch norm left and
    predicts what the checkpointed net predicts at inference; so does the
    --frozen_graph GraphDef."""
    import keras
    import tensorflow as tf

    from slimkeras import nets
    from slimkeras.checkpoints import TrainingCheckpoint

    model = nets.create_model("mobilenet_v1_025", num_classes=10,
                              input_shape=(64, 64, 3))
    rng = np.random.default_rng(0)
    for v in model.weights:
        if v.path.endswith("moving_variance"):
            v.assign(rng.uniform(0.5, 1.5, v.shape))
        elif v.path.endswith(("moving_mean", "beta")):
            v.assign(rng.normal(0.0, 0.3, v.shape))
    TrainingCheckpoint(model, None, str(tmp_path / "train")).save(7)
    kpath = str(tmp_path / "folded.keras")
    pb = str(tmp_path / "frozen.pb")
    out = _run("export", "--model_name", "mobilenet_v1_025",
               "--num_classes", "10", "--image_size", "64",
               "--checkpoint_path", str(tmp_path / "train"),
               "--keras_path", kpath, "--fold_batch_norms",
               "--frozen_graph", pb)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "folded batch norm into 27 layers" in out.stdout
    loaded = keras.models.load_model(kpath)
    assert not [v.path for v in loaded.weights if "BatchNorm" in v.path]
    x = rng.random((2, 64, 64, 3)).astype("float32")
    want = model(x, training=False)
    np.testing.assert_allclose(loaded(x), want, rtol=1e-4, atol=1e-4)
    # The frozen GraphDef runs in a TF1 Session, fed and fetched by the
    # names the command printed: research/slim's (softmax output).
    line = [ln for ln in out.stdout.splitlines() if "frozen.pb" in ln][0]
    feed = line.split("(input ")[1].split(",")[0] + ":0"
    fetch = line.split("output ")[1].rstrip(")") + ":0"
    assert (feed, fetch) == ("input:0", "MobilenetV1/Predictions/Reshape_1:0")
    want = tf.nn.softmax(want).numpy()
    graph_def = tf.compat.v1.GraphDef()
    with open(pb, "rb") as f:
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default() as g:
        tf.compat.v1.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=g) as sess:
            got = sess.run(fetch, {feed: x})
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("args,needle", [
    (["train", "--model_name", "lenett"], "Unknown net name 'lenett'"),
    (["train", "--dataset_name", "digitz"], "Unknown dataset name 'digitz'"),
    (["train", "--train_dir", "/proc/nope/x"], "--train_dir"),
    (["eval", "--checkpoint_path", "/nonexistent/ckpt"], "not found"),
    (["train", "--optimizer", "lamb", "--max_number_of_steps", "1"],
     "Unknown optimizer 'lamb'"),
])
def test_bad_input_is_one_clear_line(args, needle, tmp_path):
    if args[0] == "train" and "--train_dir" not in args:
        args = args + ["--train_dir", str(tmp_path / "t"),
                       "--dataset_dir", str(tmp_path / "d")]
    out = _run(*args, timeout=200)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr


def test_checkpoint_that_does_not_fit_fails_before_training(trained, tmp_path):
    root, data, _, _ = trained
    tf1 = str(root / "tf1" / "model.ckpt")
    if not os.path.exists(tf1 + ".index"):
        pytest.skip("export test did not run first")
    out = _run("train", "--model_name", "cifarnet", "--dataset_dir", data,
               "--train_dir", str(tmp_path / "t"), "--checkpoint_path", tf1,
               "--max_number_of_steps", "1")
    assert out.returncode == 2
    assert "--checkpoint_path" in out.stderr and "Traceback" not in out.stderr
    assert not os.path.exists(tmp_path / "t" / "checkpoint")
