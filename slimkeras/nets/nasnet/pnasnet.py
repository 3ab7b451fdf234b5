"""PNASNet-5 (Mobile, Large).

"Progressive Neural Architecture Search", Chenxi Liu, Barret Zoph, Maxim
Neumann, Jonathon Shlens, Wei Hua, Li-Jia Li, Li Fei-Fei, Alan Yuille,
Jonathan Huang, Kevin Murphy, arXiv:1712.00559.

Slim counterpart: research/slim ``nets/nasnet/pnasnet.py``
(``build_pnasnet_large/mobile``; our own code, names and numerics
matched). The NASNet ImageNet stem (``conv0``, ``cell_stem_0/1``) with
PNASNet cells; reducing cells are ordinary ``cell_<k>`` with stride 2
(no ``Reduction_Cell`` end points). With ``skip_reduction_layer_input``
(both configs) every cell takes the output two cells back. Loads the
published ``pnasnet-5_large`` / ``pnasnet-5_mobile`` checkpoints (1001
classes) by name.

Usage::

    import slimkeras as slim
    from slimkeras.nets.nasnet import pnasnet

    with slim.arg_scope(pnasnet.pnasnet_large_arg_scope()):
        logits, end_points = pnasnet.build_pnasnet_large(images, 1001)

Divergences: as :mod:`slimkeras.nets.nasnet.nasnet` (``is_training=None``
follows Keras's ``training`` and builds the aux head).
"""

from __future__ import annotations

from typing import Any

from slimkeras.nets import registry
from slimkeras.nets.nasnet import nasnet
from slimkeras.nets.nasnet import nasnet_utils as nu

__all__ = [
    "PNasNetNormalCell",
    "build_pnasnet_large",
    "build_pnasnet_mobile",
    "large_imagenet_config",
    "mobile_imagenet_config",
    "pnasnet_large_arg_scope",
    "pnasnet_mobile_arg_scope",
]


def large_imagenet_config() -> nu.HParams:
    """PNASNet-5 Large: 12 cells, 216 filters."""
    return nu.HParams(
        stem_multiplier=3.0, dense_dropout_keep_prob=0.5, num_cells=12,
        filter_scaling_rate=2.0, num_conv_filters=216,
        drop_path_keep_prob=0.6, use_aux_head=1, num_reduction_layers=2,
        data_format="NHWC", skip_reduction_layer_input=1,
        total_training_steps=250000, use_bounded_activation=False)


def mobile_imagenet_config() -> nu.HParams:
    """PNASNet-5 Mobile: 9 cells, 54 filters."""
    return nu.HParams(
        stem_multiplier=1.0, dense_dropout_keep_prob=0.5, num_cells=9,
        filter_scaling_rate=2.0, num_conv_filters=54,
        drop_path_keep_prob=1.0, use_aux_head=1, num_reduction_layers=2,
        data_format="NHWC", skip_reduction_layer_input=1,
        total_training_steps=250000, use_bounded_activation=False)


def pnasnet_large_arg_scope(weight_decay: float = 4e-5,
                            batch_norm_decay: float = 0.9997,
                            batch_norm_epsilon: float = 0.001) -> dict:
    """The NASNet Large arg_scope with PNASNet's weight decay."""
    return nasnet.nasnet_large_arg_scope(
        weight_decay, batch_norm_decay, batch_norm_epsilon)


def pnasnet_mobile_arg_scope(weight_decay: float = 4e-5,
                             batch_norm_decay: float = 0.9997,
                             batch_norm_epsilon: float = 0.001) -> dict:
    """The NASNet Mobile arg_scope."""
    return nasnet.nasnet_mobile_arg_scope(
        weight_decay, batch_norm_decay, batch_norm_epsilon)


class PNasNetNormalCell(nu.NasNetABaseCell):
    """The PNASNet-5 cell (arXiv:1712.00559, Fig. 1)."""

    def __init__(self, num_conv_filters, drop_path_keep_prob,
                 total_num_cells, total_training_steps,
                 use_bounded_activation=False, **kwargs):
        operations = ["separable_5x5_2", "max_pool_3x3",
                      "separable_7x7_2", "max_pool_3x3",
                      "separable_5x5_2", "separable_3x3_2",
                      "separable_3x3_2", "max_pool_3x3",
                      "separable_3x3_2", "none"]
        used_hiddenstates = [1, 1, 0, 0, 0, 0, 0]
        hiddenstate_indices = [1, 1, 0, 0, 0, 0, 4, 0, 1, 0]
        super().__init__(num_conv_filters, operations, used_hiddenstates,
                         hiddenstate_indices, drop_path_keep_prob,
                         total_num_cells, total_training_steps,
                         use_bounded_activation, **kwargs)


def pnasnet_endpoints(hparams) -> list[str]:
    return (["Stem"] + [f"Cell_{c}" for c in range(hparams.num_cells)]
            + ["global_pool", "Logits", "Predictions"])


def _build_pnasnet_base(images, cell, num_classes, hparams, is_training,
                        final_endpoint=None):
    end_points: dict[str, Any] = {}
    add = nasnet._endpoint_adder(end_points, final_endpoint)
    reduction_indices = nu.calc_reduction_layers(
        hparams.num_cells, hparams.num_reduction_layers)
    net, cell_outputs = nasnet.imagenet_stem(images, hparams, cell)
    if add("Stem", net):
        return net, end_points
    aux_idx = ([reduction_indices[1] - 1] if len(reduction_indices) >= 2
               else [])
    filter_scaling = 1.0
    true_cell_num = 2
    act = nu.activation(hparams.use_bounded_activation)
    prev_layer = None
    for cell_num in range(hparams.num_cells):
        is_reduction = cell_num in reduction_indices
        if is_reduction:
            filter_scaling *= hparams.filter_scaling_rate
        # sic: without skip_reduction_layer_input a reducing cell keeps
        # the previous cell's prev_layer (the original's loop variable).
        if hparams.skip_reduction_layer_input or not is_reduction:
            prev_layer = cell_outputs[-2]
        net = cell(net, scope=f"cell_{cell_num}",
                   filter_scaling=filter_scaling,
                   stride=2 if is_reduction else 1, prev_layer=prev_layer,
                   cell_num=true_cell_num)
        if add(f"Cell_{cell_num}", net):
            return net, end_points
        true_cell_num += 1
        cell_outputs.append(net)
        if cell_num in aux_idx and nasnet.builds_aux_head(
                hparams, num_classes, is_training):
            nasnet.build_aux_head(act(net), end_points, num_classes,
                                  hparams, scope=f"aux_{cell_num}")
    return nasnet.final_layer(net, end_points, num_classes, hparams, add)


def _build(images, num_classes, is_training, final_endpoint, config,
           default, what):
    hparams = nasnet.update_hparams(nu.HParams.from_any(config, default),
                                    is_training)
    images = nasnet.check_images(images, hparams, final_endpoint,
                                 pnasnet_endpoints(hparams), what)
    # No reduction cells in PNASNet: cells + the two stem cells.
    total = hparams.num_cells + 2
    cell = PNasNetNormalCell(
        hparams.num_conv_filters, hparams.drop_path_keep_prob, total,
        hparams.total_training_steps, hparams.use_bounded_activation,
        is_training=is_training, data_format=hparams.data_format)
    with nasnet.training_scope(is_training, hparams.data_format):
        return _build_pnasnet_base(images, cell, num_classes, hparams,
                                   is_training, final_endpoint)


default_cfgs = {
    "pnasnet_large": registry.net_cfg(
        arg_scope=pnasnet_large_arg_scope, default_image_size=331,
        num_classes=1001,
        logits_scopes=nasnet.head_scopes(large_imagenet_config()),
        preprocessing="inception"),
    "pnasnet_mobile": registry.net_cfg(
        arg_scope=pnasnet_mobile_arg_scope, default_image_size=224,
        num_classes=1001,
        logits_scopes=nasnet.head_scopes(mobile_imagenet_config()),
        preprocessing="inception"),
}


@registry.register_net(name="pnasnet_large")
def build_pnasnet_large(images, num_classes: int | None = 1001,
                        is_training: bool | None = None,
                        final_endpoint: str | None = None, config=None):
    """PNASNet-5 Large (331); returns ``(logits, end_points)``.

    Arguments as :func:`slimkeras.nets.nasnet.nasnet.build_nasnet_mobile`;
    default config :func:`large_imagenet_config`.
    """
    return _build(images, num_classes, is_training, final_endpoint, config,
                  large_imagenet_config(), "build_pnasnet_large")


@registry.register_net(name="pnasnet_mobile")
def build_pnasnet_mobile(images, num_classes: int | None = 1001,
                         is_training: bool | None = None,
                         final_endpoint: str | None = None, config=None):
    """PNASNet-5 Mobile (224); default config
    :func:`mobile_imagenet_config`."""
    return _build(images, num_classes, is_training, final_endpoint, config,
                  mobile_imagenet_config(), "build_pnasnet_mobile")

