"""TFLite files from slim nets: float, float16, dynamic-range and int8.

research/slim's deployment path was ``export_inference_graph.py`` +
``freeze_graph`` + the TFLite converter with post-training quantization
(``nets/post_training_quantization.py``). Here the stock
``tf.lite.TFLiteConverter`` converts the Keras model directly:

* ``'none'``: float32.
* ``'float16'``: float16 weights (about half the size), float compute.
* ``'dynamic'``: int8 weights, activations quantized on the fly; needs no
  data. The documented fallback when no calibration data is at hand.
* ``'int8'``: full-integer (int8 weights, activations, input and output),
  as research/slim's quantized MobileNets; calibrated on
  ``representative_data`` (batches of the net's own preprocessing of real
  images). Without data it is an error, never a silent fallback.

The file is written atomically (temporary file, then rename): a failed
conversion leaves nothing at ``path``.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import tempfile
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["QUANTIZE_MODES", "TFLiteExport", "to_tflite", "run_tflite"]

QUANTIZE_MODES = ("none", "float16", "dynamic", "int8")


@dataclasses.dataclass(frozen=True)
class TFLiteExport:
    """What :func:`to_tflite` wrote."""

    path: str
    quantize: str
    size_bytes: int
    input_dtype: str
    output_dtype: str
    input_shape: tuple
    calibration_batches: int = 0


def _check_quantize(quantize: Any) -> str:
    if quantize is None:
        return "none"
    if not isinstance(quantize, str) or quantize not in QUANTIZE_MODES:
        raise ValueError(
            f"quantize must be one of {', '.join(QUANTIZE_MODES)}. "
            f"Received: quantize={quantize!r}.")
    return quantize


def _logits_model(model):
    """``model`` with one ``[N, classes]``-or-image output (the first)."""
    import keras

    outputs = model.outputs if hasattr(model, "outputs") else None
    if not outputs:
        raise ValueError(
            "to_tflite needs a built functional or Sequential Keras model "
            f"(with .inputs/.outputs); received {type(model).__name__}.")
    if len(model.inputs) != 1:
        raise ValueError(
            "to_tflite exports single-input models; this one has "
            f"{len(model.inputs)} inputs.")
    first = outputs[0]
    if len(outputs) == 1:
        return model
    return keras.Model(model.inputs, first, name=model.name)


def _representative(data: Iterable, steps: int):
    """A TFLite representative-dataset generator over ``steps`` batches."""
    count = {"batches": 0}

    def gen():
        for batch in itertools.islice(iter(data), steps):
            images = batch[0] if isinstance(batch, (tuple, list)) else batch
            images = np.asarray(images, dtype=np.float32)
            if images.ndim == 3:
                images = images[None]
            for i in range(images.shape[0]):
                count["batches"] += 1
                yield [images[i:i + 1]]

    return gen, count


def to_tflite(
    model,
    path: str,
    quantize: str = "none",
    representative_data: Iterable | None = None,
    representative_steps: int = 100,
) -> TFLiteExport:
    """Converts a Keras model to a ``.tflite`` file at ``path``.

    Args:
        model: a functional/Sequential model with one input; a model with
            several outputs (``[logits, end_points]``) exports the first.
        quantize: one of :data:`QUANTIZE_MODES`.
        representative_data: for ``'int8'``: an iterable of image batches
            (or ``(images, labels)`` pairs, e.g. a ``tf.data.Dataset`` from
            ``slimkeras.data.make_batches`` with the net's eval
            preprocessing).
        representative_steps: at most this many batches are used.

    Returns:
        A :class:`TFLiteExport`.

    Raises:
        ValueError: unknown ``quantize``, int8 without data, a model the
            converter cannot take. Nothing is written then.
    """
    import tensorflow as tf

    quantize = _check_quantize(quantize)
    if int(representative_steps) < 1:
        raise ValueError("representative_steps must be >= 1. Received: "
                         f"{representative_steps!r}.")
    if quantize == "int8" and representative_data is None:
        raise ValueError(
            "quantize='int8' is full-integer quantization and needs "
            "calibration images (representative_data=, or the CLI's "
            "--representative_dataset_dir / --dataset_name + "
            "--dataset_dir); use quantize='dynamic' for int8 weights "
            "without data.")
    net = _logits_model(model)
    with tempfile.TemporaryDirectory(prefix="slimkeras-tflite-") as saved:
        _export_inference(net, saved)
        return _convert(tf.lite.TFLiteConverter.from_saved_model(saved),
                        path, quantize, representative_data,
                        int(representative_steps))


def _export_inference(net, directory: str) -> None:
    """What ``TFLiteConverter.from_keras_model`` does for a Keras 3 model
    (``__call__`` with ``training=False`` as the ``serve`` endpoint), but
    quiet: it would print Keras's "Saved artifact" listing."""
    import keras
    import tensorflow as tf

    archive = keras.export.ExportArchive()
    archive.track(net)
    signature = [tf.TensorSpec(x.shape, dtype=x.dtype, name=x.name)
                 for x in net.inputs]
    archive.add_endpoint("serve", lambda x: net(x, training=False),
                         signature)
    archive.write_out(directory, verbose=False)


def _convert(converter, path: str, quantize: str, representative_data,
             representative_steps: int) -> TFLiteExport:
    import tensorflow as tf

    count = {"batches": 0}
    if quantize == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantize == "int8":
        gen, count = _representative(representative_data,
                                     representative_steps)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = gen
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    content = converter.convert()
    if quantize == "int8" and count["batches"] == 0:
        raise ValueError("representative_data yielded no images: int8 "
                         "calibration needs at least one batch.")
    out_dir = os.path.dirname(os.path.abspath(path))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tflite-", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    interpreter = tf.lite.Interpreter(model_content=content)
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    return TFLiteExport(
        path=path, quantize=quantize, size_bytes=len(content),
        input_dtype=np.dtype(inp["dtype"]).name,
        output_dtype=np.dtype(out["dtype"]).name,
        input_shape=tuple(int(d) for d in inp["shape"]),
        calibration_batches=count["batches"])


def run_tflite(path: str, images: np.ndarray, dequantize: bool = True):
    """Runs a ``.tflite`` file on ``images`` one image at a time.

    int8 inputs are quantized with the file's input scale/zero point and
    int8 outputs dequantized (``dequantize=True``), so every mode returns
    float outputs comparable with the Keras model's.
    """
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=path)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    results = []
    for image in np.asarray(images, dtype=np.float32):
        x = image[None]
        if inp["dtype"] != np.float32:
            scale, zero = inp["quantization"]
            info = np.iinfo(inp["dtype"])
            x = np.clip(np.round(x / scale + zero), info.min, info.max)
            x = x.astype(inp["dtype"])
        interpreter.set_tensor(inp["index"], x)
        interpreter.invoke()
        y = interpreter.get_tensor(out["index"])
        if dequantize and out["dtype"] != np.float32:
            scale, zero = out["quantization"]
            y = (y.astype(np.float32) - zero) * scale
        results.append(y[0])
    return np.stack(results)
