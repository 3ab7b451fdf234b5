"""Variable scopes: the slim names every layer and variable gets.

A layer's full scope (``vgg_16/conv1/conv1_1``) is fixed when the layer is
constructed, from the enclosing :func:`variable_scope` blocks and the
layer's ``scope`` argument (or its default name, made unique as TF1 did:
``Conv``, ``Conv_1`` …). Variables are created under that path, so
``variable.path`` is the TF-Slim checkpoint name (DESIGN.md §3).

Uniquification counters live in a :class:`NameRegistry` (the TF1 "graph").
:func:`name_registry` opens a fresh one explicitly; ``slim.Model`` and
``create_model`` use their own. Outside those, each thread has an
automatic registry that follows **one model at a time**, where a model is
the graph grown from its ``keras.Input`` (s):

* a slim layer called on symbolic inputs that trace back to
  ``keras.Input`` s the current build has never seen, at a scope path a
  live layer of the current build already holds, starts a new build
  (fresh counters): re-running a model function, a net or a notebook cell
  gives the same variable paths again;
* two layers of one build (inputs from the same ``keras.Input`` s) that
  claim the same explicit scope raise TF1's "already exists" error,
  unless ``reuse=True``;
* ``keras.backend.clear_session()`` also starts afresh.

Eager calls outside ``slim.Model`` count in the automatic registry of
their thread. All state is per thread / per ``contextvars`` context, so
builds in concurrent threads do not disturb each other.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import threading
import weakref
from collections.abc import Iterator
from typing import Any

__all__ = [
    "NameRegistry",
    "VariableScope",
    "variable_scope",
    "name_registry",
    "current_scope_name",
    "resolve_scope",
    "keras_name",
    "collect_outputs",
    "add_to_collection",
    "get_collection",
    "clear_collection",
]


class NameRegistry:
    """Counts opened scope names (for uniquification) and caches layers.

    The layer cache maps a full scope path to the layer built for it, so a
    slim-style function run twice with ``reuse=True`` (or inside
    ``slim.Model``) shares that layer's variables. The registry also holds
    the TF1 graph collections of its build (``outputs_collections``) and
    every slim layer and free variable created in it (the default owner of
    ``slim.get_model_variables()``).
    """

    def __init__(self, reuse_layers: bool = False, auto: bool = False):
        self.counts: dict[str, int] = {}
        self.name_scopes: dict[str, int] = {}
        # Strong references only where the registry owns the layers
        # (slim.Model); elsewhere the models that use them keep them alive.
        self.layers: Any = {} if reuse_layers else weakref.WeakValueDictionary()
        self.reuse_layers = reuse_layers
        self.frozen = False
        self.lock = threading.Lock()
        self.auto = auto
        # id -> keras InputLayer of the symbolic inputs this build grew from.
        self.roots: dict[int, Any] = {}
        self.collections: dict[str, list] = {}
        self.created: list = []  # weakrefs (or layers) in creation order
        # Free variables (slim.variable …) belong to the registry, as to a
        # TF1 graph: held until the registry (the build) goes.
        self._slim_variables: dict[str, Any] = {}

    def open(self, full_name: str) -> None:
        with self.lock:
            self.counts[full_name] = self.counts.get(full_name, 0) + 1

    def claim(self, prefix: str, name: str | None, default: str) -> str:
        """Picks ``name`` (or ``default`` made unique) and marks it opened,
        atomically (threads may share a registry)."""
        with self.lock:
            if name is None:
                name = self.unique(prefix, default)
            full = _join(prefix, name)
            self.counts[full] = self.counts.get(full, 0) + 1
            return full

    def claim_name_scope(self, base: str) -> str:
        """TF1's name scope for ``base``: ``base/``, then ``base_1/`` …"""
        with self.lock:
            name, i = base, 0
            while name in self.name_scopes:
                i += 1
                name = f"{base}_{i}"
            self.name_scopes[name] = 1
            return name + "/"

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
        self.name_scopes.clear()

    def note_layer(self, layer: Any) -> None:
        """Records a slim layer made in this registry (creation order)."""
        ref = layer if self.reuse_layers else weakref.ref(layer)
        with self.lock:
            self.created.append(ref)
            if not self.reuse_layers and len(self.created) % 1024 == 0:
                # Eager loops make throwaway layers: drop the dead refs.
                self.created[:] = [r for r in self.created
                                   if r() is not None]

    def live_layers(self) -> list:
        out = []
        for ref in list(self.created):
            layer = ref if self.reuse_layers else ref()
            if layer is not None:
                out.append(layer)
        return out

    def call_view(self) -> NameRegistry:
        """Fresh counters over the same layer cache (one per model call).

        Replicas of a ``tf.distribute`` strategy call a model from several
        threads at once: each call must count default names on its own.
        """
        view = NameRegistry.__new__(NameRegistry)
        view.counts = {}
        view.name_scopes = {}
        view.layers = self.layers
        view.reuse_layers = self.reuse_layers
        view.frozen = self.frozen
        view.lock = threading.Lock()
        view.auto = False
        view.roots = {}
        view.collections = {}
        view.created = self.created
        view._slim_variables = self._slim_variables
        return view


class VariableScope(str):
    """What ``with variable_scope(...) as sc`` yields.

    A ``str`` (the full scope path, usable wherever slimkeras took the
    path) with TF1's attributes: ``name`` (the same path),
    ``original_name_scope`` (TF1's name scope with a trailing ``/``; made
    unique on re-entry, ``a/`` then ``a_1/``, as research/slim's
    ``sc.original_name_scope + '_end_points'`` collections expect) and
    ``reuse``.
    """

    def __new__(cls, name: str, original_name_scope: str, reuse: bool):
        obj = super().__new__(cls, name)
        obj._ons = original_name_scope
        obj._reuse = reuse
        return obj

    @property
    def name(self) -> str:
        return str.__str__(self)

    @property
    def original_name_scope(self) -> str:
        return self._ons

    @property
    def reuse(self) -> bool:
        return self._reuse

    def __reduce__(self):
        return (str, (str.__str__(self),))


@dataclasses.dataclass(frozen=True)
class _Frame:
    name: str  # full scope path ('' at the root)
    reuse: bool
    name_scope: str = ""  # TF1 name scope, '' or ending in '/'


_REGISTRY: contextvars.ContextVar[NameRegistry | None] = (
    contextvars.ContextVar("slimkeras_name_registry", default=None)
)
_FRAME: contextvars.ContextVar[_Frame] = contextvars.ContextVar(
    "slimkeras_variable_scope",
    default=_Frame("", False),  # noqa: B039 -- _Frame is a frozen dataclass
)
_COLLECTIONS: contextvars.ContextVar[dict[str, list] | None] = (
    contextvars.ContextVar("slimkeras_collections", default=None)
)
_LOCAL = threading.local()  # .registry: the thread's automatic registry
_UID_KEY = "slimkeras_name_registry"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _auto_registry() -> NameRegistry:
    """The thread's automatic registry; fresh after ``clear_session()``.

    ``keras.backend.get_uid`` counts per thread and restarts at 1 after
    ``keras.backend.clear_session()``: a count that did not grow means the
    session was cleared.
    """
    import keras

    uid = keras.backend.get_uid(_UID_KEY)
    reg = getattr(_LOCAL, "registry", None)
    if reg is None or uid <= getattr(_LOCAL, "uid", 0):
        reg = NameRegistry(auto=True)
        _LOCAL.registry = reg
    _LOCAL.uid = uid
    return reg


def _restart_auto() -> NameRegistry:
    """Starts a new automatic build; re-opens the scopes open right now."""
    reg = NameRegistry(auto=True)
    frame = _FRAME.get()
    if frame.name:
        parts = frame.name.split("/")
        for i in range(1, len(parts) + 1):
            reg.open("/".join(parts[:i]))
    if frame.name_scope:
        reg.name_scopes[frame.name_scope[:-1]] = 1
    _LOCAL.registry = reg
    return reg


def registry() -> NameRegistry:
    """The active name registry."""
    return _REGISTRY.get() or _auto_registry()


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

    Like entering a new TF1 graph: default names start again at ``Conv``
    and collections are empty.
    """
    reg = registry_ or NameRegistry(reuse_layers=reuse_layers)
    t1 = _REGISTRY.set(reg)
    t2 = _FRAME.set(_Frame("", False))
    t3 = _COLLECTIONS.set(None)
    try:
        yield reg
    finally:
        _COLLECTIONS.reset(t3)
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


# ------------------------------------------------------------- builds --

def input_roots(inputs: Any) -> dict[int, Any]:
    """``{id: InputLayer}`` of the ``keras.Input`` s symbolic ``inputs``
    grew from ({} for eager values)."""
    import keras

    stack = [t for t in keras.tree.flatten(inputs)
             if isinstance(t, keras.KerasTensor)]
    roots: dict[int, Any] = {}
    seen: set[int] = set()
    while stack:
        t = stack.pop()
        hist = getattr(t, "_keras_history", None)
        if hist is None:
            continue
        op = hist[0]
        if id(op) in seen:
            continue
        seen.add(id(op))
        cached = getattr(op, "_slim_roots", None)
        if cached is not None:
            roots.update(cached.roots)
            continue
        if isinstance(op, keras.layers.InputLayer):
            roots[id(op)] = op
            continue
        nodes = getattr(op, "_inbound_nodes", None) or []
        if hist[1] < len(nodes):
            stack.extend(nodes[hist[1]].input_tensors)
    return roots


class _Roots:
    """Holder of a layer's input roots (not a dict: Keras would track the
    InputLayers in it as sublayers)."""

    __slots__ = ("roots",)

    def __init__(self, roots: dict):
        self.roots = roots


def set_roots(layer: Any, roots: dict) -> None:
    """Records (adds to) the ``keras.Input`` s ``layer`` was called on."""
    old = getattr(layer, "_slim_roots", None)
    merged = {**old.roots, **roots} if old is not None else dict(roots)
    layer._slim_roots = _Roots(merged)


def _held_by_live_layer(reg: NameRegistry, path: str) -> Any:
    try:
        return reg.layers.get(path)
    except TypeError:  # pragma: no cover - weak dict racing with gc
        return None


def claim_layer_scope(scope: str | None, default_name: str,
                      inputs: Any, op_name: str) -> tuple[str, dict]:
    """Full path for a slim layer built by a function form on ``inputs``.

    Starts a new automatic build when ``inputs`` come from ``keras.Input`` s
    the current build has not seen and the path is held by a live layer
    of the current build (a re-run); raises when two layers of one build
    claim the same explicit path. Returns ``(path, roots)``.
    """
    if scope is not None:
        _check_name(scope, "scope")
    roots = input_roots(inputs)
    reg = registry()
    frame = _FRAME.get()
    if roots:
        candidate = _join(frame.name, scope or default_name)
        if (reg.auto and reg.roots and roots.keys().isdisjoint(reg.roots)
                and _held_by_live_layer(reg, candidate) is not None):
            reg = _restart_auto()
        if scope is not None:
            old = _held_by_live_layer(reg, candidate)
            held = getattr(old, "_slim_roots", None)
            old_roots = held.roots if held is not None else {}
            if old is not None and not roots.keys().isdisjoint(old_roots):
                raise ValueError(
                    f"{op_name}: Variable {candidate}/… already exists: "
                    f"scope {candidate!r} is held by layer "
                    f"{type(old).__name__} of this model (built on the "
                    "same keras.Input). Pass reuse=True to share its "
                    "variables, or use another scope. (TF1: 'Variable "
                    f"{candidate}/weights already exists, disallowed.')"
                )
        with reg.lock:
            reg.roots.update(roots)
    return reg.claim(frame.name, scope, default_name), roots


# ------------------------------------------------------------- scopes --

@contextlib.contextmanager
def variable_scope(
    name_or_scope: str | None = None,
    default_name: str | None = None,
    values: Any = None,
    reuse: bool | None = None,
) -> Iterator[VariableScope]:
    """Opens a slim/TF1-style variable scope.

    Yields a :class:`VariableScope`: the full path as a ``str``, with
    ``.name``, ``.original_name_scope`` and ``.reuse`` as TF1's.

    Args:
        name_or_scope: the scope name (relative to the enclosing scope), or
            ``None`` to use ``default_name`` made unique.
        default_name: used when ``name_or_scope`` is None.
        values: the scope's inputs, as TF1 took them to find the graph:
            symbolic tensors from ``keras.Input`` s the current build has
            not seen start a new build where this scope would otherwise be
            renamed (see the module docstring).
        reuse: ``True`` reuses layers already built under this scope in the
            active registry (as TF1's ``reuse=True``); inherited by inner
            scopes.
    """
    parent = _FRAME.get()
    if isinstance(name_or_scope, VariableScope):
        # TF1: a scope object re-enters that scope (absolute path).
        rz = bool(reuse) or parent.reuse or name_or_scope.reuse
        token = _FRAME.set(_Frame(name_or_scope.name, rz,
                                  name_or_scope.original_name_scope))
        try:
            yield VariableScope(name_or_scope.name,
                                name_or_scope.original_name_scope, rz)
        finally:
            _FRAME.reset(token)
        return
    if name_or_scope is None:
        if default_name is None:
            raise ValueError(
                "variable_scope: pass name_or_scope or default_name; "
                "both are None."
            )
        _check_name(default_name, "default_name")
    else:
        _check_name(name_or_scope, "name_or_scope")
    reg = registry()
    if values is not None and reg.auto and reg.roots:
        roots = input_roots(values)
        base = _join(parent.name, name_or_scope or default_name)
        if roots and roots.keys().isdisjoint(reg.roots) and any(
                p == base or p.startswith(base + "/")
                for p in list(reg.layers.keys())):
            reg = _restart_auto()
    full = reg.claim(parent.name, name_or_scope, default_name)
    leaf = full[len(parent.name) + 1:] if parent.name else full
    ns = reg.claim_name_scope(parent.name_scope + leaf)
    rz = bool(reuse) or parent.reuse
    token = _FRAME.set(_Frame(full, rz, ns))
    try:
        yield VariableScope(full, ns, rz)
    finally:
        _FRAME.reset(token)


@contextlib.contextmanager
def absolute_scope(full_name: str) -> Iterator[str]:
    """Runs the block as if inside the (already opened) scope ``full_name``."""
    token = _FRAME.set(_Frame(full_name, _FRAME.get().reuse,
                              full_name + "/" if full_name else ""))
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


# -------------------------------------------------------- collections --

@contextlib.contextmanager
def collect_outputs() -> Iterator[dict[str, list]]:
    """Collects what layers add to ``outputs_collections`` in the block,
    apart from the registry's collections (a private TF1 graph for them).
    """
    store = _COLLECTIONS.get()
    if store is not None:  # nested: share the outer store
        yield store
        return
    token = _COLLECTIONS.set({})
    try:
        yield _COLLECTIONS.get()
    finally:
        _COLLECTIONS.reset(token)


def _store() -> dict[str, list]:
    store = _COLLECTIONS.get()
    return store if store is not None else registry().collections


def append_alias(value: Any, alias: str) -> None:
    """Appends ``alias`` to ``value.aliases`` (as tf_slim), if it can."""
    try:
        aliases = getattr(value, "aliases", None)
        if isinstance(aliases, list):
            aliases.append(alias)
        else:
            value.aliases = [alias]
    except (AttributeError, TypeError):
        pass  # objects without a __dict__: the collection still has it


def add_to_collection(names: Any, alias: str, value: Any) -> None:
    """Adds ``(alias, value)`` to each named collection.

    Inside :func:`collect_outputs` to that block's store, otherwise to
    the active name registry's collections (TF1's graph collections).
    ``names`` None or empty does nothing (slim's "no collection").
    """
    if not names:
        return
    if isinstance(names, str):
        names = [names]
    alias = str(alias).removesuffix("/")
    append_alias(value, alias)
    store = _store()
    for n in names:
        store.setdefault(n, []).append((alias, value))


def get_collection(name: str) -> list:
    """``[(alias, value), …]`` added to collection ``name`` so far."""
    return list(_store().get(name, []))


def clear_collection(name: str) -> None:
    """Empties collection ``name``."""
    _store().pop(name, None)
