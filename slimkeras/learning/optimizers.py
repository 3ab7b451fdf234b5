"""research/slim's optimizer and learning-rate flags on keras.optimizers."""

from __future__ import annotations

import keras

_OPTIMIZERS = ("adadelta", "adagrad", "adam", "ftrl", "momentum", "rmsprop",
               "sgd")
_DECAYS = ("fixed", "exponential", "polynomial")
_OPTS = frozenset({
    "momentum", "adam_beta1", "adam_beta2", "opt_epsilon", "rmsprop_decay",
    "rmsprop_momentum", "adadelta_rho", "adagrad_initial_accumulator_value",
    "ftrl_learning_rate_power", "ftrl_initial_accumulator_value", "ftrl_l1",
    "ftrl_l2"})


class WarmUp(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from 0 over ``warmup_steps``, then ``schedule``."""

    def __init__(self, schedule, warmup_steps: int):
        self.schedule = schedule
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        after = self.schedule(step) if callable(self.schedule) else \
            keras.ops.cast(self.schedule, "float32")
        frac = keras.ops.minimum(1.0, (step + 1.0) / float(self.warmup_steps))
        return keras.ops.where(step < self.warmup_steps, after * frac, after)

    def get_config(self):
        return {"schedule": keras.saving.serialize_keras_object(self.schedule),
                "warmup_steps": self.warmup_steps}


def configure_learning_rate(
    learning_rate_decay_type: str = "exponential",
    learning_rate: float = 0.01,
    decay_steps: int = 1000,
    learning_rate_decay_factor: float = 0.94,
    end_learning_rate: float = 0.0001,
    staircase: bool = True,
    warmup_steps: int = 0,
):
    """research/slim's ``_configure_learning_rate`` as a Keras schedule.

    ``decay_steps`` is research/slim's ``num_samples_per_epoch / batch_size
    * num_epochs_per_decay``. Raises ValueError for unknown types.
    """
    if learning_rate_decay_type not in _DECAYS:
        raise ValueError(
            f"learning_rate_decay_type must be one of {_DECAYS}. Received: "
            f"{learning_rate_decay_type!r}."
        )
    if learning_rate_decay_type == "fixed":
        schedule = float(learning_rate)
    elif learning_rate_decay_type == "exponential":
        schedule = keras.optimizers.schedules.ExponentialDecay(
            learning_rate, decay_steps, learning_rate_decay_factor,
            staircase=staircase)
    else:
        schedule = keras.optimizers.schedules.PolynomialDecay(
            learning_rate, decay_steps, end_learning_rate, power=1.0,
            cycle=False)
    if warmup_steps:
        if callable(schedule):
            return WarmUp(schedule, warmup_steps)
        return WarmUp(keras.optimizers.schedules.PolynomialDecay(
            schedule, 1, schedule), warmup_steps)
    return schedule


@keras.saving.register_keras_serializable(package="slimkeras")
class TF1RMSprop(keras.optimizers.RMSprop):
    """``tf.compat.v1.train.RMSPropOptimizer``'s arithmetic on Keras.

    The same update as Keras's RMSprop (epsilon inside the square root,
    momentum on the scaled step) except that the mean-square accumulator
    starts at 1.0, as TF1's does (Keras starts at 0, which makes the first
    steps ~``1/sqrt(1 - rho)`` times larger).
    """

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        for v in self._velocities:
            v.assign(keras.ops.ones_like(v))


@keras.saving.register_keras_serializable(package="slimkeras")
class TF1Momentum(keras.optimizers.SGD):
    """``tf.compat.v1.train.MomentumOptimizer``: ``accum = momentum * accum +
    grad; var -= lr * accum``.

    Keras's SGD folds the learning rate into the accumulator
    (``m = momentum * m - lr * grad``), which differs from TF1 as soon as the
    learning rate changes (research/slim's default exponential decay).
    """

    def __init__(self, learning_rate=0.01, momentum=0.9, name="Momentum",
                 **kwargs):
        super().__init__(learning_rate, momentum=momentum, name=name,
                         **kwargs)

    def update_step(self, gradient, variable, learning_rate):
        ops = keras.ops
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        if self.momentum == 0:
            self.assign_sub(variable, ops.multiply(gradient, lr))
            return
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, ops.add(ops.multiply(m, ops.cast(
            self.momentum, variable.dtype)), gradient))
        self.assign_sub(variable, ops.multiply(m, lr))


def configure_optimizer(name: str, learning_rate, **opts):
    """research/slim's ``_configure_optimizer`` names → Keras optimizers
    with TF1's arithmetic (``tf.compat.v1.train.*Optimizer``): the same
    flags give the same updates (tested to 1e-6 against TF1 in graph mode).

    ``opts`` use research/slim's flag names (``momentum``, ``adam_beta1``,
    ``adam_beta2``, ``opt_epsilon``, ``rmsprop_decay``, ``rmsprop_momentum``,
    ``adadelta_rho``, ``adagrad_initial_accumulator_value``,
    ``ftrl_learning_rate_power``, ``ftrl_initial_accumulator_value``,
    ``ftrl_l1``, ``ftrl_l2``); their defaults are research/slim's
    (``opt_epsilon`` 1.0).
    """
    unknown = set(opts) - _OPTS
    if unknown:
        raise ValueError(
            f"configure_optimizer: unknown option(s) {sorted(unknown)}. "
            f"Valid: {', '.join(sorted(_OPTS))}.")
    eps = opts.get("opt_epsilon", 1.0)
    if name == "adadelta":
        return keras.optimizers.Adadelta(learning_rate,
                                         rho=opts.get("adadelta_rho", 0.95),
                                         epsilon=eps)
    if name == "adagrad":
        # TF1's Adagrad has no epsilon: var -= lr * g / sqrt(accum).
        return keras.optimizers.Adagrad(
            learning_rate, initial_accumulator_value=opts.get(
                "adagrad_initial_accumulator_value", 0.1), epsilon=0.0)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate,
                                     beta_1=opts.get("adam_beta1", 0.9),
                                     beta_2=opts.get("adam_beta2", 0.999),
                                     epsilon=eps)
    if name == "ftrl":
        return keras.optimizers.Ftrl(
            learning_rate,
            learning_rate_power=opts.get("ftrl_learning_rate_power", -0.5),
            initial_accumulator_value=opts.get("ftrl_initial_accumulator_value",
                                               0.1),
            l1_regularization_strength=opts.get("ftrl_l1", 0.0),
            l2_regularization_strength=opts.get("ftrl_l2", 0.0))
    if name == "momentum":
        return TF1Momentum(learning_rate, momentum=opts.get("momentum", 0.9))
    if name == "rmsprop":
        return TF1RMSprop(
            learning_rate, rho=opts.get("rmsprop_decay", 0.9),
            momentum=opts.get("rmsprop_momentum", 0.9), epsilon=eps)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate)
    raise ValueError(
        f"Unknown optimizer {name!r}. Valid: {', '.join(_OPTIMIZERS)}."
    )
