"""The shared base of the conv family (slimkeras/layers/conv_base.py).

Behaviour of each layer against the original is in its own test module;
here: what the base guarantees to all of them.
"""

import numpy as np
import pytest

import slimkeras as slim
from tests import helpers

LAYERS = [
    (lambda: slim.layers.Convolution(3, 2), (1, 5, 5, 2)),
    (lambda: slim.layers.Conv2D(3, 2, data_format="NCHW"), (1, 2, 5, 5)),
    (lambda: slim.layers.Conv2DTranspose(3, 2, stride=2), (1, 4, 4, 2)),
    (lambda: slim.layers.SeparableConv2D(None, 3, depth_multiplier=2),
     (1, 5, 5, 2)),
    (lambda: slim.layers.ConvInPlane([1, 2]), (1, 5, 5, 2)),
    (lambda: slim.layers.FullyConnected(3), (2, 4)),
]


def test_compute_output_shape_changes_no_config():
    # One test, not one per layer: each test pays a Keras session clear.
    for make, shape in LAYERS:
        with slim.name_registry():
            layer = make()
        before = layer.get_config()
        out = layer.compute_output_shape(shape)
        assert layer.get_config() == before, type(layer).__name__
        assert tuple(layer(helpers.rand(*shape)).shape) == tuple(out)


def test_convolution_rank_is_fixed_at_build_not_by_shape_queries():
    with slim.name_registry():
        layer = slim.layers.Convolution(3, 2)
    # A 1-D, then a 2-D query: neither fixes the rank or the data format.
    assert layer.compute_output_shape((1, 6, 2)) == (1, 6, 3)
    assert layer.compute_output_shape((1, 6, 6, 2)) == (1, 6, 6, 3)
    config = layer.get_config()
    assert config["data_format"] is None and config["conv_dims"] is None
    layer(helpers.rand(1, 6, 6, 2))
    assert layer.conv_dims == 2 and layer.data_format == "NHWC"


def test_default_weights_differ_between_layers():
    # The signature's default names an initializer: each layer draws its
    # own values (one shared unseeded Keras initializer would repeat them).
    x = helpers.rand(1, 4, 4, 3)
    for cls, args in ((slim.layers.Conv2D, (8, 3)),
                      (slim.layers.Conv2DTranspose, (8, 3)),
                      (slim.layers.FullyConnected, (8,))):
        with slim.name_registry():
            a, b = cls(*args), cls(*args)
        a(x), b(x)
        assert not np.allclose(a.kernel.numpy(), b.kernel.numpy()), cls
        init = a.get_config()["weights_initializer"]
        assert init["class_name"] == "GlorotUniform"


def test_explicit_none_weights_initializer_is_glorot_not_zeros():
    with slim.name_registry():
        layer = slim.layers.Conv2D(8, 3, weights_initializer=None)
    layer(helpers.rand(1, 4, 4, 3))
    kernel = layer.kernel.numpy()
    limit = np.sqrt(6.0 / (3 * 3 * 3 + 3 * 3 * 8))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0


def test_one_validation_for_the_family():
    cases = [
        (lambda: slim.layers.Conv2DTranspose(2, 3, stride=0), "stride=.*0"),
        (lambda: slim.layers.SeparableConv2D(2, 3, stride=2, rate=2),
         "separable_convolution2d: only one of rate or stride"),
        (lambda: slim.layers.ConvInPlane(3, padding="full"),
         "padding='full'"),
        (lambda: slim.layers.FullyConnected(0),
         "fully_connected: `num_outputs`"),
    ]
    for make, match in cases:
        with slim.name_registry(), pytest.raises(ValueError, match=match):
            make()


def test_one_unseeded_initializer_shared_by_a_scope_draws_per_layer():
    # research/slim's cifarnet/resnet scopes pass ONE initializer object to
    # every conv; TF1 drew fresh values for each variable, and so must we.
    x = helpers.rand(1, 4, 4, 3)
    shared = slim.initializers.truncated_normal_initializer(stddev=0.1)
    seeded = slim.initializers.truncated_normal_initializer(stddev=0.1,
                                                            seed=3)
    for init, same in ((shared, False), (seeded, True)):
        with slim.name_registry(), slim.arg_scope(
                [slim.conv2d], weights_initializer=init):
            a, b = slim.layers.Conv2D(8, 3), slim.layers.Conv2D(8, 3)
        a(x), b(x)
        equal = np.array_equal(a.kernel.numpy(), b.kernel.numpy())
        assert equal is same, (init, same)
        assert 0.0 < np.std(a.kernel.numpy()) < 0.1
