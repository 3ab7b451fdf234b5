"""Servable SavedModels, loaded with tf.saved_model.load in a FRESH
process and called through their signatures with float, uint8 and JPEG
inputs; compared with the Keras model on the same (preprocessed) images.

Tolerances: float signature vs Keras 1e-5 (same graph, another process);
uint8/JPEG vs Keras on the eagerly preprocessed images 1e-5 (the same
research/slim eval preprocessing ops, in the graph). The JPEGs are real
(lossy) files, so the reference decodes the same bytes with
``tf.io.decode_jpeg`` before preprocessing them.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from slimkeras.export import export_saved_model
from slimkeras.nets import mobilenet_v1 as mv1
from slimkeras.preprocessing import preprocessing_factory
from tests.nets import net_checks as nc

SIZE = 64

_CHILD = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, tensorflow as tf
    export_dir, inputs, out = sys.argv[1:4]
    loaded = tf.saved_model.load(export_dir)
    data = np.load(inputs)
    sigs = loaded.signatures
    res = {"names": sorted(sigs.keys())}
    f = sigs["serving_default"](images=tf.constant(data["float"]))
    u = sigs["serving_uint8"](images=tf.constant(data["uint8"]))
    jpegs = [open(p, "rb").read() for p in sorted(
        os.path.join(os.path.dirname(inputs), n)
        for n in os.listdir(os.path.dirname(inputs)) if n.endswith(".jpg"))]
    j = sigs["serving_jpeg"](image_bytes=tf.constant(jpegs))
    arrays = {}
    for tag, r in (("float", f), ("uint8", u), ("jpeg", j)):
        arrays[tag + "_predictions"] = r["predictions"].numpy()
        arrays[tag + "_classes"] = r["classes"].numpy()
    np.savez(out, **arrays)
    print(",".join(res["names"]))
""")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model, _, _ = nc.build_functional(
        mv1.mobilenet_v1, mv1.mobilenet_v1_arg_scope, (SIZE, SIZE, 3),
        arg_scope_kwargs={"is_training": False}, num_classes=5,
        depth_multiplier=0.25, outputs="logits")
    helpers_seed = np.random.default_rng(0)
    for v in model.weights:  # non-trivial weights and statistics
        if "moving_variance" in v.path:
            v.assign(helpers_seed.uniform(0.5, 1.5, v.shape))
        elif "moving_mean" in v.path or "beta" in v.path:
            v.assign(helpers_seed.normal(0, 0.1, v.shape))
    export_dir = str(tmp_path_factory.mktemp("sm") / "served")
    sigs = export_saved_model(model, export_dir,
                              preprocessing_name="inception",
                              include_preprocessing=True, labels_offset=1)
    return model, export_dir, sigs


def test_signatures_in_a_fresh_process(exported, tmp_path):
    model, export_dir, sigs = exported
    assert sorted(sigs) == ["serving_default", "serving_jpeg",
                            "serving_uint8"]
    rng = np.random.default_rng(3)
    raw = rng.integers(0, 256, (3, 80, 70, 3), dtype=np.uint8)
    jpegs = [tf.io.encode_jpeg(im, quality=95).numpy() for im in raw]
    prep = preprocessing_factory.get_preprocessing("inception", False)
    pre_u8 = np.stack([prep(tf.constant(im), SIZE, SIZE).numpy()
                       for im in raw])
    decoded = [tf.io.decode_jpeg(b, channels=3) for b in jpegs]
    pre_jpeg = np.stack([prep(im, SIZE, SIZE).numpy() for im in decoded])
    floats = rng.uniform(-1, 1, (2, SIZE, SIZE, 3)).astype("float32")
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, float=floats, uint8=raw)
    for i, data in enumerate(jpegs):
        (tmp_path / f"{i}.jpg").write_bytes(data)
    out = tmp_path / "out.npz"
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    proc = subprocess.run(
        [sys.executable, str(script), export_dir, str(inputs), str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = np.load(out)

    def keras_heads(x):
        logits = np.asarray(model.predict_on_batch(x)).reshape(len(x), -1)
        return tf.nn.softmax(logits).numpy(), logits.argmax(-1) + 1

    for tag, x in (("float", floats), ("uint8", pre_u8),
                   ("jpeg", pre_jpeg)):
        probs, classes = keras_heads(x)
        np.testing.assert_allclose(got[tag + "_predictions"], probs,
                                   rtol=0, atol=1e-5, err_msg=tag)
        np.testing.assert_array_equal(got[tag + "_classes"], classes)


def test_bad_export_leaves_nothing(exported, tmp_path):
    model, export_dir, _ = exported
    with pytest.raises(ValueError, match="not empty"):
        export_saved_model(model, export_dir)
    with pytest.raises(ValueError, match="preprocessing_name"):
        export_saved_model(model, str(tmp_path / "x"),
                           include_preprocessing=True)
    assert not (tmp_path / "x").exists()
    assert [p.name for p in tmp_path.iterdir()] == []
