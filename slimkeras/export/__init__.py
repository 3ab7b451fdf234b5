"""Deployment exports: TFLite files and servable SavedModels.

* :func:`to_tflite` — ``.tflite`` in float32, float16, dynamic-range or
  full-integer int8 (calibrated on real preprocessed images);
  :func:`run_tflite` runs one in the TFLite interpreter.
* :func:`export_saved_model` — a SavedModel with ``serving_default``
  (float images) and, optionally, ``serving_uint8`` / ``serving_jpeg``
  signatures with the net's eval preprocessing inside the graph; outputs
  ``predictions`` and ``classes``.

Also ``python -m slimkeras export --tflite PATH --quantize MODE`` and
``--saved_model_dir DIR --include_preprocessing``.
"""

from slimkeras.export.serving import export_saved_model as export_saved_model
from slimkeras.export.tflite import QUANTIZE_MODES as QUANTIZE_MODES
from slimkeras.export.tflite import TFLiteExport as TFLiteExport
from slimkeras.export.tflite import run_tflite as run_tflite
from slimkeras.export.tflite import to_tflite as to_tflite

__all__ = [
    "QUANTIZE_MODES",
    "TFLiteExport",
    "export_saved_model",
    "run_tflite",
    "to_tflite",
]
