"""research/slim's ``preprocessing_factory``: a preprocessing fn by name.

Names are research/slim's (``'vgg'``, ``'inception_v3'``, ``'resnet_v1_50'``
…) plus every registered net (its ``NetSpec.preprocessing``), so
``get_preprocessing('alexnet_v2')`` also works.
"""

from __future__ import annotations

from collections.abc import Callable

from slimkeras.preprocessing import (
    cifarnet_preprocessing,
    inception_preprocessing,
    lenet_preprocessing,
    vgg_preprocessing,
)

__all__ = ["get_preprocessing", "preprocessing_fn_map"]

_MODULES = {
    "cifarnet": cifarnet_preprocessing,
    "inception": inception_preprocessing,
    "lenet": lenet_preprocessing,
    "vgg": vgg_preprocessing,
}

# research/slim's table (name -> preprocessing module name).
_SLIM_NAMES = {
    "cifarnet": "cifarnet",
    "inception": "inception",
    "inception_v1": "inception",
    "inception_v2": "inception",
    "inception_v3": "inception",
    "inception_v4": "inception",
    "inception_resnet_v2": "inception",
    "lenet": "lenet",
    "mobilenet_v1": "inception",
    "mobilenet_v2": "inception",
    "mobilenet_v2_035": "inception",
    "mobilenet_v2_140": "inception",
    "resnet_v1_50": "vgg",
    "resnet_v1_101": "vgg",
    "resnet_v1_152": "vgg",
    "resnet_v1_200": "vgg",
    "resnet_v2_50": "vgg",
    "resnet_v2_101": "vgg",
    "resnet_v2_152": "vgg",
    "resnet_v2_200": "vgg",
    "vgg": "vgg",
    "vgg_a": "vgg",
    "vgg_16": "vgg",
    "vgg_19": "vgg",
}


def preprocessing_fn_map() -> dict[str, object]:
    """``{name: preprocessing module}`` for every known name."""
    names = dict(_SLIM_NAMES)
    try:
        from slimkeras.nets import registry

        for net in registry.list_nets():
            spec = registry.get_net(net)
            if spec.preprocessing in _MODULES:
                names.setdefault(net, spec.preprocessing)
    except ImportError:  # pragma: no cover - nets not importable
        pass
    return {name: _MODULES[mod] for name, mod in sorted(names.items())}


def get_preprocessing(name: str, is_training: bool = False) -> Callable:
    """``preprocessing_fn(image, output_height, output_width, **kwargs)``.

    Args:
        name: a preprocessing or net name (``'vgg'``, ``'inception_v3'``,
            ``'cifarnet'`` …).
        is_training: the training (random augmentation) or evaluation
            variant.

    Returns:
        A function of one ``[H, W, C]`` image, usable in ``Dataset.map``.

    Raises:
        ValueError: unknown ``name`` (the message lists the valid names).
        TypeError: ``is_training`` is not a bool.
    """
    if not isinstance(is_training, bool):
        raise TypeError(
            "get_preprocessing: `is_training` must be True or False. "
            f"Received: is_training={is_training!r}."
        )
    table = preprocessing_fn_map()
    if name not in table:
        raise ValueError(
            f"Preprocessing name {name!r} was not recognized. Valid names: "
            f"{', '.join(table)}."
        )
    module = table[name]

    def preprocessing_fn(image, output_height, output_width, **kwargs):
        return module.preprocess_image(image, output_height, output_width,
                                       is_training=is_training, **kwargs)

    preprocessing_fn.__name__ = f"{name}_preprocessing"
    return preprocessing_fn
