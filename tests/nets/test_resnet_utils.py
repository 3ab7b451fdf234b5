"""resnet_utils against the original tf_slim.nets.resnet_utils (graph mode).

Also holds the helpers the resnet_v1/resnet_v2 tests share: a calibrated
checkpoint (weights ``N(0, 1/fan_in)``, random BN statistics) so that
activations stay O(1) through deep residual stacks, and
:func:`compare_resnet`, which runs the original from that checkpoint and
ours from the same one. Float32 tolerance: the noise-floor rule of
tests/noise_floor.py (CPU conv/BN kernels differ by ~1e-6 at O(1)).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras.nets import resnet_utils, resnet_v1
from tests import oracle
from tests.nets import net_checks

# --------------------------------------------------------------------------
# Shared helpers (imported by test_resnet_v1.py / test_resnet_v2.py).
# --------------------------------------------------------------------------


def slim_nets():
    """``(tf_slim.nets.resnet_utils, resnet_v1, resnet_v2)`` (original)."""
    oracle.import_tf_slim()
    from tf_slim.nets import resnet_utils as su
    from tf_slim.nets import resnet_v1 as s1
    from tf_slim.nets import resnet_v2 as s2

    return su, s1, s2


def calibrated_values(shapes: dict, seed: int = 0) -> dict:
    """O(1)-preserving random values for slim variable names."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in shapes.items():
        leaf = name.rsplit("/", 1)[-1]
        if leaf == "weights":
            fan_in = int(np.prod(shape[:-1]))
            val = rng.normal(0.0, 1.0 / np.sqrt(fan_in), shape)
        elif leaf in ("gamma", "moving_variance"):
            val = rng.uniform(0.5, 1.5, shape)
        else:  # biases, beta, moving_mean
            val = rng.normal(0.0, 0.2, shape)
        out[name] = val.astype("float32")
    return out


def write_checkpoint(values: dict, path: str) -> str:
    """Saves ``{name: array}`` as a TF1 name-based checkpoint."""
    with tf.Graph().as_default():
        variables = {k: tf.compat.v1.Variable(v, name=k.replace("/", "_"))
                     for k, v in values.items()}
        saver = tf.compat.v1.train.Saver(variables)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            saver.save(sess, path, write_meta_graph=False)
    return path


def run_original(build: Callable, x: np.ndarray, checkpoint: str,
                 train: bool = False):
    """``oracle.run_slim`` restricted to what these tests need, reading all
    variables in one ``Session.run`` (run_slim's one run per variable cost
    ~5 s per net on the shared CI cores).

    Builds ``build(placeholder)`` with the original tf_slim in a fresh
    graph, restores every global variable from ``checkpoint`` (so the
    names must match), runs slim's UPDATE_OPS once if ``train``, then
    evaluates the outputs. Returns ``(outputs, {name: value})``.
    """
    oracle.import_tf_slim()
    with tf.Graph().as_default() as graph:
        ph = tf.compat.v1.placeholder(tf.float32, x.shape, name="images")
        outputs = build(ph)
        variables = tf.compat.v1.global_variables()
        with tf.compat.v1.Session(graph=graph) as sess:
            tf.compat.v1.train.Saver(variables).restore(sess, checkpoint)
            if train:
                sess.run(tf.compat.v1.get_collection(
                    tf.compat.v1.GraphKeys.UPDATE_OPS), {ph: x})
            out = sess.run(outputs, {ph: x})
            values = sess.run({v.op.name: v for v in variables})
    return out, values


def compare_resnet(
    slim_fn: Callable,
    our_fn: Callable,
    x: np.ndarray,
    tmp_path: pathlib.Path,
    train: bool = False,
    seed: int = 0,
    noise: str | None = None,
):
    """Builds ``our_fn`` (functional) and the original ``slim_fn`` from one
    calibrated checkpoint; asserts variables, logits and end points equal.

    Both functions take the images and return ``(net, end_points)``; each
    runs inside its library's ``resnet_arg_scope()``. With ``train=True``
    both run one training-mode forward pass (slim: with its UPDATE_OPS) and
    the updated moving statistics are compared as well. Tolerance: the
    noise-floor rule of ``tests/noise_floor.py`` for the golden net
    ``noise`` (e.g. ``'resnet_v1_50'``), else its 1e-4 / 1e-5 floors.

    Returns ``(model, checkpoint_path)``.
    """
    su, _, _ = slim_nets()
    model, _, _ = net_checks.build_functional(
        our_fn, resnet_utils.resnet_arg_scope, x.shape[1:])
    shapes = {v.path: tuple(v.shape) for v in model.weights}
    assert len(shapes) == len(model.weights), "duplicate variable paths"
    ckpt = write_checkpoint(calibrated_values(shapes, seed),
                            str(tmp_path / "calibrated.ckpt"))
    oracle.load_by_name(model, ckpt)

    def build(images):
        with oracle.import_tf_slim().arg_scope(su.resnet_arg_scope()):
            net, end_points = slim_fn(images)
        return net, dict(end_points)

    (ref, ref_eps), values = run_original(build, x, ckpt, train)
    assert sorted(values) == sorted(shapes)
    got, got_eps = model(x, training=train)
    net_checks.assert_outputs_close(got, got_eps, ref, ref_eps,
                                    noise=noise)
    if train:
        reader = tf.train.load_checkpoint(ckpt)
        moving = [v for v in model.weights if "moving_" in v.path]
        assert moving
        for v in moving:
            np.testing.assert_allclose(np.array(v), values[v.path],
                                       rtol=1e-5, atol=1e-5, err_msg=v.path)
            assert not np.allclose(np.array(v), reader.get_tensor(v.path),
                                   rtol=0, atol=1e-7), f"{v.path} is unchanged"
    return model, ckpt


def build_in_creation_order(net_fn, input_shape, batch_size=None, **kwargs):
    """Builds ``net_fn`` symbolically (no allocation) in resnet_arg_scope.

    Returns ``(variables, logits, end_points)`` with the variables in
    creation order, as slim lists them. (``model.weights`` of a functional
    model is in topological order instead: a shortcut conv, one op from
    the residual add, comes after the deeper conv1..conv3 branch.) Layers
    are built at their first call, so the name registry's layer map (in
    construction order) gives the creation order.
    """
    with keras.StatelessScope():
        inputs = keras.Input(tuple(input_shape), batch_size=batch_size)
        with slim.name_registry() as reg, slim.arg_scope(
                resnet_utils.resnet_arg_scope()):
            logits, end_points = net_fn(inputs, **kwargs)
        model = keras.Model(inputs, [logits, dict(end_points)])
        variables = [v for layer in list(reg.layers.values())
                     for v in layer.weights]
    assert sorted(v.path for v in variables) == sorted(
        v.path for v in model.weights)
    assert len(variables) == len(model.weights)
    return variables, logits, end_points


def check_manifest_in_creation_order(manifest: dict, net_fn) -> None:
    """Variables (creation order), end points and logits vs a manifest."""
    batch, *shape = manifest["input_shape"]
    variables, logits, end_points = build_in_creation_order(
        net_fn, shape, batch, **manifest["kwargs"])
    net_checks.assert_manifest(manifest, logits, end_points, variables)


def images(shape, seed: int = 0) -> np.ndarray:
    return net_checks.random_images(shape, seed)


# --------------------------------------------------------------------------
# conv2d_same / subsample / stack_blocks_dense / resnet_arg_scope.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("size,kernel,stride,rate", [
    (8, 3, 2, 1), (9, 3, 2, 1), (8, 7, 2, 1), (7, 7, 2, 1),
    (8, 3, 1, 2), (9, 3, 1, 1), (10, 4, 3, 1), (11, 1, 2, 1),
])
def test_conv2d_same_matches_original(tmp_path, size, kernel, stride, rate):
    su, _, _ = slim_nets()
    x = images((2, size, size, 3))
    ckpt = str(tmp_path / "ref")

    def build(inp):
        return su.conv2d_same(inp, 4, kernel, stride, rate=rate, scope="c")

    ref, values = oracle.run_slim(build, x, checkpoint_out=ckpt,
                                  init_scale=0.5)
    with slim.name_registry():
        inp = keras.Input((size, size, 3))
        out = resnet_utils.conv2d_same(inp, 4, kernel, stride, rate=rate,
                                       scope="c")
    model = keras.Model(inp, out)
    assert sorted(v.path for v in model.weights) == sorted(values)
    oracle.load_by_name(model, ckpt)
    np.testing.assert_allclose(model(x), ref, rtol=1e-5, atol=1e-5)
    with slim.name_registry():  # eagerly, too
        eager = resnet_utils.conv2d_same(x, 4, kernel, stride, rate=rate,
                                         scope="c")
    assert eager.shape == ref.shape


def test_conv2d_same_differs_from_strided_same_on_even_input(tmp_path):
    """The reason conv2d_same exists (the original's testConv2DSameEven):
    on even inputs it equals a stride-1 SAME conv then subsampling, not a
    strided SAME conv."""
    tf_slim = oracle.import_tf_slim()
    su, _, _ = slim_nets()
    x = images((1, 8, 8, 2))

    def build(inp):
        same = su.conv2d_same(inp, 3, 3, 2, scope="c")
        full = tf_slim.conv2d(inp, 3, 3, scope="c", reuse=True)
        plain = tf_slim.conv2d(inp, 3, 3, stride=2, scope="c", reuse=True)
        return same, su.subsample(full, 2), plain

    ckpt = str(tmp_path / "ref")
    (ref_same, ref_sub, ref_plain), _ = oracle.run_slim(
        build, x, checkpoint_out=ckpt, init_scale=0.5)
    np.testing.assert_allclose(ref_same, ref_sub, rtol=1e-5, atol=1e-5)
    assert not np.allclose(ref_same, ref_plain, atol=1e-3)
    with slim.name_registry():
        inp = keras.Input((8, 8, 2))
        same = resnet_utils.conv2d_same(inp, 3, 3, 2, scope="c")
        plain = slim.conv2d(inp, 3, 3, stride=2, scope="plain")
    model = keras.Model(inp, [same, plain])
    reader = tf.train.load_checkpoint(ckpt)
    for v in model.weights:
        v.assign(reader.get_tensor("c/" + v.path.split("/", 1)[1]))
    got_same, got_plain = model(x)
    np.testing.assert_allclose(got_same, ref_same, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_plain, ref_plain, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("factor,size", [(1, 5), (2, 5), (2, 6), (3, 7)])
def test_subsample_matches_original(factor, size):
    su, _, _ = slim_nets()
    x = images((2, size, size, 3))
    ref, _ = oracle.run_slim(lambda t: su.subsample(t, factor, "s"), x)
    with slim.name_registry():
        got = resnet_utils.subsample(x, factor, "s")
    np.testing.assert_allclose(got, ref, rtol=0, atol=0)


def test_subsample_factor_one_is_identity_and_bad_factor_raises():
    x = images((1, 4, 4, 2))
    assert resnet_utils.subsample(x, 1) is x
    with pytest.raises(ValueError, match="factor"):
        resnet_utils.subsample(x, 0)
    with pytest.raises(ValueError, match="stride"):
        resnet_utils.conv2d_same(x, 2, 3, stride=1.5)


def _tiny_blocks(module):
    blk = module.resnet_v1_block
    return [blk("block1", 2, 2, 2), blk("block2", 2, 1, 2),
            blk("block3", 4, 2, 2), blk("block4", 4, 1, 1)]


@pytest.mark.parametrize("output_stride", [None, 1, 2, 4, 8])
def test_stack_blocks_dense_atrous_matches_original(tmp_path, output_stride):
    """Atrous rates past output_stride, block/unit end points, and the v1
    bottleneck (weights from the calibrated checkpoint)."""
    tf_slim = oracle.import_tf_slim()
    su, s1, _ = slim_nets()
    x = images((2, 17, 17, 8))

    def slim_fn(inp):
        with tf_slim.arg_scope([su.stack_blocks_dense, s1.bottleneck],
                               outputs_collections="eps"), \
                tf_slim.arg_scope([tf_slim.batch_norm], is_training=False):
            net = su.stack_blocks_dense(inp, _tiny_blocks(s1), output_stride)
        return net, tf_slim.utils.convert_collection_to_dict("eps")

    def our_fn(inp):
        with slim.naming.collect_outputs(), slim.arg_scope(
                [resnet_utils.stack_blocks_dense, resnet_v1.bottleneck],
                outputs_collections="eps"), slim.arg_scope(
                [slim.batch_norm], is_training=False):
            net = resnet_utils.stack_blocks_dense(
                inp, _tiny_blocks(resnet_v1), output_stride)
            return net, slim.utils.convert_collection_to_dict("eps")

    model, _ = compare_resnet(slim_fn, our_fn, x, tmp_path)
    stride = output_stride or 8
    assert model.outputs[0].shape[1] == -(-17 // stride)


@pytest.mark.parametrize("output_stride", [3, 16])
def test_stack_blocks_dense_unreachable_output_stride_raises(output_stride):
    su, s1, _ = slim_nets()
    with tf.Graph().as_default():
        ph = tf.compat.v1.placeholder(tf.float32, (1, 17, 17, 8))
        with pytest.raises(ValueError, match="output_stride"):
            su.stack_blocks_dense(ph, _tiny_blocks(s1), output_stride)
    with slim.name_registry(), pytest.raises(
            ValueError, match="output_stride"):
        resnet_utils.stack_blocks_dense(
            keras.Input((17, 17, 8)), _tiny_blocks(resnet_v1), output_stride)


def test_stack_blocks_dense_rejects_non_blocks():
    with slim.name_registry(), pytest.raises(TypeError, match="Block"):
        resnet_utils.stack_blocks_dense(keras.Input((8, 8, 4)), [("b", 1)])


def test_block_is_a_namedtuple_like_the_original():
    su, _, _ = slim_nets()
    assert resnet_utils.Block._fields == su.Block._fields
    b = resnet_utils.Block("block1", resnet_v1.bottleneck, [{"depth": 4}])
    assert b.scope == "block1" and b[2] == [{"depth": 4}]


def test_resnet_arg_scope_defaults_match_original():
    su, _, _ = slim_nets()
    # tf_slim keys its scope dict by str(op): "<function batch_norm at …>"
    ref = {str(k).split()[1]: v for k, v in su.resnet_arg_scope().items()}
    ref_bn = ref["batch_norm"]
    ours = resnet_utils.resnet_arg_scope()
    bn = ours[slim.arg_scope_func_key(slim.batch_norm)]
    conv = ours[slim.arg_scope_func_key(slim.conv2d)]
    pool = ours[slim.arg_scope_func_key(slim.max_pool2d)]
    assert bn == ref_bn == conv["normalizer_params"]
    assert pool == ref["max_pool2d"] == {"padding": "SAME"}
    assert conv["normalizer_fn"] is slim.batch_norm
    assert conv["weights_regularizer"].scale == pytest.approx(1e-4)
    assert conv["activation_fn"] is slim.relu
    init = conv["weights_initializer"].get_config()
    assert init["scale"] == 2.0 and init["mode"] == "fan_in"
    # research/slim's extra arguments
    sc = resnet_utils.resnet_arg_scope(use_batch_norm=False,
                                       activation_fn=None, weight_decay=0.0)
    conv = sc[slim.arg_scope_func_key(slim.conv2d)]
    assert conv["normalizer_fn"] is None and conv["activation_fn"] is None
    assert conv["weights_regularizer"] is None


def test_compare_helper_detects_a_wrong_checkpoint(tmp_path):
    """The shared helper is not vacuous: a perturbed weight is caught."""
    su, s1, _ = slim_nets()
    x = images((2, 16, 16, 3))

    def slim_fn(t):
        return s1.resnet_v1(t, _tiny_blocks(s1), 3, is_training=False,
                            scope="r")

    def our_fn(t):
        net, eps = resnet_v1.resnet_v1(t, _tiny_blocks(resnet_v1), 3,
                                       is_training=False, scope="r")
        return keras.ops.add(net, 1e-2), eps

    with pytest.raises(AssertionError):
        compare_resnet(slim_fn, our_fn, x, tmp_path)
