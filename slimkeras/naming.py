"""Variable scopes: the slim names every layer and variable gets.

A layer's full scope (``vgg_16/conv1/conv1_1``) is fixed when the layer is
constructed, from the enclosing :func:`variable_scope` blocks and the
layer's ``scope`` argument (or its default name, made unique as TF1 did:
``Conv``, ``Conv_1`` …). Variables are created under that path, so
``variable.path`` is the TF-Slim checkpoint name (DESIGN.md §3).

Uniquification counters live in a :class:`NameRegistry` (the TF1 "graph").
The process has a default one; :func:`name_registry` opens a fresh one, and
``slim.Model`` uses its own so that every call yields the same names.
All state is held in ``contextvars``: threads and asyncio tasks are isolated.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import threading
import weakref
from typing import Any, Iterator

__all__ = [
    "NameRegistry",
    "variable_scope",
    "name_registry",
    "current_scope_name",
    "resolve_scope",
    "keras_name",
    "collect_outputs",
    "add_to_collection",
    "get_collection",
]


class NameRegistry:
    """Counts opened scope names (for uniquification) and caches layers.

    The layer cache maps a full scope path to the layer built for it, so a
    slim-style function run twice with ``reuse=True`` (or inside
    ``slim.Model``) shares that layer's variables.
    """

    def __init__(self, reuse_layers: bool = False):
        self.counts: dict[str, int] = {}
        # Strong references only where the registry owns the layers
        # (slim.Model); elsewhere the models that use them keep them alive.
        self.layers: Any = {} if reuse_layers else weakref.WeakValueDictionary()
        self.reuse_layers = reuse_layers
        self.frozen = False
        self.lock = threading.Lock()

    def open(self, full_name: str) -> None:
        with self.lock:
            self.counts[full_name] = self.counts.get(full_name, 0) + 1

    def claim(self, prefix: str, name: str | None, default: str) -> str:
        """Picks ``name`` (or ``default`` made unique) and marks it opened,
        atomically (threads may share the default registry)."""
        with self.lock:
            if name is None:
                name = self.unique(prefix, default)
            full = _join(prefix, name)
            self.counts[full] = self.counts.get(full, 0) + 1
            return full

    def unique(self, prefix: str, base: str) -> str:
        full = _join(prefix, base)
        if full not in self.counts:
            return base
        i = 1
        while _join(prefix, f"{base}_{i}") in self.counts:
            i += 1
        return f"{base}_{i}"

    def reset_counts(self) -> None:
        self.counts.clear()

    def call_view(self) -> "NameRegistry":
        """Fresh counters over the same layer cache (one per model call).

        Replicas of a ``tf.distribute`` strategy call a model from several
        threads at once: each call must count default names on its own.
        """
        view = NameRegistry.__new__(NameRegistry)
        view.counts = {}
        view.layers = self.layers
        view.reuse_layers = self.reuse_layers
        view.frozen = self.frozen
        view.lock = threading.Lock()
        return view


@dataclasses.dataclass(frozen=True)
class _Frame:
    name: str  # full scope path ('' at the root)
    reuse: bool


_DEFAULT_REGISTRY = NameRegistry()
_REGISTRY: contextvars.ContextVar[NameRegistry | None] = (
    contextvars.ContextVar("slimkeras_name_registry", default=None)
)
_FRAME: contextvars.ContextVar[_Frame] = contextvars.ContextVar(
    "slimkeras_variable_scope", default=_Frame("", False)
)
_COLLECTIONS: contextvars.ContextVar[dict[str, list] | None] = (
    contextvars.ContextVar("slimkeras_collections", default=None)
)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def registry() -> NameRegistry:
    """The active name registry."""
    return _REGISTRY.get() or _DEFAULT_REGISTRY


def current_scope_name() -> str:
    """Full path of the innermost :func:`variable_scope` ('' at the root)."""
    return _FRAME.get().name


def current_reuse() -> bool:
    return _FRAME.get().reuse


@contextlib.contextmanager
def name_registry(
    registry_: NameRegistry | None = None, reuse_layers: bool = False
) -> Iterator[NameRegistry]:
    """Runs the block with a fresh (or the given) name registry.

    Like entering a new TF1 graph: default names start again at ``Conv``.
    """
    reg = registry_ or NameRegistry(reuse_layers=reuse_layers)
    t1 = _REGISTRY.set(reg)
    t2 = _FRAME.set(_Frame("", False))
    try:
        yield reg
    finally:
        _FRAME.reset(t2)
        _REGISTRY.reset(t1)


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"{what} must be a non-empty string. Received: {name!r}."
        )
    if name.startswith("/") or name.endswith("/") or "//" in name:
        raise ValueError(
            f"{what} must be a relative slash-separated path without empty "
            f"parts. Received: {name!r}."
        )


@contextlib.contextmanager
def variable_scope(
    name_or_scope: str | None = None,
    default_name: str | None = None,
    values: Any = None,
    reuse: bool | None = None,
) -> Iterator[str]:
    """Opens a slim/TF1-style variable scope; yields its full path.

    Args:
        name_or_scope: the scope name (relative to the enclosing scope), or
            ``None`` to use ``default_name`` made unique.
        default_name: used when ``name_or_scope`` is None.
        values: ignored (TF1 graph bookkeeping); accepted for compatibility.
        reuse: ``True`` reuses layers already built under this scope in the
            active registry (as TF1's ``reuse=True``); inherited by inner
            scopes.
    """
    del values
    parent = _FRAME.get()
    reg = registry()
    if name_or_scope is None:
        if default_name is None:
            raise ValueError(
                "variable_scope: pass name_or_scope or default_name; "
                "both are None."
            )
        _check_name(default_name, "default_name")
    else:
        _check_name(name_or_scope, "name_or_scope")
    full = reg.claim(parent.name, name_or_scope, default_name)
    token = _FRAME.set(_Frame(full, bool(reuse) or parent.reuse))
    try:
        yield full
    finally:
        _FRAME.reset(token)


@contextlib.contextmanager
def absolute_scope(full_name: str) -> Iterator[str]:
    """Runs the block as if inside the (already opened) scope ``full_name``."""
    token = _FRAME.set(_Frame(full_name, _FRAME.get().reuse))
    try:
        yield full_name
    finally:
        _FRAME.reset(token)


def resolve_scope(scope: str | None, default_name: str) -> str:
    """Full path for a layer with ``scope`` (or ``default_name``) here.

    Marks the name as used, as opening a TF1 variable scope did.
    """
    frame = _FRAME.get()
    reg = registry()
    if scope is not None:
        _check_name(scope, "scope")
    return reg.claim(frame.name, scope, default_name)


def peek_scope(scope: str | None, default_name: str) -> str:
    """The path :func:`resolve_scope` would return, without marking it."""
    frame = _FRAME.get()
    if scope is None:
        return _join(frame.name, registry().unique(frame.name, default_name))
    _check_name(scope, "scope")
    return _join(frame.name, scope)


def keras_name(full_scope: str) -> str:
    """The Keras layer name for a slim scope path (``/`` is not allowed)."""
    return full_scope.replace("/", ".")


@contextlib.contextmanager
def collect_outputs() -> Iterator[dict[str, list]]:
    """Collects what layers add to ``outputs_collections`` in the block."""
    store = _COLLECTIONS.get()
    if store is not None:  # nested: share the outer store
        yield store
        return
    token = _COLLECTIONS.set({})
    try:
        yield _COLLECTIONS.get()
    finally:
        _COLLECTIONS.reset(token)


def add_to_collection(names: Any, alias: str, value: Any) -> None:
    """Adds ``(alias, value)`` to each named collection (if collecting)."""
    store = _COLLECTIONS.get()
    if store is None or names is None:
        return
    if isinstance(names, str):
        names = [names]
    for n in names:
        store.setdefault(n, []).append((alias, value))


def get_collection(name: str) -> list:
    """``[(alias, value), …]`` added to collection ``name`` in this block."""
    store = _COLLECTIONS.get()
    if store is None:
        return []
    return list(store.get(name, []))
