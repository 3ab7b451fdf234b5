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

``batch_weights`` (slim's frequency weight per example, shape
``[batch_size]``) is a call argument — ``slim.batch_norm(x,
batch_weights=w)`` or ``layer(x, batch_weights=w)`` — since it changes
with every batch. In training it selects slim's non-fused path with
weighted moments (``nn.weighted_moments``: weighted mean and biased
weighted variance, also fed to the moving averages); inference ignores it.

Mixed precision (``mixed_bfloat16``/``mixed_float16``): inputs and outputs
are in the compute dtype; ``beta``/``gamma``/moving statistics stay float32
(not autocast) and feed the fused kernel as ``U=float`` with ``T`` the
compute dtype, so the activations make no float32 round trip; statistics
update in float32. The non-fused path computes in float32.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from slimkeras import activations, backend_ops
from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.layers import base, validation

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
        batch_weights: not a constructor argument (raises): pass it to the
            call, ``layer(x, batch_weights=w)``.

    Call arguments:
        inputs, training: as Keras.
        batch_weights: optional ``[batch_size]`` frequency weights (slim's
            weighted moments, training only).
    """

    DEFAULT_SCOPE = "BatchNorm"
    # One frequency weight per example of this batch: a call argument of
    # the function form too (slim.batch_norm(x, batch_weights=w)).
    CALL_ARGS = ("batch_weights",)

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
        batch_weights: Any = None,
        **kwargs,
    ):
        super().__init__(scope=scope, trainable=trainable, **kwargs)
        if batch_weights is not None:
            raise ValueError(
                f"batch_norm {self.full_scope!r}: batch_weights is a "
                "per-batch tensor, not a layer setting: pass it with the "
                "batch, slim.batch_norm(x, batch_weights=w) or "
                "layer(x, batch_weights=w). As a conv's normalizer_params "
                "entry it cannot follow the data: use normalizer_fn=None, "
                "activation_fn=None, biases_initializer=None on the conv, "
                "then slim.batch_norm(net, batch_weights=w, activation_fn=..., "
                "scope='<conv scope>/BatchNorm')."
            )
        if renorm or renorm_clipping is not None or adjustment is not None:
            raise NotImplementedError(
                f"batch_norm {self.full_scope!r}: renorm/renorm_clipping/"
                "adjustment are not supported by slimkeras. Received: "
                f"renorm={renorm!r}, adjustment={adjustment!r}."
            )
        _check_arguments(decay, epsilon, is_training, param_initializers,
                         param_regularizers)
        self.data_format = validation.standardize_data_format(
            data_format, ("NHWC", "NCHW")
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
        scope = self.child_scope("moving_mean")
        self.add_slim_weight(
            "moving_mean_biased", "biased", c, "zeros", trainable=False,
            aggregation="mean", scope=scope,
        )
        self.add_slim_weight(
            "moving_mean_local_step", "local_step", (), "zeros",
            trainable=False, aggregation="mean", scope=scope,
        )

    def add_slim_weight(self, *args, **kwargs):
        # Parameters and statistics are read in their own dtype (float32
        # under a mixed policy): the fused kernel takes T=half/bf16 inputs
        # with U=float parameters, and statistics update in float32.
        kwargs.setdefault("autocast", False)
        return super().add_slim_weight(*args, **kwargs)

    def _params(self, dtype, channels):
        gamma = self.gamma if self.scale else ops.ones((channels,), dtype)
        beta = self.beta if self.center else ops.zeros((channels,), dtype)
        return ops.cast(gamma, dtype), ops.cast(beta, dtype)

    def call(self, inputs, training=None, batch_weights=None):
        train = self.is_training if self.is_training is not None else bool(
            training)
        # slim: batch_weights select the non-fused path and weighted
        # moments (nn.weighted_moments) in training; inference ignores them.
        weighted = train and batch_weights is not None
        if weighted:
            batch_weights = self._check_batch_weights(batch_weights, inputs)
        x = inputs
        channels_first = self.data_format == "NCHW" and self._rank > 2
        if channels_first:
            perm = [0] + list(range(2, self._rank)) + [1]
            x = ops.transpose(x, perm)
        channels = x.shape[-1]
        # Under a mixed policy x is float16/bfloat16 and the arithmetic of
        # parameters and statistics stays float32 (U=float in the kernel).
        stat_dtype = _stat_dtype(x.dtype)
        gamma, beta = self._params(stat_dtype, channels)
        mm = ops.cast(self.moving_mean, stat_dtype)
        mv = ops.cast(self.moving_variance, stat_dtype)
        if self._use_fused and not weighted:
            shape = ops.shape(x)
            x4 = ops.reshape(x, (-1, 1, 1, channels)) if self._rank == 2 else x
            y, mean, var = backend_ops.fused_batch_norm(
                x4, gamma, beta, mm, mv, self.epsilon, train
            )
            y = ops.reshape(y, shape) if self._rank == 2 else y
        else:
            axes = list(range(self._rank - 1))
            xs = ops.cast(x, stat_dtype)
            if weighted:
                mean, var = _weighted_moments(xs, axes, batch_weights)
            elif train:
                mean, var = ops.moments(xs, axes=axes)
            else:
                mean, var = mm, mv
            y = (xs - mean) * ops.rsqrt(var + self.epsilon) * gamma + beta
            y = ops.cast(y, x.dtype)
        if train:
            self._update_moving(mean, var)
        if channels_first:
            inv = [0, self._rank - 1] + list(range(1, self._rank - 1))
            y = ops.transpose(y, inv)
        if self.activation_fn is not None:
            y = self.activation_fn(y)
        return y

    def _check_batch_weights(self, w, inputs):
        w = ops.convert_to_tensor(w)
        batch = inputs.shape[0]
        if len(w.shape) != 1 or (batch is not None and w.shape[0]
                                 is not None and w.shape[0] != batch):
            raise ValueError(
                f"batch_norm {self.full_scope!r}: batch_weights must have "
                f"shape [batch_size] = [{batch}] (one frequency weight per "
                f"example). Received shape {tuple(w.shape)}."
            )
        return w

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


def _check_arguments(decay, epsilon, is_training, param_initializers,
                     param_regularizers) -> None:
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
    for what, d in (("param_initializers", param_initializers),
                    ("param_regularizers", param_regularizers)):
        if d is not None and (not isinstance(d, dict) or set(d) - set(
                _PARAMS)):
            raise ValueError(
                f"batch_norm: `{what}` must be a dict with keys among "
                f"{_PARAMS}. Received: {what}={d!r}."
            )


def _weighted_moments(x, axes, weights):
    """``tf.nn.weighted_moments`` (frequency weights over the batch axis):
    ``mean = sum(w x) / sum(w)``, ``var = sum(w (x - mean)^2) / sum(w)``."""
    w = ops.reshape(ops.cast(weights, x.dtype),
                    (-1,) + (1,) * (len(x.shape) - 1))
    w_full = w + ops.zeros_like(x)
    inv = 1.0 / ops.sum(w_full, axis=axes)
    mean = ops.sum(w * x, axis=axes) * inv
    var = ops.sum(w * ops.square(x - mean), axis=axes) * inv
    return mean, var


def _stat_dtype(dtype) -> str:
    """float32 for float16/bfloat16 inputs, else the input dtype."""
    name = keras.backend.standardize_dtype(dtype)
    return "float32" if name in ("float16", "bfloat16") else name


batch_norm = BatchNorm.function
