"""I3D: the S3D-G base with I3D's arguments (research/slim ``i3d.py``).

No golden case exists for I3D (full width is 49 MB and it has no depth
multiplier). Its numerics are those of :mod:`slimkeras.nets.s3dg`, which
is checked against ``../shared/golden/s3dg_dm025`` and whose separable
conv/self-gating block is checked against the original tf_slim; here:
upstream ``i3d_test.py``'s shape assertions (ported, symbolic builds),
I3D's variable structure (full 3-D kernels, no temporal/gating
variables), equality with ``s3dg`` called with I3D's arguments on the
same weights, and the registry entry.
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import i3d, s3dg
from tests.nets import net_checks as nc
from tests.nets.test_s3dg import END_POINTS, SHAPES_224_64


def test_upstream_base_shapes():
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry(), slim.arg_scope(i3d.i3d_arg_scope()):
        x = keras.Input((64, 224, 224, 3), batch_size=5)
        net, eps = i3d.i3d_base(x)
    assert list(eps) == END_POINTS
    for key, shape in SHAPES_224_64.items():
        assert list(eps[key].shape) == shape, key
    assert list(net.shape) == [5, 8, 7, 7, 1024]


def test_classifier_structure():
    with keras.StatelessScope(initialize_variables=False):
        model, logits, eps = nc.build_functional(
            i3d.i3d, i3d.i3d_arg_scope, (64, 224, 224, 3), batch_size=5,
            num_classes=1000)
    assert list(logits.shape) == [5, 1000]
    assert list(eps) == END_POINTS + ["Logits", "Predictions"]
    paths = {v.path: list(v.shape) for v in model.weights}
    assert paths["InceptionV1/Conv2d_1a_7x7/weights"] == [7, 7, 7, 3, 64]
    assert paths["InceptionV1/Conv2d_2c_3x3/weights"] == [3, 3, 3, 64, 192]
    assert paths["InceptionV1/Mixed_4b/Branch_1/Conv2d_0b_3x3/weights"] == [
        3, 3, 3, 96, 208]
    assert not any("temporal" in p or "self_gating" in p for p in paths)
    assert not any(p.endswith("gamma") for p in paths)
    # separable_conv3d=True gives S3D-style temporal convs, still no gating.
    with keras.StatelessScope(initialize_variables=False):
        model, _, _ = nc.build_functional(
            i3d.i3d, lambda: i3d.i3d_arg_scope(separable_conv3d=True),
            (16, 64, 64, 3), batch_size=1, num_classes=5)
    paths = {v.path for v in model.weights}
    assert "InceptionV1/Conv2d_2c_3x3/temporal/weights" in paths
    assert not any("self_gating" in p for p in paths)
    with pytest.raises(NotImplementedError, match="renorm"):
        nc.build_functional(i3d.i3d, lambda: i3d.i3d_arg_scope(
            use_renorm=True), (16, 64, 64, 3), num_classes=5)


@pytest.mark.slow  # ~10-20 s (two 3-D nets run eagerly)
def test_equals_s3dg_with_i3d_arguments():
    x = nc.random_images((1, 4, 16, 16, 3))
    mi, _, _ = nc.build_functional(i3d.i3d, i3d.i3d_arg_scope, x.shape[1:],
                                   num_classes=4, is_training=False)
    ms, _, _ = nc.build_functional(
        s3dg.s3dg, i3d.i3d_arg_scope, x.shape[1:], num_classes=4,
        is_training=False, first_temporal_kernel_size=7,
        gating_startat=None)
    assert [v.path for v in mi.weights] == [v.path for v in ms.weights]
    rng = np.random.default_rng(0)
    for a, b in zip(mi.weights, ms.weights):
        val = rng.normal(0, 0.1, a.shape).astype("float32")
        if a.path.endswith("moving_variance"):
            val = np.abs(val) + 0.5
        a.assign(val)
        b.assign(val)
    la, ea = mi(x, training=False)
    lb, eb = ms(x, training=False)
    np.testing.assert_array_equal(np.asarray(la), np.asarray(lb))
    assert list(ea) == list(eb)


@pytest.mark.parametrize("name", ["i3d", "s3dg"])
def test_create_model_default_size(name):
    spec = slim.nets.get_net(name)
    assert spec.default_image_size == 224 and spec.num_classes == 1000
    assert spec.num_frames == 64
    with keras.StatelessScope(initialize_variables=False):
        model = slim.nets.create_model(name)
    assert tuple(model.input.shape) == (None, 64, 224, 224, 3)
    assert tuple(model.output.shape) == (None, 1000)


def test_registry():
    spec = slim.nets.get_net("i3d")
    assert spec.logits_scopes == ("InceptionV1/Logits",)
    from slimkeras.nets import nets_factory
    assert nets_factory.nets_map["i3d"] is i3d.i3d
    assert nets_factory.arg_scopes_map["s3dg"] is s3dg.s3dg_arg_scope
