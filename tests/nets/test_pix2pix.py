"""pix2pix generator/discriminator against the original.

References: ``../shared/golden/pix2pix_generator``
(``pix2pix_generator(x, 3, blocks=[Block(8, 0), Block(16, 0),
Block(32, 0), Block(32, 0)])``) and ``pix2pix_discriminator``
(``pix2pix_discriminator(x, [8, 16, 32, 64])``), both in
``pix2pix_arg_scope()``, made by the original research/slim code.
Tolerance: no noise file exists for these cases, so the golden README's
``rtol = atol = 1e-4`` applies to the output and every end point. Other
configurations: upstream ``pix2pix_test.py``'s assertions (ported), and
the decoder dropout that runs at inference (keep_prob > 0).
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from slimkeras.nets import pix2pix
from tests.nets import golden_checks as gc

GOLDEN_BLOCKS = [pix2pix.Block(8, 0), pix2pix.Block(16, 0),
                 pix2pix.Block(32, 0), pix2pix.Block(32, 0)]


def test_golden_generator(golden_dir):
    gc.check_golden(golden_dir, "pix2pix_generator",
                    pix2pix.pix2pix_generator, pix2pix.pix2pix_arg_scope,
                    blocks=GOLDEN_BLOCKS)


def test_golden_discriminator(golden_dir):
    gc.check_golden(golden_dir, "pix2pix_discriminator",
                    pix2pix.pix2pix_discriminator,
                    pix2pix.pix2pix_arg_scope)


def _sym(fn, shape, batch=2, *args, **kw):
    with keras.StatelessScope(initialize_variables=False), \
            slim.name_registry(), slim.arg_scope(pix2pix.pix2pix_arg_scope()):
        return fn(keras.Input(shape, batch_size=batch), *args, **kw)


def _reduced_default_blocks():
    return [pix2pix.Block(b.num_filters // 32, b.decoder_keep_prob)
            for b in pix2pix._default_generator_blocks()]


@pytest.mark.parametrize("method", ["nn_upsample_conv", "conv2d_transpose"])
def test_upstream_output_size(method):
    logits, eps = _sym(pix2pix.pix2pix_generator, (256, 256, 3), 2, 4,
                       blocks=_reduced_default_blocks(),
                       upsample_method=method)
    assert list(logits.shape) == [2, 256, 256, 4]
    assert list(eps["predictions"].shape) == [2, 256, 256, 4]


def test_upstream_block_number_dictates_layers():
    blocks = [pix2pix.Block(64, 0.5), pix2pix.Block(128, 0)]
    _, eps = _sym(pix2pix.pix2pix_generator, (256, 256, 3), 2, 4, blocks)
    assert sum(k.startswith("encoder") for k in eps) == 2
    assert sum(k.startswith("decoder") for k in eps) == 2


def _out(size, stride=2, pad=2, k=4):
    return (size + pad * 2 - k) // stride + 1


@pytest.mark.parametrize("pad", [2, 0])
def test_upstream_discriminator_sizes(pad):
    n = 256
    for stride in (2, 2, 2, 1, 1):
        n = _out(n, stride, pad)
    logits, eps = _sym(pix2pix.pix2pix_discriminator, (256, 256, 3), 2,
                       num_filters=[64, 128, 256, 512], padding=pad)
    assert list(logits.shape) == [2, n, n, 1]
    assert list(eps["predictions"].shape) == [2, n, n, 1]
    with pytest.raises(TypeError):
        _sym(pix2pix.pix2pix_discriminator, (64, 64, 3), 2,
             num_filters=[8, 16], padding=1.5)
    with pytest.raises(ValueError):
        _sym(pix2pix.pix2pix_discriminator, (64, 64, 3), 2,
             num_filters=[8, 16], padding=-1)


def test_decoder_dropout_runs_at_inference():
    blocks = [pix2pix.Block(4, 0.5), pix2pix.Block(8, 0)]
    with slim.name_registry(), slim.arg_scope(pix2pix.pix2pix_arg_scope()):
        x = keras.Input((16, 16, 3))
        logits, _ = pix2pix.pix2pix_generator(x, 3, blocks)
    model = keras.Model(x, logits)
    drop = [layer for layer in model._flatten_layers()
            if type(layer).__name__ == "Dropout"]
    assert len(drop) == 1 and drop[0].is_training is True
    data = np.ones((1, 16, 16, 3), "float32")
    a = np.asarray(model(data, training=False))
    b = np.asarray(model(data, training=False))
    assert not np.allclose(a, b)


@pytest.mark.slow  # ~9 s; the GAN family's fast one is test_dcgan's
def test_keras_lifecycle(tmp_path):
    with slim.name_registry(), slim.arg_scope(pix2pix.pix2pix_arg_scope()):
        x = keras.Input((16, 16, 3))
        logits, _ = pix2pix.pix2pix_generator(
            x, 3, [pix2pix.Block(4, 0), pix2pix.Block(8, 0)])
        score, _ = pix2pix.pix2pix_discriminator(logits, [4, 8])
    model = keras.Model(x, score)
    data = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3))
    data = data.astype("float32")
    target = np.zeros((2,) + tuple(score.shape[1:]), "float32")
    gc.check_image_lifecycle(model, data, target, tmp_path)
