"""``slimkeras eval``: research/slim's eval_image_classifier.py.

Prints and writes (``--eval_dir``) research/slim's ``eval/Accuracy`` and
``eval/Recall_5``. ``--checkpoint_path`` takes every checkpoint form
(published TF1 V1/V2 checkpoints, a tarball, a directory, a slimkeras
train_dir); the restore is strict and by slim name: a checkpoint that does
not cover the model fails before anything is evaluated.
"""

from __future__ import annotations

import argparse
import os

from slimkeras.cli import common


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="evaluate a checkpoint (or each new one)")
    common.add_model_flags(p)
    p.set_defaults(batch_size=100)  # research/slim's eval default
    _add(p, "--dataset_split_name", default="test",
         help="The name of the train/test split.")
    _add(p, "--checkpoint_path", required=True,
                   help="The directory where the model was written to or "
                        "an absolute path to a checkpoint file. slimkeras: "
                        "any form: TF1 prefix or V1 file "
                        "(research/slim's published ones), .index/.meta "
                        "path, directory (latest), .tar.gz/.tgz, or a "
                        "slimkeras train_dir (--loop: each new one)")
    p.add_argument("--checkpoint_member", default=None,
                   help="which checkpoint of a directory/archive of several")
    _add(p, "--eval_dir", default=None,
                   help="Directory where the results are saved to: "
                        "eval/Accuracy and eval/Recall_5 summaries "
                        "(research/slim's default /tmp/tfmodel/; "
                        "slimkeras writes none unless given)")
    _add(p, "--eval_image_size", type=int, default=None,
         help="Eval image size (default: the net's default_image_size).")
    _add(p, "--max_num_batches", type=int, default=None,
         help="Max number of batches to evaluate by default use all.")
    _add(p, "--moving_average_decay", type=float, default=None,
                   help="The decay to use for the moving average. If left "
                        "as None, then moving averages are not used. "
                        "slimkeras: evaluates the exponential moving "
                        "averages "
                        "('<var>/ExponentialMovingAverage') of the "
                        "trainable variables, as research/slim")
    _add(p, "--master", default="",
                   help="The address of the TensorFlow master to use. "
                        "slimkeras: only '' (eval runs in this process)")
    _add(p, "--num_preprocessing_threads", type=int, default=4,
                   help="The number of threads used to create the "
                        "batches. slimkeras: accepted; tf.data "
                        "parallelism is AUTOTUNE")
    _add(p, "--quantize", action="store_true",
                   help="whether to use quantized graph or not. "
                        "slimkeras: not supported, rejected (see README)")
    _add(p, "--use_grayscale", action="store_true",
                   help="Whether to convert input images to grayscale. "
                        "slimkeras: not supported, rejected")
    p.add_argument("--loop", action="store_true",
                   help="slimkeras: evaluate each new checkpoint as it "
                        "appears (slim's evaluation_loop)")
    p.add_argument("--eval_interval_secs", type=float, default=60,
                   help="slimkeras, with --loop: seconds between looks for "
                        "a new checkpoint")
    p.add_argument("--timeout", type=float, default=None,
                   help="slimkeras, with --loop: stop after this many "
                        "seconds without a new checkpoint (default: wait "
                        "forever)")
    from slimkeras import mixed_precision

    mixed_precision.add_mixed_precision_flag(p)
    p.set_defaults(func=run)


def _add(p: argparse.ArgumentParser, flag: str, **kwargs) -> None:
    """Adds ``flag`` unless the shared flags (cli/common.py) already do."""
    if flag not in p._option_string_actions:
        p.add_argument(flag, **kwargs)


def _check_flags(args: argparse.Namespace) -> None:
    if getattr(args, "quantize", False):
        raise common.CLIError(
            "--quantize is not supported: research/slim rewrites the graph "
            "with tf.contrib.quantize (fake-quant ops for quantization-"
            "aware training), which has no TF2/Keras 3 equivalent here. "
            "Evaluate the float model, or quantize after export (TFLite).")
    if getattr(args, "use_grayscale", False):
        raise common.CLIError(
            "--use_grayscale is not supported by slimkeras's preprocessing "
            "yet; convert the images to grayscale in the dataset.")
    if args.moving_average_decay is not None and not (
            0.0 < args.moving_average_decay < 1.0):
        raise common.CLIError(
            "--moving_average_decay must be in (0, 1); received "
            f"{args.moving_average_decay}.")
    if getattr(args, "master", ""):
        raise common.CLIError(
            f"--master={args.master!r} is not supported: there is no TF1 "
            "master; the evaluation runs in this process (pass '' or leave "
            "it out).")
    if args.batch_size <= 0:
        raise common.CLIError(f"--batch_size must be > 0; received "
                              f"{args.batch_size}.")


def run(args: argparse.Namespace) -> int:
    """Evaluates under the ``--mixed_precision`` policy (restored after)."""
    from slimkeras import mixed_precision

    with mixed_precision.cli_policy(args):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    import keras

    from slimkeras import checkpoints, evaluation

    _check_flags(args)
    spec = common.get_spec(args.model_name)
    path = args.checkpoint_path
    if not args.loop:
        try:  # fail on a bad path before building anything
            path = checkpoints.resolve_checkpoint_path(
                path, args.checkpoint_member)
        except checkpoints.CheckpointNotFoundError as e:
            raise common.CLIError(
                f"--checkpoint_path {args.checkpoint_path!r} not found: {e}"
            ) from None
        except (checkpoints.CheckpointReadError, TypeError) as e:
            raise common.CLIError(f"--checkpoint_path: {e}") from None
    dataset = common.load_dataset(args, args.dataset_split_name)
    size = common.image_size(spec, args.eval_image_size)
    num_classes = dataset.num_classes - args.labels_offset
    model = common.build_model(spec, num_classes, size, 0.0)
    logits_only = keras.Model(model.input, model.output[0])
    ds = common.batches(args, spec, dataset, False, size, num_epochs=1)
    metrics = {
        "eval/Accuracy": keras.metrics.SparseCategoricalAccuracy(),
        "eval/Recall_5": keras.metrics.SparseTopKCategoricalAccuracy(k=5),
    }
    flat = _Flat(logits_only, num_classes)
    ema = args.moving_average_decay is not None
    try:
        if args.loop:
            if not os.path.isdir(path):
                raise common.CLIError(
                    f"--loop needs a directory; {path!r} is not.")
            values = evaluation.evaluation_loop(
                flat, ds, metrics, path, logdir=args.eval_dir,
                eval_interval_secs=args.eval_interval_secs,
                timeout=args.timeout, num_evals=args.max_num_batches,
                use_moving_averages=ema)
        else:
            values = evaluation.evaluate_once(
                flat, ds, metrics, path, args.eval_dir, args.max_num_batches,
                use_moving_averages=ema, member=None)
    except (checkpoints.CheckpointMismatchError,
            checkpoints.CheckpointReadError,
            checkpoints.CheckpointNotFoundError) as e:
        raise common.CLIError(f"--checkpoint_path: {e}") from None
    report = getattr(values, "report", None)
    if report is not None:
        print(f"Evaluating {report.checkpoint} [{report.checkpoint_format}]"
              f": {report.summary()}"
              + (" (moving averages)" if ema else ""))
    for k, v in values.items():
        print(f"{k}: {v:.4f}")
    return 0


def _Flat(model, num_classes):
    """Logits reshaped to [B, C] (nets may return [B, 1, 1, C]); holds the
    same variables (same paths) as ``model``, so checkpoints load."""
    import keras

    class Flat(keras.Model):
        def __init__(self):
            super().__init__(name=f"{model.name}_flat")
            self.inner = model

        def call(self, x, training=False):
            # float32 for the metrics (bf16/f16 logits under a policy).
            return keras.ops.cast(keras.ops.reshape(
                self.inner(x, training=training), (-1, num_classes)),
                "float32")

    flat = Flat()
    flat.build(model.input_shape)
    return flat
