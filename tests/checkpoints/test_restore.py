"""restore(): round trips with the original tf-slim, partial restores,
training-state entries, EMA, name maps, reshape and label_offset."""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import checkpoints
from tests.checkpoints.helpers import (
    X,
    keras_model,
    randomize,
    slim_checkpoint,
    snapshot,
)

TOL = dict(rtol=1e-5, atol=1e-5)  # float32, same CPU kernels


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    path = tmp_path_factory.mktemp("plain") / "model.ckpt"
    logits, values = slim_checkpoint(path)
    return str(path), logits, values


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    path = tmp_path_factory.mktemp("train") / "model.ckpt-7"
    logits, values = slim_checkpoint(path, training_state=True)
    return str(path), logits, values


def test_tf_slim_to_slimkeras_same_outputs(plain):
    path, ref, values = plain
    model = keras_model()
    report = checkpoints.restore(model, path)
    assert sorted(report.restored) == sorted(values)
    assert not (report.missing or report.unexpected or report.errors)
    np.testing.assert_allclose(model(X), ref, **TOL)
    assert "restored" in str(report) and "net/conv1/weights" in str(report)


def test_directory_path_uses_latest(plain):
    path, ref, _ = plain
    model = keras_model()
    checkpoints.restore(model, path.rsplit("/", 1)[0])
    np.testing.assert_allclose(model(X), ref, **TOL)


def test_partial_restore_excluding_logits(plain):
    path, _, values = plain
    model = keras_model(num_classes=5)
    fresh = {v.path: np.array(v) for v in model.weights}
    report = checkpoints.restore(model, path, exclude=["net/logits"])
    assert report.excluded == ["net/logits/weights", "net/logits/biases"]
    assert sorted(report.excluded_in_checkpoint) == [
        "net/logits/biases", "net/logits/weights"]
    assert report.unexpected == [] and report.errors == []
    for v in model.weights:
        if v.path.startswith("net/logits/"):
            np.testing.assert_array_equal(v, fresh[v.path])
        else:
            np.testing.assert_array_equal(v, values[v.path])


def test_training_state_entries_are_skipped(training):
    path, ref, values = training
    model = keras_model()
    report = checkpoints.restore(model, path)
    assert report.skipped["global_step"] == ["global_step"]
    assert "net/logits/weights/Momentum" in report.skipped["optimizer"]
    assert "net/conv1/weights/ExponentialMovingAverage" in report.skipped[
        "ema"]
    assert report.unexpected == [] and report.errors == []
    np.testing.assert_allclose(model(X), ref, **TOL)


def test_use_moving_averages_takes_ema_values(training):
    path, _, values = training
    model = keras_model()
    report = checkpoints.restore(model, path, use_moving_averages=True)
    for v in model.weights:
        ema = v.path + "/ExponentialMovingAverage"
        want = values[ema] if ema in values else values[v.path]
        np.testing.assert_array_equal(v, want)
    # moving statistics are not averaged by tf.train.ExponentialMovingAverage
    # of trainable variables: they come from their own entries.
    assert "net/conv1/BatchNorm/moving_mean" not in report.from_moving_average
    assert "net/conv1/weights" in report.from_moving_average
    assert report.skipped["ema"] == []


def test_name_map_dict_and_callable(tmp_path):
    path = tmp_path / "vgg"
    # The checkpoint names are the original's under scope 'vgg16'.
    _, values = slim_checkpoint(path, num_classes=3)
    src = {k: k.replace("net/", "vgg16/") for k in values}
    renamed = {src[k]: tf.constant(v) for k, v in values.items()}
    tf.raw_ops.SaveV2(prefix=str(tmp_path / "renamed"),
                      tensor_names=list(renamed), shape_and_slices=[""] * len(
                          renamed), tensors=list(renamed.values()))
    m1 = keras_model()
    r1 = checkpoints.restore(m1, tmp_path / "renamed", name_map=src)
    assert r1.sources["net/conv1/weights"] == "vgg16/conv1/weights"
    m2 = keras_model()
    checkpoints.restore(m2, tmp_path / "renamed",
                        name_map=lambda p: "vgg16/" + p.split("/", 1)[1])
    for a, b in zip(m1.weights, m2.weights):
        np.testing.assert_array_equal(a, values[a.path])
        np.testing.assert_array_equal(b, values[b.path])


def test_reshape_variables(tmp_path):
    model = keras_model()
    randomize(model)
    w = model.get_layer("net.logits").weights[0]
    flat = {"net/logits/weights": tf.reshape(w.value, [-1, 1])}
    path = slim.checkpoints.save_tf1_checkpoint(flat, tmp_path / "flat")
    w.assign(np.zeros(w.shape, "float32"))
    with pytest.raises(ValueError, match="shape"):
        checkpoints.restore([w], path)
    report = checkpoints.restore([w], path, reshape_variables=True)
    assert report.reshaped == ["net/logits/weights"]
    np.testing.assert_array_equal(np.array(w).reshape(-1, 1), flat[
        "net/logits/weights"])


def test_label_offset_1001_to_1000_and_back(tmp_path):
    big = keras_model(num_classes=6)
    randomize(big)
    path = checkpoints.save_tf1_checkpoint(big, tmp_path / "big")
    small = keras_model(num_classes=5)
    with pytest.raises(ValueError, match="label_offset=1"):
        checkpoints.restore(small, path)
    report = checkpoints.restore(small, path, label_offset=1)
    assert sorted(report.label_offset_applied) == [
        "net/logits/biases", "net/logits/weights"]
    bw, bb = big.get_layer("net.logits").weights
    sw, sb = small.get_layer("net.logits").weights
    np.testing.assert_array_equal(sw, np.array(bw)[:, 1:])
    np.testing.assert_array_equal(sb, np.array(bb)[1:])
    np.testing.assert_allclose(small(X), np.array(big(X))[:, 1:], **TOL)
    # Reverse: 5 -> 6 keeps the background column's current values.
    big2 = keras_model(num_classes=6)
    keep = np.array(big2.get_layer("net.logits").weights[0])[:, :1]
    small_path = checkpoints.save_tf1_checkpoint(small, tmp_path / "small")
    checkpoints.restore(big2, small_path, label_offset=-1)
    w2 = np.array(big2.get_layer("net.logits").weights[0])
    np.testing.assert_array_equal(w2[:, :1], keep)
    np.testing.assert_array_equal(w2[:, 1:], sw)


def test_include_and_explicit_dict(plain):
    path, _, values = plain
    model = keras_model()
    report = checkpoints.restore(model, path, include="net/conv1/BatchNorm")
    assert sorted(report.restored) == sorted(
        k for k in values if "BatchNorm" in k)
    w = model.get_layer("net.logits").weights[0]
    report = slim.assign_from_checkpoint(path, {"net/logits/weights": w})
    np.testing.assert_array_equal(w, values["net/logits/weights"])


def test_assign_from_checkpoint_fn(plain):
    path, ref, _ = plain
    model = keras_model()
    init_fn = slim.assign_from_checkpoint_fn(path, model.weights)
    report = init_fn()
    np.testing.assert_allclose(model(X), ref, **TOL)
    assert len(report.restored) == len(model.weights)
    init_fn("a session is accepted and ignored")
    with pytest.raises(ValueError, match="empty"):
        slim.assign_from_checkpoint_fn(path, [])
    extra = slim.variable("nowhere", shape=[2])
    with pytest.warns(UserWarning, match="No variables"):
        assert slim.assign_from_checkpoint_fn(
            path, [extra], ignore_missing_vars=True) is None


def test_ignore_missing_and_non_strict(plain):
    path, _, values = plain
    model = keras_model(num_classes=5)
    report = checkpoints.restore(model, path, strict=False)
    assert sorted(p for p, *_ in report.shape_mismatched) == [
        "net/logits/biases", "net/logits/weights"]
    assert len(report.errors) == 2
    np.testing.assert_array_equal(
        model.get_layer("net.conv1").weights[0], values["net/conv1/weights"])
    with slim.variable_scope("extra"):
        v = slim.model_variable("w", shape=[2])
    report = checkpoints.restore(model.weights[:4] + [v], path,
                                 ignore_missing_vars=True)
    assert report.missing == ["extra/w"] and report.ok
    assert len(report.restored) == 4
    # Restoring nothing at all is an error, not a silent success (issue 15).
    with pytest.raises(checkpoints.CheckpointMismatchError,
                       match="nothing would be restored"):
        checkpoints.restore([v], path, ignore_missing_vars=True)


def test_dry_run_changes_nothing(plain):
    path, _, values = plain
    model = keras_model()
    before = snapshot(model)
    report = checkpoints.restore(model, path, dry_run=True)
    assert report.dry_run and sorted(report.restored) == sorted(values)
    assert snapshot(model) == before


def test_golden_cifarnet_checkpoint(golden_dir):
    """A checkpoint written by the original research/slim cifarnet."""
    from slimkeras import nets

    if "cifarnet" not in nets.list_nets():
        pytest.skip("cifarnet is not registered yet")
    gold = np.load(golden_dir / "cifarnet" / "golden.npz")
    model = nets.create_model("cifarnet", is_training=False)
    report = checkpoints.restore(model, golden_dir / "cifarnet")
    assert report.ok and not report.missing and not report.unexpected
    # README of ../shared/golden: rtol=atol=1e-4 for float32.
    np.testing.assert_allclose(model(gold["input"]), gold["logits"],
                               rtol=1e-4, atol=1e-4)
