"""The original tf-slim (1.1.0) as a test oracle, in TF1 graph mode.

``run_slim(build)`` builds ``build(placeholders…)`` with tf_slim inside a
fresh ``tf.Graph``, initialises it (randomly, or from a checkpoint),
evaluates the outputs and can save a name-based checkpoint that
slimkeras then restores. DESIGN.md §1: tf_slim's batch_norm needs
tf_keras and an alias of ``tf_keras.legacy_tf_layers``; the shim lives
here, never in the package.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf


def _shim() -> None:
    try:
        import tf_keras  # noqa: F401
        import tf_keras.src.legacy_tf_layers as legacy
    except ImportError:  # pragma: no cover - test extra missing
        return
    sys.modules.setdefault("tf_keras.legacy_tf_layers", legacy)


def import_tf_slim():
    """``import tf_slim`` with the shim applied (skips if not installed)."""
    import pytest

    _shim()
    return pytest.importorskip("tf_slim")


def run_slim(
    build: Callable[..., Any],
    inputs: dict[str, np.ndarray] | list[np.ndarray] | np.ndarray,
    checkpoint_in: str | None = None,
    checkpoint_out: str | None = None,
    seed: int = 0,
    init_scale: float | None = None,
    feed_extra: dict | None = None,
    run_train_op: Callable[..., Any] | None = None,
):
    """Builds ``build(*tensors)`` with tf_slim and evaluates it.

    Args:
        build: called inside the graph with one placeholder per input;
            returns a tensor or a (nested) structure of tensors.
        inputs: numpy array(s) fed to the placeholders.
        checkpoint_in: restore every global variable from this
            name-based checkpoint before running.
        checkpoint_out: save every global variable here (TF1 Saver V2).
        seed: graph-level seed for random initialisers.
        init_scale: if set, every variable is re-initialised to
            ``N(0, init_scale)`` (positive for variances) so outputs are
            not trivially zero.

    Returns:
        ``(outputs, variables)``: evaluated outputs (same structure), and
        ``{name: value}`` of every global variable, in creation order.
    """
    if isinstance(inputs, np.ndarray):
        inputs = [inputs]
    items = list(inputs.items()) if isinstance(inputs, dict) else list(
        enumerate(inputs))
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(seed)
        phs = [
            tf.compat.v1.placeholder(tf.as_dtype(v.dtype), v.shape,
                                     name=f"input_{k}")
            for k, v in items
        ]
        outputs = build(*phs)
        variables = tf.compat.v1.global_variables()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(tf.compat.v1.local_variables_initializer())
            if init_scale is not None:
                rng = np.random.default_rng(seed)
                for v in variables:
                    shape = v.shape.as_list()
                    if not v.dtype.base_dtype.is_floating:
                        continue
                    val = rng.normal(0, init_scale, shape).astype(
                        v.dtype.base_dtype.as_numpy_dtype)
                    if "moving_variance" in v.op.name or "gamma" in v.op.name:
                        val = np.abs(val) + 0.5
                    v.load(val, sess)
            if checkpoint_in:
                tf.compat.v1.train.Saver(variables).restore(sess, checkpoint_in)
            feed = {ph: v for ph, (_, v) in zip(phs, items)}
            feed.update(feed_extra or {})
            if run_train_op is not None:
                sess.run(run_train_op(outputs), feed)
            out = sess.run(outputs, feed)
            # One run for all variables: a run per variable re-prunes the
            # graph each time (~0.2 s each on Inception-sized graphs).
            values = dict(zip([v.op.name for v in variables],
                              sess.run(variables)))
            if checkpoint_out:
                tf.compat.v1.train.Saver(variables).save(
                    sess, checkpoint_out, write_meta_graph=False)
    return out, values


def load_by_name(model_or_vars, checkpoint: str, strict: bool = True):
    """Test-side loader: assigns checkpoint tensors to ``variable.path``.

    Kept independent of ``slimkeras.checkpoints`` so layer tests check
    names without depending on the restore code under test.
    """
    reader = tf.train.load_checkpoint(checkpoint)
    shapes = reader.get_variable_to_shape_map()
    variables = getattr(model_or_vars, "weights", model_or_vars)
    missing = [v.path for v in variables if v.path not in shapes]
    if strict and missing:
        raise AssertionError(
            f"not in checkpoint: {missing}; has {sorted(shapes)}")
    for v in variables:
        if v.path in shapes:
            v.assign(reader.get_tensor(v.path))
    return sorted(shapes)
