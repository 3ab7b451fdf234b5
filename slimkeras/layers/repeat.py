"""slim ``repeat`` and ``stack``: one op applied several times, scoped.

``repeat(net, 2, slim.conv2d, 64, [3, 3], scope='conv1')`` creates
``conv1/conv1_1`` and ``conv1/conv1_2``; without ``scope`` the outer
scope is ``Repeat`` (made unique) and the children are named after the
op (``convolution2d_1`` …), as in slim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from slimkeras import naming

__all__ = ["repeat", "stack"]


def _op_name(layer: Callable, fallback: str) -> str:
    name = getattr(layer, "__name__", None)
    if name is None:
        name = getattr(getattr(layer, "func", None), "__name__", None)
    return name or fallback


def repeat(inputs, repetitions: int, layer: Callable, *args, **kwargs):
    """Applies ``layer(net, *args, **kwargs)`` ``repetitions`` times.

    Raises:
        ValueError: ``repetitions`` is not a positive int.
    """
    if (
        isinstance(repetitions, bool)
        or not isinstance(repetitions, int)
        or repetitions <= 0
    ):
        raise ValueError(
            "repeat: `repetitions` must be a positive int. "
            f"Received: repetitions={repetitions!r}."
        )
    if not callable(layer):
        raise TypeError(
            f"repeat: `layer` must be callable. Received {layer!r}.")
    scope = kwargs.pop("scope", None)
    with naming.variable_scope(scope, "Repeat"):
        base = scope if scope is not None else _op_name(layer, "repeat")
        outputs = inputs
        for i in range(repetitions):
            kwargs["scope"] = f"{base}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
    return outputs


def stack(inputs, layer: Callable, stack_args: Sequence[Any], **kwargs):
    """Applies ``layer`` once per entry of ``stack_args`` (its positionals).

    ``stack(x, slim.fully_connected, [32, 64], scope='fc')`` creates
    ``fc/fc_1`` (32 units) and ``fc/fc_2`` (64 units).

    Raises:
        ValueError: ``stack_args`` is not a list or tuple.
    """
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError(
            "stack: `stack_args` must be a list or tuple. "
            f"Received: stack_args={stack_args!r}."
        )
    scope = kwargs.pop("scope", None)
    with naming.variable_scope(scope, "Stack"):
        base = scope if scope is not None else _op_name(layer, "stack")
        outputs = inputs
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = f"{base}_{i + 1}"
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
    return outputs
