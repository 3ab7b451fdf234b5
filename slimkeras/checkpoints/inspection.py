"""Listing a checkpoint, and a dry-run match report against a model."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from slimkeras.checkpoints.reader import open_checkpoint
from slimkeras.checkpoints.report import RestoreReport

__all__ = ["CheckpointInfo", "inspect"]


@dataclasses.dataclass
class CheckpointInfo:
    """What a checkpoint holds.

    Attributes:
        path: the resolved prefix (or V1 file).
        entries: ``[(name, shape, dtype name)]`` sorted by name.
        report: with a model, the dry-run :class:`RestoreReport`.
    """

    path: str
    entries: list
    report: RestoreReport | None = None

    @property
    def names(self) -> list[str]:
        return [e[0] for e in self.entries]

    @property
    def num_parameters(self) -> int:
        return int(sum(int(np.prod(s)) for _, s, _ in self.entries))

    def __str__(self) -> str:
        w = max([len("name")] + [len(n) for n in self.names])
        lines = [f"Checkpoint {self.path}: {len(self.entries)} tensors, "
                 f"{self.num_parameters:,} values",
                 f"{'name':<{w}}  {'shape':<20}  dtype",
                 f"{'-' * w}  {'-' * 20}  -----"]
        lines += [f"{n:<{w}}  {list(s)!s:<20}  {d}"
                  for n, s, d in self.entries]
        if self.report is not None:
            lines += ["", str(self.report)]
        return "\n".join(lines)


def inspect(path: Any, model: Any = None, member: str | None = None,
            **restore_kwargs: Any) -> CheckpointInfo:
    """Names, shapes and dtypes in a checkpoint; with a model, a dry run.

    Args:
        path: any checkpoint form (V1 file, V2 prefix or file, directory,
            tarball, slimkeras train_dir; see :func:`resolve_checkpoint`).
        model: optional model / layer / variables: adds the report of what
            :func:`restore` would do (no weight is read or changed; problems
            are listed in ``report.errors`` instead of raised).
        member: which checkpoint of a directory/archive holding several.
        **restore_kwargs: ``include``, ``exclude``, ``name_map`` … as for
            :func:`restore`.
    """
    index = open_checkpoint(path, member)
    entries = [(n, index.shapes[n], index.dtypes[n].name)
               for n in index.names()]
    report = None
    if model is not None:
        from slimkeras.checkpoints.restore import restore

        restore_kwargs.setdefault("strict", False)
        report = restore(model, index.path, dry_run=True, _stacklevel=5,
                         **restore_kwargs)
    return CheckpointInfo(index.path, entries, report)
