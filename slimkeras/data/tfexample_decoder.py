"""Decoding ``tf.train.Example`` records into named items (slim's decoder).

``TFExampleDecoder(keys_to_features, items_to_handlers)`` parses one
serialized example and lets each :class:`ItemHandler` turn the parsed
features into an item (``image``, ``label``, ``object/bbox`` …). Use it in
a ``tf.data`` map: ``dataset.map(lambda r: decoder.decode(r, ['image',
'label']))``. Data-pipeline code: TensorFlow ops by design (DESIGN §1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

__all__ = [
    "ItemHandler", "ItemHandlerCallback", "Tensor", "LookupTensor",
    "BackupHandler", "SparseTensor", "Image", "BoundingBox",
    "TFExampleDecoder",
]


class ItemHandler:
    """Turns the parsed features named ``keys`` into one item."""

    def __init__(self, keys: str | Sequence[str]):
        self.keys = [keys] if isinstance(keys, str) else list(keys)

    def tensors_to_item(self, keys_to_tensors: dict) -> Any:
        raise NotImplementedError


class ItemHandlerCallback(ItemHandler):
    """An item computed by ``func(keys_to_tensors)``."""

    def __init__(self, keys, func: Callable[[dict], Any]):
        super().__init__(keys)
        if not callable(func):
            raise TypeError(f"ItemHandlerCallback: func must be callable. "
                            f"Received: {func!r}.")
        self._func = func

    def tensors_to_item(self, keys_to_tensors):
        return self._func(keys_to_tensors)


def _dense(t, default=0):
    if isinstance(t, tf.SparseTensor):
        return tf.sparse.to_dense(t, default)
    return t


class Tensor(ItemHandler):
    """A parsed feature, optionally reshaped by ``shape`` or ``shape_keys``."""

    def __init__(self, tensor_key, shape_keys=None, shape=None,
                 default_value=0):
        if shape_keys and shape is not None:
            raise ValueError("Tensor: pass shape_keys or shape, not both. "
                             f"Received shape_keys={shape_keys!r}, "
                             f"shape={shape!r}.")
        if shape_keys and not isinstance(shape_keys, (list, tuple)):
            shape_keys = [shape_keys]
        self._tensor_key = tensor_key
        self._shape_keys = list(shape_keys or [])
        self._shape = shape
        self._default_value = default_value
        super().__init__([tensor_key] + self._shape_keys)

    def tensors_to_item(self, keys_to_tensors):
        tensor = keys_to_tensors[self._tensor_key]
        shape = self._shape
        if self._shape_keys:
            dims = [tf.reshape(_dense(keys_to_tensors[k]), [-1])
                    for k in self._shape_keys]
            shape = tf.concat(dims, 0)
        if isinstance(tensor, tf.SparseTensor):
            if shape is not None:
                tensor = tf.sparse.reshape(tensor, shape)
            return tf.sparse.to_dense(tensor, self._default_value)
        return tensor if shape is None else tf.reshape(tensor, shape)


class LookupTensor(Tensor):
    """A :class:`Tensor` mapped through a ``tf.lookup`` table."""

    def __init__(self, tensor_key, table, shape_keys=None, shape=None,
                 default_value=""):
        super().__init__(tensor_key, shape_keys, shape, default_value)
        self._table = table

    def tensors_to_item(self, keys_to_tensors):
        return self._table.lookup(super().tensors_to_item(keys_to_tensors))


class BackupHandler(ItemHandler):
    """``handler``'s item, or ``backup``'s when that item is empty."""

    def __init__(self, handler: ItemHandler, backup: ItemHandler):
        for what, h in (("handler", handler), ("backup", backup)):
            if not isinstance(h, ItemHandler):
                raise ValueError(f"BackupHandler: {what} must be an "
                                 f"ItemHandler. Received: {type(h).__name__}.")
        self._handler, self._backup = handler, backup
        super().__init__(handler.keys + backup.keys)

    def tensors_to_item(self, keys_to_tensors):
        item = self._handler.tensors_to_item(keys_to_tensors)
        return tf.cond(tf.equal(tf.size(item), 0),
                       lambda: self._backup.tensors_to_item(keys_to_tensors),
                       lambda: item)


class SparseTensor(ItemHandler):
    """A SparseTensor from ``indices``/``values`` features (densify opt.)."""

    def __init__(self, indices_key=None, values_key=None, shape_key=None,
                 shape=None, densify=False, default_value=0):
        self._indices_key = indices_key or "indices"
        self._values_key = values_key or "values"
        self._shape_key = shape_key
        self._shape = shape
        self._densify = densify
        self._default_value = default_value
        keys = [self._indices_key, self._values_key]
        if shape_key:
            keys.append(shape_key)
        super().__init__(keys)

    def tensors_to_item(self, keys_to_tensors):
        indices = keys_to_tensors[self._indices_key]
        values = keys_to_tensors[self._values_key]
        if self._shape_key:
            shape = tf.cast(_dense(keys_to_tensors[self._shape_key]),
                            tf.int64)
        elif self._shape is not None:
            shape = tf.constant(self._shape, tf.int64)
        else:
            shape = indices.dense_shape
        rank = tf.shape(indices.indices)[1]
        keep = indices.indices[:, : rank - 1]
        ids = tf.reshape(tf.cast(indices.values, tf.int64), [-1, 1])
        tensor = tf.SparseTensor(tf.concat([keep, ids], 1), values.values,
                                 shape)
        if self._densify:
            return tf.sparse.to_dense(tensor, self._default_value)
        return tensor


class Image(ItemHandler):
    """Decodes ``image/encoded`` by ``image/format`` (png/jpeg/raw)."""

    def __init__(self, image_key=None, format_key=None, shape=None,
                 channels=3, dtype=tf.uint8, repeated=False, dct_method=""):
        self._image_key = image_key or "image/encoded"
        self._format_key = format_key or "image/format"
        super().__init__([self._image_key, self._format_key])
        self._shape = shape
        self._channels = channels
        self._dtype = tf.as_dtype(dtype)
        self._repeated = repeated
        self._dct_method = dct_method

    def _decode(self, data, fmt):
        def raw():
            return tf.io.decode_raw(data, self._dtype)

        def image():
            return tf.io.decode_image(data, channels=self._channels,
                                      dtype=self._dtype,
                                      expand_animations=False)

        is_raw = tf.logical_or(tf.equal(fmt, "raw"), tf.equal(fmt, "RAW"))
        if self._shape is not None:
            out = tf.cond(is_raw, lambda: tf.reshape(raw(), self._shape),
                          lambda: tf.reshape(image(), self._shape))
            return out
        out = tf.cond(is_raw, lambda: tf.reshape(
            raw(), [-1, 1, self._channels]), image)
        out.set_shape([None, None, self._channels])
        return out

    def tensors_to_item(self, keys_to_tensors):
        data = _dense(keys_to_tensors[self._image_key], "")
        fmt = _dense(keys_to_tensors[self._format_key], "")
        if self._repeated:
            return tf.map_fn(lambda d: self._decode(d, fmt), data,
                             fn_output_signature=self._dtype)
        return self._decode(data, fmt)


class BoundingBox(ItemHandler):
    """``[num_boxes, 4]`` boxes (ymin, xmin, ymax, xmax) from 4 features."""

    def __init__(self, keys=None, prefix=""):
        keys = keys or ["ymin", "xmin", "ymax", "xmax"]
        if len(keys) != 4:
            raise ValueError(f"BoundingBox expects 4 keys. Received: {keys!r}.")
        self._full_keys = [prefix + k for k in keys]
        super().__init__(self._full_keys)

    def tensors_to_item(self, keys_to_tensors):
        sides = []
        for key in self._full_keys:
            side = keys_to_tensors[key]
            if isinstance(side, tf.SparseTensor):
                side = side.values
            sides.append(side)
        return tf.stack(sides, axis=1)


class TFExampleDecoder:
    """Decodes serialized ``tf.train.Example``s into named items.

    Args:
        keys_to_features: ``{feature key: tf.io.FixedLenFeature /
            VarLenFeature …}``.
        items_to_handlers: ``{item name: ItemHandler}``.
    """

    def __init__(self, keys_to_features: dict, items_to_handlers: dict):
        missing = sorted({k for h in items_to_handlers.values()
                          for k in h.keys} - set(keys_to_features))
        if missing:
            raise ValueError(
                "TFExampleDecoder: handlers read features not in "
                f"keys_to_features: {missing}."
            )
        self._keys_to_features = keys_to_features
        self._items_to_handlers = items_to_handlers

    def list_items(self) -> list[str]:
        return list(self._items_to_handlers)

    def decode(self, serialized_example, items: Sequence[str] | None = None):
        """Returns the decoded items, in the order of ``items``."""
        items = self.list_items() if items is None else list(items)
        unknown = [i for i in items if i not in self._items_to_handlers]
        if unknown:
            raise ValueError(
                f"TFExampleDecoder: unknown item(s) {unknown}. Items: "
                f"{self.list_items()}."
            )
        parsed = tf.io.parse_single_example(serialized_example,
                                            self._keys_to_features)
        out = []
        for item in items:
            handler = self._items_to_handlers[item]
            out.append(handler.tensors_to_item(
                {k: parsed[k] for k in handler.keys}))
        return out
