"""inception_v1 against the golden manifest and the ORIGINAL tf_slim.

Numerics: ``tf_slim.nets.inception_v1`` in graph mode from the same
He-scaled checkpoint, logits and every end point (same keys and order)
within rtol=atol=1e-4 (float32). tf_slim's v1 has no depth multiplier and
a fixed 7x7 pool, so the classifier is compared at 224 px (batch 1); the
base is also compared truncated at a small input.
"""

import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import inception_v1 as v1
from tests import oracle
from tests.nets import inception_checks as ic
from tests.nets import net_checks as nc


@pytest.fixture
def orig():
    oracle.import_tf_slim()
    from tf_slim.nets import inception_v1 as slim_v1

    return slim_v1


def test_names_shapes_order_match_manifest(golden_dir):
    manifest = nc.load_manifest(golden_dir, "inception_v1")
    nc.check_manifest(manifest, v1.inception_v1, v1.inception_v1_arg_scope,
                      check_order=False)
    ic.check_creation_order(manifest, v1.inception_v1,
                            v1.inception_v1_arg_scope)


def test_base_final_endpoint_matches_tf_slim(orig, tmp_path):
    tf_slim = oracle.import_tf_slim()

    def ref(im):
        with tf_slim.arg_scope([tf_slim.batch_norm], is_training=False):
            return orig.inception_v1_base(im, final_endpoint="Mixed_3c")

    nc.compare_with_oracle(
        ref, orig.inception_v1_arg_scope, v1.inception_v1_base,
        v1.inception_v1_arg_scope, nc.random_images((2, 48, 48, 3)),
        tmp_path, final_endpoint="Mixed_3c")


def test_classifier_matches_tf_slim(orig, tmp_path):
    x = nc.random_images((1, 224, 224, 3))
    _, _, model = nc.compare_with_oracle(
        lambda im: orig.inception_v1(im, num_classes=7, is_training=False),
        orig.inception_v1_arg_scope, v1.inception_v1,
        v1.inception_v1_arg_scope, x, tmp_path, num_classes=7,
        is_training=False)
    # sic: the 7x7 average pool is named 'MaxPool_0a_7x7' in tf_slim.
    assert any(layer.name == "InceptionV1.Logits.MaxPool_0a_7x7"
               for layer in model.layers)


@pytest.mark.slow
def test_no_squeeze_at_256_gives_2x2_logits(orig, tmp_path):
    ref, _, _ = nc.compare_with_oracle(
        lambda im: orig.inception_v1(im, num_classes=7, is_training=False,
                                     spatial_squeeze=False),
        orig.inception_v1_arg_scope, v1.inception_v1,
        v1.inception_v1_arg_scope, nc.random_images((1, 256, 256, 3)),
        tmp_path, num_classes=7, is_training=False, spatial_squeeze=False)
    assert ref.shape == (1, 2, 2, 7)


def test_global_pool_features_and_errors():
    _, net, eps = nc.build_functional(
        v1.inception_v1, v1.inception_v1_arg_scope, (96, 96, 3),
        num_classes=None, global_pool=True)
    assert tuple(net.shape) == (None, 1, 1, 1024)
    assert list(eps)[-1] == "global_pool"
    with pytest.raises(ValueError, match="spatial_squeeze"):
        nc.build_functional(v1.inception_v1, v1.inception_v1_arg_scope,
                            (256, 256, 3), num_classes=3)
    with pytest.raises(ValueError, match="final_endpoint"):
        v1.inception_v1_base(np.zeros((1, 32, 32, 3), "float32"),
                             final_endpoint="Logits")


def test_registry_entry():
    spec = slim.nets.get_net("inception_v1")
    assert (spec.default_image_size, spec.num_classes) == (224, 1001)
    assert spec.logits_scopes == ("InceptionV1/Logits",)


def _small(num_classes, is_training=None):
    # global_pool lets the net run below tf_slim's 224 px minimum.
    return slim.nets.create_model(
        "inception_v1", num_classes=num_classes, input_shape=(64, 64, 3),
        global_pool=True, is_training=is_training)


def test_keras_lifecycle(tmp_path):
    x = nc.random_images((2, 64, 64, 3))
    nc.check_keras_lifecycle(_small(3), x, np.array([0, 2]), tmp_path)


def test_fine_tune_excluding_logits(tmp_path):
    ckpt = str(tmp_path / "full.ckpt")
    nc.write_checkpoint(_small(10).weights, ckpt)
    nc.check_fine_tune(
        lambda n: _small(n, is_training=False), ckpt,
        slim.nets.get_net("inception_v1").logits_scopes,
        nc.random_images((4, 64, 64, 3), seed=1), np.array([0, 1, 2, 3]),
        learning_rate=1e-3)
