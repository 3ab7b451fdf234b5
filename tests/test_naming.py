"""Variable scopes and default-name uniquification, against tf-slim."""

import numpy as np
import pytest

import slimkeras as slim
from tests.oracle import import_tf_slim, run_slim


def _slim_names(tf_slim):
    def build(x):
        with tf_slim.arg_scope([tf_slim.conv2d],
                               normalizer_fn=tf_slim.batch_norm):
            import tensorflow as tf

            with tf.compat.v1.variable_scope("net"):
                a = tf_slim.conv2d(x, 2, [1, 1])
                b = tf_slim.conv2d(a, 2, [1, 1])
                c = tf_slim.conv2d(b, 2, [1, 1], scope="Conv_5")
                d = tf_slim.conv2d(c, 2, [1, 1])
                e = tf_slim.fully_connected(tf_slim.flatten(d), 3)
                f = tf_slim.fully_connected(e, 3)
                g = tf_slim.stack(f, tf_slim.fully_connected, [4, 5])
                h = tf_slim.repeat(g, 2, tf_slim.fully_connected, 5)
            return h
    _, values = run_slim(build, np.zeros((1, 2, 2, 1), "float32"))
    return list(values)


def test_default_names_match_tf_slim():
    tf_slim = import_tf_slim()
    expected = _slim_names(tf_slim)

    def model_fn(x):
        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
            with slim.variable_scope("net"):
                a = slim.conv2d(x, 2, [1, 1])
                b = slim.conv2d(a, 2, [1, 1])
                c = slim.conv2d(b, 2, [1, 1], scope="Conv_5")
                d = slim.conv2d(c, 2, [1, 1])
                e = slim.fully_connected(slim.flatten(d), 3)
                f = slim.fully_connected(e, 3)
                g = slim.stack(f, slim.fully_connected, [4, 5])
                return slim.repeat(g, 2, slim.fully_connected, 5)

    model = slim.Model(model_fn)
    model(np.zeros((1, 2, 2, 1), "float32"))
    assert sorted(v.path for v in model.weights) == sorted(expected)


def test_fresh_registry_restarts_default_names():
    x = np.zeros((1, 2, 2, 1), "float32")
    names = []
    for _ in range(2):
        with slim.name_registry():
            layer = slim.layers.Conv2D(1, 1)
            names.append(layer.full_scope)
    assert names == ["Conv", "Conv"]
    del x


def test_variable_scope_requires_a_name():
    with pytest.raises(ValueError, match="default_name"):
        with slim.variable_scope(None):
            pass


def test_bad_scope_names_raise():
    with pytest.raises(ValueError, match="scope"):
        slim.layers.Conv2D(1, 1, scope="/abs")
    with pytest.raises(ValueError, match="scope"):
        slim.layers.Conv2D(1, 1, scope="")


def test_reuse_true_shares_layer_in_functional_model():
    import keras

    inp = keras.Input((4, 4, 1))
    with slim.name_registry():
        a = slim.conv2d(inp, 2, [3, 3], scope="shared")
        b = slim.conv2d(inp, 2, [3, 3], scope="shared", reuse=True)
    model = keras.Model(inp, [a, b])
    assert [v.path for v in model.weights] == ["shared/weights",
                                                "shared/biases"]
    x = np.random.rand(1, 4, 4, 1).astype("float32")
    out_a, out_b = model(x)
    np.testing.assert_array_equal(out_a, out_b)


def test_reuse_of_unknown_scope_raises():
    with slim.name_registry():
        with pytest.raises(ValueError, match="reuse=True but no layer"):
            slim.conv2d(np.zeros((1, 2, 2, 1), "float32"), 1, 1,
                        scope="nothing", reuse=True)


def _scope_attrs(variable_scope):
    out = []
    with variable_scope("a") as sc:
        out.append((sc.name, sc.original_name_scope))
        with variable_scope("b") as inner:
            out.append((inner.name, inner.original_name_scope))
    with variable_scope("a") as sc:  # re-entered: a new name scope
        out.append((sc.name, sc.original_name_scope))
    for _ in range(2):
        with variable_scope(None, default_name="X") as sc:
            out.append((sc.name, sc.original_name_scope))
    with variable_scope("a/c") as sc:
        out.append((sc.name, sc.original_name_scope))
    return out


def test_variable_scope_object_matches_tf1():
    """Issue 17 item 3: ``as sc`` has TF1's ``name`` and
    ``original_name_scope`` and still works where the path string did."""
    import tensorflow as tf

    with tf.Graph().as_default():
        expected = _scope_attrs(tf.compat.v1.variable_scope)
    with slim.name_registry():
        got = _scope_attrs(slim.variable_scope)
    assert got == expected
    assert expected[2] == ("a", "a_1/")
    with slim.name_registry():
        with slim.variable_scope("net") as sc:
            assert isinstance(sc, str) and sc == "net" and sc + "/x" == "net/x"
            assert f"{sc}" == "net" and {sc: 1}["net"] == 1
            assert sc.original_name_scope + "_end_points" == "net/_end_points"
        with slim.variable_scope(sc):  # a scope object re-enters it
            assert slim.naming.current_scope_name() == "net"
            assert slim.layers.Conv2D(1, 1).full_scope == "net/Conv"
