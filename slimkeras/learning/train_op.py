"""slim's ``create_train_op`` as a compiled Keras train step.

In graph TF a train op was a tensor; here it is a :class:`TrainStep`: a
callable that runs one step on a batch (inside ``tf.function`` by
default) and returns the total loss, with slim's gradient controls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import tensorflow as tf

from slimkeras import patterns as patterns_lib


class TrainStep:
    """One compiled training step (see :func:`create_train_op`).

    Attributes:
        model, optimizer, variables: what it trains.
        step: the optimizer's iteration counter (slim's global step).
    """

    def __init__(self, loss_fn, optimizer, variables, clip_gradient_norm,
                 gradient_multipliers, check_numerics, jit_compile,
                 model=None, summarize_gradients=False):
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.variables = list(variables)
        self.model = model
        self.clip_gradient_norm = float(clip_gradient_norm or 0.0)
        self.check_numerics = check_numerics
        self.summarize_gradients = summarize_gradients
        self._multipliers = _resolve_multipliers(
            gradient_multipliers, self.variables)
        # Under tf.distribute (research/slim's num_clones) each replica
        # computes its loss on its share of the global batch. As in Keras,
        # that per-replica loss is already scaled by 1/replicas (Keras
        # losses do it; scale other terms, e.g. sum(model.losses), with
        # keras's convention), so the summed gradient is the gradient of
        # the global-batch mean. Model and optimizer must be created under
        # ``strategy.scope()``.
        self.strategy = tf.distribute.get_strategy()
        self.replicas = self.strategy.num_replicas_in_sync
        if not optimizer.built:
            with self.strategy.scope():
                optimizer.build(self.variables)
        self._compiled = tf.function(self._step, jit_compile=jit_compile)

    @property
    def step(self):
        return self.optimizer.iterations

    def _step(self, batch):
        if self.replicas == 1:
            loss, finite, pairs = self._replica_step(batch)
            if self.check_numerics:
                # Only a finite step changes weights: a NaN loss leaves
                # the model as the last good step left it.
                tf.cond(finite, lambda: self._apply(pairs),
                        lambda: tf.no_op())
            else:
                self._apply(pairs)
            return loss, finite
        loss, bad = self.strategy.run(self._mirrored_step, args=(batch,))
        sum_ = tf.distribute.ReduceOp.SUM
        bad = self.strategy.reduce(sum_, bad, axis=None)
        return self.strategy.reduce(sum_, loss, axis=None), bad < 0.5

    def _mirrored_step(self, batch):
        loss, finite, pairs = self._replica_step(batch)
        # A synchronised update cannot sit in a conditional: a non-finite
        # step applies zero gradients (the optimizer still counts the
        # step); train() then stops and keeps the last good checkpoint.
        replicas = float(self.replicas)
        pairs = [(tf.where(finite, g / replicas, tf.zeros_like(g)), v)
                 for g, v in pairs]
        self._apply(pairs)  # the optimizer sums the replicas again
        return loss, 1.0 - tf.cast(finite, tf.float32)

    def _replica_step(self, batch):
        replicas = self.replicas
        with tf.GradientTape() as tape:
            loss = self.loss_fn(batch)
            # A keras.optimizers.LossScaleOptimizer (mixed_float16) scales
            # the loss here and unscales in apply_gradients; other
            # optimizers return the loss unchanged.
            scaled = self.optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, self.variables)
        pairs = []
        for v, g in zip(self.variables, grads):
            if g is None:
                continue
            m = self._multipliers.get(id(v))
            if m is not None:
                g = g * m
            pairs.append((g, v))
        if replicas > 1 and pairs:
            # Aggregate first so clipping and the numerics check see the
            # global gradient (slim clipped after summing the clones).
            ctx = tf.distribute.get_replica_context()
            summed = ctx.all_reduce(tf.distribute.ReduceOp.SUM,
                                    [g for g, _ in pairs])
            pairs = list(zip(summed, [v for _, v in pairs]))
        if self.clip_gradient_norm > 0:
            # Scaled gradients clip at the scaled norm (the same update).
            scale = getattr(self.optimizer, "dynamic_scale", 1.0)
            clipped, _ = tf.clip_by_global_norm(
                [g for g, _ in pairs],
                self.clip_gradient_norm * tf.cast(scale, tf.float32))
            pairs = list(zip(clipped, [v for _, v in pairs]))
        finite = tf.math.is_finite(loss)
        # With loss scaling, non-finite gradients are the optimizer's
        # signal to lower its scale (it skips that update itself).
        if self.check_numerics and not hasattr(self.optimizer,
                                               "dynamic_scale"):
            for g, _ in pairs:
                finite = tf.logical_and(
                    finite, tf.reduce_all(tf.math.is_finite(g)))
        return loss, finite, pairs

    def _apply(self, pairs):
        self.optimizer.apply_gradients(pairs)
        return tf.no_op()

    def __call__(self, batch):
        """Runs one step; returns the total loss (a scalar tensor).

        Raises:
            FloatingPointError: with ``check_numerics`` and a non-finite
                loss or gradient, naming the step; no weight is changed.
        """
        loss, finite = self._compiled(batch)
        if self.check_numerics and not bool(finite):
            # One replica: the step was skipped, so it is iterations + 1.
            # Several: a zero-gradient step was counted already.
            failed = int(self.step.numpy()) + (self.replicas == 1)
            raise FloatingPointError(
                f"create_train_op: non-finite loss or gradient at step "
                f"{failed} (loss={float(loss)}); the weights were not "
                "updated."
            )
        return loss


def _resolve_multipliers(multipliers, variables) -> dict:
    if not multipliers:
        return {}
    if not isinstance(multipliers, dict):
        raise TypeError(
            "gradient_multipliers must be a dict {variable or scope "
            f"pattern: float}}. Received: {multipliers!r}."
        )
    out = {}
    for key, value in multipliers.items():
        if isinstance(key, str):
            compiled = patterns_lib.compile_patterns(key,
                                                     "gradient_multipliers")
            hits = [v for v in variables
                    if patterns_lib.matches_any(v.path, compiled)]
            if not hits:
                raise ValueError(
                    f"gradient_multipliers: pattern {key!r} matches no "
                    "variable being trained."
                )
        else:
            hits = [key]
        for v in hits:
            out[id(v)] = float(value)
    return out


def create_train_op(
    total_loss: Callable[[Any], Any],
    optimizer: keras.optimizers.Optimizer,
    global_step: Any = None,
    update_ops: Any = None,
    variables_to_train: Sequence[Any] | None = None,
    clip_gradient_norm: float = 0,
    summarize_gradients: bool = False,
    gate_gradients: Any = None,
    aggregation_method: Any = None,
    colocate_gradients_with_ops: bool = False,
    gradient_multipliers: dict | None = None,
    check_numerics: bool = True,
    model: keras.Model | None = None,
    jit_compile: bool = False,
) -> TrainStep:
    """Returns a :class:`TrainStep` minimising ``total_loss(batch)``.

    Args:
        total_loss: a callable ``batch -> scalar loss`` (eager code: include
            ``sum(model.losses)`` for regularization, or use
            ``slim.losses.get_total_loss``).
        optimizer: a Keras optimizer; its ``iterations`` is the global step.
        global_step, update_ops, gate_gradients, aggregation_method,
            colocate_gradients_with_ops: TF1 graph arguments; ignored
            (batch-norm updates run inside the model's call).
        variables_to_train: variables, or scope patterns; default the
            model's trainable weights.
        clip_gradient_norm: clip by global norm when > 0.
        gradient_multipliers: ``{variable or scope pattern: multiplier}``.
        check_numerics: raise on a non-finite loss/gradient (no update).
        model: the model whose trainable weights train by default.
        jit_compile: compile the step with XLA (slower on CPU, DESIGN §8).
    """
    del global_step, update_ops, gate_gradients, aggregation_method
    del colocate_gradients_with_ops
    if not callable(total_loss):
        raise TypeError(
            "create_train_op: total_loss must be a callable batch -> loss in "
            f"eager slimkeras. Received: {total_loss!r}."
        )
    if variables_to_train is None:
        if model is None:
            raise ValueError(
                "create_train_op: pass `model` or `variables_to_train`."
            )
        variables = model.trainable_weights
    elif isinstance(variables_to_train, (str,)) or (
        isinstance(variables_to_train, (list, tuple))
        and variables_to_train and isinstance(variables_to_train[0], str)
    ):
        if model is None:
            raise ValueError(
                "create_train_op: scope patterns in variables_to_train need "
                "`model`."
            )
        compiled = patterns_lib.compile_patterns(variables_to_train,
                                                 "variables_to_train")
        variables = [v for v in model.trainable_weights
                     if patterns_lib.matches_any(v.path, compiled)]
    else:
        variables = list(variables_to_train)
    if not variables:
        raise ValueError("create_train_op: no variables to train.")
    return TrainStep(total_loss, optimizer, variables, clip_gradient_norm,
                     gradient_multipliers, check_numerics, jit_compile,
                     model=model, summarize_gradients=summarize_gradients)
