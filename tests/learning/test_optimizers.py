"""research/slim's learning-rate and optimizer flags on Keras."""

import keras
import numpy as np
import pytest
import tensorflow as tf

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


# --- TF1 arithmetic: the same flags give the same updates -------------------
# Each case: research/slim's flag values (its defaults unless noted) and the
# tf.compat.v1.train optimizer research/slim's _configure_optimizer builds
# from them.
_TF1 = {
    "rmsprop": (dict(rmsprop_decay=0.9, rmsprop_momentum=0.9, opt_epsilon=1.0),
                lambda lr: tf.compat.v1.train.RMSPropOptimizer(
                    lr, decay=0.9, momentum=0.9, epsilon=1.0)),
    "rmsprop_small_eps": (
        dict(rmsprop_decay=0.95, rmsprop_momentum=0.5, opt_epsilon=1e-3),
        lambda lr: tf.compat.v1.train.RMSPropOptimizer(
            lr, decay=0.95, momentum=0.5, epsilon=1e-3)),
    "momentum": (dict(momentum=0.9),
                 lambda lr: tf.compat.v1.train.MomentumOptimizer(lr, 0.9)),
    "adam": (dict(adam_beta1=0.8, adam_beta2=0.99, opt_epsilon=1.0),
             lambda lr: tf.compat.v1.train.AdamOptimizer(
                 lr, beta1=0.8, beta2=0.99, epsilon=1.0)),
    "adam_small_eps": (dict(opt_epsilon=1e-8),
                       lambda lr: tf.compat.v1.train.AdamOptimizer(
                           lr, epsilon=1e-8)),
    "adadelta": (dict(adadelta_rho=0.9, opt_epsilon=1e-2),
                 lambda lr: tf.compat.v1.train.AdadeltaOptimizer(
                     lr, rho=0.9, epsilon=1e-2)),
    "adagrad": (dict(adagrad_initial_accumulator_value=0.3),
                lambda lr: tf.compat.v1.train.AdagradOptimizer(
                    lr, initial_accumulator_value=0.3)),
    "ftrl": (dict(ftrl_learning_rate_power=-0.6,
                  ftrl_initial_accumulator_value=0.2, ftrl_l1=0.01,
                  ftrl_l2=0.02),
             lambda lr: tf.compat.v1.train.FtrlOptimizer(
                 lr, learning_rate_power=-0.6, initial_accumulator_value=0.2,
                 l1_regularization_strength=0.01,
                 l2_regularization_strength=0.02)),
    "sgd": ({}, lambda lr: tf.compat.v1.train.GradientDescentOptimizer(lr)),
}

_W0 = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
_LR = 0.02
_C = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")


def _loss(w):
    # Non-linear, so gradients depend on the weights and steps compound.
    return (tf.reduce_sum(tf.constant(_C) * w)
            + tf.reduce_sum(tf.square(w) * tf.abs(w)))


def _tf1_steps(make_opt, steps, decay):
    with tf.Graph().as_default():
        gs = tf.compat.v1.train.get_or_create_global_step()
        w = tf.compat.v1.get_variable("w", initializer=_W0)
        lr = tf.compat.v1.train.exponential_decay(
            _LR, gs, 1, 0.5, staircase=True) if decay else _LR
        op = make_opt(lr).minimize(_loss(w), global_step=gs)
        out = []
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(steps):
                sess.run(op)
                out.append(sess.run(w))
        return out


def _keras_steps(name, opts, steps, decay):
    lr = learning.configure_learning_rate(
        "exponential" if decay else "fixed", _LR, decay_steps=1,
        learning_rate_decay_factor=0.5)
    opt = learning.configure_optimizer(name, lr, **opts)
    w = keras.Variable(_W0, name="w")
    out = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = _loss(w)
        opt.apply_gradients([(tape.gradient(loss, w), w)])
        out.append(np.array(w))
    return out


@pytest.mark.parametrize("decay", [False, True], ids=["fixed", "exp_decay"])
def test_updates_equal_tf1_optimizers_in_graph_mode(decay):
    """Every research/slim optimizer: one step and four steps equal
    tf.compat.v1.train's optimizer (graph mode, as research/slim builds it
    from the same flags) within 1e-6, with a fixed and with research/slim's
    exponential (staircase) learning rate. (One test per schedule: each
    case builds a TF1 graph, ~1 s apiece as separate tests.)"""
    for case in sorted(_TF1):
        opts, make_tf1 = _TF1[case]
        want = _tf1_steps(make_tf1, 4, decay)
        got = _keras_steps(case.split("_")[0], opts, 4, decay)
        for step, (g, w) in enumerate(zip(got, want)):
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6,
                                       err_msg=f"{case}, step {step + 1}")
        # the step moved the weights
        assert np.abs(want[0] - _W0).max() > 1e-4, case


def test_keras_rmsprop_would_differ_from_tf1():
    """The reason for TF1RMSprop: Keras's accumulator starts at 0, so its
    first step is ~1/sqrt(1 - decay) larger than TF1's (epsilon small)."""
    opts, make_tf1 = _TF1["rmsprop_small_eps"]
    want = _tf1_steps(make_tf1, 1, False)[0]
    opt = keras.optimizers.RMSprop(_LR, rho=0.95, momentum=0.5, epsilon=1e-3)
    w = keras.Variable(_W0, name="w")
    with tf.GradientTape() as tape:
        loss = _loss(w)
    opt.apply_gradients([(tape.gradient(loss, w), w)])
    assert np.abs(np.array(w) - want).max() > 1e-3
