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
from slimkeras import naming, scopes
from slimkeras import regularizers as regularizers_lib

__all__ = ["SlimLayer", "slim_op"]

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
            enclosing scopes are not consulted (``from_config`` and the
            function forms pass it). Subclasses do not list it: it reaches
            this constructor through their ``**kwargs``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``).
            ``name`` defaults to the full scope with ``/`` written ``.``.

    Class attributes and hooks: ``DEFAULT_SCOPE`` (slim's default name),
    :meth:`scope_from` (scope and default name from the arguments),
    :meth:`call_without_layer` and ``CALL_ARGS`` (function-form only
    behaviour), all read by :func:`slim_op`.
    """

    DEFAULT_SCOPE = "Layer"
    # Call arguments the function form passes to the call, not the
    # constructor (batch_norm's batch_weights).
    CALL_ARGS: tuple[str, ...] = ()

    @classmethod
    def scope_from(cls, arguments) -> tuple[str | None, str]:
        """``(scope, default name)`` for a layer built with ``arguments``.

        ``arguments`` are the constructor's arguments by name (after the
        arg_scope defaults). The default name is made unique; ops whose
        default depends on an argument (``pool``) or that take their scope
        from another argument (``spatial_softmax``'s ``name``) override this.
        """
        return arguments.get("scope"), cls.DEFAULT_SCOPE

    @classmethod
    def call_without_layer(cls, inputs, arguments):
        """The function form's result when ``arguments`` build no layer.

        None (the default) builds the layer; ``scale_gradient`` with a
        tensor multiplier applies it directly.
        """
        return None

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
        scope: str | None = None,
    ):
        """Creates variable ``<scope>/<name>`` stored as ``self.<attr>``.

        ``scope`` defaults to the layer's full scope (batch norm's
        zero-debias variables live under ``<full_scope>/moving_mean``).
        ``autocast=False`` keeps the variable in its own dtype inside
        ``call`` under a mixed policy (batch-norm parameters and statistics
        stay float32 for the fused kernel).
        """
        parent, _, leaf = (scope or self.full_scope).rpartition("/")
        init = initializers_lib.fresh(initializers_lib.get(initializer)
                                      or "zeros")
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


def slim_op(op_name: str, extra_args: tuple[str, ...] = ()):
    """Class decorator: registers a slim layer and builds its function form.

    The class's ``__init__`` gets the current ``arg_scope`` defaults for key
    ``slimkeras.<op_name>`` and resolves the layer's scope from
    :meth:`SlimLayer.scope_from`; ``cls.function`` is the slim-style
    function ``op_name(inputs, *args, **kwargs)`` that builds (or reuses)
    the layer under the current scopes and calls it.
    """

    def decorate(cls):
        key = f"slimkeras.{op_name}"
        # A subclass without its own __init__ wraps its parent's raw one,
        # so defaults merge once, under the subclass's key.
        orig_init = getattr(cls.__init__, "_slim_raw_init", cls.__init__)
        sig = inspect.signature(orig_init)
        ignored = [n for n in _GRAPH_ONLY_ARGS + tuple(extra_args)
                   if n not in sig.parameters]

        @functools.wraps(orig_init)
        def __init__(self, *args, **kwargs):
            kwargs = scopes.merge_scoped(orig_init, key, (self,) + args,
                                         kwargs)
            for name in ignored:
                kwargs.pop(name, None)
            if kwargs.get("full_scope") is None:
                kwargs["full_scope"] = _resolve_full_scope(
                    cls, sig, (self,) + args, kwargs)
            orig_init(self, *args, **kwargs)

        __init__._slim_raw_init = orig_init
        # Keras inspects __init__ with getfullargspec (no __wrapped__
        # following): give it the real signature.
        __init__.__signature__ = sig
        cls.__init__ = __init__
        cls._slim_key_op = key
        cls.OP_NAME = op_name
        scopes.register_op(
            key, op_name, orig_init, exclude=("full_scope",),
            extra=_GRAPH_ONLY_ARGS + tuple(extra_args), strict=True,
            layer_class=cls)
        cls.function = _make_function(cls, key, orig_init, op_name)
        return keras.saving.register_keras_serializable(
            package="slimkeras")(cls)

    return decorate


def _arguments(sig: inspect.Signature, args: tuple, kwargs: dict):
    """The bound arguments by name, or None when they do not bind."""
    try:
        return sig.bind_partial(*args, **kwargs).arguments
    except TypeError:
        return None


def _resolve_full_scope(cls, sig, args, kwargs) -> str | None:
    arguments = _arguments(sig, args, kwargs)
    if arguments is None:  # the constructor raises the TypeError
        return None
    scope, default = cls.scope_from(arguments)
    return naming.resolve_scope(scope, default)


_REUSE_ERROR = (
    "{op}: reuse=True but no layer was built at scope {path!r} in this "
    "name registry. Build it first (without reuse), or check the scope."
)


def _make_function(cls, key: str, init, op_name: str):
    sig = inspect.signature(init)

    def fn(inputs, *args, **kwargs):
        call_kwargs = {n: kwargs.pop(n) for n in cls.CALL_ARGS
                       if n in kwargs}
        kwargs = scopes.merge_scoped(init, key, (None,) + args, kwargs)
        reuse = kwargs.pop("reuse", None)
        collections = kwargs.pop("outputs_collections", None)
        kwargs.pop("variables_collections", None)
        arguments = _arguments(sig, (None,) + args, kwargs) or {}
        direct = cls.call_without_layer(inputs, arguments)
        if direct is not None:
            return direct
        scope, default = cls.scope_from(arguments)
        kwargs.pop("scope", None)
        layer = get_or_create(cls, scope, default, reuse, args, kwargs,
                              inputs=inputs)
        outputs = layer(inputs, **call_kwargs)
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


def get_or_create(cls, scope, default, reuse, args, kwargs, inputs=None):
    """The layer for ``scope`` (or ``default`` made unique) here.

    Reused by path, or newly built. ``inputs`` (symbolic) tell which model
    is being built: see :func:`slimkeras.naming.claim_layer_scope`.
    """
    op_name = cls.OP_NAME
    reg = naming.registry()
    if reg.reuse_layers:
        path = naming.resolve_scope(scope, default)
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
        path = naming.peek_scope(scope, default)
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
    path, roots = naming.claim_layer_scope(scope, default, inputs, op_name)
    layer = cls(*args, full_scope=path, **kwargs)
    naming.set_roots(layer, roots)
    naming.registry().layers[path] = layer
    return layer


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
        return scopes.op_class(value["slim_op"]).function
    return keras.saving.deserialize_keras_object(value)

