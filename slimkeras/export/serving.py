"""Servable SavedModels: signatures a model server can call.

``export_saved_model(model, export_dir, ...)`` writes a SavedModel (load
it with ``tf.saved_model.load`` or serve it with TF Serving) whose
signatures return ``predictions`` (softmax, ``[N, classes]``) and
``classes`` (int64 top-1), computed from the model's logits:

* ``serving_default``: float images ``[N, H, W, C]``, already
  preprocessed the way the net expects.
* with ``include_preprocessing=True`` also
  ``serving_uint8``: raw ``uint8`` images ``[N, H', W', C]`` of any size,
  and ``serving_jpeg``: encoded JPEG/PNG bytes ``[N]`` — each image runs
  through the net's research/slim eval preprocessing
  (``get_preprocessing(name, is_training=False)``) inside the graph.

Written into a temporary directory and renamed into place: a failed export
leaves nothing at ``export_dir``.
"""

from __future__ import annotations

import os
import shutil
import tempfile

__all__ = ["export_saved_model"]


def _first(outputs):
    if isinstance(outputs, dict):
        raise ValueError("export_saved_model needs a model whose first "
                         "output is the logits; got a dict output.")
    if isinstance(outputs, (list, tuple)):
        return outputs[0]
    return outputs


def export_saved_model(
    model,
    export_dir: str,
    preprocessing_name: str | None = None,
    include_preprocessing: bool = False,
    labels_offset: int = 0,
) -> dict:
    """Writes ``model`` as a servable SavedModel; returns its signatures.

    Args:
        model: a built Keras model with one image input; its first output
            is the logits (``[N, classes]`` or ``[N, 1, 1, classes]``).
        preprocessing_name: research/slim preprocessing (``'inception'``,
            ``'vgg'``, a net name …) for the uint8/JPEG signatures.
        include_preprocessing: add ``serving_uint8`` and ``serving_jpeg``.
        labels_offset: added to ``classes`` (research/slim's flag: a
            1000-class model served against 1001-class label ids).

    Returns:
        ``{signature name: input spec}``.
    """
    import tensorflow as tf

    height, width, channels = _image_shape(model)
    heads = _heads_fn(model, int(labels_offset))
    module = tf.Module()
    module.model = model
    float_spec = tf.TensorSpec([None, height, width, channels], tf.float32,
                               name="images")
    module.serve_float = tf.function(heads, input_signature=[float_spec])
    signatures = {"serving_default": module.serve_float}
    if include_preprocessing:
        if not preprocessing_name:
            raise ValueError("include_preprocessing=True needs the net's "
                             "preprocessing_name (e.g. 'inception').")
        _add_preprocessing_signatures(module, signatures, heads,
                                      preprocessing_name, height, width,
                                      channels)
    _save_atomically(module, signatures, export_dir)
    return {name: fn.input_signature[0] for name, fn in signatures.items()}


def _image_shape(model) -> tuple[int, int, int]:
    """``(height, width, channels)`` of the model's one static image
    input."""
    if not getattr(model, "inputs", None) or len(model.inputs) != 1:
        raise ValueError("export_saved_model needs a built Keras model with "
                         "exactly one image input.")
    shape = tuple(model.inputs[0].shape)
    if len(shape) != 4 or None in shape[1:]:
        raise ValueError("export_saved_model needs a static image input "
                         f"shape [N, H, W, C]; the model has {shape}.")
    height, width, channels = (int(d) for d in shape[1:])
    return height, width, channels


def _heads_fn(model, offset: int):
    """``images -> {'predictions': softmax, 'classes': argmax + offset}``."""
    import tensorflow as tf

    def heads(images):
        logits = _first(model(images, training=False))
        logits = tf.reshape(tf.cast(logits, tf.float32),
                            [tf.shape(logits)[0], -1])
        return {
            "predictions": tf.nn.softmax(logits),
            "classes": tf.argmax(logits, axis=-1) + offset,
        }

    return heads


def _add_preprocessing_signatures(module, signatures: dict, heads,
                                  preprocessing_name: str, height: int,
                                  width: int, channels: int) -> None:
    """Adds ``serving_uint8`` and ``serving_jpeg``: the net's eval
    preprocessing, then ``heads``."""
    import tensorflow as tf

    from slimkeras.preprocessing import preprocessing_factory

    prep = preprocessing_factory.get_preprocessing(
        preprocessing_name, is_training=False)

    def prep_one(image):
        if channels == 3 and image.shape[-1] == 1:
            image = tf.image.grayscale_to_rgb(image)
        out = prep(image, height, width)
        return tf.ensure_shape(tf.cast(out, tf.float32),
                               [height, width, channels])

    def serve_uint8(images):
        batch = tf.map_fn(prep_one, images,
                          fn_output_signature=tf.float32)
        return heads(batch)

    def serve_jpeg(encoded):
        def decode(data):
            image = tf.io.decode_image(data, channels=channels,
                                       expand_animations=False)
            image.set_shape([None, None, channels])
            return prep_one(image)

        batch = tf.map_fn(decode, encoded,
                          fn_output_signature=tf.float32)
        return heads(batch)

    module.serve_uint8 = tf.function(serve_uint8, input_signature=[
        tf.TensorSpec([None, None, None, channels], tf.uint8,
                      name="images")])
    module.serve_jpeg = tf.function(serve_jpeg, input_signature=[
        tf.TensorSpec([None], tf.string, name="image_bytes")])
    signatures["serving_uint8"] = module.serve_uint8
    signatures["serving_jpeg"] = module.serve_jpeg


def _save_atomically(module, signatures: dict, export_dir: str) -> None:
    """Saves into a temporary sibling directory, then renames it to
    ``export_dir`` (which must be absent or empty)."""
    import tensorflow as tf

    parent = os.path.dirname(os.path.abspath(export_dir)) or "."
    os.makedirs(parent, exist_ok=True)
    if os.path.exists(export_dir) and os.listdir(export_dir):
        raise ValueError(f"export_dir {export_dir!r} exists and is not "
                         "empty; choose a new directory.")
    tmp = tempfile.mkdtemp(prefix=".saved_model-", dir=parent)
    try:
        tf.saved_model.save(module, tmp, signatures=signatures)
        if os.path.exists(export_dir):
            os.rmdir(export_dir)
        os.replace(tmp, export_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
