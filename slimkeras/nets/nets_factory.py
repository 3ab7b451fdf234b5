"""research/slim's ``nets_factory``: a net function by name.

``get_network_fn(name, num_classes, weight_decay, is_training)`` returns
``network_fn(images, **kwargs) -> (logits, end_points)`` that builds the
net inside its ``<net>_arg_scope(weight_decay=...)``, with
``network_fn.default_image_size``. ``nets_map`` and ``arg_scopes_map``
are views of the registry (:mod:`slimkeras.nets.registry`), so every
registered net is available here.

Usage::

    from slimkeras.nets import nets_factory

    network_fn = nets_factory.get_network_fn('vgg_16', num_classes=5)
    size = network_fn.default_image_size
    logits, end_points = network_fn(keras.Input((size, size, 3)))
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from slimkeras import scopes
from slimkeras.nets import registry

__all__ = ["get_network_fn", "nets_map", "arg_scopes_map"]


class _RegistryView(Mapping):
    """Read-only ``{name: attribute of the NetSpec}`` over the registry."""

    def __init__(self, attr: str):
        self._attr = attr

    def __getitem__(self, name: str) -> Callable:
        return getattr(registry.get_net(name), self._attr)

    def __iter__(self) -> Iterator[str]:
        return iter(registry.list_nets())

    def __len__(self) -> int:
        return len(registry.list_nets())

    def __repr__(self) -> str:
        return f"{{{', '.join(repr(n) for n in self)}: …}}"


nets_map: Mapping = _RegistryView("fn")
"""``{name: net function}`` (research/slim's ``nets_map``)."""

arg_scopes_map: Mapping = _RegistryView("arg_scope")
"""``{name: <net>_arg_scope factory}`` (research/slim's ``arg_scopes_map``)."""


def get_network_fn(
    name: str,
    num_classes: int | None,
    weight_decay: float = 0.0,
    is_training: bool | None = None,
) -> Callable[..., Any]:
    """A function ``images -> (logits, end_points)`` for net ``name``.

    Args:
        name: a registered net (``slimkeras.nets.list_nets()``).
        num_classes: logits size; 0 or None for features only (where the
            net supports it).
        weight_decay: L2 coefficient passed to the net's arg_scope.
        is_training: None (default) follows Keras's ``training`` flag;
            True/False pins dropout/batch-norm behaviour.

    Returns:
        ``network_fn(images, **kwargs)``; ``kwargs`` go to the net
        function (``spatial_squeeze``, ``global_pool`` …). It has
        ``default_image_size`` when the net has one.

    Raises:
        ValueError: unknown ``name`` (the message lists the known nets).
    """
    spec = registry.get_net(name)
    func = spec.fn
    sc = spec.arg_scope(weight_decay=weight_decay)

    @functools.wraps(func)
    def network_fn(images, **kwargs):
        with scopes.arg_scope(sc):
            return func(images, num_classes=num_classes,
                        is_training=is_training, **kwargs)

    network_fn.default_image_size = getattr(
        func, "default_image_size", spec.default_image_size)
    return network_fn
