"""Choose what trains by slim scope (research/slim's ``--trainable_scopes``).

Patterns are those of :mod:`slimkeras.patterns` (scope prefixes, globs,
``re:`` regexes), the same as ``restore(include=, exclude=)``.
"""

from __future__ import annotations

from typing import Any

from slimkeras import patterns as patterns_lib
from slimkeras.layers.batch_norm import BatchNorm


def _layers(model) -> list:
    return [layer for layer in model._flatten_layers(include_self=True)]


def set_trainable_scopes(
    model: Any,
    trainable_scopes: Any,
    freeze_batch_norm_statistics: bool = True,
) -> list[str]:
    """Trains only variables under ``trainable_scopes``; freezes the rest.

    Args:
        model: a built Keras model.
        trainable_scopes: pattern(s); ``None`` makes everything trainable
            (research/slim's default).
        freeze_batch_norm_statistics: batch norms whose variables are all
            frozen run in inference mode (``is_training=False``), so their
            moving statistics stay unchanged, as a user freezing a backbone
            expects. Pass False for research/slim's behaviour (frozen
            layers still run in training mode and update their moving
            statistics); ``slimkeras train --trainable_scopes`` does that by
            default, and this with
            ``--freeze_batch_norm_outside_trainable_scopes``.

    Returns:
        The paths of the variables left trainable.

    Call it before ``compile`` (Keras compiles the train step with the
    trainable set of that moment).

    Batch norms put in inference mode by an earlier call stay there (a
    later call, even with ``None``, switches no layer back to training
    mode, so a two-phase fine-tune keeps the backbone's statistics): set
    ``layer.is_training = None`` on the ones whose statistics should
    train again.
    """
    if trainable_scopes is None:
        compiled = None
    else:
        compiled = patterns_lib.compile_patterns(
            trainable_scopes, "trainable_scopes")
        names = [v.path for v in model.weights]
        patterns_lib.warn_unmatched(compiled, names, "trainable_scopes")
    kept = []
    for layer in _layers(model):
        own = [v for v in layer._trainable_variables]
        for v in own:
            v.trainable = compiled is None or patterns_lib.matches_any(
                v.path, compiled)
    for v in model.weights:
        if v.trainable:
            kept.append(v.path)
    if freeze_batch_norm_statistics:
        for layer in _layers(model):
            if isinstance(layer, BatchNorm):
                params = [v for v in (getattr(layer, "beta", None),
                                      getattr(layer, "gamma", None))
                          if v is not None]
                inside = compiled is None or patterns_lib.matches_any(
                    layer.full_scope + "/moving_mean", compiled)
                if not inside and not any(v.trainable for v in params):
                    layer.is_training = False
    return kept


def freeze_scopes(model: Any, scopes: Any,
                  freeze_batch_norm_statistics: bool = True) -> list[str]:
    """Freezes variables under ``scopes`` (the complement of the above).

    Returns the paths of the variables that were frozen.
    """
    compiled = patterns_lib.compile_patterns(scopes, "scopes")
    names = [v.path for v in model.weights]
    patterns_lib.warn_unmatched(compiled, names, "scopes")
    frozen = []
    for layer in _layers(model):
        for v in layer._trainable_variables:
            if patterns_lib.matches_any(v.path, compiled):
                v.trainable = False
                frozen.append(v.path)
        if freeze_batch_norm_statistics and isinstance(layer, BatchNorm):
            if patterns_lib.matches_any(layer.full_scope + "/moving_mean",
                                        compiled):
                layer.is_training = False
    return frozen
