"""slim's generic ``pool`` vs the original tf-slim (graph mode).

Outputs on the same inputs agree within float32 1e-6 (MAX exactly).
Inputs are all negative, so that any zero padding would show. SAME
padding with dilation raises ValueError in both (TF 2's ``nn.pool``).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.helpers import check_all_round_trips, rand
from tests.oracle import import_tf_slim, run_slim

TOL = 1e-6


@pytest.mark.parametrize("shape,args,kwargs", [
    ((2, 6, 6, 3), ([2, 2], "AVG"), {"stride": 2}),
    ((2, 7, 7, 3), (3, "MAX"), {"stride": 2, "padding": "SAME"}),
    ((2, 7, 6, 2), (3, "AVG"), {"dilation_rate": 2}),
    ((2, 7, 6, 2), (2, "MAX"), {"dilation_rate": 2, "padding": "VALID"}),
    ((2, 7, 6, 2), ([2, 3], "MAX"), {"dilation_rate": [2, 1]}),
    ((2, 8, 8, 2), (3, "AVG"), {"dilation_rate": 3}),
    ((2, 9, 3), (3, "AVG"), {"stride": 2, "padding": "SAME"}),
    ((2, 9, 3), (2, "MAX"), {"dilation_rate": 3}),
    ((1, 4, 5, 4, 2), (2, "MAX"), {}),
    ((1, 5, 4, 4, 2), ([2, 1, 2], "AVG"), {"dilation_rate": [1, 1, 2]}),
    ((1, 5, 4, 4, 2), ([2, 1, 2], "AVG"), {"padding": "SAME"}),
])
def test_pool_parity(shape, args, kwargs):
    tf_slim = import_tf_slim()
    x = rand(*shape) - 4.0
    ref, _ = run_slim(lambda t: tf_slim.pool(t, *args, **kwargs), x)
    with slim.name_registry():
        ours = slim.pool(x, *args, **kwargs)
    np.testing.assert_allclose(ours, ref, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("ptype,kwargs", [
    ("AVG", {"dilation_rate": 2}),
    ("MAX", {"stride": 2, "padding": "SAME"}),
])
def test_pool_channels_first_matches_channels_last(ptype, kwargs):
    """The original's NCHW pooling has no CPU kernel; compare to NHWC."""
    x = rand(2, 3, 7, 6) - 4.0
    with slim.name_registry():
        first = slim.pool(x, 3, ptype, data_format="NCHW", **kwargs)
        last = slim.pool(np.transpose(x, (0, 2, 3, 1)), 3, ptype, **kwargs)
    np.testing.assert_allclose(first, np.transpose(last, (0, 3, 1, 2)),
                               rtol=TOL, atol=TOL)


def test_default_scope_names():
    tf_slim = import_tf_slim()
    with tf.Graph().as_default():
        t = tf.compat.v1.placeholder(tf.float32, (1, 4, 4, 1))
        names = [tf_slim.pool(t, 2, p).op.name
                 for p in ("AVG", "AVG", "MAX")]
    with slim.name_registry():
        inp = keras.Input((4, 4, 1))
        outs = [slim.pool(inp, 2, p) for p in ("AVG", "AVG", "MAX")]
        model = keras.Model(inp, outs)
        with slim.arg_scope([slim.pool], pooling_type="MAX"):
            layer = slim.layers.Pool(2)
    ours = [lyr.full_scope for lyr in model.layers[1:]]
    assert ours == names == ["avg_pool", "avg_pool_1", "max_pool"]
    assert layer.full_scope == "max_pool_1"


@pytest.mark.parametrize("args,kwargs,shape", [
    ((3, "AVG"), {"dilation_rate": 2}, (2, 6, 5, 2)),
    (([2, 2], "MAX"), {"stride": [2, 1], "data_format": "NCHW"},
     (2, 2, 6, 5)),
    ((2, "AVG"), {"stride": 2}, (2, 6, 2)),
])
def test_round_trips(tmp_path, args, kwargs, shape):
    with slim.name_registry():
        layer = slim.layers.Pool(*args, scope="blk/pool", **kwargs)
    check_all_round_trips(layer, rand(*shape), tmp_path)


@pytest.mark.parametrize("kwargs,shape,match", [
    ({}, (2, 4), "rank 3, 4 or 5"),
    ({"data_format": "NCW"}, (2, 3, 4, 4), "data_format='NCW'"),
    ({"kernel_size": [2, 2, 2]}, (2, 4, 4, 1), "kernel_size"),
    ({"dilation_rate": 2}, (None, 4, None, 1), "known spatial"),
    ({"kernel_size": 3, "dilation_rate": 2}, (2, 4, 6, 1), "does not fit"),
])
def test_bad_inputs(kwargs, shape, match):
    kwargs = {"kernel_size": 2, "pooling_type": "MAX", **kwargs}
    with slim.name_registry():
        layer = slim.layers.Pool(**kwargs)
    with pytest.raises(ValueError, match=match):
        if None in shape:
            layer(keras.Input(batch_shape=shape))
        else:
            layer(rand(*shape))


def test_same_padding_with_dilation_rejected_as_original():
    tf_slim = import_tf_slim()
    x = rand(1, 5, 5, 1)
    with pytest.raises(ValueError, match="dilation_rate"):
        run_slim(lambda t: tf_slim.pool(t, 2, "MAX", padding="SAME",
                                        dilation_rate=2), x)
    with slim.name_registry(), pytest.raises(
            ValueError, match="padding='SAME', dilation_rate=2"):
        slim.pool(x, 2, "MAX", padding="SAME", dilation_rate=2)


@pytest.mark.parametrize("kwargs,match", [
    ({"pooling_type": "MIN"}, "pooling_type='MIN'"),
    ({"padding": "FULL"}, "padding='FULL'"),
    ({"kernel_size": 0}, "kernel_size=0"),
    ({"stride": [1, -1]}, r"stride=\[1, -1\]"),
    ({"stride": 2, "dilation_rate": 2}, "dilation_rate=2"),
    ({"data_format": "HWC"}, "data_format='HWC'"),
])
def test_bad_arguments(kwargs, match):
    kwargs = {"kernel_size": 2, "pooling_type": "AVG", **kwargs}
    with slim.name_registry(), pytest.raises(ValueError, match=match):
        slim.layers.Pool(**kwargs)
