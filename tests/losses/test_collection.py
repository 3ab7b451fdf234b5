"""Loss collection in eager code, Keras-loss use, and agreement with fit."""

import asyncio
import threading

import keras
import numpy as np
import pytest

import slimkeras as slim

L = slim.losses
rng = np.random.default_rng(1)
X = rng.normal(size=(4, 8, 8, 3)).astype("float32")
Y = np.eye(5, dtype="float32")[rng.integers(0, 5, 4)]


def _model():
    with slim.name_registry():
        inp = keras.Input((8, 8, 3))
        net = slim.conv2d(inp, 4, [3, 3], scope="conv1",
                          weights_regularizer=slim.l2_regularizer(0.05))
        net = slim.flatten(net)
        net = slim.fully_connected(
            net, 5, activation_fn=None, scope="logits",
            weights_regularizer=slim.l2_regularizer(0.02))
        return keras.Model(inp, net)


def test_collector_collects_filters_and_sums():
    assert L.current_collector() is None
    L.absolute_difference(X, X + 1.0)  # no collector: computed, not kept
    with pytest.raises(RuntimeError, match="LossCollector"):
        L.get_losses()
    with L.LossCollector() as c:
        a = L.absolute_difference(X, X + 1.0)
        b = L.mean_squared_error(X, X + 2.0, scope="aux/mse")
        L.add_loss(3.0, loss_collection=None)  # not collected
        assert L.get_losses() == [a, b]
        assert L.get_losses(scope="aux") == [b]
        with L.LossCollector():  # nested: hides the outer one
            assert L.get_losses() == []
        np.testing.assert_allclose(
            L.get_total_loss(add_regularization_losses=False), 5.0)
    assert c.get() == [a, b]
    assert L.current_collector() is None


def test_total_loss_includes_regularization_by_scope():
    model = _model()
    with L.LossCollector(model):
        logits = model(X, training=True)
        xent = L.softmax_cross_entropy(logits, Y)
        reg = L.get_regularization_losses()
        assert len(reg) == 2
        conv_only = L.get_regularization_losses(model, scope="conv1/")
        assert len(conv_only) == 1
        w = model.get_layer("conv1").weights[0]
        np.testing.assert_allclose(
            conv_only[0], 0.05 * np.sum(np.square(w.numpy())) / 2, rtol=1e-6)
        total = L.get_total_loss()
        np.testing.assert_allclose(total, xent + sum(reg), rtol=1e-6)
        np.testing.assert_allclose(
            L.get_total_loss(add_regularization_losses=False), xent)


def test_get_total_loss_equals_loss_fit_reports():
    model = _model()
    loss = L.Loss("softmax_cross_entropy", label_smoothing=0.1)
    model.compile(keras.optimizers.SGD(0.1), loss=loss)
    with L.LossCollector(model):
        L.softmax_cross_entropy(model(X, training=True), Y,
                                label_smoothing=0.1)
        expected = float(L.get_total_loss())
    hist = model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    # float32 sum of the same terms in a different order.
    np.testing.assert_allclose(hist.history["loss"][0], expected, rtol=1e-5)


def test_collector_isolated_across_threads():
    barrier = threading.Barrier(2)
    seen, errors = {}, []

    def worker(k):
        try:
            with L.LossCollector():
                L.add_loss(float(k), name=f"t{k}")
                barrier.wait()          # both collectors active at once
                L.add_loss(float(k) * 10, name=f"t{k}")
                barrier.wait()
                seen[k] = [float(x) for x in L.get_losses()]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    with L.LossCollector() as main:
        L.add_loss(100.0)
        ts = [threading.Thread(target=worker, args=(k,)) for k in (1, 2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert [float(x) for x in main.get()] == [100.0]
    assert not errors
    assert seen == {1: [1.0, 10.0], 2: [2.0, 20.0]}


def test_collector_isolated_across_asyncio_tasks():
    async def task(k):
        with L.LossCollector():
            L.add_loss(float(k))
            await asyncio.sleep(0)      # let the other task run in between
            L.add_loss(float(k) * 10)
            await asyncio.sleep(0)
            return [float(x) for x in L.get_losses()]

    async def main():
        with L.LossCollector() as outer:
            L.add_loss(7.0)
            res = await asyncio.gather(task(1), task(2))
            return res, [float(x) for x in outer.get()]

    res, outer = asyncio.run(main())
    assert res == [[1.0, 10.0], [2.0, 20.0]]
    assert outer == [7.0]


def _fit_case(name):
    """(model output activation, y, extra kwargs) per loss."""
    n = 6
    if name == "sparse_softmax_cross_entropy":
        return None, rng.integers(0, 3, (n, 1)).astype("int32"), {}
    if name in ("softmax_cross_entropy",):
        return None, np.eye(3, dtype="float32")[rng.integers(0, 3, n)], {
            "label_smoothing": 0.1}
    if name in ("sigmoid_cross_entropy", "hinge_loss"):
        return None, (rng.uniform(size=(n, 3)) > 0.5).astype("float32"), {}
    if name == "log_loss":
        return "sigmoid", (rng.uniform(size=(n, 3)) > 0.5).astype(
            "float32"), {}
    if name == "cosine_distance":
        y = rng.normal(size=(n, 3)).astype("float32")
        return "unit", y / np.linalg.norm(y, axis=1, keepdims=True), {
            "axis": 1}
    if name == "huber_loss":
        return None, rng.normal(size=(n, 3)).astype("float32"), {"delta": .5}
    return None, rng.normal(size=(n, 3)).astype("float32"), {}


@pytest.mark.parametrize("name", [
    "absolute_difference", "mean_squared_error", "sum_of_squares",
    "mean_pairwise_squared_error", "sigmoid_cross_entropy",
    "softmax_cross_entropy", "sparse_softmax_cross_entropy", "log_loss",
    "hinge_loss", "cosine_distance", "huber_loss"])
def test_each_loss_compiles_and_fits_one_step(name):
    act, y, kw = _fit_case(name)
    x = rng.normal(size=(len(y), 4)).astype("float32")
    inp = keras.Input((4,))
    out = keras.layers.Dense(3)(inp)
    if act == "sigmoid":
        out = keras.layers.Activation("sigmoid")(out)
    elif act == "unit":
        out = keras.layers.UnitNormalization()(out)
    model = keras.Model(inp, out)
    loss = L.as_keras_loss(getattr(L, name), **kw)
    model.compile(keras.optimizers.SGD(0.1), loss=loss)
    before = [w.numpy().copy() for w in model.weights]
    sw = np.linspace(0.5, 1.5, len(y)).astype("float32")
    hist = model.fit(x, y, sample_weight=sw, batch_size=len(y), epochs=1,
                     verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    assert any(not np.array_equal(b, w.numpy())
               for b, w in zip(before, model.weights))
    # The Keras loss is the slim function (sample_weight -> weights).
    y_pred = model(x)
    if name == "hinge_loss":
        direct = L.compute_weighted_loss(L.hinge_loss(y_pred, y), sw)
    elif name == "huber_loss":
        direct = L.huber_loss(y, y_pred, weights=sw, **kw)
    else:
        yy = y if name != "sparse_softmax_cross_entropy" else y[:, 0]
        direct = getattr(L, name)(y_pred, yy, weights=sw, **kw)
    np.testing.assert_allclose(loss(y, y_pred, sample_weight=sw), direct,
                               rtol=1e-6)
    clone = L.Loss.from_config(loss.get_config())
    np.testing.assert_allclose(clone(y, y_pred), loss(y, y_pred), rtol=1e-6)
