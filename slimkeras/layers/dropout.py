"""slim ``dropout``: ``keep_prob`` (not rate), ``noise_shape``, is_training.

``is_training=None`` (default) follows Keras's ``training`` flag, so
``fit`` drops and ``predict`` does not; True/False pins it.
"""

from __future__ import annotations

import keras

from slimkeras.layers import base


@base.slim_op("dropout")
class Dropout(base.SlimLayer):
    """Dropout with slim's ``keep_prob``; default scope ``Dropout``.

    Args:
        keep_prob: probability of keeping a unit, in (0, 1].
        noise_shape: optional shape of the keep/drop mask.
        is_training: None follows Keras's ``training``; True/False pins it.
        seed: optional random seed.
        scope: slim scope.
    """

    DEFAULT_SCOPE = "Dropout"

    def __init__(
        self,
        keep_prob: float = 0.5,
        noise_shape=None,
        is_training: bool | None = None,
        seed: int | None = None,
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(scope=scope, **kwargs)
        if isinstance(keep_prob, bool) or not isinstance(
            keep_prob, (int, float)
        ) or not 0.0 < float(keep_prob) <= 1.0:
            raise ValueError(
                "dropout: `keep_prob` must be a number in (0, 1]. "
                f"Received: keep_prob={keep_prob!r}."
            )
        if is_training not in (None, True, False):
            raise TypeError(
                "dropout: `is_training` must be None, True or False. "
                f"Received: is_training={is_training!r}."
            )
        self.keep_prob = float(keep_prob)
        self.noise_shape = None if noise_shape is None else list(noise_shape)
        self.is_training = is_training
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        train = self.is_training if self.is_training is not None else bool(
            training)
        if not train or self.keep_prob == 1.0:
            return inputs
        return keras.random.dropout(
            inputs, 1.0 - self.keep_prob, noise_shape=self.noise_shape,
            seed=self.seed_generator,
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "keep_prob": self.keep_prob,
            "noise_shape": self.noise_shape,
            "is_training": self.is_training,
            "seed": self.seed,
        })
        return config


dropout = Dropout.function
