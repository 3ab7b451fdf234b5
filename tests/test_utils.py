"""slim.utils collections (issue 17 item 1), against tf-slim in graph mode.

``outputs_collections`` → ``convert_collection_to_dict`` and
``collect_named_outputs`` work as tf_slim's outside any
``collect_outputs()`` block; outputs carry ``aliases``. Value tolerance
1e-5 (float32, same weights through a checkpoint).
"""

import keras
import numpy as np
import tensorflow as tf

import slimkeras as slim
from slimkeras import checkpoints
from tests.oracle import import_tf_slim, run_slim

TOL = 1e-5


def tiny_net(s, variable_scope, inputs, scope="tiny"):
    """A research/slim-style net, the same code for either library."""
    with variable_scope(scope, "tiny", [inputs]) as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with s.arg_scope([s.conv2d, s.max_pool2d, s.fully_connected],
                         outputs_collections=end_points_collection):
            net = s.conv2d(inputs, 4, [3, 3], scope="conv1")
            net = s.max_pool2d(net, [2, 2], scope="pool1")
            net = s.conv2d(net, 4, [3, 3], scope="conv2")
            net = s.flatten(net)
            net = s.fully_connected(net, 3, activation_fn=None,
                                    scope="logits")
        net = s.utils.collect_named_outputs(
            end_points_collection, sc.name + "/predictions", net)
        end_points = s.utils.convert_collection_to_dict(
            end_points_collection)
    return net, end_points


def test_research_slim_style_net_end_points_match_tf_slim(tmp_path):
    tf_slim = import_tf_slim()
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype("float32")
    ckpt = str(tmp_path / "tiny.ckpt")
    seen = {}

    def build(t):
        net, eps = tiny_net(tf_slim, tf.compat.v1.variable_scope, t)
        seen["aliases"] = list(net.aliases)
        return eps

    expected, _ = run_slim(build, x, checkpoint_out=ckpt, init_scale=0.3)
    inp = keras.Input((8, 8, 1))
    net, end_points = tiny_net(slim, slim.variable_scope, inp)
    assert list(end_points) == list(expected)  # keys and their order
    assert net.aliases == seen["aliases"] == ["tiny/logits",
                                              "tiny/predictions"]
    model = keras.Model(inp, dict(end_points))
    checkpoints.restore(model, ckpt)
    got = model(x)
    for k, v in expected.items():
        np.testing.assert_allclose(got[k], v, atol=TOL, rtol=TOL, err_msg=k)


def test_collect_named_outputs_outside_collect_outputs():
    tf_slim = import_tf_slim()
    with tf.Graph().as_default():
        t = tf.zeros((1, 2))
        tf_slim.utils.collect_named_outputs("end_points", "conv1", t)
        tf_slim.utils.collect_named_outputs("end_points", "fc/", t * 2)
        expected = list(tf_slim.utils.convert_collection_to_dict(
            "end_points", clear_collection=True))
        cleared = tf.compat.v1.get_collection("end_points")
    with slim.name_registry():
        a = slim.utils.collect_named_outputs("end_points", "conv1",
                                             np.zeros((1, 2), "float32"))
        b = keras.ops.ones((1, 2))
        assert slim.utils.collect_named_outputs("end_points", "fc/", b) is b
        got = slim.utils.convert_collection_to_dict("end_points",
                                                    clear_collection=True)
        assert list(got) == expected == ["conv1", "fc"]
        assert got["fc"] is b and b.aliases == ["fc"]
        assert got["conv1"] is a
        assert slim.utils.convert_collection_to_dict("end_points") == {}
        assert cleared == []
        # None / empty collections collect nothing (tf_slim's rule).
        slim.utils.collect_named_outputs(None, "x", b)
        assert slim.utils.convert_collection_to_dict("None") == {}


def test_layer_outputs_collections_without_a_block():
    with slim.name_registry():
        inp = keras.Input((4, 4, 1))
        net = slim.conv2d(inp, 2, [1, 1], scope="c1",
                          outputs_collections="eps")
        assert net.aliases == ["c1"]
        assert list(slim.utils.convert_collection_to_dict("eps")) == ["c1"]
    # A new registry (a new TF1 graph) starts with empty collections.
    with slim.name_registry():
        assert slim.utils.convert_collection_to_dict("eps") == {}
