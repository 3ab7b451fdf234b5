"""max_pool2d / avg_pool2d / max_pool3d / avg_pool3d against tf-slim.

Pools hold no variables: outputs must match slim's (float32, 1e-6) and
neither side creates variables.
"""

import numpy as np
import pytest

import slimkeras as slim
from tests import helpers
from tests.oracle import import_tf_slim, run_slim

TOL = 1e-6


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("kernel,stride,padding,size", [
    ([2, 2], 2, "VALID", 8),
    ([3, 3], 2, "VALID", 7),
    ([3, 3], 2, "SAME", 7),
    ([3, 3], 1, "SAME", 6),
    ([2, 3], [1, 2], "SAME", 5),
])
def test_pool2d_matches_tf_slim(op, kernel, stride, padding, size):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, size, size + 1, 3)
    kw = dict(stride=stride, padding=padding)
    ref, values = run_slim(
        lambda inp: getattr(tf_slim, op)(inp, kernel, **kw), x)
    with slim.name_registry():
        y = getattr(slim, op)(x, kernel, **kw)
    assert values == {}
    np.testing.assert_allclose(y, ref, rtol=TOL, atol=TOL)


@pytest.mark.needs_onednn  # the original: NCHW needs oneDNN on CPU
@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
def test_defaults_and_nchw(op):
    tf_slim = import_tf_slim()
    x = helpers.rand(2, 3, 6, 5)
    ref, _ = run_slim(
        lambda inp: getattr(tf_slim, op)(inp, 2, data_format="NCHW"), x)
    with slim.name_registry():
        layer = getattr(slim.layers, op.replace("_pool2d", "Pool2D").replace(
            "max", "Max").replace("avg", "Avg"))(2, data_format="NCHW")
    assert layer.stride == (2, 2) and layer.padding == "VALID"
    np.testing.assert_allclose(layer(x), ref, rtol=TOL, atol=TOL)
    assert layer.compute_output_shape(x.shape) == ref.shape


@pytest.mark.parametrize("op", ["max_pool3d", "avg_pool3d"])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_pool3d_matches_tf_slim(op, padding):
    tf_slim = import_tf_slim()
    x = helpers.rand(1, 4, 5, 5, 2)
    ref, _ = run_slim(
        lambda inp: getattr(tf_slim, op)(inp, [2, 3, 3], padding=padding),
        x)
    with slim.name_registry():
        y = getattr(slim, op)(x, [2, 3, 3], padding=padding)
    np.testing.assert_allclose(y, ref, rtol=TOL, atol=TOL)


def test_scope_names():
    with slim.name_registry():
        a = slim.layers.MaxPool2D(2)
        b = slim.layers.MaxPool2D(2)
        c = slim.layers.AvgPool2D(2, scope="pool5")
    assert (a.full_scope, b.full_scope, c.full_scope) == (
        "MaxPool2D", "MaxPool2D_1", "pool5")


@pytest.mark.parametrize("cls,shape", [
    (slim.layers.MaxPool2D, (2, 6, 6, 2)),
    (slim.layers.AvgPool2D, (2, 2, 5, 5)),
    (slim.layers.MaxPool3D, (1, 4, 4, 4, 2)),
    (slim.layers.AvgPool1D, (2, 6, 3)),
])
def test_round_trips(tmp_path, cls, shape):
    fmt = "NCHW" if shape == (2, 2, 5, 5) else None
    with slim.name_registry():
        layer = cls(2, padding="SAME", data_format=fmt, scope="pool")
    x = helpers.rand(*shape)
    layer(x)
    helpers.check_all_round_trips(layer, x, tmp_path)


@pytest.mark.parametrize("kw,match", [
    (dict(kernel_size=0), "kernel_size=.*0"),
    (dict(kernel_size=[2, 2, 2]), r"kernel_size=\[2, 2, 2\]"),
    (dict(stride=-1), "stride=.*-1"),
    (dict(padding="full"), "padding='full'"),
    (dict(data_format="NCDHW"), "data_format='NCDHW'"),
])
def test_bad_arguments(kw, match):
    args = dict(kernel_size=2)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        slim.layers.MaxPool2D(**args)


def test_bad_input_rank():
    with pytest.raises(ValueError, match=r"rank 4.*\(2, 4, 3\)"):
        slim.layers.AvgPool2D(2)(helpers.rand(2, 4, 3))
