"""Regularizers with slim's arithmetic, as Keras regularizers.

``l2_regularizer(scale)(w) == scale * sum(w**2) / 2`` (``tf.nn.l2_loss``),
not Keras's ``l2 * sum(w**2)``. Because they are ``keras.regularizers``,
their penalties land in ``layer.losses`` and ``fit`` adds them (DESIGN §6).

Under a mixed precision policy a penalty is computed in float32 even when
the weight reaches it cast to float16/bfloat16.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import keras
from keras import ops

__all__ = [
    "l1_regularizer",
    "l2_regularizer",
    "l1_l2_regularizer",
    "sum_regularizer",
    "apply_regularization",
    "L1",
    "L2",
    "L1L2",
    "SumRegularizer",
    "get",
]


def _f32(w):
    """``w`` as a tensor; float16/bfloat16 cast to float32."""
    w = ops.convert_to_tensor(w)
    if keras.backend.standardize_dtype(w.dtype) in ("float16", "bfloat16"):
        return ops.cast(w, "float32")
    return w


def _check_scale(scale: Any, name: str) -> float:
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise ValueError(
            f"{name}: scale must be a number. Received: scale={scale!r}."
        )
    if scale < 0.0:
        raise ValueError(
            f"{name}: scale must be >= 0. Received: scale={scale!r}."
        )
    return float(scale)


@keras.saving.register_keras_serializable(package="slimkeras")
class L1(keras.regularizers.Regularizer):
    """``scale * sum(|w|)``."""

    def __init__(self, scale: float):
        self.scale = _check_scale(scale, "l1_regularizer")

    def __call__(self, w):
        return self.scale * ops.sum(ops.abs(_f32(w)))

    def get_config(self):
        return {"scale": self.scale}


@keras.saving.register_keras_serializable(package="slimkeras")
class L2(keras.regularizers.Regularizer):
    """``scale * sum(w**2) / 2`` (slim's ``l2_regularizer``)."""

    def __init__(self, scale: float):
        self.scale = _check_scale(scale, "l2_regularizer")

    def __call__(self, w):
        return self.scale * ops.sum(ops.square(_f32(w))) * 0.5

    def get_config(self):
        return {"scale": self.scale}


@keras.saving.register_keras_serializable(package="slimkeras")
class L1L2(keras.regularizers.Regularizer):
    """``L1(scale_l1) + L2(scale_l2)`` with slim's arithmetic."""

    def __init__(self, scale_l1: float = 1.0, scale_l2: float = 1.0):
        self.scale_l1 = _check_scale(scale_l1, "l1_l2_regularizer")
        self.scale_l2 = _check_scale(scale_l2, "l1_l2_regularizer")

    def __call__(self, w):
        return L1(self.scale_l1)(w) + L2(self.scale_l2)(w)

    def get_config(self):
        return {"scale_l1": self.scale_l1, "scale_l2": self.scale_l2}


@keras.saving.register_keras_serializable(package="slimkeras")
class SumRegularizer(keras.regularizers.Regularizer):
    """Sum of several regularizers."""

    def __init__(self, regularizer_list: Sequence[Any]):
        self.regularizer_list = [get(r) for r in regularizer_list]

    def __call__(self, w):
        terms = [r(w) for r in self.regularizer_list if r is not None]
        if not terms:
            return ops.convert_to_tensor(0.0)
        return sum(terms[1:], terms[0])

    def get_config(self):
        return {
            "regularizer_list": [
                keras.regularizers.serialize(r) for r in self.regularizer_list
            ]
        }


def l1_regularizer(scale: float, scope: str | None = None) -> Any:
    """slim ``l1_regularizer``; ``scale == 0`` gives ``None`` as in slim."""
    del scope
    scale = _check_scale(scale, "l1_regularizer")
    return None if scale == 0.0 else L1(scale)


def l2_regularizer(scale: float, scope: str | None = None) -> Any:
    """slim ``l2_regularizer``: ``scale * sum(w**2) / 2``."""
    del scope
    scale = _check_scale(scale, "l2_regularizer")
    return None if scale == 0.0 else L2(scale)


def l1_l2_regularizer(
    scale_l1: float = 1.0, scale_l2: float = 1.0, scope: str | None = None
) -> Any:
    del scope
    if scale_l1 == 0.0 and scale_l2 == 0.0:
        return None
    return L1L2(scale_l1, scale_l2)


def sum_regularizer(regularizer_list: Sequence[Any], scope: str | None = None):
    del scope
    regs = [r for r in regularizer_list if r is not None]
    return SumRegularizer(regs) if regs else None


def apply_regularization(
    regularizer: Callable, weights_list: Sequence[Any] | None = None
):
    """Sum of ``regularizer(w)`` over ``weights_list`` (a scalar tensor)."""
    if not weights_list:
        raise ValueError(
            "apply_regularization: weights_list is empty; pass the weights "
            "to regularize (e.g. model.trainable_weights)."
        )
    terms = [regularizer(w) for w in weights_list]
    return sum(terms[1:], terms[0])


def get(identifier: Any):
    if identifier is None:
        return None
    if isinstance(identifier, keras.regularizers.Regularizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return keras.regularizers.get(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Expected a regularizer or None. Received: {identifier!r}."
    )


def serialize(reg: Any) -> Any:
    if reg is None:
        return None
    if isinstance(reg, keras.regularizers.Regularizer):
        return keras.regularizers.serialize(reg)
    return keras.saving.serialize_keras_object(reg)
