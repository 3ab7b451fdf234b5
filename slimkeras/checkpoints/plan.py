"""Planning a restore: every lookup and check, before any assignment.

:func:`plan_restore` maps each variable to a checkpoint entry and checks
presence, shape and dtype; it never touches a weight. ``restore`` assigns
only when the plan has no problem (atomicity), and ``inspect`` shows it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import warnings
from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from slimkeras import patterns as patterns_lib
from slimkeras import variables as variables_lib
from slimkeras.checkpoints.reader import CheckpointIndex
from slimkeras.checkpoints.report import RestoreReport

__all__ = ["EMA_SUFFIX", "PlanItem", "classify_extra", "plan_restore"]

EMA_SUFFIX = "/ExponentialMovingAverage"
# ignore_missing_vars restoring under this fraction of the selection warns.
_FEW = 0.1
_SLOT = re.compile(
    r"^(Momentum|RMSProp|Adam|Adagrad|AdagradDA|Adadelta|Ftrl|Nesterov|"
    r"ProximalAdagrad|Adamax|Nadam|LARS|LAMB|accumulator|"
    r"gradient_accumulator|gradient_squared_accumulator)(_\d+)?$")
_POWER = re.compile(r"(^|/)beta[12]_power(_\d+)?$")


def classify_extra(name: str) -> str | None:
    """``'global_step'``, ``'ema'``, ``'optimizer'`` or None (unexpected)."""
    leaf = name.rsplit("/", 1)[-1]
    if leaf == "global_step":
        return "global_step"
    if EMA_SUFFIX + "/" in name + "/":
        return "ema"
    if _SLOT.match(leaf) or _POWER.search(name):
        return "optimizer"
    return None


@dataclasses.dataclass
class PlanItem:
    var: Any
    path: str
    ckpt_name: str
    source: str
    transform: str | None = None  # None | 'reshape' | 'label_offset'


def _pairs(model_or_variables: Any) -> tuple[list, bool]:
    """``[(explicit checkpoint name or None, variable)]``, explicit?"""
    if isinstance(model_or_variables, dict):
        pairs = []
        for k, v in model_or_variables.items():
            if not isinstance(k, str):
                raise TypeError(
                    "A var_list dict maps checkpoint names (str) to "
                    f"variables. Received key {k!r}."
                )
            for var in (v if isinstance(v, (list, tuple)) else [v]):
                variables_lib.iter_variables([var], "var_list")
                pairs.append((k, var))
        return pairs, True
    if isinstance(model_or_variables, keras.Layer):
        vs = variables_lib.get_model_variables(model_or_variables)
    else:
        vs = variables_lib.iter_variables(model_or_variables)
    return [(None, v) for v in vs], False


def _mapper(name_map: Any) -> Callable[[str], Any] | None:
    if name_map is None:
        return None
    if isinstance(name_map, dict):
        for k, v in name_map.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError(
                    "`name_map` dict must map variable paths (str) to "
                    f"checkpoint names (str). Received item {k!r}: {v!r}."
                )
        return lambda p: name_map.get(p, p)
    if callable(name_map):
        return name_map
    raise TypeError(
        "`name_map` must be a dict {variable path: checkpoint name}, a "
        "callable (variable path) -> checkpoint name, or None. "
        f"Received: name_map={name_map!r}."
    )


def _map_name(fn, path: str) -> tuple[str | None, str | None]:
    """(checkpoint name, problem)."""
    if fn is None:
        return path, None
    try:
        out = fn(path)
    except Exception as e:  # the user's callable: report, don't crash
        return None, (f"name_map raised {type(e).__name__}: {e}")
    if not isinstance(out, str) or not out:
        return None, ("name_map must return a non-empty str checkpoint "
                      f"name; it returned {out!r}")
    return out, None


def _close(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _fit_shape(var_shape, ckpt_shape, reshape: bool, label_offset: int):
    """None if equal; 'label_offset' / 'reshape' if fixable; else False."""
    if var_shape == ckpt_shape:
        return None
    if label_offset and len(var_shape) == len(ckpt_shape) and var_shape and (
            var_shape[:-1] == ckpt_shape[:-1]) and (
            ckpt_shape[-1] - var_shape[-1] == label_offset) and (
            min(ckpt_shape[-1], var_shape[-1]) > 0):
        return "label_offset"
    if reshape:
        size_v = 1
        for d in var_shape:
            size_v *= d
        size_c = 1
        for d in ckpt_shape:
            size_c *= d
        if size_v == size_c:
            return "reshape"
    return False


def plan_restore(model_or_variables: Any, index: CheckpointIndex, *,
                 include: Any = None, exclude: Any = None,
                 name_map: Any = None, ignore_missing_vars: bool = False,
                 reshape_variables: bool = False,
                 use_moving_averages: bool = False, label_offset: int = 0,
                 warn_stacklevel: int = 4,
                 ) -> tuple[list[PlanItem], RestoreReport]:
    """Matches variables to checkpoint entries; touches no weight.

    Returns:
        ``(items, report)``: the assignments that passed every check, and a
        report whose ``errors`` lists every problem found.
    """
    if not isinstance(label_offset, int) or isinstance(label_offset, bool):
        raise TypeError("`label_offset` must be an int (e.g. 1 to restore a "
                        "1001-class checkpoint into 1000 classes). Received: "
                        f"label_offset={label_offset!r}.")
    pairs, explicit = _pairs(model_or_variables)
    if explicit and name_map is not None:
        raise ValueError(
            "`name_map` cannot be combined with a {checkpoint name: "
            "variable} dict, which already names the checkpoint entries."
        )
    mapper = _mapper(name_map)
    inc = patterns_lib.compile_patterns(include, "include")
    exc = patterns_lib.compile_patterns(exclude, "exclude")
    paths = [variables_lib.get_variable_full_name(v) for _, v in pairs]
    _warn_unused_selection(inc, exc, name_map, paths, warn_stacklevel + 1)

    report = RestoreReport(checkpoint=index.path)
    ckpt_names = index.names()
    consumed: set[str] = set()
    items: list[PlanItem] = []
    for (explicit_name, var), path in zip(pairs, paths):
        selected = inc is None or patterns_lib.matches_any(path, inc)
        if not selected or patterns_lib.matches_any(path, exc):
            if selected:
                _note_excluded(report, consumed, index, path,
                               explicit_name or _map_name(mapper, path)[0])
            continue
        item = _plan_selected(
            var, path, explicit_name, mapper, index, ckpt_names, report,
            consumed, ignore_missing_vars=ignore_missing_vars,
            reshape_variables=reshape_variables,
            use_moving_averages=use_moving_averages,
            label_offset=label_offset)
        if item is not None:
            items.append(item)
            _record_restored(report, item)
    _classify_unconsumed(report, ckpt_names, consumed, index)
    _check_coverage(report, items, index, label_offset, ignore_missing_vars,
                    warn_stacklevel + 1)
    _add_hints(report, paths, ckpt_names, index, explicit or mapper)
    return items, report


def _warn_unused_selection(inc, exc, name_map: Any, paths: list,
                           warn_stacklevel: int) -> None:
    """Warns about include/exclude patterns and name_map keys that match
    no variable."""
    patterns_lib.warn_unmatched(inc, paths, "include", warn_stacklevel)
    patterns_lib.warn_unmatched(exc, paths, "exclude", warn_stacklevel)
    if isinstance(name_map, dict):
        unused = sorted(set(name_map) - set(paths))
        if unused:
            warnings.warn(
                f"`name_map` keys matched no variable: {unused[:10]}"
                + (" …" if len(unused) > 10 else ""),
                UserWarning, stacklevel=warn_stacklevel)


def _note_excluded(report: RestoreReport, consumed: set, index:
                   CheckpointIndex, path: str, name: str | None) -> None:
    """Records a selected-then-excluded variable and its checkpoint
    entries (the raw one and its moving average)."""
    report.excluded.append(path)
    for n in (name, name and name + EMA_SUFFIX):
        if n in index.shapes and n not in consumed:
            consumed.add(n)
            report.excluded_in_checkpoint.append(n)


def _plan_selected(var: Any, path: str, explicit_name: str | None, mapper,
                   index: CheckpointIndex, ckpt_names: list,
                   report: RestoreReport, consumed: set, *,
                   ignore_missing_vars: bool, reshape_variables: bool,
                   use_moving_averages: bool,
                   label_offset: int) -> PlanItem | None:
    """The plan item of one selected variable, or None after recording
    its problem in ``report``."""
    if explicit_name is not None:
        name, problem = explicit_name, None
    else:
        name, problem = _map_name(mapper, path)
    if problem:
        report.errors.append(f"{path}: {problem}")
        return None
    source = name
    if use_moving_averages and name + EMA_SUFFIX in index.shapes:
        source = name + EMA_SUFFIX
    if source not in index.shapes:
        report.missing.append(path)
        if not ignore_missing_vars:
            shown = name if name == path else f"{name!r} (mapped)"
            report.errors.append(
                f"{path}: {shown} not in checkpoint"
                + _close(name, ckpt_names))
        return None
    consumed.update((name, source))
    fit = _check_fit(var, path, source, index, report, reshape_variables,
                     label_offset)
    if fit is False:
        return None
    return PlanItem(var, path, name, source, fit)


def _check_fit(var: Any, path: str, source: str, index: CheckpointIndex,
               report: RestoreReport, reshape_variables: bool,
               label_offset: int):
    """Shape then dtype check: the item's transform, or False after
    recording the mismatch in ``report``."""
    var_shape = tuple(int(d) for d in var.shape)
    ckpt_shape = index.shapes[source]
    fit = _fit_shape(var_shape, ckpt_shape, reshape_variables, label_offset)
    if fit is False:
        report.shape_mismatched.append(
            (path, source, var_shape, ckpt_shape))
        report.errors.append(
            f"{path}: shape {var_shape} != checkpoint {source!r} "
            f"shape {ckpt_shape}")
        return False
    var_dtype = tf.as_dtype(keras.backend.standardize_dtype(var.dtype))
    ckpt_dtype = index.dtypes[source]
    if var_dtype != ckpt_dtype:
        report.dtype_mismatched.append(
            (path, source, var_dtype.name, ckpt_dtype.name))
        report.errors.append(
            f"{path}: dtype {var_dtype.name} != checkpoint {source!r} "
            f"dtype {ckpt_dtype.name}")
        return False
    return fit


def _record_restored(report: RestoreReport, item: PlanItem) -> None:
    path, source, fit = item.path, item.source, item.transform
    report.restored.append(path)
    report.sources[path] = source
    if source != item.ckpt_name:
        report.from_moving_average.append(path)
    if fit == "reshape":
        report.reshaped.append(path)
    elif fit == "label_offset":
        report.label_offset_applied.append(path)


def _classify_unconsumed(report: RestoreReport, ckpt_names: list,
                         consumed: set, index: CheckpointIndex) -> None:
    """Sorts the checkpoint entries no variable took: skipped extras
    (global step, EMA, optimizer slots) or unexpected."""
    for n in ckpt_names:
        if n in consumed:
            continue
        kind = index.extras.get(n) or classify_extra(n)
        if kind is None:
            report.unexpected.append(n)
        else:
            report.skipped[kind].append(n)


def _check_coverage(report: RestoreReport, items: list,
                    index: CheckpointIndex, label_offset: int,
                    ignore_missing_vars: bool, warn_stacklevel: int) -> None:
    """Warns (or errs) when label_offset or ignore_missing_vars left
    (almost) nothing to do."""
    if label_offset and not report.label_offset_applied and items:
        warnings.warn(
            f"label_offset={label_offset} applied to no variable: no "
            "restored variable's last dimension differs from the "
            f"checkpoint's by exactly {label_offset}.",
            UserWarning, stacklevel=warn_stacklevel)
    wanted = len(items) + len(report.missing) + len(
        report.shape_mismatched) + len(report.dtype_mismatched)
    if ignore_missing_vars and wanted and report.missing:
        if not items:
            report.errors.insert(0, (
                f"ignore_missing_vars=True, but none of the {wanted} "
                "selected variables is in the checkpoint: nothing would be "
                "restored"))
        elif len(items) < _FEW * wanted:
            warnings.warn(
                f"ignore_missing_vars=True restores only {len(items)} of "
                f"{wanted} variables from {index.path!r} "
                f"({len(report.missing)} missing, e.g. "
                f"{report.missing[:3]}): is this the checkpoint of this "
                "net?", UserWarning, stacklevel=warn_stacklevel)


def _add_hints(report: RestoreReport, paths: list, ckpt_names: list,
               index: CheckpointIndex, mapped: Any) -> None:
    """Explains the failure as a whole: another net, a new classifier,
    an object graph that has no slim names."""
    # The class axis: every shape mismatch differs only in the last axis,
    # in at most two scopes (logits, aux logits), one size pair per scope.
    mism = report.shape_mismatched
    if mism:
        pairs: dict = {}
        for path, _, vs, cs in mism:
            if not vs or len(vs) != len(cs) or vs[:-1] != cs[:-1]:
                pairs = {}
                break
            pairs.setdefault(path.rpartition("/")[0] or path, set()).add(
                (vs[-1], cs[-1]))
        if pairs and len(pairs) <= 2 and all(
                len(v) == 1 for v in pairs.values()):
            (vn, cn), = next(iter(pairs.values()))
            diff = cn - vn
            report.hints.append(
                f"the number of classes differs (model {vn}, "
                f"checkpoint {cn}): exclude={sorted(pairs)!r} to keep a "
                "fresh classifier"
                + (f", or label_offset={diff} for the background class"
                   if abs(diff) == 1 else "") + ".")
    if not report.restored and report.errors and ckpt_names and not mapped:
        ours = _top_scopes(paths)
        theirs = _top_scopes([n for n in ckpt_names
                              if classify_extra(n) is None
                              and n not in index.extras])
        if ours and theirs and not set(ours) & set(theirs):
            report.hints.append(
                f"no variable name matches: the checkpoint's variables are "
                f"under {theirs}, the model's under {ours} (a checkpoint of "
                "another net, or another scope? name_map=… maps names).")
    if index.object_based and not index.training_layout and report.errors:
        report.hints.append(
            "this is an object-based TF2 checkpoint "
            "(tf.train.Checkpoint) not written by slimkeras's "
            "TrainingCheckpoint: its keys are object-graph paths, not slim "
            "names. Restore it with the tf.train.Checkpoint layout that "
            "wrote it, or save the weights with save_tf1_checkpoint.")


def _top_scopes(names: list, n: int = 5) -> list:
    counts: dict = {}
    for name in names:
        top = name.split("/", 1)[0]
        counts[top] = counts.get(top, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k))[:n]
