"""``slimkeras export``: research/slim's export_inference_graph.py (+ the
freeze_graph step), and Keras/TF1/SavedModel exports.

``--output_file`` writes the *frozen* inference GraphDef research/slim's
``export_inference_graph.py`` + ``freeze_graph`` produce: input placeholder
``input`` (float32 ``[batch_size, image_size, image_size, 3]``), output
``<Scope>/Predictions/Reshape_1`` (the softmax), weights as constants. So
it needs weights: ``--checkpoint_path`` (a TF1 slim checkpoint, a
slimkeras train_dir or ``ckpt-N``). research/slim's weight-less graph
(variables for freeze_graph to fill in) is not produced: slimkeras has no
TF1 graph to write; its frozen graph is what freeze_graph would give.
"""

from __future__ import annotations

import argparse

from slimkeras.cli import common

_NO_WEIGHTS = (
    "needs --checkpoint_path: slimkeras writes the frozen graph (what "
    "research/slim's freeze_graph makes from export_inference_graph's "
    "graph + --input_checkpoint), so it needs the weights")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "export", help="export a model (export_inference_graph.py)",
        description="research/slim's export_inference_graph.py flags. "
        + common.OFFLINE_DEFAULTS)
    _add_research_slim_flags(p)
    common.add_absl_logging_flags(p)
    _add_slimkeras_flags(p)
    from slimkeras import mixed_precision

    mixed_precision.add_mixed_precision_flag(p)
    p.set_defaults(func=run)


def _add_research_slim_flags(p) -> None:
    """research/slim export_inference_graph.py's flags."""
    a = p.add_argument
    a("--model_name", default="lenet",
      help="The name of the architecture to save. Default lenet "
      "(research/slim: inception_v3)")
    common.bool_flag(p, "--is_training", False,
                     "Whether to save out a training-focused version of the"
                     " model. slimkeras: only False (a frozen graph is an "
                     "inference graph)")
    a("--image_size", type=int, default=None,
      help="The image size to use, otherwise use the model "
      "default_image_size.")
    a("--batch_size", type=int, default=None,
      help='Batch size for the exported model. Defaulted to "None" so '
      "batch size can be specified at model runtime.")
    a("--dataset_name", default="digits",
      help="The name of the dataset to use with the model (it gives "
      "num_classes). Default digits (research/slim: imagenet)")
    a("--labels_offset", type=int, default=0,
      help=common.LABELS_OFFSET_HELP)
    a("--output_file", default="",
      help="Where to save the resulting file to. slimkeras: a frozen "
      "inference GraphDef (.pb), input 'input', output "
      "'<Scope>/Predictions/Reshape_1'")
    a("--dataset_dir", default="",
      help="Directory to save intermediate dataset files to. slimkeras: "
      "the dataset's directory (read for num_classes and int8 "
      "calibration)")
    a("--quantize", nargs="?", const="true", default="none",
      type=_quantize_mode, metavar="{none,float16,dynamic,int8}",
      help="TFLite post-training quantization for --tflite: none, "
      "float16, dynamic (int8 weights) or int8 (full-integer, int8 "
      "input/output, calibrated on real images). research/slim's boolean "
      "--quantize (contrib.quantize graphs) is not supported; "
      "--quantize=false / --noquantize mean none")
    a("--noquantize", dest="quantize", action="store_const", const="none",
      help=argparse.SUPPRESS)
    common.bool_flag(p, "--is_video_model", False,
                     "whether to use 5-D inputs for video model. "
                     "slimkeras: not supported (no video nets)")
    a("--num_frames", type=int, default=None,
      help="The number of frames to use. Only used if is_video_model is "
      "True.")
    common.bool_flag(p, "--write_text_graphdef", False,
                     "Whether to write a text version of graphdef.")
    common.bool_flag(p, "--use_grayscale", False,
                     "Whether to convert input images to grayscale. "
                     "slimkeras: not yet supported (only False)")


def _add_slimkeras_flags(p) -> None:
    """The slimkeras-only flags: weights, output formats, quantization."""
    a = p.add_argument
    a("--num_classes", type=int, default=None,
      help="slimkeras: default the dataset's classes - --labels_offset")
    a("--checkpoint_path", default=None,
      help="slimkeras: the weights (TF1 checkpoint, train_dir or ckpt-N)")
    a("--moving_average_decay", type=float, default=None,
      help="slimkeras (eval's flag): export the "
      "<var>/ExponentialMovingAverage values instead of the raw weights")
    a("--frozen_graph", default=None, help="same as --output_file")
    a("--keras_path", default=None, help="write a .keras model")
    a("--tf1_checkpoint", default=None,
      help="write a TF1 name-based checkpoint (slim names)")
    a("--saved_model_dir", default=None,
      help="write a TF SavedModel for serving")
    a("--tflite", default=None, metavar="PATH",
      help="slimkeras: write a .tflite file (see --quantize); checked by "
      "loading it in the TFLite interpreter")
    a("--representative_dataset_dir", default=None,
      help="slimkeras: images (jpg/png, any layout under DIR) to calibrate "
      "--quantize=int8, run through the net's eval preprocessing")
    a("--dataset_split_name", default=None,
      help="slimkeras: the split of --dataset_name/--dataset_dir used to "
      "calibrate --quantize=int8 (e.g. train)")
    a("--representative_steps", type=int, default=100,
      help="slimkeras: at most this many calibration images for int8")
    common.bool_flag(p, "--include_preprocessing", False,
                     "slimkeras: --saved_model_dir also gets serving_uint8 "
                     "and serving_jpeg signatures with the net's eval "
                     "preprocessing inside")
    a("--fold_batch_norms", action="store_true",
      help="fold batch norm into the convs in the .keras and "
      "SavedModel exports (inference only; same outputs); "
      "--tf1_checkpoint keeps slim's variables")


def _quantize_mode(value: str) -> str:
    from slimkeras.export import QUANTIZE_MODES

    text = str(value).strip().lower()
    if text in ("false", "0", "no"):
        return "none"
    if text in ("true", "1", "yes"):
        return "true"
    if text not in QUANTIZE_MODES:
        raise argparse.ArgumentTypeError(
            f"{value!r}: use one of {', '.join(QUANTIZE_MODES)}")
    return text


def _check(args) -> None:
    if args.is_training:
        common.reject("--is_training", True,
                      "the exported graph is a frozen inference graph")
    if args.quantize == "true":
        common.reject("--quantize", True,
                      "quantized graphs (contrib.quantize) are not "
                      "supported; for a quantized TFLite file give --tflite "
                      "PATH --quantize=int8 (or float16, dynamic)")
    if args.quantize != "none" and not args.tflite:
        raise common.CLIError(f"--quantize={args.quantize} applies to "
                              "--tflite PATH; give --tflite.")
    if args.quantize == "int8" and not (
            args.representative_dataset_dir or args.dataset_split_name):
        raise common.CLIError(
            "--quantize=int8 needs calibration images: "
            "--representative_dataset_dir DIR or --dataset_name/"
            "--dataset_dir/--dataset_split_name; without data use "
            "--quantize=dynamic (int8 weights).")
    if args.representative_steps < 1:
        common.reject("--representative_steps", args.representative_steps,
                      "must be >= 1")
    if args.is_video_model or args.num_frames:
        common.reject("--is_video_model", True, "no video nets in slimkeras")
    if args.use_grayscale:
        common.reject("--use_grayscale", True, "not yet supported")
    if args.batch_size is not None and args.batch_size < 1:
        common.reject("--batch_size", args.batch_size, "must be >= 1")
    if args.output_file and args.frozen_graph and (
            args.output_file != args.frozen_graph):
        raise common.CLIError("--output_file and --frozen_graph name the "
                              "same output; give one.")
    if not (args.output_file or args.frozen_graph or args.keras_path
            or args.tf1_checkpoint or args.saved_model_dir or args.tflite):
        raise common.CLIError(
            "You must supply the path to save to with --output_file (or "
            "--keras_path, --tf1_checkpoint, --saved_model_dir, --tflite).")
    if not args.checkpoint_path:
        raise common.CLIError(f"export {_NO_WEIGHTS}.")


def _num_classes(args) -> int:
    if args.num_classes is not None:
        return args.num_classes
    from slimkeras.datasets import factory

    try:
        n = factory.num_classes(args.dataset_name, args.dataset_dir or None,
                                getattr(args, "file_pattern", None))
    except ValueError as e:
        raise common.CLIError(
            f"--num_classes not given and the dataset cannot tell it: {e}")\
            from None
    return n - args.labels_offset


def _check_equal(model, path, averaged: bool) -> None:
    """Every exported variable equals the checkpoint's tensor (the EMA
    shadow with --moving_average_decay): a silent difference is an error."""
    import numpy as np

    from slimkeras.checkpoints.reader import open_checkpoint

    index = open_checkpoint(path)
    suffix = "/ExponentialMovingAverage"
    names, variables = [], []
    for v in model.weights:
        name = v.path + suffix if averaged and (
            v.path + suffix) in index.shapes else v.path
        names.append(name)
        variables.append(v)
    values = index.read_many(names)
    bad = [n for n, v, x in zip(names, variables, values)
           if not np.array_equal(np.asarray(v), x)]
    if bad:
        raise common.CLIError(
            f"export: {len(bad)} variable(s) differ from {path!r} after "
            f"restoring (e.g. {bad[:3]}); nothing was written.")


def run(args: argparse.Namespace) -> int:
    """Exports under the ``--mixed_precision`` policy (restored after)."""
    from slimkeras import mixed_precision

    with mixed_precision.cli_policy(args):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from slimkeras import checkpoints, nets

    _check(args)
    spec = common.get_spec(args.model_name)
    size = common.image_size(spec, args.image_size)
    num_classes = _num_classes(args)
    too_small = (f"--image_size={size}: {spec.name} cannot take "
                 f"{size}x{size} images")
    try:
        model = nets.create_model(spec.name, num_classes=num_classes,
                                  input_shape=(size, size, spec.channels))
    except ValueError as e:
        raise common.CLIError(f"{too_small} ({str(e).splitlines()[0]})") \
            from None
    empty = [v for v in model.weights if 0 in tuple(v.shape)]
    if empty:
        raise common.CLIError(
            f"{too_small} (the feature map vanishes: {empty[0].path} has "
            f"shape {tuple(empty[0].shape)}); use a larger --image_size "
            f"(default {spec.default_image_size}).")
    averaged = bool(args.moving_average_decay)
    try:
        if averaged:
            from slimkeras.checkpoints.reader import open_checkpoint

            index = open_checkpoint(args.checkpoint_path)
            if not any(n.endswith("/ExponentialMovingAverage")
                       for n in index.shapes):
                raise ValueError(
                    "--moving_average_decay: the checkpoint has no "
                    "<var>/ExponentialMovingAverage tensors (train with "
                    "--moving_average_decay)")
        report = checkpoints.restore(model, args.checkpoint_path,
                                     use_moving_averages=averaged)
    except (ValueError, OSError) as e:
        raise common.CLIError(f"--checkpoint_path: {e}") from None
    print(report)
    _check_equal(model, args.checkpoint_path, averaged)
    out = args.output_file or args.frozen_graph
    if out:
        write_inference_graph(model, out, args.batch_size,
                              args.write_text_graphdef)
    served = model
    if args.fold_batch_norms:
        from slimkeras.inference import fold_batch_norms

        served = fold_batch_norms(model)
        print(f"folded batch norm into {len(served.folded_scopes)} layers")
    if args.keras_path:
        served.save(args.keras_path)
        print(f"wrote {args.keras_path}")
    if args.tf1_checkpoint:
        checkpoints.save_tf1_checkpoint(model, args.tf1_checkpoint)
        print(f"wrote {args.tf1_checkpoint}")
    if args.saved_model_dir:
        from slimkeras.export import export_saved_model

        sigs = export_saved_model(
            served, args.saved_model_dir,
            preprocessing_name=spec.preprocessing,
            include_preprocessing=args.include_preprocessing,
            labels_offset=args.labels_offset)
        print(f"wrote {args.saved_model_dir} (signatures: "
              f"{', '.join(sorted(sigs))})")
    if args.tflite:
        _write_tflite(args, spec, served, size)
    return 0


def _representative(args, spec, size):
    """Batches of the net's eval preprocessing of real images."""
    import tensorflow as tf

    from slimkeras.preprocessing import preprocessing_factory

    prep = preprocessing_factory.get_preprocessing(spec.preprocessing,
                                                   is_training=False)
    if args.representative_dataset_dir:
        files = sorted(
            f for ext in ("jpg", "jpeg", "png", "JPEG", "JPG", "PNG")
            for f in tf.io.gfile.glob(
                f"{args.representative_dataset_dir}/**/*.{ext}")
            + tf.io.gfile.glob(f"{args.representative_dataset_dir}/*.{ext}"))
        files = sorted(set(files))
        if not files:
            raise common.CLIError(
                f"--representative_dataset_dir "
                f"{args.representative_dataset_dir!r} holds no jpg/png "
                "images.")

        def load(path):
            image = tf.io.decode_image(tf.io.read_file(path),
                                       channels=spec.channels,
                                       expand_animations=False)
            image.set_shape([None, None, spec.channels])
            return prep(image, size, size)

        return tf.data.Dataset.from_tensor_slices(files).map(load).batch(1)
    dataset = common.load_dataset(args, args.dataset_split_name)
    from slimkeras.data import make_batches

    return make_batches(dataset, 1, prep, size, is_training=False,
                        channels=spec.channels, num_epochs=1)


def _write_tflite(args, spec, model, size) -> None:
    import numpy as np

    from slimkeras.export import run_tflite, to_tflite

    data = None
    if args.quantize == "int8":
        data = _representative(args, spec, size)
    try:
        info = to_tflite(model, args.tflite, quantize=args.quantize,
                         representative_data=data,
                         representative_steps=args.representative_steps)
    except ValueError as e:
        raise common.CLIError(f"--tflite: {e}") from None
    probe = np.zeros((1, size, size, spec.channels), np.float32)
    run_tflite(info.path, probe)  # the runtime loads and runs it
    print(f"wrote {info.path} ({info.quantize}, {info.size_bytes} bytes, "
          f"input {info.input_dtype}, output {info.output_dtype}"
          + (f", calibrated on {info.calibration_batches} images"
             if info.calibration_batches else "") + ")")


def write_inference_graph(model, path, batch_size=None, as_text=False):
    """The frozen GraphDef with research/slim's node names."""
    import os

    import tensorflow as tf

    from slimkeras.inference import freeze, predictions_node_name

    frozen = freeze(model, batch_size=batch_size, input_name="input",
                    predictions=True)
    output = predictions_node_name(model)
    directory, name = os.path.split(os.path.abspath(path))
    tf.io.write_graph(frozen.graph_def, directory, name, as_text=as_text)
    print(f"wrote {path} (input input, output {output})")
    return output
