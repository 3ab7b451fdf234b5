"""``slimkeras inspect PATH [--net NAME]``: what a checkpoint holds.

Prints the checkpoint's names, shapes and dtypes; with ``--net`` also the
dry-run match report of a restore into ``slimkeras.nets.create_model(NAME)``
(nothing is assigned). Exit status: 0 when the restore would succeed, 1
when the report has errors, 2 when the checkpoint or net cannot be read.
"""

from __future__ import annotations

import sys

from slimkeras.checkpoints.inspection import inspect
from slimkeras.checkpoints.reader import (
    CheckpointNotFoundError,
    CheckpointReadError,
)
from slimkeras.patterns import split_patterns


def add_parser(sub) -> None:
    i = sub.add_parser("inspect", help="list a checkpoint; match a net",
                       description=__doc__.splitlines()[0])
    i.add_argument("path", help="checkpoint prefix, V1 file, directory, "
                   ".tar.gz/.tgz or slimkeras train_dir")
    i.add_argument("--net", default=None,
                   help="also dry-run a restore into this registered net "
                   "(slimkeras.nets) and print the match report")
    i.add_argument("--num_classes", "--num-classes", type=int, default=None,
                   help="with --net: logits size (default: the net's)")
    i.add_argument("--exclude", default="",
                   help="with --net: comma-separated scopes to exclude")
    i.add_argument("--labels_offset", "--label-offset", type=int, default=0,
                   help="with --net: drop this many leading checkpoint "
                   "classes (1: research/slim's background class, 1001 -> "
                   "1000)")
    i.add_argument("--member", default=None,
                   help="the checkpoint inside a directory/archive of "
                   "several")
    i.set_defaults(func=run)


def run(args) -> int:
    model = None
    try:
        if args.net:
            from slimkeras import nets

            spec = nets.get_net(args.net)  # ValueError lists known nets
            model = nets.create_model(spec.name, num_classes=args.num_classes)
        kwargs = {}
        if model is not None:
            kwargs = dict(exclude=split_patterns(args.exclude) or None,
                          label_offset=args.labels_offset)
        info = inspect(args.path, model, member=args.member, **kwargs)
    except (CheckpointNotFoundError, CheckpointReadError, ValueError,
            TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(info)
    if info.report is not None and info.report.errors:
        return 1
    return 0
