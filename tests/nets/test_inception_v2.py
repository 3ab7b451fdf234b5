"""inception_v2 against the golden manifest and the ORIGINAL tf_slim.

Numerics: ``tf_slim.nets.inception_v2`` in graph mode from the same
He-scaled checkpoint, logits and every end point (same keys and order)
within rtol=atol=1e-4 (float32), at depth_multiplier 0.25 and small
inputs (reduced pool kernel); full size is marked slow.
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import inception_v2 as v2
from tests import oracle
from tests.nets import inception_checks as ic
from tests.nets import net_checks as nc


@pytest.fixture
def orig():
    oracle.import_tf_slim()
    from tf_slim.nets import inception_v2 as slim_v2

    return slim_v2


def _compare(orig, tmp_path, size, batch=2, **kw):
    kw.setdefault("num_classes", 7)
    return nc.compare_with_oracle(
        lambda im: orig.inception_v2(im, is_training=False, **kw),
        orig.inception_v2_arg_scope, v2.inception_v2,
        v2.inception_v2_arg_scope, nc.random_images((batch, size, size, 3)),
        tmp_path, is_training=False, **kw)


def test_names_shapes_order_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, "inception_v2")
    nc.check_manifest(manifest, v2.inception_v2, v2.inception_v2_arg_scope,
                      check_order=False)
    ic.check_creation_order(manifest, v2.inception_v2,
                            v2.inception_v2_arg_scope)


def test_small_matches_tf_slim(orig, tmp_path):
    # 64 px: Mixed_5c is 2x2 -> 'Logits/AvgPool_1a_2x2'; depth(64) = 16
    # gives the separable stem a depthwise multiplier of 5.
    _, _, model = _compare(orig, tmp_path, 64, depth_multiplier=0.25)
    shapes = {v.path: tuple(v.shape) for v in model.weights}
    assert shapes["InceptionV2/Conv2d_1a_7x7/depthwise_weights"] == (
        7, 7, 3, 5)
    assert "InceptionV2/Conv2d_1a_7x7/biases" in shapes
    assert not any(p.startswith("InceptionV2/Conv2d_1a_7x7/BatchNorm")
                   for p in shapes)
    assert any(layer.name == "InceptionV2.Logits.AvgPool_1a_2x2"
               for layer in model.layers)


def test_no_squeeze_min_depth_at_larger_input(orig, tmp_path):
    ref, _, _ = _compare(orig, tmp_path, 288, batch=1, depth_multiplier=0.1,
                         min_depth=8, spatial_squeeze=False)
    assert ref.shape == (1, 2, 2, 7)


def test_global_pool_features_and_errors():
    _, net, eps = nc.build_functional(
        v2.inception_v2, v2.inception_v2_arg_scope, (96, 96, 3),
        num_classes=0, global_pool=True, depth_multiplier=0.25)
    assert tuple(net.shape) == (None, 1, 1, 256)
    assert list(eps)[-1] == "global_pool"
    with pytest.raises(ValueError, match="depth_multiplier"):
        v2.inception_v2_base(np.zeros((1, 32, 32, 3), "float32"),
                             depth_multiplier=-1.0)


def test_registry_entry():
    spec = slim.nets.get_net("inception_v2")
    assert (spec.default_image_size, spec.num_classes) == (224, 1001)
    assert spec.preprocessing == "inception"


def _small(num_classes, is_training=None):
    return slim.nets.create_model(
        "inception_v2", num_classes=num_classes, input_shape=(64, 64, 3),
        depth_multiplier=0.25, is_training=is_training)


def test_keras_lifecycle(tmp_path):
    x = nc.random_images((2, 64, 64, 3))
    nc.check_keras_lifecycle(_small(3), x, np.array([0, 2]), tmp_path)


def test_fine_tune_excluding_logits(tmp_path):
    ckpt = str(tmp_path / "full.ckpt")
    nc.write_checkpoint(_small(10).weights, ckpt)
    nc.check_fine_tune(
        lambda n: _small(n, is_training=False), ckpt,
        slim.nets.get_net("inception_v2").logits_scopes,
        nc.random_images((4, 64, 64, 3), seed=1), np.array([0, 1, 2, 3]),
        learning_rate=1e-3)


@pytest.mark.slow
def test_full_size_matches_tf_slim(orig, tmp_path):
    _compare(orig, tmp_path, 224, batch=1, num_classes=1001)
