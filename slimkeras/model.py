"""``slim.Model``: run a slim-style model function as a Keras model, eagerly.

The function builds layers the slim way (``slim.conv2d(net, 64, [3, 3],
scope='conv1')``). On the first call each layer is created under its scope
path; on later calls (eager or inside ``tf.function``) the same layers are
found again by that path and reused — what ``reuse=True`` or
``make_template`` gave graph users. Two ``slim.Model`` instances hold
independent variables. The model is an ordinary ``keras.Model``:
``compile``/``fit``/``save_weights`` work, regularization losses are in
``model.losses``, and ``variable.path`` is the slim checkpoint name.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from slimkeras import naming

__all__ = ["Model"]


class Model(keras.Model):
    """A ``keras.Model`` whose forward pass is a slim-style function.

    Args:
        model_fn: ``model_fn(inputs, **fn_kwargs)`` returning logits, or
            ``(logits, end_points)`` as slim nets do; the model returns
            exactly what ``model_fn`` returns (as a functional model
            would). ``inputs`` may be a tensor or a (nested) tuple, list or
            dict of tensors, as Keras models take them. For ``fit`` on a
            function returning ``(logits, end_points)``, wrap it:
            ``slim.Model(lambda x: net(x)[0])``. If it accepts
            ``is_training`` and ``fn_kwargs`` does not pin it, it receives
            ``None`` (follow Keras's ``training`` flag).
        fn_kwargs: extra keyword arguments for ``model_fn``.
        arg_scope: optional scope dict (from ``with slim.arg_scope(...) as
            sc``) entered around every call, so defaults do not depend on
            where the model is called.
        name: Keras model name (default: ``model_fn.__name__``).

    Attributes:
        end_points: the end points of the last call (a dict), when
            ``model_fn`` returns ``(logits, end_points)``.
        slim_layers: ``{scope path: layer}`` of every layer created.

    Example:

    >>> import numpy as np, slimkeras as slim
    >>> def net(images, is_training=None):
    ...     x = slim.conv2d(images, 4, [3, 3], scope='conv1')
    ...     x = slim.flatten(x)
    ...     return slim.fully_connected(x, 2, activation_fn=None, scope='fc')
    >>> model = slim.Model(net)
    >>> tuple(model(np.zeros((1, 4, 4, 1), 'float32')).shape)
    (1, 2)
    >>> [v.path for v in model.weights]
    ['conv1/weights', 'conv1/biases', 'fc/weights', 'fc/biases']
    """

    def __init__(
        self,
        model_fn: Callable,
        fn_kwargs: dict | None = None,
        arg_scope: dict | None = None,
        name: str | None = None,
        **kwargs: Any,
    ):
        if not callable(model_fn):
            raise TypeError(
                "slim.Model: model_fn must be callable. "
                f"Received: {model_fn!r}."
            )
        if name is None:
            # A TF name scope must start with a letter/digit: '_net' or
            # '<lambda>' are not valid model names.
            raw = getattr(model_fn, "__name__", "") or ""
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", raw).lstrip("_.-")
            name = name or "slim_model"
        super().__init__(name=name, **kwargs)
        self.model_fn = model_fn
        self.fn_kwargs = dict(fn_kwargs or {})
        self.slim_arg_scope = arg_scope
        self.slim_layers = {}
        self.end_points = {}
        self._registry = naming.NameRegistry(reuse_layers=True)
        self._input_rank = None
        try:
            params = inspect.signature(model_fn).parameters
        except (TypeError, ValueError):
            params = {}
        self._takes_is_training = "is_training" in params

    def __call__(self, *args, **kwargs):
        if not self.built and args:
            # build() sees shapes only: keep the dtypes (integer ids of a
            # structured input must stay integers when building on zeros).
            from keras import tree

            def spec(t):
                shape = getattr(t, "shape", None)
                dtype = getattr(t, "dtype", None)
                if shape is None or dtype is None:
                    t = np.asarray(t)
                    shape, dtype = t.shape, t.dtype
                dtype = keras.backend.standardize_dtype(dtype)
                if "float" in dtype:  # Keras casts float inputs
                    dtype = self.compute_dtype
                return _Spec(tuple(shape), dtype)

            try:
                self._input_specs = tree.map_structure(spec, args[0])
            except (TypeError, ValueError):
                self._input_specs = None
        return super().__call__(*args, **kwargs)

    def build(self, input_shape):
        """Creates every layer by running ``model_fn`` once on zeros.

        Keras locks a model's state once it is built, so all layers are
        made here; later calls only find them again by scope path.
        ``input_shape`` may be a structure (tuple/list/dict) of shapes, as
        for Keras models with several inputs.
        """
        from keras import ops, tree

        from slimkeras import backend_ops

        specs = getattr(self, "_input_specs", None)
        if specs is None:
            specs = tree.map_shape_structure(
                lambda sh: _Spec(tuple(sh), self.compute_dtype), input_shape)
        flat = _leaves(specs)
        for spec in flat:
            if any(d is None for d in spec.shape[1:]):
                raise ValueError(
                    f"slim.Model {self.name!r}: all non-batch input "
                    f"dimensions must be known to build. Received input "
                    f"shape {input_shape}; call the model on real data "
                    "first or pass a full shape."
                )
        self._input_ranks = [len(spec.shape) for spec in flat]
        self._input_rank = self._input_ranks[0]
        with backend_ops.eager_scope():  # also when fit builds in a graph
            inputs = _pack(specs, [
                ops.zeros((1,) + tuple(spec.shape[1:]), dtype=spec.dtype)
                for spec in flat])
            self._run(inputs, training=False)
            for path, layer in self._registry.layers.items():
                self.slim_layers[path] = layer
        self._registry.frozen = True
        self.built = True

    def call(self, inputs, training=None):
        from keras import tree

        ranks = [len(t.shape) for t in tree.flatten(inputs)]
        if ranks != self._input_ranks:
            expected = (self._input_ranks if len(self._input_ranks) > 1
                        else self._input_rank)
            raise ValueError(
                f"slim.Model {self.name!r} was built for inputs of rank "
                f"{expected}; "
                f"received rank {ranks if len(ranks) > 1 else ranks[0]} "
                "(shape "
                f"{tree.map_structure(lambda t: tuple(t.shape), inputs)})."
            )
        return self._run(inputs, training)

    def _run(self, inputs, training=None):
        kwargs = dict(self.fn_kwargs)
        if self._takes_is_training:
            kwargs.setdefault("is_training", None)
        from slimkeras import scopes

        registry = self._registry.call_view()
        with naming.name_registry(registry), naming.collect_outputs():
            if self.slim_arg_scope is not None:
                with scopes.arg_scope(self.slim_arg_scope):
                    out = self.model_fn(inputs, **kwargs)
            else:
                out = self.model_fn(inputs, **kwargs)
        if isinstance(out, tuple) and len(out) == 2 and isinstance(
            out[1], dict
        ):
            self.end_points = dict(out[1])
        return out


class _Spec:
    """Shape and dtype of one input (not a tuple: ``keras.tree`` would
    descend into it)."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype


def _leaves(specs) -> list:
    """The ``_Spec`` leaves in ``keras.tree.flatten`` order (dict keys
    sorted)."""
    if isinstance(specs, _Spec):
        return [specs]
    if isinstance(specs, dict):
        return [x for k in sorted(specs) for x in _leaves(specs[k])]
    if isinstance(specs, (list, tuple)):
        return [x for v in specs for x in _leaves(v)]
    raise TypeError(f"slim.Model: unsupported input structure {specs!r}; "
                    "use tensors in (nested) tuples, lists or dicts.")


def _pack(specs, leaves):
    """``specs`` with each ``_Spec`` replaced by the next of ``leaves``."""
    it = iter(leaves)

    def walk(s):
        if isinstance(s, _Spec):
            return next(it)
        if isinstance(s, dict):
            packed = {k: walk(s[k]) for k in sorted(s)}
            return {k: packed[k] for k in s}
        return type(s)(walk(v) for v in s)

    return walk(specs)
