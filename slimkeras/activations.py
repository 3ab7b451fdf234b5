"""Activation functions by name, so layers can keep them in ``get_config``.

Slim code passes callables (``tf.nn.relu``); Keras configs need something
serializable. Known callables are stored by name; others go through
``keras.saving.serialize_keras_object``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

__all__ = ["get", "serialize", "relu", "relu6", "elu", "linear"]


def relu(x):
    """``max(x, 0)``."""
    return keras.ops.relu(x)


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return keras.ops.relu6(x)


def elu(x):
    """Exponential linear unit."""
    return keras.ops.elu(x)


def linear(x):
    """Identity (slim's ``linear``)."""
    return x


_BY_NAME: dict[str, Callable] = {
    "relu": relu,
    "relu6": relu6,
    "elu": elu,
    "linear": linear,
    "identity": linear,
    "sigmoid": keras.ops.sigmoid,
    "tanh": keras.ops.tanh,
    "softmax": keras.ops.softmax,
    "selu": keras.ops.selu,
    "softplus": keras.ops.softplus,
    "swish": keras.ops.silu,
    "silu": keras.ops.silu,
    "leaky_relu": keras.ops.leaky_relu,
    "gelu": keras.ops.gelu,
}


def _name_of(fn: Callable) -> str | None:
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", "") or ""
    if name is None:
        return None
    name = name.lower()
    # tf.nn.relu and friends live in generated TF modules; Keras's in
    # keras.src.activations; ours here. Same arithmetic, same name.
    trusted = ("tensorflow", "keras", "slimkeras", "tf_slim")
    if name in _BY_NAME and module.startswith(trusted):
        return name
    return None


def serialize(fn: Callable | None) -> Any:
    """A config value for ``fn`` (a name where possible)."""
    if fn is None:
        return None
    if isinstance(fn, str):
        get(fn)  # validates
        return fn
    name = _name_of(fn)
    if name is not None:
        return name
    return keras.saving.serialize_keras_object(fn)


def get(identifier: Any) -> Callable | None:
    """The callable for a config value or callable; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown activation_fn {identifier!r}. Known names: "
                f"{', '.join(sorted(_BY_NAME))}, or pass a callable."
            )
        return _BY_NAME[identifier]
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        "activation_fn must be a callable, a name or None. Received: "
        f"{identifier!r} of type {type(identifier).__name__}."
    )
