"""``python -m slimkeras.checkpoints inspect PATH [--net NAME]``.

Prints the checkpoint's names, shapes and dtypes; with ``--net`` also the
dry-run match report against ``slimkeras.nets.create_model(NAME)``.
"""

from __future__ import annotations

import argparse
import sys

from slimkeras.checkpoints.inspection import inspect
from slimkeras.checkpoints.reader import (
    CheckpointNotFoundError,
    CheckpointReadError,
)
from slimkeras.patterns import split_patterns


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m slimkeras.checkpoints")
    sub = p.add_subparsers(dest="command", required=True)
    i = sub.add_parser("inspect", help="list a checkpoint; match a net")
    i.add_argument("path", help="checkpoint prefix, V1 file, directory, .tar.gz, train_dir")
    i.add_argument("--net", help="registered net name (slimkeras.nets)")
    i.add_argument("--num-classes", type=int, default=None,
                   help="logits size for --net (default: the net's)")
    i.add_argument("--exclude", default="",
                   help="comma-separated scopes to exclude (dry run)")
    i.add_argument("--label-offset", type=int, default=0)
    i.add_argument("--member", default=None,
                   help="checkpoint inside a directory/archive of several")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    model = None
    try:
        if args.net:
            from slimkeras import nets

            spec = nets.get_net(args.net)  # ValueError lists known nets
            model = nets.create_model(spec.name, num_classes=args.num_classes)
        kwargs = {}
        if model is not None:
            kwargs = dict(exclude=split_patterns(args.exclude) or None,
                          label_offset=args.label_offset)
        info = inspect(args.path, model, member=args.member, **kwargs)
    except (CheckpointNotFoundError, CheckpointReadError, ValueError,
            TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(info)
    if info.report is not None and info.report.errors:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
