"""resolve_checkpoint: every form a checkpoint comes in, one readable path.

V1 files here are written by the ORIGINAL tf_slim (graph mode, Saver V1);
V2 files by ``save_tf1_checkpoint``. Values are compared bit for bit
(restoring copies tensors; no arithmetic).
"""

import shutil

import numpy as np
import pytest

from slimkeras import checkpoints
from tests.checkpoints import v1_oracle
from tests.checkpoints.helpers import X, keras_model, randomize, slim_net
from tests.oracle import import_tf_slim


@pytest.fixture(scope="module")
def v1(tmp_path_factory):
    tf_slim = import_tf_slim()
    directory = tmp_path_factory.mktemp("v1") / "net_2016"
    directory.mkdir()
    path = str(directory / "net.ckpt")
    logits, values = v1_oracle.original_v1_checkpoint(
        lambda im: slim_net(tf_slim, im), X, path)
    return path, logits, values


def _assert_values(model, values):
    for v in model.weights:
        np.testing.assert_array_equal(np.asarray(v), values[v.path])


def test_v1_file_and_its_sibling_paths(v1):
    path, logits, values = v1
    assert checkpoints.resolve_checkpoint(path).format == "v1"
    assert checkpoints.resolve_checkpoint_path(path + ".meta") == path
    model = keras_model()
    report = checkpoints.restore(model, path)
    assert report.checkpoint_format == "tf1-v1"
    _assert_values(model, values)
    np.testing.assert_allclose(model(X), logits, rtol=1e-5, atol=1e-5)


def test_v2_index_data_and_meta_paths(tmp_path):
    src = keras_model()
    randomize(src)
    prefix = checkpoints.save_tf1_checkpoint(src, tmp_path / "model.ckpt-12")
    for suffix in (".index", ".data-00000-of-00001", ".meta", ""):
        got = checkpoints.resolve_checkpoint(prefix + suffix)
        assert (got.path, got.format) == (prefix, "v2"), suffix


def test_directory_without_state_file_and_member_choice(v1, tmp_path):
    path, _, _ = v1
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(path, d / "a.ckpt")
    assert checkpoints.resolve_checkpoint_path(d) == str(d / "a.ckpt")
    shutil.copy(path, d / "b.ckpt")
    with pytest.raises(checkpoints.CheckpointNotFoundError,
                       match=r"several checkpoints: \['a.ckpt', 'b.ckpt'\]"
                             r".*member="):
        checkpoints.resolve_checkpoint_path(d)
    assert checkpoints.resolve_checkpoint_path(d, member="b.ckpt") == str(
        d / "b.ckpt")
    with pytest.raises(checkpoints.CheckpointNotFoundError,
                       match="member='c.ckpt'.*a.ckpt"):
        checkpoints.resolve_checkpoint_path(d, member="c.ckpt")


def test_stale_absolute_state_file(tmp_path):
    src = keras_model()
    randomize(src)
    old = tmp_path / "old"
    checkpoints.save_tf1_checkpoint(src, old / "model.ckpt-5")
    new = tmp_path / "moved"
    shutil.move(str(old), str(new))
    with open(new / "checkpoint", "w") as f:  # as TF1 Savers wrote them
        f.write(f'model_checkpoint_path: "{old}/model.ckpt-5"\n')
    got = checkpoints.resolve_checkpoint(new)
    assert got.path == str(new / "model.ckpt-5")
    assert "does not exist" in got.note and "moved" in got.note
    model = keras_model()
    checkpoints.restore(model, new)
    _assert_values(model, {v.path: np.asarray(v) for v in src.weights})
    with open(new / "checkpoint", "w") as f:
        f.write(f'model_checkpoint_path: "{old}/model.ckpt-9"\n')
    with pytest.raises(checkpoints.CheckpointNotFoundError,
                       match=r"names '.*model.ckpt-9', which exists neither "
                             r"there nor as .*\['model.ckpt-5'\]"):
        checkpoints.resolve_checkpoint(new)


def test_not_a_checkpoint_file(tmp_path):
    f = tmp_path / "notes.ckpt"
    f.write_bytes(b"x" * 100)
    with pytest.raises(checkpoints.CheckpointReadError,
                       match="V1 single-file checkpoint"):
        checkpoints.resolve_checkpoint(f)
