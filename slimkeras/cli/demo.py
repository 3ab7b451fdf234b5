"""``slimkeras demo``: a slim-style net on real digits, trained with fit.

Builds a small model the TF-Slim way (``arg_scope``, ``repeat``,
``conv2d`` + ``batch_norm``, ``fully_connected``, ``dropout``, an L2
regularizer) as a ``slim.Model``, fits it on scikit-learn's bundled 8x8
digits (shipped with the package, no network), prints the loss per epoch
and the slim variable names, and reports held-out accuracy.
"""

from __future__ import annotations

import argparse
import time

import keras

import slimkeras as slim
from slimkeras.datasets.digits import load_arrays


def lenet_like(images, is_training=None):
    """A slim-style model function (as a tf-slim user would write it)."""
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        weights_regularizer=slim.l2_regularizer(1e-4)):
        # decay 0.9 (slim's default is 0.999): a few hundred steps would
        # leave 0.999 moving averages near their initial values.
        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                            normalizer_params={"scale": True, "decay": 0.9}):
            with slim.variable_scope("digits_net"):
                net = slim.repeat(images, 2, slim.conv2d, 16, [3, 3],
                                  scope="conv1")
                net = slim.max_pool2d(net, [2, 2], scope="pool1")
                net = slim.conv2d(net, 32, [3, 3], scope="conv2")
                net = slim.flatten(net)
                net = slim.fully_connected(net, 64, scope="fc3")
                net = slim.dropout(net, 0.8, is_training=is_training,
                                   scope="dropout3")
                return slim.fully_connected(net, 10, activation_fn=None,
                                            scope="logits")


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="slim-style model on digits with fit",
                       description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=5,
                   help="epochs of Model.fit (default: %(default)s)")
    p.add_argument("--batch_size", type=int, default=32,
                   help="images per batch (default: %(default)s)")
    p.set_defaults(func=_command)


def _command(args) -> int:
    run(args)
    return 0


def main(argv=None) -> float:
    """Runs the demo with ``argv`` flags; returns the held-out accuracy."""
    parser = argparse.ArgumentParser(prog="slimkeras")
    add_parser(parser.add_subparsers(dest="command"))
    return run(parser.parse_args(["demo", *(argv or [])]))


def run(args) -> float:
    keras.utils.set_random_seed(0)
    (x, y), (xt, yt) = load_arrays()
    model = slim.Model(lenet_like)
    model.compile(
        keras.optimizers.Adam(3e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.time()
    hist = model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size,
                     verbose=0)
    for i, loss in enumerate(hist.history["loss"]):
        print(f"epoch {i + 1}: loss {loss:.4f}")
    print("variables (slim checkpoint names):")
    for v in model.weights:
        print(f"  {v.path:45s} {tuple(v.shape)}")
    _, acc = model.evaluate(xt, yt, verbose=0)
    print(f"held-out accuracy: {acc:.3f} ({len(xt)} images, "
          f"{time.time() - start:.1f}s)")
    return acc

