"""``slimkeras eval``: accuracy and recall@5 of a checkpoint (or each new)."""

from __future__ import annotations

import argparse
import os

from slimkeras.cli import common


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="evaluate training checkpoints")
    common.add_model_flags(p)
    p.add_argument("--dataset_split_name", default="test")
    p.add_argument("--checkpoint_path", required=True,
                   help="a checkpoint or a train_dir (latest; --loop: all)")
    p.add_argument("--eval_dir", default=None)
    p.add_argument("--eval_image_size", type=int, default=None)
    p.add_argument("--max_num_batches", type=int, default=None)
    p.add_argument("--loop", action="store_true",
                   help="evaluate each new checkpoint as it appears")
    p.add_argument("--eval_interval_secs", type=float, default=60)
    p.add_argument("--timeout", type=float, default=None)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import keras
    import tensorflow as tf

    from slimkeras import evaluation

    spec = common.get_spec(args.model_name)
    dataset = common.load_dataset(args, args.dataset_split_name)
    size = common.image_size(spec, args.eval_image_size)
    num_classes = dataset.num_classes - args.labels_offset
    model = common.build_model(spec, num_classes, size, 0.0)
    logits_only = keras.Model(model.input, model.output[0])
    ds = common.batches(args, spec, dataset, False, size, num_epochs=1)
    ds = ds.map(lambda x, y: (x, y))
    metrics = {
        "accuracy": keras.metrics.SparseCategoricalAccuracy(),
        "recall_5": keras.metrics.SparseTopKCategoricalAccuracy(k=5),
    }
    flat = _Flat(logits_only, num_classes)
    path = args.checkpoint_path
    if args.loop:
        if not os.path.isdir(path):
            raise common.CLIError(f"--loop needs a directory; {path!r} is not.")
        values = evaluation.evaluation_loop(
            flat, ds, metrics, path, logdir=args.eval_dir,
            eval_interval_secs=args.eval_interval_secs, timeout=args.timeout,
            num_evals=args.max_num_batches)
    else:
        if os.path.isdir(path):
            latest = tf.train.latest_checkpoint(path)
            if latest is None:
                raise common.CLIError(f"no checkpoint in {path!r}.")
            path = latest
        elif not tf.io.gfile.exists(path + ".index"):
            raise common.CLIError(f"--checkpoint_path {path!r} not found.")
        values = evaluation.evaluate_once(flat, ds, metrics, path,
                                          args.eval_dir, args.max_num_batches)
    for k, v in values.items():
        print(f"eval/{k}: {v:.4f}")
    return 0


def _Flat(model, num_classes):
    """Logits reshaped to [B, C] (nets may return [B, 1, 1, C]); holds the
    same variables (same paths) as ``model``, so training checkpoints load."""
    import keras

    class Flat(keras.Model):
        def __init__(self):
            super().__init__(name=f"{model.name}_flat")
            self.inner = model

        def call(self, x, training=False):
            return keras.ops.reshape(self.inner(x, training=training),
                                     (-1, num_classes))

    flat = Flat()
    flat.build(model.input_shape)
    return flat
