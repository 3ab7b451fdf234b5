"""one_hot_encoding, unit_norm, softmax, maxout, scale_gradient and
spatial_softmax vs the original tf-slim (graph mode).

Stateless ops: outputs on the same inputs agree within float32 1e-6
(one_hot and maxout exactly). spatial_softmax: its ``temperature`` comes
from the original's real checkpoint (names must match); outputs within
1e-5. scale_gradient: gradients agree within 1e-6.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.helpers import (
    check_all_round_trips,
    check_config_round_trip,
    check_jit,
    paths,
    rand,
)
from tests.oracle import import_tf_slim, load_by_name, run_slim

TOL = 1e-6


def _ours(cls, *args, **kwargs):
    with slim.name_registry():
        return getattr(slim.layers, cls)(*args, **kwargs)


@pytest.mark.parametrize("op,args,kwargs,x", [
    ("one_hot_encoding", (5,), {}, np.array([0, 2, -1, 4, 7], "int32")),
    ("one_hot_encoding", (3,), {"on_value": 2.0, "off_value": -0.5},
     np.array([[0, 1, 2], [2, 2, 0]], "int64")),
    ("unit_norm", (1,), {}, rand(2, 3)),
    ("unit_norm", (3,), {"epsilon": 1e-3}, rand(2, 3, 3, 4)),
    ("unit_norm", (0,), {}, rand(2, 4)),
    ("softmax", (), {}, rand(3, 5)),
    ("softmax", (), {}, rand(2, 3, 3, 4) * 5),
    ("maxout", (3,), {}, rand(2, 4, 4, 6)),
    ("maxout", (2,), {"axis": 1}, rand(2, 6, 3)),
    ("maxout", (1,), {"axis": -2}, rand(2, 4, 3)),
])
def test_stateless_parity(op, args, kwargs, x):
    tf_slim = import_tf_slim()
    ref, values = run_slim(
        lambda t: getattr(tf_slim, op)(t, *args, **kwargs), x)
    assert values == {}
    with slim.name_registry():
        ours = getattr(slim, op)(x, *args, **kwargs)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=TOL, atol=TOL)


def test_scale_gradient_parity():
    tf_slim = import_tf_slim()
    x = rand(2, 3)
    w = rand(2, 3, seed=1)

    def build(t):
        y = tf_slim.scale_gradient(t, 0.25)
        return y, tf.gradients(tf.reduce_sum(y * y * w), t)[0]

    (ref_y, ref_g), _ = run_slim(build, x)
    xt = tf.constant(x)
    for multiplier in (0.25, tf.constant(0.25)):
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = slim.scale_gradient(xt, multiplier)
            loss = tf.reduce_sum(y * y * w)
        np.testing.assert_allclose(y, ref_y, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(tape.gradient(loss, xt), ref_g,
                                   rtol=TOL, atol=TOL)


def test_scale_gradient_in_jit():
    layer = _ours("ScaleGradient", -2.0)
    x = tf.constant(rand(2, 3))

    @tf.function(jit_compile=True)
    def grad(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            loss = tf.reduce_sum(layer(t))
        return tape.gradient(loss, t)

    np.testing.assert_array_equal(grad(x), -2.0 * np.ones((2, 3)))


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 4, 5, 3), {}),
    ((2, 3, 4, 5), {"data_format": "NCHW", "name": "net/ss"}),
    ((2, 3, 1, 2), {"trainable": False, "temperature": 2.0}),
])
def test_spatial_softmax_parity(tmp_path, shape, kwargs):
    tf_slim = import_tf_slim()
    x = rand(*shape) * 3
    ckpt = str(tmp_path / "ref")

    def build(t):
        out = tf_slim.spatial_softmax(t, **kwargs)
        # A temperature other than the initial one, saved in the checkpoint.
        var = tf.compat.v1.global_variables()[0]
        with tf.control_dependencies([var.assign(0.7)]):
            return tf.identity(out)

    run_slim(build, x, checkpoint_out=ckpt)
    ref, values = run_slim(lambda t: tf_slim.spatial_softmax(t, **kwargs),
                           x, checkpoint_in=ckpt)
    assert values == pytest.approx({list(values)[0]: 0.7})
    layer = _ours("SpatialSoftmax", **kwargs)
    layer.build(x.shape)
    assert paths(layer) == sorted(values)
    assert layer.temperature_var.trainable == kwargs.get("trainable", True)
    load_by_name(layer, ckpt)
    np.testing.assert_allclose(layer(x), ref, rtol=1e-5, atol=1e-5)


def test_spatial_softmax_function_scopes():
    with slim.name_registry():
        inp = keras.Input((3, 3, 2))
        with slim.variable_scope("net"):
            a = slim.spatial_softmax(inp)
            b = slim.spatial_softmax(inp, None, "kp")
        model = keras.Model(inp, [a, b])
    assert paths(model) == ["net/kp/temperature",
                            "net/spatial_softmax/temperature"]


def _round_trip_cases():
    return [
        ("UnitNorm", (2,), (2, 3, 4)),
        ("Softmax", (), (2, 3, 4)),
        ("Maxout", (2,), (2, 3, 4)),
        ("ScaleGradient", (0.5,), (2, 3)),
        ("SpatialSoftmax", (1.5,), (2, 3, 4, 2)),
    ]


@pytest.mark.parametrize("cls,args,shape", _round_trip_cases())
def test_round_trips(tmp_path, cls, args, shape):
    layer = _ours(cls, *args, scope="blk/op")
    check_all_round_trips(layer, rand(*shape), tmp_path)


def test_one_hot_round_trips(tmp_path):
    layer = _ours("OneHotEncoding", 4, on_value=3.0, scope="oh")
    labels = np.array([[0, 3], [1, 9]], "int32")
    check_config_round_trip(layer, labels)
    check_jit(layer, labels)
    inp = keras.Input((2,), dtype="int32")
    model = keras.Model(inp, layer(inp))
    model.save(str(tmp_path / "m.keras"))
    with slim.name_registry():
        loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    np.testing.assert_array_equal(loaded(labels), model(labels))


@pytest.mark.parametrize("cls,args,x,exc,match", [
    ("UnitNorm", (2,), rand(2, 3), ValueError, "dim=2"),
    ("Softmax", (), rand(3), ValueError, "rank >= 2"),
    ("Maxout", (4,), rand(2, 6), ValueError, "num_units=4"),
    ("Maxout", (2,), rand(2, 6), ValueError, None),
    ("OneHotEncoding", (3,), rand(2), TypeError, "integers"),
    ("SpatialSoftmax", (), rand(2, 3, 4), ValueError, "rank 4"),
])
def test_bad_inputs(cls, args, x, exc, match):
    kwargs = {"axis": 3} if match is None else {}
    layer = _ours(cls, *args, **kwargs)
    with pytest.raises(exc, match=match or "axis=3"):
        layer(x)


@pytest.mark.parametrize("cls,args,kwargs,exc,match", [
    ("OneHotEncoding", (0,), {}, ValueError, "num_classes=0"),
    ("OneHotEncoding", (3,), {"on_value": "a"}, TypeError, "on_value='a'"),
    ("UnitNorm", (-1,), {}, ValueError, "dim=-1"),
    ("UnitNorm", (1,), {"epsilon": -1}, ValueError, "epsilon=-1"),
    ("Maxout", (0,), {}, ValueError, "num_units=0"),
    ("Maxout", (2,), {"axis": 1.0}, TypeError, "axis=1.0"),
    ("ScaleGradient", ("x",), {}, TypeError, "gradient_multiplier='x'"),
    ("SpatialSoftmax", ("hot",), {}, TypeError, "temperature='hot'"),
    ("SpatialSoftmax", (), {"data_format": "NCW"}, ValueError,
     "data_format='NCW'"),
])
def test_bad_arguments(cls, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _ours(cls, *args, **kwargs)


def test_spatial_softmax_unknown_height_width():
    """Unknown H/W (a traced signature) give the eager result."""
    layer = _ours("SpatialSoftmax")
    x = rand(2, 1, 5, 3)
    fn = tf.function(layer, input_signature=[
        tf.TensorSpec((None, None, None, 3))])
    np.testing.assert_allclose(fn(x), layer(x), rtol=1e-6, atol=1e-6)
