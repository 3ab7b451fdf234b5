"""MobileNet V2 against the golden manifest and checkpoint of the original.

References: ``../shared/golden/mobilenet_v2`` (research/slim's
``nets/mobilenet/mobilenet_v2.mobilenet`` run in graph mode under
``training_scope(is_training=False)``: manifest, checkpoint, outputs at
2x224x224x3). Numerics: logits and the stored end points within the
tests/noise_floor.py tolerance (float32). Depth multipliers have no
golden outputs: their
shapes are checked against the original's documented rules
(``make_divisible(d * m, 8, min_depth=8)``, never more than 10% below
``d * m``; ``finegrain_classification_mode`` keeps the last conv at 1280
for m < 1) as implemented independently by ``keras.applications.
MobileNetV2`` (which keeps 1280 for alpha <= 1, i.e. finegrain mode), and
on literal widths derived from those rules where noted.
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras import checkpoints
from slimkeras.nets.mobilenet import conv_blocks
from slimkeras.nets.mobilenet import mobilenet_v2 as mv2
from tests.nets import net_checks as nc
from tests.noise_floor import assert_close, load_noise_floor

NET = "mobilenet_v2"


def _build(shape=(32, 32, 3), batch=2, fn=mv2.mobilenet, scope_kw=None,
           **kw):
    kw.setdefault("num_classes", 7)
    with keras.StatelessScope():
        model, logits, eps = nc.build_functional(
            fn, mv2.training_scope, shape, batch_size=batch,
            arg_scope_kwargs=scope_kw, **kw)
    return model, logits, eps


def _body_weight_shapes(model):
    return [tuple(v.shape) for v in model.weights
            if v.path.endswith("weights") and "/Logits/" not in v.path]


def test_names_shapes_end_points_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, NET)
    nc.check_manifest(manifest, mv2.mobilenet, mv2.training_scope)


def test_golden_checkpoint_outputs(golden_dir):
    g = golden_dir / NET
    data = np.load(g / "golden.npz")
    model, _, _ = nc.build_functional(
        mv2.mobilenet, mv2.training_scope, (224, 224, 3),
        arg_scope_kwargs={"is_training": False}, num_classes=1001)
    report = checkpoints.restore(model, str(g / "model.ckpt"))
    assert not report.missing and not report.unexpected
    assert not report.shape_mismatched and not report.errors
    assert len(report.restored) == len(model.weights) == 262
    # Graph mode (predict_on_batch) as the original; eager differs only
    # by float32 rounding of unfused conv+BN.
    logits, eps = model.predict_on_batch(data["input"])
    noise = load_noise_floor(NET, golden_dir)
    assert_close(logits, data["logits"], noise.tolerance(), "logits")
    assert_close(model(data["input"], training=False)[0], data["logits"],
                 noise.tolerance(), "eager logits")
    keys = [k for k in data.files if k.startswith("end_points/")]
    assert len(keys) == 7
    for key in keys:
        name = key.split("/", 1)[1]
        assert_close(eps[name], data[key], noise.tolerance(name), key)


def test_make_divisible_rule():
    # research/slim conv_blocks._make_divisible: nearest multiple, at least
    # min_value, bumped up when more than 10% below.
    md = conv_blocks.make_divisible
    assert md(32 * 1.4, 8) == 48 and md(1280 * 1.4, 8) == 1792
    assert md(32 * 0.35, 8) == 16  # 8 would be < 0.9 * 11.2
    assert md(16 * 0.35, 8) == 8 and md(96 * 0.35, 8) == 32
    assert md(3, 8, min_value=4) == 4 and md(13, 8, 16) == 16


@pytest.mark.parametrize("name,alpha", [
    ("mobilenet_v2", 1.0), ("mobilenet_v2_140", 1.4),
    ("mobilenet_v2_050", 0.5), ("mobilenet_v2_035", 0.35)])
def test_variants_match_keras_applications_widths(name, alpha):
    spec = slim.nets.get_net(name)
    assert spec.num_classes == 1001 and spec.default_image_size == 224
    assert spec.logits_scopes == ("MobilenetV2/Logits",)
    assert spec.preprocessing == "inception"
    model, _, eps = _build(fn=spec.fn)
    with keras.StatelessScope():
        ref = keras.applications.MobileNetV2(
            input_shape=(32, 32, 3), alpha=alpha, include_top=False,
            weights=None)
    ref_shapes = [tuple(v.shape) for v in ref.weights
                  if v.path.endswith("kernel")]
    assert _body_weight_shapes(model) == ref_shapes
    # layer widths: 1.4 -> 48 … 448, 1792; 0.35 -> 16 … 112, 1280
    first, last = {1.0: (32, 1280), 1.4: (48, 1792), 0.5: (16, 1280),
                   0.35: (16, 1280)}[alpha]
    assert eps["layer_1"].shape[-1] == first
    assert eps["layer_19"].shape[-1] == last


def test_finegrain_classification_mode():
    _, _, eps = _build(depth_multiplier=0.35)
    assert eps["layer_19"].shape[-1] == 448  # make_divisible(1280 * 0.35)
    assert eps["layer_18"].shape[-1] == 112
    _, _, eps = _build(depth_multiplier=0.35,
                       finegrain_classification_mode=True)
    assert eps["layer_19"].shape[-1] == 1280
    assert eps["layer_18"].shape[-1] == 112
    _, _, eps = _build(depth_multiplier=1.4,
                       finegrain_classification_mode=True)
    assert eps["layer_19"].shape[-1] == 1792  # only applies for m < 1


def test_min_depth_and_divisible_by():
    _, _, eps = _build(depth_multiplier=0.35, min_depth=32)
    assert eps["layer_1"].shape[-1] == 32
    assert eps["layer_2"].shape[-1] == 32  # 16 * 0.35 raised to 32
    assert eps["layer_18"].shape[-1] == 112
    _, _, eps = _build(divisible_by=16)
    # make_divisible(24, 16) = 32; make_divisible(160, 16) = 160
    assert eps["layer_3"].shape[-1] == 32
    assert eps["layer_15"].shape[-1] == 160


def test_named_outputs_and_input_sizes():
    model, logits, eps = _build((96, 96, 3))
    keys = list(eps)
    assert keys[:19] == [f"layer_{i}" for i in range(1, 20)]
    assert keys[19:22] == ["layer_2/depthwise_output", "layer_2/output",
                           "layer_3/expansion_output"]
    assert keys[-3:] == ["global_pool", "Logits", "Predictions"]
    assert tuple(eps["layer_19"].shape) == (2, 3, 3, 1280)
    assert tuple(eps["global_pool"].shape) == (2, 1, 1, 1280)
    assert tuple(logits.shape) == (2, 7)
    assert eps["layer_5/output"] is eps["layer_5"]


def test_global_pool_is_spatial_mean_any_size():
    model, _, _ = _build((None, None, 3), batch=None, depth_multiplier=0.35,
                         finegrain_classification_mode=True)
    x = nc.random_images((1, 80, 48, 3))
    logits, eps = model(x)
    assert tuple(logits.shape) == (1, 7)
    np.testing.assert_allclose(
        eps["global_pool"],
        np.mean(eps["layer_19"], axis=(1, 2), keepdims=True), rtol=1e-5,
        atol=1e-6)


def test_num_classes_none_base_only_final_endpoint():
    model, net, eps = _build(num_classes=None, depth_multiplier=0.5)
    assert tuple(net.shape) == (2, 1, 1, 640)  # no finegrain mode
    assert list(eps)[-1] == "global_pool" and "Logits" not in eps
    assert not any("/Logits/" in v.path for v in model.weights)
    with keras.StatelessScope(), slim.name_registry():
        x = keras.Input((32, 32, 3))
        net, eps = mv2.mobilenet_base(x, final_endpoint="layer_5")
    assert tuple(net.shape) == (None, 4, 4, 32)
    assert list(eps)[:5] == [f"layer_{i}" for i in range(1, 6)]
    assert "layer_6" not in eps and "global_pool" not in eps
    with keras.StatelessScope(), slim.name_registry():
        net, _ = mv2.mobilenet_base(x, output_stride=8)
    assert tuple(net.shape) == (None, 4, 4, 1280)


def test_bad_arguments_raise():
    x = keras.Input((32, 32, 3))
    with pytest.raises(ValueError, match="multiplier"):
        mv2.mobilenet(x, depth_multiplier=0.0)
    with pytest.raises(ValueError, match="depth_multiplier"):
        mv2.mobilenet(x, multiplier=0.5)
    with pytest.raises(ValueError, match="final_endpoint"):
        mv2.mobilenet_base(x, final_endpoint="layer_99")
    with pytest.raises(ValueError, match="output_stride"):
        mv2.mobilenet_base(x, output_stride=3)
    with pytest.raises(ValueError, match="rank 4"):
        mv2.mobilenet(keras.Input((32, 3)))


def test_training_scope_defaults():
    model, _, _ = _build(scope_kw={"dropout_keep_prob": 0.5,
                                   "bn_decay": 0.9, "weight_decay": 1e-3})
    drop = model.get_layer("MobilenetV2.Logits.Dropout")
    assert drop.keep_prob == 0.5 and drop.is_training is None
    conv = model.get_layer("MobilenetV2.Conv")
    assert conv.normalizer.decay == 0.9 and conv.normalizer.scale
    assert conv.weights_regularizer is not None
    dw = model.get_layer("MobilenetV2.expanded_conv.depthwise")
    assert dw.weights_regularizer is None
    model, _, _ = _build(scope_kw={"is_training": False})
    assert model.get_layer("MobilenetV2.Conv").normalizer.is_training is False
    assert model.get_layer("MobilenetV2.Logits.Dropout").is_training is False


def test_keras_lifecycle(tmp_path):
    model = slim.nets.create_model("mobilenet_v2_035", num_classes=5,
                                   input_shape=(32, 32, 3))
    x = nc.random_images((4, 32, 32, 3))
    y = np.array([0, 1, 2, 3])
    nc.check_keras_lifecycle(model, x, y, tmp_path)


def test_fine_tune_from_golden_checkpoint(golden_dir):
    ckpt = str(golden_dir / NET / "model.ckpt")
    spec = slim.nets.get_net(NET)

    # Batch norm pinned to inference (tiny batches; see test_mobilenet_v1).
    def make_model(num_classes):
        return slim.nets.create_model(NET, num_classes=num_classes,
                                      input_shape=(64, 64, 3),
                                      is_training=False)

    x = nc.random_images((4, 64, 64, 3), seed=1)
    y = np.array([0, 1, 2, 4])
    # The fresh head's init must not depend on what ran before (in the
    # whole suite an unlucky draw made 5 steps at 1e-4 raise the loss).
    keras.utils.set_random_seed(0)
    report = nc.check_fine_tune(make_model, ckpt, spec.logits_scopes, x, y,
                                learning_rate=1e-4)
    assert report["restored"] == 260  # all but Logits weights/biases
