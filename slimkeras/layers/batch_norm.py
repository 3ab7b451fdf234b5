"""slim ``batch_norm``: names, defaults and moving-statistics arithmetic.

Variables under ``<scope>`` (default ``BatchNorm``): ``beta`` (when
``center``), ``gamma`` (only when ``scale=True``; slim's default is
``False``), ``moving_mean``, ``moving_variance``; with
``zero_debias_moving_mean`` also ``moving_mean/biased`` and
``moving_mean/local_step``.

Training mode: ``is_training=None`` (default) follows Keras's ``training``
flag (``fit`` trains, ``predict`` infers); ``True``/``False`` pins it.
Unlike Keras's BatchNormalization, ``trainable=False`` does not switch the
layer to inference: slim keeps ``is_training`` and ``trainable`` apart.

Moving statistics follow the path slim would take: rank-4 and rank-2
inputs use the fused kernel, whose batch variance is Bessel-corrected
(``n/(n-1)``) before it enters ``moving_variance``; other ranks use plain
moments (biased variance), as slim's non-fused path did. Updates are
``moving -= (moving - batch) * (1 - decay)``.
"""

from __future__ import annotations

from typing import Any

from keras import ops

from slimkeras import activations
from slimkeras import backend_ops
from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.layers import base

_PARAMS = ("beta", "gamma", "moving_mean", "moving_variance")


@base.slim_op("batch_norm", extra_args=("updates_collections",))
class BatchNorm(base.SlimLayer):
    """Batch normalization with slim's arguments, names and arithmetic.

    Args:
        decay: moving-average decay (default 0.999).
        center: add ``beta`` (default True).
        scale: multiply by ``gamma`` (default False, as slim).
        epsilon: added to the variance (default 0.001).
        activation_fn: applied after normalization (default None).
        param_initializers: dict with optional ``beta``, ``gamma``,
            ``moving_mean``, ``moving_variance`` initializers.
        param_regularizers: dict with optional ``beta``/``gamma``
            regularizers.
        updates_collections: slim's graph bookkeeping. Updates always run
            during training here; the value only selects slim's variable
            creation order (``None``: beta first, as slim's fused path).
        is_training: ``None`` follows Keras's ``training`` flag.
        trainable: whether ``beta``/``gamma`` are trainable.
        fused: ``None``/``True`` use the fused kernel where slim would;
            ``False`` forces plain moments (biased variance).
        data_format: ``'NHWC'`` or ``'NCHW'`` (channels axis 1).
        zero_debias_moving_mean: zero-debiased ``moving_mean`` as slim.
        scope: default ``BatchNorm``.
    """

    DEFAULT_SCOPE = "BatchNorm"

    def __init__(
        self,
        decay: float = 0.999,
        center: bool = True,
        scale: bool = False,
        epsilon: float = 0.001,
        activation_fn: Any = None,
        param_initializers: dict | None = None,
        param_regularizers: dict | None = None,
        updates_collections: Any = "update_ops",
        is_training: bool | None = None,
        trainable: bool = True,
        fused: bool | None = None,
        data_format: str = "NHWC",
        zero_debias_moving_mean: bool = False,
        scope: str | None = None,
        renorm: bool = False,
        renorm_clipping: Any = None,
        renorm_decay: float = 0.99,
        adjustment: Any = None,
        full_scope: str | None = None,
        **kwargs,
    ):
        super().__init__(
            scope=scope, full_scope=full_scope, trainable=trainable, **kwargs
        )
        if renorm or renorm_clipping is not None or adjustment is not None:
            raise NotImplementedError(
                f"batch_norm {self.full_scope!r}: renorm/renorm_clipping/"
                "adjustment are not supported by slimkeras. Received: "
                f"renorm={renorm!r}, adjustment={adjustment!r}."
            )
        for what, value in (("decay", decay), ("epsilon", epsilon)):
            if isinstance(value, (str, bytes, bool)) or value is None:
                raise TypeError(
                    f"batch_norm: `{what}` must be a float. Received: "
                    f"{what}={value!r}."
                )
        if not 0.0 <= float(decay) <= 1.0:
            raise ValueError(
                f"batch_norm: `decay` must be in [0, 1]. Received: "
                f"decay={decay!r}."
            )
        if float(epsilon) <= 0.0:
            raise ValueError(
                f"batch_norm: `epsilon` must be > 0. Received: "
                f"epsilon={epsilon!r}."
            )
        if is_training not in (None, True, False):
            raise TypeError(
                "batch_norm: `is_training` must be None, True or False. "
                f"Received: is_training={is_training!r}."
            )
        self.data_format = base.check_data_format(
            data_format, ("NHWC", "NCHW")
        )
        for what, d in (("param_initializers", param_initializers),
                        ("param_regularizers", param_regularizers)):
            if d is not None and (not isinstance(d, dict) or set(d) - set(
                    _PARAMS)):
                raise ValueError(
                    f"batch_norm: `{what}` must be a dict with keys among "
                    f"{_PARAMS}. Received: {what}={d!r}."
                )
        self.decay = float(decay)
        self.center = bool(center)
        self.scale = bool(scale)
        self.epsilon = float(epsilon)
        self.activation_fn = activations.get(activation_fn)
        self.param_initializers = {
            k: initializers_lib.get(v)
            for k, v in (param_initializers or {}).items()
        }
        self.param_regularizers = {
            k: regularizers_lib.get(v)
            for k, v in (param_regularizers or {}).items()
        }
        self.updates_collections = updates_collections
        self.is_training = is_training
        self.fused = fused
        self.zero_debias_moving_mean = bool(zero_debias_moving_mean)
        self.renorm_decay = renorm_decay

    def _init(self, name, default):
        return self.param_initializers.get(name) or default

    def build(self, input_shape):
        rank = len(input_shape)
        if rank < 2:
            raise ValueError(
                f"batch_norm {self.full_scope!r}: inputs must have rank >= 2. "
                f"Received input shape {tuple(input_shape)}."
            )
        axis = 1 if self.data_format == "NCHW" else rank - 1
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(
                f"batch_norm {self.full_scope!r}: the channels dimension must "
                f"be known. Received input shape {tuple(input_shape)}."
            )
        self._rank = rank
        self._axis = axis
        self._use_fused = self.fused is not False and rank in (2, 4)
        c = (int(channels),)
        # slim's own fused path (rank 2, updates_collections=None or
        # zero-debias) makes beta first; its Keras-layer path makes gamma
        # first. Checkpoints are by name: only listings see the order.
        beta_first = (
            rank == 2 or self.updates_collections is None
            or self.zero_debias_moving_mean
        )
        order = ("beta", "gamma") if beta_first else ("gamma", "beta")
        for name in order:
            if name == "beta" and self.center:
                self.add_slim_weight(
                    "beta", "beta", c, self._init("beta", "zeros"),
                    self.param_regularizers.get("beta"),
                )
            if name == "gamma" and self.scale:
                self.add_slim_weight(
                    "gamma", "gamma", c, self._init("gamma", "ones"),
                    self.param_regularizers.get("gamma"),
                )
        self.add_slim_weight(
            "moving_mean", "moving_mean", c,
            self._init("moving_mean", "zeros"), trainable=False,
            aggregation="mean",
        )
        if self.zero_debias_moving_mean:
            self._add_debias_vars(c)
        self.add_slim_weight(
            "moving_variance", "moving_variance", c,
            self._init("moving_variance", "ones"), trainable=False,
            aggregation="mean",
        )

    def _add_debias_vars(self, c):
        saved = self.full_scope
        self.full_scope = f"{saved}/moving_mean"
        try:
            self.add_slim_weight(
                "moving_mean_biased", "biased", c, "zeros", trainable=False,
                aggregation="mean",
            )
            self.add_slim_weight(
                "moving_mean_local_step", "local_step", (), "zeros",
                trainable=False, aggregation="mean",
            )
        finally:
            self.full_scope = saved

    def _params(self, dtype, channels):
        gamma = self.gamma if self.scale else ops.ones((channels,), dtype)
        beta = self.beta if self.center else ops.zeros((channels,), dtype)
        return ops.cast(gamma, dtype), ops.cast(beta, dtype)

    def call(self, inputs, training=None):
        train = self.is_training if self.is_training is not None else bool(
            training)
        x = inputs
        channels_first = self.data_format == "NCHW" and self._rank > 2
        if channels_first:
            perm = [0] + list(range(2, self._rank)) + [1]
            x = ops.transpose(x, perm)
        channels = x.shape[-1]
        gamma, beta = self._params(x.dtype, channels)
        mm = ops.cast(self.moving_mean, x.dtype)
        mv = ops.cast(self.moving_variance, x.dtype)
        if self._use_fused:
            shape = ops.shape(x)
            x4 = ops.reshape(x, (-1, 1, 1, channels)) if self._rank == 2 else x
            y, mean, var = backend_ops.fused_batch_norm(
                x4, gamma, beta, mm, mv, self.epsilon, train
            )
            y = ops.reshape(y, shape) if self._rank == 2 else y
        else:
            axes = list(range(self._rank - 1))
            if train:
                mean, var = ops.moments(x, axes=axes)
            else:
                mean, var = mm, mv
            y = (x - mean) * ops.rsqrt(var + self.epsilon) * gamma + beta
        if train:
            self._update_moving(mean, var)
        if channels_first:
            inv = [0, self._rank - 1] + list(range(1, self._rank - 1))
            y = ops.transpose(y, inv)
        if self.activation_fn is not None:
            y = self.activation_fn(y)
        return y

    def _update_moving(self, mean, var):
        one_minus = 1.0 - self.decay
        mean = ops.cast(mean, self.moving_mean.dtype)
        var = ops.cast(var, self.moving_variance.dtype)
        if self.zero_debias_moving_mean:
            biased = self.moving_mean_biased
            step = self.moving_mean_local_step
            biased.assign(biased - (biased - mean) * one_minus)
            step.assign(step + 1.0)
            self.moving_mean.assign(
                biased / (1.0 - ops.power(self.decay, step))
            )
        else:
            self.moving_mean.assign(
                self.moving_mean - (self.moving_mean - mean) * one_minus
            )
        self.moving_variance.assign(
            self.moving_variance - (self.moving_variance - var) * one_minus
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "decay": self.decay,
            "center": self.center,
            "scale": self.scale,
            "epsilon": self.epsilon,
            "activation_fn": activations.serialize(self.activation_fn),
            "param_initializers": {
                k: initializers_lib.serialize(v)
                for k, v in self.param_initializers.items()
            } or None,
            "param_regularizers": {
                k: regularizers_lib.serialize(v)
                for k, v in self.param_regularizers.items()
            } or None,
            "updates_collections": self.updates_collections,
            "is_training": self.is_training,
            "fused": self.fused,
            "data_format": self.data_format,
            "zero_debias_moving_mean": self.zero_debias_moving_mean,
        })
        return config


batch_norm = BatchNorm.function
