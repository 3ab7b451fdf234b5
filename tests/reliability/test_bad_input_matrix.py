"""A bad-input matrix across the public API (issue 10).

Every case asserts three things:

* the exception type;
* that the message names the culprit (argument, op, name or file) AND the
  value that was received;
* that the weights of a live model are bit-identical before and after (a
  snapshot of every variable with numpy, compared with ``np.array_equal``).

Decided behaviour for non-finite values (see also ``test_nonfinite``):
slim's loss functions are pure arithmetic and *propagate* NaN/Inf like
``tf_slim.losses`` did (no check, no exception); it is the training step
(``create_train_op``/``train``, ``slimkeras.learning.callbacks.StopOnNaN``
for ``fit``) that raises, naming the step, before any weight changes.
"""

import glob
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import checkpoints, learning, losses, nets
from slimkeras.datasets import get_dataset
from slimkeras.nets import nets_factory
from slimkeras.preprocessing import preprocessing_factory

X4 = np.zeros((2, 8, 8, 3), "float32")
X3 = np.zeros((2, 8, 3), "float32")


def _tiny_model(num_classes=3, scope="net"):
    inp = keras.Input((6, 6, 3))
    with slim.name_registry():
        with slim.variable_scope(scope):
            x = slim.conv2d(inp, 4, [3, 3], normalizer_fn=slim.batch_norm,
                            normalizer_params={"scale": True},
                            scope="conv1")
            x = slim.flatten(x)
            x = slim.fully_connected(x, num_classes, activation_fn=None,
                                     scope="logits")
    return keras.Model(inp, x)


def _randomize(model, seed):
    rng = np.random.default_rng(seed)
    for v in model.weights:
        val = rng.normal(0, 0.3, v.shape).astype("float32")
        if "moving_variance" in v.path or "gamma" in v.path:
            val = np.abs(val) + 0.5
        v.assign(val)


def _snapshot(model):
    return [(v.path, np.array(v).copy()) for v in model.weights]


def _same(before, model):
    after = _snapshot(model)
    return len(before) == len(after) and all(
        pa == pb and a.dtype == b.dtype and np.array_equal(a, b)
        for (pa, a), (pb, b) in zip(before, after))


@dataclass
class Ctx:
    model: keras.Model
    good: str  # a TF1 checkpoint of a model with the same structure
    tmp: Any
    train_dir: str

    def bad_copy(self, name):
        dst = self.tmp / name
        shutil.copytree(os.path.dirname(self.good), dst)
        return str(dst / "m.ckpt")


@pytest.fixture(scope="module")
def _shared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("matrix")
    src = _tiny_model()
    _randomize(src, 5)
    good = checkpoints.save_tf1_checkpoint(src, tmp / "good" / "m.ckpt")
    model = _tiny_model()
    _randomize(model, 9)
    model(np.zeros((1, 6, 6, 3), "float32"))
    # A TF2 object-based training checkpoint: a "foreign" format for
    # restore(), and the thing TrainingCheckpoint restores.
    opt = keras.optimizers.SGD(0.1)
    tc = checkpoints.TrainingCheckpoint(src, opt, tmp / "train")
    tc.save(1)
    return model, good, str(tmp / "train")


@pytest.fixture
def ctx(_shared, tmp_path):
    model, good, train_dir = _shared
    return Ctx(model, good, tmp_path, train_dir)


@dataclass
class Case:
    id: str
    fn: Callable[[Ctx], Any]
    exc: type
    tokens: tuple  # all must appear in the message


CASES = []


def add(id, exc, tokens, fn):
    CASES.append(Case(id, fn, exc, tuple(tokens)))


# --- layers: wrong types, ranks, non-positive sizes, conflicts ------------
add("conv2d num_outputs=0", ValueError, ["num_outputs", "0"],
    lambda c: slim.conv2d(X4, 0, [3, 3]))
add("conv2d num_outputs=-3", ValueError, ["num_outputs", "-3"],
    lambda c: slim.conv2d(X4, -3, [3, 3]))
add("conv2d num_outputs str", ValueError, ["num_outputs", "'4'"],
    lambda c: slim.conv2d(X4, "4", [3, 3]))
add("conv2d num_outputs float", ValueError, ["num_outputs", "2.5"],
    lambda c: slim.conv2d(X4, 2.5, [3, 3]))
add("Conv2D kernel_size=0", ValueError, ["kernel_size", "0"],
    lambda c: slim.layers.Conv2D(4, 0))
add("Conv2D kernel_size 3 ints", ValueError, ["kernel_size", "[3, 3, 3]"],
    lambda c: slim.layers.Conv2D(4, [3, 3, 3]))
add("Conv2D kernel_size str", ValueError, ["kernel_size", "'3'"],
    lambda c: slim.layers.Conv2D(4, "3"))
add("Conv2D stride=0", ValueError, ["stride", "0"],
    lambda c: slim.layers.Conv2D(4, 3, stride=0))
add("Conv2D stride>1 and rate>1", ValueError, ["stride=2", "rate=2"],
    lambda c: slim.layers.Conv2D(4, 3, stride=2, rate=2))
add("conv2d stride>1 and rate>1 lists", ValueError,
    ["stride=[1, 2]", "rate=[3, 1]"],
    lambda c: slim.conv2d(X4, 4, 3, stride=[1, 2], rate=[3, 1]))
add("Conv2D rate=-1", ValueError, ["rate", "-1"],
    lambda c: slim.layers.Conv2D(4, 3, rate=-1))
add("Conv2D padding", ValueError, ["padding", "'FULL'"],
    lambda c: slim.layers.Conv2D(4, 3, padding="FULL"))
add("Conv2D data_format", ValueError, ["data_format", "'NWHC'"],
    lambda c: slim.layers.Conv2D(4, 3, data_format="NWHC"))
add("conv2d rank-3 input", ValueError, ["rank 4", "(2, 8, 3)"],
    lambda c: slim.conv2d(X3, 4, 3))
add("convolution rank-2 input", ValueError, ["rank", "(2, 3)"],
    lambda c: slim.convolution(np.zeros((2, 3), "float32"), 4, 3))
add("conv3d kernel 2 ints", ValueError, ["kernel_size", "[3, 3]"],
    lambda c: slim.layers.Conv3D(4, [3, 3]))
add("conv1d on rank-4", ValueError, ["rank 3", "(2, 8, 8, 3)"],
    lambda c: slim.conv1d(X4, 4, 3))
add("fully_connected num_outputs=0", ValueError, ["num_outputs", "0"],
    lambda c: slim.fully_connected(np.zeros((2, 3), "float32"), 0))
add("fully_connected rank-1 input", ValueError, ["rank", "(3,)"],
    lambda c: slim.fully_connected(np.zeros((3,), "float32"), 2))
add("max_pool2d kernel_size=0", ValueError, ["kernel_size", "0"],
    lambda c: slim.max_pool2d(X4, 0))
add("max_pool2d stride=-1", ValueError, ["stride", "-1"],
    lambda c: slim.max_pool2d(X4, 2, stride=-1))
add("avg_pool2d padding", ValueError, ["padding", "'same-ish'"],
    lambda c: slim.avg_pool2d(X4, 2, padding="same-ish"))
add("max_pool2d rank-3 input", ValueError, ["rank 4", "(2, 8, 3)"],
    lambda c: slim.max_pool2d(X3, 2))
add("pool pooling_type", ValueError, ["pooling_type", "'MIN'"],
    lambda c: slim.pool(X4, [2, 2], "MIN"))
add("pool SAME + dilation", ValueError, ["dilation_rate", "SAME"],
    lambda c: slim.pool(X4, [2, 2], "MAX", padding="SAME",
                        dilation_rate=[2, 2]))
add("conv2d_transpose num_outputs=0", ValueError, ["num_outputs", "0"],
    lambda c: slim.conv2d_transpose(X4, 0, 3))
add("conv2d_transpose stride=0", ValueError, ["stride", "0"],
    lambda c: slim.conv2d_transpose(X4, 2, 3, stride=0))
add("conv2d_transpose rank-3", ValueError, ["rank 4", "(2, 8, 3)"],
    lambda c: slim.conv2d_transpose(X3, 2, 3))
add("separable_conv2d depth_multiplier=0", ValueError,
    ["depth_multiplier", "0"],
    lambda c: slim.separable_conv2d(X4, 4, 3, depth_multiplier=0))
add("dropout keep_prob=1.5", ValueError, ["keep_prob", "1.5"],
    lambda c: slim.dropout(X4, keep_prob=1.5))
add("batch_norm decay str", TypeError, ["decay", "'fast'"],
    lambda c: slim.batch_norm(X4, decay="fast"))
add("one_hot_encoding num_classes=0", ValueError, ["num_classes", "0"],
    lambda c: slim.one_hot_encoding(np.array([0, 1]), 0))
add("repeat repetitions=0", ValueError, ["repetitions", "0"],
    lambda c: slim.repeat(X4, 0, slim.conv2d, 4, [3, 3]))
add("stack args not a list", ValueError, ["stack_args", "32"],
    lambda c: slim.stack(X4, slim.conv2d, 32))
add("bias_add rank-1", ValueError, ["rank", "(3,)"],
    lambda c: slim.bias_add(np.zeros((3,), "float32")))

# --- arg_scope -------------------------------------------------------------


def _plain(x, y=1):
    return x


add("arg_scope unknown kwarg", ValueError, ["convolution2d", "'paddin'"],
    lambda c: slim.arg_scope([slim.conv2d], paddin="SAME").__enter__())
add("arg_scope unknown kwarg on class", ValueError,
    ["max_pool2d", "'rate'"],
    lambda c: slim.arg_scope([slim.layers.MaxPool2D], rate=2).__enter__())
add("arg_scope unregistered function", ValueError,
    ["_plain", "not decorated"],
    lambda c: slim.arg_scope([_plain], y=2).__enter__())
add("arg_scope keras layer", ValueError, ["Dense", "not decorated"],
    lambda c: slim.arg_scope([keras.layers.Dense], units=2).__enter__())
add("arg_scope not a list", TypeError, ["list_ops_or_scope", "function"],
    lambda c: slim.arg_scope(slim.conv2d, padding="SAME").__enter__())
add("arg_scope dict + kwargs", ValueError, ["kwargs", "padding"],
    lambda c: slim.arg_scope({}, padding="SAME").__enter__())
add("arg_scoped_arguments unregistered", ValueError, ["_plain"],
    lambda c: slim.arg_scoped_arguments(_plain))
add("scoped bad value reaches layer", ValueError, ["padding", "'FULL'"],
    lambda c: _scoped_conv(padding="FULL"))


def _scoped_conv(**kw):
    with slim.arg_scope([slim.conv2d], **kw):
        return slim.conv2d(X4, 4, 3)


# --- registries ------------------------------------------------------------
add("get_net typo", ValueError, ["'resnet_v1_5O'", "resnet_v1_50"],
    lambda c: nets.get_net("resnet_v1_5O"))
add("create_model unknown", ValueError, ["'vgg16'", "vgg_16"],
    lambda c: nets.create_model("vgg16"))
add("create_model outputs", ValueError, ["outputs", "'all'"],
    lambda c: nets.create_model("lenet", outputs="all"))
add("get_network_fn unknown", ValueError, ["'alexnet_v3'", "alexnet_v2"],
    lambda c: nets_factory.get_network_fn("alexnet_v3", 10))
add("get_preprocessing unknown", ValueError, ["'incepton'", "inception"],
    lambda c: preprocessing_factory.get_preprocessing("incepton"))
add("get_preprocessing is_training", TypeError, ["is_training", "'yes'"],
    lambda c: preprocessing_factory.get_preprocessing("vgg", "yes"))
add("get_dataset unknown", ValueError, ["'imagenet2'", "imagenet"],
    lambda c: get_dataset("imagenet2", "train"))
add("get_dataset split", ValueError, ["'valid'", "cifar10", "train"],
    lambda c: get_dataset("cifar10", "valid", "/nonexistent"))
add("get_dataset dir", ValueError, ["dataset_dir", "'/nonexistent'"],
    lambda c: get_dataset("cifar10", "train", "/nonexistent"))

# --- losses: shapes, types ---------------------------------------------------
add("mse shape mismatch", ValueError, ["predictions.shape=(2, 3)",
                                       "labels.shape=(2, 4)"],
    lambda c: losses.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 4))))
add("log_loss labels None", ValueError, ["labels", "None"],
    lambda c: losses.log_loss(np.zeros((2, 3))))
add("softmax_ce shape mismatch", ValueError, ["(2, 3)", "(2, 5)"],
    lambda c: losses.softmax_cross_entropy(np.zeros((2, 3)),
                                           np.zeros((2, 5))))
add("absolute_difference rank", ValueError, ["(2, 3)", "(6,)"],
    lambda c: losses.absolute_difference(np.zeros((2, 3)), np.zeros(6)))
add("compute_weighted_loss reduction", ValueError,
    ["reduction", "'average'"],
    lambda c: losses.compute_weighted_loss(np.ones((2, 3)),
                                           reduction="average"))
add("weights shape", ValueError, ["weights", "(5,)"],
    lambda c: losses.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 3)),
                                        weights=np.ones(5)))

# --- checkpoints: corrupt, truncated, foreign, mismatched, name maps --------


def _truncate(c, which, frac=0.5):
    bad = c.bad_copy("trunc")
    f = glob.glob(bad + which)[0]
    with open(f, "r+b") as fh:
        fh.truncate(int(os.path.getsize(f) * frac))
    return bad


def _flip(c):
    bad = c.bad_copy("flip")
    f = glob.glob(bad + ".data-*")[0]
    raw = bytearray(open(f, "rb").read())
    for i in range(0, len(raw), 5):
        raw[i] ^= 0x5A
    open(f, "wb").write(bytes(raw))
    return bad


def _empty_files(c):
    bad = c.bad_copy("empty")
    for f in glob.glob(bad + ".*"):
        open(f, "wb").close()
    return bad


add("restore missing file", FileNotFoundError, ["m.ckptx"],
    lambda c: checkpoints.restore(c.model, c.good + "x"))
add("restore truncated data", checkpoints.CheckpointReadError,
    ["trunc", "truncated or corrupted"],
    lambda c: checkpoints.restore(c.model, _truncate(c, ".data-*")))
add("restore truncated index", checkpoints.CheckpointReadError,
    ["trunc"],
    lambda c: checkpoints.restore(c.model, _truncate(c, ".index", 0.6)))
add("restore zero-byte files", checkpoints.CheckpointReadError, ["empty"],
    lambda c: checkpoints.restore(c.model, _empty_files(c)))
add("restore bit-flipped data", checkpoints.CheckpointReadError,
    ["flip", "truncated or corrupted"],
    lambda c: checkpoints.restore(c.model, _flip(c)))
add("restore text file", checkpoints.CheckpointReadError,
    ["notes.txt", "not a TF checkpoint"],
    lambda c: checkpoints.restore(c.model, _write(c, "notes.txt", b"hi")))
add("restore HDF5 file", checkpoints.CheckpointReadError,
    ["w.weights.h5"],
    lambda c: checkpoints.restore(c.model, _write(
        c, "w.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)))
# A slimkeras train_dir restores by slim name (issue 16); a TF2 checkpoint
# of another layout (tf.train.Checkpoint(model=…)) has no slim names.
add("restore foreign TF2 object-based ckpt",
    checkpoints.CheckpointMismatchError,
    ["net/conv1/weights", "obj-1", "object-based", "TrainingCheckpoint"],
    lambda c: checkpoints.restore(c.model, tf.train.Checkpoint(
        model=c.model).write(str(c.tmp / "obj-1"))))
add("restore wider logits", ValueError,
    ["net/logits/weights", "(144, 4)"],
    lambda c: checkpoints.restore(c.model, _wide_ckpt(c)))
add("restore float64 tensor", ValueError,
    ["net/conv1/weights", "float64"],
    lambda c: checkpoints.restore(c.model, _f64_ckpt(c)))
add("restore name_map raises", ValueError,
    ["name_map raised KeyError", "net/conv1/weights"],
    lambda c: checkpoints.restore(c.model, c.good,
                                  name_map=lambda p: {}[p]))
add("restore name_map returns int", ValueError, ["name_map", "7"],
    lambda c: checkpoints.restore(c.model, c.good, name_map=lambda p: 7))
add("restore name_map dict to absent", checkpoints.CheckpointMismatchError,
    ["net/logits/weights", "nowhere/w"],
    lambda c: checkpoints.restore(c.model, c.good,
                                  name_map={"net/logits/weights":
                                            "nowhere/w"}))
add("restore name_map type", TypeError, ["name_map", "3.5"],
    lambda c: checkpoints.restore(c.model, c.good, name_map=3.5))
add("restore strict type", TypeError, ["strict", "'yes'"],
    lambda c: checkpoints.restore(c.model, c.good, strict="yes"))
add("restore label_offset type", TypeError, ["label_offset", "'1'"],
    lambda c: checkpoints.restore(c.model, c.good, label_offset="1"))
add("restore not a model", TypeError, ["model_or_variables", "'model'"],
    lambda c: checkpoints.restore("model", c.good))
add("save_tf1 empty path", TypeError, ["path", "''"],
    lambda c: checkpoints.save_tf1_checkpoint(c.model, ""))
add("save_tf1 name_map collision", ValueError, ["'same'", "share"],
    lambda c: checkpoints.save_tf1_checkpoint(
        c.model, c.tmp / "x" / "m.ckpt", name_map=lambda p: "same"))
add("save_tf1 name_map raises", ValueError,
    ["net/logits/biases", "RuntimeError"],
    lambda c: checkpoints.save_tf1_checkpoint(
        c.model, c.tmp / "x" / "m.ckpt", name_map=_raise_runtime))
add("TrainingCheckpoint not a model", TypeError, ["model", "'m'"],
    lambda c: checkpoints.TrainingCheckpoint("m", None, c.tmp))
add("TrainingCheckpoint shape mismatch", ValueError,
    ["net/logits/weights", "(144, 5)", "nothing was changed"],
    lambda c: checkpoints.TrainingCheckpoint(
        c.model, None, c.tmp / "t").restore(_wide_train_ckpt(c)))
add("TrainingCheckpoint truncated", checkpoints.CheckpointReadError,
    ["trunc_train/ckpt-1", "truncated or corrupted"],
    lambda c: checkpoints.TrainingCheckpoint(
        c.model, None, c.tmp / "t").restore(_trunc_train_ckpt(c)))
add("TrainingCheckpoint from TF1 file", ValueError,
    ["net/conv1/weights", "not in checkpoint"],
    lambda c: checkpoints.TrainingCheckpoint(
        c.model, None, c.tmp / "t").restore(c.good))

# --- variables API / learning ---------------------------------------------
add("get_unique_variable missing", ValueError, ["'net/conv9/weights'"],
    lambda c: slim.get_unique_variable(c.model, "net/conv9/weights"))
add("assign_from_values unknown name", ValueError,
    ["net/conv9/weights", "no such variable"],
    lambda c: slim.assign_from_values(
        {"net/conv9/weights": np.zeros(3)}, c.model))
add("assign_from_values wrong shape", ValueError,
    ["net/logits/biases", "(7,)"],
    lambda c: slim.assign_from_values(
        {"net/logits/biases": np.zeros(7, "float32"),
         "net/logits/weights": np.zeros((64, 3), "float32")}, c.model))
add("create_train_op loss not callable", TypeError, ["total_loss", "3.0"],
    lambda c: learning.create_train_op(3.0, keras.optimizers.SGD(),
                                       model=c.model))
add("create_train_op multipliers type", TypeError,
    ["gradient_multipliers", "[2.0]"],
    lambda c: learning.create_train_op(
        lambda b: 0.0, keras.optimizers.SGD(), model=c.model,
        gradient_multipliers=[2.0]))
add("create_train_op multiplier pattern", ValueError,
    ["gradient_multipliers", "'net/logitz'"],
    lambda c: learning.create_train_op(
        lambda b: 0.0, keras.optimizers.SGD(), model=c.model,
        gradient_multipliers={"net/logitz": 2.0}))
add("set_trainable_scopes bad pattern type", TypeError, ["3"],
    lambda c: learning.set_trainable_scopes(c.model, [3]))


def _raise_runtime(path):
    raise RuntimeError("boom")


def _write(c, name, data):
    p = c.tmp / name
    p.write_bytes(data)
    return str(p)


def _train_ckpt(c):
    return tf.train.latest_checkpoint(c.train_dir)


def _wide_ckpt(c):
    src = _tiny_model(num_classes=4)
    return checkpoints.save_tf1_checkpoint(src, c.tmp / "wide" / "m.ckpt")


def _f64_ckpt(c):
    reader = tf.train.load_checkpoint(c.good)
    values = {n: reader.get_tensor(n) for n, _ in tf.train.list_variables(
        c.good)}
    values["net/conv1/weights"] = values["net/conv1/weights"].astype(
        "float64")
    return checkpoints.save_tf1_checkpoint(values, c.tmp / "f64" / "m.ckpt")


def _wide_train_ckpt(c):
    src = _tiny_model(num_classes=5)
    src(np.zeros((1, 6, 6, 3), "float32"))
    tc = checkpoints.TrainingCheckpoint(src, None, c.tmp / "wide_train")
    return tc.save(1)


def _trunc_train_ckpt(c):
    src = _tiny_model()
    src(np.zeros((1, 6, 6, 3), "float32"))
    tc = checkpoints.TrainingCheckpoint(src, None, c.tmp / "trunc_train")
    path = tc.save(1)
    f = glob.glob(path + ".data-*")[0]
    with open(f, "r+b") as fh:
        fh.truncate(os.path.getsize(f) // 3)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, ctx):
    before = _snapshot(ctx.model)
    with slim.name_registry():
        with pytest.raises(case.exc) as info:
            case.fn(ctx)
    msg = str(info.value)
    missing = [t for t in case.tokens if t not in msg]
    assert not missing, f"message lacks {missing}: {msg}"
    assert _same(before, ctx.model), "weights changed"


def test_matrix_is_big_enough():
    assert len(CASES) >= 60
