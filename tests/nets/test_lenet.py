"""LeNet against the golden manifest and the ORIGINAL's outputs.

research/slim's lenet is not pip-installable: ../shared/golden/lenet has a
checkpoint and the logits/end points the original computed from it.
Loaded by name, ours must match within the noise-floor tolerance of
tests/noise_floor.py (float32).
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import lenet
from tests import oracle
from tests.nets import net_checks as nc
from tests.noise_floor import assert_close, load_noise_floor

NAME, LOGITS = "lenet", "LeNet/fc4"


def _golden(golden_dir):
    data = np.load(golden_dir / NAME / "golden.npz")
    return {k: data[k] for k in data.files}, str(golden_dir / NAME /
                                                  "model.ckpt")


def test_names_and_shapes_match_manifest(golden_dir):
    nc.check_manifest(nc.load_manifest(golden_dir, NAME), lenet.lenet,
                      lenet.lenet_arg_scope)


def test_matches_golden_outputs(golden_dir):
    data, ckpt = _golden(golden_dir)
    x = data["input"]
    model, _, _ = nc.build_functional(lenet.lenet, lenet.lenet_arg_scope,
                                      x.shape[1:], is_training=False)
    oracle.load_by_name(model, ckpt, strict=True)
    logits, eps = model(x, training=False)
    noise = load_noise_floor(NAME, golden_dir)
    assert_close(logits, data["logits"], noise.tolerance(), "logits")
    keys = [k.split("/", 1)[1] for k in data if k.startswith("end_points/")]
    assert keys
    for key in keys:
        assert_close(eps[key], data["end_points/" + key],
                     noise.tolerance(key), key)


def test_features_only():
    _, feats, eps = nc.build_functional(lenet.lenet, lenet.lenet_arg_scope,
                                        (28, 28, 1), num_classes=None)
    assert tuple(feats.shape) == (None, 1024)
    assert list(eps) == ["conv1", "pool1", "conv2", "pool2", "Flatten", "fc3"]


def test_keras_lifecycle(tmp_path):
    model = slim.nets.create_model(NAME, num_classes=10, weight_decay=1e-4)
    assert len(model.losses) == 4
    x = nc.random_images((4, 28, 28, 1))
    nc.check_keras_lifecycle(model, x, np.array([0, 1, 2, 3]), tmp_path)


def test_fine_tune(golden_dir):
    _, ckpt = _golden(golden_dir)

    def make(num_classes):
        return slim.nets.create_model(NAME, num_classes=num_classes,
                                      dropout_keep_prob=1.0)

    x = nc.random_images((8, 28, 28, 1))
    report = nc.check_fine_tune(make, ckpt, (LOGITS,), x, np.arange(8) % 5,
                                learning_rate=1e-3)
    assert report["restored"] == 6


def test_bad_num_classes():
    with pytest.raises(ValueError, match="num_classes"):
        lenet.lenet(np.zeros((1, 28, 28, 1), "float32"), num_classes=2.5)
