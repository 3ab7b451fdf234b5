"""repeat and stack against tf-slim: child names, outputs, stack args.

Same weights through a real checkpoint; float32 tolerance 1e-5.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, load_by_name, run_slim


def _compare(tmp_path, slim_build, our_build, x):
    """Builds both sides; same variable names, same outputs."""
    ckpt = str(tmp_path / "ref")
    ref, values = run_slim(slim_build, x, checkpoint_out=ckpt,
                           init_scale=0.3)
    with slim.name_registry():
        inp = keras.Input(shape=x.shape[1:], batch_size=x.shape[0])
        model = keras.Model(inp, our_build(inp))
    assert helpers.paths(model) == sorted(values)
    load_by_name(model, ckpt)
    np.testing.assert_allclose(model(x), ref, rtol=1e-5, atol=1e-5)
    return values


def test_repeat_scope_names(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 5, 5, 3)
    values = _compare(
        tmp_path,
        lambda t: tf_slim.repeat(t, 3, tf_slim.conv2d, 4, [3, 3],
                                 scope="conv3"),
        lambda t: slim.repeat(t, 3, slim.conv2d, 4, [3, 3], scope="conv3"),
        x)
    assert "conv3/conv3_3/weights" in values


def test_repeat_default_names(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 4, 4, 2)

    def slim_build(t):
        t = tf_slim.repeat(t, 2, tf_slim.conv2d, 2, 1)
        return tf_slim.repeat(t, 2, tf_slim.conv2d, 2, 1)

    def our_build(t):
        t = slim.repeat(t, 2, slim.conv2d, 2, 1)
        return slim.repeat(t, 2, slim.conv2d, 2, 1)

    values = _compare(tmp_path, slim_build, our_build, x)
    assert "Repeat/convolution2d_1/weights" in values
    assert "Repeat_1/convolution2d_2/biases" in values


def test_repeat_inside_arg_scope_and_variable_scope(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 4, 4, 2)

    def slim_build(t):
        with tf_slim.arg_scope([tf_slim.conv2d], activation_fn=None):
            with tf.compat.v1.variable_scope("net"):
                return tf_slim.repeat(t, 2, tf_slim.conv2d, 3, [2, 2],
                                      scope="block")

    def our_build(t):
        with slim.arg_scope([slim.conv2d], activation_fn=None):
            with slim.variable_scope("net"):
                return slim.repeat(t, 2, slim.conv2d, 3, [2, 2],
                                   scope="block")

    values = _compare(tmp_path, slim_build, our_build, x)
    assert "net/block/block_2/weights" in values


def test_stack_fully_connected(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(3, 5)
    values = _compare(
        tmp_path,
        lambda t: tf_slim.stack(t, tf_slim.fully_connected, [8, 4],
                                scope="fc"),
        lambda t: slim.stack(t, slim.fully_connected, [8, 4], scope="fc"),
        x)
    assert values["fc/fc_2/weights"].shape == (8, 4)


def test_stack_tuple_args_and_default_names(tmp_path):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 6, 6, 2)
    args = [(4, [3, 3]), (2, [1, 1], 2)]

    def slim_build(t):
        t = tf_slim.stack(t, tf_slim.conv2d, args)
        return tf_slim.stack(t, tf_slim.fully_connected, [3])

    def our_build(t):
        t = slim.stack(t, slim.conv2d, args)
        return slim.stack(t, slim.fully_connected, [3])

    values = _compare(tmp_path, slim_build, our_build, x)
    assert "Stack/convolution2d_2/weights" in values
    assert "Stack_1/fully_connected_1/weights" in values


@pytest.mark.parametrize("repetitions", [0, -1, 1.5, True])
def test_repeat_bad_repetitions(repetitions):
    with pytest.raises(ValueError, match=f"repetitions={repetitions!r}"):
        slim.repeat(helpers.rand(1, 2), repetitions, slim.fully_connected, 2)


def test_repeat_bad_layer():
    with pytest.raises(TypeError, match="layer"):
        slim.repeat(helpers.rand(1, 2), 2, "conv2d")


def test_stack_bad_args():
    with pytest.raises(ValueError, match="stack_args=3"):
        slim.stack(helpers.rand(1, 2), slim.fully_connected, 3)
