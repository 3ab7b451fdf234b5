"""Bad input: a clear error, and every weight bit-identical afterwards."""

import glob
import os
import shutil

import pytest
import tensorflow as tf

from slimkeras import checkpoints
from tests.checkpoints.helpers import keras_model, randomize, snapshot


@pytest.fixture
def setup(tmp_path):
    src = keras_model()
    randomize(src, seed=5)
    path = checkpoints.save_tf1_checkpoint(src, tmp_path / "good" / "m.ckpt")
    model = keras_model()
    randomize(model, seed=9)
    return model, path, tmp_path


def _unchanged(model, fn, exc, match):
    before = snapshot(model)
    with pytest.raises(exc, match=match) as info:
        fn()
    assert snapshot(model) == before
    return info.value


def test_missing_file(setup):
    model, path, tmp = setup
    _unchanged(model, lambda: checkpoints.restore(model, path + "x"),
               FileNotFoundError, r"No checkpoint found.*Did you mean m\.ckpt")
    os.makedirs(tmp / "empty")
    _unchanged(model, lambda: checkpoints.restore(model, tmp / "empty"),
               FileNotFoundError, "No checkpoint in directory")


def _copy(path, tmp):
    dst = tmp / "bad"
    shutil.copytree(os.path.dirname(path), dst)
    return str(dst / "m.ckpt")


def test_truncated_data_file(setup):
    model, path, tmp = setup
    bad = _copy(path, tmp)
    data = glob.glob(bad + ".data-*")[0]
    size = os.path.getsize(data)
    with open(data, "r+b") as f:
        f.truncate(size // 2)
    _unchanged(model, lambda: checkpoints.restore(model, bad),
               checkpoints.CheckpointReadError, "truncated or corrupted")


def test_corrupted_data_file(setup):
    model, path, tmp = setup
    bad = _copy(path, tmp)
    data = glob.glob(bad + ".data-*")[0]
    raw = bytearray(open(data, "rb").read())
    for i in range(0, len(raw), 7):
        raw[i] ^= 0xFF
    open(data, "wb").write(bytes(raw))
    _unchanged(model, lambda: checkpoints.restore(model, bad),
               checkpoints.CheckpointReadError, "truncated or corrupted")


def test_non_checkpoint_files(setup):
    model, _, tmp = setup
    text = tmp / "notes.txt"
    text.write_text("hello")
    _unchanged(model, lambda: checkpoints.restore(model, text),
               checkpoints.CheckpointReadError, "not a TF checkpoint")
    (tmp / "junk.index").write_bytes(b"\x00garbage" * 10)
    _unchanged(model, lambda: checkpoints.restore(model, tmp / "junk"),
               checkpoints.CheckpointReadError, "Cannot read checkpoint")


def test_shape_mismatch_lists_every_name(setup):
    model, path, _ = setup
    wide = keras_model(num_classes=4)
    randomize(wide)
    err = _unchanged(wide, lambda: checkpoints.restore(wide, path),
                     ValueError, "no variable was changed")
    assert "net/logits/weights" in str(err) and "net/logits/biases" in str(err)
    assert len(err.problems) == 2


def test_dtype_mismatch(setup):
    model, path, tmp = setup
    values = {n: tf.constant(tf.train.load_checkpoint(path).get_tensor(n))
              for n, _ in tf.train.list_variables(path)}
    values["net/conv1/weights"] = tf.cast(values["net/conv1/weights"],
                                          tf.float64)
    p = checkpoints.save_tf1_checkpoint(values, tmp / "f64")
    _unchanged(model, lambda: checkpoints.restore(model, p), ValueError,
               "net/conv1/weights: dtype float32 != checkpoint .*float64")


def test_missing_names_with_suggestions(setup):
    model, path, _ = setup
    other = keras_model(scope="nett")
    err = _unchanged(other, lambda: checkpoints.restore(other, path),
                     checkpoints.CheckpointMismatchError,
                     "did you mean net/conv1/weights")
    assert len(err.problems) == len(other.weights)


@pytest.mark.parametrize("fn,match", [
    (lambda p: 1 / 0, "name_map raised ZeroDivisionError"),
    (lambda p: None, "name_map must return a non-empty str"),
    (lambda p: b"bytes", "returned b'bytes'"),
])
def test_bad_name_map_callable(setup, fn, match):
    model, path, _ = setup
    _unchanged(model, lambda: checkpoints.restore(model, path, name_map=fn),
               ValueError, match)


def test_bad_argument_types(setup):
    model, path, _ = setup
    _unchanged(model, lambda: checkpoints.restore(model, path, name_map=3),
               TypeError, "name_map")
    _unchanged(model, lambda: checkpoints.restore(model, path,
                                                  label_offset="1"),
               TypeError, "label_offset")
    _unchanged(model, lambda: checkpoints.restore("model", path),
               TypeError, "model_or_variables")
    _unchanged(model, lambda: checkpoints.restore(model, path, exclude=[3]),
               TypeError, "exclude")


def test_include_exclude_matching_nothing_warns(setup):
    model, path, _ = setup
    with pytest.warns(UserWarning, match=r"'net/logit'.*did you mean "
                      r"'net/logits'"):
        report = checkpoints.restore(model, path, exclude=["net/logit"])
    assert report.excluded == []
    with pytest.warns(UserWarning, match="`include` pattern"):
        checkpoints.restore(model, path, include="re:^nothing$")


def test_checkpoint_of_another_net_names_both(setup):
    import keras

    import slimkeras as slim
    from slimkeras.nets import lenet

    _, path, _ = setup
    inp = keras.Input((28, 28, 1))
    with slim.name_registry():
        logits, _ = lenet.lenet(inp, num_classes=3)
    other = keras.Model(inp, logits)
    err = _unchanged(other, lambda: checkpoints.restore(other, path),
                     checkpoints.CheckpointMismatchError,
                     r"checkpoint's variables are under \['net'\], the "
                     r"model's under \['LeNet'\]")
    assert "number of classes" not in str(err)
    # ignore_missing_vars cannot turn this into a silent no-op.
    err = _unchanged(other, lambda: checkpoints.restore(
        other, path, ignore_missing_vars=True),
        checkpoints.CheckpointMismatchError, "nothing would be restored")
    assert "under ['LeNet']" in str(err)


def _conv_net(width):
    import keras

    import slimkeras as slim
    from tests.checkpoints.helpers import BN, X

    inp = keras.Input(X.shape[1:])
    with slim.name_registry(), slim.variable_scope("net"):
        x = slim.conv2d(inp, width, [3, 3], normalizer_fn=slim.batch_norm,
                        normalizer_params=BN, scope="conv1")
        x = slim.fully_connected(slim.flatten(x), 3, activation_fn=None,
                                 scope="logits")
    return keras.Model(inp, x)


def test_classes_hint_only_where_the_class_axis_differs(setup):
    _, path, _ = setup
    five = keras_model(num_classes=5)
    err = _unchanged(five, lambda: checkpoints.restore(five, path),
                     checkpoints.CheckpointMismatchError,
                     r"hint: the number of classes differs \(model 5, "
                     r"checkpoint 3\): exclude=\['net/logits'\]")
    assert "label_offset" not in str(err)
    four = keras_model(num_classes=4)
    _unchanged(four, lambda: checkpoints.restore(four, path),
               checkpoints.CheckpointMismatchError,
               "or label_offset=-1 for the background class")
    wider = _conv_net(8)  # conv1 4 -> 8 filters: not a class axis
    err = _unchanged(wider, lambda: checkpoints.restore(wider, path),
                     checkpoints.CheckpointMismatchError, "conv1/weights")
    assert "number of classes" not in str(err)


def test_ignore_missing_vars_restoring_a_small_part_warns(setup):
    model, path, _ = setup
    import slimkeras as slim

    with slim.variable_scope("extra"):
        extra = [slim.model_variable(f"w{i}", shape=[2]) for i in range(20)]
    with pytest.warns(UserWarning, match=r"restores only 1 of 21 variables"):
        report = checkpoints.restore(model.weights[:1] + extra, path,
                                     ignore_missing_vars=True)
    assert len(report.restored) == 1


def test_exclude_without_net_scope_suggests_it(setup):
    """Issue 17: exclude=['fc6'] where the scope is 'vgg_16/fc6'."""
    model, path, _ = setup
    with pytest.warns(UserWarning, match=r"'logits' \(did you mean "
                                         r"'net/logits'"):
        checkpoints.restore(model, path, exclude=["logits"], strict=False)
