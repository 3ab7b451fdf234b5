"""NASNet-A against the golden references of the original and its tests.

References: ``../shared/golden/nasnet_{cifar,mobile,large}`` (research/slim
``nets/nasnet/nasnet.build_nasnet_*`` with ``is_training=False`` in the
net's arg_scope, reduced configs from ``manifest.hparams``: checkpoint,
every end point). Tolerance (no ``noise_onednn_off.json`` exists for these
cases, so the golden README's floor): per tensor max |d| <= 1e-4 and mean
|d| <= 1e-5 (``tests/noise_floor.py`` rule with an empty noise floor).
Configs without golden outputs are checked against the shapes and end
points research/slim's ``nasnet_test.py`` lists (full size: ``slow``) and
against the width rules at small sizes.
"""

import json

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras import checkpoints
from slimkeras.nets.nasnet import nasnet
from slimkeras.nets.nasnet import nasnet_utils as nu
from tests.nets import net_checks as nc


def build(fn, scope_fn, shape, batch=2, stateless=False, **kw):
    """Functional model + symbolic outputs + variables in creation order
    (the name registry's layers are in construction order; every layer
    creates its variables on its first call, right after construction)."""
    def run():
        inputs = keras.Input(shape=tuple(shape), batch_size=batch)
        with slim.name_registry() as reg:
            with slim.arg_scope(scope_fn()):
                logits, eps = fn(inputs, **kw)
            created = [w for layer in reg.layers.values()
                       for w in layer.weights]
        return keras.Model(inputs, [logits, dict(eps)]), logits, eps, created

    if stateless:
        with keras.StatelessScope(initialize_variables=False):
            return run()
    return run()


def golden_case(golden_dir, case, module):
    """Builds the manifest's exact call, restores, compares everything."""
    g = golden_dir / case
    manifest = json.loads((g / "manifest.json").read_text())
    hp = manifest["hparams"]
    config = getattr(module, hp["config_fn"])().replace(**hp["overrides"])
    resolved = dict(hp["resolved"])
    assert config.values() == resolved  # every hparam as the original had
    batch, *shape = manifest["input_shape"]
    model, logits, eps, created = build(
        getattr(module, manifest["net_fn"]),
        getattr(module, manifest["arg_scope"]["fn"]), shape, batch,
        config=config, **manifest["kwargs"])
    # names, shapes and creation order; end point keys (order) and shapes
    nc.assert_manifest(manifest, logits, eps, created)
    assert len(created) == len(model.weights)
    report = checkpoints.restore(model, str(g / "model.ckpt"))
    assert not report.missing and not report.unexpected
    assert not report.shape_mismatched and not report.errors
    assert len(report.restored) == len(manifest["checkpoint"]["variables"])
    data = np.load(g / "golden.npz")
    got_logits, got_eps = model.predict_on_batch(data["input"])
    ref_eps = {e["name"]: data["end_points/" + e["name"]]
               for e in manifest["end_points"]}
    nc.assert_outputs_close(got_logits, got_eps, data["logits"], ref_eps,
                            noise=case)
    return model


def test_golden_nasnet_cifar(golden_dir):
    golden_case(golden_dir, "nasnet_cifar", nasnet)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["nasnet_mobile", "nasnet_large"])
def test_golden_nasnet_imagenet(golden_dir, case):
    golden_case(golden_dir, case, nasnet)


def test_configs_are_research_slim_values():
    assert nasnet.cifar_config().values() == {
        "stem_multiplier": 3.0, "drop_path_keep_prob": 0.6, "num_cells": 18,
        "use_aux_head": 1, "num_conv_filters": 32,
        "dense_dropout_keep_prob": 1.0, "filter_scaling_rate": 2.0,
        "num_reduction_layers": 2, "data_format": "NHWC",
        "skip_reduction_layer_input": 0, "total_training_steps": 937500,
        "use_bounded_activation": False}
    large = nasnet.large_imagenet_config()
    assert (large.num_cells, large.num_conv_filters, large.stem_multiplier,
            large.drop_path_keep_prob, large.dense_dropout_keep_prob,
            large.skip_reduction_layer_input,
            large.total_training_steps) == (18, 168, 3.0, 0.7, 0.5, 1, 250000)
    mobile = nasnet.mobile_imagenet_config()
    assert (mobile.num_cells, mobile.num_conv_filters,
            mobile.stem_multiplier, mobile.drop_path_keep_prob,
            mobile.skip_reduction_layer_input) == (12, 44, 1.0, 1.0, 0)


def test_hparams_replace_set_and_errors():
    cfg = nasnet.cifar_config()
    new = cfg.replace(num_cells=6)
    assert new.num_cells == 6 and cfg.num_cells == 18
    cfg.set_hparam("use_aux_head", 0)
    assert cfg.use_aux_head == 0
    with pytest.raises(ValueError, match="unknown hparam"):
        cfg.set_hparam("num_cell", 3)
    with pytest.raises(ValueError, match="data_format"):
        cfg.replace(data_format="NWHC")
    assert cfg.num_cells == 18  # a failed override changes nothing
    from_dict = nu.HParams.from_any({"num_cells": 3}, nasnet.cifar_config())
    assert from_dict.num_cells == 3 and from_dict.num_conv_filters == 32
    with pytest.raises(TypeError, match="config"):
        nu.HParams.from_any(3, nasnet.cifar_config())


def test_reduction_layers_and_aux_index():
    assert nu.calc_reduction_layers(18, 2) == [6, 12]
    assert nu.calc_reduction_layers(12, 2) == [4, 8]
    assert nu.calc_reduction_layers(6, 2) == [2, 4]
    assert nu.calc_reduction_layers(9, 2) == [3, 6]
    assert nasnet.head_scopes(nasnet.mobile_imagenet_config()) == (
        "final_layer/FC", "aux_7/aux_logits/FC")
    assert nasnet.head_scopes(nasnet.large_imagenet_config()) == (
        "final_layer/FC", "aux_11/aux_logits/FC")


def test_factorized_reduction_samples_even_and_odd_pixels():
    # Identity 1x1 weights expose what each path samples.
    x = nc.random_images((1, 5, 5, 4))
    inputs = keras.Input((5, 5, 4))
    with slim.name_registry(), slim.arg_scope(
            nasnet.nasnet_cifar_arg_scope()):
        out = nu.factorized_reduction(inputs, 8, 2)
    model = keras.Model(inputs, out)
    eye = np.eye(4, dtype="float32")[None, None]
    for v in model.weights:
        if v.path.endswith("weights"):
            v.assign(eye)
    bn = slim.layers.BatchNorm  # inference BN with identity statistics
    assert any(isinstance(layer, bn) for layer in model.layers)
    got = np.array(model(x, training=False))
    scale = 1.0 / np.sqrt(1.0 + 1e-5)
    want = np.concatenate([x[:, ::2, ::2], np.pad(
        x, [[0, 0], [0, 1], [0, 1], [0, 0]])[:, 1::2, 1::2]], -1) * scale
    assert got.shape == (1, 3, 3, 8)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert [v.path for v in model.weights if "weights" in v.path] == [
        "path1_conv/weights", "path2_conv/weights"]


SMALL = {"num_cells": 6, "num_conv_filters": 8}


def test_cifar_end_points_follow_width_rules():
    cfg = nasnet.cifar_config().replace(**SMALL)
    _, logits, eps, _ = build(nasnet.build_nasnet_cifar,
                              nasnet.nasnet_cifar_arg_scope, (32, 32, 3), 3,
                              stateless=True, config=cfg, num_classes=10,
                              is_training=True)
    # cell width F * scaling; normal cells concat 6 states, reduction 4
    want = {"Stem": [3, 32, 32, 24], "Cell_0": [3, 32, 32, 48],
            "Cell_1": [3, 32, 32, 48], "Reduction_Cell_0": [3, 16, 16, 64],
            "Cell_2": [3, 16, 16, 96], "Cell_3": [3, 16, 16, 96],
            "AuxLogits": [3, 10], "Reduction_Cell_1": [3, 8, 8, 128],
            "Cell_4": [3, 8, 8, 192], "Cell_5": [3, 8, 8, 192],
            "global_pool": [3, 192], "Logits": [3, 10],
            "Predictions": [3, 10]}
    assert {k: list(v.shape) for k, v in eps.items()} == want
    assert list(eps) == list(want)
    assert list(logits.shape) == [3, 10]


def test_pre_logits_final_endpoint_and_no_aux():
    cfg = nasnet.cifar_config().replace(**SMALL)
    model, net, eps, _ = build(
        nasnet.build_nasnet_cifar, nasnet.nasnet_cifar_arg_scope,
        (32, 32, 3), 5, stateless=True, config=cfg, num_classes=None,
        is_training=True)
    assert list(net.shape) == [5, 192]
    assert "AuxLogits" not in eps and "Predictions" not in eps
    assert not any(v.path.startswith(("aux_", "final_layer/FC"))
                   for v in model.weights)
    _, net, eps, _ = build(
        nasnet.build_nasnet_cifar, nasnet.nasnet_cifar_arg_scope,
        (32, 32, 3), 2, stateless=True, config=cfg.replace(use_aux_head=0),
        num_classes=10, final_endpoint="Reduction_Cell_0", is_training=True)
    assert list(eps)[-1] == "Reduction_Cell_0" and net is eps[
        "Reduction_Cell_0"]
    with pytest.raises(ValueError, match="final_endpoint"):
        build(nasnet.build_nasnet_mobile, nasnet.nasnet_mobile_arg_scope,
              (64, 64, 3), final_endpoint="Cell_99")


AUX_CFG = {"num_cells": 3, "num_conv_filters": 4}
AUX_VARS = sorted([
    "aux_1/aux_logits/proj/weights",
    *[f"aux_1/aux_logits/aux_bn{i}/{n}" for i in (0, 1) for n in (
        "gamma", "beta", "moving_mean", "moving_variance")],
    "aux_1/aux_logits/Conv/weights", "aux_1/aux_logits/FC/weights",
    "aux_1/aux_logits/FC/biases"])


def test_aux_head_built_for_is_training_none_and_true_only():
    # The original builds aux_<k> only when is_training is truthy; we also
    # build it for None (Keras decides at call time), so training
    # checkpoints' aux variables exist in a model made for fit.
    cfg = nasnet.cifar_config().replace(**AUX_CFG)
    for is_training, has_aux in ((None, True), (True, True),
                                 (False, False)):
        model, _, eps, _ = build(
            nasnet.build_nasnet_cifar, nasnet.nasnet_cifar_arg_scope,
            (32, 32, 3), 2, stateless=True, config=cfg, num_classes=10,
            is_training=is_training)
        aux = sorted(v.path for v in model.weights
                     if v.path.startswith("aux"))
        assert aux == (AUX_VARS if has_aux else [])
        assert ("AuxLogits" in eps) == has_aux
        if has_aux:
            assert list(eps["AuxLogits"].shape) == [2, 10]
        # drop-path layers exist unless is_training=False (keep_prob 1.0)
        assert any(isinstance(layer, nu.DropPath)
                   for layer in model.layers) == has_aux
    model, _, eps, _ = build(
        nasnet.build_nasnet_cifar, nasnet.nasnet_cifar_arg_scope,
        (32, 32, 3), 2, stateless=True, config=cfg.replace(use_aux_head=0),
        num_classes=10, is_training=True)
    assert "AuxLogits" not in eps


@pytest.mark.slow
def test_is_training_none_inference_outputs_equal_is_training_false():
    cfg = nasnet.cifar_config().replace(**AUX_CFG)
    m_none, _, _, _ = build(
        nasnet.build_nasnet_cifar, nasnet.nasnet_cifar_arg_scope,
        (32, 32, 3), None, config=cfg, num_classes=10)
    m_false, _, _, _ = build(
        nasnet.build_nasnet_cifar, nasnet.nasnet_cifar_arg_scope,
        (32, 32, 3), None, config=cfg, num_classes=10, is_training=False)
    by_path = {v.path: v for v in m_none.weights}
    rng = np.random.default_rng(0)
    for v in m_false.weights:
        val = rng.normal(0, 0.3, v.shape).astype("float32")
        if v.path.endswith("moving_variance"):
            val = np.abs(val) + 0.5
        v.assign(val)
        by_path[v.path].assign(val)
    x = nc.random_images((2, 32, 32, 3))
    lg_none, ep_none = m_none(x, training=False)
    lg_false, ep_false = m_false(x, training=False)
    np.testing.assert_array_equal(lg_none, lg_false)
    for k in ep_false:
        np.testing.assert_array_equal(ep_none[k], ep_false[k], err_msg=k)
    # under training=True drop-path / batch statistics change the outputs
    lg_train, _ = m_none(x, training=True)
    assert not np.allclose(lg_train, lg_none)


def test_drop_path_schedule():
    x = np.ones((64, 2, 2, 3), "float32")
    # v2: layer ratio only: keep = 1 - 1.0 * 0.5
    layer = nu.DropPath(0.5, layer_ratio=1.0, drop_connect_version="v2",
                        seed=1)
    out = np.array(layer(x, training=True))
    assert set(np.unique(out)) == {0.0, 2.0}
    assert np.all(out.reshape(64, -1).min(1) == out.reshape(64, -1).max(1))
    np.testing.assert_array_equal(layer(x, training=False), x)
    # v3 at step 0 of the burn-in: keep 1 (identity), then it ramps
    layer = nu.DropPath(0.5, layer_ratio=0.5, total_training_steps=2)
    np.testing.assert_array_equal(layer(x, training=True), x)
    out = np.array(layer(x, training=True))  # ratio 1/2 -> keep 0.875
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.875)}
    assert layer.weights == []  # no variable: not in any checkpoint
    pinned = nu.DropPath(0.5, drop_connect_version="v2", is_training=False)
    np.testing.assert_array_equal(pinned(x, training=True), x)
    with pytest.raises(ValueError, match="drop_connect_version"):
        nu.DropPath(0.5, drop_connect_version="v4")


@pytest.mark.slow
def test_bounded_activation_uses_relu6_and_clips():
    cfg = nasnet.cifar_config().replace(num_cells=3, num_conv_filters=4,
                                        use_bounded_activation=True)
    model, _, _, _ = build(nasnet.build_nasnet_cifar,
                           nasnet.nasnet_cifar_arg_scope, (32, 32, 3), 2,
                           config=cfg, num_classes=10, is_training=False)
    names = {type(op).__name__ for op in model.operations}
    assert "Relu6" in names and "Clip" in names and "Relu" not in names
    plain, _, _, _ = build(nasnet.build_nasnet_cifar,
                           nasnet.nasnet_cifar_arg_scope, (32, 32, 3), 2,
                           config=cfg.replace(use_bounded_activation=False),
                           num_classes=10, is_training=False)
    names = {type(op).__name__ for op in plain.operations}
    assert "Relu" in names and "Relu6" not in names and "Clip" not in names


@pytest.mark.slow
def test_nchw_matches_nhwc():
    cfg = nasnet.mobile_imagenet_config().replace(num_cells=3,
                                                  num_conv_filters=8)
    kw = {"num_classes": 5, "is_training": False}
    m1, _, _, _ = build(nasnet.build_nasnet_mobile,
                        nasnet.nasnet_mobile_arg_scope, (64, 64, 3), 2,
                        config=cfg, **kw)
    m2, _, eps2, _ = build(nasnet.build_nasnet_mobile,
                           nasnet.nasnet_mobile_arg_scope, (64, 64, 3), 2,
                           config=cfg.replace(data_format="NCHW"), **kw)
    assert list(eps2["Stem"].shape) == [2, 16, 8, 8]  # channels first
    assert [v.path for v in m1.weights] == [v.path for v in m2.weights]
    for a, b in zip(m1.weights, m2.weights):
        b.assign(a)
    x = nc.random_images((2, 64, 64, 3))
    l1, e1 = m1.predict_on_batch(x)
    l2, e2 = m2.predict_on_batch(x)
    np.testing.assert_allclose(l1, l2, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(e1["Cell_2"], np.transpose(
        e2["Cell_2"], [0, 2, 3, 1]), rtol=1e-5, atol=1e-5)


def test_registry_entries():
    for name, size, classes, pre in (
            ("nasnet_cifar", 32, 10, "cifarnet"),
            ("nasnet_mobile", 224, 1001, "inception"),
            ("nasnet_large", 331, 1001, "inception")):
        spec = slim.nets.get_net(name)
        assert (spec.default_image_size, spec.num_classes,
                spec.preprocessing) == (size, classes, pre)
        assert spec.fn.default_image_size == size
    from slimkeras.nets import nets_factory
    fn = nets_factory.get_network_fn("nasnet_mobile", num_classes=3)
    assert fn.default_image_size == 224


def test_keras_lifecycle(tmp_path):
    # one reduction cell + one normal cell: every op kind, drop-path on
    cfg = nasnet.cifar_config().replace(num_cells=1, num_reduction_layers=1,
                                        num_conv_filters=4, use_aux_head=0)
    model = slim.nets.create_model("nasnet_cifar", num_classes=5,
                                   config=cfg)
    # drop-path (0.6) is active under fit; not a weight, not saved
    assert any(isinstance(layer, nu.DropPath) for layer in model.layers)
    x = nc.random_images((4, 32, 32, 3))
    y = np.array([0, 1, 2, 3])
    nc.check_keras_lifecycle(model, x, y, tmp_path, jit=False)


@pytest.mark.slow
def test_aux_head_input_size_check_and_keras_round_trip(tmp_path):
    cfg = nasnet.mobile_imagenet_config().replace(num_cells=3,
                                                  num_conv_filters=8)
    with pytest.raises(ValueError, match="aux head 'aux_1' needs"):
        slim.nets.create_model("nasnet_mobile", input_shape=(64, 64, 3),
                               config=cfg)
    # outputs='both' keeps the aux head in the graph (and in .keras files)
    model = slim.nets.create_model("nasnet_mobile", num_classes=5,
                                   input_shape=(96, 96, 3), config=cfg,
                                   outputs="both")
    assert any(v.path.startswith("aux_1/") for v in model.weights)
    x = nc.random_images((2, 96, 96, 3))
    logits, eps = model.predict_on_batch(x)
    path = str(tmp_path / "aux.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert sorted(v.path for v in loaded.weights) == sorted(
        v.path for v in model.weights)
    logits2, eps2 = loaded.predict_on_batch(x)
    np.testing.assert_allclose(logits2, logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(eps2["AuxLogits"], eps["AuxLogits"],
                               rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_fine_tune_from_golden_checkpoint(golden_dir):
    ckpt = str(golden_dir / "nasnet_mobile" / "model.ckpt")
    cfg = nasnet.mobile_imagenet_config().replace(num_cells=6,
                                                  num_conv_filters=12)

    # Batch norm pinned to inference (tiny batches), as test_mobilenet_v2.
    def make_model(num_classes):
        return slim.nets.create_model(
            "nasnet_mobile", num_classes=num_classes,
            input_shape=(64, 64, 3), is_training=False, config=cfg)

    x = nc.random_images((4, 64, 64, 3), seed=1)
    y = np.array([0, 1, 2, 4])
    # is_training=False: no aux head, so only final_layer/FC is excluded
    assert nasnet.head_scopes(cfg)[0] == "final_layer/FC"
    report = nc.check_fine_tune(make_model, ckpt, ("final_layer/FC",),
                                x, y, learning_rate=1e-4)
    n = len(nc.load_manifest(golden_dir, "nasnet_mobile")["model_variables"])
    assert report["restored"] == n - 2  # all but final_layer/FC


@pytest.mark.slow
@pytest.mark.parametrize("fn,scope,size,shapes", [
    (nasnet.build_nasnet_cifar, nasnet.nasnet_cifar_arg_scope, 32,
     {"Stem": [32, 32, 96], "Cell_5": [32, 32, 192], "Cell_6": [16, 16, 384],
      "Cell_12": [8, 8, 768], "Cell_17": [8, 8, 768],
      "Reduction_Cell_0": [16, 16, 256], "Reduction_Cell_1": [8, 8, 512],
      "global_pool": [768]}),
    (nasnet.build_nasnet_mobile, nasnet.nasnet_mobile_arg_scope, 224,
     {"Stem": [28, 28, 88], "Cell_3": [28, 28, 264], "Cell_4": [14, 14, 528],
      "Cell_8": [7, 7, 1056], "Cell_11": [7, 7, 1056],
      "Reduction_Cell_0": [14, 14, 352], "Reduction_Cell_1": [7, 7, 704],
      "global_pool": [1056]}),
    (nasnet.build_nasnet_large, nasnet.nasnet_large_arg_scope, 331,
     {"Stem": [42, 42, 336], "Cell_5": [42, 42, 1008],
      "Cell_6": [21, 21, 2016], "Cell_12": [11, 11, 4032],
      "Cell_17": [11, 11, 4032], "Reduction_Cell_0": [21, 21, 1344],
      "Reduction_Cell_1": [11, 11, 2688], "global_pool": [4032]}),
])
def test_full_size_end_points_as_research_slim_test(fn, scope, size, shapes):
    # research/slim nasnet_test.py testAllEndPointsShapes*Model (batch 5)
    _, logits, eps, _ = build(fn, scope, (size, size, 3), 5, stateless=True,
                              num_classes=1000, is_training=True)
    assert list(logits.shape) == [5, 1000]
    n = max(int(k.split("_")[1]) for k in eps if k.startswith("Cell_")) + 1
    assert n == (12 if size == 224 else 18)
    assert len(eps) == n + 7  # Stem, 2 reductions, pool, aux, logits, pred
    for k, v in shapes.items():
        assert list(eps[k].shape) == [5, *v], k
    for k in ("AuxLogits", "Logits", "Predictions"):
        assert list(eps[k].shape) == [5, 1000]
