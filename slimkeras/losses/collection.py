"""Eager loss collection: slim's ``LOSSES`` graph collection, per context.

Slim counterpart: ``tf_slim.losses.add_loss``, ``get_losses``,
``get_regularization_losses`` and ``get_total_loss``, which read graph
collections. There is no graph in eager code, so losses go to the active
``LossCollector``: a context manager whose state lives in a
``contextvars.ContextVar``. Each thread and each asyncio task sees only the
collector it entered (a thread starts with none; a task starts with its
creator's, until it enters its own), so nothing leaks between models,
threads or tasks.

Regularization losses are not collected: they are Keras's ``model.losses``
(DESIGN.md §6), the same list ``fit`` adds to its loss, so
``get_total_loss(model=m)`` equals what ``fit`` minimises for the same
batch. Example::

    with slim.losses.LossCollector(model) as c:
        logits = model(images, training=True)
        slim.losses.softmax_cross_entropy(logits, onehot_labels)
        total = slim.losses.get_total_loss()   # + sum(model.losses)
"""

from __future__ import annotations

import contextvars
import re
from typing import Any

from keras import ops

__all__ = [
    "LOSSES",
    "LossCollector",
    "add_loss",
    "current_collector",
    "get_losses",
    "get_regularization_losses",
    "get_total_loss",
]

LOSSES = "losses"

_ACTIVE: contextvars.ContextVar[LossCollector | None] = contextvars.ContextVar(
    "slimkeras_loss_collector", default=None)


class LossCollector:
    """Collects the losses that slim-style loss functions add, per context.

    Args:
        model: optional Keras model or layer (or a list of them) whose
            ``losses`` are the regularization losses of this collector.

    Entering the collector makes it the active one in the current context
    (nested collectors hide outer ones until they exit). Losses are kept as
    ``(collection, name, tensor)`` entries; ``clear()`` empties them (call it
    once per step when one collector spans a loop).
    """

    def __init__(self, model: Any = None):
        self._entries: list[tuple[str, str, Any]] = []
        self._models: list[Any] = []
        self._tokens: list[contextvars.Token] = []
        if model is not None:
            for m in model if isinstance(model, (list, tuple)) else [model]:
                self.watch(m)

    def __enter__(self) -> LossCollector:
        self._tokens.append(_ACTIVE.set(self))
        return self

    def __exit__(self, *exc) -> None:
        _ACTIVE.reset(self._tokens.pop())

    def watch(self, model_or_layer: Any) -> None:
        """Adds a model or layer whose ``losses`` are regularization losses."""
        if not hasattr(model_or_layer, "losses"):
            raise TypeError(
                "watch() expects a Keras model or layer. Received: "
                f"model_or_layer={model_or_layer!r}.")
        if all(m is not model_or_layer for m in self._models):
            self._models.append(model_or_layer)

    @property
    def models(self) -> list[Any]:
        return list(self._models)

    def add(self, loss, loss_collection: str = LOSSES, name: str = "loss"):
        self._entries.append((loss_collection, name, loss))

    def get(self, scope: str | None = None,
            loss_collection: str = LOSSES) -> list[Any]:
        return [t for c, n, t in self._entries if c == loss_collection
                and (scope is None or re.match(scope, n))]

    def clear(self) -> None:
        self._entries.clear()


def current_collector() -> LossCollector | None:
    """The collector active in this context, or ``None``."""
    return _ACTIVE.get()


def _require_collector(what: str) -> LossCollector:
    c = _ACTIVE.get()
    if c is None:
        raise RuntimeError(
            f"{what} needs an active loss collector in eager code: wrap the "
            "forward pass and the loss calls in "
            "`with slim.losses.LossCollector(model):`.")
    return c


def add_loss(loss, loss_collection: str | None = LOSSES,
             name: str = "loss") -> None:
    """Adds ``loss`` to the active collector (no-op without one).

    Args:
        loss: a loss tensor.
        loss_collection: collection name; ``None`` adds it nowhere.
        name: name recorded for ``get_losses(scope=...)`` filtering.
    """
    if not loss_collection:
        return
    c = _ACTIVE.get()
    if c is not None:
        c.add(loss, loss_collection, name)


def get_losses(scope: str | None = None,
               loss_collection: str = LOSSES) -> list[Any]:
    """Losses in the active collector whose name matches ``scope`` (re.match).

    Raises:
        RuntimeError: if no collector is active in this context.
    """
    return _require_collector("get_losses()").get(scope, loss_collection)


def _path_matches(variable, scope: str | None) -> bool:
    return scope is None or re.match(scope, variable.path) is not None


def get_regularization_losses(model_or_layer: Any = None,
                              scope: str | None = None) -> list[Any]:
    """Regularization losses: Keras ``losses`` of a model, layer or collector.

    Args:
        model_or_layer: a Keras model/layer; ``None`` uses the models the
            active collector watches.
        scope: if given, only the weight penalties of variables whose
            ``variable.path`` matches it (``re.match``); other
            ``add_loss`` terms of the model are left out.

    Returns:
        A list of scalar tensors, computed from the current weights.
    """
    if model_or_layer is None and _ACTIVE.get() is None:
        # No collector: TF1's graph, i.e. the penalties of every variable
        # made in the current name registry (slimkeras.variables).
        from slimkeras import variables

        return variables.default_regularization_losses(scope)
    if model_or_layer is None:
        models = _require_collector("get_regularization_losses()").models
    else:
        models = [model_or_layer]
    out = []
    for m in models:
        if not hasattr(m, "losses"):
            raise TypeError(
                "model_or_layer must be a Keras model or layer. "
                f"Received: model_or_layer={m!r}.")
        if scope is None:
            out.extend(m.losses)
            continue
        for v in m.trainable_weights:
            reg = getattr(v, "regularizer", None)
            if reg is not None and _path_matches(v, scope):
                out.append(reg(v))
    return out


def get_total_loss(add_regularization_losses: bool = True,
                   name: str = "total_loss", model: Any = None,
                   scope: str | None = None):
    """Sum of the collected losses (+ regularization losses).

    Args:
        add_regularization_losses: add ``get_regularization_losses(model)``.
        name: kept for slim compatibility (eager tensors are unnamed).
        model: model whose ``losses`` are the regularization losses;
            ``None`` uses the models the active collector watches.
        scope: filters the collected losses by name (``re.match``).

    Returns:
        A scalar tensor: what ``fit`` minimises for the same batch when the
        compiled loss is the collected loss.

    Raises:
        RuntimeError: without an active collector.
        ValueError: if there is no loss at all (slim's ``add_n([])``).
    """
    del name
    losses = list(get_losses(scope))
    if add_regularization_losses:
        losses += get_regularization_losses(model)
    if not losses:
        raise ValueError(
            "get_total_loss(): no losses were collected and no "
            "regularization losses were found.")
    total = ops.cast(losses[0], "float32")
    for loss in losses[1:]:
        total = total + ops.cast(loss, "float32")
    return total
