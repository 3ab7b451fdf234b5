"""Building blocks of I3D and S3D-G (research/slim ``nets/i3d_utils``).

* :class:`CenterInitializer` / :func:`center_initializer`: identity in
  time for ``[kT, 1, 1, C, C]`` temporal kernels (odd ``kT``).
* :func:`conv3d_spatiotemporal`: a ``conv3d``, or with ``separable=True``
  (and ``kT != 1``) a spatial ``[1, kH, kW]`` conv named ``scope`` (with
  the normalizer) followed by a temporal ``[kT, 1, 1]`` conv named
  ``<scope>/temporal`` (biases, no normalizer, center-initialised); both
  get ``activation_fn``.
* :func:`inception_block_v1_3d`: a 3-D Inception-v1 block
  (``Branch_0`` … ``Branch_3``), optional self-gating after each
  branch's last op.
* :func:`reduced_kernel_size_3d`: ``min(map, kernel)`` per axis.

Inputs are NDHWC ``[B, T, H, W, C]`` (``data_format='NCDHW'`` is
accepted where slim accepted it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops

from slimkeras import naming, scopes
from slimkeras.layers.conv import conv3d
from slimkeras.layers.pooling import max_pool3d

__all__ = [
    "CenterInitializer",
    "center_initializer",
    "conv3d_spatiotemporal",
    "inception_block_v1_3d",
    "reduced_kernel_size_3d",
]


@keras.saving.register_keras_serializable(package="slimkeras")
class CenterInitializer(keras.initializers.Initializer):
    """``w[kT // 2, 0, 0, i, i] = 1``, else 0 (identity in time)."""

    def __call__(self, shape, dtype=None):
        shape = tuple(int(d) for d in shape)
        if len(shape) != 5:
            raise ValueError(
                f"center_initializer: expected a 5-D kernel shape. Received "
                f"{shape}.")
        if shape[3] != shape[4]:
            raise ValueError(
                "center_initializer: input and output channels must be "
                f"equal. Received {shape}.")
        if shape[1] != 1 or shape[2] != 1:
            raise ValueError(
                "center_initializer: spatial kernel sizes must be 1. "
                f"Received {shape}.")
        if shape[0] % 2 == 0:
            raise ValueError(
                "center_initializer: the temporal kernel size must be odd. "
                f"Received {shape}.")
        dtype = dtype or "float32"
        if keras.backend.standardize_dtype(dtype) not in ("float32",
                                                          "bfloat16"):
            raise ValueError(
                "center_initializer: dtype must be float32 or bfloat16. "
                f"Received {dtype!r}.")
        value = np.zeros(shape, np.float32)
        idx = np.arange(shape[3])
        value[shape[0] // 2, 0, 0, idx, idx] = 1.0
        return ops.cast(ops.convert_to_tensor(value), dtype)

    def get_config(self):
        return {}


def center_initializer() -> CenterInitializer:
    """The temporal-kernel initializer of separable I3D/S3D-G convs."""
    return CenterInitializer()


def _triple(value, what):
    if isinstance(value, int):
        return [value] * 3
    value = list(value)
    if len(value) != 3:
        raise ValueError(
            f"conv3d_spatiotemporal: `{what}` must be an int or 3 ints. "
            f"Received: {what}={value!r}.")
    return value


@scopes.add_arg_scope
def conv3d_spatiotemporal(inputs, num_outputs: int, kernel_size, stride=1,
                          padding: str = "SAME", activation_fn: Any = None,
                          normalizer_fn: Any = None,
                          normalizer_params: dict | None = None,
                          weights_regularizer: Any = None,
                          separable: bool = False,
                          data_format: str = "NDHWC", scope: str = ""):
    """3-D conv, or spatial + temporal separable convs (see module doc)."""
    kernel_size = list(kernel_size)
    if len(kernel_size) != 3:
        raise ValueError(
            "conv3d_spatiotemporal: `kernel_size` must have 3 entries "
            f"[kT, kH, kW]. Received: kernel_size={kernel_size!r}.")
    if not scope:
        raise ValueError("conv3d_spatiotemporal: `scope` is required.")
    common = dict(padding=padding, activation_fn=activation_fn,
                  data_format=data_format)
    if separable and kernel_size[0] != 1:
        if isinstance(stride, (list, tuple)) and len(stride) == 3:
            s = list(stride)
        else:
            s = _triple(stride, "stride")
        net = conv3d(inputs, num_outputs, [1, kernel_size[1], kernel_size[2]],
                     stride=[1, s[1], s[2]], normalizer_fn=normalizer_fn,
                     normalizer_params=normalizer_params,
                     weights_regularizer=weights_regularizer, scope=scope,
                     **common)
        return conv3d(net, num_outputs, [kernel_size[0], 1, 1],
                      stride=[s[0], 1, 1], normalizer_fn=None,
                      weights_initializer=center_initializer(),
                      scope=scope + "/temporal", **common)
    return conv3d(inputs, num_outputs, kernel_size, stride=stride,
                  normalizer_fn=normalizer_fn,
                  normalizer_params=normalizer_params,
                  weights_regularizer=weights_regularizer, scope=scope,
                  **common)


@scopes.add_arg_scope
def inception_block_v1_3d(inputs, num_outputs_0_0a: int,
                          num_outputs_1_0a: int, num_outputs_1_0b: int,
                          num_outputs_2_0a: int, num_outputs_2_0b: int,
                          num_outputs_3_0b: int,
                          temporal_kernel_size: int = 3,
                          self_gating_fn: Callable | None = None,
                          data_format: str = "NDHWC", scope: str = ""):
    """3-D Inception-v1 block; channels ``0_0a + 1_0b + 2_0b + 3_0b``.

    ``Branch_0``: 1x1x1 ``Conv2d_0a_1x1``. ``Branch_1``/``Branch_2``: 1x1x1
    ``Conv2d_0a_1x1`` then :func:`conv3d_spatiotemporal`
    ``[temporal_kernel_size, 3, 3]`` ``Conv2d_0b_3x3``. ``Branch_3``:
    ``MaxPool_0a_3x3`` [3, 3, 3] (stride/padding from the enclosing
    arg_scope, as slim) then 1x1x1 ``Conv2d_0b_1x1``.
    ``self_gating_fn(x, scope=<last op>)`` follows each branch if given.
    """
    if data_format not in ("NDHWC", "NCDHW"):
        raise ValueError(
            "inception_block_v1_3d: `data_format` must be 'NDHWC' or "
            f"'NCDHW'. Received: {data_format!r}.")
    gate = self_gating_fn or (lambda x, scope: x)
    k = temporal_kernel_size
    with naming.variable_scope(scope or None, default_name="inception"):
        with naming.variable_scope("Branch_0"):
            b0 = conv3d(inputs, num_outputs_0_0a, [1, 1, 1],
                        scope="Conv2d_0a_1x1")
            b0 = gate(b0, scope="Conv2d_0a_1x1")
        with naming.variable_scope("Branch_1"):
            b1 = conv3d(inputs, num_outputs_1_0a, [1, 1, 1],
                        scope="Conv2d_0a_1x1")
            b1 = conv3d_spatiotemporal(b1, num_outputs_1_0b, [k, 3, 3],
                                       scope="Conv2d_0b_3x3")
            b1 = gate(b1, scope="Conv2d_0b_3x3")
        with naming.variable_scope("Branch_2"):
            b2 = conv3d(inputs, num_outputs_2_0a, [1, 1, 1],
                        scope="Conv2d_0a_1x1")
            b2 = conv3d_spatiotemporal(b2, num_outputs_2_0b, [k, 3, 3],
                                       scope="Conv2d_0b_3x3")
            b2 = gate(b2, scope="Conv2d_0b_3x3")
        with naming.variable_scope("Branch_3"):
            b3 = max_pool3d(inputs, [3, 3, 3], scope="MaxPool_0a_3x3")
            b3 = conv3d(b3, num_outputs_3_0b, [1, 1, 1],
                        scope="Conv2d_0b_1x1")
            b3 = gate(b3, scope="Conv2d_0b_1x1")
        return ops.concatenate([b0, b1, b2, b3],
                               axis=data_format.index("C"))


def reduced_kernel_size_3d(input_tensor, kernel_size):
    """``kernel_size`` clipped to the static ``[T, H, W]`` of
    ``input_tensor`` (unchanged when any of them is unknown)."""
    kernel_size = list(kernel_size)
    if len(kernel_size) != 3 or len(input_tensor.shape) != 5:
        raise ValueError(
            "reduced_kernel_size_3d: expected a 3-entry kernel and a 5-D "
            f"input. Received kernel_size={kernel_size!r}, input shape "
            f"{tuple(input_tensor.shape)}.")
    shape = list(input_tensor.shape)
    if None in shape[1:4]:
        return kernel_size
    return [min(int(shape[i + 1]), kernel_size[i]) for i in range(3)]
