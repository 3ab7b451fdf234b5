"""``slimkeras export``: a trained checkpoint as .keras, TF1 names, or a
SavedModel."""

from __future__ import annotations

import argparse
import os

from slimkeras.cli import common


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export a trained model")
    p.add_argument("--model_name", default="lenet")
    p.add_argument("--num_classes", type=int, required=True)
    p.add_argument("--image_size", type=int, default=None)
    p.add_argument("--checkpoint_path", required=True,
                   help="training checkpoint or train_dir (latest)")
    p.add_argument("--keras_path", default=None, help="write a .keras model")
    p.add_argument("--tf1_checkpoint", default=None,
                   help="write a TF1 name-based checkpoint (slim names)")
    p.add_argument("--saved_model_dir", default=None,
                   help="write a TF SavedModel for serving")
    p.add_argument("--frozen_graph", default=None,
                   help="write a frozen inference GraphDef (.pb; batch norm "
                   "folded, weights as constants), as research/slim's "
                   "export_inference_graph.py + freeze_graph")
    p.add_argument("--fold_batch_norms", action="store_true",
                   help="fold batch norm into the convs in the .keras and "
                   "SavedModel exports (inference only; same outputs); "
                   "--tf1_checkpoint keeps slim's variables")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import keras
    import tensorflow as tf

    from slimkeras import checkpoints, nets
    from slimkeras.evaluation import _restore

    spec = common.get_spec(args.model_name)
    if not (args.keras_path or args.tf1_checkpoint or args.saved_model_dir
            or args.frozen_graph):
        raise common.CLIError("export: give at least one of --keras_path, "
                              "--tf1_checkpoint, --saved_model_dir, "
                              "--frozen_graph.")
    size = common.image_size(spec, args.image_size)
    model = nets.create_model(spec.name, num_classes=args.num_classes,
                              input_shape=(size, size, spec.channels))
    path = args.checkpoint_path
    if os.path.isdir(path):
        path = tf.train.latest_checkpoint(path)
        if path is None:
            raise common.CLIError(f"no checkpoint in {args.checkpoint_path!r}.")
    elif not tf.io.gfile.exists(path + ".index"):
        raise common.CLIError(f"--checkpoint_path {path!r} not found.")
    _restore(model, path)
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
    if args.frozen_graph:
        from slimkeras.inference import freeze

        frozen = freeze(model)
        frozen.write_graph(args.frozen_graph)
        print(f"wrote {args.frozen_graph} (input {frozen.input_names[0]}, "
              f"output {frozen.output_names[0]})")
    if args.saved_model_dir:
        served.export(args.saved_model_dir, verbose=False)
        print(f"wrote {args.saved_model_dir}")
    del keras
    return 0
