"""arg_scope: default arguments for slim ops, held in a ``contextvars`` stack.

Semantics follow tf-slim's ``arg_scope`` (nested scopes merge per op, inner
wins; a yielded scope dict can be re-entered; explicit arguments always win)
with three changes (DESIGN.md §2):

* state lives in a :class:`contextvars.ContextVar`, so each thread and each
  asyncio task sees only its own scopes, and nothing leaks when an exception
  leaves a ``with`` block;
* keyword names are validated when a scope is entered;
* the function form and the class form of a layer share one key, so
  ``arg_scope([slim.conv2d], ...)`` also sets ``slim.layers.Conv2D`` defaults.

Example:

>>> import slimkeras as slim
>>> with slim.arg_scope([slim.conv2d], padding='VALID') as sc:
...     slim.current_arg_scope()[slim.arg_scope_func_key(slim.conv2d)]
{'padding': 'VALID'}
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = [
    "arg_scope",
    "add_arg_scope",
    "current_arg_scope",
    "has_arg_scope",
    "arg_scoped_arguments",
    "arg_scope_func_key",
]

_EMPTY: Mapping[str, Mapping[str, Any]] = types.MappingProxyType({})
_SCOPE: contextvars.ContextVar[Mapping[str, Mapping[str, Any]]] = (
    contextvars.ContextVar("slimkeras_arg_scope", default=_EMPTY)
)
# The op registry; register_op is its only writer.
# key -> (display name, tuple of keyword names the op accepts, accepts **kw)
_REGISTERED: dict[str, tuple[str, tuple[str, ...], bool]] = {}
# op name -> slim layer class (config values name ops, e.g. normalizer_fn)
_OP_CLASSES: dict[str, type] = {}


def arg_scope_func_key(op: Any) -> str:
    """Returns the key under which ``op``'s scoped defaults are stored.

    The function form and the class form of a slim layer share one key.
    """
    key = getattr(op, "_slim_key_op", None)
    if key is not None:
        return key
    module = getattr(op, "__module__", None)
    qualname = getattr(op, "__qualname__", None)
    if module and qualname:
        return f"{module}.{qualname}"
    return str(op)


def _describe(op: Any) -> str:
    return getattr(op, "__name__", None) or repr(op)


def _keyword_names(func: Callable) -> tuple[tuple[str, ...], bool]:
    sig = inspect.signature(func)
    names = []
    var_kw = False
    for i, p in enumerate(sig.parameters.values()):
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            if i == 0 and p.name in ("self", "cls"):
                continue
            names.append(p.name)
    return tuple(names), var_kw


def current_arg_scope() -> dict[str, dict[str, Any]]:
    """Returns a copy of the innermost scope: ``{op_key: {arg: value}}``."""
    return {k: dict(v) for k, v in _SCOPE.get().items()}


def has_arg_scope(func: Any) -> bool:
    """Whether ``func`` was decorated with :func:`add_arg_scope`."""
    return arg_scope_func_key(func) in _REGISTERED


def arg_scoped_arguments(func: Any) -> list[str]:
    """Returns the keyword names an ``arg_scope`` may set for ``func``."""
    key = arg_scope_func_key(func)
    if key not in _REGISTERED:
        raise ValueError(
            f"{_describe(func)} is not decorated with @add_arg_scope."
        )
    return list(_REGISTERED[key][1])


def scoped_defaults(key: str) -> dict[str, Any]:
    """The defaults the current scopes set for the op registered as ``key``."""
    return dict(_SCOPE.get().get(key, _EMPTY))


def merge_scoped(func: Callable, key: str, args: tuple, kwargs: dict) -> dict:
    """Merges scoped defaults for ``key`` under explicit ``args``/``kwargs``.

    Arguments bound positionally are explicit: a scoped value for the same
    name is dropped rather than raising "multiple values".
    """
    scoped = _SCOPE.get().get(key)
    if not scoped:
        return kwargs
    merged = dict(scoped)
    if args:
        try:
            bound = inspect.signature(func).bind_partial(*args)
        except TypeError:
            bound = None
        if bound is not None:
            for name in bound.arguments:
                merged.pop(name, None)
    merged.update(kwargs)
    return merged


def register_op(
    key: str,
    display: str,
    func: Callable,
    skip: int = 0,
    *,
    exclude: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    strict: bool = False,
    layer_class: type | None = None,
) -> None:
    """Registers the keyword names an ``arg_scope`` may set for an op.

    Args:
        key: the op's scope key (:func:`arg_scope_func_key`).
        display: the name errors show; with ``layer_class``, also the op
            name :func:`op_class` looks up.
        func: the callable whose keyword names are taken.
        skip: leading names to leave out.
        exclude: names to leave out (e.g. a layer's ``full_scope``).
        extra: names accepted beyond ``func``'s own (slim's graph-only
            arguments).
        strict: validate names even when ``func`` takes ``**kwargs``.
        layer_class: the slim layer class implementing the op.
    """
    names, var_kw = _keyword_names(func)
    names = [n for n in names[skip:] if n not in exclude]
    names += [n for n in extra if n not in names]
    _REGISTERED[key] = (display, tuple(names), var_kw and not strict)
    if layer_class is not None:
        _OP_CLASSES[display] = layer_class


def op_class(op_name: str) -> type:
    """The slim layer class registered for ``op_name`` (e.g. ``'batch_norm'``).

    Raises:
        ValueError: no layer class is registered under that name.
    """
    try:
        return _OP_CLASSES[op_name]
    except KeyError:
        raise ValueError(
            f"No slim op named {op_name!r} is registered. Registered ops: "
            f"{', '.join(sorted(_OP_CLASSES))}."
        ) from None


def add_arg_scope(func: Callable) -> Callable:
    """Decorates ``func`` so that ``arg_scope`` can set its defaults.

    Works on plain functions; slim layers register themselves (class and
    function form under one key).
    """
    key = arg_scope_func_key(func)
    register_op(key, _describe(func), func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        return func(*args, **merge_scoped(func, key, args, kwargs))

    func_with_args._slim_key_op = key
    return func_with_args


def _validate(op: Any, key: str, kwargs: Mapping[str, Any]) -> None:
    display, names, var_kw = _REGISTERED[key]
    if var_kw:
        return
    unknown = sorted(set(kwargs) - set(names))
    if unknown:
        raise ValueError(
            f"arg_scope: {display} does not accept argument(s) "
            f"{', '.join(repr(u) for u in unknown)}. "
            f"Valid names: {', '.join(names)}."
        )


@contextlib.contextmanager
def arg_scope(
    list_ops_or_scope: Any, **kwargs: Any
) -> Iterator[dict[str, dict[str, Any]]]:
    """Sets default arguments for the listed ops inside a ``with`` block.

    Args:
        list_ops_or_scope: a list or tuple of ops decorated with
            ``add_arg_scope`` (slim layers, their classes, or your own
            functions), or a scope dict yielded by an earlier ``arg_scope``
            to re-enter it (then ``kwargs`` must be empty).
        **kwargs: default values for the ops' keyword arguments.

    Yields:
        The new innermost scope as a dict ``{op_key: {arg: value}}``.

    Raises:
        TypeError: ``list_ops_or_scope`` is neither a list/tuple nor a dict.
        ValueError: an op is not registered, or a keyword is not one of its
            arguments.
    """
    if isinstance(list_ops_or_scope, Mapping):
        if kwargs:
            raise ValueError(
                "arg_scope: when re-entering a scope dict, kwargs must be "
                f"empty. Received kwargs: {sorted(kwargs)}."
            )
        new = {k: types.MappingProxyType(dict(v))
               for k, v in list_ops_or_scope.items()}
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError(
                "arg_scope: list_ops_or_scope must be a list/tuple of ops or "
                "a scope dict. Received: "
                f"{type(list_ops_or_scope).__name__} {list_ops_or_scope!r}."
            )
        new = dict(_SCOPE.get())
        for op in list_ops_or_scope:
            key = arg_scope_func_key(op)
            if key not in _REGISTERED:
                raise ValueError(
                    f"arg_scope: {_describe(op)} is not decorated with "
                    "@add_arg_scope (it is not a registered slim op)."
                )
            _validate(op, key, kwargs)
            merged = dict(new.get(key, _EMPTY))
            merged.update(kwargs)
            new[key] = types.MappingProxyType(merged)
    token = _SCOPE.set(types.MappingProxyType(new))
    try:
        yield {k: dict(v) for k, v in new.items()}
    finally:
        _SCOPE.reset(token)
