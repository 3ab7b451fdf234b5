"""batch_norm(..., batch_weights=w) against the original tf-slim.

slim's ``batch_weights`` (one frequency weight per example) take its
non-fused path with ``nn.weighted_moments``: the batch mean and the
(biased) weighted variance normalize the batch and feed the moving
averages. Same initial weights through a real checkpoint; one training
step; outputs and moving statistics compared at rtol=atol=1e-5.

Oracle shim: slim's non-fused path calls ``utils.constant_value``, which
tests ``isinstance(x, ops.Tensor)``, an alias TF 2.21 removed
(DESIGN.md §1). The test restores that one alias (``ops.Tensor =
tensor.Tensor``, the class it named) for its own duration.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim

TOL = 1e-5


@pytest.fixture
def tf_slim(monkeypatch):
    from tensorflow.python.framework import ops, tensor

    monkeypatch.setattr(ops, "Tensor", tensor.Tensor, raising=False)
    return import_tf_slim()


def _slim_step(tf_slim, tmp_path, x, w, **kw):
    ckpt = str(tmp_path / "init")

    def build(inp, wt):
        return tf_slim.batch_norm(inp, batch_weights=wt, is_training=True,
                                  **kw)

    _, initial = run_slim(build, [x, w], checkpoint_out=ckpt, init_scale=0.5)
    updates = lambda _: tf.compat.v1.get_collection(  # noqa: E731
        tf.compat.v1.GraphKeys.UPDATE_OPS)
    out, after = run_slim(build, [x, w], checkpoint_in=ckpt,
                          run_train_op=updates)
    return ckpt, initial, out, after


CASES = [
    ((6, 3), dict(scale=True, decay=0.9)),
    ((6, 3, 3, 4), dict(scale=True, decay=0.9)),
    ((6, 4, 3, 3), dict(scale=True, decay=0.8, data_format="NCHW")),
    ((6, 4, 2), dict(center=False, decay=0.5, epsilon=0.1)),
]


def test_weighted_training_step_matches_tf_slim(tf_slim, tmp_path):
    for i, (shape, kw) in enumerate(CASES):
        x = helpers.rand(*shape, seed=i) * 2.0 + 1.0
        w = np.random.default_rng(i).uniform(0.1, 3.0, shape[0]).astype(
            "float32")
        d = tmp_path / str(i)
        ckpt, initial, ref, after = _slim_step(tf_slim, d, x, w, **kw)
        with slim.name_registry():
            layer = slim.layers.BatchNorm(is_training=True, **kw)
        layer.build(x.shape)
        assert helpers.paths(layer) == sorted(initial)
        load_by_name(layer, ckpt)
        out = layer(x, batch_weights=w)
        np.testing.assert_allclose(out, ref, rtol=TOL, atol=TOL,
                                   err_msg=str(shape))
        for name in ("moving_mean", "moving_variance"):
            path = f"BatchNorm/{name}"
            assert not np.allclose(initial[path], after[path])
            np.testing.assert_allclose(getattr(layer, name).numpy(),
                                       after[path], rtol=TOL, atol=TOL,
                                       err_msg=f"{shape} {name}")
        # The weights matter: unweighted moments give other statistics.
        with slim.name_registry():
            plain = slim.layers.BatchNorm(is_training=True, **kw)
        plain.build(x.shape)
        load_by_name(plain, ckpt)
        assert not np.allclose(plain(x), ref, atol=1e-3)


def test_function_form_and_functional_model_pass_weights_per_call(tf_slim,
                                                                  tmp_path):
    x = helpers.rand(6, 3, 3, 4) * 2.0 + 1.0
    w = np.random.default_rng(5).uniform(0.1, 3.0, 6).astype("float32")
    ckpt, _, ref, after = _slim_step(tf_slim, tmp_path, x, w, decay=0.9)
    # Function form, eager: a fresh layer (moving_mean 0, moving_variance
    # 1) updated once from the weighted moments (numpy's weighted average).
    with slim.name_registry() as reg:
        y = slim.batch_norm(tf.constant(x), batch_weights=w, decay=0.9,
                            is_training=True)
    layer = reg.layers["BatchNorm"]
    ww = np.broadcast_to(w[:, None, None, None], x.shape)
    mean = np.average(x, axis=(0, 1, 2), weights=ww)
    var = np.average((x - mean) ** 2, axis=(0, 1, 2), weights=ww)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean,
                               rtol=TOL, atol=TOL)
    np.testing.assert_allclose(layer.moving_variance.numpy(),
                               0.9 + 0.1 * var, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 0.001),
                               rtol=1e-4, atol=1e-4)
    xin, win = keras.Input((3, 3, 4)), keras.Input(())
    with slim.name_registry():
        out = slim.batch_norm(xin, batch_weights=win, decay=0.9)
    model = keras.Model([xin, win], out)
    load_by_name(model, ckpt)
    got = model([x, w], training=True)
    np.testing.assert_allclose(got, ref, rtol=TOL, atol=TOL)
    mv = [v for v in model.weights if v.path.endswith("moving_variance")][0]
    np.testing.assert_allclose(mv.numpy(), after["BatchNorm/moving_variance"],
                               rtol=TOL, atol=TOL)
    # Inference ignores the weights (slim uses the moving statistics).
    np.testing.assert_allclose(model([x, w], training=False),
                               model([x, np.ones(6, "float32")],
                                     training=False), rtol=0, atol=0)


def test_batch_weights_errors_name_the_fix():
    x = helpers.rand(6, 4)
    layer = slim.layers.BatchNorm(is_training=True)
    with pytest.raises(ValueError, match=r"shape \[batch_size\] = \[6\]"):
        layer(x, batch_weights=np.ones((6, 1), "float32"))
    with pytest.raises(ValueError, match=r"\[6\]"):
        layer(x, batch_weights=np.ones(5, "float32"))
    with pytest.raises(ValueError, match="per-batch tensor"):
        slim.layers.BatchNorm(batch_weights=np.ones(6, "float32"))
    # As a conv's normalizer_params entry (built once, cannot follow data).
    with pytest.raises(ValueError, match="normalizer_fn=None"):
        slim.conv2d(helpers.rand(6, 3, 3, 2), 4, [1, 1],
                    normalizer_fn=slim.batch_norm,
                    normalizer_params={"batch_weights": np.ones(6)})
