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
from typing import Any, Callable

import keras
import tensorflow as tf

from slimkeras import patterns as patterns_lib
from slimkeras import variables as variables_lib
from slimkeras.checkpoints.reader import CheckpointIndex
from slimkeras.checkpoints.report import RestoreReport

__all__ = ["plan_restore", "PlanItem", "classify_extra", "EMA_SUFFIX"]

EMA_SUFFIX = "/ExponentialMovingAverage"
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
    patterns_lib.warn_unmatched(inc, paths, "include", warn_stacklevel)
    patterns_lib.warn_unmatched(exc, paths, "exclude", warn_stacklevel)
    if isinstance(name_map, dict):
        unused = sorted(set(name_map) - set(paths))
        if unused:
            warnings.warn(
                f"`name_map` keys matched no variable: {unused[:10]}"
                + (" …" if len(unused) > 10 else ""),
                UserWarning, stacklevel=warn_stacklevel)

    report = RestoreReport(checkpoint=index.path)
    ckpt_names = index.names()
    consumed: set[str] = set()
    items: list[PlanItem] = []
    for (explicit_name, var), path in zip(pairs, paths):
        selected = inc is None or patterns_lib.matches_any(path, inc)
        if not selected or patterns_lib.matches_any(path, exc):
            if selected:
                report.excluded.append(path)
                name = explicit_name or _map_name(mapper, path)[0]
                for n in (name, name and name + EMA_SUFFIX):
                    if n in index.shapes and n not in consumed:
                        consumed.add(n)
                        report.excluded_in_checkpoint.append(n)
            continue
        if explicit_name is not None:
            name, problem = explicit_name, None
        else:
            name, problem = _map_name(mapper, path)
        if problem:
            report.errors.append(f"{path}: {problem}")
            continue
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
            continue
        consumed.update((name, source))
        var_shape = tuple(int(d) for d in var.shape)
        ckpt_shape = index.shapes[source]
        fit = _fit_shape(var_shape, ckpt_shape, reshape_variables,
                         label_offset)
        if fit is False:
            report.shape_mismatched.append(
                (path, source, var_shape, ckpt_shape))
            hint = ""
            scope = path.rpartition("/")[0] or path
            if var_shape and var_shape[:-1] == ckpt_shape[:-1]:
                diff = ckpt_shape[-1] - var_shape[-1]
                hint = (f" (number of classes differs? exclude={scope!r}"
                        + (f", or label_offset={diff} for a background "
                           "class" if abs(diff) == 1 else "") + ")")
            report.errors.append(
                f"{path}: shape {var_shape} != checkpoint {source!r} "
                f"shape {ckpt_shape}{hint}")
            continue
        var_dtype = tf.as_dtype(keras.backend.standardize_dtype(var.dtype))
        ckpt_dtype = index.dtypes[source]
        if var_dtype != ckpt_dtype:
            report.dtype_mismatched.append(
                (path, source, var_dtype.name, ckpt_dtype.name))
            report.errors.append(
                f"{path}: dtype {var_dtype.name} != checkpoint {source!r} "
                f"dtype {ckpt_dtype.name}")
            continue
        items.append(PlanItem(var, path, name, source, fit))
        report.restored.append(path)
        report.sources[path] = source
        if source != name:
            report.from_moving_average.append(path)
        if fit == "reshape":
            report.reshaped.append(path)
        elif fit == "label_offset":
            report.label_offset_applied.append(path)
    for n in ckpt_names:
        if n in consumed:
            continue
        kind = classify_extra(n)
        if kind is None:
            report.unexpected.append(n)
        else:
            report.skipped[kind].append(n)
    if label_offset and not report.label_offset_applied and items:
        warnings.warn(
            f"label_offset={label_offset} applied to no variable: no "
            "restored variable's last dimension differs from the "
            f"checkpoint's by exactly {label_offset}.",
            UserWarning, stacklevel=warn_stacklevel)
    if index.object_based and report.errors:
        report.errors.append(
            "note: this is an object-based TF2 checkpoint "
            "(tf.train.Checkpoint); restore it with "
            "slimkeras.checkpoints.TrainingCheckpoint, not by slim names.")
    return items, report
