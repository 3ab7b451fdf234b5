"""Concurrency: 64 threads and 64 asyncio tasks build layers at once, each
under its own arg_scope; every layer gets exactly its own scope's defaults
and each name registry counts only its own names.

(tests/test_scopes.py checks 8 threads/tasks on a plain function; here it
is 64 of each, on real slim layers and their name registries, interleaved
on purpose with barriers and sleeps.)
"""

import asyncio
import sys
import threading
import time

import keras
import numpy as np

import slimkeras as slim

N = 64
LAYERS = 4
X = np.zeros((1, 5, 5, 2), "float32")


def _defaults(i):
    """Distinct scope defaults for worker ``i``."""
    return dict(
        conv=dict(padding="VALID" if i % 2 else "SAME", stride=1 + i % 3,
                  weights_initializer=keras.initializers.Constant(float(i)),
                  activation_fn=None if i % 4 == 0 else slim.relu6),
        fc=dict(biases_initializer=keras.initializers.Constant(-float(i))),
        bn=dict(decay=i / 100.0, epsilon=1e-3 + i),
    )


def _build(i, pause):
    """Builds layers under worker i's scopes; ``pause()`` between layers."""
    d = _defaults(i)
    out = []
    with slim.name_registry():
        with slim.arg_scope([slim.conv2d], **d["conv"]), \
                slim.arg_scope([slim.fully_connected], **d["fc"]), \
                slim.arg_scope([slim.batch_norm], **d["bn"]):
            for _ in range(LAYERS):
                pause()
                with slim.variable_scope(f"w{i}"):
                    conv = slim.layers.Conv2D(2, 3)
                pause()
                fc = slim.layers.FullyConnected(3)
                bn = slim.layers.BatchNorm()
                out.append((conv, fc, bn))
    return out


def _check(i, built):
    d = _defaults(i)
    for j, (conv, fc, bn) in enumerate(built):
        suffix = "" if j == 0 else f"_{j}"
        # Names: counted in this worker's registry only.
        assert conv.full_scope == f"w{i}/Conv{suffix}", conv.full_scope
        assert fc.full_scope == f"fully_connected{suffix}", fc.full_scope
        assert bn.full_scope == f"BatchNorm{suffix}", bn.full_scope
        assert conv.padding == d["conv"]["padding"]
        assert conv.stride == (d["conv"]["stride"],) * 2
        assert conv.weights_initializer.value == float(i)
        if d["conv"]["activation_fn"] is None:
            assert conv.activation_fn is None
        else:
            assert conv.activation_fn.__name__ == "relu6"
        assert fc.get_config()["biases_initializer"]["config"]["value"] \
            == -float(i)
        assert bn.decay == i / 100.0 and bn.epsilon == 1e-3 + i
    # Building the first layer: its initializer really is the worker's.
    conv = built[0][0]
    conv(X)
    np.testing.assert_array_equal(np.array(conv.kernel),
                                  np.full(conv.kernel.shape, float(i)))


def test_64_threads_each_get_their_own_scope():
    barrier = threading.Barrier(N)
    results, errors = {}, []

    def pause():
        time.sleep(0)

    def work(i):
        try:
            barrier.wait()
            results[i] = _build(i, pause)
            _check(i, results[i])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert len(results) == N
    assert slim.current_arg_scope() == {}


def test_64_asyncio_tasks_each_get_their_own_scope():
    async def work(i):
        d = _defaults(i)
        built = []
        with slim.name_registry():
            with slim.arg_scope([slim.conv2d], **d["conv"]), \
                    slim.arg_scope([slim.fully_connected], **d["fc"]), \
                    slim.arg_scope([slim.batch_norm], **d["bn"]):
                for j in range(LAYERS):
                    # Yield to the loop between layers: other tasks run
                    # (and enter/exit their scopes) in between.
                    await asyncio.sleep(0.001 * ((i * 7 + j) % 5))
                    with slim.variable_scope(f"w{i}"):
                        conv = slim.layers.Conv2D(2, 3)
                    await asyncio.sleep(0)
                    fc = slim.layers.FullyConnected(3)
                    bn = slim.layers.BatchNorm()
                    built.append((conv, fc, bn))
        _check(i, built)
        return i

    async def main():
        return await asyncio.gather(*(work(i) for i in range(N)))

    assert asyncio.run(main()) == list(range(N))
    assert slim.current_arg_scope() == {}


def test_64_threads_share_one_registry_without_duplicate_names():
    """Threads in one shared registry (one "graph"): default names stay
    unique — no two layers get the same scope, so no two variables get the
    same checkpoint name."""
    barrier = threading.Barrier(N)
    names, errors = [], []
    lock = threading.Lock()
    reg = slim.naming.NameRegistry()

    def work(i):
        try:
            with slim.name_registry(reg):
                barrier.wait()
                got = [slim.layers.Conv2D(2, 3).full_scope
                       for _ in range(LAYERS)]
            with lock:
                names.extend(got)
        except BaseException as e:  # noqa: BLE001
            errors.append(repr(e))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(i,))
                   for i in range(N)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors[:3]
    assert len(names) == N * LAYERS
    assert len(set(names)) == len(names), sorted(
        n for n in set(names) if names.count(n) > 1)[:5]
