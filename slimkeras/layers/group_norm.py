"""slim ``group_norm`` (Wu & He, 2018): ``<scope>/beta``, ``<scope>/gamma``.

The channels axis is split into ``groups``; moments are taken over each
group's channels and ``reduction_axes``. ``beta``/``gamma`` have shape
``[channels]``. Default scope ``GroupNorm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keras import ops

from slimkeras.layers import base, validation
from slimkeras.layers.normalization import AffineNorm, moments


@base.slim_op("group_norm")
class GroupNorm(AffineNorm):
    """Group normalization with slim's arguments and names.

    Args:
        groups: number of channel groups (default 32); must divide the
            number of channels.
        channels_axis: the channels axis (default -1; NCHW: -3).
        reduction_axes: axes the statistics run over besides the group's
            channels (default ``(-3, -2)``; NCHW: ``(-2, -1)``).
        center: add ``beta`` (default True).
        scale: multiply by ``gamma`` (default True).
        epsilon: added to the variance (default 1e-6).
        activation_fn: applied last (default None).
        param_initializers: dict with optional ``beta``/``gamma``.
        trainable: whether ``beta``/``gamma`` are trainable.
        scope: default ``GroupNorm``.
        mean_close_to_zero: one-pass variance ``E[x^2] - E[x]^2``.
    """

    DEFAULT_SCOPE = "GroupNorm"
    _has_param_initializers = True

    def __init__(
        self,
        groups: int = 32,
        channels_axis: int = -1,
        reduction_axes: Sequence[int] = (-3, -2),
        center: bool = True,
        scale: bool = True,
        epsilon: float = 1e-6,
        activation_fn: Any = None,
        param_initializers: dict | None = None,
        trainable: bool = True,
        scope: str | None = None,
        mean_close_to_zero: bool = False,
        **kwargs,
    ):
        super().__init__(
            scope=scope, trainable=trainable, **kwargs
        )
        if not validation.is_int(groups) or groups <= 0:
            raise ValueError(
                "group_norm: `groups` must be a positive int. Received: "
                f"groups={groups!r}."
            )
        if not validation.is_int(channels_axis):
            raise TypeError(
                "group_norm: `channels_axis` must be an int. Received: "
                f"channels_axis={channels_axis!r}."
            )
        if isinstance(reduction_axes, int) or not all(
                validation.is_int(a) for a in reduction_axes):
            raise TypeError(
                "group_norm: `reduction_axes` must be a sequence of ints. "
                f"Received: reduction_axes={reduction_axes!r}."
            )
        self._setup(center, scale, activation_fn, param_initializers)
        self.groups = groups
        self.channels_axis = channels_axis
        self.reduction_axes = tuple(reduction_axes)
        self.epsilon = validation.check_epsilon("group_norm", epsilon)
        self.mean_close_to_zero = bool(mean_close_to_zero)

    def build(self, input_shape):
        rank = len(input_shape)
        if rank < 2:
            raise self._err("inputs must have rank >= 2", input_shape)
        if not -rank <= self.channels_axis < rank:
            raise self._err(
                f"`channels_axis` is out of bounds; got channels_axis="
                f"{self.channels_axis}", input_shape)
        c_axis = self.channels_axis % rank
        channels = input_shape[c_axis]
        if channels is None:
            raise self._err("the channels dimension must be known",
                            input_shape)
        axes = []
        for a in self.reduction_axes:
            if not -rank <= a < rank:
                raise self._err(
                    f"`reduction_axes` is out of bounds; got reduction_axes="
                    f"{self.reduction_axes}", input_shape)
            a %= rank
            if a == c_axis:
                raise self._err(
                    "`reduction_axes` must not contain `channels_axis`; got "
                    f"reduction_axes={self.reduction_axes}, channels_axis="
                    f"{self.channels_axis}", input_shape)
            if input_shape[a] is None:
                raise self._err(
                    f"reduction axis {a} must have a known size", input_shape)
            axes.append(a + 1 if a > c_axis else a)
        if self.groups > channels or channels % self.groups:
            raise self._err(
                f"{channels} channels are not divisible into groups="
                f"{self.groups}", input_shape)
        self._c_axis = c_axis
        self._moment_axes = [c_axis + 1] + axes
        per_group = int(channels) // self.groups
        self._param_shape = (
            [1] * c_axis + [self.groups, per_group] + [1] * (rank - c_axis - 1)
        )
        self._add_params((int(channels),))

    def call(self, inputs):
        dims = list(inputs.shape)
        dynamic = ops.shape(inputs)
        full = [d if d is not None else dynamic[i] for i, d in enumerate(dims)]
        c = self._c_axis
        grouped = (full[:c] + [self.groups, int(dims[c]) // self.groups]
                   + full[c + 1:])
        x = ops.reshape(inputs, grouped)
        mean, var = moments(x, self._moment_axes, self.mean_close_to_zero)
        y = self._affine(x, mean, var, self.epsilon, self._param_shape)
        return ops.reshape(y, full)

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "channels_axis": self.channels_axis,
            "reduction_axes": list(self.reduction_axes),
            "epsilon": self.epsilon,
            "mean_close_to_zero": self.mean_close_to_zero,
        })
        return config


group_norm = GroupNorm.function
