"""PNASNet-5 against the golden reference of the original and its tests.

Reference: ``../shared/golden/pnasnet_large`` (research/slim
``nets/nasnet/pnasnet.build_pnasnet_large`` with ``is_training=False`` in
``pnasnet_large_arg_scope()``, ``large_imagenet_config()`` with
num_cells=4, num_conv_filters=16, 2x96x96x3). Tolerance: no
``noise_onednn_off.json`` exists for this case, so the README floor: per
tensor max |d| <= 1e-4, mean |d| <= 1e-5. ``pnasnet_mobile`` has no golden
outputs: its shapes and end points are checked against research/slim's
``pnasnet_test.py`` (full size: ``slow``) and the width rules.
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets.nasnet import pnasnet
from tests.nets import net_checks as nc
from tests.nets.test_nasnet import build, golden_case


@pytest.mark.slow
def test_golden_pnasnet_large(golden_dir):
    golden_case(golden_dir, "pnasnet_large", pnasnet)


def test_configs_are_research_slim_values():
    large = pnasnet.large_imagenet_config()
    assert large.values() == {
        "stem_multiplier": 3.0, "dense_dropout_keep_prob": 0.5,
        "num_cells": 12, "filter_scaling_rate": 2.0,
        "num_conv_filters": 216, "drop_path_keep_prob": 0.6,
        "use_aux_head": 1, "num_reduction_layers": 2, "data_format": "NHWC",
        "skip_reduction_layer_input": 1, "total_training_steps": 250000,
        "use_bounded_activation": False}
    mobile = pnasnet.mobile_imagenet_config()
    assert (mobile.num_cells, mobile.num_conv_filters,
            mobile.stem_multiplier, mobile.drop_path_keep_prob) == (
                9, 54, 1.0, 1.0)


def test_mobile_small_end_points_follow_width_rules():
    cfg = pnasnet.mobile_imagenet_config().replace(num_cells=3,
                                                  num_conv_filters=8)
    _, _, eps, created = build(
        pnasnet.build_pnasnet_mobile, pnasnet.pnasnet_mobile_arg_scope,
        (96, 96, 3), 2, stateless=True, config=cfg, num_classes=7,
        is_training=True)
    # 5 concatenated states of F * scaling; cells 1, 2 reduce (stride 2)
    want = {"Stem": [2, 12, 12, 20], "Cell_0": [2, 12, 12, 40],
            "Cell_1": [2, 6, 6, 80], "AuxLogits": [2, 7],
            "Cell_2": [2, 3, 3, 160], "global_pool": [2, 160],
            "Logits": [2, 7], "Predictions": [2, 7]}
    assert {k: list(v.shape) for k, v in eps.items()} == want
    assert list(eps) == list(want)
    paths = [v.path for v in created]
    assert paths[:2] == ["conv0/weights", "conv0_bn/gamma"]
    assert not any(p.startswith("reduction_cell") for p in paths)
    assert "cell_1/comb_iter_0/left/separable_5x5_1/depthwise_weights" in (
        paths)
    assert "aux_1/aux_logits/FC/weights" in paths
    assert paths[-2:] == ["final_layer/FC/weights", "final_layer/FC/biases"]


def test_final_endpoint_and_pre_logits():
    cfg = pnasnet.mobile_imagenet_config().replace(num_cells=3,
                                                  num_conv_filters=8)
    _, net, eps, _ = build(
        pnasnet.build_pnasnet_mobile, pnasnet.pnasnet_mobile_arg_scope,
        (64, 64, 3), 2, stateless=True, config=cfg, final_endpoint="Cell_0")
    assert list(eps) == ["Stem", "Cell_0"] and net is eps["Cell_0"]
    _, net, eps, _ = build(
        pnasnet.build_pnasnet_mobile, pnasnet.pnasnet_mobile_arg_scope,
        (64, 64, 3), 2, stateless=True, config=cfg, num_classes=0,
        is_training=False)
    assert list(net.shape) == [2, 160] and list(eps)[-1] == "global_pool"
    with pytest.raises(ValueError, match="final_endpoint"):
        build(pnasnet.build_pnasnet_mobile,
              pnasnet.pnasnet_mobile_arg_scope, (64, 64, 3),
              final_endpoint="Reduction_Cell_0")


def test_registry_entries():
    for name, size in (("pnasnet_large", 331), ("pnasnet_mobile", 224)):
        spec = slim.nets.get_net(name)
        assert (spec.default_image_size, spec.num_classes,
                spec.preprocessing) == (size, 1001, "inception")
        assert spec.fn.default_image_size == size
    assert slim.nets.get_net("pnasnet_large").logits_scopes == (
        "final_layer/FC", "aux_7/aux_logits/FC")
    assert slim.nets.get_net("pnasnet_mobile").logits_scopes == (
        "final_layer/FC", "aux_5/aux_logits/FC")


@pytest.mark.slow
def test_keras_lifecycle(tmp_path):
    cfg = pnasnet.mobile_imagenet_config().replace(
        num_cells=3, num_conv_filters=8, use_aux_head=0,
        drop_path_keep_prob=0.7)
    model = slim.nets.create_model("pnasnet_mobile", num_classes=5,
                                   input_shape=(64, 64, 3), config=cfg)
    x = nc.random_images((4, 64, 64, 3))
    nc.check_keras_lifecycle(model, x, np.array([0, 1, 2, 3]), tmp_path,
                             jit=False)


@pytest.mark.slow
def test_fine_tune_from_golden_checkpoint(golden_dir):
    ckpt = str(golden_dir / "pnasnet_large" / "model.ckpt")
    cfg = pnasnet.large_imagenet_config().replace(num_cells=4,
                                                 num_conv_filters=16)

    def make_model(num_classes):
        return slim.nets.create_model(
            "pnasnet_large", num_classes=num_classes,
            input_shape=(64, 64, 3), is_training=False, config=cfg)

    x = nc.random_images((4, 64, 64, 3), seed=1)
    y = np.array([0, 1, 2, 4])
    # is_training=False: no aux head, so only final_layer/FC is excluded
    report = nc.check_fine_tune(make_model, ckpt, ("final_layer/FC",), x, y,
                                learning_rate=1e-4)
    n = len(nc.load_manifest(golden_dir, "pnasnet_large")["model_variables"])
    assert report["restored"] == n - 2  # all but final_layer/FC


@pytest.mark.slow
@pytest.mark.parametrize("fn,scope,size,shapes", [
    (pnasnet.build_pnasnet_large, pnasnet.pnasnet_large_arg_scope, 331,
     {"Stem": [42, 42, 540], "Cell_3": [42, 42, 1080],
      "Cell_4": [21, 21, 2160], "Cell_8": [11, 11, 4320],
      "Cell_11": [11, 11, 4320], "global_pool": [4320]}),
    (pnasnet.build_pnasnet_mobile, pnasnet.pnasnet_mobile_arg_scope, 224,
     {"Stem": [28, 28, 135], "Cell_2": [28, 28, 270],
      "Cell_3": [14, 14, 540], "Cell_6": [7, 7, 1080],
      "Cell_8": [7, 7, 1080], "global_pool": [1080]}),
])
def test_full_size_end_points_as_research_slim_test(fn, scope, size, shapes):
    # research/slim pnasnet_test.py testAllEndPointsShapes*Model (batch 5)
    model, _, eps, _ = build(fn, scope, (size, size, 3), 5, stateless=True,
                             num_classes=1000, is_training=True)
    assert len(eps) == (17 if size == 331 else 14)
    # testBuildNonExistingLayer*Model
    paths = {v.path for v in model.weights}
    assert "cell_stem_0/1x1/weights" in paths
    assert "cell_stem_1/comb_iter_0/right/1x1/weights" not in paths
    for k, v in shapes.items():
        assert list(eps[k].shape) == [5, *v], k
    for k in ("AuxLogits", "Logits", "Predictions"):
        assert list(eps[k].shape) == [5, 1000]
