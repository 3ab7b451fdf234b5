"""dropout and flatten against tf-slim (no variables on either side).

Flatten must match slim's NHWC order exactly; dropout's random mask
cannot match slim's, so its inference identity is checked against slim
and its training behaviour against slim's documented semantics
(``keep_prob``: kept units scaled by ``1 / keep_prob``).
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, run_slim


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_flatten_matches_tf_slim(shape):
    tf_slim = import_tf_slim()
    x = helpers.rand(*shape)
    ref, values = run_slim(lambda inp: tf_slim.flatten(inp), x)
    with slim.name_registry():
        y = slim.flatten(x)
    assert values == {}
    np.testing.assert_array_equal(y, ref)


def test_flatten_unknown_batch():
    inp = keras.Input((3, 4, 2))
    with slim.name_registry():
        out = slim.flatten(inp)
    assert tuple(out.shape) == (None, 24)


@pytest.mark.parametrize("kw", [
    dict(keep_prob=0.5, is_training=False),
    dict(keep_prob=1.0, is_training=True),
])
def test_dropout_identity_matches_tf_slim(kw):
    tf_slim = import_tf_slim()
    x = helpers.rand(4, 6)
    ref, _ = run_slim(lambda inp: tf_slim.dropout(inp, **kw), x)
    with slim.name_registry():
        y = slim.dropout(x, **kw)
    np.testing.assert_array_equal(y, ref)


@pytest.mark.parametrize("keep_prob", [0.25, 0.8])
def test_dropout_training_semantics(keep_prob):
    x = np.ones((200, 50), "float32")
    with slim.name_registry():
        layer = slim.layers.Dropout(keep_prob, is_training=True, seed=1)
    y = np.asarray(layer(x))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1.0 / keep_prob, rtol=1e-6)
    assert abs(kept.mean() - keep_prob) < 0.03


def test_dropout_follows_keras_training_and_noise_shape():
    x = np.ones((4, 3, 8), "float32")
    with slim.name_registry():
        layer = slim.layers.Dropout(0.5, noise_shape=[4, 1, 8], seed=0)
    np.testing.assert_array_equal(layer(x), x)  # training=None: inference
    y = np.asarray(layer(x, training=True))
    # One mask value per (batch, channel), shared along axis 1.
    np.testing.assert_array_equal(y, np.repeat(y[:, :1], 3, axis=1))
    assert set(np.unique(y)) <= {0.0, 2.0}


@pytest.mark.parametrize("layer_fn,shape", [
    (lambda: slim.layers.Flatten(scope="flat"), (2, 3, 2, 2)),
    (lambda: slim.layers.Dropout(0.5, scope="drop"), (2, 5)),
])
def test_round_trips(tmp_path, layer_fn, shape):
    with slim.name_registry():
        layer = layer_fn()
    x = helpers.rand(*shape)
    layer(x)
    helpers.check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("kw,exc,match", [
    (dict(keep_prob=0.0), ValueError, "keep_prob=0.0"),
    (dict(keep_prob=1.5), ValueError, "keep_prob=1.5"),
    (dict(keep_prob="a"), ValueError, "keep_prob='a'"),
    (dict(is_training="no"), TypeError, "is_training=.no."),
])
def test_dropout_bad_arguments(kw, exc, match):
    with pytest.raises(exc, match=match):
        slim.layers.Dropout(**kw)


def test_flatten_bad_rank():
    with pytest.raises(ValueError, match=r"rank >= 2.*\(3,\)"):
        slim.layers.Flatten()(helpers.rand(3))
