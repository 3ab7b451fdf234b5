"""``--moving_average_decay``'s shadows against TF1's
``tf.train.ExponentialMovingAverage(decay, num_updates=global_step)``."""

import keras
import numpy as np
import tensorflow as tf

from slimkeras.learning.moving_average import ExponentialMovingAverage

_VALUES = np.random.default_rng(0).normal(size=(6, 3, 2)).astype("float32")


def test_shadows_equal_tf1_exponential_moving_average():
    with tf.Graph().as_default():
        gs = tf.compat.v1.train.get_or_create_global_step()
        v = tf.compat.v1.get_variable("scope/w", initializer=_VALUES[0])
        ema = tf.compat.v1.train.ExponentialMovingAverage(0.99, gs)
        new = tf.compat.v1.placeholder(tf.float32, _VALUES[0].shape)
        assign = v.assign(new)
        apply = ema.apply([v])
        incr = gs.assign_add(1)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            want = []
            for x in _VALUES[1:]:
                sess.run(assign, {new: x})
                sess.run(apply)
                sess.run(incr)
                want.append(sess.run(ema.average(v)))
        name = ema.average_name(v)
    assert name == "scope/w/ExponentialMovingAverage"
    w = keras.Variable(_VALUES[0], name="w")
    mine = ExponentialMovingAverage([w], 0.99)
    assert mine.shadows[0].path == w.path + "/ExponentialMovingAverage"
    for step, (x, expected) in enumerate(zip(_VALUES[1:], want)):
        w.assign(x)
        mine.update(step)
        np.testing.assert_allclose(np.array(mine.shadows[0]), expected,
                                   rtol=1e-6, atol=1e-6,
                                   err_msg=f"step {step}")
    # the (1+step)/(10+step) warm-up made the shadow follow the values
    assert np.abs(want[-1] - _VALUES[0]).max() > 0.1
