"""Helpers shared by the zoo nets (not part of slim's public API).

- ``validate_num_classes`` / ``logits_classes``: the two questions nets
  ask of ``num_classes`` (is it valid? how many logits, None for none?).
- ``softmax`` and ``predictions``: slim's default ``prediction_fn`` and the
  one way nets call a ``prediction_fn`` (with ``scope=`` where it takes
  one, so ``keras.ops.softmax`` works as well as slim's ``softmax``).
- ``variant``: the signature of a net with some defaults changed, for a
  registered entrypoint that fixes them (``mobilenet_v1_075``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from keras import ops

__all__ = [
    "validate_num_classes",
    "logits_classes",
    "softmax",
    "predictions",
    "variant",
]


def validate_num_classes(num_classes: Any) -> None:
    """Raises unless ``num_classes`` is None, 0 or a positive int.

    Raises:
        ValueError: a negative, bool or non-int ``num_classes``.
    """
    if num_classes is None:
        return
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or (
            num_classes < 0):
        raise ValueError(
            "`num_classes` must be a positive int, or 0/None for features "
            f"only. Received: num_classes={num_classes!r}.")


def logits_classes(num_classes: Any) -> int | None:
    """The logits size ``num_classes`` asks for: None for no logits layer
    (None or research/slim's falsy 0), else the positive int.

    Raises:
        ValueError: as :func:`validate_num_classes`.
    """
    validate_num_classes(num_classes)
    return num_classes or None


def softmax(logits, scope: str | None = None):
    """slim ``softmax``: softmax over the last axis (``scope`` unused)."""
    del scope
    return ops.softmax(logits, axis=-1)


def _takes_scope(fn: Callable) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "scope" in params or any(
        p.kind is p.VAR_KEYWORD for p in params.values())


def predictions(prediction_fn: Callable, logits, scope: str = "Predictions"):
    """``prediction_fn(logits, scope=scope)`` as slim called it; callables
    without a ``scope`` argument (``keras.ops.softmax``) get the logits
    only."""
    if _takes_scope(prediction_fn):
        return prediction_fn(logits, scope=scope)
    return prediction_fn(logits)


class _OwnDefault:
    """A signature default too large to print (a ``conv_defs`` table)."""

    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"<{self._name}'s own>"


def _shown(value: Any, owner: str) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return _OwnDefault(owner)


def variant(base: Callable, **defaults: Any) -> Callable:
    """Decorator for an entrypoint that calls ``base`` with ``defaults``
    (overridable): it gets ``base``'s signature with those defaults (large
    ones, such as a ``conv_defs`` table, shown as ``<name's own>``), and a
    docstring saying so when it has none."""
    sig = inspect.signature(base)

    def decorate(fn: Callable) -> Callable:
        params = [p.replace(default=_shown(defaults[p.name], fn.__name__))
                  if p.name in defaults else p
                  for p in sig.parameters.values()]
        fn.__signature__ = sig.replace(parameters=params)
        if not fn.__doc__:
            fixed = ", ".join(
                f"{k}={v!r}" if isinstance(v, (bool, int, float, str))
                else f"its own ``{k}``" for k, v in defaults.items())
            fn.__doc__ = (f":func:`{base.__name__}` with {fixed}; "
                          "arguments and returns as there.")
        return fn

    return decorate
