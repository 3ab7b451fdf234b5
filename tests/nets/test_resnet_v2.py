"""ResNet v2 against the golden manifest and the original tf_slim (graph).

Runs the family checks of test_resnet_v1.FamilyChecks for v2 (manifest,
numerics vs the original at small sizes incl. output_stride 8/16,
global_pool=False, num_classes=None, no root block, a training step's
moving statistics, Keras life cycle, fine-tuning) plus v2 specifics.
"""

from __future__ import annotations

import keras

from slimkeras.nets import resnet_utils, resnet_v2
from tests.nets import net_checks
from tests.nets.test_resnet_v1 import (
    FamilyChecks,
    resnet50_ckpt,  # noqa: F401 (fixture)
)


class TestResnetV2(FamilyChecks):
    VERSION = 2
    MANIFESTS = ("resnet_v2_50",)

    def test_v2_preact_shortcut_and_postnorm(self):
        """v2 specifics: conv1 without BN (biases), a shortcut conv with
        biases on ``preact``, ``postnorm`` present but not an end point."""
        with keras.StatelessScope():
            model, _, eps = net_checks.build_functional(
                resnet_v2.resnet_v2_50, resnet_utils.resnet_arg_scope,
                (64, 64, 3), num_classes=3)
        paths = {v.path for v in model.weights}
        assert "resnet_v2_50/conv1/biases" in paths
        assert "resnet_v2_50/conv1/BatchNorm/gamma" not in paths
        unit = "resnet_v2_50/block1/unit_1/bottleneck_v2"
        assert f"{unit}/shortcut/biases" in paths
        assert f"{unit}/preact/gamma" in paths
        assert "resnet_v2_50/postnorm/moving_variance" in paths
        assert not any("postnorm" in k or "preact" in k for k in eps)
