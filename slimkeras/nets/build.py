"""``create_model``'s work: build a zoo net as a functional model and
restore a published or local checkpoint into it, fitting the classifier.

See :func:`slimkeras.nets.create_model` for the contract.
"""

from __future__ import annotations

import inspect as pyinspect
import logging
import os
from typing import Any

import keras
from keras import ops

from slimkeras import naming, scopes
from slimkeras.nets import pretrained as pretrained_lib
from slimkeras.nets import registry

logger = logging.getLogger("slimkeras.nets")

_OUTPUTS = ("logits", "features", "end_points", "both")


def _resolve_cfg(name: str, pretrained: Any
                 ) -> tuple[registry.NetSpec, Any, bool]:
    """(spec, cfg or None, whether to load the cfg's weights)."""
    if not isinstance(pretrained, (bool, str)):
        raise TypeError(
            "`pretrained` must be True/False or a tag of a published "
            f"checkpoint (str). Received: pretrained={pretrained!r}.")
    net, tag = pretrained_lib.split_name(name)
    if isinstance(pretrained, str):
        if tag is not None and tag != pretrained:
            raise ValueError(
                f"Two tags given: name={name!r} and pretrained="
                f"{pretrained!r}.")
        tag = pretrained
    cfg = None
    if pretrained is not False or tag is not None:
        cfg = pretrained_lib.get_pretrained_cfg(net, tag)
        reason = cfg.unavailable_reason()
        if reason is not None and (pretrained is not False
                                   or net not in registry.list_nets()):
            usable = pretrained_lib.list_pretrained(net + ".*",
                                                    buildable=True)
            raise ValueError(
                f"Published checkpoint {cfg.name!r} cannot be used: {reason}."
                f" Usable now: {', '.join(usable) or 'none for this net'}.")
    return registry.get_net(net), cfg, pretrained is not False


def _published_tarball(cfg) -> str:
    from slimkeras.nets import download

    return download.download_tarball(cfg.url, name=cfg.name)


def _checkpoint_source(cfg, checkpoint_path: Any) -> tuple[Any, Any]:
    """(path for ``checkpoints.restore``, ``member`` for it)."""
    if checkpoint_path is not None:
        path = os.fspath(checkpoint_path) if isinstance(
            checkpoint_path, os.PathLike) else checkpoint_path
    else:
        path = _published_tarball(cfg)
    member = None
    if cfg is not None and cfg.member and isinstance(path, str):
        from slimkeras.checkpoints import archive

        if archive.is_archive(path):
            # The registry knows the member; it may be a directory (V3's
            # ``ema/``), so point into the extraction.
            root = archive.extract_archive(path)
            inside = os.path.join(root, cfg.member)
            if os.path.isdir(inside) or os.path.exists(inside) or \
                    os.path.exists(inside + ".index"):
                path = inside
            else:
                found = sorted(
                    os.path.relpath(os.path.join(d, f), root)
                    for d, _, fs in os.walk(root) for f in fs
                    if not f.startswith("."))
                raise ValueError(
                    f"The tarball {checkpoint_path or cfg.url} does not "
                    f"hold {cfg.name!r}'s checkpoint {cfg.member!r}; it "
                    f"holds: {found[:20]}.")
    return path, member


def _checkpoint_classes(spec, path: Any) -> int | None:
    """The class count of the checkpoint's logits (its biases), or None."""
    from slimkeras.checkpoints.reader import open_checkpoint

    index = open_checkpoint(path)
    head = spec.logits_scopes[0] + "/"
    for n in index.names():
        if n.startswith(head) and n.endswith("/biases"):
            return int(index.shapes[n][-1])
    return None


def _build(spec, inputs, num_classes, is_training, weight_decay,
           net_kwargs, squeeze):
    kwargs = dict(net_kwargs)
    if squeeze and "spatial_squeeze" not in kwargs:
        try:
            params = pyinspect.signature(spec.fn).parameters
        except (TypeError, ValueError):  # pragma: no cover
            params = {}
        if "spatial_squeeze" in params:
            kwargs["spatial_squeeze"] = True
    with naming.name_registry():
        with scopes.arg_scope(spec.arg_scope(weight_decay=weight_decay)):
            return spec.fn(inputs, num_classes=num_classes,
                           is_training=is_training, **kwargs)


def _squeeze(t):
    shape = tuple(t.shape)
    if len(shape) == 4 and shape[1] == 1 and shape[2] == 1:
        return ops.squeeze(t, axis=(1, 2))
    return t


def _keep_aux_head(model, inputs, end_points) -> None:
    """Track the aux-logits layers on ``model`` (frozen: nothing trains
    them through ``model``'s output)."""
    aux = [v for k, v in end_points.items()
           if k.rsplit("/", 1)[-1] == "AuxLogits"]
    if not aux:
        return
    head = keras.Model(inputs, aux[0], name=f"{model.name}_aux_logits")
    body = {id(layer) for layer in model._flatten_layers(include_self=False)}
    for layer in head.layers:
        if id(layer) not in body:
            layer.trainable = False
    model.aux_logits_head = head


def _restore(model, spec, cfg, path, member, model_classes, ckpt_classes,
             headless):
    from slimkeras import checkpoints

    kwargs: dict = {"use_moving_averages": bool(cfg and cfg.use_ema)}
    if member is not None:
        kwargs["member"] = member
    where = cfg.name if cfg is not None else str(path)
    if headless or ckpt_classes is None or model_classes == ckpt_classes:
        pass
    elif {model_classes, ckpt_classes} == {1000, 1001}:
        kwargs["label_offset"] = ckpt_classes - model_classes
        logger.info(
            "%s: %d-class checkpoint restored into %d classes (label "
            "offset %d: class 0 is research/slim's background).", where,
            ckpt_classes, model_classes, kwargs["label_offset"])
    else:
        names = {v.path for v in model.weights}
        scopes_in_model = [s for s in spec.logits_scopes if any(
            n == s or n.startswith(s + "/") for n in names)]
        kwargs["exclude"] = scopes_in_model
        logger.warning(
            "%s: the checkpoint has %d classes, the model %d: the classifier "
            "(%s) is NOT restored and starts from its initializer; every "
            "other variable is restored.", where, ckpt_classes,
            model_classes, ", ".join(scopes_in_model))
    report = checkpoints.restore(model, path, **kwargs)
    logger.info("%s: %s", where, report.summary())
    return report


def create_model(name, num_classes, input_shape, weight_decay, is_training,
                 outputs, pretrained, checkpoint_path, net_kwargs):
    if outputs not in _OUTPUTS:
        raise ValueError(
            "create_model: `outputs` must be one of "
            f"{', '.join(repr(o) for o in _OUTPUTS)}. "
            f"Received: outputs={outputs!r}.")
    spec, cfg, load = _resolve_cfg(name, pretrained)
    if cfg is not None:
        net_kwargs = {**cfg.kwargs, **net_kwargs}
    path = member = None
    ckpt_classes = None
    if load or checkpoint_path is not None:
        path, member = _checkpoint_source(cfg, checkpoint_path)
        ckpt_classes = cfg.num_classes if (cfg is not None and load) \
            else _checkpoint_classes(spec, path)
    if num_classes is None:
        num_classes = ckpt_classes or spec.num_classes
    headless = outputs == "features" or num_classes == 0
    if input_shape is None:
        size = cfg.input_size if cfg is not None else spec.default_image_size
        input_shape = (size, size, spec.channels)
        if getattr(spec, "num_frames", None):
            input_shape = (spec.num_frames,) + input_shape
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    logits, end_points = _build(
        spec, inputs, 0 if headless else num_classes, is_training,
        weight_decay, net_kwargs, squeeze=not headless)
    if headless:
        logits = _squeeze(logits)
    elif "spatial_squeeze" not in net_kwargs:
        logits = _squeeze(logits)
    if outputs in ("logits", "features"):
        out: Any = logits
    elif outputs == "end_points":
        out = dict(end_points)
    else:
        out = [logits, dict(end_points)]
    model = keras.Model(inputs, out, name=spec.name)
    model.end_point_names = list(end_points)
    if outputs in ("logits", "features") and not headless:
        _keep_aux_head(model, inputs, end_points)
    model.pretrained_cfg = cfg
    model.restore_report = None
    if path is not None:
        model.restore_report = _restore(
            model, spec, cfg, path, member, num_classes, ckpt_classes,
            headless)
    return model
