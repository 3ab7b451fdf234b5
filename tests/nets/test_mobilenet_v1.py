"""MobileNet V1 against the golden manifest and checkpoint of the original.

References: ``../shared/golden/mobilenet_v1`` (research/slim's net run in
graph mode: manifest, checkpoint, outputs at 2x224x224x3). Numerics:
logits and the stored end points within the noise-floor tolerance of
tests/noise_floor.py (float32; observed max differences ~3e-5 on logits
of magnitude ~4). Variants (depth
multipliers, min_depth, small inputs, global_pool) have no golden outputs:
their names/shapes are checked against the original's documented rules —
the per-layer parameter counts printed in research/slim's mobilenet_v1.py
docstring (100% and 75% models) and its ``depth(d) = max(int(d * m),
min_depth)`` rule — and against ``keras.applications.MobileNet`` (same
published width rule) for 0.5/0.25.
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras import checkpoints
from slimkeras.nets import mobilenet_v1 as mv1
from tests.nets import net_checks as nc
from tests.noise_floor import assert_close, load_noise_floor

NET = "mobilenet_v1"

# Per-layer parameter counts from the docstring of research/slim's
# nets/mobilenet_v1.py (weights only, as printed there).
DOC_PARAMS_100 = [864, 288, 2048, 576, 8192, 1152, 16384, 1152, 32768,
                  2304, 65536, 2304, 131072, 4608, 262144, 4608, 262144,
                  4608, 262144, 4608, 262144, 4608, 262144, 4608, 524288,
                  9216, 1048576]
DOC_PARAMS_075 = [648, 216, 1152, 432, 4608, 864, 9216, 864, 18432, 1728,
                  36864, 1728, 73728, 3456, 147456, 3456, 147456, 3456,
                  147456, 3456, 147456, 3456, 147456, 3456, 294912, 6912,
                  589824]


def _build(shape=(32, 32, 3), batch=2, fn=mv1.mobilenet_v1, **kw):
    kw.setdefault("num_classes", 7)
    with keras.StatelessScope():
        model, logits, eps = nc.build_functional(
            fn, mv1.mobilenet_v1_arg_scope, shape, batch_size=batch, **kw)
    return model, logits, eps


def _body_weight_shapes(model):
    return [tuple(v.shape) for v in model.weights
            if v.path.endswith("weights") and "/Logits/" not in v.path]


def test_names_shapes_end_points_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, NET)
    nc.check_manifest(manifest, mv1.mobilenet_v1,
                      mv1.mobilenet_v1_arg_scope)


def test_golden_checkpoint_outputs(golden_dir):
    g = golden_dir / NET
    data = np.load(g / "golden.npz")
    model, _, _ = nc.build_functional(
        mv1.mobilenet_v1, mv1.mobilenet_v1_arg_scope, (224, 224, 3),
        arg_scope_kwargs={"is_training": False}, num_classes=1001)
    report = checkpoints.restore(model, str(g / "model.ckpt"))
    assert not report.missing and not report.unexpected
    assert not report.shape_mismatched and not report.errors
    assert len(report.restored) == len(model.weights) == 137
    # predict_on_batch runs a tf.function graph, as the original did in
    # TF1 graph mode (bit-identical here: grappler fuses conv+BN the same
    # way); an eager call differs by float32 rounding (~3e-5 on logits,
    # up to 1.5e-4 on a few of 1e5 deep activations).
    logits, eps = model.predict_on_batch(data["input"])
    noise = load_noise_floor(NET, golden_dir)
    assert_close(logits, data["logits"], noise.tolerance(), "logits")
    eager_logits = model(data["input"], training=False)[0]
    assert_close(eager_logits, data["logits"], noise.tolerance(),
                 "eager logits")
    keys = [k for k in data.files if k.startswith("end_points/")]
    assert len(keys) == 7
    for key in keys:
        name = key.split("/", 1)[1]
        assert_close(eps[name], data[key], noise.tolerance(name), key)


@pytest.mark.parametrize("multiplier,doc", [(1.0, DOC_PARAMS_100),
                                            (0.75, DOC_PARAMS_075)])
def test_depth_multiplier_matches_original_docstring(multiplier, doc):
    model, _, _ = _build(depth_multiplier=multiplier)
    shapes = _body_weight_shapes(model)
    assert [int(np.prod(s)) for s in shapes] == doc


@pytest.mark.parametrize("name,alpha", [
    ("mobilenet_v1", 1.0), ("mobilenet_v1_075", 0.75),
    ("mobilenet_v1_050", 0.5), ("mobilenet_v1_025", 0.25)])
def test_variants_match_keras_applications_widths(name, alpha):
    spec = slim.nets.get_net(name)
    assert spec.num_classes == 1001 and spec.default_image_size == 224
    assert spec.logits_scopes == ("MobilenetV1/Logits",)
    assert spec.preprocessing == "inception"
    model, _, eps = _build(fn=spec.fn)
    with keras.StatelessScope():
        ref = keras.applications.MobileNet(
            input_shape=(32, 32, 3), alpha=alpha, include_top=False,
            weights=None)
    ref_shapes = [tuple(v.shape) for v in ref.weights
                  if v.path.endswith("kernel")]
    assert _body_weight_shapes(model) == ref_shapes
    assert eps["Conv2d_13_pointwise"].shape[-1] == int(1024 * alpha)


def test_min_depth_bounds_every_layer():
    # depth(d) = max(int(d * m), min_depth): at m=0.25 the 32/64 layers
    # (8/16 channels) are raised to 24.
    model, _, eps = _build(depth_multiplier=0.25, min_depth=24)
    assert eps["Conv2d_0"].shape[-1] == 24
    assert eps["Conv2d_1_pointwise"].shape[-1] == 24
    assert eps["Conv2d_2_pointwise"].shape[-1] == 32
    assert eps["Conv2d_13_pointwise"].shape[-1] == 256
    _, _, eps = _build(depth_multiplier=2.0, min_depth=24)
    assert eps["Conv2d_0"].shape[-1] == 64  # not active for m >= 1


@pytest.mark.parametrize("size,kernel", [(32, 1), (64, 2), (96, 3),
                                         (224, 7)])
def test_small_input_reduces_pool_kernel(size, kernel):
    model, logits, eps = _build((size, size, 3), depth_multiplier=0.25)
    pool = model.get_layer("MobilenetV1.Logits.AvgPool_1a")
    assert pool.kernel_size == (kernel, kernel)
    assert tuple(eps["AvgPool_1a"].shape) == (2, 1, 1, 256)
    assert tuple(logits.shape) == (2, 7)


def test_unknown_spatial_size_uses_7x7_pool():
    model, logits, _ = _build((None, None, 3), depth_multiplier=0.25,
                              spatial_squeeze=False)
    pool = model.get_layer("MobilenetV1.Logits.AvgPool_1a")
    assert pool.kernel_size == (7, 7)
    out = model(nc.random_images((1, 320, 320, 3)))[0]
    # 10x10 map; slim's avg_pool2d: VALID, stride 2 by default
    assert tuple(out.shape) == (1, 2, 2, 7)


def test_global_pool_and_fully_convolutional():
    x = nc.random_images((2, 64, 64, 3))
    model, logits, eps = _build((64, 64, 3), depth_multiplier=0.25,
                                global_pool=True)
    assert "AvgPool_1a" not in eps
    assert list(eps)[-3:] == ["global_pool", "Logits", "Predictions"]
    out_logits, out_eps = model(x)
    np.testing.assert_allclose(
        out_eps["global_pool"],
        np.mean(out_eps["Conv2d_13_pointwise"], axis=(1, 2), keepdims=True),
        rtol=1e-5, atol=1e-6)
    _, logits, _ = _build((320, 320, 3), depth_multiplier=0.25,
                          spatial_squeeze=False)
    assert tuple(logits.shape) == (2, 2, 2, 7)


def test_num_classes_none_returns_pooled_features():
    model, net, eps = _build(num_classes=None, depth_multiplier=0.5)
    assert tuple(net.shape) == (2, 1, 1, 512)
    assert list(eps)[-1] == "AvgPool_1a" and "Logits" not in eps
    assert not any("Logits/Conv2d_1c_1x1" in v.path for v in model.weights)


def test_base_final_endpoint_and_conv_defs():
    defs = [mv1.Conv([3, 3], 2, 16), mv1.DepthSepConv([3, 3], 2, 32)]
    with keras.StatelessScope(), slim.name_registry():
        x = keras.Input((32, 32, 3))
        net, eps = mv1.mobilenet_v1_base(x, final_endpoint="Conv2d_1_depthwise",
                                         conv_defs=defs)
    assert list(eps) == ["Conv2d_0", "Conv2d_1_depthwise"]
    assert tuple(net.shape) == (None, 8, 8, 16)
    with keras.StatelessScope(), slim.name_registry():
        net, eps = mv1.mobilenet_v1_base(x, final_endpoint="Conv2d_4_pointwise",
                                         output_stride=8)
    assert tuple(net.shape) == (None, 4, 4, 256)  # strides -> atrous


@pytest.mark.parametrize("kwargs,match", [
    ({"depth_multiplier": 0.0}, "depth_multiplier"),
    ({"final_endpoint": "Conv2d_99"}, "final_endpoint"),
    ({"output_stride": 4}, "output_stride"),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mv1.mobilenet_v1_base(keras.Input((32, 32, 3)), **kwargs)


def test_rank_check():
    with pytest.raises(ValueError, match="rank 4"):
        mv1.mobilenet_v1(keras.Input((32, 3)))


def test_is_training_none_follows_keras_training():
    x = nc.random_images((2, 32, 32, 3))
    model, _, _ = nc.build_functional(
        mv1.mobilenet_v1_025, mv1.mobilenet_v1_arg_scope, (32, 32, 3),
        num_classes=7, dropout_keep_prob=1.0)
    a = model(x, training=False)[0]
    b = model(x, training=True)[0]
    assert not np.allclose(a, b)  # batch statistics vs moving ones
    pinned, _, _ = nc.build_functional(
        mv1.mobilenet_v1_025, mv1.mobilenet_v1_arg_scope, (32, 32, 3),
        num_classes=7, is_training=False)
    pinned.set_weights(model.get_weights())  # moving stats moved above
    np.testing.assert_allclose(pinned(x, training=True)[0],
                               model(x, training=False)[0], rtol=1e-5,
                               atol=1e-6)


def test_keras_lifecycle(tmp_path):
    model = slim.nets.create_model("mobilenet_v1_025", num_classes=5,
                                   input_shape=(32, 32, 3))
    x = nc.random_images((4, 32, 32, 3))
    y = np.array([0, 1, 2, 3])
    nc.check_keras_lifecycle(model, x, y, tmp_path)


def test_fine_tune_from_golden_checkpoint(golden_dir):
    ckpt = str(golden_dir / NET / "model.ckpt")
    spec = slim.nets.get_net(NET)

    # Batch norm pinned to inference (is_training=False), the usual choice
    # when fine-tuning with tiny batches: a batch of 4 at 64x64 has
    # statistics far from the checkpoint's moving ones.
    def make_model(num_classes):
        return slim.nets.create_model(NET, num_classes=num_classes,
                                      input_shape=(64, 64, 3),
                                      is_training=False)

    x = nc.random_images((4, 64, 64, 3), seed=1)
    y = np.array([0, 1, 2, 4])
    report = nc.check_fine_tune(make_model, ckpt, spec.logits_scopes, x, y,
                                learning_rate=1e-4)
    assert report["restored"] == 135  # all but Logits weights/biases
