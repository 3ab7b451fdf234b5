"""What train, eval and export share: flags, dataset and model set-up."""

from __future__ import annotations

import argparse
import os


class CLIError(Exception):
    """A user error: printed as one line, exit code 2."""


OFFLINE_DEFAULTS = (
    "--model_name and --dataset_name default to lenet/digits (research/slim:"
    " inception_v3/imagenet) so that `python -m slimkeras` runs offline on "
    "the embedded digits dataset; every other flag keeps research/slim's "
    "default and meaning.")


LABELS_OFFSET_HELP = (
    "An offset for the labels in the dataset. This flag is primarily used "
    "to evaluate the VGG and ResNet architectures which do not use a "
    "background class for the ImageNet dataset.")


def add_model_flags(p: argparse.ArgumentParser, batch_size: int = 32) -> None:
    p.add_argument("--model_name", default="lenet",
                   help="The name of the architecture (slimkeras.nets."
                   "list_nets()). Default lenet (research/slim: "
                   "inception_v3), see above")
    p.add_argument("--dataset_name", default="digits",
                   help="The name of the dataset to load: a registered "
                   "one (mnist, cifar10, flowers, imagenet, digits, "
                   "image_folder, tfrecords: any labels.txt + TFRecords "
                   "dir) or a dotted module with get_split(). Default "
                   "digits (research/slim: imagenet)")
    p.add_argument("--dataset_dir", default=None,
                   help="The directory where the dataset files are "
                   "stored (digits: a cache dir by default)")
    p.add_argument("--file_pattern", default=None,
                   help="slimkeras: TFRecord file pattern in --dataset_dir "
                   "(%%s: the split name), as dataset_factory's file_pattern")
    p.add_argument("--labels_offset", type=int, default=0,
                   help=LABELS_OFFSET_HELP)
    p.add_argument("--preprocessing_name", default=None,
                   help="The name of the preprocessing to use. If left as "
                   "`None`, then the model_name flag is used (slimkeras: "
                   "the net's registered preprocessing)")
    p.add_argument("--batch_size", type=int, default=batch_size,
                   help="The number of samples in each batch.")
    p.add_argument("--weight_decay", type=float, default=0.00004,
                   help="The weight decay on the model weights (slim's "
                   "l2_regularizer scale; no effect on eval's outputs)")


def add_absl_logging_flags(p: argparse.ArgumentParser) -> None:
    """absl's logging switches research/slim's README commands pass:
    accepted; slimkeras prints its progress to stdout either way."""
    p.add_argument("--alsologtostderr", nargs="?", const=True, default=False,
                   type=_bool, help="absl flag; accepted (no effect)")
    p.add_argument("--logtostderr", nargs="?", const=True, default=False,
                   type=_bool, help="absl flag; accepted (no effect)")


def _bool(text) -> bool:
    v = str(text).lower()
    if v in ("1", "true", "t", "yes"):
        return True
    if v in ("0", "false", "f", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true/false, got {text!r}")


def bool_flag(p: argparse.ArgumentParser, name: str, default: bool,
              help: str | None = None) -> None:
    """An absl-style boolean: ``--flag``, ``--flag=true|false``,
    ``--noflag``."""
    dest = name.lstrip("-")
    p.add_argument(name, dest=dest, nargs="?", const=True, default=default,
                   type=_bool, help=help)
    p.add_argument(f"--no{dest}", dest=dest, action="store_false",
                   help=argparse.SUPPRESS)


def reject(flag: str, value, reason: str) -> None:
    """A research/slim flag slimkeras does not support at this value."""
    raise CLIError(f"{flag}={value}: {reason}.")


def image_size(spec, flag: int | None) -> int:
    return int(flag or spec.default_image_size)


def load_dataset(args, split):
    from slimkeras.datasets import get_dataset

    try:
        return get_dataset(args.dataset_name, split, args.dataset_dir,
                           file_pattern=getattr(args, "file_pattern", None))
    except ValueError as e:
        raise CLIError(str(e)) from None


def get_spec(name):
    from slimkeras import nets

    try:
        return nets.get_net(name)
    except ValueError as e:
        raise CLIError(str(e)) from None


def batches(args, spec, dataset, is_training, size, num_epochs=None):
    """The CLI's batches; ``num_epochs=None`` (training) repeats forever,
    as slim's train loop needs."""
    from slimkeras.data import make_batches
    from slimkeras.preprocessing import preprocessing_factory

    name = args.preprocessing_name or spec.preprocessing
    try:
        fn = preprocessing_factory.get_preprocessing(name, is_training)
    except ValueError as e:
        raise CLIError(str(e)) from None
    return make_batches(dataset, args.batch_size, fn, size,
                        is_training=is_training,
                        labels_offset=args.labels_offset,
                        channels=spec.channels, num_epochs=num_epochs,
                        seed=0 if is_training else None)


def build_model(spec, num_classes, size, weight_decay):
    from slimkeras import nets

    return nets.create_model(spec.name, num_classes=num_classes,
                             input_shape=(size, size, spec.channels),
                             weight_decay=weight_decay, outputs="both")


def check_writable_dir(path, flag):
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".slimkeras_write_test")
        with open(probe, "w") as f:
            f.write("")
        os.remove(probe)
    except OSError as e:
        raise CLIError(f"{flag} {path!r} is not writable: {e.strerror}.") \
            from None
