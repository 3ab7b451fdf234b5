"""ResNet v1 against the golden manifests and the original tf_slim (graph).

The checks are written once in :class:`FamilyChecks` for a ResNet family
and run here for v1 (``TestResnetV1``) and in test_resnet_v2.py for v2.
Numerics: the noise-floor rule of tests/noise_floor.py (resnet_v<k>_50's
own oneDNN on/off noise for the 50-layer nets, the 1e-4 / 1e-5 floors for
the tiny ones) from one calibrated checkpoint (see
test_resnet_utils.compare_resnet), at sizes CI can afford; full-size 224
numerics are marked slow.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import nets
from slimkeras.nets import resnet_utils, resnet_v1, resnet_v2
from tests import oracle
from tests.nets import net_checks
from tests.nets.test_resnet_utils import (
    build_in_creation_order,
    check_manifest_in_creation_order,
    compare_resnet,
    images,
    slim_nets,
)

# Tiny variants of each net: the same code path (root block, bottlenecks
# with conv and subsample shortcuts, strides in the last unit) with few
# channels; nominal output stride 32.
TINY_UNITS = ((1, 2, 2), (2, 1, 2), (4, 2, 2), (8, 1, 1))

TINY_CASES = [
    # (input side, net kwargs)
    (32, dict(num_classes=7)),
    (33, dict(num_classes=7, output_stride=8, global_pool=False)),
    (33, dict(num_classes=7, output_stride=16)),
    (40, dict(num_classes=None, global_pool=False)),
    (37, dict(num_classes=None, output_stride=8)),
]


class FamilyChecks:
    """Checks of one ResNet family; subclasses set VERSION/MANIFESTS."""

    VERSION = 1
    MANIFESTS: tuple[str, ...] = ()

    # ----- the two implementations ------------------------------------
    @property
    def ours(self):
        return {1: resnet_v1, 2: resnet_v2}[self.VERSION]

    @property
    def orig(self):
        return slim_nets()[self.VERSION]

    def name(self, depth: int) -> str:
        return f"resnet_v{self.VERSION}_{depth}"

    def tiny(self, module, images_, **kwargs):
        block = getattr(module, f"resnet_v{self.VERSION}_block")
        blocks = [block(f"block{i + 1}", d, n, s)
                  for i, (d, n, s) in enumerate(TINY_UNITS)]
        gen = getattr(module, f"resnet_v{self.VERSION}")
        kwargs.setdefault("scope", "tiny")
        return gen(images_, blocks, **kwargs)

    # ----- names and shapes -------------------------------------------
    def test_manifests(self, golden_dir):
        for net in self.MANIFESTS:
            manifest = net_checks.load_manifest(golden_dir, net)
            assert manifest["module"] == f"tf_slim.nets.resnet_v{self.VERSION}"
            assert manifest["arg_scope"]["fn"] == "resnet_arg_scope"
            check_manifest_in_creation_order(manifest,
                                             getattr(self.ours, net))

    def test_registry_entries(self):
        for depth in (50, 101, 152, 200):
            spec = nets.get_net(self.name(depth))
            assert spec.fn is getattr(self.ours, self.name(depth))
            assert spec.default_image_size == 224
            # The published checkpoints: v1 1000 classes, v2 1001.
            assert spec.num_classes == (1000 if self.VERSION == 1 else 1001)
            assert spec.logits_scopes == (f"{self.name(depth)}/logits",)
            assert spec.preprocessing == "vgg"
            assert spec.arg_scope is resnet_utils.resnet_arg_scope

    @pytest.mark.slow  # the original takes ~40 s to build these graphs
    @pytest.mark.parametrize("depth", [152, 200])
    def test_deep_variants_match_original_names(self, depth):
        """Variable names/shapes in order vs the original (no manifest)."""
        fn = getattr(self.orig, self.name(depth))

        def build(x):
            with oracle.import_tf_slim().arg_scope(
                    slim_nets()[0].resnet_arg_scope()):
                logits, eps = fn(x, 11, is_training=False)
            return {k: tf.shape(v) for k, v in eps.items()}

        x = np.zeros((1, 64, 64, 3), "float32")
        with tf.Graph().as_default():
            ph = tf.compat.v1.placeholder(tf.float32, x.shape)
            eps = build(ph)
            ref_vars = [(v.op.name, v.shape.as_list())
                        for v in tf.compat.v1.global_variables()]
            ref_eps = [(k, v) for k, v in eps.items()]
        variables, _, ours_eps = build_in_creation_order(
            getattr(self.ours, self.name(depth)), x.shape[1:], batch_size=1,
            num_classes=11, is_training=False)
        got_vars = [(v.path, list(v.shape)) for v in variables]
        assert got_vars == ref_vars
        assert list(ours_eps) == [k for k, _ in ref_eps]

    # ----- numerics vs the original -----------------------------------
    @pytest.mark.parametrize("side,kwargs", TINY_CASES)
    def test_tiny_matches_original(self, tmp_path, side, kwargs):
        x = images((2, side, side, 3), seed=side)
        compare_resnet(
            lambda t: self.tiny(self.orig, t, is_training=False, **kwargs),
            lambda t: self.tiny(self.ours, t, is_training=False, **kwargs),
            x, tmp_path)

    def test_tiny_without_root_block_matches_original(self, tmp_path):
        x = images((2, 12, 12, 8))
        kwargs = dict(num_classes=3, include_root_block=False,
                      output_stride=4, is_training=False)
        compare_resnet(lambda t: self.tiny(self.orig, t, **kwargs),
                       lambda t: self.tiny(self.ours, t, **kwargs),
                       x, tmp_path)

    def test_training_step_updates_moving_statistics_as_slim(self, tmp_path):
        """is_training=None follows training=True: batch statistics in the
        outputs, moving averages updated once (decay 0.997), as slim's
        UPDATE_OPS after one step with is_training=True."""
        x = images((4, 32, 32, 3), seed=3)
        compare_resnet(
            lambda t: self.tiny(self.orig, t, num_classes=5,
                                is_training=True),
            lambda t: self.tiny(self.ours, t, num_classes=5),
            x, tmp_path, train=True)

    def test_is_training_false_pins_inference(self, tmp_path):
        x = images((2, 32, 32, 3))
        model, _ = compare_resnet(
            lambda t: self.tiny(self.orig, t, num_classes=4,
                                is_training=False),
            lambda t: self.tiny(self.ours, t, num_classes=4,
                                is_training=False),
            x, tmp_path)
        before = [np.array(v) for v in model.weights]
        a = model(x, training=True)[0]
        b = model(x, training=False)[0]
        np.testing.assert_array_equal(a, b)
        for v, w in zip(model.weights, before):
            np.testing.assert_array_equal(np.array(v), w)

    def test_resnet_50_small_input_matches_original(self, resnet50_ckpt):
        assert resnet50_ckpt  # the fixture ran the comparison

    @pytest.mark.slow
    def test_resnet_50_full_size_matches_original(self, tmp_path):
        fn = self.name(50)
        x = images((2, 224, 224, 3))
        compare_resnet(
            lambda t: getattr(self.orig, fn)(t, 1000, is_training=False),
            lambda t: getattr(self.ours, fn)(t, 1000, is_training=False),
            x, tmp_path, noise=fn)

    # ----- arguments ----------------------------------------------------
    def test_bad_arguments_raise_like_the_original(self):
        x = keras.Input((32, 32, 3))
        with tf.Graph().as_default():
            ph = tf.compat.v1.placeholder(tf.float32, (1, 32, 32, 3))
            with pytest.raises(ValueError, match="output_stride"):
                self.tiny(self.orig, ph, output_stride=6)
        with slim.name_registry(), slim.arg_scope(
                resnet_utils.resnet_arg_scope()):
            with pytest.raises(ValueError, match="output_stride"):
                self.tiny(self.ours, x, output_stride=6)
            with pytest.raises(ValueError, match="output_stride"):
                self.tiny(self.ours, x, output_stride=64, scope="t2")
            with pytest.raises(ValueError, match="num_classes"):
                self.tiny(self.ours, x, num_classes=-3, scope="t3")
            with pytest.raises(TypeError, match="is_training"):
                self.tiny(self.ours, x, is_training="yes", scope="t4")

    def test_spatial_squeeze_option_and_eager_call(self):
        x = images((2, 32, 32, 3))
        with slim.name_registry(), slim.arg_scope(
                resnet_utils.resnet_arg_scope()):
            logits, eps = self.tiny(self.ours, x, num_classes=6,
                                    spatial_squeeze=True)
            default, _ = self.tiny(self.ours, x, num_classes=6, scope="d")
        assert tuple(logits.shape) == (2, 6)
        assert tuple(default.shape) == (2, 1, 1, 6)
        keys = list(eps)
        assert keys[-3:] == ["tiny/logits", "tiny/spatial_squeeze",
                             "predictions"]
        np.testing.assert_allclose(np.sum(eps["predictions"], -1), 1.0,
                                   rtol=1e-5)

    def test_reuse_shares_variables(self):
        with slim.name_registry(), slim.arg_scope(
                resnet_utils.resnet_arg_scope()):
            a = keras.Input((32, 32, 3))
            b = keras.Input((32, 32, 3))
            la, _ = self.tiny(self.ours, a, num_classes=3, scope="r")
            lb, _ = self.tiny(self.ours, b, num_classes=3, scope="r",
                              reuse=True)
        both = keras.Model([a, b], [la, lb])
        with slim.name_registry(), slim.arg_scope(
                resnet_utils.resnet_arg_scope()):
            single = keras.Model(a, self.tiny(self.ours, a, num_classes=3,
                                              scope="r")[0])
        assert [v.path for v in both.weights] == [
            v.path for v in single.weights]
        x = images((1, 32, 32, 3))
        out_a, out_b = both([x, x], training=False)
        np.testing.assert_allclose(out_a, out_b, rtol=1e-6, atol=1e-6)

    # ----- Keras life cycle and fine-tuning ---------------------------
    def test_keras_lifecycle(self, tmp_path):
        x = images((4, 32, 32, 3))
        y = np.array([0, 1, 2, 1])
        model, _, _ = net_checks.build_functional(
            lambda t, **kw: self.tiny(self.ours, t, **kw),
            resnet_utils.resnet_arg_scope, (32, 32, 3), outputs="logits",
            num_classes=3, spatial_squeeze=True)
        net_checks.check_keras_lifecycle(model, x, y, tmp_path)

    def test_fine_tune_tiny_from_checkpoint(self, tmp_path):
        """Restore all but ``tiny/logits`` (a 10-class checkpoint checked
        against the original) into a 5-class net; a few steps lower the
        loss."""
        x = images((4, 32, 32, 3), seed=7)
        _, ckpt = compare_resnet(
            lambda t: self.tiny(self.orig, t, num_classes=10,
                                is_training=False),
            lambda t: self.tiny(self.ours, t, num_classes=10,
                                is_training=False),
            x, tmp_path)

        def make_model(num_classes):
            # Frozen BN (is_training=False), as slim fine-tuning with small
            # batches: training and the inference-mode loss then agree.
            model, _, _ = net_checks.build_functional(
                lambda t, **kw: self.tiny(self.ours, t, **kw),
                resnet_utils.resnet_arg_scope, (32, 32, 3),
                outputs="logits", num_classes=num_classes,
                spatial_squeeze=True, is_training=False)
            return model

        keras.utils.set_random_seed(0)

        report = net_checks.check_fine_tune(
            make_model, ckpt, ("tiny/logits",), x, np.array([0, 1, 2, 3]),
            steps=5, learning_rate=1e-2)
        assert report["restored"] > 50

    @pytest.mark.slow  # ~75 s on 2 shared cores (train-step compile)
    def test_fine_tune_from_checkpoint(self, resnet50_ckpt):
        name = self.name(50)
        spec = nets.get_net(name)
        x = images((4, 32, 32, 3), seed=7)
        y = np.array([0, 1, 2, 3])

        def make_model(num_classes):
            return nets.create_model(name, num_classes=num_classes,
                                     input_shape=(32, 32, 3),
                                     is_training=False,
                                     spatial_squeeze=True)

        report = net_checks.check_fine_tune(
            make_model, resnet50_ckpt, spec.logits_scopes, x, y, steps=3,
            learning_rate=1e-3)
        assert report["restored"] > 200


@pytest.fixture(scope="class")
def resnet50_ckpt(request, tmp_path_factory):
    """resnet_v<k>_50 at 64x64 with 10 classes vs the original (asserted
    here); yields the shared checkpoint for the fine-tune test."""
    checks = request.cls()
    fn = checks.name(50)
    tmp = tmp_path_factory.mktemp(fn)
    x = images((2, 64, 64, 3), seed=5)
    _, ckpt = compare_resnet(
        lambda t: getattr(checks.orig, fn)(t, 10, is_training=False),
        lambda t: getattr(checks.ours, fn)(t, 10, is_training=False),
        x, tmp, noise=fn)
    return ckpt


class TestResnetV1(FamilyChecks):
    VERSION = 1
    MANIFESTS = ("resnet_v1_50", "resnet_v1_101")

    def test_v1_shortcut_and_unit_structure(self):
        """v1 specifics visible in the end points: conv shortcut with BN,
        subsample shortcut (no variables) in later units."""
        with keras.StatelessScope():
            _, _, eps = net_checks.build_functional(
                resnet_v1.resnet_v1_50, resnet_utils.resnet_arg_scope,
                (64, 64, 3), num_classes=3)
        assert "resnet_v1_50/block1/unit_1/bottleneck_v1/shortcut" in eps
        assert "resnet_v1_50/block1/unit_2/bottleneck_v1/shortcut" not in eps
