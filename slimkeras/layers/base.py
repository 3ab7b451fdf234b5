"""The base of every slim layer: scope, variables at slim paths, arg_scope.

Every slim layer is a ``keras.Layer`` that

* resolves its full slim scope once, at construction, from the enclosing
  ``variable_scope`` blocks and ``scope=`` (or its default name, made
  unique as TF1 did), and keeps it in ``get_config()['full_scope']``;
* creates its variables under that path, so ``variable.path`` is the
  TF-Slim checkpoint name (``vgg_16/conv1/conv1_1/weights``);
* takes its defaults from ``arg_scope`` at construction, under one key
  shared with its function form (``slim.conv2d`` and ``slim.layers.Conv2D``).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import keras

from slimkeras import initializers as initializers_lib
from slimkeras import naming
from slimkeras import regularizers as regularizers_lib
from slimkeras import scopes

__all__ = ["SlimLayer", "slim_op", "check_positive_ints", "to_tuple"]

# Arguments slim's functions took that mean nothing on Keras: accepted (in
# arg_scope too) and ignored by the class form.
_GRAPH_ONLY_ARGS = ("reuse", "outputs_collections", "variables_collections")


class SlimLayer(keras.Layer):
    """Base class: a Keras layer named and scoped as TF-Slim named it.

    Args:
        scope: the slim scope, relative to the enclosing ``variable_scope``
            (default: the op's default name, made unique: ``Conv``,
            ``Conv_1`` …).
        full_scope: an absolute scope path; when given, ``scope`` and the
            enclosing scopes are not consulted (used by ``from_config``).
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``).
            ``name`` defaults to the full scope with ``/`` written ``.``.
    """

    DEFAULT_SCOPE = "Layer"

    def __init__(self, scope=None, full_scope=None, **kwargs):
        if full_scope is None:
            full_scope = naming.resolve_scope(scope, self.DEFAULT_SCOPE)
        else:
            naming.registry().open(full_scope)
        kwargs.setdefault("name", naming.keras_name(full_scope))
        super().__init__(**kwargs)
        self.full_scope = full_scope
        naming.registry().note_layer(self)

    @property
    def scope(self) -> str:
        """The full slim scope path of this layer."""
        return self.full_scope

    def child_scope(self, name: str) -> str:
        return f"{self.full_scope}/{name}"

    def add_slim_weight(
        self,
        attr: str,
        name: str,
        shape,
        initializer: Any = None,
        regularizer: Any = None,
        trainable: bool = True,
        aggregation: str = "none",
        autocast: bool = True,
    ):
        """Creates variable ``<full_scope>/<name>`` stored as ``self.<attr>``.

        ``autocast=False`` keeps the variable in its own dtype inside
        ``call`` under a mixed policy (batch-norm parameters and statistics
        stay float32 for the fused kernel).
        """
        parent, _, leaf = self.full_scope.rpartition("/")
        init = initializers_lib.get(initializer) or "zeros"
        with keras.name_scope(leaf, override_parent=parent):
            var = keras.Variable(
                initializer=init,
                shape=tuple(int(d) for d in shape),
                dtype=self.variable_dtype,
                trainable=trainable,
                aggregation=aggregation,
                autocast=autocast,
                name=name,
            )
        var.regularizer = regularizers_lib.get(regularizer)
        var._slim_kind = "model"  # a layer's weight: a slim model variable
        setattr(self, attr, var)
        if not self.trainable:
            var.trainable = False
        return var

    def get_config(self):
        config = super().get_config()
        config["full_scope"] = self.full_scope
        return config


def _init_signature(cls) -> inspect.Signature:
    return inspect.signature(cls.__init__)


def slim_op(op_name: str, extra_args: tuple[str, ...] = ()):
    """Class decorator: registers a slim layer and builds its function form.

    The class's ``__init__`` gets the current ``arg_scope`` defaults for key
    ``slimkeras.<op_name>``; ``cls.function`` is the slim-style function
    ``op_name(inputs, *args, **kwargs)`` that builds (or reuses) the layer
    under the current scopes and calls it.
    """

    def decorate(cls):
        key = f"slimkeras.{op_name}"
        # A subclass without its own __init__ wraps its parent's raw one,
        # so defaults merge once, under the subclass's key.
        orig_init = getattr(cls.__init__, "_slim_raw_init", cls.__init__)
        sig = inspect.signature(orig_init)
        ignored = set(_GRAPH_ONLY_ARGS) | set(extra_args)

        @functools.wraps(orig_init)
        def __init__(self, *args, **kwargs):
            kwargs = _merge(sig, key, (self,) + args, kwargs)
            for name in ignored:
                if name not in sig.parameters:
                    kwargs.pop(name, None)
            orig_init(self, *args, **kwargs)

        __init__._slim_raw_init = orig_init
        # Keras inspects __init__ with getfullargspec (no __wrapped__
        # following): give it the real signature.
        __init__.__signature__ = sig
        cls.__init__ = __init__
        cls._slim_key_op = key
        cls.OP_NAME = op_name
        scopes.register_op(key, op_name, orig_init, skip=0)
        names = [n for n in scopes._REGISTERED[key][1]
                 if n not in ("self", "full_scope")]
        names += [n for n in _GRAPH_ONLY_ARGS + tuple(extra_args)
                  if n not in names]
        scopes._REGISTERED[key] = (op_name, tuple(names), False)
        cls.function = _make_function(cls, key, sig, op_name)
        return keras.saving.register_keras_serializable(
            package="slimkeras")(cls)

    return decorate


def _merge(sig, key, args, kwargs):
    scoped = scopes.scoped_defaults(key)
    if not scoped:
        return kwargs
    bound = sig.bind_partial(*args).arguments
    merged = {k: v for k, v in scoped.items() if k not in bound}
    merged.update(kwargs)
    return merged


_REUSE_ERROR = (
    "{op}: reuse=True but no layer was built at scope {path!r} in this "
    "name registry. Build it first (without reuse), or check the scope."
)


def _make_function(cls, key: str, sig: inspect.Signature, op_name: str):
    def fn(inputs, *args, **kwargs):
        kwargs = _merge(sig, key, (None,) + args, kwargs)
        reuse = kwargs.pop("reuse", None)
        collections = kwargs.pop("outputs_collections", None)
        kwargs.pop("variables_collections", None)
        scope = kwargs.pop("scope", None)
        layer = get_or_create(cls, scope, reuse, args, kwargs, op_name,
                              inputs=inputs)
        outputs = layer(inputs)
        naming.add_to_collection(collections, layer.full_scope, outputs)
        return outputs

    fn.__name__ = op_name
    fn.__qualname__ = op_name
    fn.__doc__ = (
        f"Slim-style function form of :class:`{cls.__name__}`: builds the "
        "layer under the current scopes and calls it on ``inputs``.\n\n"
        f"Arguments are those of ``{cls.__name__}`` plus ``reuse`` and "
        "``outputs_collections``.\n\n" + (cls.__doc__ or "")
    )
    fn._slim_key_op = key
    fn.layer_class = cls
    params = [inspect.Parameter("inputs", inspect.Parameter.POSITIONAL_ONLY)]
    params += [p for n, p in sig.parameters.items()
               if n not in ("self", "full_scope") and p.kind not in (
                   p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    for n in _GRAPH_ONLY_ARGS:
        if n not in sig.parameters:
            params.append(inspect.Parameter(
                n, inspect.Parameter.KEYWORD_ONLY, default=None))
    fn.__signature__ = inspect.Signature(params)
    return fn


def get_or_create(cls, scope, reuse, args, kwargs, op_name, inputs=None):
    """The layer for ``scope`` here: reused by path, or newly built.

    ``inputs`` (symbolic) tell which model is being built: see
    :func:`slimkeras.naming.claim_layer_scope`.
    """
    reg = naming.registry()
    if reg.reuse_layers:
        path = naming.resolve_scope(scope, cls.DEFAULT_SCOPE)
        layer = reg.layers.get(path)
        if layer is None:
            if getattr(reg, "frozen", False):
                raise ValueError(
                    f"{op_name}: scope {path!r} creates a new layer after "
                    "the model was built. A slim.Model must create the same "
                    "layers on every call (check data-dependent branches "
                    "and scope names)."
                )
            layer = cls(*args, full_scope=path, **kwargs)
            reg.layers[path] = layer
        elif not isinstance(layer, cls):
            raise ValueError(
                f"{op_name}: scope {path!r} already holds a "
                f"{type(layer).__name__}; cannot reuse it as {cls.__name__}."
            )
        return layer
    if reuse or naming.current_reuse():
        path = naming.peek_scope(scope, cls.DEFAULT_SCOPE)
        if scope is None:
            raise ValueError(
                f"{op_name}: reuse=True needs an explicit scope (the default "
                f"name would be made unique). Received scope=None."
            )
        layer = reg.layers.get(path)
        if layer is None:
            raise ValueError(_REUSE_ERROR.format(op=op_name, path=path))
        naming.set_roots(layer, naming.input_roots(inputs))
        return layer
    path, roots = naming.claim_layer_scope(
        scope, cls.DEFAULT_SCOPE, inputs, op_name)
    layer = cls(*args, full_scope=path, **kwargs)
    naming.set_roots(layer, roots)
    naming.registry().layers[path] = layer
    return layer


def to_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """``3 -> (3, 3)``; ``[3, 2] -> (3, 2)``; validates length and type."""
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return (value,) * n
    if hasattr(value, "__len__") and not isinstance(value, str):
        items = tuple(value)
        if len(items) == 1:
            items = items * n
        if len(items) == n and all(
            isinstance(v, int) and not isinstance(v, bool) for v in items
        ):
            return items
    raise ValueError(
        f"`{name}` must be an int or a list of {n} ints. "
        f"Received: {name}={value!r}."
    )


def check_positive_ints(value: tuple[int, ...], name: str) -> None:
    if any(v <= 0 for v in value):
        raise ValueError(
            f"`{name}` must be positive. Received: {name}={value!r}."
        )


def check_padding(padding: Any) -> str:
    if not isinstance(padding, str) or padding.upper() not in (
        "SAME", "VALID"):
        raise ValueError(
            "`padding` must be 'SAME' or 'VALID'. "
            f"Received: padding={padding!r}."
        )
    return padding.upper()


def check_data_format(data_format: Any, allowed: tuple[str, ...]) -> str:
    if data_format is None:
        return allowed[0]
    if data_format not in allowed:
        raise ValueError(
            f"`data_format` must be one of {allowed}. "
            f"Received: data_format={data_format!r}."
        )
    return data_format


def callable_config(fn: Any) -> Any:
    """Config value for a slim layer function / class / callable."""
    if fn is None:
        return None
    cls = getattr(fn, "layer_class", None)
    if cls is not None:
        return {"slim_op": cls.OP_NAME}
    if isinstance(fn, type) and issubclass(fn, SlimLayer):
        return {"slim_op": fn.OP_NAME}
    return keras.saving.serialize_keras_object(fn)


def callable_from_config(value: Any) -> Any:
    if value is None or callable(value):
        return value
    if isinstance(value, dict) and "slim_op" in value:
        from slimkeras import layers as layers_lib

        return getattr(layers_lib, value["slim_op"])
    return keras.saving.deserialize_keras_object(value)

