"""DCGAN generator/discriminator against the original.

References: ``../shared/golden/dcgan_generator`` (``dcgan.generator(z,
depth=8, final_size=64, num_outputs=3, is_training=False)``) and
``dcgan_discriminator`` (``dcgan.discriminator(x, depth=4,
is_training=False)``), made by the original research/slim code.
Tolerance: no noise file exists for these cases, so the golden README's
``rtol = atol = 1e-4`` applies to the output and every end point. Other
configurations: upstream ``dcgan_test.py``'s assertions (ported).
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import dcgan
from tests.nets import golden_checks as gc


def test_golden_generator(golden_dir):
    gc.check_golden(golden_dir, "dcgan_generator", dcgan.generator)


def test_golden_discriminator(golden_dir):
    gc.check_golden(golden_dir, "dcgan_discriminator", dcgan.discriminator)


def _sym(fn, shape, batch, **kw):
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry():
        return fn(keras.Input(shape, batch_size=batch), **kw)


def test_upstream_generator_graph():
    for i, batch in zip(range(3, 7), range(3, 8)):
        final_size = 2 ** i
        image, eps = _sym(dcgan.generator, (64,), batch, depth=32,
                          final_size=final_size)
        assert list(image.shape) == [batch, final_size, final_size, 3]
        assert set(eps) == {f"deconv{j}" for j in range(1, i)} | {"logits"}
        for j in range(1, i):
            assert eps[f"deconv{j}"].shape[-1] == 32 * 2 ** (i - j - 1)


def test_upstream_generator_invalid_input():
    with pytest.raises(ValueError):
        _sym(dcgan.generator, (32, 32), 5)
    with pytest.raises(ValueError, match="must be a power of 2"):
        _sym(dcgan.generator, (2,), 3, final_size=30)
    with pytest.raises(ValueError, match="at least 8"):
        _sym(dcgan.generator, (2,), 3, final_size=4)


def test_upstream_discriminator_graph():
    for i, batch in zip(range(1, 6), range(3, 8)):
        w = 2 ** i
        out, eps = _sym(dcgan.discriminator, (w, w, 3), batch, depth=32)
        assert list(out.shape) == [batch, 1]
        assert set(eps) == {f"conv{j}" for j in range(1, i + 1)} | {"logits"}
        for j in range(1, i + 1):
            assert eps[f"conv{j}"].shape[-1] == 32 * 2 ** (j - 1)


def test_upstream_discriminator_invalid_input():
    with pytest.raises(ValueError):
        _sym(dcgan.discriminator, (32, 32), 5)
    with pytest.raises(ValueError, match="static"):
        _sym(dcgan.discriminator, (32, None, 3), 5)
    with pytest.raises(ValueError, match="equal"):
        _sym(dcgan.discriminator, (32, 16, 3), 5)
    with pytest.raises(ValueError, match="power of 2"):
        _sym(dcgan.discriminator, (30, 30, 3), 5)


def test_batch_norm_training_variables():
    # The original's inference graph has no debias variables; a trainable
    # net (is_training None/True) gets slim's zero-debias pair.
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry():
        x = keras.Input((16,), batch_size=2)
        m = keras.Model(x, dcgan.generator(x, depth=8, final_size=8,
                                           scope="G2")[0])
    paths = [v.path for v in m.weights]
    assert "G2/deconv1/BatchNorm/moving_mean/biased" in paths
    assert not any(p.endswith("gamma") for p in paths)


def test_keras_lifecycle(tmp_path):
    with slim.name_registry():
        z = keras.Input((16,))
        img, _ = dcgan.generator(z, depth=4, final_size=8)
        score, _ = dcgan.discriminator(img, depth=4)
    model = keras.Model(z, score)
    x = np.random.default_rng(0).normal(size=(4, 16)).astype("float32")
    gc.check_image_lifecycle(model, x, np.ones((4, 1), "float32"), tmp_path)
