"""slim's ``gradient_multipliers`` for Keras ``fit``.

``scale_gradients(optimizer, {'vgg_16/fc8': 10.0, 'vgg_16/conv1': 0.0})``
makes ``optimizer`` multiply each variable's gradient by the multiplier of
the first pattern that matches its slim path (patterns as in
:mod:`slimkeras.patterns`) before its update. With SGD this is a per-scope
learning-rate multiplier, as in research/slim; adaptive optimizers (Adam)
normalise gradient scale, as they did in slim too.
"""

from __future__ import annotations

from typing import Any

import keras

from slimkeras import patterns as patterns_lib


def scale_gradients(optimizer: keras.optimizers.Optimizer,
                    multipliers: dict[Any, float]):
    """Returns ``optimizer``, now applying ``multipliers`` (in place).

    Raises:
        TypeError: ``optimizer`` is not a Keras optimizer or a multiplier is
            not a number.
    """
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError("scale_gradients: `optimizer` must be a Keras "
                        f"optimizer. Received: {optimizer!r}.")
    rules = []
    for pattern, value in dict(multipliers).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f"scale_gradients: multiplier for {pattern!r} must be a "
                f"number. Received: {value!r}.")
        rules.append((patterns_lib.compile_patterns(
            pattern, "gradient_multipliers"), float(value)))
    base = type(optimizer)
    if getattr(base, "_slim_multiplied", False):
        base = base.__mro__[1]

    def factor(path):
        for compiled, value in rules:
            if patterns_lib.matches_any(path, compiled):
                return value
        return None

    class Multiplied(base):
        _slim_multiplied = True

        def apply(self, grads, trainable_variables=None):
            variables = (trainable_variables if trainable_variables
                         is not None else self._trainable_variables)
            scaled = []
            for g, v in zip(grads, variables):
                m = factor(v.path) if g is not None else None
                scaled.append(g if m is None else g * m)
            return super().apply(scaled, trainable_variables)

    Multiplied.__name__ = base.__name__
    Multiplied.__qualname__ = base.__qualname__
    optimizer.__class__ = Multiplied
    optimizer.gradient_multipliers = dict(multipliers)
    return optimizer
