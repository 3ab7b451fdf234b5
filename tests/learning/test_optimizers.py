"""research/slim's learning-rate and optimizer flags on Keras."""

import keras
import numpy as np
import pytest

from slimkeras import learning


def test_exponential_staircase_matches_research_slim_formula():
    lr = learning.configure_learning_rate("exponential", 0.1, decay_steps=10,
                                          learning_rate_decay_factor=0.5)
    # research/slim: lr * factor ** floor(step / decay_steps)
    for step in (0, 9, 10, 25):
        np.testing.assert_allclose(float(lr(step)),
                                   0.1 * 0.5 ** (step // 10), rtol=1e-6)


def test_polynomial_and_fixed_and_warmup():
    lr = learning.configure_learning_rate("polynomial", 0.1, decay_steps=10,
                                          end_learning_rate=0.01)
    np.testing.assert_allclose(float(lr(5)), 0.1 - 0.09 * 0.5, rtol=1e-6)
    np.testing.assert_allclose(float(lr(50)), 0.01, rtol=1e-6)
    assert learning.configure_learning_rate("fixed", 0.3) == 0.3
    warm = learning.configure_learning_rate("fixed", 0.2, warmup_steps=4)
    np.testing.assert_allclose(float(warm(0)), 0.05, rtol=1e-6)
    np.testing.assert_allclose(float(warm(10)), 0.2, rtol=1e-6)


@pytest.mark.parametrize("name", ["adadelta", "adagrad", "adam", "ftrl",
                                  "momentum", "rmsprop", "sgd"])
def test_every_research_slim_optimizer_maps(name):
    opt = learning.configure_optimizer(name, 0.01)
    assert isinstance(opt, keras.optimizers.Optimizer)


def test_unknown_names_raise():
    with pytest.raises(ValueError, match="'cosine'"):
        learning.configure_learning_rate("cosine")
    with pytest.raises(ValueError, match="'lamb'.*sgd"):
        learning.configure_optimizer("lamb", 0.1)
