"""CifarNet (with LRN) against the golden manifest, outputs and tf.nn.lrn.

research/slim's cifarnet is not pip-installable: ../shared/golden/cifarnet
has a checkpoint and the logits/end points the original computed from it.
Loaded by name, ours must match within the noise-floor tolerance of
tests/noise_floor.py (float32). The LRN is also checked alone against
``tf.nn.lrn`` (the op slim called).
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras.nets import cifarnet
from tests import oracle
from tests.nets import net_checks as nc
from tests.noise_floor import assert_close, load_noise_floor

NAME, LOGITS = "cifarnet", "CifarNet/logits"


def _golden(golden_dir):
    data = np.load(golden_dir / NAME / "golden.npz")
    return {k: data[k] for k in data.files}, str(golden_dir / NAME /
                                                  "model.ckpt")


@pytest.mark.parametrize("radius,bias,alpha,beta,channels", [
    (4, 1.0, 0.001 / 9.0, 0.75, 64),  # cifarnet's
    (5, 1.0, 1.0, 0.5, 7),  # tf.nn.lrn defaults, window wider than C/2
    (2, 2.0, 1e-2, 0.75, 16),
    (0, 0.5, 0.3, 1.0, 3),
])
def test_lrn_matches_tf_nn_lrn(radius, bias, alpha, beta, channels):
    x = np.random.default_rng(0).normal(
        0, 3, (2, 5, 4, channels)).astype("float32")
    ref = tf.nn.lrn(x, radius, bias=bias, alpha=alpha, beta=beta)
    got = cifarnet.lrn(x, radius, bias, alpha, beta)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_lrn_rejects_bad_radius():
    with pytest.raises(ValueError, match="depth_radius"):
        cifarnet.LocalResponseNormalization(depth_radius=-1)


def test_names_and_shapes_match_manifest(golden_dir):
    nc.check_manifest(nc.load_manifest(golden_dir, NAME), cifarnet.cifarnet,
                      cifarnet.cifarnet_arg_scope)


def test_matches_golden_outputs(golden_dir):
    data, ckpt = _golden(golden_dir)
    x = data["input"]
    model, _, _ = nc.build_functional(cifarnet.cifarnet,
                                      cifarnet.cifarnet_arg_scope,
                                      x.shape[1:], is_training=False)
    oracle.load_by_name(model, ckpt, strict=True)
    logits, eps = model(x, training=False)
    noise = load_noise_floor(NAME, golden_dir)
    assert_close(logits, data["logits"], noise.tolerance(), "logits")
    keys = [k.split("/", 1)[1] for k in data if k.startswith("end_points/")]
    assert "pool2" in keys  # after both LRNs
    for key in keys:
        assert_close(eps[key], data["end_points/" + key],
                     noise.tolerance(key), key)


def test_features_only():
    _, feats, eps = nc.build_functional(
        cifarnet.cifarnet, cifarnet.cifarnet_arg_scope, (32, 32, 3),
        num_classes=0)
    assert tuple(feats.shape) == (None, 192)
    assert list(eps)[-1] == "fc4"


def test_keras_lifecycle(tmp_path):
    model = slim.nets.create_model(NAME, num_classes=10, weight_decay=0.004)
    assert len(model.losses) == 2  # fc3, fc4 (logits: no regularizer)
    x = nc.random_images((4, 32, 32, 3))
    nc.check_keras_lifecycle(model, x, np.array([0, 1, 2, 3]), tmp_path)


def test_fine_tune(golden_dir):
    _, ckpt = _golden(golden_dir)

    def make(num_classes):
        return slim.nets.create_model(NAME, num_classes=num_classes,
                                      dropout_keep_prob=1.0)

    x = nc.random_images((8, 32, 32, 3))
    report = nc.check_fine_tune(make, ckpt, (LOGITS,), x, np.arange(8) % 5,
                                learning_rate=1e-3)
    assert report["restored"] == 8
