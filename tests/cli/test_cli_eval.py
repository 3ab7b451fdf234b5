"""``slimkeras eval`` as research/slim's eval_image_classifier.py: any
checkpoint form (train_dir, TF1 file), strict restore, research/slim's
``eval/Accuracy``/``eval/Recall_5`` printed and written (read back with
tensorboard's event_accumulator), its flags accepted or rejected by name.

In process (``slimkeras.cli.main.main``) to save interpreter start-ups.
"""

import os

import numpy as np
import pytest

from slimkeras.cli.main import main


def _eval(capsys, *args):
    rc = main(["eval", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _value(stdout, tag):
    return float(stdout.split(f"{tag}:")[1].split()[0])


def _reference(data, td, batches):
    """Accuracy / recall@5 of the train_dir's weights, computed apart from
    the eval path: weights through TrainingCheckpoint's own keys, the
    first ``batches`` batches of 100 of research/slim's lenet eval input."""
    import tensorflow as tf

    from slimkeras import nets
    from slimkeras.checkpoints import TrainingCheckpoint
    from slimkeras.data import make_batches
    from slimkeras.datasets import get_dataset
    from slimkeras.preprocessing import preprocessing_factory

    model = nets.create_model("lenet", num_classes=10,
                              input_shape=(28, 28, 1), outputs="both")
    TrainingCheckpoint(model, None, td).restore(tf.train.latest_checkpoint(td))
    ds = make_batches(get_dataset("digits", "test", data), 100,
                      preprocessing_factory.get_preprocessing("lenet", False),
                      28, is_training=False, labels_offset=0, channels=1,
                      num_epochs=1, seed=None)
    hits = top5 = n = 0
    for x, y in ds.take(batches):
        logits = np.reshape(np.asarray(model(x, training=False)[0]), (-1, 10))
        y = np.asarray(y).reshape(-1)
        hits += int(np.sum(np.argmax(logits, -1) == y))
        top5 += int(np.sum(np.asarray(tf.math.in_top_k(y, logits, 5))))
        n += len(y)
    return hits / n, top5 / n


@pytest.fixture(scope="module")
def train_dir(tmp_path_factory):
    """A train_dir as ``slimkeras train`` writes it (TrainingCheckpoint:
    weights + optimizer state, ``ckpt-6``), made directly to keep the
    default suite fast; the digits TFRecords in the shared default cache."""
    import keras

    from slimkeras import nets
    from slimkeras.checkpoints import TrainingCheckpoint
    from slimkeras.datasets import digits

    root = tmp_path_factory.mktemp("cli_eval")
    data, td = digits.ensure(None), str(root / "train")
    model = nets.create_model("lenet", num_classes=10,
                              input_shape=(28, 28, 1), outputs="both")
    rng = np.random.default_rng(0)
    for v in model.weights:  # distinct from any fresh initialisation
        v.assign(rng.normal(0, 0.05, v.shape).astype("float32"))
    opt = keras.optimizers.Adam(1e-3)
    TrainingCheckpoint(model, opt, td).save(step=6)
    return root, data, td


def test_train_dir_checkpoint_and_tags_in_event_files(train_dir, capsys):
    import tensorflow as tf
    from tensorboard.backend.event_processing import event_accumulator

    root, data, td = train_dir
    eval_dir = str(root / "eval")
    rc, out, err = _eval(capsys, "--dataset_dir", data, "--checkpoint_path",
                         td, "--eval_dir", eval_dir, "--max_num_batches", "2")
    assert rc == 0, err
    acc, rec = _value(out, "eval/Accuracy"), _value(out, "eval/Recall_5")
    assert "[training]: 8 restored" in out  # by slim name, every variable
    want_acc, want_rec = _reference(data, td, batches=2)
    assert abs(acc - want_acc) < 5e-5 and abs(rec - want_rec) < 5e-5
    ea = event_accumulator.EventAccumulator(
        eval_dir, size_guidance={event_accumulator.TENSORS: 0})
    ea.Reload()
    tags = ea.Tags()["tensors"]
    assert sorted(tags) == ["eval/Accuracy", "eval/Recall_5"]
    (event,) = ea.Tensors("eval/Accuracy")
    np.testing.assert_allclose(tf.make_ndarray(event.tensor_proto), acc,
                               atol=5e-5)  # printed with 4 decimals
    assert event.step == 6


@pytest.mark.slow
def test_tf1_export_of_the_train_dir_evaluates_the_same(train_dir, capsys):
    from slimkeras import checkpoints, nets

    root, data, td = train_dir
    model = nets.create_model("lenet", num_classes=10,
                              input_shape=(28, 28, 1), outputs="both")
    checkpoints.restore(model, td)
    tf1 = checkpoints.save_tf1_checkpoint(model, root / "tf1" / "model.ckpt")
    args = ["--dataset_dir", data, "--max_num_batches", "2"]
    rc, a, err = _eval(capsys, *args, "--checkpoint_path", td)
    assert rc == 0, err
    rc, b, err = _eval(capsys, *args, "--checkpoint_path", tf1 + ".index")
    assert rc == 0, err
    assert "[tf1-v2]: 8 restored" in b
    assert _value(a, "eval/Accuracy") == _value(b, "eval/Accuracy")
    assert _value(a, "eval/Recall_5") == _value(b, "eval/Recall_5")


def test_research_slim_flags(train_dir, capsys):
    import importlib

    main_mod = importlib.import_module("slimkeras.cli.main")

    _, data, td = train_dir
    args = main_mod._parser().parse_args(["eval", "--checkpoint_path", td])
    assert args.batch_size == 100  # research/slim's eval default
    assert args.num_preprocessing_threads == 4 and args.master == ""
    rc, out, err = _eval(capsys, "--dataset_dir", data, "--checkpoint_path",
                         td, "--max_num_batches", "1", "--master", "",
                         "--num_preprocessing_threads", "2")
    assert rc == 0 and "eval/Accuracy:" in out, err
    rc, out, err = _eval(capsys, "--checkpoint_path", td, "--master",
                         "grpc://x:1")
    assert rc == 2 and "--master='grpc://x:1' is not supported" in err
    rc, _, err = _eval(capsys, "--dataset_dir", data, "--checkpoint_path",
                       td, "--quantize")
    assert rc == 2 and "--quantize is not supported" in err
    assert "tf.contrib.quantize" in err


def test_moving_average_decay_needs_the_averages(train_dir, capsys):
    _, data, td = train_dir
    rc, _, err = _eval(capsys, "--dataset_dir", data, "--checkpoint_path",
                       td, "--moving_average_decay", "0.9999",
                       "--max_num_batches", "1")
    assert rc == 2
    assert "ExponentialMovingAverage" in err and "Traceback" not in err


def test_checkpoint_of_another_net_is_refused(train_dir, capsys, tmp_path):
    from slimkeras import checkpoints
    from tests.checkpoints.helpers import keras_model

    _, data, _ = train_dir
    other = checkpoints.save_tf1_checkpoint(keras_model(),
                                            tmp_path / "net.ckpt")
    rc, out, err = _eval(capsys, "--dataset_dir", data, "--checkpoint_path",
                         other, "--max_num_batches", "1")
    assert rc == 2 and "eval/Accuracy" not in out
    assert "under ['net'], the model's under ['LeNet']" in err
    rc, _, err = _eval(capsys, "--checkpoint_path",
                       os.path.join(str(tmp_path), "nope.ckpt"))
    assert rc == 2 and "not found" in err
