"""Round-trip checks shared by layer tests (and batch norm statistics
like a trained net's, shared with benchmarks/bench_nets.py).

Each helper takes a built slim layer and an input, rebuilds or re-runs the
layer another way (``from_config``, ``.keras`` file, ``tf.function`` with
and without XLA) and asserts the same outputs and the same variable paths.
Float32 tolerance: the same kernels run on the same weights, so 1e-5
(relative and absolute); XLA may fuse differently, so 1e-4 there.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

import slimkeras as slim

RTOL = ATOL = 1e-5
JIT_TOL = 1e-4


def paths(layer_or_model) -> list[str]:
    """Sorted ``variable.path`` of every weight."""
    return sorted(v.path for v in layer_or_model.weights)


def _copy_weights(src, dst) -> None:
    by_path = {v.path: v for v in src.weights}
    for v in dst.weights:
        v.assign(by_path[v.path])


def check_config_round_trip(layer, x, **call_kwargs):
    """``from_config(get_config())`` outside any scope: same paths/outputs.

    Returns the rebuilt layer.
    """
    expected = np.asarray(layer(x, **call_kwargs))
    config = layer.get_config()
    with slim.name_registry():
        clone = type(layer).from_config(config)
    clone.build(tuple(x.shape))
    assert clone.full_scope == layer.full_scope
    assert paths(clone) == paths(layer)
    _copy_weights(layer, clone)
    np.testing.assert_allclose(
        clone(x, **call_kwargs), expected, rtol=RTOL, atol=ATOL)
    assert clone.get_config() == config
    return clone


def check_keras_round_trip(layer, x, tmp_path, **call_kwargs):
    """A functional model around ``layer`` saved to ``.keras`` and loaded.

    Returns the loaded model.
    """
    inp = keras.Input(shape=tuple(x.shape[1:]), batch_size=x.shape[0])
    model = keras.Model(inp, layer(inp, **call_kwargs))
    expected = np.asarray(model(x))
    path = str(tmp_path / "layer.keras")
    model.save(path)
    with slim.name_registry():
        loaded = keras.models.load_model(path)
    assert paths(loaded) == paths(layer)
    np.testing.assert_allclose(loaded(x), expected, rtol=RTOL, atol=ATOL)
    return loaded


def check_jit(layer, x, **call_kwargs):
    """``tf.function`` and ``tf.function(jit_compile=True)`` match eager."""
    expected = np.asarray(layer(x, **call_kwargs))
    xt = tf.convert_to_tensor(x)
    graph = tf.function(lambda t: layer(t, **call_kwargs))
    np.testing.assert_allclose(graph(xt), expected, rtol=RTOL, atol=ATOL)
    jit = tf.function(lambda t: layer(t, **call_kwargs), jit_compile=True)
    np.testing.assert_allclose(jit(xt), expected, rtol=JIT_TOL, atol=JIT_TOL)


def check_all_round_trips(layer, x, tmp_path, **call_kwargs):
    """Config, ``.keras`` and jit checks in one call."""
    check_config_round_trip(layer, x, **call_kwargs)
    check_keras_round_trip(layer, x, tmp_path, **call_kwargs)
    check_jit(layer, x, **call_kwargs)


def rand(*shape, seed=0):
    """A float32 normal sample of ``shape``."""
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def check_parity(slim_build, layer, x, tmp_path, init_scale=0.3, tol=1e-5,
                 **call_kwargs):
    """The original tf-slim vs ``layer`` on the same checkpoint.

    ``slim_build(placeholder)`` builds the tf-slim graph; its variables are
    set to ``N(0, init_scale)``, saved, and loaded into ``layer`` by
    ``variable.path``. Asserts identical variable-name sets and outputs
    within ``tol`` (float32, relative and absolute). Returns the slim
    output and variables.
    """
    from tests.oracle import load_by_name, run_slim

    ckpt = str(tmp_path / "slim_ref")
    ref, values = run_slim(slim_build, x, checkpoint_out=ckpt,
                           init_scale=init_scale)
    layer.build(tuple(x.shape))
    assert paths(layer) == sorted(values)
    load_by_name(layer, ckpt)
    np.testing.assert_allclose(layer(x, **call_kwargs), ref, rtol=tol,
                               atol=tol)
    return ref, values


def randomize_batch_norm(model, seed: int = 0, spread: float = 0.1) -> None:
    """Batch norm statistics like a trained checkpoint's, in place.

    A fresh net has beta = moving_mean = 0 and gamma = moving_variance = 1:
    folding gives zero biases and an identity scale, which hides errors
    (and lets a frozen graph drop its biases). Sets ``moving_variance`` ~
    U(1 - 5 spread, 1 + 5 spread), ``gamma`` ~ U(1 - 2 spread,
    1 + 2 spread), ``beta``/``moving_mean`` ~ N(0, spread); other weights
    are left as they are.
    """
    rng = np.random.default_rng(seed)
    for v in model.weights:
        leaf = v.path.rsplit("/", 1)[-1]
        if leaf == "moving_variance":
            v.assign(rng.uniform(1 - 5 * spread, 1 + 5 * spread, v.shape))
        elif leaf == "gamma":
            v.assign(rng.uniform(1 - 2 * spread, 1 + 2 * spread, v.shape))
        elif leaf in ("moving_mean", "beta"):
            v.assign(rng.normal(0.0, spread, v.shape))
