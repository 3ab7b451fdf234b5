"""slim ``utils``: collections of named outputs and small shape helpers."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from slimkeras import naming

__all__ = [
    "collect_named_outputs",
    "convert_collection_to_dict",
    "append_tensor_alias",
    "last_dimension",
    "n_positive_integers",
    "two_element_tuple",
]


def collect_named_outputs(collections: Any, alias: str, outputs: Any):
    """Adds ``outputs`` under ``alias`` to the named collections; returns it."""
    naming.add_to_collection(collections, alias, outputs)
    return outputs


def append_tensor_alias(tensor: Any, alias: str):
    """No-op kept for compatibility (eager tensors carry no aliases)."""
    del alias
    return tensor


def convert_collection_to_dict(collection: str, clear_collection=False):
    """``OrderedDict(alias -> output)`` of a collection, in insertion order.

    A later entry with the same alias replaces the value but keeps the
    original position, as slim's dict conversion did.
    """
    del clear_collection
    out: OrderedDict = OrderedDict()
    for alias, value in naming.get_collection(collection):
        out[alias] = value
    return out


def last_dimension(shape, min_rank: int = 1) -> int:
    shape = tuple(shape)
    if len(shape) < min_rank:
        raise ValueError(
            f"rank of shape must be at least {min_rank}. Received: {shape}."
        )
    if shape[-1] is None:
        raise ValueError(f"last dimension must be known. Received: {shape}.")
    return int(shape[-1])


def n_positive_integers(n: int, value: Any) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * n
    value = tuple(value)
    if len(value) != n or any(
        not isinstance(v, int) or isinstance(v, bool) or v <= 0 for v in value
    ):
        raise ValueError(
            f"expected {n} positive integers. Received: {value!r}."
        )
    return value


def two_element_tuple(int_or_tuple: Any) -> tuple[int, int]:
    return n_positive_integers(2, int_or_tuple)  # type: ignore[return-value]
