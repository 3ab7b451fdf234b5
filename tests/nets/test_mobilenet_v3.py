"""MobileNet V3 / EdgeTPU against the original (research/slim @ 169dcbd).

References: ``../shared/golden/mobilenet_v3_small_035`` and
``mobilenet_v3_large_035_96`` (``mobilenet_v3.small/large(x, 1001,
depth_multiplier=0.35)`` in ``training_scope(is_training=False)``, run by
the original). Tolerance: no noise file exists for these cases, so the
golden README's ``rtol = atol = 1e-4`` applies to logits and every end
point. Variants without golden data are checked against the shape
assertions of upstream's ``mobilenet_v3_test.py`` (ported) and the
documented width rules.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras.layers.hard_activations import hard_sigmoid_gate, hard_swish
from slimkeras.nets.mobilenet import conv_blocks
from slimkeras.nets.mobilenet import mobilenet_v3 as mv3
from tests.nets import golden_checks as gc
from tests.nets import net_checks as nc

NAMES = ("mobilenet_v3_small", "mobilenet_v3_large",
         "mobilenet_v3_small_minimalistic",
         "mobilenet_v3_large_minimalistic", "mobilenet_edgetpu",
         "mobilenet_edgetpu_075")


def _symbolic(fn, shape=(224, 224, 3), batch=1, **kw):
    with keras.StatelessScope(initialize_variables=False):
        return nc.build_functional(fn, mv3.training_scope, shape,
                                   batch_size=batch, **kw)


def test_golden_small_035(golden_dir):
    gc.check_golden(golden_dir, "mobilenet_v3_small_035", mv3.small,
                    mv3.training_scope)


def test_golden_large_035_96(golden_dir):
    gc.check_golden(golden_dir, "mobilenet_v3_large_035_96", mv3.large,
                    mv3.training_scope)


def test_hard_swish_and_gate_formulas():
    x = np.linspace(-8, 8, 101).astype("float32")
    r6 = np.clip(x + np.float32(3), 0, 6)
    np.testing.assert_array_equal(
        np.asarray(hard_swish(x)), x * r6 * np.float32(1.0 / 6.0))
    np.testing.assert_array_equal(np.asarray(hard_sigmoid_gate(x)),
                                  r6 * np.float32(0.16667))


def test_squeeze_excite_numerics_and_pool_resize():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 6, 16)).astype("float32")
    # mean -> 1x1 conv (relu) -> 1x1 conv (sigmoid) -> multiply; widths
    # make_divisible(16 / 4, 8) = 8.
    with slim.name_registry():
        inp = keras.Input((6, 6, 16), batch_size=2)
        y = conv_blocks.squeeze_excite(inp, squeeze_factor=4)
        m = keras.Model(inp, y)
    paths = [v.path for v in m.weights]
    assert paths == ["squeeze_excite/Conv/weights",
                     "squeeze_excite/Conv/biases",
                     "squeeze_excite/Conv_1/weights",
                     "squeeze_excite/Conv_1/biases"]
    w1, b1, w2, b2 = [np.asarray(v) for v in m.weights]
    assert w1.shape == (1, 1, 16, 8)
    pooled = x.mean(axis=(1, 2))
    gate = 1 / (1 + np.exp(-(np.maximum(pooled @ w1[0, 0] + b1, 0) @ w2[0, 0]
                             + b2)))
    np.testing.assert_allclose(m(x), x * gate[:, None, None, :], rtol=1e-5,
                               atol=1e-6)
    # pool=3: 3x3/3 VALID average, then bilinear (corners aligned) back.
    with slim.name_registry():
        inp = keras.Input((6, 6, 16), batch_size=2)
        m = keras.Model(inp, conv_blocks.squeeze_excite(inp, pool=3))
    w1, b1, w2, b2 = [np.asarray(v) for v in m.weights]
    pooled = x.reshape(2, 2, 3, 2, 3, 16).mean(axis=(2, 4))
    gate = 1 / (1 + np.exp(-(np.maximum(pooled @ w1[0, 0] + b1, 0)
                             @ w2[0, 0] + b2)))
    gate = tf.compat.v1.image.resize_bilinear(gate, [6, 6],
                                              align_corners=True).numpy()
    np.testing.assert_allclose(m(x), x * gate, rtol=1e-5, atol=1e-6)


def test_upstream_shapes_large_small_edgetpu():
    # Ported from research/slim mobilenet_v3_test.py.
    _, logits, eps = _symbolic(mv3.mobilenet, num_classes=1001)
    assert tuple(eps["layer_19"].shape) == (1, 1, 1, 1280)
    assert tuple(logits.shape) == (1, 1001)
    _, _, eps = _symbolic(mv3.mobilenet, conv_defs=mv3.V3_SMALL)
    assert tuple(eps["layer_15"].shape) == (1, 1, 1, 1024)
    model, _, eps = _symbolic(mv3.edge_tpu)
    assert tuple(eps["layer_24"].shape) == (1, 7, 7, 1280)
    assert all(v.path.startswith("MobilenetEdgeTPU/") for v in model.weights)
    model, _, _ = _symbolic(mv3.edge_tpu, scope="Scope")
    assert all(v.path.startswith("Scope/") for v in model.weights)
    # EdgeTPU: fused 3x3 expansion convs instead of expand+depthwise early.
    paths = {v.path for v in _symbolic(mv3.edge_tpu)[0].weights}
    assert "MobilenetEdgeTPU/expanded_conv_1/expand/weights" in paths
    assert not any("expanded_conv_1/depthwise" in p for p in paths)
    assert "MobilenetEdgeTPU/expanded_conv/expand/weights" not in paths


def test_upstream_base_only_and_variable_input():
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry(), slim.arg_scope(mv3.training_scope()):
        x = keras.Input((224, 224, 3), batch_size=1)
        res, eps = mv3.mobilenet(x, conv_defs=mv3.V3_LARGE, base_only=True,
                                 final_endpoint="layer_17")
        assert tuple(eps["layer_17"].shape) == (1, 7, 7, 960)
        assert res is eps["layer_17"] and "layer_18" not in eps
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry(), slim.arg_scope(mv3.training_scope()):
        x = keras.Input((None, None, 3))
        res, eps = mv3.mobilenet(x, conv_defs=mv3.V3_LARGE, base_only=True,
                                 final_endpoint="layer_17")
        assert tuple(eps["layer_17"].shape) == (None, None, None, 960)
        assert res is eps["layer_17"]


def test_minimalistic_variants_have_no_se_no_hard_swish_no_5x5():
    for fn, last, n in ((mv3.small_minimalistic, "layer_15", 1024),
                        (mv3.large_minimalistic, "layer_19", 1280)):
        model, _, eps = _symbolic(fn, num_classes=10)
        assert tuple(eps[last].shape) == (1, 1, 1, n)
        assert not any("squeeze_excite" in v.path for v in model.weights)
        dw = [v for v in model.weights if v.path.endswith("depthwise_weights")]
        assert dw and all(tuple(v.shape[:2]) == (3, 3) for v in dw)
        acts = {getattr(layer, "activation_fn", None)
                for layer in model._flatten_layers()}
        assert hard_swish not in acts
    model, _, _ = _symbolic(mv3.small, num_classes=10)
    acts = [getattr(layer, "activation_fn", None)
            for layer in model._flatten_layers()]
    assert hard_swish in acts and hard_sigmoid_gate in acts
    assert any(tuple(v.shape[:2]) == (5, 5) for v in model.weights
               if v.path.endswith("depthwise_weights"))


def test_depth_multiplier_and_finegrain():
    # 0.35: Conv_2 1024 -> make_divisible(358.4, 8) = 360 (golden small);
    # finegrain keeps the last spec layer at 1024.
    _, _, eps = _symbolic(mv3.small, depth_multiplier=0.35)
    assert eps["layer_15"].shape[-1] == 360
    assert eps["layer_1"].shape[-1] == 8
    _, _, eps = _symbolic(mv3.small, depth_multiplier=0.35,
                          finegrain_classification_mode=True)
    assert eps["layer_15"].shape[-1] == 1024
    assert eps["layer_13"].shape[-1] == 200
    _, _, eps = _symbolic(mv3.edge_tpu_075)
    assert eps["layer_24"].shape[-1] == 1280
    assert eps["layer_1"].shape[-1] == 24  # make_divisible(32 * 0.75)
    # At 96 px the whole-map pool is 3x3 (AvgPool2D end point layer_18).
    _, _, eps = _symbolic(mv3.large, shape=(96, 96, 3))
    assert tuple(eps["layer_17"].shape) == (1, 3, 3, 960)
    assert tuple(eps["layer_18"].shape) == (1, 1, 1, 960)


def test_detection_defs_and_bad_arguments():
    widths = [op.params.get("num_outputs") for op in
              mv3.V3_LARGE_DETECTION["spec"][13:17]]
    assert widths == [80, 80, 80, 480]
    widths = [op.params.get("num_outputs") for op in
              mv3.V3_SMALL_DETECTION["spec"][9:13]]
    assert widths == [48, 48, 48, 288]
    with pytest.raises(ValueError, match="depth_multiplier"):
        mv3.mobilenet(keras.Input((32, 32, 3)), multiplier=0.5)


def test_registry_and_create_model_default_size():
    from slimkeras.nets import nets_factory
    for name in NAMES:
        spec = slim.nets.get_net(name)
        assert spec.default_image_size == 224 and spec.num_classes == 1001
        assert spec.preprocessing == "inception"
        scope = "MobilenetEdgeTPU" if "edgetpu" in name else "MobilenetV3"
        assert spec.logits_scopes == (f"{scope}/Logits",)
        assert nets_factory.nets_map[name] is spec.fn
        with keras.StatelessScope(initialize_variables=False):
            model = slim.nets.create_model(name)
        assert tuple(model.output.shape) == (None, 1001), name
        assert model.weights[-1].path == (
            f"{scope}/Logits/Conv2d_1c_1x1/biases")
        keras.backend.clear_session()


@pytest.mark.slow  # ~20-45 s on 2 shared cores
def test_keras_lifecycle(tmp_path):
    model = slim.nets.create_model("mobilenet_v3_small", num_classes=5,
                                   input_shape=(32, 32, 3),
                                   depth_multiplier=0.35)
    x = nc.random_images((4, 32, 32, 3))
    y = np.array([0, 1, 2, 3])
    nc.check_keras_lifecycle(model, x, y, tmp_path, jit=False)


@pytest.mark.slow  # ~70 s on 2 shared cores (tracing a 5-step Adam run)
def test_fine_tune_from_golden_checkpoint(golden_dir):
    ckpt = str(golden_dir / "mobilenet_v3_small_035" / "model.ckpt")
    spec = slim.nets.get_net("mobilenet_v3_small")

    def make_model(num_classes):
        return slim.nets.create_model(
            "mobilenet_v3_small", num_classes=num_classes,
            input_shape=(64, 64, 3), is_training=False,
            depth_multiplier=0.35)

    x = nc.random_images((4, 64, 64, 3), seed=1)
    y = np.array([0, 1, 2, 4])
    report = nc.check_fine_tune(make_model, ckpt, spec.logits_scopes, x, y,
                                learning_rate=1e-4)
    assert report["restored"] == 208  # 210 minus Logits weights/biases


def test_use_groupnorm():
    model, logits, _ = _symbolic(mv3.small, shape=(64, 64, 3),
                                 use_groupnorm=True, groups=4,
                                 num_classes=5)
    paths = [v.path for v in model.weights]
    assert "MobilenetV3/Conv/GroupNorm/gamma" in paths
    assert not any("BatchNorm" in p for p in paths)
    norms = [layer for layer in model._flatten_layers()
             if type(layer).__name__ == "GroupNorm"]
    assert norms and all(n.groups == 4 for n in norms)
    assert tuple(logits.shape) == (1, 5)
