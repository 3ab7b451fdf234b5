"""Dispatch and error handling for ``python -m slimkeras``."""

from __future__ import annotations

import argparse
import os
import sys

from slimkeras.cli import common


def _parser() -> argparse.ArgumentParser:
    from slimkeras.cli import demo, evaluate, export, inspect, train

    p = argparse.ArgumentParser(
        prog="slimkeras",
        description="TF-Slim on Keras: train/eval/inspect/export image "
                    "classifiers with research/slim's flags. With no "
                    "subcommand: the main job, `train "
                    + " ".join(_main_flags()) + "` (LeNet on the embedded "
                    "digits). " + common.OFFLINE_DEFAULTS)
    sub = p.add_subparsers(dest="command")
    demo.add_parser(sub)
    train.add_parser(sub)
    evaluate.add_parser(sub)
    export.add_parser(sub)
    inspect.add_parser(sub)
    return p


def _main_flags():
    from slimkeras.cli.train import MAIN_JOB_FLAGS

    return MAIN_JOB_FLAGS


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
