"""The net registry: every zoo net with its defaults, by name.

Each entry carries what fine-tuning and the CLI need: the slim-style net
function, its ``<net>_arg_scope`` factory, the default image size, the
class count of the published checkpoint (1000 or 1001), the scopes of its
logits / aux-logits heads (to exclude when fine-tuning) and the name of
its preprocessing.

A net module registers its entrypoints as timm does: a module-level
``default_cfgs`` dict of :func:`net_cfg` rows keyed by registered name,
and ``@register_net`` on each literal entrypoint (``def resnet_v1_50``).
Its published checkpoints are the rows of :mod:`slimkeras.nets.pretrained`
under the same name (``NetSpec.pretrained_tags``).
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from collections.abc import Callable
from typing import Any

import keras

__all__ = [
    "NetSpec",
    "net_cfg",
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
        num_frames: video nets (i3d, s3dg): default clip length; inputs
            are then ``(num_frames, H, W, channels)``.
    """

    name: str
    fn: Callable
    arg_scope: Callable
    default_image_size: int
    num_classes: int
    logits_scopes: tuple[str, ...]
    preprocessing: str
    channels: int = 3
    num_frames: int | None = None

    @property
    def pretrained_tags(self) -> list[str]:
        """Tags of the published checkpoints of this net, the default
        (``pretrained=True``) first; empty when none."""
        from slimkeras.nets import pretrained

        return pretrained.pretrained_tags(self.name)


_NETS: dict[str, NetSpec] = {}

_CFG_FIELDS = tuple(f.name for f in dataclasses.fields(NetSpec)
                    if f.name not in ("name", "fn"))


def net_cfg(*, arg_scope: Callable, default_image_size: int,
            num_classes: int, logits_scopes: tuple[str, ...],
            preprocessing: str, channels: int = 3,
            num_frames: int | None = None) -> dict:
    """One row of a net module's ``default_cfgs``: the :class:`NetSpec`
    fields but ``name`` and ``fn`` (keyword-only, so a typo fails here)."""
    return {"arg_scope": arg_scope, "default_image_size": default_image_size,
            "num_classes": num_classes, "logits_scopes": tuple(logits_scopes),
            "preprocessing": preprocessing, "channels": channels,
            "num_frames": num_frames}


def _register_fn(fn: Callable, name: str | None) -> Callable:
    name = name or fn.__name__
    module = sys.modules[fn.__module__]
    cfgs = getattr(module, "default_cfgs", None) or {}
    if name not in cfgs:
        raise ValueError(
            f"register_net: {fn.__module__}.default_cfgs has no row "
            f"{name!r} (write one with registry.net_cfg(...) above the "
            f"entrypoint). Rows: {sorted(cfgs)}.")
    unknown = set(cfgs[name]) - set(_CFG_FIELDS)
    if unknown:
        raise ValueError(
            f"register_net: {fn.__module__}.default_cfgs[{name!r}] has "
            f"unknown fields {sorted(unknown)}; valid: {_CFG_FIELDS}.")
    taken = _NETS.get(name)
    if taken is not None and getattr(taken.fn, "__module__",
                                     fn.__module__) != fn.__module__:
        raise ValueError(
            f"register_net: {name!r} is already registered by "
            f"{taken.fn.__module__}.{taken.fn.__name__}.")
    spec = NetSpec(name=name, fn=fn, **cfgs[name])
    fn.default_image_size = spec.default_image_size
    _NETS[name] = spec
    return fn


def register_net(fn: Any = None, *, name: str | None = None) -> Any:
    """Registers a net entrypoint, as timm's ``@register_model``.

    Forms::

        default_cfgs = {"lenet": registry.net_cfg(arg_scope=..., ...)}

        @registry.register_net
        def lenet(images, num_classes=10, ...): ...

        @registry.register_net(name="nasnet_cifar")   # slim's fn name differs
        def build_nasnet_cifar(images, ...): ...

    The row ``default_cfgs[name]`` of the entrypoint's module (``name``
    defaults to ``fn.__name__``) becomes the :class:`NetSpec`, and
    ``fn.default_image_size`` is set from it (research/slim's attribute).
    ``register_net(NetSpec(...))`` registers a ready spec (returned).

    Raises:
        ValueError: the module has no such ``default_cfgs`` row (or it has
            unknown fields), or another module registered ``name``.
        TypeError: ``fn`` is neither a function nor a NetSpec.
    """
    if isinstance(fn, NetSpec):
        _NETS[fn.name] = fn
        return fn
    if fn is None:
        return lambda f: _register_fn(f, name)
    if not callable(fn):
        raise TypeError(
            "register_net takes a net function, a NetSpec, or name=... "
            f"Received: {fn!r}.")
    return _register_fn(fn, name)


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
    *,
    pretrained: bool | str = False,
    checkpoint_path: Any = None,
    dtype: Any = None,
    **net_kwargs: Any,
) -> keras.Model:
    """A functional ``keras.Model`` of a zoo net, optionally with research/
    slim's published weights.

    Fine-tune a published checkpoint::

        model = create_model('inception_v1', num_classes=5, pretrained=True)
        model.compile('adam', keras.losses.SparseCategoricalCrossentropy(
            from_logits=True))
        model.fit(images, labels)          # logits are (N, 5)

    Args:
        name: a registered net (``list_nets()``), or ``'<net>.<tag>'`` of a
            published checkpoint (``list_pretrained()``; without
            ``pretrained`` it only sets that checkpoint's architecture and
            input size).
        num_classes: logits size. None: the checkpoint's classes (with a
            checkpoint), else the published default of the net. ``0``: a
            headless backbone whose output is the pooled pre-logits
            features ``(N, C)``. With a checkpoint of 1001 classes, 1000
            drops the background class (logits equal the checkpoint's
            ``logits[:, 1:]``), and 1001 from a 1000-class checkpoint adds
            a freshly initialised one in front; any other count restores
            everything but the classifier (logits and aux-logits scopes,
            re-initialised) and logs a warning saying so.
        input_shape: ``(H, W, C)``; default the checkpoint's evaluation
            size, else the net's default image size.
        weight_decay: passed to the net's arg_scope factory.
        is_training: None follows Keras's ``training`` flag.
        outputs: ``'logits'`` (default, ``(N, num_classes)``),
            ``'features'`` (the pooled pre-logits ``(N, C)`` as
            ``num_classes=0``), ``'end_points'`` (a dict of every end
            point) or ``'both'`` (``[logits, end_points]``).
        pretrained: True (the net's default published checkpoint) or a tag
            (``'192'``): download (once, into the cache; see
            :mod:`slimkeras.nets.download`) and restore.
        checkpoint_path: restore from a local checkpoint in any form (V1
            file, V2 prefix or file, directory, tarball). With
            ``pretrained`` it replaces the download (the offline way).
        dtype: a Keras dtype policy (``'mixed_bfloat16'``,
            ``'mixed_float16'``) for every layer and the model; None: the
            global policy (see :mod:`slimkeras.mixed_precision`).
        **net_kwargs: passed to the net function (``dropout_keep_prob``,
            ``spatial_squeeze``, ``global_pool`` …).

    Returns:
        A ``keras.Model`` named after the net whose variable paths are the
        slim checkpoint names. ``model.end_point_names`` lists the end
        points; with a checkpoint, ``model.restore_report`` is the
        :class:`~slimkeras.checkpoints.RestoreReport` and
        ``model.pretrained_cfg`` the registry row (or None). A net with an
        auxiliary head (``…/AuxLogits``) keeps the head's variables (not
        trainable here, as no output uses them) so that
        ``save_tf1_checkpoint`` exports restore into research/slim's
        graphs; ``outputs='both'`` exposes them for an aux loss.

    Raises:
        ValueError: unknown net, tag or ``outputs``; a published row that
            cannot be built (the message says why); a checkpoint that does
            not fit (nothing restored).
        PretrainedDownloadError: the download failed (the message names
            the URL, ``SLIMKERAS_WEIGHTS_URL`` and ``checkpoint_path=``).
    """
    from slimkeras.mixed_precision import policy_scope
    from slimkeras.nets import build as build_lib

    with policy_scope(dtype):
        return build_lib.create_model(
            name, num_classes, input_shape, weight_decay, is_training,
            outputs, pretrained, checkpoint_path, net_kwargs)
