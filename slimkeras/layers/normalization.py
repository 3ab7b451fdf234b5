"""slim ``layer_norm``, ``group_norm`` and ``instance_norm``.

Each holds ``<scope>/beta`` (when ``center``, zeros) and ``<scope>/gamma``
(when ``scale``, ones), created in that order, as slim did. Default scopes:
``LayerNorm``, ``GroupNorm``, ``InstanceNorm``. None of them keeps moving
statistics: training and inference compute the same thing.

Arithmetic follows slim: two-pass moments (variance of ``x - mean``),
then ``x * gain + offset`` with ``gain = gamma * rsqrt(var + epsilon)``.
``layer_norm``'s epsilon is fixed at slim's ``1e-12`` (``1e-3`` for
float16).
"""

from __future__ import annotations

from typing import Any

from keras import ops

from slimkeras import activations
from slimkeras import initializers as initializers_lib
from slimkeras.layers import base, validation

_PARAMS = ("beta", "gamma")


def moments(x, axes, one_pass: bool = False):
    """Mean and (biased) variance over ``axes``, keeping dims.

    ``one_pass`` uses ``E[x^2] - E[x]^2`` (slim's ``mean_close_to_zero``);
    otherwise the variance of ``x - mean`` (TF's ``nn.moments``).
    """
    mean = ops.mean(x, axis=axes, keepdims=True)
    if one_pass:
        var = ops.mean(ops.square(x), axis=axes, keepdims=True)
        return mean, var - ops.square(mean)
    centered = x - ops.stop_gradient(mean)
    return mean, ops.mean(ops.square(centered), axis=axes, keepdims=True)


class AffineNorm(base.SlimLayer):
    """Shared ``beta``/``gamma`` handling and activation."""

    def _setup(self, center, scale, activation_fn, param_initializers=None):
        if param_initializers is not None and (
            not isinstance(param_initializers, dict)
            or set(param_initializers) - set(_PARAMS)
        ):
            raise ValueError(
                f"{self.OP_NAME}: `param_initializers` must be a dict with "
                f"keys among {_PARAMS}. Received: "
                f"param_initializers={param_initializers!r}."
            )
        self.center = bool(center)
        self.scale = bool(scale)
        self.activation_fn = activations.get(activation_fn)
        self.param_initializers = {
            k: initializers_lib.get(v)
            for k, v in (param_initializers or {}).items()
        }

    def _add_params(self, shape) -> None:
        if self.center:
            self.add_slim_weight(
                "beta", "beta", shape,
                self.param_initializers.get("beta") or "zeros",
            )
        if self.scale:
            self.add_slim_weight(
                "gamma", "gamma", shape,
                self.param_initializers.get("gamma") or "ones",
            )

    def _affine(self, x, mean, var, epsilon, param_shape=None):
        """``x`` normalized by ``mean``/``var`` then scaled and shifted."""
        gain = ops.rsqrt(var + epsilon)
        offset = -mean * gain
        if self.scale:
            gamma = ops.cast(self.gamma, x.dtype)
            if param_shape is not None:
                gamma = ops.reshape(gamma, param_shape)
            gain = gain * gamma
            offset = offset * gamma
        if self.center:
            beta = ops.cast(self.beta, x.dtype)
            if param_shape is not None:
                beta = ops.reshape(beta, param_shape)
            offset = offset + beta
        y = x * gain + offset
        if self.activation_fn is not None:
            y = self.activation_fn(y)
        return y

    def _err(self, what: str, input_shape) -> ValueError:
        return ValueError(
            f"{self.OP_NAME} {self.full_scope!r}: {what}. Received input "
            f"shape {tuple(input_shape)}."
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "center": self.center,
            "scale": self.scale,
            "activation_fn": activations.serialize(self.activation_fn),
        })
        if hasattr(self, "_has_param_initializers"):
            config["param_initializers"] = {
                k: initializers_lib.serialize(v)
                for k, v in self.param_initializers.items()
            } or None
        return config


@base.slim_op("layer_norm")
class LayerNorm(AffineNorm):
    """Layer normalization (Ba et al., 2016) with slim's names.

    Moments over axes ``begin_norm_axis … rank-1``; ``beta``/``gamma`` of
    shape ``inputs.shape[begin_params_axis:]``.

    Args:
        center: add ``beta`` (default True).
        scale: multiply by ``gamma`` (default True).
        activation_fn: applied last (default None).
        trainable: whether ``beta``/``gamma`` are trainable.
        begin_norm_axis: first normalized axis (default 1; may be < 0).
        begin_params_axis: first parameter axis (default -1).
        scope: default ``LayerNorm``.
    """

    DEFAULT_SCOPE = "LayerNorm"

    def __init__(
        self,
        center: bool = True,
        scale: bool = True,
        activation_fn: Any = None,
        trainable: bool = True,
        begin_norm_axis: int = 1,
        begin_params_axis: int = -1,
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            scope=scope, trainable=trainable, **kwargs
        )
        for name, v in (("begin_norm_axis", begin_norm_axis),
                        ("begin_params_axis", begin_params_axis)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(
                    f"layer_norm: `{name}` must be an int. Received: "
                    f"{name}={v!r}."
                )
        self._setup(center, scale, activation_fn)
        self.begin_norm_axis = begin_norm_axis
        self.begin_params_axis = begin_params_axis

    def build(self, input_shape):
        rank = len(input_shape)
        for name in ("begin_norm_axis", "begin_params_axis"):
            v = getattr(self, name)
            if not -rank <= v < rank:
                raise self._err(
                    f"`{name}` must be in [-rank, rank) for inputs of rank "
                    f"{rank}; got {name}={v}", input_shape)
        params_shape = tuple(input_shape[self.begin_params_axis:])
        if any(d is None for d in params_shape):
            raise self._err(
                f"inputs.shape[{self.begin_params_axis}:] must be fully "
                "defined", input_shape)
        self._norm_axes = list(range(self.begin_norm_axis % rank, rank))
        self._add_params(params_shape)

    def call(self, inputs):
        eps = 1e-3 if inputs.dtype == "float16" else 1e-12
        mean, var = moments(inputs, self._norm_axes)
        return self._affine(inputs, mean, var, eps)

    def get_config(self):
        config = super().get_config()
        config.update({
            "begin_norm_axis": self.begin_norm_axis,
            "begin_params_axis": self.begin_params_axis,
        })
        return config


@base.slim_op("instance_norm")
class InstanceNorm(AffineNorm):
    """Instance normalization (Ulyanov et al., 2016) with slim's names.

    Moments over all axes but the batch and channels axes; ``beta`` and
    ``gamma`` have shape ``[channels]``.

    Args:
        center: add ``beta`` (default True).
        scale: multiply by ``gamma`` (default True).
        epsilon: added to the variance (default 1e-6).
        activation_fn: applied last (default None).
        param_initializers: dict with optional ``beta``/``gamma``.
        trainable: whether ``beta``/``gamma`` are trainable.
        data_format: ``'NHWC'`` (channels last) or ``'NCHW'`` (axis 1).
        scope: default ``InstanceNorm``.
    """

    DEFAULT_SCOPE = "InstanceNorm"
    _has_param_initializers = True

    def __init__(
        self,
        center: bool = True,
        scale: bool = True,
        epsilon: float = 1e-6,
        activation_fn: Any = None,
        param_initializers: dict | None = None,
        trainable: bool = True,
        data_format: str = "NHWC",
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            scope=scope, trainable=trainable, **kwargs
        )
        self._setup(center, scale, activation_fn, param_initializers)
        self.epsilon = validation.check_epsilon("instance_norm", epsilon)
        self.data_format = validation.standardize_data_format(
            data_format, ("NHWC", "NCHW"))

    def build(self, input_shape):
        rank = len(input_shape)
        if rank < 2:
            raise self._err("inputs must have rank >= 2", input_shape)
        axis = 1 if self.data_format == "NCHW" else rank - 1
        if input_shape[axis] is None:
            raise self._err("the channels dimension must be known",
                            input_shape)
        self._axes = [a for a in range(1, rank) if a != axis]
        self._param_shape = None
        if self.data_format == "NCHW":
            self._param_shape = [1, int(input_shape[1])] + [1] * (rank - 2)
        self._add_params((int(input_shape[axis]),))

    def call(self, inputs):
        mean, var = moments(inputs, self._axes)
        return self._affine(inputs, mean, var, self.epsilon,
                            self._param_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "epsilon": self.epsilon,
            "data_format": self.data_format,
        })
        return config


instance_norm = InstanceNorm.function
layer_norm = LayerNorm.function
