"""``slimkeras train``: research/slim's train_image_classifier, on Keras."""

from __future__ import annotations

import argparse

from slimkeras.cli import common


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train an image classifier")
    common.add_model_flags(p)
    p.add_argument("--dataset_split_name", default="train")
    p.add_argument("--train_dir", default="/tmp/slimkeras_train")
    p.add_argument("--train_image_size", type=int, default=None)
    p.add_argument("--checkpoint_path", default=None,
                   help="TF1 slim checkpoint to fine-tune from")
    p.add_argument("--checkpoint_exclude_scopes", default=None)
    p.add_argument("--trainable_scopes", default=None)
    p.add_argument("--ignore_missing_vars", action="store_true")
    p.add_argument("--optimizer", default="adam")
    p.add_argument("--learning_rate", type=float, default=0.001)
    p.add_argument("--learning_rate_decay_type", default="fixed")
    p.add_argument("--learning_rate_decay_factor", type=float, default=0.94)
    p.add_argument("--num_epochs_per_decay", type=float, default=2.0)
    p.add_argument("--end_learning_rate", type=float, default=0.0001)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--opt_epsilon", type=float, default=1e-7)
    p.add_argument("--rmsprop_decay", type=float, default=0.9)
    p.add_argument("--rmsprop_momentum", type=float, default=0.9)
    p.add_argument("--label_smoothing", type=float, default=0.0)
    p.add_argument("--moving_average_decay", type=float, default=None)
    p.add_argument("--max_number_of_steps", type=int, default=300)
    p.add_argument("--log_every_n_steps", type=int, default=50)
    p.add_argument("--save_interval_secs", type=float, default=600)
    p.add_argument("--save_interval_steps", type=int, default=100)
    p.add_argument("--save_summaries_secs", type=float, default=60)
    p.add_argument("--num_clones", type=int, default=1)
    p.add_argument("--eval_split_name", default=None,
                   help="evaluate this split after training (default: "
                        "'test' for the embedded digits dataset)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import keras
    import tensorflow as tf

    from slimkeras import checkpoints, learning, patterns

    spec = common.get_spec(args.model_name)
    common.check_writable_dir(args.train_dir, "--train_dir")
    dataset = common.load_dataset(args, args.dataset_split_name)
    size = common.image_size(spec, args.train_image_size)
    num_classes = dataset.num_classes - args.labels_offset
    strategy = _strategy(args.num_clones)
    with strategy.scope():
        model = common.build_model(spec, num_classes, size, args.weight_decay)
    if args.checkpoint_path:
        exclude = patterns.split_patterns(args.checkpoint_exclude_scopes)
        try:
            report = checkpoints.restore(
                model, args.checkpoint_path, exclude=exclude or None,
                ignore_missing_vars=args.ignore_missing_vars,
                label_offset=0)
        except (ValueError, FileNotFoundError) as e:
            raise common.CLIError(f"--checkpoint_path: {e}") from None
        print(report)
    if args.trainable_scopes:
        learning.set_trainable_scopes(
            model, patterns.split_patterns(args.trainable_scopes))
    decay_steps = max(1, int(dataset.num_samples / args.batch_size
                             * args.num_epochs_per_decay))
    try:
        lr = learning.configure_learning_rate(
            args.learning_rate_decay_type, args.learning_rate, decay_steps,
            args.learning_rate_decay_factor, args.end_learning_rate)
        with strategy.scope():
            optimizer = learning.configure_optimizer(
                args.optimizer, lr, momentum=args.momentum,
                opt_epsilon=args.opt_epsilon,
                rmsprop_decay=args.rmsprop_decay,
                rmsprop_momentum=args.rmsprop_momentum)
            if args.moving_average_decay:
                optimizer.use_ema = True
                optimizer.ema_momentum = args.moving_average_decay
    except ValueError as e:
        raise common.CLIError(str(e)) from None
    ds = common.batches(args, spec, dataset, True, size)
    smoothing = args.label_smoothing
    xent = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=smoothing)

    def total_loss(batch):
        images, labels = batch
        logits, end_points = model(images, training=True)
        onehot = tf.one_hot(labels, num_classes)
        loss = xent(onehot, tf.reshape(logits, (-1, num_classes)))
        if "AuxLogits" in end_points:
            aux = tf.reshape(end_points["AuxLogits"], (-1, num_classes))
            loss += 0.4 * xent(onehot, aux)
        if model.losses:
            loss += tf.add_n(model.losses)
        return loss

    step = learning.create_train_op(total_loss, optimizer, model=model)
    loss = learning.train(
        step, ds, args.train_dir, number_of_steps=args.max_number_of_steps,
        log_every_n_steps=args.log_every_n_steps,
        save_interval_steps=args.save_interval_steps,
        save_interval_secs=args.save_interval_secs,
        save_summaries_secs=args.save_summaries_secs)
    print(f"step {int(step.step.numpy())}: loss {loss:.4f}; checkpoints in "
          f"{args.train_dir}")
    split = args.eval_split_name or (
        "test" if args.dataset_name == "digits" else None)
    if split:
        _evaluate_after(args, spec, model, split, size, num_classes)
    return 0


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


def _strategy(num_clones: int):
    import tensorflow as tf

    if num_clones <= 1:
        return tf.distribute.get_strategy()
    gpus = tf.config.list_logical_devices("GPU")
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
