"""What slim does after a linear op: normalizer or biases, then activation.

Shared by conv, transposed/separable/in-plane conv and fully_connected.
A normalizer replaces the biases (slim builds the linear op with
``use_bias = normalizer_fn is None and biases_initializer is not None``).
"""

from __future__ import annotations

from typing import Any

from keras import ops

from slimkeras import activations, naming
from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.layers import base


class NormActMixin:
    """Holds activation_fn / normalizer / biases settings for a SlimLayer."""

    def _setup_post(
        self,
        activation_fn: Any,
        normalizer_fn: Any,
        normalizer_params: Any,
        biases_initializer: Any,
        biases_regularizer: Any,
    ) -> None:
        self.activation_fn = activations.get(activation_fn)
        self.normalizer_fn = base.callable_from_config(normalizer_fn)
        if normalizer_params is not None and not isinstance(
            normalizer_params, dict
        ):
            raise TypeError(
                "`normalizer_params` must be a dict or None. Received: "
                f"normalizer_params={normalizer_params!r}."
            )
        self.normalizer_params = dict(normalizer_params or {})
        self.biases_initializer = initializers_lib.get(biases_initializer)
        self.biases_regularizer = regularizers_lib.get(biases_regularizer)
        self.use_biases = (
            self.normalizer_fn is None and self.biases_initializer is not None
        )
        self.normalizer = None
        cls = getattr(self.normalizer_fn, "layer_class", None)
        if cls is None and isinstance(self.normalizer_fn, type):
            cls = self.normalizer_fn
        if cls is not None:
            params = dict(self.normalizer_params)
            params.pop("name", None)
            if "trainable" not in params:
                params["trainable"] = self.trainable
            with naming.absolute_scope(self.full_scope):
                self.normalizer = cls(**params)

    def _post_build_biases(self, num_outputs: int) -> None:
        if self.use_biases:
            self.add_slim_weight(
                "bias", "biases", (num_outputs,),
                self.biases_initializer, self.biases_regularizer,
            )

    def _build_post(self, output_shape) -> None:
        """Builds the normalizer so that all state exists after build()."""
        if self.normalizer is not None and not self.normalizer.built:
            self.normalizer.build(tuple(output_shape))

    def _apply_post(self, x, training=None, channels_axis=-1):
        if self.use_biases:
            if channels_axis == -1:
                x = ops.add(x, self.bias)
            else:
                shape = [1] * len(x.shape)
                shape[channels_axis] = -1
                # Not ops.add: on TensorFlow it turns a (1, C, 1) operand
                # into bias_add and picks NHWC when the last dim equals C
                # (Keras 3.15), adding the biases along the wrong axis.
                x = x + ops.reshape(self.bias, shape)
        if self.normalizer is not None:
            x = self.normalizer(x, training=training)
        elif self.normalizer_fn is not None:
            x = self.normalizer_fn(x, **self.normalizer_params)
        if self.activation_fn is not None:
            x = self.activation_fn(x)
        return x

    def _post_config(self) -> dict:
        if self.normalizer is not None:
            params = self.normalizer.get_config()
            for k in ("name", "dtype"):
                params.pop(k, None)
        else:
            params = self.normalizer_params or None
        return {
            "activation_fn": activations.serialize(self.activation_fn),
            "normalizer_fn": base.callable_config(self.normalizer_fn),
            "normalizer_params": params,
            "biases_initializer": initializers_lib.serialize(
                self.biases_initializer),
            "biases_regularizer": regularizers_lib.serialize(
                self.biases_regularizer),
        }
