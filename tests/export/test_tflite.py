"""TFLite exports run in the TFLite interpreter (XNNPACK) and compared.

* float32 on the golden research/slim mobilenet_v1 checkpoint: the
  interpreter equals the Keras model within 1e-4 (the converter keeps the
  float graph; measured ~1e-6) and the original's golden logits within
  the noise-floor rule of tests/noise_floor.py.
* int8 full-integer: int8 input/output tensors, file <= 35% of the float
  one; on the golden mobilenet_v1 the dequantized logits have cosine >=
  0.9 with float; on a LeNet trained here on held-out digits top-1 agrees
  with float on >= 95% of the images.
* mobilenet_v2 golden (slow): float within 1e-4, float16 within 1e-2 of
  Keras.
* Bad input: unknown mode, int8 without data: ValueError, no file left.
"""

import keras
import numpy as np
import pytest

from slimkeras import checkpoints
from slimkeras.export import run_tflite, to_tflite
from slimkeras.nets import mobilenet_v1 as mv1
from slimkeras.nets.mobilenet import mobilenet_v2 as mv2
from tests.nets import net_checks as nc
from tests.noise_floor import assert_close, load_noise_floor


def _golden_model(golden_dir, net, fn, scope):
    g = golden_dir / net
    data = np.load(g / "golden.npz")
    model, _, _ = nc.build_functional(
        fn, scope, (224, 224, 3), arg_scope_kwargs={"is_training": False},
        num_classes=1001, outputs="logits")
    report = checkpoints.restore(model, str(g / "model.ckpt"))
    assert not report.missing and not report.unexpected
    return model, data


@pytest.fixture(scope="module")
def mobilenet_v1_float(tmp_path_factory):
    from tests.conftest import GOLDEN

    if not GOLDEN.is_dir():
        pytest.skip(f"golden references not found at {GOLDEN}")
    model, data = _golden_model(GOLDEN, "mobilenet_v1", mv1.mobilenet_v1,
                                mv1.mobilenet_v1_arg_scope)
    path = str(tmp_path_factory.mktemp("tfl") / "mobilenet_v1.tflite")
    info = to_tflite(model, path)
    return model, data, info


def test_float_equals_keras_and_the_original(mobilenet_v1_float,
                                             golden_dir):
    model, data, info = mobilenet_v1_float
    assert info.quantize == "none" and info.input_dtype == "float32"
    assert info.input_shape[1:] == (224, 224, 3)
    got = run_tflite(info.path, data["input"])
    want = np.asarray(model.predict_on_batch(data["input"]))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)
    noise = load_noise_floor("mobilenet_v1", golden_dir)
    assert_close(got, data["logits"], noise.tolerance(), "tflite logits")


def test_int8_full_integer_on_golden_mobilenet(mobilenet_v1_float,
                                               tmp_path):
    model, data, float_info = mobilenet_v1_float
    rng = np.random.default_rng(1)
    calib = [data["input"] + rng.normal(0, 0.05, data["input"].shape)
             .astype("float32") for _ in range(4)]
    info = to_tflite(model, str(tmp_path / "q.tflite"), quantize="int8",
                     representative_data=calib, representative_steps=4)
    assert info.input_dtype == "int8" and info.output_dtype == "int8"
    assert info.calibration_batches == 8
    assert info.size_bytes <= 0.35 * float_info.size_bytes, (
        info.size_bytes, float_info.size_bytes)
    got = run_tflite(info.path, data["input"])
    want = np.asarray(model.predict_on_batch(data["input"]))
    cos = np.sum(got * want, -1) / (np.linalg.norm(got, axis=-1)
                                    * np.linalg.norm(want, axis=-1))
    assert np.all(cos >= 0.9), cos


def _digits(n_train=1200):
    from sklearn.datasets import load_digits

    d = load_digits()
    x = d.images.astype("float32")[..., None] / 16.0 * 2.0 - 1.0
    x = np.asarray(keras.ops.image.resize(x, (28, 28)))
    return (x[:n_train], d.target[:n_train]), (x[n_train:], d.target[n_train:])


def test_int8_agrees_with_float_on_a_trained_lenet(tmp_path):
    from slimkeras import nets

    keras.utils.set_random_seed(0)
    (x, y), (xt, yt) = _digits()
    model = nets.create_model("lenet", num_classes=10,
                              input_shape=(28, 28, 1))
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True))
    model.fit(x, y, batch_size=64, epochs=4, verbose=0)
    f = to_tflite(model, str(tmp_path / "f.tflite"))
    q = to_tflite(model, str(tmp_path / "q.tflite"), quantize="int8",
                  representative_data=[x[i:i + 32] for i in range(0, 320, 32)],
                  representative_steps=10)
    assert q.input_dtype == "int8" and q.size_bytes <= 0.35 * f.size_bytes
    float_top1 = run_tflite(f.path, xt).argmax(-1)
    int8_top1 = run_tflite(q.path, xt).argmax(-1)
    keras_top1 = np.asarray(model.predict_on_batch(xt)).reshape(
        len(xt), -1).argmax(-1)
    np.testing.assert_array_equal(float_top1, keras_top1)
    assert (float_top1 == yt).mean() > 0.9  # a trained net, held out
    assert (int8_top1 == float_top1).mean() >= 0.95
    d = to_tflite(model, str(tmp_path / "d.tflite"), quantize="dynamic")
    assert d.input_dtype == "float32" and d.size_bytes < f.size_bytes
    assert (run_tflite(d.path, xt).argmax(-1) == float_top1).mean() >= 0.95


@pytest.mark.slow
def test_float_and_float16_mobilenet_v2(golden_dir, tmp_path):
    model, data = _golden_model(golden_dir, "mobilenet_v2", mv2.mobilenet,
                                mv2.training_scope)
    want = np.asarray(model.predict_on_batch(data["input"]))
    info = to_tflite(model, str(tmp_path / "f.tflite"))
    np.testing.assert_allclose(run_tflite(info.path, data["input"]), want,
                               rtol=0, atol=1e-4)
    info = to_tflite(model, str(tmp_path / "h.tflite"), quantize="float16")
    got = run_tflite(info.path, data["input"])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-2)


def test_bad_input_leaves_no_file(tmp_path):
    model = keras.Sequential([keras.Input((4, 4, 1)),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    path = tmp_path / "x.tflite"
    with pytest.raises(ValueError, match="quantize must be one of"):
        to_tflite(model, str(path), quantize="int4")
    with pytest.raises(ValueError, match="needs calibration images"):
        to_tflite(model, str(path), quantize="int8")
    with pytest.raises(ValueError, match="no images"):
        to_tflite(model, str(path), quantize="int8", representative_data=[])
    assert list(tmp_path.iterdir()) == []
