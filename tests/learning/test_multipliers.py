"""Per-scope gradient multipliers for Keras fit (slim's
gradient_multipliers), checked against a manual SGD step."""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras import learning


def _model():
    def net(x, is_training=None):
        x = slim.fully_connected(x, 4, scope="body/fc1")
        return slim.fully_connected(x, 2, activation_fn=None, scope="head")

    model = slim.Model(net)
    model(np.zeros((1, 3), "float32"))
    return model


def test_fit_scales_gradients_per_scope():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.integers(0, 2, 8)
    a, b = _model(), _model()
    b.set_weights(a.get_weights())
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    a.compile(keras.optimizers.SGD(0.1), lossf)
    opt = learning.scale_gradients(keras.optimizers.SGD(0.1),
                                   {"head": 3.0, "body": 0.0})
    b.compile(opt, lossf)
    before = {v.path: v.numpy().copy() for v in a.weights}
    a.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    b.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    for va, vb in zip(a.weights, b.weights):
        step = va.numpy() - before[va.path]
        got = vb.numpy() - before[vb.path]
        want = step * (3.0 if va.path.startswith("head") else 0.0)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert type(opt).__name__ == "SGD"


def test_bad_multiplier_raises():
    with pytest.raises(TypeError, match="'head'.*'x'"):
        learning.scale_gradients(keras.optimizers.SGD(0.1), {"head": "x"})
    with pytest.raises(TypeError, match="optimizer"):
        learning.scale_gradients("sgd", {"head": 1.0})
