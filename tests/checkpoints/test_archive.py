"""Checkpoint tarballs: extracted safely and atomically into the cache,
reused, re-extracted when replaced, several checkpoints need ``member=``."""

import io
import os
import tarfile

import numpy as np
import pytest

from slimkeras import checkpoints
from tests.checkpoints import v1_oracle
from tests.checkpoints.helpers import keras_model, randomize


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIMKERAS_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "extracted"


def _v2(tmp_path, name, seed):
    src = keras_model()
    randomize(src, seed=seed)
    prefix = checkpoints.save_tf1_checkpoint(src, tmp_path / name / name,
                                             write_state_file=False)
    files = {f"{name}{s}": prefix + s for s in
             (".index", ".data-00000-of-00001")}
    return files, {v.path: np.asarray(v) for v in src.weights}


def test_published_v2_layout_restores_and_is_reused(tmp_path, home):
    files, values = _v2(tmp_path, "mobilenet_v1_1.0_224.ckpt", 1)
    archive = v1_oracle.make_tarball(
        str(tmp_path / "mobilenet_v1_1.0_224.tgz"), files)
    model = keras_model()
    report = checkpoints.restore(model, archive)
    assert report.checkpoint_format == "tf1-v2"
    for v in model.weights:
        np.testing.assert_array_equal(np.asarray(v), values[v.path])
    target = home / "mobilenet_v1_1.0_224"
    stamp = os.stat(target / "mobilenet_v1_1.0_224.ckpt.index").st_mtime_ns
    got = checkpoints.resolve_checkpoint(archive)
    assert got.path == str(target / "mobilenet_v1_1.0_224.ckpt")
    assert os.stat(got.path + ".index").st_mtime_ns == stamp  # reused
    # Another archive under the same name (new bytes) is extracted again.
    files2, values2 = _v2(tmp_path / "b", "mobilenet_v1_1.0_224.ckpt", 2)
    os.remove(archive)
    info = tmp_path / "info.txt"  # published tarballs hold such files too
    info.write_text("Model: mobilenet_v1_1.0_224\n")
    v1_oracle.make_tarball(archive, {**files2,
                                     "mobilenet_v1_1.0_224_info.txt": info})
    checkpoints.restore(model, archive)
    for v in model.weights:
        np.testing.assert_array_equal(np.asarray(v), values2[v.path])
    assert sorted(os.listdir(home)) == ["mobilenet_v1_1.0_224"]


def test_several_checkpoints_need_a_member(tmp_path, home):
    a, values_a = _v2(tmp_path, "a.ckpt", 1)
    b, values_b = _v2(tmp_path, "b.ckpt", 2)
    archive = v1_oracle.make_tarball(str(tmp_path / "two.tar.gz"),
                                     {**a, **{f"sub/{k}": f
                                              for k, f in b.items()}})
    model = keras_model()
    with pytest.raises(checkpoints.CheckpointNotFoundError,
                       match=r"several checkpoints: \['a.ckpt', "
                             r"'sub/b.ckpt'\]. Choose one with member="):
        checkpoints.restore(model, archive)
    checkpoints.restore(model, archive, member="sub/b.ckpt")
    for v in model.weights:
        np.testing.assert_array_equal(np.asarray(v), values_b[v.path])
    info = checkpoints.inspect(archive, member="a.ckpt")
    assert sorted(info.names) == sorted(values_a)


def _tar_with(tmp_path, name, member_name, kind=tarfile.REGTYPE):
    path = str(tmp_path / name)
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(member_name)
        info.type = kind
        data = b"" if kind != tarfile.REGTYPE else b"evil"
        if kind == tarfile.SYMTYPE:
            info.linkname = "/etc/passwd"
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("member,kind,match", [
    ("../escape.ckpt", tarfile.REGTYPE, "outside the extraction directory"),
    ("/abs/x.ckpt", tarfile.REGTYPE, "outside the extraction directory"),
    ("link.ckpt", tarfile.SYMTYPE, "link or special file"),
])
def test_unsafe_members_are_refused(tmp_path, home, member, kind, match):
    archive = _tar_with(tmp_path, "bad.tar.gz", member, kind)
    with pytest.raises(checkpoints.CheckpointReadError, match=match):
        checkpoints.resolve_checkpoint(archive)
    assert not (tmp_path / "escape.ckpt").exists()
    assert os.listdir(home) == []  # no temp dir, nothing cached


def test_truncated_archive_is_not_cached(tmp_path, home):
    files, _ = _v2(tmp_path, "m.ckpt", 1)
    archive = v1_oracle.make_tarball(str(tmp_path / "m.tar.gz"), files)
    with open(archive, "rb") as f:
        data = f.read()
    with open(archive, "wb") as f:
        f.write(data[: len(data) // 2])
    model = keras_model()
    with pytest.raises(checkpoints.CheckpointReadError,
                       match=r"Cannot extract checkpoint archive .*m.tar.gz"
                             r".*truncated"):
        checkpoints.restore(model, archive)
    assert os.listdir(home) == []
