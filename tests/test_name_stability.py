"""Names that survive a re-run (issue 15 item 3), against tf-slim.

Building the same model twice in one process — a user model function on
``keras.Input``, a zoo net called directly, ``nets_factory``,
``create_model``, ``slim.Model`` — gives the same variable paths, which are
tf_slim's for one build in a fresh graph; a checkpoint saved from the
first build restores into the second. Two layers of one model at the same
path are TF1's "already exists" error. Tolerance of value checks: 1e-5
(float32, same weights, same ops).
"""

import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import checkpoints
from slimkeras.nets import nets_factory, resnet_v1
from tests.oracle import import_tf_slim, run_slim

TOL = 1e-5


def user_fn(s, images):
    """research/slim-style user code: explicit scope + batch norm, then
    default names (``Conv``, ``Conv_1``, ``fully_connected``)."""
    with s.arg_scope([s.conv2d], normalizer_fn=s.batch_norm,
                     normalizer_params={"is_training": False}):
        net = s.conv2d(images, 4, [3, 3], scope="conv1")
        net = s.conv2d(net, 4, [3, 3])
        net = s.conv2d(net, 4, [3, 3], stride=2)
    net = s.flatten(net)
    return s.fully_connected(net, 3, activation_fn=None)


def build_user_model():
    inp = keras.Input((8, 8, 2))
    return keras.Model(inp, user_fn(slim, inp))


def paths(model):
    return [v.path for v in model.weights]


@pytest.fixture(scope="module")
def user_reference(tmp_path_factory):
    tf_slim = import_tf_slim()
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 2)).astype("float32")
    ckpt = str(tmp_path_factory.mktemp("user") / "model.ckpt")
    out, values = run_slim(lambda t: user_fn(tf_slim, t), x,
                           checkpoint_out=ckpt, init_scale=0.3)
    return x, ckpt, out, list(values)


def test_user_model_rebuilt_keeps_tf_slim_names_and_restores(user_reference):
    x, ckpt, expected, names = user_reference
    first = build_user_model()
    second = build_user_model()  # same process, no name_registry, no clear
    assert sorted(paths(first)) == sorted(names)
    assert paths(second) == paths(first)
    assert "conv1/BatchNorm_1/beta" not in paths(second)
    for model in (second, first):  # restore after the rebuild, both work
        report = checkpoints.restore(model, ckpt)
        assert not report.missing
        np.testing.assert_allclose(model(x), expected, atol=TOL, rtol=TOL)


def test_restore_of_first_build_checkpoint_after_rebuild(tmp_path):
    x = np.random.default_rng(1).normal(size=(2, 8, 8, 2)).astype("float32")
    first = build_user_model()
    path = checkpoints.save_tf1_checkpoint(first, str(tmp_path / "first"))
    second = build_user_model()
    report = checkpoints.restore(second, path)
    assert sorted(report.restored) == sorted(paths(first))
    np.testing.assert_allclose(second(x), first(x), atol=TOL, rtol=TOL)


def _resnet():
    inp = keras.Input((32, 32, 3))
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        logits, _ = resnet_v1.resnet_v1_50(inp, 5, is_training=False)
    return keras.Model(inp, logits)


def test_direct_cifarnet_call_rebuilt():
    from slimkeras.nets import cifarnet

    built = []
    for _ in range(2):
        inp = keras.Input((32, 32, 3))
        with slim.arg_scope(cifarnet.cifarnet_arg_scope()):
            logits, _ = cifarnet.cifarnet(inp, 3)
        built.append(paths(keras.Model(inp, logits)))
    assert built[0] == built[1] and built[0][0] == "CifarNet/conv1/weights"


@pytest.mark.slow
def test_direct_net_call_rebuilt(tmp_path):
    first = _resnet()
    second = _resnet()
    assert paths(second) == paths(first)
    assert ("resnet_v1_50/block1/unit_1/bottleneck_v1/conv1/weights"
            in paths(second))
    x = np.random.default_rng(2).normal(size=(1, 32, 32, 3)).astype("float32")
    path = checkpoints.save_tf1_checkpoint(first, str(tmp_path / "r50"))
    checkpoints.restore(second, path)
    np.testing.assert_allclose(second(x), first(x), atol=TOL, rtol=TOL)


def test_nets_factory_and_create_model_rebuilt():
    fn = nets_factory.get_network_fn("inception_v1", num_classes=4)
    built = []
    for _ in range(2):
        inp = keras.Input((224, 224, 3))
        logits, _ = fn(inp)
        built.append(paths(keras.Model(inp, logits)))
    assert built[0] == built[1]
    assert built[0][0] == "InceptionV1/Conv2d_1a_7x7/weights"
    a = slim.nets.create_model("cifarnet", num_classes=3)
    b = slim.nets.create_model("cifarnet", num_classes=3)
    assert paths(a) == paths(b)


def test_same_model_function_in_slim_model_rebuilt():
    x = np.zeros((1, 8, 8, 2), "float32")
    models = [slim.Model(lambda t: user_fn(slim, t)) for _ in range(2)]
    for m in models:
        m(x)
    assert paths(models[0]) == paths(models[1]) == paths(build_user_model())


def test_clear_session_starts_fresh():
    first = [slim.layers.Conv2D(1, 1).full_scope for _ in range(2)]
    keras.backend.clear_session()
    again = slim.layers.Conv2D(1, 1).full_scope
    assert first == ["Conv", "Conv_1"] and again == "Conv"


def test_concurrent_builds_in_threads():
    expected = paths(build_user_model())
    barrier = threading.Barrier(4)
    results, errors = [None] * 4, []

    def work(i):
        try:
            barrier.wait()
            for _ in range(2):  # each thread also re-runs its build
                results[i] = paths(build_user_model())
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == [expected] * 4


def test_two_layers_of_one_model_at_one_path_raise_like_tf1():
    tf_slim = import_tf_slim()

    def dup(s, t):
        net = s.conv2d(t, 2, [3, 3], scope="conv1")
        return s.conv2d(net, 2, [3, 3], scope="conv1")

    with tf.Graph().as_default():
        ph = tf.compat.v1.placeholder(tf.float32, (1, 4, 4, 1))
        with pytest.raises(ValueError, match="conv1/weights already exists"):
            dup(tf_slim, ph)
    inp = keras.Input((4, 4, 1))
    with pytest.raises(ValueError, match="Variable conv1/.*already exists"):
        dup(slim, inp)
    # reuse=True shares the layer instead (TF1 reuse).
    inp = keras.Input((4, 4, 1))
    a = slim.conv2d(inp, 2, [3, 3], scope="shared")
    b = slim.conv2d(inp, 2, [3, 3], scope="shared", reuse=True)
    assert paths(keras.Model(inp, [a, b])) == ["shared/weights",
                                              "shared/biases"]


def test_one_model_branches_and_inputs_count_together():
    """Parallel branches on one input and a second keras.Input of the same
    model count default names together, as one TF1 graph did."""
    tf_slim = import_tf_slim()

    def two_inputs(s, a, b):
        x = s.conv2d(a, 2, [1, 1])
        y = s.conv2d(a, 2, [1, 1])
        z = s.conv2d(b, 2, [1, 1], scope="b_conv")
        w = s.conv2d(b, 2, [1, 1])
        return x, y, z, w

    xa = np.zeros((1, 4, 4, 1), "float32")
    _, values = run_slim(lambda a, b: two_inputs(tf_slim, a, b), [xa, xa])
    ia, ib = keras.Input((4, 4, 1)), keras.Input((4, 4, 1))
    model = keras.Model([ia, ib], list(two_inputs(slim, ia, ib)))
    assert sorted(paths(model)) == sorted(values)
