"""research/slim-style V1 checkpoints of real nets, written by the ORIGINAL
tf_slim (graph mode, ``Saver(write_version=V1)``: one file, no ``.index``),
restore into slimkeras's nets by file path, by directory and from a
``.tar.gz`` in the published layout; logits equal the original's.

Tolerance: the golden one, max(1e-4, 3 x the original's own float32 noise
on its logits from ``golden/<net>/noise_onednn_off.json``): vgg_16 1e-4,
resnet_v1_50 1.04e-4, inception_v1 1e-4 (absolute and relative).

One oracle run per net (module-scoped). vgg_16 runs by default at 224x224
with every conv width divided by 16 on both sides (``narrow_conv_widths``:
names, padding and structure unchanged), unsqueezed (fully convolutional
logits ``[1, 1, 1, 7]``); full-width resnet_v1_50 (64x64) and inception_v1
(224x224) are slow.
"""

import os

import numpy as np
import pytest

from slimkeras import checkpoints
from tests.checkpoints import v1_oracle
from tests.checkpoints.helpers import randomize
from tests.nets import net_checks as nc
from tests.oracle import import_tf_slim


class _Case:
    def __init__(self, net, ours, our_scope, x, kwargs, ckpt, logits,
                 values, archive):
        self.net, self.ours, self.our_scope = net, ours, our_scope
        self.x, self.kwargs, self.ckpt = x, kwargs, ckpt
        self.logits, self.values, self.archive = logits, values, archive


def _case(tmp_path_factory, net, slim_fn, slim_scope, ours, our_scope, x,
          **kwargs):
    root = tmp_path_factory.mktemp(net)
    directory = root / f"{net}_2016_08_28"
    directory.mkdir()
    ckpt = str(directory / f"{net}.ckpt")
    logits, values = v1_oracle.original_v1_checkpoint(
        lambda im: slim_fn(im, **kwargs)[0], x, ckpt, arg_scope=slim_scope)
    archive = v1_oracle.make_tarball(str(root / f"{net}_2016_08_28.tar.gz"),
                                     {f"{net}.ckpt": ckpt})
    return _Case(net, ours, our_scope, x, kwargs, ckpt, logits, values,
                 archive)


@pytest.fixture(scope="module")
def vgg16_case(tmp_path_factory):
    import_tf_slim()
    from tf_slim.nets import vgg as slim_vgg

    from slimkeras.nets import vgg

    mp = pytest.MonkeyPatch()
    nc.narrow_conv_widths(mp, [slim_vgg], [vgg])
    try:
        yield _case(tmp_path_factory, "vgg_16", slim_vgg.vgg_16,
                    slim_vgg.vgg_arg_scope, vgg.vgg_16, vgg.vgg_arg_scope,
                    nc.random_images((1, 224, 224, 3)), num_classes=7,
                    is_training=False, spatial_squeeze=False)
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def resnet_case(tmp_path_factory):
    import_tf_slim()
    from tf_slim.nets import resnet_v1 as slim_resnet

    from slimkeras.nets import resnet_v1

    return _case(tmp_path_factory, "resnet_v1_50", slim_resnet.resnet_v1_50,
                 slim_resnet.resnet_arg_scope, resnet_v1.resnet_v1_50,
                 resnet_v1.resnet_arg_scope,
                 nc.random_images((1, 64, 64, 3)), num_classes=7,
                 is_training=False)


@pytest.fixture(scope="module")
def inception_case(tmp_path_factory):
    import_tf_slim()
    from tf_slim.nets import inception_v1 as slim_inc

    from slimkeras.nets import inception_v1

    return _case(tmp_path_factory, "inception_v1", slim_inc.inception_v1,
                 slim_inc.inception_v1_arg_scope, inception_v1.inception_v1,
                 inception_v1.inception_v1_arg_scope,
                 nc.random_images((1, 224, 224, 3)), num_classes=7,
                 is_training=False)


def _check_every_form(case, golden_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("SLIMKERAS_HOME", str(tmp_path / "home"))
    tol = v1_oracle.golden_tolerance(golden_dir, case.net)
    model, _, _ = nc.build_functional(case.ours, case.our_scope,
                                      case.x.shape[1:], **case.kwargs)
    assert not os.path.exists(case.ckpt + ".index")  # really V1
    forms = {"file": case.ckpt, "directory": os.path.dirname(case.ckpt),
             "tarball": case.archive}
    for form, path in forms.items():
        randomize(model, seed=len(form))
        report = checkpoints.restore(model, path)
        assert report.checkpoint_format == "tf1-v1", form
        assert sorted(report.restored) == sorted(case.values), form
        assert not (report.missing or report.unexpected or report.errors)
        logits = np.asarray(model(case.x, training=False)[0])
        np.testing.assert_allclose(logits, case.logits, rtol=tol, atol=tol,
                                   err_msg=f"{case.net} restored by {form}")
    # The tarball went into the cache, atomically, once.
    extracted = tmp_path / "home" / "extracted" / f"{case.net}_2016_08_28"
    assert (extracted / f"{case.net}.ckpt").is_file()
    assert [p for p in os.listdir(extracted.parent)
            if p.startswith(".")] == []


def test_vgg_16_v1_checkpoint_by_file_directory_and_tarball(
        vgg16_case, golden_dir, monkeypatch, tmp_path):
    _check_every_form(vgg16_case, golden_dir, monkeypatch, tmp_path)


def test_inspect_lists_a_v1_checkpoint(vgg16_case):
    info = checkpoints.inspect(vgg16_case.ckpt)
    assert sorted(info.names) == sorted(vgg16_case.values)
    assert {n: tuple(s) for n, s, _ in info.entries} == {
        n: v.shape for n, v in vgg16_case.values.items()}


@pytest.mark.slow
def test_resnet_v1_50_v1_checkpoint_by_file_directory_and_tarball(
        resnet_case, golden_dir, monkeypatch, tmp_path):
    _check_every_form(resnet_case, golden_dir, monkeypatch, tmp_path)


@pytest.mark.slow
def test_inception_v1_v1_checkpoint_by_file_directory_and_tarball(
        inception_case, golden_dir, monkeypatch, tmp_path):
    _check_every_form(inception_case, golden_dir, monkeypatch, tmp_path)
