"""Stateless slim ops: ``one_hot_encoding``, ``unit_norm``, ``softmax``,
``maxout``, ``scale_gradient``.

They hold no variables; their scope names the output end point. Default
scopes as slim: ``OneHotEncoding``, ``UnitNorm``, ``softmax``, ``MaxOut``;
``scale_gradient`` had none in slim and uses ``ScaleGradient``.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from slimkeras.layers import base, validation


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _input_error(op: str, layer, what: str, input_shape) -> ValueError:
    return ValueError(
        f"{op} {layer.full_scope!r}: {what}. Received input shape "
        f"{tuple(input_shape)}."
    )


@base.slim_op("one_hot_encoding")
class OneHotEncoding(base.SlimLayer):
    """Integer labels to one-hot vectors (a new last axis).

    Args:
        num_classes: size of the new axis.
        on_value: value at the label's index (default 1.0).
        off_value: value elsewhere (default 0.0). Labels outside
            ``[0, num_classes)`` give all ``off_value``.
        scope: default ``OneHotEncoding``.
    """

    DEFAULT_SCOPE = "OneHotEncoding"

    def __init__(self, num_classes: int, on_value: float = 1.0,
                 off_value: float = 0.0, scope: str | None = None, **kwargs):
        super().__init__(scope=scope, **kwargs)
        if not validation.is_int(num_classes) or num_classes <= 0:
            raise ValueError(
                "one_hot_encoding: `num_classes` must be a positive int. "
                f"Received: num_classes={num_classes!r}."
            )
        for name, v in (("on_value", on_value), ("off_value", off_value)):
            if not _is_number(v):
                raise TypeError(
                    f"one_hot_encoding: `{name}` must be a number. "
                    f"Received: {name}={v!r}."
                )
        self.num_classes = num_classes
        self.on_value = float(on_value)
        self.off_value = float(off_value)

    def call(self, labels):
        dtype = keras.backend.standardize_dtype(labels.dtype)
        if not dtype.startswith(("int", "uint")):
            raise TypeError(
                f"one_hot_encoding {self.full_scope!r}: labels must be "
                f"integers. Received dtype {dtype}."
            )
        hot = ops.one_hot(labels, self.num_classes, dtype=self.compute_dtype)
        return hot * (self.on_value - self.off_value) + self.off_value

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.num_classes)

    def get_config(self):
        config = super().get_config()
        config.update({"num_classes": self.num_classes,
                       "on_value": self.on_value,
                       "off_value": self.off_value})
        return config


@base.slim_op("unit_norm")
class UnitNorm(base.SlimLayer):
    """``x / sqrt(epsilon + sum(x^2, dim))``: unit length along ``dim``.

    Args:
        dim: the axis, ``0 <= dim < rank`` (slim takes no negative axis).
        epsilon: added under the square root (default 1e-7).
        scope: default ``UnitNorm``.
    """

    DEFAULT_SCOPE = "UnitNorm"

    def __init__(self, dim: int, epsilon: float = 1e-7,
                 scope: str | None = None, **kwargs):
        super().__init__(scope=scope, **kwargs)
        if not validation.is_int(dim) or dim < 0:
            raise ValueError(
                "unit_norm: `dim` must be an int >= 0. Received: "
                f"dim={dim!r}."
            )
        if not _is_number(epsilon) or epsilon < 0:
            raise ValueError(
                "unit_norm: `epsilon` must be a number >= 0. Received: "
                f"epsilon={epsilon!r}."
            )
        self.dim = dim
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if self.dim >= len(input_shape):
            raise _input_error(
                "unit_norm", self,
                f"`dim` must be smaller than the input rank; got dim="
                f"{self.dim}", input_shape)

    def call(self, inputs):
        sq = ops.sum(ops.square(inputs), axis=self.dim, keepdims=True)
        return inputs / ops.sqrt(sq + self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"dim": self.dim, "epsilon": self.epsilon})
        return config


@base.slim_op("softmax")
class Softmax(base.SlimLayer):
    """Softmax over the last axis, for inputs of any rank >= 2.

    Args:
        scope: default ``softmax``.
    """

    DEFAULT_SCOPE = "softmax"

    def __init__(self, scope: str | None = None, **kwargs):
        super().__init__(scope=scope, **kwargs)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise _input_error(
                "softmax", self,
                "logits must have rank >= 2 and a known last dimension",
                input_shape)

    def call(self, logits):
        return ops.softmax(logits, axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@base.slim_op("maxout")
class Maxout(base.SlimLayer):
    """Maxout (Goodfellow et al., 2013): max over groups along ``axis``.

    The ``axis`` dimension ``C`` becomes ``num_units``. As slim, the
    input is reshaped to its shape with ``C`` replaced by ``num_units``
    plus a trailing axis of ``C / num_units``, and the max is taken over
    that axis: for ``axis=-1`` unit ``i`` is the max of channels
    ``i*k … (i+1)*k - 1`` (``k = C / num_units``); for other axes slim's
    memory-order grouping is kept as it was.

    Args:
        num_units: output size along ``axis``; must divide its size.
        axis: default -1 (channels).
        scope: default ``MaxOut``.
    """

    DEFAULT_SCOPE = "MaxOut"

    def __init__(self, num_units: int, axis: int = -1,
                 scope: str | None = None, **kwargs):
        super().__init__(scope=scope, **kwargs)
        if not validation.is_int(num_units) or num_units <= 0:
            raise ValueError(
                "maxout: `num_units` must be a positive int. Received: "
                f"num_units={num_units!r}."
            )
        if not validation.is_int(axis):
            raise TypeError(
                f"maxout: `axis` must be an int. Received: axis={axis!r}."
            )
        self.num_units = num_units
        self.axis = axis

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise _input_error(
                "maxout", self, f"`axis` is out of bounds; got axis="
                f"{self.axis}", input_shape)
        size = input_shape[self.axis]
        if size is None or size % self.num_units:
            raise _input_error(
                "maxout", self, f"the size of axis {self.axis} ({size}) "
                f"must be a multiple of num_units={self.num_units}",
                input_shape)

    def call(self, inputs):
        dims = list(inputs.shape)
        dynamic = ops.shape(inputs)
        shape = [d if d is not None else dynamic[i]
                 for i, d in enumerate(dims)]
        axis = self.axis % len(dims)
        shape[axis] = self.num_units
        shape.append(int(dims[axis]) // self.num_units)
        return ops.max(ops.reshape(inputs, shape), axis=-1)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.axis] = self.num_units
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"num_units": self.num_units, "axis": self.axis})
        return config


@base.slim_op("scale_gradient")
class ScaleGradient(base.SlimLayer):
    """Identity forward; the gradient is multiplied by ``gradient_multiplier``.

    Args:
        gradient_multiplier: a number (1.0 gives the true gradient). The
            function form ``slim.scale_gradient`` also takes a tensor, as
            slim did: it is then applied directly and builds no layer.
        scope: slim's function had none; default ``ScaleGradient``.
    """

    DEFAULT_SCOPE = "ScaleGradient"

    @classmethod
    def call_without_layer(cls, inputs, arguments):
        # slim also took a tensor multiplier: applied directly, no layer.
        multiplier = arguments.get("gradient_multiplier")
        if multiplier is None or _is_number(multiplier):
            return None
        return _scaled_identity(inputs, multiplier)

    def __init__(self, gradient_multiplier: float,
                 scope: str | None = None, **kwargs):
        super().__init__(scope=scope, **kwargs)
        if not _is_number(gradient_multiplier):
            raise TypeError(
                "scale_gradient: `gradient_multiplier` must be a number. "
                f"Received: gradient_multiplier={gradient_multiplier!r}."
            )
        self.gradient_multiplier = float(gradient_multiplier)

    def call(self, inputs):
        return _scaled_identity(inputs, self.gradient_multiplier)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["gradient_multiplier"] = self.gradient_multiplier
        return config


def _scaled_identity(x, multiplier: float):
    @ops.custom_gradient
    def forward(x):
        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return upstream * ops.cast(multiplier, upstream.dtype)

        return ops.copy(x), grad

    return forward(x)


one_hot_encoding = OneHotEncoding.function
unit_norm = UnitNorm.function
softmax = Softmax.function
maxout = Maxout.function


scale_gradient = ScaleGradient.function
