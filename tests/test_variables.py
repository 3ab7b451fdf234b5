"""The variables API over Keras weights, against the original tf-slim."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from tests.checkpoints.helpers import X, keras_model, slim_net
from tests.oracle import import_tf_slim


@pytest.fixture(scope="module")
def oracle():
    """Names the original's variables API returns for the same net."""
    tf_slim = import_tf_slim()
    with tf.Graph().as_default():
        inp = tf.compat.v1.placeholder(tf.float32, X.shape)
        logits = slim_net(tf_slim, inp)
        step = tf.compat.v1.train.get_or_create_global_step()
        tf.compat.v1.train.MomentumOptimizer(0.1, 0.9).minimize(
            tf.reduce_sum(logits), global_step=step)

        def names(vs):
            return sorted(v.op.name for v in vs)

        return {
            "model": names(tf_slim.get_model_variables()),
            "trainable": names(tf_slim.get_trainable_variables()),
            "logits": names(tf_slim.get_model_variables("net/logits")),
            "by_name": names(tf_slim.get_variables_by_name("weights")),
            "by_suffix": names(tf_slim.get_variables_by_suffix("moving_mean")),
            "filter": names(tf_slim.filter_variables(
                tf_slim.get_model_variables(), ["conv1"], ["BatchNorm/m"])),
            "restore": names(v for v in tf_slim.get_variables_to_restore(
                exclude=["net/logits", "global_step"])
                if "Momentum" not in v.op.name),
        }


def _names(vs):
    return sorted(v.path for v in vs)


def test_queries_match_tf_slim(oracle):
    model = keras_model()
    opt = keras.optimizers.SGD(0.1, momentum=0.9)
    opt.build(model.trainable_variables)
    # Optimizer slots and the step live on the optimizer: not model vars.
    assert _names(slim.get_model_variables(model)) == oracle["model"]
    assert _names(slim.get_trainable_variables(model)) == oracle["trainable"]
    assert _names(slim.get_model_variables(model, "net/logits")) == oracle[
        "logits"]
    assert _names(slim.get_variables_by_name(model, "weights")) == oracle[
        "by_name"]
    assert _names(slim.get_variables_by_suffix(model, "moving_mean")) == \
        oracle["by_suffix"]
    assert _names(slim.filter_variables(
        model.weights, ["conv1"], ["BatchNorm/m"])) == oracle["filter"]
    assert _names(slim.get_variables_to_restore(
        model, exclude=["net/logits"])) == oracle["restore"]
    assert slim.get_model_variables(opt) == []
    assert slim.get_global_step(opt) is opt.iterations


def test_scope_uses_pattern_language():
    model = keras_model()
    assert _names(slim.get_variables(model, "net/conv1/Batch*")) == [
        "net/conv1/BatchNorm/beta", "net/conv1/BatchNorm/gamma",
        "net/conv1/BatchNorm/moving_mean",
        "net/conv1/BatchNorm/moving_variance"]
    assert slim.get_variables(model, "net/conv") == []  # not a prefix match
    assert _names(slim.get_variables(model, "re:biases$")) == [
        "net/logits/biases"]
    assert _names(slim.filter_variables(model.weights, ["^net/conv1/w"],
                                        reg_search=False)) == [
        "net/conv1/weights"]


def test_unique_variable_and_full_name():
    model = keras_model()
    v = slim.get_unique_variable(model, "net/logits/weights")
    assert slim.get_variable_full_name(v) == "net/logits/weights"
    with pytest.raises(ValueError, match="Did you mean net/logits/weights"):
        slim.get_unique_variable(model, "net/logit/weights")
    raw = tf.Variable(1.0, name="raw")
    assert slim.get_variable_full_name(raw) == "raw"


def test_get_variables_to_restore_warns_on_typo():
    model = keras_model()
    with pytest.warns(UserWarning, match="did you mean 'net/logits'"):
        vs = slim.get_variables_to_restore(model, exclude=["net/logts"])
    assert len(vs) == len(model.weights)


class Owner(keras.layers.Layer):
    """A layer owning free-standing slim variables (the documented way)."""

    def build(self, shape):
        with slim.variable_scope("extra"):
            self.w = slim.model_variable(
                "w", shape=[3, 2], initializer=slim.xavier_initializer(),
                regularizer=slim.l2_regularizer(0.5))
            self.count = slim.local_variable(0.0, name="count")
            self.other = slim.variable("other", shape=[2], trainable=False)

    def call(self, x):
        return x @ self.w


def test_created_variables_tracked_by_owner_and_kinds():
    with slim.name_registry():
        layer = Owner()
        layer.build((None, 3))
    assert _names(layer.weights) == ["extra/count", "extra/other", "extra/w"]
    assert _names(slim.get_model_variables(layer)) == ["extra/w"]
    assert _names(slim.get_local_variables(layer)) == ["extra/count"]
    assert _names(slim.get_variables(layer)) == ["extra/other", "extra/w"]
    assert _names(slim.get_trainable_variables(layer)) == ["extra/w"]
    assert layer.count.dtype == "float32"  # as tf.Variable(0.0)
    w = np.array(layer.w)
    np.testing.assert_allclose(layer.losses[0], 0.5 * np.sum(w ** 2) / 2,
                               rtol=1e-6)
    slim.add_model_variable(layer.other)
    assert len(slim.get_model_variables(layer)) == 2


def test_variable_paths_reuse_and_values():
    with slim.name_registry():
        with slim.variable_scope("a"):
            with slim.variable_scope("b"):
                v = slim.variable("v", initializer=np.ones((2, 2)),
                                  dtype="float32")
            with pytest.raises(ValueError, match="already exists"):
                slim.variable("b/v", shape=[2, 2])
        with slim.variable_scope("a/b", reuse=True):
            assert slim.variable("v", shape=[2, 2]) is v
        top = slim.global_variable(np.int64(5))
        top2 = slim.global_variable(np.int64(6))
    assert v.path == "a/b/v"
    np.testing.assert_array_equal(v, np.ones((2, 2)))
    assert (top.path, top2.path) == ("Variable", "Variable_1")
    assert top.dtype == "int64" and not top.trainable
    with pytest.raises(ValueError, match="shape"):
        slim.model_variable("z", initializer="zeros")


def test_global_step():
    with slim.name_registry():
        assert slim.get_global_step() is None
        step = slim.get_or_create_global_step()
        assert step.path == "global_step" and step.dtype == "int64"
        assert slim.get_or_create_global_step() is step
        with pytest.raises(ValueError, match="already exists"):
            slim.create_global_step()
    model = keras_model()
    model.compile(optimizer="sgd", loss="mse")
    assert slim.get_or_create_global_step(model) is model.optimizer.iterations
    assert step not in slim.get_model_variables([step])


def test_assign_from_values_atomic():
    model = keras_model()
    before = {v.path: np.array(v) for v in model.weights}
    good = {"net/logits/biases": np.arange(3, dtype="float32")}
    with pytest.raises(ValueError, match=r"net/logit/biases: no such.*\n.*"
                       r"net/conv1/weights: value shape"):
        slim.assign_from_values(
            dict(good, **{"net/logit/biases": 1.0,
                          "net/conv1/weights": np.zeros(2)}), model)
    for v in model.weights:
        np.testing.assert_array_equal(v, before[v.path])
    fn = slim.assign_from_values_fn(good, model)
    fn()
    np.testing.assert_array_equal(
        slim.get_unique_variable(model, "net/logits/biases"), [0, 1, 2])


def test_owner_errors():
    # Nothing created in a fresh registry: no default owner.
    with slim.name_registry(), pytest.raises(ValueError,
                                             match="no default owner"):
        slim.get_variables("net/logits")
    with pytest.raises(TypeError, match="variables only"):
        slim.get_variables([1, 2])


def _default_owner_code(s, variable_scope, inputs):
    """TF1 code that queries "the graph": the same for either library."""
    with s.arg_scope([s.conv2d], normalizer_fn=s.batch_norm):
        net = s.conv2d(inputs, 2, [3, 3], scope="conv1")
    net = s.conv2d(net, 2, [1, 1], scope="v2")
    with variable_scope("extra"):
        s.model_variable("v2", shape=[2], initializer=tf.ones_initializer()
                         if s is not slim else "ones")
        s.variable("penalised", shape=[3], initializer=(
            tf.ones_initializer() if s is not slim else "ones"),
            regularizer=s.l2_regularizer(0.5))
    return net


def _default_queries(s):
    names = (lambda vs: [v.op.name for v in vs]) if s is not slim else (
        lambda vs: [v.path for v in vs])
    return {
        "model": names(s.get_model_variables()),
        "model_scope": names(s.get_model_variables("conv1")),
        "all": names(s.get_variables()),
        "by_name": names(s.get_variables_by_name("v2")),
        "by_name_scope": names(s.get_variables_by_name("weights", "v2")),
        "by_suffix": names(s.get_variables_by_suffix("moving_mean")),
        "unique": names([s.get_unique_variable("extra/v2")]),
        "trainable": names(s.get_trainable_variables()),
        "restore": names(s.get_variables_to_restore(exclude=["extra"])),
    }


def test_default_owner_queries_match_tf_slim():
    """Issue 17 item 5: the queries without an owner, as TF1 code calls
    them, return what tf_slim returns for the graph (names and order);
    a slim.variable made outside a layer has its penalty collected."""
    tf_slim = import_tf_slim()
    with tf.Graph().as_default():
        ph = tf.compat.v1.placeholder(tf.float32, (1, 4, 4, 1))
        _default_owner_code(tf_slim, tf.compat.v1.variable_scope, ph)
        expected = _default_queries(tf_slim)
        reg = tf.compat.v1.losses.get_regularization_losses()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            expected_reg = sess.run(reg)
    with slim.name_registry():
        _default_owner_code(slim, slim.variable_scope,
                            keras.Input((4, 4, 1)))
        got = _default_queries(slim)
        got_reg = [float(x) for x in slim.losses.get_regularization_losses()]
    for key in expected:
        assert got[key] == expected[key], key
    np.testing.assert_allclose(got_reg, expected_reg, rtol=1e-6)
    assert got_reg == [0.5 * 3 / 2]  # slim's l2: scale * sum(w**2) / 2


def test_default_owner_is_the_current_build():
    build = []
    for _ in range(2):  # a rebuild: the default owner is the new model
        inp = keras.Input((4, 4, 1))
        model = keras.Model(inp, slim.conv2d(inp, 2, [1, 1], scope="c"))
        build.append(model)
    assert slim.get_model_variables() == build[1].weights
    with slim.name_registry(), pytest.raises(
            ValueError, match="no default owner.*model"):
        slim.get_model_variables()


def test_raw_variables_are_model_variables_only_once_added():
    """Issue 17 item 10, as tf_slim: a raw variable is a model variable
    only after add_model_variable."""
    tf_slim = import_tf_slim()
    with tf.Graph().as_default():
        raw = tf.Variable(1.0, name="raw")
        before = tf_slim.get_model_variables()
        tf_slim.add_model_variable(raw)
        after = [v.op.name for v in tf_slim.get_model_variables()]
    assert before == [] and after == ["raw"]
    with slim.name_registry():
        kv = keras.Variable(1.0, name="raw")
        tv = tf.Variable(2.0, name="tfraw")
        assert slim.get_model_variables([kv, tv]) == []
        assert slim.get_variables([kv, tv]) == [kv, tv]
        slim.add_model_variable(kv)
        slim.add_model_variable(tv)
        assert slim.get_model_variables([kv, tv]) == [kv, tv]
        assert [slim.get_variable_full_name(v)
                for v in slim.get_model_variables()] == ["raw", "tfraw"]
    # The weights of a layer passed as the owner stay model variables.
    dense = keras.layers.Dense(2)
    dense.build((None, 3))
    assert len(slim.get_model_variables(dense)) == 2
