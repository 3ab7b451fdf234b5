"""``slimkeras.summary(model)``: parameters grouped by slim scope.

Keras's ``model.summary()`` lists one row per layer under its Keras layer
name (``resnet_v1_50.block1.unit_1…`` cut at 100 columns), so a block
such as ``resnet_v1_50/block3`` cannot be found in it. This summary groups
the model's variables by their slim scope — ``variable.path`` (the
checkpoint name) cut to ``depth`` scope components — one row per scope in
build order, with variable and parameter counts; its total equals
``model.count_params()``.

    >>> slimkeras.summary(model, depth=2)        # doctest: +SKIP
    Model: "resnet_v1_50" -- variables by slim scope (depth 2)
    Scope                          Variables    Trainable  Non-trainable ...
    resnet_v1_50/conv1                     5        9,536            128 ...
    resnet_v1_50/block1                   50      212,992          3,584 ...
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ScopeRow", "scope_rows", "summary"]


@dataclass
class ScopeRow:
    """One scope's variables: ``trainable + non_trainable == params``."""

    scope: str
    variables: int = 0
    trainable: int = 0
    non_trainable: int = 0

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable


def _unique_weights(model) -> list:
    seen, out = set(), []
    for v in model.weights:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def scope_of(path: str, depth: int | None) -> str:
    """``'a/b/c/weights'`` → ``'a/b'`` at depth 2; the variable's own name
    never counts as a scope component (``'global_step'`` stays itself)."""
    parts = path.split("/")
    scopes = parts[:-1] or parts
    return "/".join(scopes if depth is None else scopes[:depth])


def scope_rows(model, depth: int | None = 2) -> list[ScopeRow]:
    """The rows of :func:`summary`, in the order the variables were built.

    Args:
        model: any Keras model (or layer) whose variables carry slim paths.
        depth: scope components kept (``None``: the full scope of each
            variable, i.e. one row per slim layer).

    Raises:
        ValueError: ``depth`` is not a positive int or None.
    """
    if depth is not None and (isinstance(depth, bool)
                              or not isinstance(depth, int) or depth < 1):
        raise ValueError("summary: depth must be a positive int (scope "
                         "components kept) or None (full scopes). "
                         f"Received: {depth!r}.")
    rows: dict[str, ScopeRow] = {}
    for v in _unique_weights(model):
        path = getattr(v, "path", None) or v.name
        scope = scope_of(path, depth)
        row = rows.setdefault(scope, ScopeRow(scope))
        n = math.prod(v.shape)
        row.variables += 1
        if v.trainable:
            row.trainable += n
        else:
            row.non_trainable += n
    return list(rows.values())


def _fit(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    keep = width - 1
    head = keep // 2
    return text[:head] + "…" + text[len(text) - (keep - head):]


def summary(model, depth: int | None = 2, line_length: int = 100,
            print_fn: Callable[[str], object] | None = print) -> str:
    """Prints (and returns) the model's parameters grouped by slim scope.

    Args:
        model: a Keras model; its variables' ``path`` are slim names.
        depth: scope components per row (2: ``resnet_v1_50/block3``;
            ``None``: one row per slim layer).
        line_length: total width (the number columns take about 50);
            longer scopes are shortened in the middle.
        print_fn: called with the whole text (``None``: only return it).
    """
    rows = scope_rows(model, depth)
    total = ScopeRow("Total")
    for r in rows:
        total.variables += r.variables
        total.trainable += r.trainable
        total.non_trainable += r.non_trainable
    nums = ("Variables", "Trainable", "Non-trainable", "Params")
    widths = [max(len(h), len(f"{x:,}")) for h, x in zip(
        nums, (total.variables, total.trainable, total.non_trainable,
               total.params))]
    scope_w = max(16, line_length - sum(w + 2 for w in widths))

    def line(scope, values):
        cells = [f"{x:>{w},}" if isinstance(x, int) else f"{x:>{w}}"
                 for x, w in zip(values, widths)]
        return f"{_fit(scope, scope_w):<{scope_w}}  " + "  ".join(cells)

    rule = "-" * (scope_w + sum(w + 2 for w in widths))
    label = "full scopes" if depth is None else f"depth {depth}"
    title = (f'Model: "{getattr(model, "name", "")}" -- variables by slim '
             f"scope ({label})")
    out = [title, rule, line("Scope", nums), rule]
    out += [line(r.scope, (r.variables, r.trainable, r.non_trainable,
                           r.params)) for r in rows]
    out += [rule, line("Total", (total.variables, total.trainable,
                                 total.non_trainable, total.params)), rule]
    text = "\n".join(out)
    if print_fn is not None:
        print_fn(text)
    return text
