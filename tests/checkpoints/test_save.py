"""save_tf1_checkpoint(): the original tf-slim restores it (graph mode)."""

import os

import numpy as np
import pytest
import tensorflow as tf

from slimkeras import checkpoints
from tests.checkpoints.helpers import X, keras_model, randomize, slim_net
from tests.oracle import import_tf_slim, run_slim

TOL = dict(rtol=1e-5, atol=1e-5)  # float32, same CPU kernels


def test_export_restored_by_tf_slim_saver(tmp_path):
    tf_slim = import_tf_slim()
    model = keras_model()
    randomize(model)
    path = checkpoints.save_tf1_checkpoint(model, tmp_path / "out" / "m.ckpt")
    assert sorted(os.listdir(tmp_path / "out")) == [
        "checkpoint", "m.ckpt.data-00000-of-00001", "m.ckpt.index"]
    # run_slim restores every global variable with tf.compat.v1.train.Saver.
    ref, values = run_slim(lambda inp: slim_net(tf_slim, inp), X,
                           checkpoint_in=path)
    np.testing.assert_allclose(ref, model(X), **TOL)
    for v in model.weights:
        np.testing.assert_array_equal(values[v.path], v)
    assert tf.train.latest_checkpoint(str(tmp_path / "out")) == path


def test_export_with_name_map_round_trips(tmp_path):
    model = keras_model()
    randomize(model)

    def fwd(p):
        return "vgg16/" + p

    path = checkpoints.save_tf1_checkpoint(model, tmp_path / "m", name_map=fwd)
    names = [n for n, _ in tf.train.list_variables(path)]
    assert all(n.startswith("vgg16/net/") for n in names)
    other = keras_model()
    checkpoints.restore(other, path, name_map=fwd)
    np.testing.assert_allclose(other(X), model(X), **TOL)


def test_save_errors(tmp_path):
    model = keras_model()
    with pytest.raises(ValueError, match="share the checkpoint name"):
        checkpoints.save_tf1_checkpoint(model, tmp_path / "d",
                                        name_map=lambda p: "same")
    with pytest.raises(ValueError, match="returned 3"):
        checkpoints.save_tf1_checkpoint(model, tmp_path / "d",
                                        name_map=lambda p: 3)
    with pytest.raises(TypeError, match="path"):
        checkpoints.save_tf1_checkpoint(model, None)
    assert not os.path.exists(tmp_path / "d.index")
