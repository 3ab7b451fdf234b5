"""Numerical health: NaN/Inf never silently poisons a model.

Decided behaviour (documented in test_bad_input_matrix's docstring):

* slim's loss functions propagate NaN/Inf (pure arithmetic, as tf_slim's);
* ``create_train_op``/``train`` raise ``NonFiniteLossError`` naming the
  step on a non-finite loss OR gradient, and change no weight (the NaN loss
  case of ``train`` is in tests/learning/test_train.py; here: a NaN
  *gradient* with a finite loss, an Inf loss, and the bare train step);
* Keras ``fit``: ``slimkeras.learning.StopOnNaN`` raises naming the step
  (optionally restoring the last finite weights); Keras's
  ``TerminateOnNaN`` only stops and leaves NaN weights (shown below).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import learning, losses

NAN, INF = np.float32("nan"), np.float32("inf")


def _net(x, is_training=None):
    x = slim.conv2d(x, 2, [3, 3], scope="conv1")
    x = slim.flatten(x)
    return slim.fully_connected(x, 2, activation_fn=None, scope="logits")


def _model():
    m = slim.Model(_net)
    m(np.zeros((1, 4, 4, 1), "float32"))
    return m


def _data(n=8):
    rng = np.random.default_rng(0)
    return (rng.random((n, 4, 4, 1)).astype("float32"),
            rng.integers(0, 2, n))


def _snap(m):
    return [np.array(v).copy() for v in m.weights]


def _same(a, m):
    return all(np.array_equal(x, np.array(v)) for x, v in zip(a, m.weights))


P = np.array([[0.2, 0.8], [0.6, 0.4]], "float32")
L = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")


def _poison(a, value):
    a = a.copy()
    a[0, 0] = value
    return a


LOSS_CASES = [
    ("mse", lambda p, l: losses.mean_squared_error(p, l)),
    ("absolute_difference", lambda p, l: losses.absolute_difference(p, l)),
    ("log_loss", lambda p, l: losses.log_loss(p, l)),
    ("softmax_ce", lambda p, l: losses.softmax_cross_entropy(p, l)),
    ("sigmoid_ce", lambda p, l: losses.sigmoid_cross_entropy(p, l)),
    ("huber", lambda p, l: losses.huber_loss(l, p)),
    ("hinge", lambda p, l: np.mean(losses.hinge_loss(p, l))),
    ("cosine", lambda p, l: losses.cosine_distance(p, l, axis=1)),
]


@pytest.mark.parametrize("value", [NAN, INF], ids=["nan", "inf"])
@pytest.mark.parametrize("name,fn", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_losses_propagate_non_finite_predictions(name, fn, value):
    with losses.LossCollector():
        clean = float(fn(P, L))
        out = float(fn(_poison(P, value), L))
    assert np.isfinite(clean)
    # Propagated, not hidden: a NaN input never gives a finite number; an
    # Inf input never gives the clean value back.
    if np.isnan(value):
        assert np.isnan(out), (name, out)
    else:
        assert out != clean, (name, out)


def test_nan_gradient_with_finite_loss_raises_and_keeps_weights():
    m = _model()
    x, y = _data()
    opt = keras.optimizers.SGD(0.1)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.custom_gradient
    def nan_grad(t):
        return tf.identity(t), lambda g: g * NAN

    def total(b):
        logits = m(b[0], training=True)
        bad = tf.cond(opt.iterations >= 2, lambda: nan_grad(logits),
                      lambda: logits)
        return lossf(b[1], bad)

    step = learning.create_train_op(total, opt, model=m)
    step((x, y))
    step((x, y))
    before = _snap(m)
    with pytest.raises(FloatingPointError, match=r"step 3 \(loss=[0-9.]+\)"):
        step((x, y))
    assert _same(before, m)
    assert int(opt.iterations.numpy()) == 2


def test_train_loop_inf_loss_names_step(tmp_path):
    m = _model()
    x, y = _data()
    opt = keras.optimizers.SGD(0.1)

    def total(b):
        loss = tf.reduce_mean(tf.square(m(b[0], training=True)))
        return tf.cond(opt.iterations >= 1, lambda: loss + INF, lambda: loss)

    step = learning.create_train_op(total, opt, model=m)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(4)
    with pytest.raises(learning.NonFiniteLossError,
                       match=r"step 2 \(loss=inf\)"):
        learning.train(step, ds, str(tmp_path), number_of_steps=5,
                       save_interval_steps=1, verbose=False)
    assert all(np.all(np.isfinite(v)) for v in _snap(m))


def _fit_nan_model(kind="y"):
    """From the 3rd batch (of 4) on, NaN targets ('y': the loss is NaN) or
    NaN inputs ('x': ReLU maps NaN to 0, so the loss stays finite while
    the conv gradient is NaN: the silent case)."""
    m = _model()
    x, y = _data(16)
    if kind == "y":
        y = np.eye(2, dtype="float32")[y]
        y[8:] = NAN
        loss = "mse"
    else:
        x[8:] = NAN
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    m.compile(keras.optimizers.SGD(0.05), loss)
    return m, x, y


def test_fit_stop_on_nan_loss_raises_with_step():
    m, x, y = _fit_nan_model("y")
    with pytest.raises(learning.NonFiniteLossError,
                       match=r"loss=nan at step 3 \(epoch 1, batch 3\)"):
        m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
              callbacks=[learning.StopOnNaN()])


# ReLU maps NaN to 0 only in oneDNN's kernel (Eigen's relu keeps NaN, so
# the loss is NaN too and the silent case does not arise without it).
@pytest.mark.needs_onednn
def test_fit_stop_on_nan_gradient_with_finite_loss():
    m, x, y = _fit_nan_model("x")
    with pytest.raises(learning.NonFiniteLossError,
                       match=r"weight 'conv1/weights' at step 3 "):
        m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
              callbacks=[learning.StopOnNaN()])


# ReLU maps NaN to 0 only in oneDNN's kernel (Eigen's relu keeps NaN, so
# the loss is NaN too and the silent case does not arise without it).
@pytest.mark.parametrize("kind", [
    pytest.param("x", marks=pytest.mark.needs_onednn), "y"])
def test_fit_stop_on_nan_restores_last_finite_weights(kind):
    m, x, y = _fit_nan_model(kind)
    init = [np.array(v) for v in m.weights]
    with pytest.raises(learning.NonFiniteLossError, match="restored"):
        m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0,
              callbacks=[learning.StopOnNaN(restore_weights=True)])
    # Equal to a clean run of the two finite batches from the same start.
    ref, _, _ = _fit_nan_model(kind)
    for v, w in zip(ref.weights, init):
        v.assign(w)
    ref.fit(x[:8], y[:8], batch_size=4, epochs=1, shuffle=False, verbose=0)
    for v, r in zip(m.weights, ref.weights):
        assert np.all(np.isfinite(np.array(v)))
        np.testing.assert_allclose(np.array(v), np.array(r), rtol=1e-6,
                                   atol=1e-7, err_msg=v.path)


def test_keras_terminate_on_nan_leaves_nan_weights():
    """Why StopOnNaN exists: TerminateOnNaN stops quietly, model poisoned."""
    m, x, y = _fit_nan_model("y")
    m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
          callbacks=[keras.callbacks.TerminateOnNaN()])
    assert any(not np.all(np.isfinite(w)) for w in _snap(m))


def test_stop_on_nan_bad_monitor():
    with pytest.raises(TypeError, match="monitor=3"):
        learning.StopOnNaN(monitor=3)
