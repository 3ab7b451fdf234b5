"""TrainingCheckpoint: weights + optimizer state + step, keyed by path."""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras.checkpoints import TrainingCheckpoint

X = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
Y = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")


class ListNet(keras.Model):
    """Sublayers held in a Python list: the DESIGN.md §7 trap."""

    def __init__(self):
        super().__init__()
        with slim.name_registry(), slim.variable_scope("net"):
            self.blocks = [slim.layers.FullyConnected(5, scope="fc1"),
                           slim.layers.FullyConnected(2, activation_fn=None,
                                                      scope="fc2")]

    def call(self, x):
        for b in self.blocks:
            x = b(x)
        return x


def _trained(steps=2):
    model = ListNet()
    model(X)
    opt = keras.optimizers.SGD(0.1, momentum=0.9)
    model.compile(optimizer=opt, loss="mse")
    model.fit(X, Y, epochs=steps, batch_size=4, verbose=0)
    return model, opt


def test_resume_restores_weights_slots_and_step(tmp_path):
    model, opt = _trained()
    ckpt = TrainingCheckpoint(model, opt, tmp_path, max_to_keep=2)
    path = ckpt.save()
    assert path.endswith("-2") and ckpt.step == 2
    ref = np.array(model(X))
    slots = [np.array(v) for v in opt.variables]

    fresh = ListNet()
    fresh(X)
    opt2 = keras.optimizers.SGD(0.1, momentum=0.9)
    ckpt2 = TrainingCheckpoint(fresh, opt2, tmp_path)
    assert not np.allclose(fresh(X), ref)
    assert ckpt2.restore_latest() == path
    np.testing.assert_array_equal(fresh(X), ref)
    assert ckpt2.step == 2
    for a, b in zip(opt2.variables, slots):
        np.testing.assert_array_equal(a, b)
    # One more identical step on each gives identical weights.
    for m, o in ((model, opt), (fresh, opt2)):
        m.compile(optimizer=o, loss="mse")
        m.fit(X, Y, epochs=1, batch_size=4, verbose=0)
    np.testing.assert_allclose(fresh(X), model(X), rtol=1e-6, atol=1e-6)


def test_max_to_keep_and_empty_directory(tmp_path):
    model, opt = _trained(1)
    ckpt = TrainingCheckpoint(model, opt, tmp_path / "run", max_to_keep=2)
    assert ckpt.restore_latest() is None
    for s in (1, 2, 3):
        ckpt.save(step=s)
    assert len(ckpt.manager.checkpoints) == 2
    assert ckpt.latest.endswith("-3")


def test_mismatch_is_checked_before_assigning(tmp_path):
    model, opt = _trained(1)
    TrainingCheckpoint(model, opt, tmp_path).save()

    class Wider(ListNet):
        def __init__(self):
            keras.Model.__init__(self)
            with slim.name_registry(), slim.variable_scope("net"):
                self.blocks = [slim.layers.FullyConnected(7, scope="fc1"),
                               slim.layers.FullyConnected(
                                   2, activation_fn=None, scope="fc2")]

    other = Wider()
    other(X)
    before = [np.array(v) for v in other.weights]
    with pytest.raises(ValueError, match="net/fc1/weights: shape"):
        TrainingCheckpoint(other, None, tmp_path).restore_latest()
    for v, b in zip(other.weights, before):
        np.testing.assert_array_equal(v, b)


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="model"):
        TrainingCheckpoint("m", None, tmp_path)
    with pytest.raises(ValueError, match="build it"):
        TrainingCheckpoint(ListNet(), None, tmp_path)
