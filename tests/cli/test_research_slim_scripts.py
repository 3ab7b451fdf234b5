"""research/slim's command lines, flag for flag, in-process.

``scripts/finetune_inception_v1_on_flowers.sh``'s two stages with a small
net (CifarNet; the ORIGINAL research/slim checkpoint from
../shared/golden/cifarnet, written by tf_slim in graph mode), a
flowers-layout dataset (research/slim's ``flowers_<split>_NNNNN-of-NNNNN
.tfrecord`` + ``labels.txt``), tiny images and few steps; then
``export_inference_graph`` + freeze, and the frozen graph run through
``tf.compat.v1.import_graph_def`` with research/slim's node names; the
scripts' eval calls after each stage; and ``train_lenet_on_mnist.sh`` /
``train_cifarnet_on_cifar10.sh`` (train + eval) on mnist/cifar10-layout
TFRecords of a few images.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

from slimkeras.cli import main
from slimkeras.data import tfrecords
from tests.cli.in_process import run_cli


def _cli(*argv):
    rc, out, err = run_cli(*argv)
    assert rc == 0, (out + err)[-3000:]
    return out


def _flowers(root, n=40, size=(37, 41)):
    """Five classes of small PNGs, written as research/slim's flowers
    converter lays them out."""
    rng = np.random.default_rng(0)
    os.makedirs(root, exist_ok=True)
    for split, count in (("train", n), ("validation", n // 4)):
        examples = []
        for i in range(count):
            label = i % 5
            img = rng.integers(0, 60, (*size, 3)).astype("uint8")
            img[..., label % 3] += np.uint8(40 * (label + 1))
            png = tf.io.encode_png(img).numpy()
            examples.append(tfrecords.image_to_tfexample(
                png, b"png", size[0], size[1], label))
        tfrecords.write_tfrecord(
            os.path.join(root, f"flowers_{split}_00000-of-00001.tfrecord"),
            examples)
    tfrecords.write_label_file(
        dict(enumerate(["daisy", "dandelion", "roses", "sunflowers",
                        "tulips"])), root)
    return root


@pytest.fixture(scope="module")
def finetuned(tmp_path_factory):
    from tests.conftest import GOLDEN as golden_dir

    if not golden_dir.is_dir():
        pytest.skip(f"golden references not found at {golden_dir}")
    root = tmp_path_factory.mktemp("flowers")
    data = _flowers(str(root / "data"))
    train_dir = str(root / "train")
    ckpt = str(golden_dir / "cifarnet" / "model.ckpt")
    # Stage 1: scripts/finetune_inception_v1_on_flowers.sh's flags (steps,
    # batch and directories shrunk).
    stage1 = _cli(
        "train", f"--train_dir={train_dir}", "--dataset_name=flowers",
        "--dataset_split_name=train", f"--dataset_dir={data}",
        "--model_name=cifarnet", f"--checkpoint_path={ckpt}",
        "--checkpoint_exclude_scopes=CifarNet/logits",
        "--trainable_scopes=CifarNet/logits", "--max_number_of_steps=4",
        "--batch_size=8", "--learning_rate=0.01", "--save_interval_secs=60",
        "--save_summaries_secs=60", "--log_every_n_steps=100",
        "--optimizer=rmsprop", "--weight_decay=0.00004")
    # Stage 2: from stage 1's train_dir, every layer trains.
    stage2 = _cli(
        "train", f"--train_dir={train_dir}/all", "--dataset_name=flowers",
        "--dataset_split_name=train", f"--dataset_dir={data}",
        "--model_name=cifarnet", f"--checkpoint_path={train_dir}",
        "--max_number_of_steps=3", "--batch_size=8",
        "--learning_rate=0.001", "--save_interval_secs=60",
        "--save_summaries_secs=60", "--log_every_n_steps=10",
        "--optimizer=rmsprop", "--weight_decay=0.00004",
        "--moving_average_decay=0.9999")
    return root, data, train_dir, ckpt, stage1, stage2


def test_stage1_restores_the_original_and_trains_only_the_logits(finetuned):
    root, _, train_dir, ckpt, stage1, _ = finetuned
    assert "step 4:" in stage1
    from slimkeras.checkpoints.reader import open_checkpoint

    orig = tf.train.load_checkpoint(ckpt)
    mine = open_checkpoint(train_dir)
    conv = "CifarNet/conv1/weights"
    np.testing.assert_array_equal(mine.read_many([conv])[0],
                                  orig.get_tensor(conv))
    assert mine.shapes["CifarNet/logits/weights"][-1] == 5


def test_stage2_from_train_dir_trains_everything(finetuned):
    _, _, train_dir, _, _, stage2 = finetuned
    from slimkeras.checkpoints.reader import open_checkpoint

    assert "step 3:" in stage2
    one, two = open_checkpoint(train_dir), open_checkpoint(train_dir + "/all")
    conv = "CifarNet/conv1/weights"
    a, b = one.read_many([conv])[0], two.read_many([conv])[0]
    assert np.abs(a - b).max() > 0  # stage 2 trained the backbone
    # --moving_average_decay: research/slim's shadow names, for eval.
    assert conv + "/ExponentialMovingAverage" in two.shapes


def test_training_summaries_read_back_with_event_accumulator(finetuned):
    from tensorboard.backend.event_processing import event_accumulator

    _, _, train_dir, _, _, _ = finetuned
    acc = event_accumulator.EventAccumulator(train_dir + "/all")
    acc.Reload()
    tags = set(acc.Tags()["tensors"])
    assert {"total_loss", "learning_rate",
            "losses/softmax_cross_entropy_loss/value",
            "Losses/regularization_loss", "Losses/clone_loss"} <= tags
    lr = [float(tf.make_ndarray(e.tensor_proto))
          for e in acc.Tensors("learning_rate")]
    np.testing.assert_allclose(lr[0], 0.001, rtol=1e-6)


def test_export_and_freeze_with_research_slim_node_names(finetuned):
    import keras

    from slimkeras import checkpoints, nets

    root, data, train_dir, _, _, _ = finetuned
    pb = str(root / "frozen_cifarnet.pb")
    out = _cli("export", "--model_name=cifarnet", "--dataset_name=flowers",
               f"--dataset_dir={data}", f"--output_file={pb}",
               f"--checkpoint_path={train_dir}/all", "--batch_size=2")
    assert "output CifarNet/Predictions/Reshape_1" in out
    graph_def = tf.compat.v1.GraphDef()
    with open(pb, "rb") as f:
        graph_def.ParseFromString(f.read())
    x = np.random.default_rng(1).random((2, 32, 32, 3)).astype("float32")
    with tf.Graph().as_default() as g:
        tf.compat.v1.import_graph_def(graph_def, name="")
        assert g.get_tensor_by_name("input:0").shape.as_list() == [
            2, 32, 32, 3]
        with tf.compat.v1.Session(graph=g) as sess:
            got = sess.run("CifarNet/Predictions/Reshape_1:0",
                           {"input:0": x})
    ref = nets.create_model("cifarnet", num_classes=5)
    checkpoints.restore(ref, train_dir + "/all")
    want = keras.ops.softmax(ref(x, training=False)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.sum(-1), 1.0, rtol=1e-5)


def test_export_of_original_checkpoint_equals_it(golden_dir, tmp_path):
    """The issue's silent export: every weight and moving statistic of the
    ORIGINAL mobilenet_v1 checkpoint comes out unchanged (TF1 checkpoint
    written by export, compared tensor by tensor)."""
    ckpt = str(golden_dir / "mobilenet_v1" / "model.ckpt")
    out_ckpt = str(tmp_path / "exported" / "model.ckpt")
    _cli("export", "--model_name=mobilenet_v1", "--num_classes=1001",
         f"--checkpoint_path={ckpt}", f"--tf1_checkpoint={out_ckpt}")
    orig, mine = tf.train.load_checkpoint(ckpt), tf.train.load_checkpoint(
        out_ckpt)
    names = sorted(mine.get_variable_to_shape_map())
    assert len([n for n in names if n.endswith("moving_mean")]) == 27
    for n in names:
        np.testing.assert_array_equal(mine.get_tensor(n), orig.get_tensor(n),
                                      err_msg=n)


_REJECTED = [
    (["train", "--num_ps_tasks=2"],
     "--num_ps_tasks=2: parameter-server training is not supported; train "
     "synchronously with MultiWorkerMirroredStrategy"),
    (["train", "--worker_replicas=2"],
     "--worker_replicas=2: the cluster has 1 worker(s)"),
    (["train", "--task=1"], "--task=1 needs --worker_hosts"),
    (["train", "--quantize_delay=0"], "--quantize_delay=0: quantization"),
    (["train", "--master=grpc://x:1"], "--master='grpc://x:1'"),
    (["train", "--use_grayscale"], "--use_grayscale=True"),
    (["export", "--output_file=/tmp/x.pb"], "needs --checkpoint_path"),
    (["export", "--quantize", "--output_file=/tmp/x.pb"], "--quantize=True"),
    (["export", "--is_training", "--output_file=/tmp/x.pb"],
     "--is_training=True"),
    (["export"], "--output_file"),
]


def test_unsupported_research_slim_flags_are_rejected_by_name(tmp_path,
                                                             capsys):
    """Rejected before anything is built or written (one line, exit 2).
    (One test for all: per-test teardown costs ~1 s here.)"""
    for argv, needle in _REJECTED:
        if argv[0] == "train":
            argv = argv + [f"--train_dir={tmp_path}/t"]
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert needle in err and "Traceback" not in err, (argv, err)
        assert not os.path.exists(tmp_path / "t"), argv


def test_every_research_slim_flag_is_accepted_with_its_default():
    """Each upstream train_image_classifier.py / export_inference_graph.py
    flag parses, with research/slim's default (model/dataset names
    excepted: lenet/digits, the offline main job)."""
    from slimkeras.cli.main import _parser

    train = vars(_parser().parse_args(["train"]))
    want = dict(
        master="", train_dir="/tmp/tfmodel/", num_clones=1,
        clone_on_cpu=False, worker_replicas=1, num_ps_tasks=0, num_readers=4,
        num_preprocessing_threads=4, log_every_n_steps=10,
        save_summaries_secs=600, save_interval_secs=600, task=0,
        weight_decay=0.00004, optimizer="rmsprop", adadelta_rho=0.95,
        adagrad_initial_accumulator_value=0.1, adam_beta1=0.9,
        adam_beta2=0.999, opt_epsilon=1.0, ftrl_learning_rate_power=-0.5,
        ftrl_initial_accumulator_value=0.1, ftrl_l1=0.0, ftrl_l2=0.0,
        momentum=0.9, rmsprop_momentum=0.9, rmsprop_decay=0.9,
        quantize_delay=-1, learning_rate_decay_type="exponential",
        learning_rate=0.01, end_learning_rate=0.0001, label_smoothing=0.0,
        learning_rate_decay_factor=0.94, num_epochs_per_decay=2.0,
        sync_replicas=False, replicas_to_aggregate=1,
        moving_average_decay=None, dataset_name="digits",
        dataset_split_name="train", dataset_dir=None, labels_offset=0,
        model_name="lenet", preprocessing_name=None, batch_size=32,
        train_image_size=None, max_number_of_steps=None, use_grayscale=False,
        checkpoint_path=None, checkpoint_exclude_scopes=None,
        trainable_scopes=None, ignore_missing_vars=False,
        alsologtostderr=False, logtostderr=False)
    assert {k: train[k] for k in want} == want
    export = vars(_parser().parse_args(["export"]))
    want = dict(model_name="lenet", is_training=False, image_size=None,
                batch_size=None, dataset_name="digits", labels_offset=0,
                output_file="", dataset_dir="", quantize="none",
                is_video_model=False, num_frames=None,
                write_text_graphdef=False, use_grayscale=False)
    assert {k: export[k] for k in want} == want
    # absl spellings research/slim users type
    a = vars(_parser().parse_args(
        ["train", "--alsologtostderr", "--clone_on_cpu=true",
         "--noignore_missing_vars"]))
    assert a["alsologtostderr"] and a["clone_on_cpu"]
    assert a["ignore_missing_vars"] is False


def test_export_moving_averages(finetuned):
    """export --moving_average_decay writes the EMA shadows stage 2 kept."""
    from slimkeras.checkpoints.reader import open_checkpoint

    root, _, train_dir, _, _, _ = finetuned
    out_ckpt = str(root / "ema" / "model.ckpt")
    _cli("export", "--model_name=cifarnet", "--num_classes=5",
         f"--checkpoint_path={train_dir}/all", "--moving_average_decay=0.9999",
         f"--tf1_checkpoint={out_ckpt}")
    src, mine = open_checkpoint(train_dir + "/all"), tf.train.load_checkpoint(
        out_ckpt)
    names = sorted(mine.get_variable_to_shape_map())
    shadows = src.read_many([n + "/ExponentialMovingAverage" for n in names])
    raw = src.read_many(names)
    for n, s, _ in zip(names, shadows, raw):
        np.testing.assert_array_equal(mine.get_tensor(n), s, err_msg=n)
    assert any(np.abs(s - r).max() > 0 for s, r in zip(shadows, raw))


def test_custom_tfrecords_dataset_with_any_file_pattern(tmp_path):
    """research/slim's dataset_factory plug-in: a labels.txt + TFRecords of
    any name (--dataset_name=tfrecords --file_pattern), and a descriptor
    module by dotted path."""
    from slimkeras.datasets import get_dataset

    data = _flowers(str(tmp_path / "d"), n=10)
    for f in os.listdir(data):
        if f.endswith(".tfrecord"):
            split = f.split("_")[1]
            os.rename(os.path.join(data, f),
                      os.path.join(data, f"mine-{split}.rec"))
    ds = get_dataset("tfrecords", "train", data, file_pattern="mine-%s.rec")
    assert (ds.num_classes, ds.num_samples) == (5, 10)
    assert ds.labels_to_names[4] == "tulips"
    # A descriptor module (dotted path) with research/slim's get_split.
    pkg = tmp_path / "mydata"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "flowers.py").write_text(
        "from slimkeras.datasets import factory\n"
        "def get_split(split_name, dataset_dir, file_pattern=None,"
        " reader=None):\n"
        "    return factory.tfrecords_dataset(split_name, dataset_dir,"
        " file_pattern or 'mine-%s.rec')\n")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        ds = get_dataset("mydata.flowers", "validation", data)
    finally:
        sys.path.remove(str(tmp_path))
    assert (ds.num_classes, ds.num_samples) == (5, 2)
    with pytest.raises(ValueError, match="no files match"):
        get_dataset("tfrecords", "train", data)
    with pytest.raises(ValueError, match="cannot be imported"):
        get_dataset("no_such_pkg.flowers", "train", data)


def test_imagenet_is_wired_to_its_descriptor_module(tmp_path):
    from slimkeras.datasets import factory, get_dataset, list_datasets

    assert "imagenet" in list_datasets()
    assert factory.num_classes("imagenet") == 1001  # export needs no files
    ds = get_dataset("imagenet", "validation", str(tmp_path))
    assert (ds.num_classes, ds.num_samples) == (1001, 50000)


@pytest.mark.slow
def test_export_keeps_inception_v3_aux_logits(tmp_path):
    """export --tf1_checkpoint of an inception_v3 checkpoint written by the
    ORIGINAL (tf_slim's inception_v3, TF1 graph mode) keeps every tensor,
    AuxLogits included (research/slim's net restores it), unchanged."""
    from tests.oracle import import_tf_slim

    tfslim = import_tf_slim()
    from tf_slim.nets import inception

    ckpt = str(tmp_path / "orig" / "model.ckpt")
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, 299, 299, 3])
        with tfslim.arg_scope(inception.inception_v3_arg_scope()):
            inception.inception_v3(x, num_classes=1001, is_training=False)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().save(sess, ckpt,
                                            write_meta_graph=False)
    out_ckpt = str(tmp_path / "v3" / "model.ckpt")
    _cli("export", "--model_name=inception_v3", "--dataset_name=imagenet",
         f"--checkpoint_path={ckpt}", f"--tf1_checkpoint={out_ckpt}")
    orig, mine = tf.train.load_checkpoint(ckpt), tf.train.load_checkpoint(
        out_ckpt)
    names = sorted(mine.get_variable_to_shape_map())
    assert any(n.startswith("InceptionV3/AuxLogits/") for n in names)
    assert sorted(orig.get_variable_to_shape_map()) == names
    for n in names:
        np.testing.assert_array_equal(mine.get_tensor(n), orig.get_tensor(n),
                                      err_msg=n)


def test_eval_after_each_fine_tune_stage(finetuned):
    """The scripts' eval_image_classifier.py calls between the stages:
    --checkpoint_path is the train_dir each stage wrote; research/slim's
    tags are printed and written to --eval_dir."""
    from tensorboard.backend.event_processing import event_accumulator

    root, data, train_dir, _, _, _ = finetuned
    for ckpt in (train_dir, train_dir + "/all"):
        eval_dir = str(root / ("eval_" + os.path.basename(ckpt)))
        out = _cli("eval", f"--checkpoint_path={ckpt}",
                   f"--eval_dir={eval_dir}", "--dataset_name=flowers",
                   "--dataset_split_name=validation", f"--dataset_dir={data}",
                   "--model_name=cifarnet", "--batch_size=8")
        assert "eval/Accuracy" in out and "eval/Recall_5" in out
        acc = event_accumulator.EventAccumulator(eval_dir)
        acc.Reload()
        tags = set(acc.Tags()["tensors"]) | set(acc.Tags()["scalars"])
        assert {"eval/Accuracy", "eval/Recall_5"} <= tags, tags
        # 5 classes: recall@5 covers every class.
        value = [line for line in out.splitlines() if "eval/Recall_5" in line]
        assert value and float(value[0].split(":")[1]) == 1.0, value


def _small_split(root, name, shape, n):
    rng = np.random.default_rng(1)
    examples = []
    for i in range(n):
        label = i % 10
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        img[..., :] = np.clip(img // 4 + label * 20, 0, 255).astype(np.uint8)
        examples.append(tfrecords.image_to_tfexample(
            tf.io.encode_png(img).numpy(), b"png", shape[0], shape[1],
            label))
    tfrecords.write_tfrecord(os.path.join(root, name), examples)


@pytest.mark.parametrize("script", ["train_lenet_on_mnist.sh",
                                    "train_cifarnet_on_cifar10.sh"])
def test_train_then_eval_scripts(tmp_path, script):
    """research/slim's scripts/train_lenet_on_mnist.sh and
    train_cifarnet_on_cifar10.sh, their flags unchanged but the step
    count, batch size and directories (data: a few images in research/
    slim's mnist_<split>.tfrecord / cifar10_<split>.tfrecord layout)."""
    data, train_dir = str(tmp_path / "data"), str(tmp_path / "train")
    os.makedirs(data)
    if script == "train_lenet_on_mnist.sh":
        name, net, shape = "mnist", "lenet", (28, 28, 1)
        flags = ["--preprocessing_name=lenet", "--learning_rate=0.01",
                 "--optimizer=sgd", "--learning_rate_decay_type=fixed",
                 "--weight_decay=0"]
    else:
        name, net, shape = "cifar10", "cifarnet", (32, 32, 3)
        flags = ["--preprocessing_name=cifarnet", "--optimizer=sgd",
                 "--learning_rate=0.1", "--learning_rate_decay_factor=0.1",
                 "--num_epochs_per_decay=200", "--weight_decay=0.004"]
    _small_split(data, f"{name}_train.tfrecord", shape, 24)
    _small_split(data, f"{name}_test.tfrecord", shape, 12)
    out = _cli("train", f"--train_dir={train_dir}", f"--dataset_name={name}",
               "--dataset_split_name=train", f"--dataset_dir={data}",
               f"--model_name={net}", "--max_number_of_steps=3",
               "--batch_size=8", "--save_interval_secs=60",
               "--save_summaries_secs=60", "--log_every_n_steps=100", *flags)
    assert "step 3:" in out
    out = _cli("eval", f"--checkpoint_path={train_dir}",
               f"--eval_dir={train_dir}", f"--dataset_name={name}",
               "--dataset_split_name=test", f"--dataset_dir={data}",
               f"--model_name={net}")
    assert "eval/Accuracy" in out and "eval/Recall_5" in out
