"""The net registry: every zoo net with its defaults, by name.

Each entry carries what fine-tuning and the CLI need: the slim-style net
function, its ``<net>_arg_scope`` factory, the default image size, the
class count of the published checkpoint (1000 or 1001), the scopes of its
logits / aux-logits heads (to exclude when fine-tuning) and the name of
its preprocessing.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Callable

import keras

from slimkeras import naming
from slimkeras import scopes

__all__ = [
    "NetSpec",
    "register_net",
    "get_net",
    "list_nets",
    "create_model",
]


@dataclasses.dataclass(frozen=True)
class NetSpec:
    """Registry entry for one net.

    Attributes:
        name: slim's name (``vgg_16``, ``resnet_v1_50``).
        fn: ``fn(images, num_classes=…, is_training=…, **kw) ->
            (logits, end_points)``.
        arg_scope: ``arg_scope(weight_decay=…) -> scope dict``.
        default_image_size: input side the net was trained at.
        num_classes: classes of the published checkpoint (1000/1001).
        logits_scopes: scopes of the classification heads, e.g.
            ``('vgg_16/fc8',)`` or ``('InceptionV3/Logits',
            'InceptionV3/AuxLogits')``.
        preprocessing: name for ``get_preprocessing``.
        channels: input channels (3, or 1 for lenet).
    """

    name: str
    fn: Callable
    arg_scope: Callable
    default_image_size: int
    num_classes: int
    logits_scopes: tuple[str, ...]
    preprocessing: str
    channels: int = 3


_NETS: dict[str, NetSpec] = {}


def register_net(spec: NetSpec) -> NetSpec:
    _NETS[spec.name] = spec
    return spec


def _unknown(name: Any) -> ValueError:
    names = sorted(_NETS)
    close = difflib.get_close_matches(str(name), names, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return ValueError(
        f"Unknown net name {name!r}.{hint} Known nets: {', '.join(names)}."
    )


def get_net(name: str) -> NetSpec:
    """The registry entry for ``name``; ValueError lists the known names."""
    _load_all()
    if name not in _NETS:
        raise _unknown(name)
    return _NETS[name]


def list_nets() -> list[str]:
    """Names of every registered net, sorted."""
    _load_all()
    return sorted(_NETS)


def _load_all() -> None:
    # Importing the package registers every net module.
    import slimkeras.nets  # noqa: F401


def create_model(
    name: str,
    num_classes: int | None = None,
    input_shape: tuple | None = None,
    weight_decay: float = 0.0,
    is_training: bool | None = None,
    outputs: str = "logits",
    **net_kwargs: Any,
) -> keras.Model:
    """A functional ``keras.Model`` of a zoo net, built in its arg_scope.

    Args:
        name: registry name (``list_nets()``).
        num_classes: logits size; default the published checkpoint's.
            ``0`` or ``None`` with ``outputs='features'`` gives features.
        input_shape: ``(H, W, C)``; default the net's default image size.
        weight_decay: passed to the net's arg_scope factory.
        is_training: None follows Keras's ``training`` flag.
        outputs: ``'logits'`` (default), ``'end_points'`` (a dict output of
            every end point) or ``'both'`` (``[logits, end_points]``).
        **net_kwargs: passed to the net function (``dropout_keep_prob``,
            ``spatial_squeeze``, ``global_pool`` …).

    Returns:
        A ``keras.Model`` named after the net whose variable paths are the
        slim checkpoint names. ``model.end_point_names`` lists the keys.
    """
    spec = get_net(name)
    if num_classes is None:
        num_classes = spec.num_classes
    if input_shape is None:
        size = spec.default_image_size
        input_shape = (size, size, spec.channels)
    if outputs not in ("logits", "end_points", "both"):
        raise ValueError(
            "create_model: `outputs` must be 'logits', 'end_points' or "
            f"'both'. Received: outputs={outputs!r}."
        )
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    with naming.name_registry():
        with scopes.arg_scope(spec.arg_scope(weight_decay=weight_decay)):
            logits, end_points = spec.fn(
                inputs, num_classes=num_classes, is_training=is_training,
                **net_kwargs,
            )
    if outputs == "logits":
        out: Any = logits
    elif outputs == "end_points":
        out = dict(end_points)
    else:
        out = [logits, dict(end_points)]
    model = keras.Model(inputs, out, name=name)
    model.end_point_names = list(end_points)
    return model
