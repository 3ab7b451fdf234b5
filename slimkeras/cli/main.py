"""Dispatch and error handling for ``python -m slimkeras``."""

from __future__ import annotations

import argparse
import os
import sys

from slimkeras.cli import common


def _parser() -> argparse.ArgumentParser:
    from slimkeras.cli import evaluate, export, train

    p = argparse.ArgumentParser(
        prog="slimkeras",
        description="TF-Slim on Keras: train/eval/inspect/export image "
                    "classifiers with research/slim's flags. With no "
                    "subcommand: the main job, `train "
                    + " ".join(_main_flags()) + "` (LeNet on the embedded "
                    "digits). " + common.OFFLINE_DEFAULTS)
    sub = p.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="slim-style model on digits with fit")
    d.add_argument("--epochs", type=int, default=5)
    d.set_defaults(func=lambda a: _demo(a))
    train.add_parser(sub)
    evaluate.add_parser(sub)
    export.add_parser(sub)
    i = sub.add_parser("inspect", help="list a checkpoint; match a net")
    i.add_argument("path")
    i.add_argument("--net", default=None)
    i.add_argument("--exclude", default="")
    i.set_defaults(func=_inspect)
    return p


def _main_flags():
    from slimkeras.cli.train import MAIN_JOB_FLAGS

    return MAIN_JOB_FLAGS


def _demo(args) -> int:
    from slimkeras import demo

    demo.main(["--epochs", str(args.epochs)])
    return 0


def _inspect(args) -> int:
    from slimkeras.checkpoints.__main__ import main as ckpt_main

    argv = ["inspect", args.path]
    if args.net:
        argv += ["--net", args.net]
    if args.exclude:
        argv += ["--exclude", args.exclude]
    return ckpt_main(argv)


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from slimkeras.cli.train import MAIN_JOB_FLAGS

    argv = list(sys.argv[1:] if argv is None else argv)
    commands = ("demo", "train", "eval", "export", "inspect")
    if not argv or (argv[0].startswith("-")
                    and argv[0] not in ("-h", "--help")):
        # The main job: train with MAIN_JOB_FLAGS (the user's flags after
        # them win).
        argv = ["train", *MAIN_JOB_FLAGS, *argv]
    args = _parser().parse_args(argv)
    if args.command is None or args.command not in commands:
        args = _parser().parse_args(["train", *MAIN_JOB_FLAGS, *argv])
    try:
        return args.func(args)
    except common.CLIError as e:
        print(f"slimkeras {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
