"""Enumerates tf_slim 1.1.0's public names (for the migration guide).

Used by ``docs/make_migration_guide.py`` (writes ``docs/migration.md``) and
by ``tests/test_migration_guide.py`` (checks the guide covers them all).
A public name is any name in a module's ``__dict__`` not starting with
``_``; names tf_slim merely imported (TensorFlow internals such as
``array_ops``, ``six``, ``__future__`` flags) are public too and are
listed as such.
"""

from __future__ import annotations

import importlib
import types

# Modules whose public names the guide covers, in guide order.
MODULES = (
    "tf_slim",
    "tf_slim.layers",
    "tf_slim.layers.initializers",
    "tf_slim.layers.regularizers",
    "tf_slim.losses",
    "tf_slim.metrics",
    "tf_slim.learning",
    "tf_slim.evaluation",
    "tf_slim.summaries",
    "tf_slim.ops",
    "tf_slim.ops.arg_scope",
    "tf_slim.ops.variables",
    "tf_slim.data",
    "tf_slim.data.dataset",
    "tf_slim.data.data_decoder",
    "tf_slim.data.data_provider",
    "tf_slim.data.dataset_data_provider",
    "tf_slim.data.parallel_reader",
    "tf_slim.data.prefetch_queue",
    "tf_slim.data.tfexample_decoder",
    "tf_slim.queues",
    "tf_slim.model_analyzer",
    "tf_slim.nets",
    "tf_slim.nets.alexnet",
    "tf_slim.nets.inception",
    "tf_slim.nets.inception_v1",
    "tf_slim.nets.inception_v2",
    "tf_slim.nets.inception_v3",
    "tf_slim.nets.overfeat",
    "tf_slim.nets.resnet_utils",
    "tf_slim.nets.resnet_v1",
    "tf_slim.nets.resnet_v2",
    "tf_slim.nets.vgg",
)


def is_internal(module: types.ModuleType, name: str) -> bool:
    """True for names tf_slim imported rather than defined (not API)."""
    obj = getattr(module, name)
    if type(obj).__name__ == "_Feature":  # from __future__ import ...
        return True
    if isinstance(obj, types.ModuleType):
        return not obj.__name__.startswith("tf_slim")
    mod = getattr(obj, "__module__", None) or ""
    return bool(mod) and not mod.startswith("tf_slim") and callable(obj)


def public_names(tf_slim=None) -> dict[str, list[str]]:
    """``{module name: sorted public names}`` for every module in MODULES."""
    # Import every module first: importing a submodule adds it to its
    # parent's __dict__, so enumerating before that depends on what else
    # the process happened to import.
    modules = {m: importlib.import_module(m) for m in MODULES}
    out = {}
    for modname, module in modules.items():
        out[modname] = sorted(n for n in vars(module) if not n.startswith("_"))
    return out
