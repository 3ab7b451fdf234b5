"""Renders ``docs/pretrained.md``, the table of the pretrained registry.

``python -m slimkeras.nets.pretrained_docs > docs/pretrained.md``; a test
checks the file equals :func:`render` so the docs cannot drift.
"""

from __future__ import annotations

from slimkeras.nets import pretrained as pretrained_lib

__all__ = ["render"]

_HEAD = (
    """\
# Published checkpoints (the pretrained registry)

`slimkeras.nets.list_pretrained()` lists research/slim's published ImageNet
checkpoints as `<net>.<tag>`; `slimkeras.nets.get_pretrained_cfg(name)` gives
one row as a `PretrainedCfg` (timm's `pretrained_cfg` shape; `.to_dict()`).
`create_model(net, pretrained=True)` uses the net's default tag (marked
**default**); `pretrained='<tag>'` or the name `'<net>.<tag>'` picks another.

Sources: research/slim's `README.md` ("Pre-trained Models"),
`nets/mobilenet_v1.md` and `nets/mobilenet/README.md`. Top-1 / top-5 are
research/slim's reported single-crop ImageNet accuracies in % (MobileNet V3
and EdgeTPU rows report top-1 only). Classes 1001: class 0 is background,
`label_offset` 1 (`num_classes=1000` drops it: the logits equal the
checkpoint's `logits[:, 1:]`). EMA: the checkpoint's
`ExponentialMovingAverage` values are the ones restored. Usable: "yes", or
why not — rows of nets not yet in slimkeras become usable as soon as the net
registers; quantized (fake-quant) checkpoints and the never-published
ResNet V2 200 are listed but cannot be built.

Downloads go to `$SLIMKERAS_HOME/downloads/<URL path>` (default
`~/.keras/slimkeras`), atomically and checked; `SLIMKERAS_WEIGHTS_URL`
(e.g. `http://127.0.0.1:8000`) replaces the scheme and host of every URL
below and keeps its path. Offline, pass `checkpoint_path=` (the tarball or
its extracted checkpoint).

Regenerate: `python -m slimkeras.nets.pretrained_docs > docs/pretrained.md`.

"""
    "| name | net | size | classes | preprocessing | EMA | top-1 | top-5 "
    "| checkpoint (member) | usable |\n"
    "|---|---|---|---|---|---|---|---|---|---|\n"
)


def _num(v) -> str:
    return "-" if v is None else f"{v:.1f}"


def render() -> str:
    rows = []
    for cfg in pretrained_lib._ROWS:
        default = pretrained_lib.pretrained_tags(cfg.net)[0] == cfg.tag
        name = f"`{cfg.name}`" + (" **default**" if default else "")
        net = f"`{cfg.net}`" + (
            f" {cfg.kwargs}" if cfg.net_kwargs else "")
        if cfg.url:
            link = f"[{cfg.filename}]({cfg.url})"
            if cfg.member:
                link += f" (`{cfg.member}`)"
        else:
            link = "not published"
        if cfg.url is None:
            usable = "no: not published"
        elif cfg.quantized:
            usable = "no: quantized (fake-quant)"
        elif not cfg.buildable:
            usable = "no: net not in slimkeras yet"
        else:
            usable = "yes"
        rows.append(
            f"| {name} | {net} | {cfg.input_size} | {cfg.num_classes} | "
            f"{cfg.preprocessing} | {'yes' if cfg.use_ema else 'no'} | "
            f"{_num(cfg.top1)} | {_num(cfg.top5)} | {link} | {usable} |")
    return _HEAD + "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
