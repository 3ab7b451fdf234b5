"""research/slim's published ImageNet checkpoints, in timm's ``pretrained_cfg``
shape.

Every row of research/slim's README table "Pre-trained Models", of
``nets/mobilenet_v1.md`` (the 16 width x resolution float models and their
quantized twins) and of ``nets/mobilenet/README.md`` (MobileNet V2 depth x
resolution, V3, EdgeTPU) is one :class:`PretrainedCfg`, named
``<net>.<tag>`` (``inception_v1.224``, ``mobilenet_v1_050.160``,
``mobilenet_v2.1.0_96``). ``pretrained=True`` picks the first tag of a net
(the one research/slim's main README links).

A row is *buildable* when its ``net`` is registered
(:func:`slimkeras.nets.list_nets`) and it has a URL and no quantization;
rows of nets that are not registered yet (NASNet, PNASNet, MobileNet V3 as
they land) become usable as soon as the net registers, with no change here.

Usage::

    from slimkeras import nets
    nets.list_pretrained()                 # every '<net>.<tag>'
    nets.list_pretrained('mobilenet_v1*')  # fnmatch pattern
    cfg = nets.get_pretrained_cfg('inception_v1')      # default tag
    cfg = nets.get_pretrained_cfg('mobilenet_v1', tag='192')
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
from typing import Any

__all__ = [
    "PretrainedCfg",
    "get_pretrained_cfg",
    "list_pretrained",
    "pretrained_tags",
    "split_name",
]

_TF = "http://download.tensorflow.org/models"
_GCS_TF = "https://storage.googleapis.com/download.tensorflow.org/models"
_V2 = "https://storage.googleapis.com/mobilenet_v2/checkpoints"
_V3 = "https://storage.googleapis.com/mobilenet_v3/checkpoints"
_EDGE = "https://storage.cloud.google.com/mobilenet_edgetpu/checkpoints"

SOURCE_MAIN = "research/slim/README.md"
SOURCE_V1 = "research/slim/nets/mobilenet_v1.md"
SOURCE_MOBILENET = "research/slim/nets/mobilenet/README.md"


@dataclasses.dataclass(frozen=True)
class PretrainedCfg:
    """One published checkpoint.

    Attributes:
        net: registered net name (``slimkeras.nets.get_net``).
        tag: the checkpoint's tag; ``name`` is ``f'{net}.{tag}'``.
        url: the published URL, or None (announced, never published).
        member: the checkpoint path inside the tarball: a V1 file
            (``inception_v1.ckpt``), a V2 prefix (``….ckpt``) or a
            directory holding one checkpoint.
        num_classes: 1001 (class 0 is background) or 1000.
        label_offset: 1 for 1001-class checkpoints (their logits[:, 1:]
            are the 1000 ImageNet classes), 0 otherwise.
        input_size: image side the reported accuracy was measured at.
        preprocessing: ``preprocessing_factory`` name.
        use_ema: the ``<name>/ExponentialMovingAverage`` values are the
            ones to evaluate (restored with ``use_moving_averages``).
        top1, top5: research/slim's reported accuracy (%) or None.
        net_kwargs: extra net arguments (``depth_multiplier`` for a
            MobileNet V2/V3 variant without a registered name).
        quantized: a fake-quantization (8-bit) training checkpoint;
            slimkeras builds no fake-quant graphs, so it is not buildable.
        source: the README the row comes from.
        note: research/slim's footnote, if any.
    """

    net: str
    tag: str
    url: str | None
    member: str | None
    num_classes: int
    input_size: int
    preprocessing: str
    top1: float | None
    top5: float | None
    use_ema: bool = False
    net_kwargs: tuple = ()
    quantized: bool = False
    source: str = SOURCE_MAIN
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.net}.{self.tag}"

    @property
    def label_offset(self) -> int:
        return 1 if self.num_classes == 1001 else 0

    @property
    def kwargs(self) -> dict:
        return dict(self.net_kwargs)

    @property
    def filename(self) -> str | None:
        return self.url.rsplit("/", 1)[-1] if self.url else None

    def unavailable_reason(self) -> str | None:
        """Why this checkpoint cannot be used now (None: it can)."""
        from slimkeras.nets import registry

        if self.url is None:
            return ("research/slim announced it but never published a "
                    "checkpoint (no URL)")
        if self.quantized:
            return ("a quantization-aware (fake-quant) checkpoint; slimkeras "
                    "builds float graphs only — use the float checkpoint")
        if self.net not in registry.list_nets():
            return (f"net {self.net!r} is not implemented in slimkeras yet "
                    "(this row becomes usable when it is registered)")
        return None

    @property
    def buildable(self) -> bool:
        return self.unavailable_reason() is None

    def to_dict(self) -> dict:
        """timm-style ``pretrained_cfg`` dict."""
        out = dataclasses.asdict(self)
        out["net_kwargs"] = self.kwargs
        out.update(name=self.name, label_offset=self.label_offset,
                   input_size=(3, self.input_size, self.input_size),
                   file=self.filename, buildable=self.buildable)
        return out


_ROWS: list[PretrainedCfg] = []


def _add(net, tag, url, member, classes, size, prep, top1, top5, **kw):
    _ROWS.append(PretrainedCfg(net=net, tag=tag, url=url, member=member,
                               num_classes=classes, input_size=size,
                               preprocessing=prep, top1=top1, top5=top5,
                               **kw))


# --- research/slim/README.md, "Pre-trained Models" ---------------------------
for _net, _date, _member, _t1, _t5, _size in (
        ("inception_v1", "2016_08_28", "inception_v1.ckpt", 69.8, 89.6, 224),
        ("inception_v2", "2016_08_28", "inception_v2.ckpt", 73.9, 91.8, 224),
        ("inception_v3", "2016_08_28", "inception_v3.ckpt", 78.0, 93.9, 299),
        ("inception_v4", "2016_09_09", "inception_v4.ckpt", 80.2, 95.2, 299),
        ("inception_resnet_v2", "2016_08_30",
         "inception_resnet_v2_2016_08_30.ckpt", 80.4, 95.3, 299)):
    _add(_net, str(_size), f"{_TF}/{_net}_{_date}.tar.gz", _member, 1001,
         _size, "inception", _t1, _t5)
for _net, _t1, _t5 in (("resnet_v1_50", 75.2, 92.2),
                       ("resnet_v1_101", 76.4, 92.9),
                       ("resnet_v1_152", 76.8, 93.2)):
    _add(_net, "224", f"{_TF}/{_net}_2016_08_28.tar.gz", f"{_net}.ckpt",
         1000, 224, "vgg", _t1, _t5,
         note="converted from the original Caffe model")
_RESNET_V2_NOTE = ("inception preprocessing at 299; accuracy on the "
                   "ImageNet validation set")
for _net, _t1, _t5 in (("resnet_v2_50", 75.6, 92.8),
                       ("resnet_v2_101", 77.0, 93.7),
                       ("resnet_v2_152", 77.8, 94.1)):
    _add(_net, "299", f"{_TF}/{_net}_2017_04_14.tar.gz", f"{_net}.ckpt",
         1001, 299, "inception", _t1, _t5, note=_RESNET_V2_NOTE)
_add("resnet_v2_200", "299", None, None, 1001, 299, "inception", 79.9, 95.2,
     note="TBA in research/slim; accuracy quoted from the paper")
for _net, _t1, _t5 in (("vgg_16", 71.5, 89.8), ("vgg_19", 71.1, 89.8)):
    _add(_net, "224", f"{_TF}/{_net}_2016_08_28.tar.gz", f"{_net}.ckpt",
         1000, 224, "vgg", _t1, _t5,
         note="converted from the original Caffe model")

# MobileNet V1: the main README links the 2018_02_22 tarballs of three
# models; nets/mobilenet_v1.md lists all 16 (2018_08_02) and their
# quantized twins.
_V1_NETS = {"1.0": "mobilenet_v1", "0.75": "mobilenet_v1_075",
            "0.5": "mobilenet_v1_050", "0.25": "mobilenet_v1_025"}
for _mult, _size, _t1, _t5 in (("1.0", 224, 70.9, 89.9),
                               ("0.5", 160, 59.1, 81.9),
                               ("0.25", 128, 41.5, 66.3)):
    _stem = f"mobilenet_v1_{_mult}_{_size}"
    _add(_V1_NETS[_mult], str(_size),
         f"{_TF}/mobilenet_v1_2018_02_22/{_stem}.tgz", f"{_stem}.ckpt",
         1001, _size, "inception", _t1, _t5)
_MAIN_V1 = {("1.0", 224), ("0.5", 160), ("0.25", 128)}
_V1_TABLE = {  # (multiplier, size): (float top1, top5, quant top1, top5)
    ("1.0", 224): (70.9, 89.9, 70.1, 88.9),
    ("1.0", 192): (70.0, 89.2, 69.2, 88.3),
    ("1.0", 160): (68.0, 87.7, 67.2, 86.7),
    ("1.0", 128): (65.2, 85.8, 63.4, 84.2),
    ("0.75", 224): (68.4, 88.2, 66.8, 87.0),
    ("0.75", 192): (67.2, 87.3, 66.1, 86.4),
    ("0.75", 160): (65.3, 86.0, 62.3, 83.8),
    ("0.75", 128): (62.1, 83.9, 55.8, 78.8),
    ("0.5", 224): (63.3, 84.9, 60.7, 83.2),
    ("0.5", 192): (61.7, 83.6, 60.0, 82.2),
    ("0.5", 160): (59.1, 81.9, 57.7, 80.4),
    ("0.5", 128): (56.3, 79.4, 54.5, 77.7),
    ("0.25", 224): (49.8, 74.2, 48.0, 72.8),
    ("0.25", 192): (47.7, 72.3, 46.0, 71.2),
    ("0.25", 160): (45.5, 70.3, 43.4, 68.5),
    ("0.25", 128): (41.5, 66.3, 39.5, 64.4),
}
for (_mult, _size), (_t1, _t5, _q1, _q5) in _V1_TABLE.items():
    _stem = f"mobilenet_v1_{_mult}_{_size}"
    _base = f"{_TF}/mobilenet_v1_2018_08_02"
    _tag = f"{_size}_2018_08_02" if (_mult, _size) in _MAIN_V1 else str(_size)
    _add(_V1_NETS[_mult], _tag, f"{_base}/{_stem}.tgz", f"{_stem}.ckpt",
         1001, _size, "inception", _t1, _t5, source=SOURCE_V1)
    _add(_V1_NETS[_mult], f"{_size}_quant", f"{_base}/{_stem}_quant.tgz",
         f"{_stem}_quant.ckpt", 1001, _size, "inception", _q1, _q5,
         quantized=True, source=SOURCE_V1)

# MobileNet V2 (nets/mobilenet/README.md; the main README links 1.4_224 and
# 1.0_224 with 74.9/92.5 and 71.9/91.0). Trained with
# --moving_average_decay=0.9999: the EMA values are the published ones.
_V2_NETS = {"1.4": ("mobilenet_v2_140", ()), "1.0": ("mobilenet_v2", ()),
            "0.5": ("mobilenet_v2_050", ()), "0.35": ("mobilenet_v2_035", ()),
            "1.3": ("mobilenet_v2", (("depth_multiplier", 1.3),)),
            # research/slim's <1 variants keep the last conv at 1280
            # (finegrain): 2.61 M parameters as its README lists.
            "0.75": ("mobilenet_v2", (("depth_multiplier", 0.75),
                                      ("finegrain_classification_mode",
                                       True)))}
_V2_TABLE = (  # multiplier, size, top1, top5, quantized file stem
    ("1.4", 224, 75.0, 92.5, "224_140"), ("1.3", 224, 74.4, 92.1, "224_130"),
    ("1.0", 224, 71.8, 91.0, "224_100"), ("1.0", 192, 70.7, 90.1, "192_100"),
    ("1.0", 160, 68.8, 89.0, "160_100"), ("1.0", 128, 65.3, 86.9, "128_100"),
    ("1.0", 96, 60.3, 83.2, "96_100"), ("0.75", 224, 69.8, 89.6, "224_75"),
    ("0.75", 192, 68.7, 88.9, "192_75"), ("0.75", 160, 66.4, 87.3, "160_75"),
    ("0.75", 128, 63.2, 85.3, "128_75"), ("0.75", 96, 58.8, 81.6, "96_75"),
    ("0.5", 224, 65.4, 86.4, "224_50"), ("0.5", 192, 63.9, 85.4, "192_50"),
    ("0.5", 160, 61.0, 83.2, "160_50"), ("0.5", 128, 57.7, 80.8, "128_50"),
    ("0.5", 96, 51.2, 75.8, "96_50"), ("0.35", 224, 60.3, 82.9, "224_35"),
    ("0.35", 192, 58.2, 81.2, "192_35"), ("0.35", 160, 55.7, 79.1, "160_35"),
    ("0.35", 128, 50.8, 75.0, "128_35"), ("0.35", 96, 45.5, 70.4, "96_35"),
)
_MAIN_V2 = {("1.4", 224): (74.9, 92.5), ("1.0", 224): (71.9, 91.0)}
for _mult, _size, _t1, _t5, _qstem in _V2_TABLE:
    _net, _kw = _V2_NETS[_mult]
    _stem = f"mobilenet_v2_{_mult}_{_size}"
    # Nets without a registered name of their own carry the multiplier in
    # the tag: mobilenet_v2.1.3_224.
    _tag = f"{_mult}_{_size}" if _kw or _net == "mobilenet_v2" else str(_size)
    _t1, _t5 = _MAIN_V2.get((_mult, _size), (_t1, _t5))
    _add(_net, _tag, f"{_V2}/{_stem}.tgz", f"{_stem}.ckpt", 1001, _size,
         "inception", _t1, _t5, use_ema=True, net_kwargs=_kw,
         source=SOURCE_MAIN if (_mult, _size) in _MAIN_V2
         else SOURCE_MOBILENET)
    _add(_net, f"{_tag}_quant", f"{_V2}/quantized_v2_{_qstem}.tgz", None,
         1001, _size, "inception", None, None, use_ema=True, net_kwargs=_kw,
         quantized=True, source=SOURCE_MOBILENET)

# MobileNet V3 and EdgeTPU (nets/mobilenet/README.md; top-1 only). The
# tarballs hold an ``ema/`` checkpoint (averaged values under plain names)
# next to ``pristine/``.
for _net, _file, _mult, _t1, _quant in (
        ("mobilenet_v3_large", "v3-large_224_1.0_float", 1.0, 75.2, False),
        ("mobilenet_v3_large", "v3-large_224_1.0_uint8", 1.0, 73.9, True),
        ("mobilenet_v3_large", "v3-large_224_0.75_float", 0.75, 73.3, False),
        ("mobilenet_v3_small", "v3-small_224_1.0_float", 1.0, 67.5, False),
        ("mobilenet_v3_small", "v3-small_224_1.0_uint8", 1.0, 64.9, True),
        ("mobilenet_v3_small", "v3-small_224_0.75_float", 0.75, 65.4, False),
        ("mobilenet_v3_large_minimalistic",
         "v3-large-minimalistic_224_1.0_float", 1.0, 72.3, False),
        ("mobilenet_v3_large_minimalistic",
         "v3-large-minimalistic_224_1.0_uint8", 1.0, 71.3, True),
        ("mobilenet_v3_small_minimalistic",
         "v3-small-minimalistic_224_1.0_float", 1.0, 61.9, False)):
    _tag = f"{_mult}_224" + ("_quant" if _quant else "")
    _kw = (("depth_multiplier", _mult),) if _mult != 1.0 else ()
    _add(_net, _tag, f"{_V3}/{_file}.tgz", None if _quant else f"{_file}/ema",
         1001, 224, "inception", _t1, None, net_kwargs=_kw, quantized=_quant,
         source=SOURCE_MOBILENET)
for _net, _file, _t1 in (
        ("mobilenet_edgetpu_075", "mobilenet_edgetpu_224_0.75", 73.5),
        ("mobilenet_edgetpu", "mobilenet_edgetpu_224_1.0", 75.6)):
    _add(_net, "224_quant", f"{_EDGE}/{_file}.tgz", None, 1001, 224,
         "inception", _t1, None, quantized=True, source=SOURCE_MOBILENET,
         note="8-bit (post-training quantized) accuracy")

# NASNet / PNASNet (main README).
for _net, _file, _size, _t1, _t5 in (
        ("nasnet_mobile", "nasnet-a_mobile_04_10_2017", 224, 74.0, 91.6),
        ("nasnet_large", "nasnet-a_large_04_10_2017", 331, 82.7, 96.2),
        ("pnasnet_large", "pnasnet-5_large_2017_12_13", 331, 82.9, 96.2),
        ("pnasnet_mobile", "pnasnet-5_mobile_2017_12_13", 224, 74.2, 91.9)):
    _add(_net, str(_size), f"{_GCS_TF}/{_file}.tar.gz", "model.ckpt", 1001,
         _size, "inception", _t1, _t5)

_CFGS: dict[str, PretrainedCfg] = {}
# The rows of each registered name (the net's ``default_cfgs`` lists its
# architecture; these are its published checkpoints), in table order.
_BY_NET: dict[str, list[PretrainedCfg]] = {}
for _cfg in _ROWS:
    if _cfg.name in _CFGS:  # pragma: no cover - table error
        raise AssertionError(f"duplicate pretrained name {_cfg.name}")
    _CFGS[_cfg.name] = _cfg
    _BY_NET.setdefault(_cfg.net, []).append(_cfg)


def split_name(name: str) -> tuple[str, str | None]:
    """``'mobilenet_v1.192'`` → ``('mobilenet_v1', '192')``; no dot → tag
    None. Net names hold no dots, tags may (``mobilenet_v2.1.3_224``)."""
    if not isinstance(name, str):
        raise TypeError(f"A model name must be a str. Received: {name!r}.")
    net, dot, tag = name.partition(".")
    return net, (tag if dot else None)


def pretrained_tags(net: str) -> list[str]:
    """Tags published for ``net``, the default (``pretrained=True``)
    first."""
    # Float checkpoints of the net itself first (quantized ones and
    # depth-multiplier variants never become the default), then table order.
    rows = sorted(_BY_NET.get(net, ()),
                  key=lambda c: (c.quantized, bool(c.net_kwargs)))
    return [c.tag for c in rows]


def list_pretrained(pattern: str = "*", *, buildable: bool | None = None
                    ) -> list[str]:
    """``'<net>.<tag>'`` of every published checkpoint matching ``pattern``
    (fnmatch), in research/slim's table order.

    Args:
        pattern: e.g. ``'resnet*'``, ``'mobilenet_v1_050.*'``.
        buildable: True: only rows usable now; False: only rows that are
            not (see :meth:`PretrainedCfg.unavailable_reason`).
    """
    out = [c.name for c in _ROWS if fnmatch.fnmatchcase(c.name, pattern)]
    if buildable is not None:
        out = [n for n in out if _CFGS[n].buildable == buildable]
    return out


def get_pretrained_cfg(name: str, tag: str | None = None) -> PretrainedCfg:
    """The :class:`PretrainedCfg` for ``'<net>.<tag>'``, ``(net, tag)``, or
    a net's default tag.

    Raises:
        ValueError: unknown net (close matches) or tag (the valid tags).
    """
    net, name_tag = split_name(name)
    if tag is not None and name_tag is not None and tag != name_tag:
        raise ValueError(f"Two tags given: {name!r} and tag={tag!r}.")
    tag = tag if tag is not None else name_tag
    tags = pretrained_tags(net)
    if not tags:
        known = sorted(_BY_NET)
        close = difflib.get_close_matches(net, known, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"No published checkpoint for net {net!r}.{hint} Nets with "
            f"published checkpoints: {', '.join(known)}. Pass "
            "checkpoint_path=… for a local checkpoint.")
    if tag is None:
        return _CFGS[f"{net}.{tags[0]}"]
    if not isinstance(tag, str) or f"{net}.{tag}" not in _CFGS:
        raise ValueError(
            f"Unknown tag {tag!r} for {net!r}. Valid tags: "
            f"{', '.join(tags)} (default {tags[0]!r}).")
    return _CFGS[f"{net}.{tag}"]


def _cfg_or_none(name: Any) -> PretrainedCfg | None:
    return _CFGS.get(name) if isinstance(name, str) else None
