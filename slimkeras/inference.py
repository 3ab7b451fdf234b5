"""Inference-only models: batch norm folded, weights frozen.

A slim ``conv2d(..., normalizer_fn=batch_norm)`` at inference computes
``bn(conv(x, W))`` with the moving statistics: per output channel
``s = gamma / sqrt(moving_variance + epsilon)`` and
``bn(z) = s * z + (beta - s * moving_mean)``. That equals
``conv(x, W * s) + b`` with ``b = beta - s * moving_mean``: a conv with
biases, which TensorFlow's graph optimizer fuses with its bias and relu
into one kernel, and one pass over the activations less per layer.

:func:`fold_batch_norms` makes that model from a functional one (e.g.
``nets.create_model``). It is a snapshot for inference: its weights are
copies (training the original later does not change it), it has no
batch norm to train, and ``training=True`` gives the same numbers as
inference. Folded layers keep their slim scope, so the variable paths are
``<scope>/weights`` and ``<scope>/biases`` (``.../BatchNorm/...`` is gone).

:func:`freeze` goes one step further, as TF1's ``freeze_graph`` did for
slim nets: one traced inference graph with the (folded) weights as
constants, callable from Python and writable as a frozen ``GraphDef``.
Each call then passes no variable handles (a TF2 function call passes
one per captured variable) and the graph optimizer sees the weights.
"""

from __future__ import annotations

import os
from typing import Any

import keras
import numpy as np

from slimkeras import activations, naming
from slimkeras.layers.batch_norm import BatchNorm
from slimkeras.layers.conv import Convolution
from slimkeras.layers.fully_connected import FullyConnected
from slimkeras.layers.separable_conv import SeparableConv2D

_FOLDABLE = (Convolution, FullyConnected, SeparableConv2D)


def foldable(layer) -> bool:
    """Whether ``layer`` is a slim linear layer whose normalizer folds.

    It must own a :class:`BatchNorm` normalizer that runs on its moving
    statistics at inference (``is_training`` not fixed to True) over the
    layer's output channels (the same channels-first/last layout), and at
    most one of the two activations (the batch norm's, the layer's) may
    be set, so that one activation can follow the folded biases.
    """
    if not isinstance(layer, _FOLDABLE):
        return False
    bn = getattr(layer, "normalizer", None)
    if not isinstance(bn, BatchNorm) or bn.is_training is True:
        return False
    # The batch norm must normalize the layer's output channels.
    if isinstance(layer, (Convolution, SeparableConv2D)) and (
            (bn.data_format == "NCHW") != layer.channels_first):
        return False
    return bn.activation_fn is None or layer.activation_fn is None


def folded_scale_shift(bn: BatchNorm) -> tuple[np.ndarray, np.ndarray]:
    """``(s, b)`` per channel with ``bn(z) == s * z + b`` at inference."""
    mean = np.asarray(keras.ops.convert_to_numpy(bn.moving_mean), np.float64)
    var = np.asarray(keras.ops.convert_to_numpy(bn.moving_variance),
                     np.float64)
    gamma = (np.asarray(keras.ops.convert_to_numpy(bn.gamma), np.float64)
             if bn.scale else np.ones_like(mean))
    beta = (np.asarray(keras.ops.convert_to_numpy(bn.beta), np.float64)
            if bn.center else np.zeros_like(mean))
    s = gamma / np.sqrt(var + float(bn.epsilon))
    return s, beta - s * mean


def _folded_layer(layer):
    bn = layer.normalizer
    act = layer.activation_fn if bn.activation_fn is None else bn.activation_fn
    config = layer.get_config()
    config.update({
        "normalizer_fn": None,
        "normalizer_params": None,
        "activation_fn": activations.serialize(act),
        "biases_initializer": "zeros",
        "biases_regularizer": None,
        "trainable": layer.trainable,
    })
    return type(layer).from_config(config)


def _folded_weights(old, new) -> dict:
    """Values for ``new``'s variables, keyed by variable path."""
    s, b = folded_scale_shift(old.normalizer)
    values = {}
    if isinstance(old, SeparableConv2D):
        dw = keras.ops.convert_to_numpy(old.depthwise_kernel)
        if old.pointwise_kernel is None:
            # Depthwise output channel c * multiplier + m scales (c, m).
            dw = dw * s.reshape(dw.shape[-2:])
        else:
            pw = keras.ops.convert_to_numpy(old.pointwise_kernel)
            values[new.pointwise_kernel.path] = pw * s
        values[new.depthwise_kernel.path] = dw
    else:
        values[new.kernel.path] = keras.ops.convert_to_numpy(old.kernel) * s
    values[new.bias.path] = b
    return values


def _is_functional(model) -> bool:
    return isinstance(model, keras.Sequential) or (
        isinstance(model, keras.Model) and hasattr(model, "_nodes_by_depth"))


def fold_batch_norms(model: keras.Model) -> keras.Model:
    """A copy of ``model`` for inference with batch norm folded into convs.

    Every slim conv / fully connected / separable conv layer whose
    normalizer is a :func:`slimkeras.batch_norm` (see :func:`foldable`)
    becomes the same layer with biases and no normalizer, its kernel
    scaled and its biases set so that outputs equal the original's at
    inference (float32 rounding apart). Every other layer is copied with
    its weights. ``model`` is not changed.

    Args:
        model: a functional or Sequential ``keras.Model`` (e.g. from
            :func:`slimkeras.nets.create_model`).

    Returns:
        A new ``keras.Model`` with the same inputs, outputs, layer names
        and (``end_point_names``) attribute. Its ``folded_scopes`` lists
        the slim scopes whose batch norm was folded.

    Raises:
        TypeError: ``model`` is not a functional/Sequential Keras model
            (a ``slim.Model`` or subclassed model: rebuild it on
            ``keras.Input`` first, as ``nets.create_model`` does).
        ValueError: ``model`` is not built.

    Example:

    >>> import numpy as np
    >>> from slimkeras import nets
    >>> from slimkeras.inference import fold_batch_norms
    >>> model = nets.create_model('mobilenet_v1_025', num_classes=5,
    ...                           input_shape=(32, 32, 3))
    >>> fast = fold_batch_norms(model)
    >>> x = np.random.default_rng(0).random((2, 32, 32, 3), 'float32')
    >>> bool(np.allclose(fast(x), model(x, training=False), atol=1e-4))
    True
    """
    if not _is_functional(model):
        raise TypeError(
            "fold_batch_norms: `model` must be a functional or Sequential "
            "keras.Model (e.g. from slimkeras.nets.create_model). "
            f"Received: model of type {type(model).__name__}. A slim.Model "
            "or subclassed model: build the same layers on keras.Input."
        )
    if not model.built:
        raise ValueError(
            f"fold_batch_norms: model {model.name!r} is not built; call it "
            "on data or build it on keras.Input first."
        )
    pairs = []

    def clone(layer):
        if isinstance(layer, keras.layers.InputLayer) or not isinstance(
                layer, keras.layers.Layer):
            return layer  # inputs and stateless ops (keras.ops nodes)
        fold = foldable(layer)
        new = (_folded_layer(layer) if fold
               else type(layer).from_config(layer.get_config()))
        pairs.append((layer, new, fold))
        return new

    # A fresh name registry: the copies keep their full scopes (given in
    # their configs); normalizers left in place are named inside it.
    with naming.name_registry():
        folded = keras.models.clone_model(model, clone_function=clone)
    scopes = []
    for old, new, fold in pairs:
        if fold:
            values = _folded_weights(old, new)
            for v in new.weights:
                v.assign(values[v.path].astype(v.dtype))
            scopes.append(old.full_scope)
        else:
            new.set_weights(old.get_weights())
    for attr in ("end_point_names",):
        if hasattr(model, attr):
            setattr(folded, attr, list(getattr(model, attr)))
    folded.folded_scopes = scopes
    return folded


class FrozenModel:
    """A model's inference graph with its weights as constants.

    Made by :func:`freeze`. Call it like the model (``frozen(images)``,
    inference only); ``graph_def`` and :meth:`write_graph` give the frozen
    ``GraphDef`` that TF1 tools and ``tf.compat.v1.import_graph_def``
    read, with ``input_names`` / ``output_names`` to feed and fetch.

    Attributes:
        function: the frozen ``tf`` concrete function (flat outputs).
        input_specs: the accepted input ``tf.TensorSpec``s.
        folded_scopes: slim scopes whose batch norm was folded first.
    """

    def __init__(self, function, input_specs, structure, folded_scopes):
        self.function = function
        self.input_specs = list(input_specs)
        self._structure = structure
        self.folded_scopes = list(folded_scopes)

    @property
    def graph_def(self):
        return self.function.graph.as_graph_def()

    @property
    def input_names(self) -> list[str]:
        return [t.name for t in self.function.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t.name for t in self.function.outputs]

    def write_graph(self, path: str) -> str:
        """Writes the frozen ``GraphDef`` (binary protobuf) to ``path``."""
        import tensorflow as tf

        directory, name = os.path.split(os.path.abspath(path))
        return tf.io.write_graph(self.graph_def, directory, name,
                                 as_text=False)

    def __call__(self, *inputs: Any):
        import tensorflow as tf

        if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
            inputs = tuple(inputs[0])
        if len(inputs) != len(self.input_specs):
            raise ValueError(
                f"FrozenModel: expected {len(self.input_specs)} input(s) "
                f"{self.input_specs}. Received {len(inputs)}.")
        tensors = []
        for x, spec in zip(inputs, self.input_specs):
            t = tf.convert_to_tensor(x, spec.dtype)
            if not spec.shape.is_compatible_with(t.shape):
                raise ValueError(
                    f"FrozenModel: input {spec.name!r} must have shape "
                    f"{tuple(spec.shape)} (None: any). Received shape "
                    f"{tuple(t.shape)}.")
            tensors.append(t)
        flat = self.function(*tensors)
        return tf.nest.pack_sequence_as(self._structure, flat)


def predictions_node_name(model: keras.Model) -> str:
    """research/slim's output node for ``model``:
    ``<Scope>/Predictions/Reshape_1`` (``InceptionV3``, ``MobilenetV1``,
    ``LeNet``, ``vgg_16``…: the scope of its first variable), the softmax
    that ``freeze_graph --output_node_names`` and ``label_image
    --output_layer`` name."""
    if not model.weights:
        raise ValueError(f"predictions_node_name: model {model.name!r} has "
                         "no variables to take its scope from.")
    return model.weights[0].path.split("/", 1)[0] + "/Predictions/Reshape_1"


def freeze(model: keras.Model, batch_size: int | None = None,
           fold: bool = True, input_name: str | None = None,
           predictions: bool = False) -> FrozenModel:
    """``model``'s inference graph with its weights as constants.

    The model is first copied with :func:`fold_batch_norms` (``fold``),
    then traced once with ``training=False`` for inputs of the model's
    shapes (batch dimension ``batch_size``; None accepts any), and every
    variable read is replaced by the variable's current value. Later
    changes to ``model``'s weights do not reach the frozen copy.
    TensorFlow backend only.

    Args:
        model: a built functional/Sequential ``keras.Model``.
        batch_size: fixed batch size, or None.
        fold: fold batch norm into the convs first.
        input_name: the input placeholder's node name (research/slim:
            ``'input'``); default the Keras input's name.
        predictions: output the softmax of the (single) logits output as
            node ``<Scope>/Predictions/Reshape_1``
            (:func:`predictions_node_name`), as research/slim's exported
            graphs do, instead of the model's outputs.

    Returns:
        A :class:`FrozenModel`.

    Example:

    >>> import numpy as np
    >>> from slimkeras import nets
    >>> from slimkeras.inference import freeze
    >>> model = nets.create_model('lenet', num_classes=3)
    >>> frozen = freeze(model)
    >>> x = np.zeros((2, 28, 28, 1), 'float32')
    >>> bool(np.allclose(frozen(x), model(x, training=False), atol=1e-5))
    True
    """
    import tensorflow as tf
    from tensorflow.python.framework import convert_to_constants

    if keras.backend.backend() != "tensorflow":
        raise NotImplementedError(
            "freeze: needs the TensorFlow backend. Received backend "
            f"{keras.backend.backend()!r}.")
    if not _is_functional(model):
        raise TypeError(
            "freeze: `model` must be a functional or Sequential keras.Model."
            f" Received: model of type {type(model).__name__}.")
    if not model.built:
        raise ValueError(f"freeze: model {model.name!r} is not built.")
    if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int)
            or batch_size <= 0):
        raise ValueError("freeze: `batch_size` must be a positive int or "
                         f"None. Received: batch_size={batch_size!r}.")
    if input_name is not None and len(model.inputs) != 1:
        raise ValueError("freeze: `input_name` needs a single-input model; "
                         f"{model.name!r} has {len(model.inputs)}.")
    node = predictions_node_name(model) if predictions else None
    target = fold_batch_norms(model) if fold else model
    specs = [
        tf.TensorSpec((batch_size, *t.shape[1:]), t.dtype,
                      name=input_name or (t.name or f"input_{i}").replace(
                          "/", "_"))
        for i, t in enumerate(model.inputs)
    ]
    single = len(specs) == 1

    def infer(*xs):
        out = target(xs[0] if single else list(xs), training=False)
        if node is None:
            return out
        if isinstance(out, (list, tuple, dict)):
            raise ValueError("freeze: `predictions=True` needs a model with "
                             "one (logits) output.")
        scope, leaf = node.rsplit("/", 1)
        # An absolute scope ('…/'), outside Keras's layer scopes.
        with tf.compat.v1.get_default_graph().name_scope(scope + "/"):
            return tf.identity(tf.nn.softmax(out), name=leaf)

    concrete = tf.function(infer).get_concrete_function(*specs)
    frozen = convert_to_constants.convert_variables_to_constants_v2(concrete)
    scopes = getattr(target, "folded_scopes", []) if fold else []
    return FrozenModel(frozen, specs, concrete.structured_outputs, scopes)
