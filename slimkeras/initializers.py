"""Slim-named initializer factories, returning Keras initializers.

``xavier_initializer`` and ``variance_scaling_initializer`` keep slim's
arguments (``factor``, ``mode='FAN_IN'|'FAN_OUT'|'FAN_AVG'``, ``uniform``)
and map onto ``keras.initializers.VarianceScaling`` with the same variance.
"""

from __future__ import annotations

from typing import Any

import keras

__all__ = [
    "xavier_initializer",
    "xavier_initializer_conv2d",
    "variance_scaling_initializer",
    "zeros_initializer",
    "ones_initializer",
    "constant_initializer",
    "truncated_normal_initializer",
    "get",
    "serialize",
]

_MODES = {"FAN_IN": "fan_in", "FAN_OUT": "fan_out", "FAN_AVG": "fan_avg"}


def variance_scaling_initializer(
    factor: float = 2.0,
    mode: str = "FAN_IN",
    uniform: bool = False,
    seed: int | None = None,
    dtype: Any = None,
) -> keras.initializers.Initializer:
    """He-style initializer with slim's arguments (default: He normal)."""
    del dtype
    if mode not in _MODES:
        raise TypeError(
            f"variance_scaling_initializer: mode must be one of "
            f"{sorted(_MODES)}. Received: mode={mode!r}."
        )
    return keras.initializers.VarianceScaling(
        scale=float(factor),
        mode=_MODES[mode],
        distribution="uniform" if uniform else "truncated_normal",
        seed=seed,
    )


def xavier_initializer(
    uniform: bool = True, seed: int | None = None, dtype: Any = None
) -> keras.initializers.Initializer:
    """Glorot initializer (uniform by default, as slim)."""
    return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed, dtype)


xavier_initializer_conv2d = xavier_initializer


def zeros_initializer() -> keras.initializers.Initializer:
    return keras.initializers.Zeros()


def ones_initializer() -> keras.initializers.Initializer:
    return keras.initializers.Ones()


def constant_initializer(value: float = 0.0) -> keras.initializers.Initializer:
    return keras.initializers.Constant(value)


def truncated_normal_initializer(
    mean: float = 0.0, stddev: float = 1.0, seed: int | None = None
) -> keras.initializers.Initializer:
    return keras.initializers.TruncatedNormal(mean, stddev, seed)


class _Callable(keras.initializers.Initializer):
    """Wraps a TF1-style ``init(shape, dtype=…)`` callable (not saved)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, shape, dtype=None):
        try:
            return self.fn(shape, dtype=dtype)
        except TypeError:
            return self.fn(shape)

    def get_config(self):
        raise NotImplementedError(
            f"Initializer {self.fn!r} is a plain callable and cannot be "
            "saved in a layer config; use a keras.initializers object."
        )


def get(identifier: Any) -> keras.initializers.Initializer | None:
    """A Keras initializer for a slim/TF/Keras initializer or config."""
    if identifier is None:
        return None
    if isinstance(identifier, keras.initializers.Initializer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return keras.initializers.get(identifier)
    if callable(identifier):
        return _Callable(identifier)
    raise TypeError(
        "Expected an initializer (keras initializer, name, config or "
        f"callable). Received: {identifier!r}."
    )


def fresh(init: Any) -> Any:
    """``init`` itself, or a copy of it where reusing it would repeat values.

    An unseeded Keras random initializer fixes a seed when it is made, so
    one instance shared by several layers (one ``arg_scope`` default, as in
    ``arg_scope([conv2d], weights_initializer=truncated_normal_initializer(
    0.1))``) would give every same-shaped variable identical values. TF1
    drew fresh values per variable there; a copy made from the config
    draws a new seed and does the same. A seeded initializer is kept, as
    TF1 kept an op seed (the same values each time).
    """
    if (isinstance(init, keras.initializers.Initializer)
            and getattr(init, "_init_seed", 0) is None):
        return type(init).from_config(init.get_config())
    return init


def serialize(init: Any) -> Any:
    if init is None:
        return None
    return keras.initializers.serialize(init)
