"""Pretrains a small MobileNet V1 on part of the embedded digits and packs
the checkpoint as research/slim publishes its checkpoints.

research/slim's ``mobilenet_v1_0.25_128.tgz`` holds
``mobilenet_v1_0.25_128.ckpt.{index,data-00000-of-00001}`` (plus a meta
graph, a frozen graph, a ``.tflite`` and an ``_info.txt``). This script
writes the same layout for a net that trains here in seconds::

    mobilenet_v1_0.25_28.tgz
        mobilenet_v1_0.25_28.ckpt.index
        mobilenet_v1_0.25_28.ckpt.data-00000-of-00001
        mobilenet_v1_0.25_28_info.txt

MobileNet V1, depth multiplier 0.25, 28x28 grayscale inputs. The
pretraining task is broader than the fine-tuning one, as ImageNet is
broader than a user's five flower species: digits 0-5 (by default; the
fine-tuning notebook then learns digits 6-9, never seen here) each in four
orientations (0, 90, 180, 270 degrees), 24 classes, label ``4 * digit +
quarter_turns``. Measured: a logistic-regression probe on the pooled
features, fitted on 10 images per class of digits 6-9, reached 0.79
held-out accuracy after 5 epochs of this task, against 0.60 after 12
epochs on the six upright classes alone (features that separate six
classes and little else). The checkpoint is a TF1 name-based V2
bundle (``save_tf1_checkpoint``), the format of research/slim's 2018
MobileNet tarballs; its classifier ``MobilenetV1/Logits/Conv2d_1c_1x1``
has 24 outputs.

Usage: ``python make_pretrained_tarball.py [--output_dir DIR]``; prints
the tarball's path. Seeded: the same command writes the same weights.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tarfile
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

DEPTH_MULTIPLIER = 0.25
SIZE = 28
NAME = f"mobilenet_v1_{DEPTH_MULTIPLIER}_{SIZE}"


@functools.cache
def load_digits(split: str):
    """``(images [N, 28, 28, 1] float32 in [0, 1], labels [N])``, read
    once per process (do not modify the arrays in place)."""
    import numpy as np

    from slimkeras.data import make_batches
    from slimkeras.datasets import get_dataset

    batches = make_batches(get_dataset("digits", split), batch_size=512,
                           is_training=False, num_epochs=1)
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in batches])
    return np.concatenate(xs), np.concatenate(ys)


def build(num_classes: int, batch_norm_decay: float):
    """MobileNet V1 0.25 at 28x28x1 in research/slim's arg_scope."""
    import keras

    import slimkeras as slim
    from slimkeras.nets import mobilenet_v1

    inputs = keras.Input((SIZE, SIZE, 1), name="images")
    scope = mobilenet_v1.mobilenet_v1_arg_scope(
        batch_norm_decay=batch_norm_decay)
    with slim.name_registry(), slim.arg_scope(scope):
        logits, _ = mobilenet_v1.mobilenet_v1(
            inputs, num_classes=num_classes,
            depth_multiplier=DEPTH_MULTIPLIER)
    return keras.Model(inputs, logits, name="MobilenetV1")


def pretrain(classes, epochs: int, batch_size: int, seed: int):
    """The trained model and its training-set accuracy per epoch."""
    import keras
    import numpy as np

    x, y = load_digits("train")
    keep = np.isin(y, classes)
    x, y = x[keep], np.searchsorted(classes, y[keep])
    x = np.concatenate([np.rot90(x, k, axes=(1, 2)) for k in range(4)])
    y = np.concatenate([4 * y + k for k in range(4)])
    keras.utils.set_random_seed(seed)
    # research/slim trains for ~10^5 steps with decay 0.9997; here a few
    # hundred steps, so the moving statistics need a faster decay to
    # settle.
    model = build(4 * len(classes), batch_norm_decay=0.9)
    model.compile(keras.optimizers.Adam(3e-3),
                  keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size,
                        verbose=0)
    return model, history.history["accuracy"], len(x)


def write_tarball(model, output_dir: str, info: str) -> str:
    """Writes ``<output_dir>/<NAME>.tgz`` atomically; returns its path."""
    from slimkeras import checkpoints

    os.makedirs(output_dir, exist_ok=True)
    path = os.path.join(output_dir, NAME + ".tgz")
    with tempfile.TemporaryDirectory(dir=output_dir) as tmp:
        prefix = checkpoints.save_tf1_checkpoint(
            model, os.path.join(tmp, NAME + ".ckpt"), write_state_file=False)
        with open(os.path.join(tmp, NAME + "_info.txt"), "w") as f:
            f.write(info)
        partial = os.path.join(tmp, NAME + ".tgz")
        with tarfile.open(partial, "w:gz") as tar:
            for name in sorted(os.listdir(tmp)):
                if name.startswith(NAME) and not name.endswith(".tgz"):
                    tar.add(os.path.join(tmp, name), arcname=name)
        os.replace(partial, path)
        del prefix
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output_dir", default="pretrained",
                        help="Where the tarball is written.")
    parser.add_argument("--classes", default="0,1,2,3,4,5",
                        help="Comma-separated digits to pretrain on.")
    parser.add_argument("--epochs", type=int, default=5,
                        help="Training epochs.")
    parser.add_argument("--batch_size", type=int, default=64,
                        help="Training batch size.")
    parser.add_argument("--seed", type=int, default=0,
                        help="Random seed (keras.utils.set_random_seed).")
    args = parser.parse_args(argv)
    classes = sorted(int(c) for c in args.classes.split(","))
    start = time.time()
    model, accuracy, n = pretrain(classes, args.epochs, args.batch_size,
                                  args.seed)
    info = (f"{NAME}: MobileNet V1, depth multiplier {DEPTH_MULTIPLIER}, "
            f"{SIZE}x{SIZE}x1 inputs, trained on {n} images (digits "
            f"{classes}, each in 4 orientations; 24 classes, label = 4 * "
            f"index of the digit in {classes} + quarter turns) for "
            f"{args.epochs} epochs (seed {args.seed}); training accuracy "
            f"{accuracy[-1]:.3f}.\n")
    path = write_tarball(model, args.output_dir, info)
    print(f"pretrained on {n} images (digits {classes} x 4 rotations) in "
          f"{time.time() - start:.0f} s; training accuracy per epoch: "
          + " ".join(f"{a:.2f}" for a in accuracy))
    print(path)
    return path


if __name__ == "__main__":
    main()
    sys.exit(0)
