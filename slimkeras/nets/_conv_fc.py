"""Nets whose fully connected layers are convolutions (VGG, AlexNet v2,
OverFeat): the fc8 classifier tail they share, and the skeleton AlexNet
and OverFeat share (slim wrote it twice; they differ in the conv stack
and fc6 only).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from keras import ops

from slimkeras import initializers, naming, regularizers, utils
from slimkeras.activations import relu
from slimkeras.layers import conv2d, dropout, fully_connected, max_pool2d
from slimkeras.nets._common import validate_num_classes
from slimkeras.scopes import arg_scope

__all__ = ["collecting_scope", "conv_classifier_head", "conv_fc_arg_scope",
           "conv_fc_net", "NET_DOC"]

NET_DOC = """{title}

    Args:
        inputs: ``[batch, height, width, 3]`` images ({size}x{size} to
            classify).
        num_classes: number of classes; 0 or None omits fc8 (and dropout7)
            and returns the fc7 features (after ``global_pool``).
        is_training: None follows Keras's ``training`` flag; True/False
            pins dropout on/off.
        dropout_keep_prob: keep probability of dropout6/dropout7.
        spatial_squeeze: squeeze the 1x1 spatial dims of the logits.
        scope: the net's variable scope.
        global_pool: average fc7 to 1x1 for any input size.

    Returns:
        ``(net, end_points)``: logits (or features) and an ordered dict of
        end points keyed by full scope path.
    """


@contextlib.contextmanager
def collecting_scope(scope: str | None, name: str
                     ) -> Iterator[tuple[str, str]]:
    """The net's variable scope (default ``name``) with the outputs of every
    ``conv2d``/``fully_connected``/``max_pool2d`` collected as end points;
    yields ``(scope path, collection name)``."""
    with naming.collect_outputs(), naming.variable_scope(
        scope, default_name=name
    ) as sc:
        collection = sc + "_end_points"
        with arg_scope([conv2d, fully_connected, max_pool2d],
                       outputs_collections=collection):
            yield sc, collection


def conv_classifier_head(net, end_points: dict, scope_name: str,
                         num_classes, is_training, dropout_keep_prob: float,
                         spatial_squeeze: bool, global_pool: bool,
                         **fc8_kwargs):
    """The shared tail of VGG/AlexNet/OverFeat after fc7.

    ``global_pool`` averages to 1x1 (end point ``global_pool``); with
    classes, dropout7 + a linear 1x1 ``fc8`` whose (squeezed) output is
    stored as ``end_points['<scope>/fc8']``, as research/slim does.
    """
    if global_pool:
        net = ops.mean(net, axis=[1, 2], keepdims=True)
        end_points["global_pool"] = net
    if num_classes:
        net = dropout(net, dropout_keep_prob, is_training=is_training,
                      scope="dropout7")
        net = conv2d(net, num_classes, [1, 1], activation_fn=None,
                     normalizer_fn=None, scope="fc8", **fc8_kwargs)
        if spatial_squeeze:
            net = ops.squeeze(net, axis=[1, 2])  # slim: 'fc8/squeezed'
        end_points[scope_name + "/fc8"] = net
    return net, end_points


def conv_fc_arg_scope(weight_decay: float, biases_initializer) -> dict:
    """AlexNet's and OverFeat's defaults: relu, L2 ``weight_decay``,
    ``biases_initializer``, SAME convs, VALID pools."""
    with arg_scope(
        [conv2d, fully_connected],
        activation_fn=relu,
        biases_initializer=biases_initializer,
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
    ):
        with arg_scope([conv2d], padding="SAME"):
            with arg_scope([max_pool2d], padding="VALID") as sc:
                return sc


def conv_fc_net(name: str, inputs, features: Callable, fc6_depth: int,
                fc6_kernel: list, num_classes, is_training,
                dropout_keep_prob: float, spatial_squeeze: bool, scope: str,
                global_pool: bool):
    """The AlexNet/OverFeat skeleton: ``features(inputs)`` (the conv
    stack), then fc6 (``fc6_kernel`` VALID), dropout6 and fc7 as
    convolutions with truncated-normal(0.005) weights and 0.1 biases, then
    :func:`conv_classifier_head` with zero fc8 biases."""
    validate_num_classes(num_classes)
    with collecting_scope(scope, name) as (sc, collection):
        net = features(inputs)
        with arg_scope(
            [conv2d],
            weights_initializer=initializers.truncated_normal_initializer(
                0.0, 0.005),
            biases_initializer=initializers.constant_initializer(0.1),
        ):
            net = conv2d(net, fc6_depth, fc6_kernel, padding="VALID",
                         scope="fc6")
            net = dropout(net, dropout_keep_prob, is_training=is_training,
                          scope="dropout6")
            net = conv2d(net, 4096, [1, 1], scope="fc7")
            end_points = utils.convert_collection_to_dict(collection)
            return conv_classifier_head(
                net, end_points, sc, num_classes, is_training,
                dropout_keep_prob, spatial_squeeze, global_pool,
                biases_initializer=initializers.zeros_initializer())
