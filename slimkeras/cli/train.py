"""``slimkeras train``: research/slim's train_image_classifier.py, on Keras.

Every flag of upstream ``train_image_classifier.py`` is accepted with its
upstream default and meaning, or rejected by name with the reason (see the
flag table in docs/migration.md). Only ``--model_name``/``--dataset_name``
default differently (lenet/digits, so the embedded main job runs offline).
"""

from __future__ import annotations

import argparse
import os

from slimkeras.cli import common
from slimkeras.learning import distributed

# The main job: `python -m slimkeras` with no subcommand trains LeNet on the
# embedded digits for 300 steps. research/slim's flag defaults (rmsprop,
# lr 0.01, opt_epsilon 1.0, exponential decay) are kept for `train`; the
# main job adds only a step count (research/slim's default, None, trains
# forever) and a train_dir of its own.
MAIN_JOB_FLAGS = ("--max_number_of_steps=300",
                  "--train_dir=/tmp/slimkeras_train")

# Multi-worker training runs on MultiWorkerMirroredStrategy (TF_CONFIG):
# see slimkeras.learning.distributed and README "Train on several machines".
_SYNC = ("slimkeras: always synchronous (MultiWorkerMirroredStrategy sums "
         "every replica's gradients each step)")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train an image classifier",
        description="research/slim's train_image_classifier.py flags, with "
        "their upstream defaults. " + common.OFFLINE_DEFAULTS)
    common.add_model_flags(p)
    common.add_absl_logging_flags(p)
    _add_general_flags(p)
    _add_optimizer_flags(p)
    _add_learning_rate_flags(p)
    _add_dataset_flags(p)
    _add_finetune_flags(p)
    _add_slimkeras_flags(p)
    from slimkeras import mixed_precision

    mixed_precision.add_mixed_precision_flag(p)
    p.set_defaults(func=run)


def _add_general_flags(p) -> None:
    """research/slim: general flags."""
    a = p.add_argument
    a("--master", default="",
      help="The address of the TensorFlow master to use. slimkeras: only "
      "'' (in-process) is supported")
    a("--train_dir", default="/tmp/tfmodel/",
      help="Directory where checkpoints and event logs are written to.")
    a("--num_clones", type=int, default=1,
      help="Number of model clones to deploy. slimkeras: tf.distribute "
      "replicas per worker (GPUs, or CPU devices with --clone_on_cpu); "
      "--batch_size is per clone")
    common.bool_flag(p, "--clone_on_cpu", False,
                     "Use CPUs to deploy clones. slimkeras: splits the CPU "
                     "into --num_clones logical devices")
    a("--worker_replicas", type=int, default=1,
      help="Number of worker replicas. slimkeras: if given, must equal the "
      "number of workers of --worker_hosts/TF_CONFIG")
    a("--num_ps_tasks", type=int, default=0,
      help="The number of parameter servers. If the value is 0, then the "
      "parameters are handled locally by the worker. slimkeras: 0 only "
      "(each worker holds the parameters; MultiWorkerMirroredStrategy)")
    a("--worker_hosts", default=None,
      help="slimkeras: comma-separated host:port of every worker, the same "
      "on each worker (task 0 is the chief); builds TF_CONFIG. Without "
      "it, TF_CONFIG (if set) describes the cluster")
    a("--num_readers", type=int, default=4,
      help="The number of parallel readers that read data from the "
      "dataset. slimkeras: accepted; tf.data reads files in parallel "
      "(AUTOTUNE)")
    a("--num_preprocessing_threads", type=int, default=4,
      help="The number of threads used to create the batches. slimkeras:"
      " accepted; tf.data maps in parallel (AUTOTUNE)")
    a("--log_every_n_steps", type=int, default=10,
      help="The frequency with which logs are print. slimkeras: also the "
      "TensorBoard summaries' step interval (see --save_summaries_secs); "
      "0: no progress lines")
    a("--save_summaries_secs", type=float, default=600,
      help="The frequency with which summaries are saved, in seconds. "
      "slimkeras: summaries are also written every --log_every_n_steps "
      "steps and at the last step, at most once per step")
    a("--save_interval_secs", type=float, default=600,
      help="The frequency with which the model is saved, in seconds.")
    a("--task", type=int, default=0,
      help="Task id of the replica running the training. slimkeras: this "
      "worker's index in --worker_hosts")


def _add_optimizer_flags(p) -> None:
    """research/slim: optimization flags."""
    a = p.add_argument
    a("--optimizer", default="rmsprop",
      help='The name of the optimizer, one of "adadelta", "adagrad", '
      '"adam", "ftrl", "momentum", "sgd" or "rmsprop". slimkeras: TF1 '
      "arithmetic, so the same flags give research/slim's updates")
    a("--adadelta_rho", type=float, default=0.95,
      help="The decay rate for adadelta.")
    a("--adagrad_initial_accumulator_value", type=float, default=0.1,
      help="Starting value for the AdaGrad accumulators.")
    a("--adam_beta1", type=float, default=0.9,
      help="The exponential decay rate for the 1st moment estimates.")
    a("--adam_beta2", type=float, default=0.999,
      help="The exponential decay rate for the 2nd moment estimates.")
    a("--opt_epsilon", type=float, default=1.0,
      help="Epsilon term for the optimizer.")
    a("--ftrl_learning_rate_power", type=float, default=-0.5,
      help="The learning rate power.")
    a("--ftrl_initial_accumulator_value", type=float, default=0.1,
      help="Starting value for the FTRL accumulators.")
    a("--ftrl_l1", type=float, default=0.0,
      help="The FTRL l1 regularization strength.")
    a("--ftrl_l2", type=float, default=0.0,
      help="The FTRL l2 regularization strength.")
    a("--momentum", type=float, default=0.9,
      help="The momentum for the MomentumOptimizer and RMSPropOptimizer. "
      "(As in research/slim's code, RMSProp reads --rmsprop_momentum.)")
    a("--rmsprop_momentum", type=float, default=0.9,
      help="Momentum (RMSProp).")
    a("--rmsprop_decay", type=float, default=0.9,
      help="Decay term for RMSProp.")
    a("--quantize_delay", type=int, default=-1,
      help="Number of steps to start quantized training. Set to -1 would "
      "disable quantized training. slimkeras: -1 only (quantized training "
      "is not supported)")


def _add_learning_rate_flags(p) -> None:
    """research/slim: learning rate flags."""
    a = p.add_argument
    a("--learning_rate_decay_type", default="exponential",
      help='Specifies how the learning rate is decayed. One of "fixed", '
      '"exponential", or "polynomial"')
    a("--learning_rate", type=float, default=0.01,
      help="Initial learning rate.")
    a("--end_learning_rate", type=float, default=0.0001,
      help="The minimal end learning rate used by a polynomial decay "
      "learning rate.")
    a("--label_smoothing", type=float, default=0.0,
      help="The amount of label smoothing.")
    a("--learning_rate_decay_factor", type=float, default=0.94,
      help="Learning rate decay factor.")
    a("--num_epochs_per_decay", type=float, default=2.0,
      help="Number of epochs after which learning rate decays.")
    common.bool_flag(p, "--sync_replicas", False,
                     "Whether or not to synchronize the replicas during "
                     "training. " + _SYNC)
    a("--replicas_to_aggregate", type=int, default=1,
      help="The Number of gradients to collect before updating params. "
      "slimkeras: 1 or the total number of replicas (all are aggregated); "
      "with --sync_replicas the decay steps are divided by it, as in "
      "research/slim")
    a("--moving_average_decay", type=float, default=None,
      help="The decay to use for the moving average. If left as None, "
      "then moving averages are not used. slimkeras: the shadows are "
      "saved as <var>/ExponentialMovingAverage")


def _add_dataset_flags(p) -> None:
    """research/slim: dataset flags."""
    a = p.add_argument
    a("--dataset_split_name", default="train",
      help="The name of the train/test split.")
    a("--train_image_size", type=int, default=None,
      help="Train image size (default: the net's default_image_size).")
    a("--max_number_of_steps", type=int, default=None,
      help="The maximum number of training steps (research/slim's "
      "default None trains until stopped).")
    common.bool_flag(p, "--use_grayscale", False,
                     "Whether to convert input images to grayscale. "
                     "slimkeras: not yet supported (only False)")


def _add_finetune_flags(p) -> None:
    """research/slim: fine-tuning flags."""
    a = p.add_argument
    a("--checkpoint_path", default=None,
      help="The path to a checkpoint from which to fine-tune. slimkeras: "
      "any form (TF1 V1/V2 file or prefix, directory, .tar.gz/.tgz, "
      "slimkeras train_dir or ckpt-N); model variables only")
    a("--checkpoint_exclude_scopes", default=None,
      help="Comma-separated list of scopes of variables to exclude when "
      "restoring from a checkpoint.")
    a("--trainable_scopes", default=None,
      help="Comma-separated list of scopes to filter the set of variables "
      "to train. By default, None would train all the variables. "
      "slimkeras: batch norms elsewhere still run in training mode and "
      "update their statistics, as in research/slim")
    common.bool_flag(p, "--ignore_missing_vars", False,
                     "When restoring a checkpoint would ignore missing "
                     "variables.")


def _add_slimkeras_flags(p) -> None:
    """The slimkeras-only flags (no research/slim counterpart)."""
    a = p.add_argument
    common.bool_flag(
        p, "--freeze_batch_norm_outside_trainable_scopes", False,
        "slimkeras: batch norms outside --trainable_scopes run in inference"
        " mode and keep their statistics (research/slim updated them)")
    common.bool_flag(
        p, "--summarize_histograms", False,
        "slimkeras: also write research/slim's histograms to TensorBoard: "
        "every model variable (by slim name), and activations/<end_point> "
        "histograms with sparsity/<end_point> scalars (at the "
        "--log_every_n_steps steps only)")
    a("--save_interval_steps", type=int, default=None,
      help="slimkeras: also checkpoint every n steps")
    a("--eval_split_name", default=None,
      help="slimkeras: evaluate this split after training (default: "
           "'test' for the embedded digits dataset)")


def check_unsupported(args) -> None:
    """Rejects, by name, research/slim flag values slimkeras cannot honour
    (before anything is built or written)."""
    if args.master:
        common.reject("--master", repr(args.master),
                      "only '' (train in this process) is supported")
    if args.num_ps_tasks:
        common.reject("--num_ps_tasks", args.num_ps_tasks, distributed.PS_ERROR)
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

    from slimkeras import learning, patterns
    from slimkeras.learning import summaries

    check_unsupported(args)
    # Before any TensorFlow op: MWMS and logical CPUs configure the runtime.
    strategy = _strategy(args)
    write_dir = distributed.worker_dir(args.train_dir, strategy)
    spec = common.get_spec(args.model_name)
    common.check_writable_dir(write_dir, "--train_dir")
    dataset = common.load_dataset(args, args.dataset_split_name)
    size = common.image_size(spec, args.train_image_size)
    num_classes = dataset.num_classes - args.labels_offset
    with strategy.scope():
        model = common.build_model(spec, num_classes, size, args.weight_decay)
    _restore_or_resume(args, model, strategy)
    if args.trainable_scopes:
        learning.set_trainable_scopes(
            model, patterns.split_patterns(args.trainable_scopes),
            freeze_batch_norm_statistics=(
                args.freeze_batch_norm_outside_trainable_scopes))
    decay_steps = _decay_steps(args, dataset)
    lr, optimizer = _make_optimizer(args, strategy, decay_steps)
    saved, ema = _moving_averages(args, model, strategy)
    ds = _global_batches(args, spec, dataset, size, strategy)
    xent = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=args.label_smoothing)
    # research/slim's training summaries, in train_dir itself (one event
    # file; learning.train writes total_loss there too).
    parts = summaries.StepValues(strategy.num_replicas_in_sync == 1)
    writer = tf.summary.create_file_writer(write_dir)
    total_loss = _total_loss_fn(args, model, num_classes, xent, parts,
                                writer, optimizer)
    with strategy.scope():  # the train step runs under the strategy
        inner = learning.create_train_op(total_loss, optimizer, model=saved)
    step = inner if ema is None else _AveragedStep(inner, ema)
    loss = _train(args, step, ds, writer, parts, lr, model)
    _print_result(args, inner, loss, write_dir, strategy, saved)
    split = args.eval_split_name or (
        "test" if args.dataset_name == "digits" else None)
    if split and distributed.is_chief(strategy):
        _evaluate_after(args, spec, model, split, size, num_classes)
    return 0


def _restore_or_resume(args, model, strategy) -> None:
    """Resumes from --train_dir's checkpoint (restored by learning.train)
    or else restores --checkpoint_path into ``model``."""
    import tensorflow as tf

    from slimkeras import checkpoints, patterns

    resuming = tf.train.latest_checkpoint(args.train_dir) is not None
    if resuming and distributed.is_chief(strategy):
        print(f"resuming from {tf.train.latest_checkpoint(args.train_dir)}")
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


def _decay_steps(args, dataset) -> int:
    # research/slim: int(num_samples * num_epochs_per_decay / batch_size).
    decay_steps = int(dataset.num_samples * args.num_epochs_per_decay
                      / args.batch_size)
    if args.sync_replicas:  # research/slim: per aggregated update
        decay_steps = int(decay_steps / args.replicas_to_aggregate)
    if decay_steps < 1 and args.learning_rate_decay_type != "fixed":
        raise common.CLIError(
            f"--learning_rate_decay_type={args.learning_rate_decay_type} "
            f"needs num_samples ({dataset.num_samples}) * "
            f"--num_epochs_per_decay ({args.num_epochs_per_decay}) >= "
            f"--batch_size ({args.batch_size}); the decay would be over 0 "
            "steps.")
    return decay_steps


def _make_optimizer(args, strategy, decay_steps):
    """``(learning rate, optimizer)`` from the optimization flags."""
    import keras

    from slimkeras import learning

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
    return lr, optimizer


def _moving_averages(args, model, strategy):
    """``(what the checkpoint saves, EMA or None)``."""
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
    return saved, ema


def _total_loss_fn(args, model, num_classes, xent, parts, writer,
                   optimizer):
    """research/slim's loss: cross entropy (+0.4 aux) + regularization."""
    import tensorflow as tf

    from slimkeras.learning import summaries

    def total_loss(batch):
        images, labels = batch
        logits, end_points = model(images, training=True)
        onehot = tf.one_hot(labels, num_classes)
        flat = tf.reshape(logits, (-1, num_classes))
        main = xent(onehot, flat)
        loss = main
        aux = None
        if "AuxLogits" in end_points:
            aux = 0.4 * xent(onehot, tf.reshape(end_points["AuxLogits"],
                                                (-1, num_classes)))
            loss += aux
        reg = tf.add_n(model.losses) if model.losses else None
        if reg is not None:
            loss += reg
        parts.record(main, aux, reg, logits=flat, labels=labels)
        if args.summarize_histograms and parts.enabled:
            summaries.record_activations(
                writer, end_points, optimizer.iterations + 1,
                args.log_every_n_steps, args.max_number_of_steps)
        return loss

    return total_loss


def _train(args, step, ds, writer, parts, lr, model):
    """learning.train with the flags; the last loss, None if no step ran."""
    from slimkeras import learning
    from slimkeras.learning import summaries

    try:
        loss = learning.train(
            step, ds, args.train_dir,
            number_of_steps=args.max_number_of_steps,
            log_every_n_steps=args.log_every_n_steps,
            save_interval_steps=args.save_interval_steps,
            save_interval_secs=args.save_interval_secs,
            save_summaries_secs=args.save_summaries_secs,
            summary_writer=writer,
            summary_fn=summaries.research_slim_summary_fn(
                parts, lr, model.weights, args.summarize_histograms))
    except learning.NoTrainingStepError:
        loss = None
    except distributed.WorkerFailureError as e:
        raise common.CLIError(str(e)) from None
    except ValueError as e:
        raise common.CLIError(f"--train_dir {args.train_dir}: {e}") from None
    return loss


def _print_result(args, inner, loss, write_dir, strategy, saved) -> None:
    if loss is None:
        print(f"--train_dir {args.train_dir} is already at step "
              f"{int(inner.step.numpy())} (--max_number_of_steps="
              f"{args.max_number_of_steps}): no step to run")
    else:
        print(f"step {int(inner.step.numpy())}: loss {loss:.4f}; "
              f"checkpoints in {write_dir}"
              + ("" if write_dir == args.train_dir else
                 " (this worker's copy, removed at exit; the chief writes "
                 f"{args.train_dir})"))
    if distributed.is_multi_worker(strategy):
        # The same on every worker: they hold the same weights.
        print(f"weights fingerprint {distributed.fingerprint(saved.weights)}"
              f" ({distributed.describe(strategy)})")


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


class _AveragedStep:
    """A TrainStep that also updates the EMA shadows after each step."""

    def __init__(self, inner, ema):
        self._inner = inner
        self._ema = ema

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __call__(self, batch):
        before = int(self._inner.step.numpy())
        loss = self._inner(batch)
        self._ema.update(before)
        return loss


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


def _strategy(args):
    """research/slim's deployment flags as a tf.distribute strategy."""
    try:
        # Checked on a copy first: a rejected flag leaves TF_CONFIG as is.
        cluster = distributed.set_tf_config(args.worker_hosts, args.task,
                                            dict(os.environ))
        workers = cluster.num_workers if cluster is not None else 1
        if args.worker_replicas not in (1, workers):
            raise ValueError(
                f"--worker_replicas={args.worker_replicas}: the cluster has "
                f"{workers} worker(s) (--worker_hosts or TF_CONFIG).")
        if args.replicas_to_aggregate not in (
                1, workers * args.num_clones):
            raise ValueError(
                f"--replicas_to_aggregate={args.replicas_to_aggregate}: "
                "MultiWorkerMirroredStrategy aggregates every replica each "
                f"step; use 1 or {workers * args.num_clones} (workers x "
                "--num_clones).")
        distributed.set_tf_config(args.worker_hosts, args.task)
        strategy = distributed.create_strategy(args.num_clones,
                                               args.clone_on_cpu, cluster)
    except (ValueError, RuntimeError) as e:
        raise common.CLIError(str(e)) from None
    if distributed.is_multi_worker(strategy) or args.num_clones > 1:
        print(f"training on {distributed.describe(strategy)}; global batch "
              f"{args.batch_size * strategy.num_replicas_in_sync} "
              f"(--batch_size {args.batch_size} per replica)", flush=True)
    return strategy


def _global_batches(args, spec, dataset, size, strategy):
    """--batch_size per replica: batches of batch x replicas x workers,
    which the strategy splits; each worker reads its own shard."""
    from slimkeras.data.parallel_reader import list_files

    replicas = strategy.num_replicas_in_sync
    global_args = argparse.Namespace(
        **{**vars(args), "batch_size": args.batch_size * replicas})
    ds = common.batches(global_args, spec, dataset, True, size)
    if distributed.is_multi_worker(strategy):
        ds = distributed.shard_by(ds, len(list_files(dataset.data_sources)),
                                  distributed.num_workers(strategy))
    return ds
