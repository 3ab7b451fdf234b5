"""``slimkeras train``: research/slim's train_image_classifier.py, on Keras.

Every flag of upstream ``train_image_classifier.py`` is accepted with its
upstream default and meaning, or rejected by name with the reason (see the
flag table in docs/migration.md). Only ``--model_name``/``--dataset_name``
default differently (lenet/digits, so the embedded main job runs offline).
"""

from __future__ import annotations

import argparse
import time

from slimkeras.cli import common

# The main job: `python -m slimkeras` with no subcommand trains LeNet on the
# embedded digits for 300 steps. research/slim's flag defaults (rmsprop,
# lr 0.01, opt_epsilon 1.0, exponential decay) are kept for `train`; the
# main job adds only a step count (research/slim's default, None, trains
# forever) and a train_dir of its own.
MAIN_JOB_FLAGS = ("--max_number_of_steps=300",
                  "--train_dir=/tmp/slimkeras_train")

_MULTI_WORKER = "multi-worker not yet supported; use --num_clones"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train an image classifier",
        description="research/slim's train_image_classifier.py flags, with "
        "their upstream defaults. " + common.OFFLINE_DEFAULTS)
    common.add_model_flags(p)
    common.add_absl_logging_flags(p)
    a = p.add_argument
    # --- research/slim: general
    a("--master", default="", help="only '' (in-process) is supported")
    a("--train_dir", default="/tmp/tfmodel/")
    a("--num_clones", type=int, default=1,
      help="tf.distribute.MirroredStrategy replicas (GPUs, else CPUs)")
    common.bool_flag(p, "--clone_on_cpu", False, "clones on CPU devices")
    a("--worker_replicas", type=int, default=1, help=_MULTI_WORKER)
    a("--num_ps_tasks", type=int, default=0, help=_MULTI_WORKER)
    a("--num_readers", type=int, default=4,
      help="accepted; tf.data reads files in parallel (AUTOTUNE)")
    a("--num_preprocessing_threads", type=int, default=4,
      help="accepted; tf.data maps in parallel (AUTOTUNE)")
    a("--log_every_n_steps", type=int, default=10)
    a("--save_summaries_secs", type=float, default=600)
    a("--save_interval_secs", type=float, default=600)
    a("--task", type=int, default=0, help=_MULTI_WORKER)
    # --- optimization
    a("--optimizer", default="rmsprop",
      help="adadelta, adagrad, adam, ftrl, momentum, sgd or rmsprop (TF1 "
      "arithmetic: the same flags give research/slim's updates)")
    a("--adadelta_rho", type=float, default=0.95)
    a("--adagrad_initial_accumulator_value", type=float, default=0.1)
    a("--adam_beta1", type=float, default=0.9)
    a("--adam_beta2", type=float, default=0.999)
    a("--opt_epsilon", type=float, default=1.0)
    a("--ftrl_learning_rate_power", type=float, default=-0.5)
    a("--ftrl_initial_accumulator_value", type=float, default=0.1)
    a("--ftrl_l1", type=float, default=0.0)
    a("--ftrl_l2", type=float, default=0.0)
    a("--momentum", type=float, default=0.9)
    a("--rmsprop_momentum", type=float, default=0.9)
    a("--rmsprop_decay", type=float, default=0.9)
    a("--quantize_delay", type=int, default=-1,
      help="-1 only: quantized training is not supported")
    # --- learning rate
    a("--learning_rate_decay_type", default="exponential",
      help="fixed, exponential or polynomial")
    a("--learning_rate", type=float, default=0.01)
    a("--end_learning_rate", type=float, default=0.0001)
    a("--label_smoothing", type=float, default=0.0)
    a("--learning_rate_decay_factor", type=float, default=0.94)
    a("--num_epochs_per_decay", type=float, default=2.0)
    common.bool_flag(p, "--sync_replicas", False, _MULTI_WORKER)
    a("--replicas_to_aggregate", type=int, default=1, help=_MULTI_WORKER)
    a("--moving_average_decay", type=float, default=None,
      help="keep EMA shadows, saved as <var>/ExponentialMovingAverage")
    # --- dataset
    a("--dataset_split_name", default="train")
    a("--train_image_size", type=int, default=None)
    a("--max_number_of_steps", type=int, default=None,
      help="research/slim's default None trains until stopped")
    common.bool_flag(p, "--use_grayscale", False,
                     "not yet supported (only False)")
    # --- fine-tuning
    a("--checkpoint_path", default=None,
      help="TF1 slim checkpoint, slimkeras train_dir or ckpt-N to "
      "fine-tune from (model variables only)")
    a("--checkpoint_exclude_scopes", default=None)
    a("--trainable_scopes", default=None,
      help="only these variables train; batch norms elsewhere still run "
      "in training mode and update their statistics, as research/slim")
    common.bool_flag(p, "--ignore_missing_vars", False)
    # --- slimkeras additions
    common.bool_flag(
        p, "--freeze_batch_norm_outside_trainable_scopes", False,
        "slimkeras: batch norms outside --trainable_scopes run in inference"
        " mode and keep their statistics (research/slim updated them)")
    a("--save_interval_steps", type=int, default=None,
      help="slimkeras: also checkpoint every n steps")
    a("--eval_split_name", default=None,
      help="slimkeras: evaluate this split after training (default: "
           "'test' for the embedded digits dataset)")
    from slimkeras import mixed_precision

    mixed_precision.add_mixed_precision_flag(p)
    p.set_defaults(func=run)


def check_unsupported(args) -> None:
    """Rejects, by name, research/slim flag values slimkeras cannot honour
    (before anything is built or written)."""
    if args.master:
        common.reject("--master", repr(args.master),
                      "only '' (train in this process) is supported")
    for flag, value, default in (
            ("--worker_replicas", args.worker_replicas, 1),
            ("--num_ps_tasks", args.num_ps_tasks, 0),
            ("--task", args.task, 0),
            ("--sync_replicas", args.sync_replicas, False),
            ("--replicas_to_aggregate", args.replicas_to_aggregate, 1)):
        if value != default:
            common.reject(flag, value, _MULTI_WORKER)
    if args.quantize_delay >= 0:
        common.reject("--quantize_delay", args.quantize_delay,
                      "quantization-aware training is not supported (only "
                      "-1, research/slim's default)")
    if args.use_grayscale:
        common.reject("--use_grayscale", True, "not yet supported")
    if args.num_clones < 1:
        common.reject("--num_clones", args.num_clones, "must be >= 1")


def _optimizer_opts(args) -> dict:
    names = ("momentum", "adam_beta1", "adam_beta2", "opt_epsilon",
             "rmsprop_decay", "rmsprop_momentum", "adadelta_rho",
             "adagrad_initial_accumulator_value", "ftrl_learning_rate_power",
             "ftrl_initial_accumulator_value", "ftrl_l1", "ftrl_l2")
    return {n: getattr(args, n) for n in names}


def run(args: argparse.Namespace) -> int:
    """Trains under the ``--mixed_precision`` policy (restored after)."""
    from slimkeras import mixed_precision

    with mixed_precision.cli_policy(args):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    import keras
    import tensorflow as tf

    from slimkeras import checkpoints, learning, patterns

    check_unsupported(args)
    spec = common.get_spec(args.model_name)
    common.check_writable_dir(args.train_dir, "--train_dir")
    dataset = common.load_dataset(args, args.dataset_split_name)
    size = common.image_size(spec, args.train_image_size)
    num_classes = dataset.num_classes - args.labels_offset
    strategy = _strategy(args.num_clones, args.clone_on_cpu)
    with strategy.scope():
        model = common.build_model(spec, num_classes, size, args.weight_decay)
    resuming = tf.train.latest_checkpoint(args.train_dir) is not None
    if args.checkpoint_path and resuming:
        print("Ignoring --checkpoint_path because a checkpoint already "
              f"exists in {args.train_dir}")
    elif args.checkpoint_path:
        exclude = patterns.split_patterns(args.checkpoint_exclude_scopes)
        try:
            report = checkpoints.restore(
                model, args.checkpoint_path, exclude=exclude or None,
                ignore_missing_vars=args.ignore_missing_vars,
                label_offset=0)
        except (ValueError, OSError) as e:
            raise common.CLIError(f"--checkpoint_path: {e}") from None
        print(report)
    if args.trainable_scopes:
        learning.set_trainable_scopes(
            model, patterns.split_patterns(args.trainable_scopes),
            freeze_batch_norm_statistics=(
                args.freeze_batch_norm_outside_trainable_scopes))
    # research/slim: int(num_samples * num_epochs_per_decay / batch_size).
    decay_steps = int(dataset.num_samples * args.num_epochs_per_decay
                      / args.batch_size)
    if decay_steps < 1 and args.learning_rate_decay_type != "fixed":
        raise common.CLIError(
            f"--learning_rate_decay_type={args.learning_rate_decay_type} "
            f"needs num_samples ({dataset.num_samples}) * "
            f"--num_epochs_per_decay ({args.num_epochs_per_decay}) >= "
            f"--batch_size ({args.batch_size}); the decay would be over 0 "
            "steps.")
    try:
        lr = learning.configure_learning_rate(
            args.learning_rate_decay_type, args.learning_rate,
            max(1, decay_steps), args.learning_rate_decay_factor,
            args.end_learning_rate)
        with strategy.scope():
            optimizer = learning.configure_optimizer(
                args.optimizer, lr, **_optimizer_opts(args))
            if keras.mixed_precision.global_policy().name == (
                    "mixed_float16"):  # dynamic loss scaling, as Keras's fit
                optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    except ValueError as e:
        raise common.CLIError(str(e)) from None
    saved = model
    ema = None
    if args.moving_average_decay:
        from slimkeras.learning.moving_average import ExponentialMovingAverage

        try:
            with strategy.scope():
                ema = ExponentialMovingAverage(model.weights,
                                               args.moving_average_decay)
        except ValueError as e:
            raise common.CLIError(f"--moving_average_decay: {e}") from None
        saved = _WithAverages(model, ema)
    ds = common.batches(args, spec, dataset, True, size)
    xent = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=args.label_smoothing)
    parts = _LossParts(strategy.num_replicas_in_sync == 1)

    def total_loss(batch):
        images, labels = batch
        logits, end_points = model(images, training=True)
        onehot = tf.one_hot(labels, num_classes)
        main = xent(onehot, tf.reshape(logits, (-1, num_classes)))
        loss = main
        aux = None
        if "AuxLogits" in end_points:
            aux = 0.4 * xent(onehot, tf.reshape(end_points["AuxLogits"],
                                                (-1, num_classes)))
            loss += aux
        reg = tf.add_n(model.losses) if model.losses else None
        if reg is not None:
            loss += reg
        parts.record(main, aux, reg, loss)
        return loss

    inner = learning.create_train_op(total_loss, optimizer, model=saved)
    step = _SummarisedStep(inner, parts, lr, ema, args.train_dir,
                           args.save_summaries_secs)
    try:
        loss = learning.train(
            step, ds, args.train_dir,
            number_of_steps=args.max_number_of_steps,
            log_every_n_steps=args.log_every_n_steps,
            save_interval_steps=args.save_interval_steps,
            save_interval_secs=args.save_interval_secs,
            save_summaries_secs=args.save_summaries_secs)
    except learning.NoTrainingStepError:
        loss = None
    except ValueError as e:
        raise common.CLIError(f"--train_dir {args.train_dir}: {e}") from None
    step.write(force=True)
    if loss is None:
        print(f"--train_dir {args.train_dir} is already at step "
              f"{int(inner.step.numpy())} (--max_number_of_steps="
              f"{args.max_number_of_steps}): no step to run")
    else:
        print(f"step {int(inner.step.numpy())}: loss {loss:.4f}; "
              f"checkpoints in {args.train_dir}")
    split = args.eval_split_name or (
        "test" if args.dataset_name == "digits" else None)
    if split:
        _evaluate_after(args, spec, model, split, size, num_classes)
    return 0


def _WithAverages(model, ema):
    """The net plus its EMA shadows: what the training checkpoint holds
    (every variable keyed by its slim path)."""
    import keras

    class WithAverages(keras.Model):
        def __init__(self):
            super().__init__(name=f"{model.name}_with_averages")
            self.net = model
            self.averages = ema

        def call(self, x, training=False):
            return self.net(x, training=training)

    return WithAverages()


class _LossParts:
    """The last step's loss terms, for research/slim's summaries."""

    TAGS = {"main": "losses/softmax_cross_entropy_loss/value",
            "aux": "losses/aux_loss/value",
            "reg": "Losses/regularization_loss",
            "clone": "Losses/clone_loss"}

    def __init__(self, enabled: bool):
        import keras

        self.enabled = enabled
        self.values = {k: keras.Variable(0.0, trainable=False,
                                         name=f"summary_{k}")
                       for k in self.TAGS}
        self.seen = set()

    def record(self, main, aux, reg, total):
        if not self.enabled:
            return
        for k, v in (("main", main), ("aux", aux), ("reg", reg),
                     ("clone", total)):
            if v is not None:
                self.values[k].assign(v)
                self.seen.add(k)


class _SummarisedStep:
    """A TrainStep that also updates the EMA shadows and writes research/
    slim's training scalars into ``train_dir`` (``total_loss``,
    ``learning_rate``, each loss, ``Losses/clone_loss``)."""

    def __init__(self, inner, parts, lr, ema, train_dir, every_secs):
        import tensorflow as tf

        self._inner = inner
        self._parts = parts
        self._lr = lr
        self._ema = ema
        self._every = float(every_secs)
        self._last = None
        self._loss = None
        self._writer = tf.summary.create_file_writer(train_dir)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __call__(self, batch):
        before = int(self._inner.step.numpy())
        loss = self._inner(batch)
        if self._ema is not None:
            self._ema.update(before)
        self._loss = loss
        self.write()
        return loss

    def write(self, force=False):
        import tensorflow as tf

        now = time.time()
        if self._loss is None or not (
                force or self._last is None
                or now - self._last >= self._every):
            return
        self._last = now
        step = int(self._inner.step.numpy())
        lr = self._lr(step - 1) if callable(self._lr) else self._lr
        with self._writer.as_default():
            tf.summary.scalar("total_loss", self._loss, step=step)
            tf.summary.scalar("learning_rate", lr, step=step)
            for k in sorted(self._parts.seen):
                tf.summary.scalar(self._parts.TAGS[k],
                                  self._parts.values[k], step=step)
        self._writer.flush()


def _evaluate_after(args, spec, model, split, size, num_classes):
    import keras

    dataset = common.load_dataset(args, split)
    ds = common.batches(args, spec, dataset, False, size, num_epochs=1)
    acc = keras.metrics.SparseCategoricalAccuracy()
    for images, labels in ds:
        logits, _ = model(images, training=False)
        acc.update_state(labels, keras.ops.reshape(logits,
                                                   (-1, num_classes)))
    print(f"eval/accuracy on {args.dataset_name} {split} "
          f"({dataset.num_samples} images): {float(acc.result()):.4f}")


def _strategy(num_clones: int, clone_on_cpu: bool = False):
    import tensorflow as tf

    if num_clones <= 1:
        return tf.distribute.get_strategy()
    gpus = [] if clone_on_cpu else tf.config.list_logical_devices("GPU")
    if len(gpus) >= num_clones:
        return tf.distribute.MirroredStrategy(
            [d.name for d in gpus[:num_clones]])
    cpus = tf.config.list_logical_devices("CPU")
    if len(cpus) < num_clones:
        raise common.CLIError(
            f"--num_clones={num_clones} needs {num_clones} devices; found "
            f"{len(gpus)} GPU and {len(cpus)} logical CPU devices.")
    return tf.distribute.MirroredStrategy(
        [d.name for d in cpus[:num_clones]])

