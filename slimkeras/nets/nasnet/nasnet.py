"""NASNet-A (CIFAR, Mobile, Large).

"Learning Transferable Architectures for Scalable Image Recognition",
Barret Zoph, Vijay Vasudevan, Jonathon Shlens, Quoc V. Le,
arXiv:1707.07012.

Slim counterpart: research/slim ``nets/nasnet/nasnet.py``
(``build_nasnet_cifar/mobile/large``; our own code, names, end points and
numerics matched). There is **no network scope**: variables start at the
layer (``conv0``, ``conv0_bn``, ``cell_stem_0/...``, ``cell_<k>/...``,
``reduction_cell_<k>/...``, ``aux_<k>/...``, ``final_layer/FC``). End
points: ``Stem``, ``Cell_<k>``, ``Reduction_Cell_<k>``, ``AuxLogits``
(only with the aux head), ``global_pool`` ([B, C]), ``Logits``,
``Predictions``. Loads the published ``nasnet-a_mobile`` /
``nasnet-a_large`` checkpoints (1001 classes) by name.

Usage::

    import slimkeras as slim
    from slimkeras.nets.nasnet import nasnet

    with slim.arg_scope(nasnet.nasnet_mobile_arg_scope()):
        logits, end_points = nasnet.build_nasnet_mobile(images, 1001)

Divergences (Keras training flag): ``is_training=None`` (the default here;
the original's is True) follows Keras's ``training``: batch norm, dropout
and drop-path train under ``fit`` and not under ``predict``. With
``is_training=False`` the original sets ``drop_path_keep_prob=1.0`` and
builds no aux head; we do the same. The original builds the aux head (and
its ``aux_<k>`` variables, present in training checkpoints) only when
``is_training`` is truthy; we build it for True **and None**, so a model
made for ``fit`` has the variables a training checkpoint holds and the
``AuxLogits`` end point. Outputs other than ``AuxLogits`` do not depend
on it. ``config`` may be our :class:`HParams`, a dict of overrides, or any
object with ``values()``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from keras import ops

from slimkeras import initializers, naming, regularizers, scopes
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.dropout import dropout
from slimkeras.layers.flatten import flatten
from slimkeras.layers.fully_connected import fully_connected
from slimkeras.layers.pooling import avg_pool2d, max_pool2d
from slimkeras.layers.separable_conv import separable_conv2d
from slimkeras.nets import registry
from slimkeras.nets.nasnet import nasnet_utils as nu

__all__ = [
    "build_nasnet_cifar",
    "build_nasnet_large",
    "build_nasnet_mobile",
    "cifar_config",
    "large_imagenet_config",
    "mobile_imagenet_config",
    "nasnet_cifar_arg_scope",
    "nasnet_large_arg_scope",
    "nasnet_mobile_arg_scope",
]


def cifar_config() -> nu.HParams:
    """NASNet-A CIFAR-10: 18 cells (6 @ 32 filters per stack)."""
    return nu.HParams(
        stem_multiplier=3.0, drop_path_keep_prob=0.6, num_cells=18,
        use_aux_head=1, num_conv_filters=32, dense_dropout_keep_prob=1.0,
        filter_scaling_rate=2.0, num_reduction_layers=2, data_format="NHWC",
        skip_reduction_layer_input=0,
        # 600 epochs at batch 32 (drop-path burn-in).
        total_training_steps=937500, use_bounded_activation=False)


def large_imagenet_config() -> nu.HParams:
    """NASNet-A Large (6 @ 4032): 18 cells, 168 filters."""
    return nu.HParams(
        stem_multiplier=3.0, dense_dropout_keep_prob=0.5, num_cells=18,
        filter_scaling_rate=2.0, num_conv_filters=168,
        drop_path_keep_prob=0.7, use_aux_head=1, num_reduction_layers=2,
        data_format="NHWC", skip_reduction_layer_input=1,
        total_training_steps=250000, use_bounded_activation=False)


def mobile_imagenet_config() -> nu.HParams:
    """NASNet-A Mobile (4 @ 1056): 12 cells, 44 filters."""
    return nu.HParams(
        stem_multiplier=1.0, dense_dropout_keep_prob=0.5, num_cells=12,
        filter_scaling_rate=2.0, drop_path_keep_prob=1.0,
        num_conv_filters=44, use_aux_head=1, num_reduction_layers=2,
        data_format="NHWC", skip_reduction_layer_input=0,
        total_training_steps=250000, use_bounded_activation=False)


def _arg_scope(weight_decay, batch_norm_decay, batch_norm_epsilon):
    reg = regularizers.l2_regularizer(weight_decay)
    init = initializers.variance_scaling_initializer(mode="FAN_OUT")
    bn = {"decay": batch_norm_decay, "epsilon": batch_norm_epsilon,
          "scale": True, "fused": True}
    with scopes.arg_scope([fully_connected, conv2d, separable_conv2d],
                          weights_regularizer=reg, weights_initializer=init), \
            scopes.arg_scope([fully_connected], activation_fn=None,
                             scope="FC"), \
            scopes.arg_scope([conv2d, separable_conv2d], activation_fn=None,
                             biases_initializer=None), \
            scopes.arg_scope([batch_norm], **bn) as sc:
        return sc


def nasnet_cifar_arg_scope(weight_decay: float = 5e-4,
                           batch_norm_decay: float = 0.9,
                           batch_norm_epsilon: float = 1e-5) -> dict:
    """NASNet-A CIFAR arg_scope: He (fan-out) init, L2, fused BN with
    scale; no conv biases or activations; ``fully_connected`` scope
    ``FC``."""
    return _arg_scope(weight_decay, batch_norm_decay, batch_norm_epsilon)


def nasnet_mobile_arg_scope(weight_decay: float = 4e-5,
                            batch_norm_decay: float = 0.9997,
                            batch_norm_epsilon: float = 1e-3) -> dict:
    """NASNet-A Mobile arg_scope (see :func:`nasnet_cifar_arg_scope`)."""
    return _arg_scope(weight_decay, batch_norm_decay, batch_norm_epsilon)


def nasnet_large_arg_scope(weight_decay: float = 5e-5,
                           batch_norm_decay: float = 0.9997,
                           batch_norm_epsilon: float = 1e-3) -> dict:
    """NASNet-A Large arg_scope (see :func:`nasnet_cifar_arg_scope`)."""
    return _arg_scope(weight_decay, batch_norm_decay, batch_norm_epsilon)


def update_hparams(hparams: nu.HParams, is_training) -> nu.HParams:
    """``is_training=False``: no drop-path (research/slim
    ``_update_hparams``). None keeps it for Keras's ``training``."""
    if is_training is False:
        hparams.set_hparam("drop_path_keep_prob", 1.0)
    return hparams


def builds_aux_head(hparams, num_classes, is_training) -> bool:
    return bool(hparams.use_aux_head and num_classes
                and is_training is not False)


def build_aux_head(net, end_points, num_classes, hparams, scope):
    """``aux_<k>/aux_logits``: 5x5/3 pool, ``proj`` 128 + ``aux_bn0``,
    a VALID conv over the whole map (``Conv``, 768) + ``aux_bn1``,
    ``FC``; end point ``AuxLogits``."""
    act = nu.activation(hparams.use_bounded_activation)
    nchw = hparams.data_format == "NCHW"
    spatial = list(net.shape[2:4] if nchw else net.shape[1:3])
    if any(d is not None and d < 5 for d in spatial):
        raise ValueError(
            f"nasnet: the aux head {scope!r} needs a feature map of at least "
            f"5x5 (its 5x5 VALID pool); got {spatial} here. Use a larger "
            "input, `is_training=False` (no aux head) or a config with "
            "use_aux_head=0."
        )
    with naming.variable_scope(scope), naming.variable_scope("aux_logits"):
        aux = avg_pool2d(net, [5, 5], stride=3, padding="VALID")
        aux = conv2d(aux, 128, [1, 1], scope="proj")
        aux = act(batch_norm(aux, scope="aux_bn0"))
        shape = list(aux.shape[2:4] if nchw else aux.shape[1:3])
        aux = conv2d(aux, 768, shape, padding="VALID")
        aux = act(batch_norm(aux, scope="aux_bn1"))
        aux = flatten(aux)
        aux = fully_connected(aux, num_classes)
    end_points["AuxLogits"] = aux


def imagenet_stem(inputs, hparams, stem_cell, current_step=None):
    """``conv0`` (3x3/2 VALID, 32 * stem_multiplier) + ``conv0_bn``, then
    two stride-2 stem cells at filter scaling 1/4 and 1/2."""
    net = conv2d(inputs, int(32 * hparams.stem_multiplier), [3, 3],
                 stride=2, padding="VALID", scope="conv0")
    net = batch_norm(net, scope="conv0_bn")
    cell_outputs = [None, net]
    scaling = 1.0 / (hparams.filter_scaling_rate ** 2)
    for i in range(2):
        net = stem_cell(net, scope=f"cell_stem_{i}", filter_scaling=scaling,
                        stride=2, prev_layer=cell_outputs[-2], cell_num=i,
                        current_step=current_step)
        cell_outputs.append(net)
        scaling *= hparams.filter_scaling_rate
    return net, cell_outputs


def cifar_stem(inputs, hparams):
    """``l1_stem_3x3`` (SAME, num_conv_filters * stem_multiplier) +
    ``l1_stem_bn``."""
    net = conv2d(inputs, int(hparams.num_conv_filters
                             * hparams.stem_multiplier), 3,
                 scope="l1_stem_3x3")
    net = batch_norm(net, scope="l1_stem_bn")
    return net, [None, net]


def final_layer(net, end_points, num_classes, hparams, add):
    """``final_layer``: relu, global mean, dropout, ``FC``, softmax.

    ``add(name, tensor)`` records an end point and says whether to stop.
    """
    act = nu.activation(hparams.use_bounded_activation)
    with naming.variable_scope("final_layer"):
        net = nu.global_avg_pool(act(net), hparams.data_format)
        if add("global_pool", net) or not num_classes:
            return net, end_points
        net = dropout(net, hparams.dense_dropout_keep_prob, scope="dropout")
        logits = fully_connected(net, num_classes)
        if add("Logits", logits):
            return net, end_points  # sic: the original returns pre-logits
        if add("Predictions", ops.softmax(logits, axis=-1)):
            return net, end_points  # sic
    return logits, end_points


def _endpoint_adder(end_points, final_endpoint):
    def add(name, net):
        end_points[name] = net
        return bool(final_endpoint) and name == final_endpoint
    return add


def _build_nasnet_base(images, normal_cell, reduction_cell, num_classes,
                       hparams, is_training, stem_type,
                       final_endpoint=None, current_step=None):
    end_points: dict[str, Any] = {}
    add = _endpoint_adder(end_points, final_endpoint)
    reduction_indices = nu.calc_reduction_layers(
        hparams.num_cells, hparams.num_reduction_layers)
    if stem_type == "imagenet":
        net, cell_outputs = imagenet_stem(images, hparams, reduction_cell,
                                          current_step)
    else:
        net, cell_outputs = cifar_stem(images, hparams)
    if add("Stem", net):
        return net, end_points
    aux_idx = ([reduction_indices[1] - 1] if len(reduction_indices) >= 2
               else [])
    filter_scaling = 1.0
    true_cell_num = 2 if stem_type == "imagenet" else 0
    act = nu.activation(hparams.use_bounded_activation)
    prev_layer = None
    for cell_num in range(hparams.num_cells):
        if hparams.skip_reduction_layer_input:
            prev_layer = cell_outputs[-2]
        if cell_num in reduction_indices:
            filter_scaling *= hparams.filter_scaling_rate
            k = reduction_indices.index(cell_num)
            net = reduction_cell(
                net, scope=f"reduction_cell_{k}",
                filter_scaling=filter_scaling, stride=2,
                prev_layer=cell_outputs[-2], cell_num=true_cell_num,
                current_step=current_step)
            if add(f"Reduction_Cell_{k}", net):
                return net, end_points
            true_cell_num += 1
            cell_outputs.append(net)
        if not hparams.skip_reduction_layer_input:
            prev_layer = cell_outputs[-2]
        net = normal_cell(net, scope=f"cell_{cell_num}",
                          filter_scaling=filter_scaling, stride=1,
                          prev_layer=prev_layer, cell_num=true_cell_num,
                          current_step=current_step)
        if add(f"Cell_{cell_num}", net):
            return net, end_points
        true_cell_num += 1
        if cell_num in aux_idx and builds_aux_head(
                hparams, num_classes, is_training):
            build_aux_head(act(net), end_points, num_classes, hparams,
                           scope=f"aux_{cell_num}")
        cell_outputs.append(net)
    return final_layer(net, end_points, num_classes, hparams, add)


def check_images(images, hparams, final_endpoint, valid, what):
    if len(images.shape) != 4:
        raise ValueError(
            f"{what}: expected rank 4 images [B, H, W, C]. Received shape "
            f"{tuple(images.shape)}."
        )
    if final_endpoint and final_endpoint not in valid:
        raise ValueError(
            f"{what}: unknown final_endpoint {final_endpoint!r}. Valid: "
            f"{', '.join(valid)}."
        )
    if is_nchw(hparams):
        images = ops.transpose(images, [0, 3, 1, 2])
    return images


def is_nchw(hparams) -> bool:
    return hparams.data_format == "NCHW"


def training_scope(is_training, data_format):
    """Pins batch norm / dropout (when ``is_training`` is not None) and sets
    the data format of every conv / pool / batch norm."""
    stack = contextlib.ExitStack()
    if is_training is not None:
        stack.enter_context(scopes.arg_scope(
            [batch_norm, dropout], is_training=is_training))
    stack.enter_context(scopes.arg_scope(
        [avg_pool2d, max_pool2d, conv2d, batch_norm, separable_conv2d],
        data_format=data_format))
    return stack


def nasnet_endpoints(hparams, stem_type) -> list[str]:
    """Every end point name the net can stop at, in build order."""
    names = ["Stem"]
    red = nu.calc_reduction_layers(hparams.num_cells,
                                   hparams.num_reduction_layers)
    for c in range(hparams.num_cells):
        if c in red:
            names.append(f"Reduction_Cell_{red.index(c)}")
        names.append(f"Cell_{c}")
    return names + ["global_pool", "Logits", "Predictions"]


def _build(images, num_classes, is_training, final_endpoint, config,
           current_step, default, stem_type, what):
    hparams = update_hparams(nu.HParams.from_any(config, default),
                             is_training)
    images = check_images(images, hparams, final_endpoint,
                          nasnet_endpoints(hparams, stem_type), what)
    total = hparams.num_cells + 2 + (2 if stem_type == "imagenet" else 0)
    cell_kw = {"is_training": is_training,
               "data_format": hparams.data_format}
    normal = nu.NasNetANormalCell(
        hparams.num_conv_filters, hparams.drop_path_keep_prob, total,
        hparams.total_training_steps, hparams.use_bounded_activation,
        **cell_kw)
    reduction = nu.NasNetAReductionCell(
        hparams.num_conv_filters, hparams.drop_path_keep_prob, total,
        hparams.total_training_steps, hparams.use_bounded_activation,
        **cell_kw)
    with training_scope(is_training, hparams.data_format):
        return _build_nasnet_base(
            images, normal, reduction, num_classes, hparams, is_training,
            stem_type, final_endpoint, current_step)


def head_scopes(config, stem_type="imagenet") -> tuple[str, ...]:
    """Classifier scopes (to exclude when fine-tuning): ``final_layer/FC``
    and the aux head's ``aux_<k>/aux_logits/FC``."""
    red = nu.calc_reduction_layers(config.num_cells,
                                   config.num_reduction_layers)
    out = ("final_layer/FC",)
    if len(red) >= 2 and config.use_aux_head:
        out += (f"aux_{red[1] - 1}/aux_logits/FC",)
    return out


default_cfgs = {
    "nasnet_cifar": registry.net_cfg(
        arg_scope=nasnet_cifar_arg_scope, default_image_size=32,
        num_classes=10, logits_scopes=head_scopes(cifar_config()),
        preprocessing="cifarnet"),
    "nasnet_mobile": registry.net_cfg(
        arg_scope=nasnet_mobile_arg_scope, default_image_size=224,
        num_classes=1001, logits_scopes=head_scopes(mobile_imagenet_config()),
        preprocessing="inception"),
    "nasnet_large": registry.net_cfg(
        arg_scope=nasnet_large_arg_scope, default_image_size=331,
        num_classes=1001, logits_scopes=head_scopes(large_imagenet_config()),
        preprocessing="inception"),
}


@registry.register_net(name="nasnet_cifar")
def build_nasnet_cifar(images, num_classes: int | None = 10,
                       is_training: bool | None = None, config=None,
                       current_step=None, final_endpoint: str | None = None):
    """NASNet-A for CIFAR; returns ``(logits, end_points)``.

    Args:
        images: ``[B, 32, 32, 3]`` (NHWC; ``config.data_format='NCHW'``
            transposes and runs channels-first).
        num_classes: logits size; 0/None stops at ``global_pool``.
        is_training: None follows Keras's ``training``; True/False pins
            batch norm, dropout and drop-path (False also disables
            drop-path and the aux head, as the original).
        config: :func:`cifar_config` (default), an HParams or overrides.
        current_step: accepted for compatibility; drop-path counts its
            own training steps.
        final_endpoint: stop after this end point (an extension here:
            the original's CIFAR builder has no such argument).
    """
    return _build(images, num_classes, is_training, final_endpoint, config,
                  current_step, cifar_config(), "cifar",
                  "build_nasnet_cifar")


@registry.register_net(name="nasnet_mobile")
def build_nasnet_mobile(images, num_classes: int | None = 1001,
                        is_training: bool | None = None,
                        final_endpoint: str | None = None, config=None,
                        current_step=None):
    """NASNet-A Mobile (224); arguments as :func:`build_nasnet_cifar`,
    default config :func:`mobile_imagenet_config`."""
    return _build(images, num_classes, is_training, final_endpoint, config,
                  current_step, mobile_imagenet_config(), "imagenet",
                  "build_nasnet_mobile")


@registry.register_net(name="nasnet_large")
def build_nasnet_large(images, num_classes: int | None = 1001,
                       is_training: bool | None = None,
                       final_endpoint: str | None = None, config=None,
                       current_step=None):
    """NASNet-A Large (331); arguments as :func:`build_nasnet_cifar`,
    default config :func:`large_imagenet_config`."""
    return _build(images, num_classes, is_training, final_endpoint, config,
                  current_step, large_imagenet_config(), "imagenet",
                  "build_nasnet_large")

