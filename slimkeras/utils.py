"""slim ``utils``: collections of named outputs and small shape helpers."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from slimkeras import naming

__all__ = [
    "collect_named_outputs",
    "convert_collection_to_dict",
    "append_tensor_alias",
    "get_tensor_aliases",
    "last_dimension",
    "n_positive_integers",
    "two_element_tuple",
]


def collect_named_outputs(collections: Any, alias: str, outputs: Any):
    """Adds ``outputs`` under ``alias`` to the named collections; returns it.

    As tf_slim's: ``collections`` None or empty skips collecting; otherwise
    ``alias`` (a trailing ``/`` dropped) is appended to ``outputs.aliases``
    and the output joins each collection — inside
    :func:`slimkeras.naming.collect_outputs` that block's, otherwise the
    current name registry's (TF1's graph collections: one per model
    build, see :mod:`slimkeras.naming`). Read them back with
    :func:`convert_collection_to_dict`.
    """
    naming.add_to_collection(collections, alias, outputs)
    return outputs


def append_tensor_alias(tensor: Any, alias: str):
    """Appends ``alias`` (trailing ``/`` dropped) to ``tensor.aliases``.

    Eager tensors and symbolic ``KerasTensor`` s accept the attribute;
    for an object that refuses attributes this does nothing.
    """
    alias = str(alias).removesuffix("/")
    naming.append_alias(tensor, alias)
    return tensor


def get_tensor_aliases(tensor: Any) -> list:
    """``tensor.aliases``, or ``[tensor.name]`` (without ``:0``) if none."""
    aliases = getattr(tensor, "aliases", None)
    if isinstance(aliases, list):
        return aliases
    name = str(getattr(tensor, "name", ""))
    return [name.removesuffix(":0")]


def convert_collection_to_dict(collection: str, clear_collection=False):
    """``OrderedDict(alias -> output)`` of a collection, in insertion order.

    Each entry gives one key per alias of its output (``output.aliases``,
    as tf_slim); a later entry with the same alias replaces the value but
    keeps the original position, as slim's dict conversion did.
    ``clear_collection=True`` empties the collection afterwards.
    """
    out: OrderedDict = OrderedDict()
    for alias, value in naming.get_collection(collection):
        # tf_slim keys every alias the output carries (also those added
        # through other collections); objects without ``aliases``: theirs.
        aliases = getattr(value, "aliases", None)
        if not isinstance(aliases, list) or alias not in aliases:
            aliases = [alias]
        for a in aliases:
            out[a] = value
    if clear_collection:
        naming.clear_collection(collection)
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
