"""The report of a restore (or a dry run): what went where, and why not."""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["SKIP_KINDS", "RestoreReport"]

SKIP_KINDS = ("optimizer", "global_step", "ema")


@dataclasses.dataclass
class RestoreReport:
    """What :func:`restore` did (or, for a dry run, would do).

    All names are lists sorted as the variables were given. Variable-side
    lists hold variable paths; checkpoint-side lists hold checkpoint names.

    Attributes:
        checkpoint: the resolved checkpoint prefix.
        restored: variable paths assigned (or assignable, in a dry run).
        sources: ``{variable path: checkpoint name read}`` for ``restored``.
        missing: variable paths with no checkpoint entry.
        unexpected: checkpoint names no variable asked for (and not
            skipped / excluded below).
        shape_mismatched: ``(variable path, checkpoint name, variable
            shape, checkpoint shape)`` for each incompatible shape.
        dtype_mismatched: ``(variable path, checkpoint name, variable
            dtype, checkpoint dtype)``.
        excluded: variable paths removed by ``include``/``exclude``.
        excluded_in_checkpoint: checkpoint names of excluded variables.
        skipped: ``{'optimizer'|'global_step'|'ema': [checkpoint names]}``
            — training-state entries not restored into model weights.
        reshaped: variable paths restored with ``reshape_variables``.
        label_offset_applied: variable paths whose last dimension was
            adjusted by ``label_offset``.
        from_moving_average: variable paths read from
            ``<name>/ExponentialMovingAverage``.
        errors: every problem as a line (non-empty → a strict restore
            raised; with ``strict=False`` those variables were left alone).
        hints: what the errors as a whole suggest (another net's
            checkpoint, a changed number of classes …).
        dry_run: True when nothing was (to be) assigned.
        checkpoint_format: ``'tf1-v1'``/``'tf1-v2'`` (name-based),
            ``'training'`` (a slimkeras TrainingCheckpoint, read by slim
            path) or ``'object-based'`` (another TF2 checkpoint).
    """

    checkpoint: str
    restored: list = dataclasses.field(default_factory=list)
    sources: dict = dataclasses.field(default_factory=dict)
    missing: list = dataclasses.field(default_factory=list)
    unexpected: list = dataclasses.field(default_factory=list)
    shape_mismatched: list = dataclasses.field(default_factory=list)
    dtype_mismatched: list = dataclasses.field(default_factory=list)
    excluded: list = dataclasses.field(default_factory=list)
    excluded_in_checkpoint: list = dataclasses.field(default_factory=list)
    skipped: dict = dataclasses.field(
        default_factory=lambda: {k: [] for k in SKIP_KINDS})
    reshaped: list = dataclasses.field(default_factory=list)
    label_offset_applied: list = dataclasses.field(default_factory=list)
    from_moving_average: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)
    hints: list = dataclasses.field(default_factory=list)
    dry_run: bool = False
    checkpoint_format: str = ""

    @property
    def ok(self) -> bool:
        """No errors (missing names ignored on request are not errors)."""
        return not self.errors

    @property
    def skipped_names(self) -> list:
        return [n for k in SKIP_KINDS for n in self.skipped[k]]

    def summary(self) -> str:
        parts = [f"{len(self.restored)} restored"]
        for label, items in (
                ("missing", self.missing), ("unexpected", self.unexpected),
                ("shape-mismatched", self.shape_mismatched),
                ("dtype-mismatched", self.dtype_mismatched),
                ("excluded", self.excluded),
                ("skipped", self.skipped_names), ("errors", self.errors)):
            if items:
                parts.append(f"{len(items)} {label}")
        return ", ".join(parts)

    def __str__(self) -> str:
        title = "Restore plan (dry run)" if self.dry_run else "Restore report"
        if self.checkpoint_format:
            title += f" [{self.checkpoint_format}]"
        rows: list[tuple[str, str, str]] = []
        for p in self.restored:
            note = []
            src = self.sources.get(p, p)
            if p in self.from_moving_average:
                note.append("EMA")
            if p in self.reshaped:
                note.append("reshaped")
            if p in self.label_offset_applied:
                note.append("label_offset")
            rows.append(("restored", p, src + (
                f"  [{', '.join(note)}]" if note else "")))
        for p in self.missing:
            rows.append(("missing", p, "-"))
        for p, c, vs, cs in self.shape_mismatched:
            rows.append(("shape", p, f"{c}  {vs} vs checkpoint {cs}"))
        for p, c, vd, cd in self.dtype_mismatched:
            rows.append(("dtype", p, f"{c}  {vd} vs checkpoint {cd}"))
        for p in self.excluded:
            rows.append(("excluded", p, "-"))
        for c in self.excluded_in_checkpoint:
            rows.append(("excluded", "-", c))
        for k in SKIP_KINDS:
            for c in self.skipped[k]:
                rows.append((f"skip:{k}", "-", c))
        for c in self.unexpected:
            rows.append(("unexpected", "-", c))
        w0 = max([len("status")] + [len(r[0]) for r in rows])
        w1 = max([len("variable")] + [len(r[1]) for r in rows])
        lines = [f"{title}: {self.checkpoint}", self.summary(),
                 f"{'status':<{w0}}  {'variable':<{w1}}  checkpoint",
                 f"{'-' * w0}  {'-' * w1}  {'-' * 10}"]
        lines += [f"{a:<{w0}}  {b:<{w1}}  {c}" for a, b, c in rows]
        if self.errors:
            lines.append("errors:")
            lines += [f"  {e}" for e in self.errors]
        if self.hints:
            lines += [f"hint: {h}" for h in self.hints]
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(str(self))
