"""nets_factory: research/slim's get_network_fn / nets_map / arg_scopes_map."""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import nets_factory, registry

MINE = ["vgg_a", "vgg_16", "vgg_19", "alexnet_v2", "overfeat", "lenet",
        "cifarnet"]


def test_maps_cover_registry():
    for name in MINE:
        assert name in nets_factory.nets_map
        assert nets_factory.nets_map[name] is registry.get_net(name).fn
        assert (nets_factory.arg_scopes_map[name]
                is registry.get_net(name).arg_scope)
    assert sorted(nets_factory.nets_map) == slim.nets.list_nets()


def test_unknown_name():
    with pytest.raises(ValueError, match="vgg_16"):
        nets_factory.get_network_fn("vgg16", 10)


@pytest.mark.parametrize("name,size,channels,eps", [
    ("lenet", 28, 1, 9), ("cifarnet", 32, 3, 9), ("vgg_a", 224, 3, 16),
    ("alexnet_v2", 224, 3, 11), ("overfeat", 231, 3, 11),
])
def test_network_fn_applies_arg_scope(name, size, channels, eps):
    fn = nets_factory.get_network_fn(name, num_classes=5, weight_decay=1e-3,
                                     is_training=False)
    assert fn.default_image_size == size
    assert fn.__name__ == name
    inputs = keras.Input((size, size, channels))
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry():
        logits, end_points = fn(inputs)
    assert tuple(logits.shape) == (None, 5)
    assert len(end_points) == eps
    model = keras.Model(inputs, logits)
    # weight_decay reached the arg_scope: every regularized layer has it.
    regs = [v.regularizer for v in model.weights if v.regularizer]
    assert regs and all(abs(r.scale - 1e-3) < 1e-12 for r in regs)


def test_network_fn_forwards_kwargs_and_training_flag():
    fn = nets_factory.get_network_fn("cifarnet", num_classes=3)
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    with slim.name_registry():
        logits, eps = fn(x, dropout_keep_prob=1.0)
    assert logits.shape == (2, 3) and "Predictions" in eps
