"""slim's variables API over Keras weights.

TF1 kept every variable in graph collections; Keras keeps them on layers.
So each query takes the owner first — a model, a layer, an optimizer, or a
list/dict of variables — and otherwise keeps slim's names and argument
order::

    slim.get_model_variables(model, 'vgg_16/fc8')     # slim: (scope)
    slim.get_variables_to_restore(model, exclude=['vgg_16/fc8'])

``scope`` (and ``include``/``exclude``) use the pattern language of
:mod:`slimkeras.patterns`: a scope prefix that stops at ``/`` boundaries
(``vgg_16/fc8`` does not select ``vgg_16/fc80``), a glob, or ``re:<regex>``.
``suffix`` is a plain string the name must end with.
:func:`filter_variables` keeps slim's regular-expression semantics.

**Model variables** are what slim counted: the weights of every layer
(``weights``, ``biases``, BatchNorm ``gamma``/``beta``/``moving_mean``/
``moving_variance``), not the global step, not local variables, not
optimizer slots (they live on the optimizer, not in ``model.weights``) and
not Keras seed-generator states.

Creating variables (:func:`model_variable`, :func:`variable`,
:func:`local_variable`, :func:`global_variable`) returns a
``keras.Variable`` whose ``path`` is ``<current variable_scope>/<name>``.
Keras has no global collection, so a variable needs an owner to be saved
and trained: create it inside a layer's ``__init__`` or ``build()`` and
assign it to an attribute (``self.w = slim.model_variable('w', ...)``);
Keras then lists it in ``layer.weights`` (and ``trainable_weights``), adds
its ``regularizer`` loss to ``layer.losses``, and the queries below see it.

**Default owner.** Called without an owner (``slim.get_model_variables()``,
``slim.get_variables_by_name('v2')``, ``slim.get_variables('vgg_16')``),
the queries read what TF1 read from "the graph": every variable created
in the current name registry (:mod:`slimkeras.naming`) — the weights of
the slim layers built there (the model being built, or the last one built
in this thread; inside ``slim.Model`` its layers) and the variables made
with :func:`variable` / :func:`model_variable` / :func:`add_model_variable`
there. A string first argument is slim's ``scope`` (or ``given_name``).
With nothing created in the registry the queries raise, naming the owner
to pass. A raw ``tf.Variable``/``keras.Variable`` is a model variable only
after :func:`add_model_variable`, as in tf_slim; the weights of a Keras
layer passed as the owner are model variables.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from typing import Any

import keras
import numpy as np

from slimkeras import initializers as initializers_lib
from slimkeras import naming
from slimkeras import patterns as patterns_lib
from slimkeras import regularizers as regularizers_lib

__all__ = [
    "model_variable",
    "variable",
    "local_variable",
    "global_variable",
    "add_model_variable",
    "get_variables",
    "get_model_variables",
    "get_trainable_variables",
    "get_local_variables",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_unique_variable",
    "get_variables_to_restore",
    "filter_variables",
    "get_variable_full_name",
    "get_or_create_global_step",
    "get_global_step",
    "create_global_step",
    "assign_from_values",
    "assign_from_values_fn",
    "iter_variables",
]

# Kind tags kept on variables created here (``var._slim_kind``).
MODEL, GLOBAL, LOCAL, GLOBAL_STEP = "model", "global", "local", "global_step"
OPTIMIZER = "optimizer"
_KIND = "_slim_kind"


# --------------------------------------------------------------- owners --

def _is_variable(v: Any) -> bool:
    return isinstance(v, keras.Variable) or (
        hasattr(v, "assign") and hasattr(v, "shape") and hasattr(v, "dtype")
        and (hasattr(v, "path") or hasattr(v, "name")))


_NO_OWNER = object()


def default_owner_variables(what: str = "this query") -> list:
    """Every variable created in the current name registry, in creation
    order (the TF1 graph's variables; see the module docstring).

    Raises:
        ValueError: nothing was created there (no default owner).
    """
    reg = naming.registry()
    out, seen = [], set()
    for layer in reg.live_layers():
        for v in layer.weights:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    free = list(reg._slim_variables.values())
    step = getattr(reg, "_slim_global_step", None)
    if step is not None:
        free.append(step)
    for v in free:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    if not out and not reg.live_layers():
        raise ValueError(
            f"{what}: no owner was given and no variable was created in the "
            "current name registry (the TF1 graph), so there is no default "
            "owner. Pass the model, layer or list of variables first, e.g. "
            "get_model_variables(model, 'vgg_16/fc8')."
        )
    return out


def default_regularization_losses(scope: Any = None) -> list:
    """Penalties of the default owner's trainable variables that have a
    ``regularizer`` (TF1's ``REGULARIZATION_LOSSES`` of the graph), also of
    a :func:`variable` made outside any layer. ``scope``: ``re.match`` on
    the path, as ``slim.losses.get_regularization_losses``."""
    out = []
    for v in default_owner_variables("get_regularization_losses"):
        reg = getattr(v, "regularizer", None)
        if reg is None or not getattr(v, "trainable", False):
            continue
        if scope is None or re.match(scope, get_variable_full_name(v)):
            out.append(reg(v))
    return out


def _owner_shift(owner: Any, args: tuple, what: str):
    """slim's signatures had no owner: a leading string is slim's first
    argument. Returns ``(variables, args)``."""
    if owner is _NO_OWNER or owner is None:
        return default_owner_variables(what), args
    if isinstance(owner, str) or (
            isinstance(owner, (list, tuple)) and owner
            and all(isinstance(o, str) for o in owner)):
        # get_model_variables('vgg_16/fc8', 'weights'): (scope, suffix)
        if args[0] is None:  # the rest came as keywords
            return default_owner_variables(what), (owner,) + args[1:]
        if args[-1] is not None:
            raise TypeError(
                f"{what}: got a name/scope {owner!r} first and "
                f"{len(args)} more positional arguments; slim's signature "
                "takes one fewer. Pass the owner first or use keywords.")
        return default_owner_variables(what), (owner,) + args[:-1]
    return iter_variables(owner), args


def iter_variables(owner: Any, argname: str = "model_or_variables"
                   ) -> list:
    """Every variable of ``owner`` (model/layer weights, optimizer variables,
    or the variables of a list / dict values), deduplicated, in order.

    Raises:
        TypeError: naming ``argname`` for anything else (a string, ``None``).
    """
    if isinstance(owner, keras.Layer):
        items = list(owner.weights)
        for v in items:  # a layer's weights are its model variables
            if getattr(v, _KIND, None) is None and not (
                    get_variable_full_name(v).endswith("seed_generator_state")):
                try:
                    setattr(v, _KIND, MODEL)
                except AttributeError:  # pragma: no cover
                    pass
    elif isinstance(owner, keras.optimizers.Optimizer):
        items = list(owner.variables)
        for v in items:  # slots and iterations are never model variables
            if getattr(v, _KIND, None) is None:
                setattr(v, _KIND, OPTIMIZER)
    elif isinstance(owner, dict):
        items = list(owner.values())
    elif isinstance(owner, (list, tuple, set, frozenset)) or (
            not isinstance(owner, (str, bytes)) and hasattr(owner, "__iter__")
            and not _is_variable(owner)):
        items = list(owner)
    elif _is_variable(owner):
        items = [owner]
    else:
        hint = ""
        if owner is None or isinstance(owner, str):
            hint = (" Keras has no global variable collection: pass the "
                    "model (or layer / list of variables) first, e.g. "
                    "get_variables(model, scope='vgg_16/fc8').")
        raise TypeError(
            f"`{argname}` must be a keras Model/Layer, an optimizer, or a "
            f"list/dict of variables. Received: {argname}={owner!r}.{hint}"
        )
    out, seen = [], set()
    for v in items:
        if isinstance(v, (list, tuple)):
            raise TypeError(
                f"`{argname}` must be a flat list of variables. "
                f"Received an element {v!r}."
            )
        if not _is_variable(v):
            raise TypeError(
                f"`{argname}` must contain variables only. Received an "
                f"element {v!r} of type {type(v).__name__}."
            )
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def get_variable_full_name(var: Any) -> str:
    """The slim (checkpoint) name of a variable: ``variable.path``.

    For a raw ``tf.Variable`` (no ``path``) its name without ``:0``.
    """
    path = getattr(var, "path", None)
    if isinstance(path, str) and path:
        return path
    name = getattr(var, "name", None)
    if not isinstance(name, str):
        raise TypeError(
            f"get_variable_full_name: expected a variable. Received: {var!r}."
        )
    return name[:-2] if name.endswith(":0") else name


def _kind(v: Any) -> str:
    tag = getattr(v, _KIND, None)
    if tag is not None:
        return tag
    if get_variable_full_name(v).endswith("seed_generator_state"):
        return "seed"
    return GLOBAL  # a raw variable: a model variable only once added


def _select(vs: Iterable, scope: Any, suffix: str | None) -> list:
    pats = patterns_lib.compile_patterns(scope, "scope")
    if suffix is not None and not isinstance(suffix, str):
        raise TypeError(f"`suffix` must be a string or None. "
                        f"Received: suffix={suffix!r}.")
    out = []
    for v in vs:
        name = get_variable_full_name(v)
        if pats is not None and not patterns_lib.matches_any(name, pats):
            continue
        if suffix is not None and not name.endswith(suffix):
            continue
        out.append(v)
    return out


# -------------------------------------------------------------- queries --

def get_variables(model_or_variables: Any = _NO_OWNER, scope: Any = None,
                  suffix: str | None = None) -> list:
    """Variables of the owner (except locals), filtered by scope and suffix.

    Args:
        model_or_variables: model / layer / optimizer / list of variables;
            omitted (or a string: slim's ``scope``) for the default owner
            (module docstring).
        scope: a pattern (or list) of :mod:`slimkeras.patterns`, e.g. the
            scope ``'vgg_16/fc8'``; None selects all.
        suffix: keep names ending with this string (e.g. ``'weights'``).
    """
    vs, (scope, suffix) = _owner_shift(model_or_variables, (scope, suffix),
                                       "get_variables")
    vs = [v for v in vs if _kind(v) not in (LOCAL, "seed")]
    return _select(vs, scope, suffix)


def get_model_variables(model_or_variables: Any = _NO_OWNER,
                        scope: Any = None,
                        suffix: str | None = None) -> list:
    """The model variables (see module docstring) by scope and suffix."""
    vs, (scope, suffix) = _owner_shift(model_or_variables, (scope, suffix),
                                       "get_model_variables")
    vs = [v for v in vs if _kind(v) == MODEL]
    return _select(vs, scope, suffix)


def get_trainable_variables(model_or_variables: Any = _NO_OWNER,
                            scope: Any = None,
                            suffix: str | None = None) -> list:
    """The trainable variables by scope and suffix."""
    vs, (scope, suffix) = _owner_shift(model_or_variables, (scope, suffix),
                                       "get_trainable_variables")
    vs = [v for v in vs if getattr(v, "trainable", False)]
    return _select(vs, scope, suffix)


def get_local_variables(model_or_variables: Any = _NO_OWNER,
                        scope: Any = None,
                        suffix: str | None = None) -> list:
    """Variables made with :func:`local_variable`, by scope and suffix."""
    vs, (scope, suffix) = _owner_shift(model_or_variables, (scope, suffix),
                                       "get_local_variables")
    vs = [v for v in vs if _kind(v) == LOCAL]
    return _select(vs, scope, suffix)


def get_variables_by_suffix(model_or_variables: Any = _NO_OWNER,
                            suffix: str | None = None,
                            scope: Any = None) -> list:
    """Variables whose name ends with ``suffix`` (optionally in ``scope``).

    slim's ``get_variables_by_suffix(suffix, scope)`` works unchanged.
    """
    vs, (suffix, scope) = _owner_shift(model_or_variables, (suffix, scope),
                                       "get_variables_by_suffix")
    if not isinstance(suffix, str):
        raise TypeError(f"get_variables_by_suffix: `suffix` must be a "
                        f"string. Received: suffix={suffix!r}.")
    return get_variables(vs, scope=scope, suffix=suffix)


def get_variables_by_name(model_or_variables: Any = _NO_OWNER,
                          given_name: str | None = None,
                          scope: Any = None) -> list:
    """Variables whose last path component is ``given_name``.

    slim's ``get_variables_by_name(given_name, scope)`` works unchanged.
    """
    vs, (given_name, scope) = _owner_shift(
        model_or_variables, (given_name, scope), "get_variables_by_name")
    if not isinstance(given_name, str) or not given_name:
        raise ValueError(f"`given_name` must be a non-empty string. "
                         f"Received: given_name={given_name!r}.")
    return [v for v in get_variables(vs, scope=scope)
            if get_variable_full_name(v).rsplit("/", 1)[-1] == given_name]


def get_unique_variable(model_or_variables: Any = _NO_OWNER,
                        var_op_name: str | None = None):
    """The one variable whose full name is exactly ``var_op_name``.

    slim's ``get_unique_variable(var_op_name)`` works unchanged.

    Raises:
        ValueError: none or several match (with close-match suggestions).
    """
    vs, (var_op_name,) = _owner_shift(model_or_variables, (var_op_name,),
                                      "get_unique_variable")
    found = [v for v in vs if get_variable_full_name(v) == var_op_name]
    if len(found) == 1:
        return found[0]
    names = [get_variable_full_name(v) for v in vs]
    if not found:
        close = patterns_lib.suggest(var_op_name, names)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"Couldn't find variable {var_op_name!r}.{hint}")
    raise ValueError(
        f"Variable {var_op_name!r} is not unique: {len(found)} variables "
        "have that path."
    )


def get_variables_to_restore(model_or_variables: Any = _NO_OWNER,
                             include: Any = None,
                             exclude: Any = None) -> list:
    """Variables to restore: those matching ``include`` minus ``exclude``.

    ``include``/``exclude`` are patterns (:mod:`slimkeras.patterns`); a
    pattern that matches no variable triggers a ``UserWarning`` with close
    matches (a typo must not silently restore/skip everything). slim's
    ``get_variables_to_restore(include, exclude)`` works unchanged (the
    default owner).
    """
    vs, (include, exclude) = _owner_shift(
        model_or_variables, (include, exclude), "get_variables_to_restore")
    vs = get_variables(vs)
    names = [get_variable_full_name(v) for v in vs]
    inc = patterns_lib.compile_patterns(include, "include")
    exc = patterns_lib.compile_patterns(exclude, "exclude")
    patterns_lib.warn_unmatched(inc, names, "include")
    patterns_lib.warn_unmatched(exc, names, "exclude")
    return [v for v, n in zip(vs, names)
            if (inc is None or patterns_lib.matches_any(n, inc))
            and not patterns_lib.matches_any(n, exc)]


def filter_variables(var_list: Any, include_patterns: Any = None,
                     exclude_patterns: Any = None,
                     reg_search: bool = True) -> list:
    """slim's ``filter_variables``: regular expressions on full names.

    Included if any include regex matches (all when None), then removed if
    any exclude regex matches. ``reg_search=True`` uses ``re.search``
    (anywhere in the name), False uses ``re.match`` (from the start).
    """
    vs = iter_variables(var_list, "var_list")
    fn = re.search if reg_search else re.match

    def compiled(ps, argname):
        if ps is None:
            return None
        if isinstance(ps, (str, re.Pattern)):
            ps = [ps]
        try:
            return [re.compile(p) for p in ps]
        except (re.error, TypeError) as e:
            raise ValueError(f"`{argname}`: invalid regular expression "
                             f"({e}). Received: {argname}={ps!r}.") from None

    inc = compiled(include_patterns, "include_patterns")
    exc = compiled(exclude_patterns, "exclude_patterns")
    out = []
    for v in vs:
        n = get_variable_full_name(v)
        if inc is not None and not any(fn(p, n) for p in inc):
            continue
        if exc and any(fn(p, n) for p in exc):
            continue
        out.append(v)
    return out


# ------------------------------------------------------------- creation --

def _registry_vars() -> weakref.WeakValueDictionary:
    return naming.registry()._slim_variables


def _create(name: str, shape: Any, dtype: Any, initializer: Any,
            regularizer: Any, trainable: bool, kind: str, fn: str,
            default_init: Any = "glorot_uniform"):
    if not isinstance(name, str) or not name or name.startswith("/") or (
            name.endswith("/")):
        raise ValueError(f"{fn}: `name` must be a non-empty string. "
                         f"Received: name={name!r}.")
    path = f"{naming.current_scope_name()}/{name}".lstrip("/")
    store = _registry_vars()
    existing = store.get(path)
    if existing is not None:
        if naming.current_reuse() or naming.registry().reuse_layers:
            return existing
        raise ValueError(
            f"{fn}: variable {path!r} already exists in this name registry. "
            "Open the scope with reuse=True to get it, or use another name."
        )
    dtype = keras.backend.standardize_dtype(dtype or "float32")
    if initializer is not None and not callable(initializer) and not (
            isinstance(initializer, str)):
        value = np.asarray(initializer, dtype=dtype)
        if shape is not None and tuple(shape) != value.shape:
            raise ValueError(
                f"{fn}: `shape` {tuple(shape)} does not match the initial "
                f"value's shape {value.shape}."
            )
        init, shape = value, None
    else:
        if shape is None:
            raise ValueError(f"{fn}: `shape` is required with an initializer "
                             f"function. Received: shape=None.")
        if initializer is None:
            initializer = (default_init if "float" in dtype else "zeros")
        init = initializers_lib.get(initializer)
        shape = tuple(int(d) for d in shape)
    parent, _, leaf_name = path.rpartition("/")
    grand, _, scope_leaf = parent.rpartition("/")
    kwargs = dict(initializer=init, dtype=dtype, trainable=trainable,
                  name=leaf_name)
    if shape is not None:
        kwargs["shape"] = shape
    if parent:
        with keras.name_scope(scope_leaf, override_parent=grand):
            var = keras.Variable(**kwargs)
    else:
        with keras.name_scope("", override_parent=""):
            var = keras.Variable(**kwargs)
    var.regularizer = regularizers_lib.get(regularizer)
    setattr(var, _KIND, kind)
    store[path] = var
    return var


def model_variable(name, shape=None, dtype="float32", initializer=None,
                   regularizer=None, trainable=True, collections=None,
                   caching_device=None, device=None, partitioner=None,
                   custom_getter=None, use_resource=None,
                   synchronization=None, aggregation=None):
    """Creates (or, under ``reuse``, gets) a model variable.

    Its path is ``<current variable_scope>/<name>``. Attach it to a layer
    (``self.w = slim.model_variable(...)`` in ``__init__``/``build``) so
    Keras tracks, trains and saves it. ``initializer`` is an initializer
    (name, callable) or an initial value (then ``shape`` may be None);
    default Glorot-uniform for floats, zeros otherwise, as TF1.
    ``collections``, ``caching_device``, ``device``, ``partitioner``,
    ``custom_getter``, ``use_resource``, ``synchronization`` and
    ``aggregation`` are TF1 graph options, accepted and ignored.
    """
    del collections, caching_device, device, partitioner, custom_getter
    del use_resource, synchronization, aggregation
    return _create(name, shape, dtype, initializer, regularizer, trainable,
                   MODEL, "model_variable")


def variable(name, shape=None, dtype=None, initializer=None,
             regularizer=None, trainable=True, collections=None,
             caching_device=None, device=None, partitioner=None,
             custom_getter=None, use_resource=None, synchronization=None,
             aggregation=None):
    """Creates (or gets) a variable that is *not* a model variable.

    Same arguments and owner rule as :func:`model_variable`.
    """
    del collections, caching_device, device, partitioner, custom_getter
    del use_resource, synchronization, aggregation
    return _create(name, shape, dtype, initializer, regularizer, trainable,
                   GLOBAL, "variable")


def _default_name(name: str | None, base: str) -> str:
    if name is not None:
        return name
    reg = naming.registry()
    scope = naming.current_scope_name()
    return reg.claim(scope, None, base).rsplit("/", 1)[-1]


def _infer_dtype(value: Any) -> str:
    """TF's rule: Python floats are float32, Python ints int32."""
    if hasattr(value, "dtype"):
        return keras.backend.standardize_dtype(value.dtype)
    arr = np.asarray(value)
    if arr.dtype == np.float64:
        return "float32"
    if arr.dtype == np.int64:
        return "int32"
    return arr.dtype.name


def local_variable(initial_value, validate_shape=True, name=None,
                   use_resource=None):
    """A non-trainable local variable (metric counters and the like)."""
    del validate_shape, use_resource
    return _create(_default_name(name, "Variable"), None,
                   _infer_dtype(initial_value), initial_value, None, False,
                   LOCAL, "local_variable")


def global_variable(initial_value, validate_shape=True, name=None,
                    use_resource=None):
    """A non-trainable global (non-model) variable."""
    del validate_shape, use_resource
    return _create(_default_name(name, "Variable"), None,
                   _infer_dtype(initial_value), initial_value, None, False,
                   GLOBAL, "global_variable")


def add_model_variable(var):
    """Marks an existing variable as a model variable; returns it.

    As tf_slim's (which added it to the graph's ``MODEL_VARIABLES``), it
    also joins the current name registry, so the default-owner queries
    (``slim.get_model_variables()``) list it.
    """
    if not _is_variable(var):
        raise TypeError(f"add_model_variable: expected a variable. "
                        f"Received: {var!r}.")
    setattr(var, _KIND, MODEL)
    store = _registry_vars()
    name = get_variable_full_name(var)
    if store.get(name) is not var:
        store[name if name not in store else f"{name}#{id(var)}"] = var
    return var


# ---------------------------------------------------------- global step --

def _find_step(owner: Any):
    if owner is None:
        return getattr(naming.registry(), "_slim_global_step", None)
    if isinstance(owner, keras.optimizers.Optimizer):
        return owner.iterations
    opt = getattr(owner, "optimizer", None)
    if isinstance(opt, keras.optimizers.Optimizer):
        return opt.iterations
    for v in iter_variables(owner, "owner"):
        if _kind(v) == GLOBAL_STEP:
            return v
    return None


def get_global_step(owner: Any = None):
    """The global step, or None.

    Args:
        owner: an optimizer (its ``iterations``), a compiled model (its
            optimizer's ``iterations``), a model/list holding a variable
            made by :func:`create_global_step`, or None for the step of
            the current name registry (the TF1 "graph").
    """
    return _find_step(owner)


def create_global_step(owner: Any = None):
    """Creates the registry's int64 ``global_step`` variable.

    Raises:
        ValueError: one already exists for ``owner``.
    """
    if _find_step(owner) is not None:
        raise ValueError('"global_step" already exists.')
    if owner is not None and not isinstance(owner, keras.Layer):
        raise TypeError("create_global_step: `owner` must be None or a "
                        f"keras Layer/Model. Received: owner={owner!r}.")
    with keras.name_scope("", override_parent=""):
        var = keras.Variable(0, dtype="int64", trainable=False,
                             name="global_step")
    setattr(var, _KIND, GLOBAL_STEP)
    naming.registry()._slim_global_step = var
    return var


def get_or_create_global_step(owner: Any = None):
    """The global step of ``owner`` (see :func:`get_global_step`), created
    in the current name registry if there is none.

    For a model, the step is its compiled optimizer's ``iterations`` (what
    ``fit`` increments). A created step is a free ``keras.Variable``: attach
    it to a layer to save it with the model.
    """
    step = _find_step(owner)
    if step is None:
        step = create_global_step(None)
    return step


# ------------------------------------------------------------ assigning --

def assign_from_values(var_names_to_values: dict, model_or_variables: Any):
    """Assigns ``{variable path: value}`` to the owner's variables.

    Unlike slim (which returned an op and a feed dict) this assigns at
    once. Every name, shape and dtype is checked first; any problem raises
    one ``ValueError`` listing every offending name and changes nothing.

    Returns:
        The assigned variables.
    """
    if not isinstance(var_names_to_values, dict):
        raise TypeError(
            "`var_names_to_values` must be a dict {variable name: value}. "
            f"Received: {type(var_names_to_values).__name__}."
        )
    by_name: dict[str, list] = {}
    for v in iter_variables(model_or_variables):
        by_name.setdefault(get_variable_full_name(v), []).append(v)
    problems, plan = [], []
    for name, value in var_names_to_values.items():
        vs = by_name.get(name)
        if not vs:
            close = patterns_lib.suggest(name, by_name)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.append(f"  {name}: no such variable{hint}")
            continue
        var = vs[0]
        arr = np.asarray(value)
        if tuple(arr.shape) != tuple(var.shape):
            problems.append(f"  {name}: value shape {tuple(arr.shape)} != "
                            f"variable shape {tuple(var.shape)}")
            continue
        try:
            arr = arr.astype(keras.backend.standardize_dtype(var.dtype),
                             casting="same_kind")
        except TypeError:
            problems.append(f"  {name}: value dtype {arr.dtype} cannot be "
                            f"assigned to a {var.dtype} variable")
            continue
        plan.append((var, arr))
    if problems:
        raise ValueError("assign_from_values: nothing was assigned:\n"
                         + "\n".join(problems))
    for var, arr in plan:
        var.assign(arr)
    return [var for var, _ in plan]


def assign_from_values_fn(var_names_to_values: dict,
                          model_or_variables: Any):
    """A no-argument callable doing :func:`assign_from_values`.

    The callable also accepts (and ignores) one positional argument, so it
    can stand where slim passed a session (``init_fn(sess)``).
    """
    if not isinstance(var_names_to_values, dict):
        raise TypeError(
            "`var_names_to_values` must be a dict {variable name: value}. "
            f"Received: {type(var_names_to_values).__name__}."
        )

    def init_fn(*unused):
        return assign_from_values(var_names_to_values, model_or_variables)

    return init_fn
