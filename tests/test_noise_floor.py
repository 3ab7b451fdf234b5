"""The noise-floor tolerance (tests/noise_floor.py) and that it still bites.

The golden tolerances were raised to the original's own float32 noise
(oneDNN on vs off) so that another CPU does not fail them. These tests
show the rule is read from the noise files, and that a real mismatch —
one batch norm's epsilon 1e-5 instead of slim's 1e-3 (the resnet scope's
value in an inception/mobilenet scope), a plausible porting bug — still
fails it at the end points after that layer while the faithful model
passes.
"""

import numpy as np
import pytest

from slimkeras import checkpoints
from slimkeras.nets import mobilenet_v1 as mv1
from tests.nets import net_checks as nc
from tests.noise_floor import (
    MAX_FLOOR,
    MEAN_FLOOR,
    NoiseFloor,
    Tolerance,
    assert_close,
    load_noise_floor,
)

NET = "mobilenet_v1"


def test_tolerance_is_three_times_the_noise_with_floors(golden_dir):
    noise = load_noise_floor(NET, golden_dir)
    assert noise.path and noise.end_points
    raw_max, raw_mean = noise.end_points["Conv2d_13_pointwise"]
    tol = noise.tolerance("Conv2d_13_pointwise")
    assert tol.atol == pytest.approx(3 * raw_max)  # 1.8e-4 -> 5.3e-4
    assert tol.mean == max(MEAN_FLOOR, 3 * raw_mean)
    # A shallow end point's noise is far below the floor: the floor holds.
    assert noise.tolerance("Conv2d_0").atol == MAX_FLOOR
    # Unknown keys and nets without a file fall back to the floors.
    assert noise.tolerance("no_such_end_point") == Tolerance()
    empty = load_noise_floor("no_such_net", golden_dir)
    assert empty == NoiseFloor("no_such_net")
    assert empty.tolerance() == Tolerance()


def test_assert_close_checks_max_and_mean():
    ref = np.zeros((1000,))
    tol = Tolerance(atol=1e-4, mean=1e-5)
    assert_close(ref + 9e-6, ref, tol)
    one_spike = ref.copy()
    one_spike[0] = 2e-4
    with pytest.raises(AssertionError):
        assert_close(one_spike, ref, tol)  # max
    with pytest.raises(AssertionError, match="mean"):
        assert_close(ref + 2e-5, ref, tol)  # every element small, mean not
    with pytest.raises(AssertionError):
        assert_close(ref[:10], ref, tol)  # shape


def _bn_layers(model):
    found = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        scope = getattr(layer, "full_scope", None)
        if type(layer).__name__ == "BatchNorm" and scope:
            found[scope] = layer
    return found


def test_one_wrong_batch_norm_epsilon_fails_the_golden_check(golden_dir):
    g = golden_dir / NET
    data = np.load(g / "golden.npz")
    model, _, _ = nc.build_functional(
        mv1.mobilenet_v1, mv1.mobilenet_v1_arg_scope, (224, 224, 3),
        arg_scope_kwargs={"is_training": False}, num_classes=1001)
    checkpoints.restore(model, str(g / "model.ckpt"))
    noise = load_noise_floor(NET, golden_dir)
    x = data["input"]

    def check(eps, logits):
        assert_close(logits, data["logits"], noise.tolerance(), "logits")
        for key in ("Conv2d_8_depthwise", "Conv2d_10_pointwise"):
            assert_close(eps[key], data["end_points/" + key],
                         noise.tolerance(key), key)

    logits, eps = model(x, training=False)
    check(eps, logits)  # faithful: within the noise floor

    bns = _bn_layers(model)
    target = "MobilenetV1/Conv2d_7_pointwise/BatchNorm"
    assert target in bns, sorted(bns)[:5]
    assert bns[target].epsilon == pytest.approx(1e-3)
    bns[target].epsilon = 1e-5
    try:
        bad_logits, bad_eps = model(x, training=False)
        # Before the perturbed layer nothing moved ...
        assert_close(bad_eps["Conv2d_5_pointwise"],
                     data["end_points/Conv2d_5_pointwise"],
                     noise.tolerance("Conv2d_5_pointwise"))
        # ... after it the same check fails.
        with pytest.raises(AssertionError):
            check(bad_eps, bad_logits)
    finally:
        bns[target].epsilon = 1e-3
