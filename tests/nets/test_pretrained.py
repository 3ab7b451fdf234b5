"""Published checkpoints end to end: a real HTTP server on 127.0.0.1 serves
tarballs in research/slim's published layout, made from checkpoints the
ORIGINAL wrote (tf_slim in graph mode for inception_v1, saved as a V1 file
like the 2016 tarballs; research/slim's mobilenet_v1 golden checkpoint, V2
files, for the 2018 MobileNet tarball); ``create_model(pretrained=True)``
downloads through ``SLIMKERAS_WEIGHTS_URL``, restores, and is compared with
the original's logits.

Tolerances: the golden README's rule, max |diff| <= max(1e-4, 3 x the
original's own noise max) and mean |diff| <= max(1e-5, 3 x its noise mean):
mobilenet_v1 noise 2.0e-5 / 4.9e-6 -> 1e-4 / 1.5e-5; inception_v1 noise
2.5e-5 / 6.1e-6 -> 1e-4 / 1.8e-5 (relative to the logits' scale, which the
randomised weights keep O(1)).
"""

import contextlib
import functools
import http.server
import io
import logging
import os
import pathlib
import socket
import tarfile
import threading

import numpy as np
import pytest
import tensorflow as tf

from slimkeras import nets
from slimkeras.nets import download, pretrained, registry
from tests.oracle import import_tf_slim

V1_URL_PATH = "models/mobilenet_v1_2018_02_22/mobilenet_v1_1.0_224.tgz"
IV1_URL_PATH = "models/inception_v1_2016_08_28.tar.gz"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(root):
    """A real HTTP server for ``root`` on a free 127.0.0.1 port."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _free_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # closed once the socket is


def _close(got, want, max_tol, mean_tol):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    diff = np.abs(got - want)
    assert diff.max() <= max_tol, diff.max()
    assert diff.mean() <= mean_tol, diff.mean()


@pytest.fixture(scope="module")
def mobilenet_mirror(tmp_path_factory):
    """research/slim's 2018 MobileNet tarball layout, from the golden
    checkpoint the original research/slim mobilenet_v1 (1.0, 224, 1001
    classes) wrote: ``mobilenet_v1_1.0_224.ckpt.{index,data-…}``."""
    from tests.conftest import GOLDEN

    src = GOLDEN / "mobilenet_v1"
    if not src.is_dir():
        pytest.skip(f"golden references not found at {src}")
    root = tmp_path_factory.mktemp("mirror")
    target = root / V1_URL_PATH
    target.parent.mkdir(parents=True)
    with tarfile.open(target, "w:gz") as tar:
        for suffix in (".index", ".data-00000-of-00001"):
            tar.add(src / f"model.ckpt{suffix}",
                    arcname=f"./mobilenet_v1_1.0_224.ckpt{suffix}")
        info = tarfile.TarInfo("./mobilenet_v1_1.0_224_info.txt")
        text = b"Model: mobilenet_v1_1.0_224\n"
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    gold = np.load(src / "golden.npz")
    return root, gold["input"], gold["logits"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    home = tmp_path / "slimkeras_home"
    monkeypatch.setenv("SLIMKERAS_HOME", str(home))
    return home


MB_MAX, MB_MEAN = 1e-4, 1.5e-5


def test_mobilenet_download_cache_offset_and_new_head(
        mobilenet_mirror, cache, monkeypatch, caplog):
    root, x, want = mobilenet_mirror
    with serve(root) as url:
        monkeypatch.setenv("SLIMKERAS_WEIGHTS_URL", url)
        model = nets.create_model("mobilenet_v1", pretrained=True)
    # Downloaded into the cache under the published path.
    cached = cache / "downloads" / V1_URL_PATH
    assert cached.is_file()
    assert not [p for p in cached.parent.iterdir() if p.name.startswith(".")]
    assert model.pretrained_cfg.name == "mobilenet_v1.224"
    assert len(model.restore_report.restored) == 137
    assert not model.restore_report.missing
    _close(model.predict_on_batch(x), want, MB_MAX, MB_MEAN)

    # The server is gone: the cache serves the second call. 1000 classes
    # on the 1001-class checkpoint equal the original's logits[:, 1:].
    m1000 = nets.create_model("mobilenet_v1", num_classes=1000,
                              pretrained=True)
    assert tuple(m1000.output.shape) == (None, 1000)
    assert sorted(m1000.restore_report.label_offset_applied) == [
        "MobilenetV1/Logits/Conv2d_1c_1x1/biases",
        "MobilenetV1/Logits/Conv2d_1c_1x1/weights"]
    _close(m1000.predict_on_batch(x), want[:, 1:], MB_MAX, MB_MEAN)

    # 5 classes: the body is restored, the head is new and says so.
    with caplog.at_level(logging.WARNING, logger="slimkeras.nets"):
        m5 = nets.create_model("mobilenet_v1", num_classes=5,
                               pretrained=True)
    assert any("NOT restored" in r.getMessage() and "MobilenetV1/Logits"
               in r.getMessage() for r in caplog.records)
    report = m5.restore_report
    assert sorted(report.excluded) == [
        "MobilenetV1/Logits/Conv2d_1c_1x1/biases",
        "MobilenetV1/Logits/Conv2d_1c_1x1/weights"]
    assert len(report.restored) == 135
    body = {w.path: w.numpy() for w in model.weights}
    for w in m5.weights:
        if w.path.startswith("MobilenetV1/Logits"):
            assert w.shape[-1] == 5
        else:
            np.testing.assert_array_equal(w.numpy(), body[w.path])
    # Same pooled features as the full model (the body really restored).
    feats = nets.create_model("mobilenet_v1", outputs="features",
                              pretrained=True)
    assert tuple(feats.output.shape) == (None, 1024)
    logits5 = m5.predict_on_batch(x)
    assert logits5.shape == (2, 5) and np.isfinite(logits5).all()
    w = {v.path: v.numpy() for v in m5.weights}
    head = feats.predict_on_batch(x) @ w[
        "MobilenetV1/Logits/Conv2d_1c_1x1/weights"][0, 0] + w[
        "MobilenetV1/Logits/Conv2d_1c_1x1/biases"]
    np.testing.assert_allclose(logits5, head, rtol=1e-4, atol=1e-4)


def test_truncated_download_is_rejected_and_not_cached(
        mobilenet_mirror, cache, tmp_path, monkeypatch):
    root, _, _ = mobilenet_mirror
    bad_root = tmp_path / "bad"
    target = bad_root / V1_URL_PATH
    target.parent.mkdir(parents=True)
    data = (root / V1_URL_PATH).read_bytes()
    target.write_bytes(data[: len(data) // 2])
    with serve(bad_root) as url:
        monkeypatch.setenv("SLIMKERAS_WEIGHTS_URL", url)
        with pytest.raises(download.PretrainedDownloadError) as e:
            nets.create_model("mobilenet_v1", pretrained=True)
    msg = str(e.value)
    assert f"{url}/{V1_URL_PATH}" in msg and "truncated" in msg
    assert "checkpoint_path=" in msg
    folder = cache / "downloads" / os.path.dirname(V1_URL_PATH)
    assert not folder.exists() or not list(folder.iterdir())


def test_no_network_and_no_cache_is_one_clear_error(cache, monkeypatch):
    dead = _free_port_url()
    monkeypatch.setenv("SLIMKERAS_WEIGHTS_URL", dead)
    with pytest.raises(download.PretrainedDownloadError) as e:
        nets.create_model("inception_v1", pretrained=True)
    msg = str(e.value)
    assert ("http://download.tensorflow.org/models/"
            "inception_v1_2016_08_28.tar.gz") in msg
    assert f"{dead}/{IV1_URL_PATH}" in msg
    assert "SLIMKERAS_WEIGHTS_URL" in msg and "checkpoint_path=" in msg
    assert not (cache / "downloads" / IV1_URL_PATH).exists()


def _randomize(sess, variables, seed=0):
    """Trained-like values (He-scaled weights, spread BN statistics) so the
    logits are O(1); one session run for all variables."""
    rng = np.random.default_rng(seed)
    feed, ops = {}, []
    for v in variables:
        shape = v.shape.as_list()
        name = v.op.name
        if name.endswith("weights"):
            fan_in = int(np.prod(shape[:-1]))
            val = rng.normal(0, np.sqrt(2.0 / fan_in), shape)
        elif name.endswith("moving_variance"):
            val = rng.uniform(0.5, 1.5, shape)
        else:  # biases, beta, moving_mean
            val = rng.normal(0, 0.1, shape)
        ph = tf.compat.v1.placeholder(tf.float32, shape)
        ops.append(tf.compat.v1.assign(v, ph))
        feed[ph] = val.astype(np.float32)
    sess.run(ops, feed)


@pytest.fixture(scope="module")
def inception_v1_mirror(tmp_path_factory):
    """``models/inception_v1_2016_08_28.tar.gz`` holding ``inception_v1.ckpt``
    written by the ORIGINAL tf_slim with ``Saver(write_version=V1)``, and
    the original's logits for a batch at 224 (its fixed 7x7 pool)."""
    slim = import_tf_slim()
    from tf_slim.nets import inception_v1

    root = tmp_path_factory.mktemp("iv1")
    work = tmp_path_factory.mktemp("iv1_ckpt")
    x = np.random.default_rng(3).uniform(-1, 1, (2, 224, 224, 3)).astype(
        np.float32)
    graph = tf.Graph()
    with graph.as_default():
        ph = tf.compat.v1.placeholder(tf.float32, x.shape)
        with slim.arg_scope(inception_v1.inception_v1_arg_scope()):
            logits, _ = inception_v1.inception_v1(ph, num_classes=1001,
                                                  is_training=False)
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            _randomize(sess, tf.compat.v1.global_variables())
            want = sess.run(logits, {ph: x})
            saver = tf.compat.v1.train.Saver(
                write_version=tf.compat.v1.train.SaverDef.V1)
            saver.save(sess, str(work / "inception_v1.ckpt"),
                       write_meta_graph=False)
    assert not (work / "inception_v1.ckpt.index").exists()  # V1: one file
    target = root / IV1_URL_PATH
    target.parent.mkdir(parents=True)
    with tarfile.open(target, "w:gz") as tar:
        tar.add(work / "inception_v1.ckpt", arcname="inception_v1.ckpt")
    return root, x, want


@pytest.mark.slow  # ~55 s on 2 shared cores (tf_slim graph + two builds)
def test_inception_v1_published_v1_tarball(inception_v1_mirror, cache,
                                          monkeypatch):
    root, x, want = inception_v1_mirror
    with serve(root) as url:
        monkeypatch.setenv("SLIMKERAS_WEIGHTS_URL", url)
        model = nets.create_model("inception_v1", pretrained=True)
    assert (cache / "downloads" / IV1_URL_PATH).is_file()
    assert not model.restore_report.missing
    scale = float(np.abs(want).max())
    assert scale > 0.1  # the randomised weights give O(1) logits
    got = model.predict_on_batch(x)
    _close(got / scale, want / scale, 1e-4, 1.8e-5)
    # The same tarball offline: checkpoint_path= any local form.
    local = nets.create_model("inception_v1", num_classes=1000,
                              checkpoint_path=str(root / IV1_URL_PATH))
    _close(local.predict_on_batch(x) / scale, want[:, 1:] / scale, 1e-4,
           1.8e-5)


# --- the registry ----------------------------------------------------------

def test_registry_rows_match_research_slim():
    names = nets.list_pretrained()
    assert len(names) == len(set(names)) == 108
    cfg = nets.get_pretrained_cfg("inception_v1")
    assert cfg.url == ("http://download.tensorflow.org/models/"
                       "inception_v1_2016_08_28.tar.gz")
    assert (cfg.member, cfg.num_classes, cfg.label_offset, cfg.input_size,
            cfg.preprocessing, cfg.top1, cfg.top5) == (
        "inception_v1.ckpt", 1001, 1, 224, "inception", 69.8, 89.6)
    irv2 = nets.get_pretrained_cfg("inception_resnet_v2")
    assert irv2.member == "inception_resnet_v2_2016_08_30.ckpt"
    vgg = nets.get_pretrained_cfg("vgg_16")
    assert (vgg.num_classes, vgg.label_offset, vgg.preprocessing) == (
        1000, 0, "vgg")
    for depth in (50, 101, 152):
        r2 = nets.get_pretrained_cfg(f"resnet_v2_{depth}")
        assert (r2.num_classes, r2.input_size, r2.preprocessing) == (
            1001, 299, "inception")
    assert nets.get_net("resnet_v2_50").num_classes == 1001
    # MobileNet V1: 16 float width x resolution models + their quantized
    # twins; the main README's three 2018_02_22 tarballs are the defaults.
    v1 = [c for c in pretrained._ROWS if c.net.startswith("mobilenet_v1")]
    assert len(v1) == 16 * 2 + 3
    m050 = nets.get_pretrained_cfg("mobilenet_v1_050")
    assert m050.url.endswith("mobilenet_v1_2018_02_22/mobilenet_v1_0.5_160"
                             ".tgz") and m050.input_size == 160
    assert nets.get_pretrained_cfg("mobilenet_v1_075.192").top1 == 67.2
    # MobileNet V2: 22 depth x resolution models (+ quantized), EMA values.
    v2 = [c for c in pretrained._ROWS if c.net.startswith("mobilenet_v2")
          and not c.quantized]
    assert len(v2) == 22 and all(c.use_ema for c in v2)
    m13 = nets.get_pretrained_cfg("mobilenet_v2.1.3_224")
    assert m13.kwargs == {"depth_multiplier": 1.3}
    assert nets.get_pretrained_cfg("mobilenet_v2").tag == "1.0_224"
    assert nets.get_pretrained_cfg("nasnet_large").input_size == 331
    assert nets.get_pretrained_cfg("resnet_v2_200").url is None
    assert not nets.get_pretrained_cfg("resnet_v2_200").buildable
    assert not nets.get_pretrained_cfg("mobilenet_v1.224_quant").buildable
    d = nets.get_pretrained_cfg("vgg_19").to_dict()
    assert d["input_size"] == (3, 224, 224) and d["file"] == (
        "vgg_19_2016_08_28.tar.gz")


def test_unknown_tag_and_net_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"Valid tags: 224, 224_2018_08_02"):
        nets.get_pretrained_cfg("mobilenet_v1", tag="999")
    with pytest.raises(ValueError, match="Valid tags: 224"):
        nets.create_model("inception_v1", pretrained="300")
    with pytest.raises(ValueError, match="Did you mean inception_v1"):
        nets.get_pretrained_cfg("inceptio_v1")
    with pytest.raises(ValueError, match="quantization"):
        nets.create_model("mobilenet_v1", pretrained="224_quant")
    with pytest.raises(TypeError, match="pretrained"):
        nets.create_model("lenet", pretrained=1)


def test_rows_become_usable_when_their_net_registers(monkeypatch):
    row = nets.get_pretrained_cfg("nasnet_mobile")
    spec = registry._NETS.get("nasnet_mobile")
    monkeypatch.delitem(registry._NETS, "nasnet_mobile", raising=False)
    assert not row.buildable
    assert "not implemented" in row.unavailable_reason()
    assert "nasnet_mobile.224" in nets.list_pretrained(buildable=False)
    with pytest.raises(ValueError, match="not implemented in slimkeras yet"):
        nets.create_model("nasnet_mobile", pretrained=True)
    stand_in = spec or registry.NetSpec(
        name="nasnet_mobile", fn=None, arg_scope=None,
        default_image_size=224, num_classes=1001, logits_scopes=(),
        preprocessing="inception")
    monkeypatch.setitem(registry._NETS, "nasnet_mobile", stand_in)
    assert row.buildable and "nasnet_mobile.224" in nets.list_pretrained(
        buildable=True)


def test_weights_url_replaces_scheme_and_host(monkeypatch):
    monkeypatch.setenv("SLIMKERAS_WEIGHTS_URL", "http://127.0.0.1:8000")
    assert download.weights_url(nets.get_pretrained_cfg("inception_v1").url
                                ) == ("http://127.0.0.1:8000/models/"
                                      "inception_v1_2016_08_28.tar.gz")
    assert download.weights_url(nets.get_pretrained_cfg("mobilenet_v2").url
                                ) == ("http://127.0.0.1:8000/mobilenet_v2/"
                                      "checkpoints/mobilenet_v2_1.0_224.tgz")
    monkeypatch.setenv("SLIMKERAS_WEIGHTS_URL", "127.0.0.1:8000")
    with pytest.raises(ValueError, match="SLIMKERAS_WEIGHTS_URL"):
        download.weights_url("http://x.org/a.tgz")
    monkeypatch.delenv("SLIMKERAS_WEIGHTS_URL")
    assert download.weights_url("http://x.org/a.tgz") == "http://x.org/a.tgz"


def test_docs_table_lists_every_row():
    doc = pathlib.Path(__file__).resolve().parents[2] / "docs" / \
        "pretrained.md"
    text = doc.read_text()
    for cfg in pretrained._ROWS:
        assert f"`{cfg.name}`" in text, cfg.name
    assert text.count("\n| `") == len(pretrained._ROWS)


def test_verify_tarball_rejects_damage(tmp_path):
    good = tmp_path / "a.tgz"
    with tarfile.open(good, "w:gz") as tar:
        payload = tmp_path / "x.bin"
        payload.write_bytes(os.urandom(200_000))
        tar.add(payload, arcname="x.bin")
    download.verify_tarball(str(good))
    data = good.read_bytes()
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(data[:-5000])
    with pytest.raises(ValueError):
        download.verify_tarball(str(cut))
    with pytest.raises(ValueError, match="bytes, expected"):
        download.verify_tarball(str(good), size=len(data) + 1)
