"""fold_batch_norms (batch norm folded into convs) and freeze (weights as
constants in one inference graph, TF1 freeze_graph's successor).

References: the ORIGINAL nets — tf_slim's inception_v1 in graph mode
(same checkpoint) and the golden research/slim mobilenet_v1/v2 outputs —
compared with the FOLDED model, and per layer kind the unfolded slimkeras
layer (itself checked against tf_slim in tests/layers). Tolerances:
rtol=atol=1e-4 on O(1) activations for the per-layer and oracle cases
(folding reorders float32 products: W * s then conv vs conv then * s;
observed differences ~1e-6 to 3e-5); the golden mobilenets use the
noise-floor rule of tests/noise_floor.py (max |d| <= max(1e-4, 3 x the
original's own oneDNN on/off noise), mean |d| <= max(1e-5, 3 x its
noise mean)): e.g. mobilenet_v1's Conv2d_13_pointwise, whose own noise
max is 1.8e-4, gets 5.3e-4.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import checkpoints
from slimkeras.inference import fold_batch_norms, foldable, freeze
from slimkeras.nets import inception_v1 as v1
from slimkeras.nets import mobilenet_v1 as mv1
from slimkeras.nets import mobilenet_v2 as mv2
from tests import helpers, oracle
from tests.nets import net_checks as nc
from tests.noise_floor import assert_close, load_noise_floor

TOL = dict(rtol=1e-4, atol=1e-4)


def _randomize_bn(model, seed=0):
    """Non-trivial gamma/beta/moving statistics (init is 1/0/0/1)."""
    helpers.randomize_batch_norm(model, seed=seed, spread=0.15)


def _single_layer_model(make_layer, shape):
    inputs = keras.Input(shape)
    with slim.name_registry():
        layer = make_layer()
        out = layer(inputs)
    model = keras.Model(inputs, out)
    _randomize_bn(model)
    return model, layer


def test_inception_v1_folded_matches_tf_slim(tmp_path):
    tf_slim = oracle.import_tf_slim()
    from tf_slim.nets import inception_v1 as orig

    def ref(im):
        # The base alone has no is_training: slim's batch_norm then
        # defaults to training, so pin inference as slim users did.
        with tf_slim.arg_scope([tf_slim.batch_norm], is_training=False):
            return orig.inception_v1_base(im, final_endpoint="Mixed_3c")

    x = nc.random_images((2, 48, 48, 3))
    ref_logits, ref_eps, model = nc.compare_with_oracle(
        ref, orig.inception_v1_arg_scope, v1.inception_v1_base,
        v1.inception_v1_arg_scope, x, tmp_path, final_endpoint="Mixed_3c")
    folded = fold_batch_norms(model)
    # Every conv of the body has a batch norm: all fold, none is left.
    assert len(folded.folded_scopes) == sum(
        1 for v in model.weights if v.path.endswith("/weights"))
    assert not [v.path for v in folded.weights if "BatchNorm" in v.path]
    logits, eps = folded(x)
    np.testing.assert_allclose(logits, ref_logits, **TOL)
    assert list(eps) == list(ref_eps)
    for k in ref_eps:
        np.testing.assert_allclose(eps[k], ref_eps[k], err_msg=k, **TOL)
    # Frozen: same numbers from Python and from the written GraphDef run
    # by a TF1 Session, as consumers of freeze_graph's .pb files run it.
    frozen = freeze(model)
    assert frozen.folded_scopes == folded.folded_scopes
    f_logits, f_eps = frozen(x)
    np.testing.assert_allclose(f_logits, ref_logits, **TOL)
    assert sorted(f_eps) == sorted(ref_eps)
    pb = frozen.write_graph(str(tmp_path / "frozen.pb"))
    graph_def = tf.compat.v1.GraphDef()
    with open(pb, "rb") as f:
        graph_def.ParseFromString(f.read())
    assert not [n.name for n in graph_def.node
                if n.op in ("VarHandleOp", "ReadVariableOp")]
    with tf.Graph().as_default() as g:
        tf.compat.v1.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=g) as sess:
            out = sess.run(frozen.output_names,
                           {frozen.input_names[0]: x})
    flat_ref = tf.nest.flatten([ref_logits, dict(ref_eps)])
    assert len(out) == len(flat_ref)
    for got, want in zip(out, flat_ref):
        np.testing.assert_allclose(got, want, **TOL)


@pytest.mark.parametrize("net,fn,scope", [
    ("mobilenet_v1", mv1.mobilenet_v1, mv1.mobilenet_v1_arg_scope),
    ("mobilenet_v2", mv2.mobilenet, mv2.training_scope)])
def test_golden_mobilenets_folded(golden_dir, net, fn, scope):
    """Depthwise (multiplier 1) and pointwise convs fold; the folded nets
    reproduce the original research/slim outputs from its checkpoint."""
    g = golden_dir / net
    data = np.load(g / "golden.npz")
    model, _, _ = nc.build_functional(
        fn, scope, (224, 224, 3), arg_scope_kwargs={"is_training": False},
        num_classes=1001)
    report = checkpoints.restore(model, str(g / "model.ckpt"))
    assert not report.missing and not report.unexpected
    folded = fold_batch_norms(model)
    assert any(v.path.endswith("depthwise/biases") or v.path.endswith(
        "_depthwise/biases") for v in folded.weights)
    logits, eps = folded.predict_on_batch(data["input"])
    noise_logits = load_noise_floor(net, golden_dir).tolerance()
    assert_close(logits, data["logits"], noise_logits, "folded logits")
    assert_close(freeze(model)(data["input"])[0], data["logits"],
                 noise_logits, "frozen logits")
    keys = [k for k in data.files if k.startswith("end_points/")]
    assert keys
    noise = load_noise_floor(net, golden_dir)
    for key in keys:
        name = key.split("/", 1)[1]
        # Folding reorders float32 products, as oneDNN on/off does: the
        # original's own noise floor is the bound (tests/noise_floor.py).
        assert_close(eps[name], data[key], noise.tolerance(name), key)


@pytest.mark.parametrize("name,make,shape", [
    ("conv2d", lambda: slim.layers.Conv2D(
        6, [3, 3], normalizer_fn=slim.batch_norm, scope="c"), (9, 9, 4)),
    ("conv2d stride/VALID, no center/scale", lambda: slim.layers.Conv2D(
        5, [3, 3], stride=2, padding="VALID", normalizer_fn=slim.batch_norm,
        normalizer_params={"center": False, "scale": False, "epsilon": 0.1},
        scope="c"), (9, 9, 4)),
    ("conv2d NCHW", lambda: slim.layers.Conv2D(
        6, [3, 3], data_format="NCHW", normalizer_fn=slim.batch_norm,
        normalizer_params={"data_format": "NCHW"}, scope="c"), (4, 9, 9)),
    ("conv1d", lambda: slim.layers.Conv1D(
        6, 3, normalizer_fn=slim.batch_norm, scope="c"), (9, 4)),
    ("conv3d", lambda: slim.layers.Conv3D(
        3, 2, normalizer_fn=slim.batch_norm, scope="c"), (4, 5, 5, 2)),
    ("whole-input kernel (matmul path)", lambda: slim.layers.Conv2D(
        7, [3, 3], padding="VALID", normalizer_fn=slim.batch_norm,
        scope="c"), (3, 3, 4)),
    ("fully_connected", lambda: slim.layers.FullyConnected(
        6, normalizer_fn=slim.batch_norm, activation_fn=None, scope="fc"),
        (10,)),
    ("separable", lambda: slim.layers.SeparableConv2D(
        6, [3, 3], depth_multiplier=2, normalizer_fn=slim.batch_norm,
        scope="s"), (9, 9, 4)),
    ("depthwise, multiplier 3", lambda: slim.layers.SeparableConv2D(
        None, [3, 3], depth_multiplier=3, normalizer_fn=slim.batch_norm,
        scope="s"), (9, 9, 4)),
    ("batch norm's own activation", lambda: slim.layers.Conv2D(
        6, [3, 3], activation_fn=None, normalizer_fn=slim.batch_norm,
        normalizer_params={"activation_fn": slim.relu6}, scope="c"),
        (9, 9, 4)),
])
def test_layer_kinds_fold_exactly(name, make, shape):
    model, layer = _single_layer_model(make, shape)
    x = np.random.default_rng(1).normal(size=(3, *shape)).astype("float32")
    want = model(x, training=False)
    folded = fold_batch_norms(model)
    assert folded.folded_scopes == [layer.full_scope], name
    new = folded.get_layer(layer.name)
    assert new.normalizer is None and new.use_biases
    # The folded layer keeps slim's scope: <scope>/weights, <scope>/biases.
    paths = sorted(v.path for v in folded.weights)
    assert f"{layer.full_scope}/biases" in paths
    assert not [p for p in paths if "BatchNorm" in p]
    np.testing.assert_allclose(folded(x), want, err_msg=name, **TOL)
    # Inference only: the folded model has no batch statistics to use.
    np.testing.assert_allclose(folded(x, training=True), want, **TOL)


@pytest.mark.parametrize("name,make", [
    ("is_training=True pins batch statistics", lambda: slim.layers.Conv2D(
        4, [3, 3], normalizer_fn=slim.batch_norm,
        normalizer_params={"is_training": True}, scope="c")),
    ("two activations", lambda: slim.layers.Conv2D(
        4, [3, 3], normalizer_fn=slim.batch_norm,
        normalizer_params={"activation_fn": slim.relu6}, scope="c")),
    ("a normalizer that is not batch norm", lambda: slim.layers.Conv2D(
        4, [3, 3], normalizer_fn=slim.layer_norm, scope="c")),
    ("no normalizer", lambda: slim.layers.Conv2D(4, [3, 3], scope="c")),
    ("batch norm over another axis than the conv's channels",
     lambda: slim.layers.Conv2D(
         6, [3, 3], normalizer_fn=slim.batch_norm,
         normalizer_params={"data_format": "NCHW"}, scope="c")),
])
def test_unfoldable_layers_are_copied_unchanged(name, make):
    model, layer = _single_layer_model(make, (6, 6, 3))
    assert not foldable(layer)
    x = np.random.default_rng(2).normal(size=(2, 6, 6, 3)).astype("float32")
    folded = fold_batch_norms(model)
    assert folded.folded_scopes == []
    assert [v.path for v in folded.weights] == [v.path for v in model.weights]
    for a, b in zip(folded.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    training = "is_training" in name
    np.testing.assert_allclose(folded(x, training=training),
                               model(x, training=training), **TOL)


def test_original_unchanged_and_copy_independent():
    model = slim.nets.create_model("mobilenet_v1_025", num_classes=5,
                                   input_shape=(32, 32, 3))
    _randomize_bn(model)
    before = [v.numpy().copy() for v in model.weights]
    folded = fold_batch_norms(model)
    for v, b in zip(model.weights, before):
        np.testing.assert_array_equal(v.numpy(), b, err_msg=v.path)
    assert folded.name == model.name
    assert folded.end_point_names == model.end_point_names
    # A snapshot: changing the original later does not reach the copy.
    x = np.random.default_rng(3).random((2, 32, 32, 3), "float32")
    y = folded(x).numpy()
    for v in model.weights:
        v.assign(v.numpy() * 0.5)
    np.testing.assert_array_equal(folded(x).numpy(), y)
    assert not set(map(id, folded.weights)) & set(map(id, model.weights))


def test_resnet_end_points_and_keras_life_cycle(tmp_path):
    model = slim.nets.create_model("resnet_v1_50", num_classes=4,
                                   input_shape=(64, 64, 3), outputs="both")
    _randomize_bn(model)
    x = np.random.default_rng(4).random((2, 64, 64, 3), "float32")
    want_logits, want_eps = model(x, training=False)
    folded = fold_batch_norms(model)
    assert len(folded.folded_scopes) == 53  # every conv but the logits
    logits, eps = folded(x)
    scale = float(np.abs(want_logits).max())
    np.testing.assert_allclose(logits, want_logits, rtol=1e-4,
                               atol=1e-5 * scale)
    assert list(eps) == list(want_eps)
    # Saved and loaded as .keras (safe mode), the copy gives the same.
    path = str(tmp_path / "folded.keras")
    folded.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded(x)[0], logits, rtol=1e-6, atol=1e-6)
    assert [v.path for v in loaded.weights] == [v.path for v in
                                                 folded.weights]
    # And it predicts through Keras like any model.
    np.testing.assert_allclose(folded.predict(x, verbose=0)[0], logits,
                               rtol=1e-4, atol=1e-5 * scale)


def test_subclassed_and_unbuilt_models_are_clear_errors():
    def model_fn(images):
        return slim.conv2d(images, 3, [3, 3], normalizer_fn=slim.batch_norm)

    with pytest.raises(TypeError, match="functional or Sequential.*"
                       "Received: model of type Model"):
        fold_batch_norms(slim.Model(model_fn))
    with pytest.raises(TypeError, match="Received: model of type Conv2D"):
        fold_batch_norms(slim.layers.Conv2D(3, [3, 3]))
    unbuilt = keras.Sequential([slim.layers.Conv2D(
        3, [3, 3], normalizer_fn=slim.batch_norm)])
    with pytest.raises(ValueError, match="is not built"):
        fold_batch_norms(unbuilt)


def test_freeze_snapshot_batch_size_and_bad_input():
    model = slim.nets.create_model("mobilenet_v1_025", num_classes=5,
                                   input_shape=(32, 32, 3))
    _randomize_bn(model)
    x = np.random.default_rng(5).random((2, 32, 32, 3), "float32")
    want = model(x, training=False).numpy()
    unfolded = freeze(model, fold=False)
    assert unfolded.folded_scopes == []
    np.testing.assert_allclose(unfolded(x), want, **TOL)
    fixed = freeze(model, batch_size=2)
    np.testing.assert_allclose(fixed(x), want, **TOL)
    # A snapshot: the model's later changes do not reach it.
    for v in model.weights:
        v.assign(v.numpy() * 0.5)
    np.testing.assert_allclose(fixed(x), want, **TOL)
    with pytest.raises(ValueError, match=r"must have shape \(2, 32, 32, 3\)"
                       r".*Received shape \(3, 32, 32, 3\)"):
        fixed(np.zeros((3, 32, 32, 3), "float32"))
    with pytest.raises(ValueError, match="expected 1 input"):
        fixed(x, x)
    with pytest.raises(ValueError, match="batch_size=0"):
        freeze(model, batch_size=0)
    with pytest.raises(TypeError, match="Received: model of type Model"):
        freeze(slim.Model(lambda images: slim.conv2d(images, 2, [1, 1])))
