"""layer_norm, group_norm, instance_norm vs the original tf-slim.

Parity: the original's variables are set to N(0, 0.3) (gamma |.|+0.5),
saved to a real checkpoint and restored here by name; variable-name sets
must be identical and float32 outputs agree within 1e-5 (relative and
absolute). Layers built without ``scope`` in a fresh name registry must
get slim's default scope names.
"""

import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.helpers import check_all_round_trips, check_parity, rand
from tests.oracle import import_tf_slim


def _ours(cls, **kwargs):
    with slim.name_registry():
        return cls(**kwargs)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 4, 4, 3), {}),
    ((2, 4, 4, 3), {"begin_norm_axis": -1, "begin_params_axis": 1}),
    ((2, 4, 4, 3), {"begin_norm_axis": 2, "center": False}),
    ((3, 5), {"scale": False}),
    ((2, 3, 4), {"scope": "net/ln", "activation_fn": tf.nn.relu}),
])
def test_layer_norm_parity(tmp_path, shape, kwargs):
    tf_slim = import_tf_slim()
    x = rand(*shape)
    layer = _ours(slim.layers.LayerNorm, **kwargs)
    check_parity(lambda t: tf_slim.layer_norm(t, **kwargs), layer, x,
                 tmp_path)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 4, 4, 4), {"groups": 2}),
    ((2, 4, 3, 3), {"groups": 2, "channels_axis": -3,
                    "reduction_axes": (-2, -1)}),
    ((2, 4, 4, 6), {"groups": 3, "mean_close_to_zero": True,
                    "center": False}),
    ((2, 5, 8), {"groups": 4, "reduction_axes": (-2,), "scope": "gn",
                 "epsilon": 1e-3}),
])
def test_group_norm_parity(tmp_path, shape, kwargs):
    tf_slim = import_tf_slim()
    x = rand(*shape) + 0.5
    layer = _ours(slim.layers.GroupNorm, **kwargs)
    check_parity(lambda t: tf_slim.group_norm(t, **kwargs), layer, x,
                 tmp_path)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 4, 4, 3), {}),
    ((2, 3, 4, 4), {"data_format": "NCHW", "scale": False}),
    ((2, 5, 3), {"epsilon": 1e-2, "scope": "a/inorm"}),
])
def test_instance_norm_parity(tmp_path, shape, kwargs):
    tf_slim = import_tf_slim()
    x = rand(*shape)
    layer = _ours(slim.layers.InstanceNorm, **kwargs)
    check_parity(lambda t: tf_slim.instance_norm(t, **kwargs), layer, x,
                 tmp_path)


@pytest.mark.parametrize("norm", ["layer_norm", "group_norm",
                                  "instance_norm"])
def test_as_conv_normalizer(tmp_path, norm):
    """conv2d(normalizer_fn=...) puts the params under <conv>/<Norm>/."""
    tf_slim = import_tf_slim()
    x = rand(2, 5, 5, 3)
    params = {"groups": 2} if norm == "group_norm" else {}

    def build(t):
        return tf_slim.conv2d(t, 4, [3, 3], normalizer_fn=getattr(
            tf_slim, norm), normalizer_params=params, scope="conv1")

    with slim.name_registry():
        layer = slim.layers.Conv2D(4, [3, 3], normalizer_fn=getattr(
            slim, norm), normalizer_params=params, scope="conv1")
    check_parity(build, layer, x, tmp_path)


@pytest.mark.parametrize("cls,kwargs,shape", [
    ("LayerNorm", {"begin_norm_axis": -2}, (2, 4, 4, 3)),
    ("GroupNorm", {"groups": 3, "channels_axis": -1}, (2, 4, 4, 6)),
    ("InstanceNorm", {"data_format": "NCHW", "center": False}, (2, 3, 4, 4)),
])
def test_round_trips(tmp_path, cls, kwargs, shape):
    layer = _ours(getattr(slim.layers, cls), scope="blk/norm", **kwargs)
    x = rand(*shape)
    layer.build(x.shape)
    for v in layer.weights:
        v.assign(rand(*v.shape, seed=3) + 1.0)
    check_all_round_trips(layer, x, tmp_path)


def test_arg_scope_defaults():
    with slim.name_registry():
        with slim.arg_scope([slim.layer_norm], center=False):
            layer = slim.layers.LayerNorm()
            with slim.arg_scope([slim.layers.GroupNorm], groups=4):
                out = slim.group_norm(rand(2, 3, 3, 8))
    assert layer.get_config()["center"] is False
    assert layer.full_scope == "LayerNorm"
    assert out.shape == (2, 3, 3, 8)


@pytest.mark.parametrize("cls,kwargs,shape,match", [
    ("LayerNorm", {"begin_norm_axis": 4}, (2, 3, 3, 2), "begin_norm_axis=4"),
    ("LayerNorm", {"begin_params_axis": -5}, (2, 3, 3, 2),
     "begin_params_axis=-5"),
    ("GroupNorm", {"groups": 3}, (2, 3, 3, 4), "groups=3"),
    ("GroupNorm", {"groups": 8}, (2, 3, 3, 4), "groups=8"),
    ("GroupNorm", {"groups": 2, "reduction_axes": (-1,)}, (2, 3, 3, 4),
     "reduction_axes"),
    ("GroupNorm", {"groups": 2, "channels_axis": 5}, (2, 3, 3, 4),
     "channels_axis=5"),
    ("GroupNorm", {"groups": 2}, (4,), "rank >= 2"),
    ("InstanceNorm", {}, (4,), "rank >= 2"),
])
def test_bad_inputs(cls, kwargs, shape, match):
    layer = _ours(getattr(slim.layers, cls), **kwargs)
    with pytest.raises(ValueError, match=match):
        layer(np.zeros(shape, "float32"))


@pytest.mark.parametrize("cls,kwargs,exc,match", [
    ("LayerNorm", {"begin_norm_axis": 1.5}, TypeError, "begin_norm_axis=1.5"),
    ("GroupNorm", {"groups": 0}, ValueError, "groups=0"),
    ("GroupNorm", {"reduction_axes": 2}, TypeError, "reduction_axes=2"),
    ("InstanceNorm", {"data_format": "NWC"}, ValueError, "data_format='NWC'"),
    ("InstanceNorm", {"epsilon": -1.0}, ValueError, "epsilon=-1.0"),
    ("InstanceNorm", {"param_initializers": {"moving_mean": "zeros"}},
     ValueError, "param_initializers"),
])
def test_bad_arguments(cls, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _ours(getattr(slim.layers, cls), **kwargs)
