"""A 20-line slim-style model function, run by the original tf-slim in graph
mode and by slimkeras (a) on keras.Input and (b) wrapped in slim.Model."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.oracle import import_tf_slim, load_by_name, run_slim


def make_model_fn(s):
    """The same model code for either library ``s`` (tf_slim or slimkeras)."""

    def model_fn(images, is_training=False):
        with s.arg_scope([s.conv2d, s.fully_connected],
                         weights_regularizer=s.l2_regularizer(1e-3)):
            with s.arg_scope([s.conv2d], normalizer_fn=s.batch_norm,
                             normalizer_params={"scale": True,
                                                "is_training": is_training}):
                net = s.repeat(images, 2, s.conv2d, 4, [3, 3], scope="conv1")
                net = s.max_pool2d(net, [2, 2], scope="pool1")
                net = s.stack(net, s.conv2d, [(6, [3, 3]), (8, [1, 1])],
                              scope="conv2")
                net = s.conv2d(net, 8, [3, 3], stride=2, padding="VALID")
                net = s.flatten(net)
                net = s.fully_connected(net, 16, scope="fc1")
                net = s.dropout(net, 0.5, is_training=is_training)
                logits = s.fully_connected(net, 5, activation_fn=None,
                                           scope="logits")
        return logits

    return model_fn


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tf_slim = import_tf_slim()
    x = np.random.default_rng(1).normal(size=(3, 12, 12, 2)).astype("float32")
    ckpt = str(tmp_path_factory.mktemp("ref") / "model.ckpt")
    fn = make_model_fn(tf_slim)

    def build(images):
        with tf.compat.v1.variable_scope("net"):
            return fn(images)

    out, values = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.3)
    model_vars = {k: v for k, v in values.items()}
    return x, ckpt, out, model_vars


def _functional(x_shape):
    fn = make_model_fn(slim)
    inp = keras.Input(x_shape[1:])
    with slim.name_registry():
        with slim.variable_scope("net"):
            out = fn(inp, is_training=None)
    return keras.Model(inp, out)


def _wrapped():
    fn = make_model_fn(slim)

    def model_fn(images, is_training=None):
        with slim.variable_scope("net"):
            return fn(images, is_training=is_training)

    return slim.Model(model_fn)


@pytest.mark.parametrize("make", ["functional", "wrapped"])
def test_names_and_outputs_match_original(reference, make):
    x, ckpt, expected, values = reference
    model = _functional(x.shape) if make == "functional" else _wrapped()
    model(x)
    assert sorted(v.path for v in model.weights) == sorted(values)
    load_by_name(model, ckpt)
    np.testing.assert_allclose(model(x, training=False), expected,
                               rtol=1e-4, atol=1e-4)
    # slim's regularization: 4 weights tensors regularized (conv1_1, conv1_2,
    # conv2_1, conv2_2, Conv, fc1, logits = 7), each scale*sum(w^2)/2.
    reg = sum(float(loss) for loss in model.losses)
    manual = sum(1e-3 * 0.5 * float(np.sum(values[k] ** 2))
                 for k in values if k.endswith("weights"))
    np.testing.assert_allclose(reg, manual, rtol=1e-5)


@pytest.mark.parametrize("make", ["functional", "wrapped"])
def test_trains_with_fit_and_updates_bn(reference, make):
    x, ckpt, _, _ = reference
    model = _functional(x.shape) if make == "functional" else _wrapped()
    model(x)
    load_by_name(model, ckpt)
    y = np.array([0, 1, 2])
    model.compile(keras.optimizers.SGD(0.05),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    mm = [v for v in model.weights if v.path.endswith("moving_mean")][0]
    before = mm.numpy().copy()
    model.predict_on_batch(x)
    np.testing.assert_array_equal(mm.numpy(), before)
    hist = model.fit(x, y, epochs=8, batch_size=3, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert not np.allclose(mm.numpy(), before)


def test_wrapped_model_is_reused_in_tf_function_and_independent():
    x = np.random.rand(2, 12, 12, 2).astype("float32")
    a, b = _wrapped(), _wrapped()
    a(x)
    b(x)
    assert len(a.weights) == len(b.weights)
    assert all(va is not vb for va, vb in zip(a.weights, b.weights))
    fn = tf.function(lambda t: a(t, training=False))
    np.testing.assert_allclose(fn(x), a(x, training=False), atol=1e-6)
    assert len(a.weights) == len(b.weights)


def test_wrapped_model_rejects_new_scopes_and_rank_changes():
    calls = {"n": 0}

    def model_fn(images):
        calls["n"] += 1
        net = slim.conv2d(images, 2, [1, 1], scope="a")
        if calls["n"] > 2:  # build() runs model_fn once, then the call
            net = slim.conv2d(net, 2, [1, 1], scope="late")
        return net

    model = slim.Model(model_fn)
    model(np.zeros((1, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="'late' creates a new layer"):
        model(np.zeros((1, 3, 3, 1), "float32"))
    model2 = slim.Model(lambda t: slim.conv2d(t, 2, [1, 1], scope="b"))
    model2(np.zeros((1, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="rank 4"):
        model2(np.zeros((1, 3, 3, 3, 1), "float32"))


def test_wrapped_model_save_weights_round_trip(tmp_path):
    x = np.random.rand(2, 12, 12, 2).astype("float32")
    a, b = _wrapped(), _wrapped()
    a(x)
    b(x)
    path = str(tmp_path / "w.weights.h5")
    a.save_weights(path)
    b.load_weights(path)
    np.testing.assert_allclose(a(x, training=False), b(x, training=False),
                               atol=1e-6)


def _structured_fn(inputs, is_training=None):
    images, ids = inputs["images"], inputs["ids"]
    assert "int" in str(ids.dtype)  # built on integer zeros, not floats
    net = slim.flatten(slim.conv2d(images, 2, [3, 3], scope="conv1"))
    logits = slim.fully_connected(net, 3, activation_fn=None, scope="fc")
    logits = logits + keras.ops.cast(keras.ops.one_hot(ids, 3), "float32")
    return logits, {"conv1": net, "logits": logits}


def test_structured_inputs_and_returned_structure():
    """Issue 17 item 9: dict / list inputs as Keras models take them; the
    model returns what the function returns, as a functional model."""
    rng = np.random.default_rng(0)
    x = {"images": rng.normal(size=(2, 4, 4, 1)).astype("float32"),
         "ids": np.array([0, 2], "int32")}
    model = slim.Model(_structured_fn)
    preds, end_points = model(x)
    inp = {"images": keras.Input((4, 4, 1), name="images"),
           "ids": keras.Input((), dtype="int32", name="ids")}
    with slim.name_registry():
        functional = keras.Model(inp, _structured_fn(inp))
    functional.set_weights(model.get_weights())
    f_preds, f_eps = functional(x)
    np.testing.assert_allclose(preds, f_preds, atol=1e-6)
    assert list(end_points) == list(f_eps) == ["conv1", "logits"]
    assert list(model.end_points) == ["conv1", "logits"]
    assert [v.path for v in model.weights] == [
        v.path for v in functional.weights]

    def listed(inputs):
        a, b = inputs
        return slim.fully_connected(keras.ops.concatenate([a, b], -1), 2,
                                    scope="fc")

    m = slim.Model(listed)
    out = m([np.ones((3, 2), "float32"), np.ones((3, 1), "float32")])
    assert tuple(out.shape) == (3, 2)
    with pytest.raises(ValueError, match="rank"):
        m([np.ones((3, 2), "float32"), np.ones((3, 1, 1), "float32")])
