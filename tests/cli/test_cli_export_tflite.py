"""``slimkeras export --tflite`` and ``--saved_model_dir
--include_preprocessing`` from a TF1 name-based checkpoint, checked in the
runtimes (TFLite interpreter; tf.saved_model.load)."""

import numpy as np
import pytest
import tensorflow as tf

from slimkeras import checkpoints, nets
from slimkeras.export import run_tflite
from tests.cli.in_process import run_cli as _cli


@pytest.fixture(scope="module")
def lenet_ckpt(tmp_path_factory):
    root = tmp_path_factory.mktemp("tflite_cli")
    model = nets.create_model("lenet", num_classes=10)
    rng = np.random.default_rng(0)
    for v in model.weights:
        v.assign(rng.normal(0, 0.1, v.shape).astype("float32"))
    ckpt = str(root / "model.ckpt")
    checkpoints.save_tf1_checkpoint(model, ckpt)
    x = rng.uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    return root, ckpt, x, np.asarray(model.predict_on_batch(x))


def test_float_and_int8_tflite(lenet_ckpt):
    root, ckpt, x, want = lenet_ckpt
    rc, out, err = _cli("export", "--model_name=lenet", "--num_classes=10",
                        f"--checkpoint_path={ckpt}",
                        f"--tflite={root}/f.tflite")
    assert rc == 0, err
    assert "input float32" in out
    # Logits reach ~30 with these weights: XNNPACK's float32 kernels
    # reorder sums (observed 3e-5 absolute, 1.1e-5 relative).
    np.testing.assert_allclose(run_tflite(f"{root}/f.tflite", x), want,
                               rtol=2e-5, atol=1e-5)
    rc, out, err = _cli("export", "--model_name=lenet", "--num_classes=10",
                        f"--checkpoint_path={ckpt}",
                        f"--tflite={root}/q.tflite", "--quantize=int8",
                        "--dataset_name=digits", "--dataset_split_name=train",
                        "--representative_steps=16")
    assert rc == 0, err
    assert "input int8" in out and "calibrated on 16 images" in out
    interp = tf.lite.Interpreter(model_path=f"{root}/q.tflite")
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8


def test_saved_model_with_preprocessing(lenet_ckpt):
    root, ckpt, x, want = lenet_ckpt
    rc, out, err = _cli("export", "--model_name=lenet", "--num_classes=10",
                        f"--checkpoint_path={ckpt}",
                        f"--saved_model_dir={root}/sm",
                        "--include_preprocessing")
    assert rc == 0, err
    assert "serving_jpeg" in out and "serving_uint8" in out
    loaded = tf.saved_model.load(f"{root}/sm")
    got = loaded.signatures["serving_default"](images=tf.constant(x))
    np.testing.assert_allclose(got["predictions"].numpy(),
                               tf.nn.softmax(want).numpy(), atol=1e-6)


@pytest.mark.parametrize("args,message", [
    (["--tflite={d}/x.tflite", "--quantize=int4"], "use one of none"),
    (["--tflite={d}/x.tflite", "--quantize=int8"], "needs calibration"),
    (["--quantize=float16", "--keras_path={d}/x.keras"], "give --tflite"),
    (["--tflite={d}/x.tflite", "--quantize"], "contrib.quantize"),
    (["--tflite={d}/x.tflite", "--image_size=3"],
     "--image_size=3: lenet cannot take 3x3 images"),
])
def test_bad_input_one_line_exit_2_no_file(lenet_ckpt, tmp_path, args,
                                           message):
    _, ckpt, _, _ = lenet_ckpt
    rc, out, err = _cli("export", "--model_name=lenet", "--num_classes=10",
                        f"--checkpoint_path={ckpt}",
                        *[a.format(d=tmp_path) for a in args])
    assert rc == 2, (rc, out, err)
    assert message in err
    assert len(err.strip().splitlines()) == 1 or "usage:" in err
    assert list(tmp_path.iterdir()) == []
