"""NASNet / PNASNet cell machinery: hparams, factorized reduction, cells.

Slim counterpart: research/slim ``nets/nasnet/nasnet_utils.py`` (our own
code; names and arithmetic are matched). A cell is a plain builder that
calls slim layer functions under ``<scope>/...``: ``1x1`` +
``beginning_bn`` on relu(input), the previous layer matched first
(``path1_conv``/``path2_conv``/``final_path_bn`` or ``prev_1x1`` +
``prev_bn``), five ``comb_iter_<j>/{left,right}`` operations added, and
the unused hidden states concatenated (``cell_output/reduction_<i>``).
Batch norms are separate layers with their own scopes; no conv has biases
or an activation (the nets' arg_scopes set ``activation_fn=None,
biases_initializer=None``): relu is applied *before* each conv.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
from keras import ops

from slimkeras import naming
from slimkeras.layers import base
from slimkeras.layers.batch_norm import batch_norm
from slimkeras.layers.conv import conv2d
from slimkeras.layers.pooling import avg_pool2d, max_pool2d
from slimkeras.layers.separable_conv import separable_conv2d

__all__ = [
    "DropPath",
    "HParams",
    "NasNetABaseCell",
    "NasNetANormalCell",
    "NasNetAReductionCell",
    "calc_reduction_layers",
    "channel_axis",
    "factorized_reduction",
    "global_avg_pool",
]

# research/slim's bound for the clipped (use_bounded_activation) variant.
CLIP_BY_VALUE_CAP = 6.0


@dataclasses.dataclass
class HParams:
    """Stand-in for ``tf.contrib.training.HParams`` of the NASNet configs.

    Every field research/slim's ``cifar_config()`` /
    ``mobile_imagenet_config()`` / ``large_imagenet_config()`` set.
    ``replace(**kw)`` returns a modified copy; ``set_hparam`` /
    ``override_from_dict`` change it in place (as HParams), rejecting
    unknown names.
    """

    stem_multiplier: float
    drop_path_keep_prob: float
    num_cells: int
    use_aux_head: int
    num_conv_filters: int
    dense_dropout_keep_prob: float
    filter_scaling_rate: float
    num_reduction_layers: int
    data_format: str
    skip_reduction_layer_input: int
    total_training_steps: int
    use_bounded_activation: bool = False

    def __post_init__(self):
        if self.data_format not in ("NHWC", "NCHW"):
            raise ValueError(
                "nasnet config: `data_format` must be 'NHWC' or 'NCHW'. "
                f"Received: data_format={self.data_format!r}."
            )
        for name in ("num_cells", "num_conv_filters",
                     "num_reduction_layers", "total_training_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or (
                    value < 0):
                raise ValueError(
                    f"nasnet config: `{name}` must be a non-negative int. "
                    f"Received: {name}={value!r}."
                )
        for name in ("drop_path_keep_prob", "dense_dropout_keep_prob"):
            value = getattr(self, name)
            if not 0.0 < float(value) <= 1.0:
                raise ValueError(
                    f"nasnet config: `{name}` must be in (0, 1]. "
                    f"Received: {name}={value!r}."
                )

    def replace(self, **overrides: Any) -> HParams:
        return dataclasses.replace(self, **self._checked(overrides))

    def set_hparam(self, name: str, value: Any) -> None:
        self.override_from_dict({name: value})

    def override_from_dict(self, values: dict) -> HParams:
        new = self.replace(**values)
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(new, f.name))
        return self

    def values(self) -> dict:
        return dataclasses.asdict(self)

    def _checked(self, overrides: dict) -> dict:
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValueError(
                f"nasnet config: unknown hparam(s) {unknown}. Valid: "
                f"{sorted(names)}."
            )
        return overrides

    @classmethod
    def from_any(cls, config: Any, default: HParams) -> HParams:
        """``None`` -> ``default``; an HParams / dict / object with the
        fields (e.g. an original ``HParams``) -> a copy."""
        if config is None:
            return dataclasses.replace(default)
        if isinstance(config, cls):
            return dataclasses.replace(config)
        if isinstance(config, dict):
            return default.replace(**config)
        if hasattr(config, "values") and callable(config.values):
            return default.replace(**dict(config.values()))
        raise TypeError(
            "nasnet: `config` must be None, an HParams, or a dict of "
            f"hparams. Received: {config!r}."
        )


def calc_reduction_layers(num_cells: int, num_reduction_layers: int):
    """Cells before which a reduction sits: ``int(k / (n + 1) * cells)``."""
    return [int(float(k) / (num_reduction_layers + 1) * num_cells)
            for k in range(1, num_reduction_layers + 1)]


def channel_axis(data_format: str) -> int:
    return 3 if data_format == "NHWC" else 1


def channel_dim(net, data_format: str) -> int:
    return int(net.shape[channel_axis(data_format)])


def spatial_dim(net) -> int:
    # research/slim compares ``shape[2]`` in both layouts.
    return int(net.shape[2])


def global_avg_pool(net, data_format: str = "NHWC"):
    """Mean over H and W: ``[B, C]``."""
    axes = [1, 2] if data_format == "NHWC" else [2, 3]
    return ops.mean(net, axis=axes)


def activation(bounded: bool):
    return ops.relu6 if bounded else ops.relu


def factorized_reduction(net, output_filters: int, stride: int,
                         data_format: str = "NHWC"):
    """Halves H, W without losing pixels (two 1x1 paths, odd offset).

    Stride 1: ``path_conv`` + ``path_bn``. Stride 2: path 1 samples the
    even pixels, path 2 pads one zero row/column at the bottom/right,
    crops the first and samples again (the odd pixels); 1x1 convs with
    ``F // 2`` and ``F - F // 2`` filters, concat, ``final_path_bn``.
    """
    if stride == 1:
        net = conv2d(net, output_filters, 1, scope="path_conv")
        return batch_norm(net, scope="path_bn")
    # avg_pool 1x1 stride s VALID == strided sampling; the pooling layer
    # keeps the graph as the original's.
    path1 = avg_pool2d(net, [1, 1], stride=stride, padding="VALID")
    path1 = conv2d(path1, output_filters // 2, 1, scope="path1_conv")
    if data_format == "NHWC":
        path2 = ops.pad(net, [[0, 0], [0, 1], [0, 1], [0, 0]])
        path2 = path2[:, 1:, 1:, :]
    else:
        path2 = ops.pad(net, [[0, 0], [0, 0], [0, 1], [0, 1]])
        path2 = path2[:, :, 1:, 1:]
    path2 = avg_pool2d(path2, [1, 1], stride=stride, padding="VALID")
    path2 = conv2d(path2, output_filters - output_filters // 2, 1,
                   scope="path2_conv")
    net = ops.concatenate([path1, path2], axis=channel_axis(data_format))
    return batch_norm(net, scope="final_path_bn")


class _Holder:
    """Keeps a variable out of Keras tracking (not a model weight, not in
    checkpoints): the drop-path step counter."""

    def __init__(self, var):
        self.var = var


@keras.saving.register_keras_serializable(package="slimkeras")
class DropPath(base.SlimLayer):
    """research/slim's scheduled drop-path on one cell branch.

    Drops whole examples: ``x / p * floor(p + U[0, 1))`` with one draw per
    example. ``drop_connect_version='v3'`` (research/slim's default)
    scales the drop rate by the layer (``layer_ratio = (cell_num + 1) /
    total_num_cells``) and by training progress (``min(1, step /
    total_training_steps)``): ``p = 1 - ratio * (1 - keep_prob)``.

    Args:
        keep_prob: the config's ``drop_path_keep_prob``.
        layer_ratio: ``(cell_num + 1) / total_num_cells``.
        total_training_steps: burn-in steps of the schedule.
        drop_connect_version: ``'v1'`` (progress), ``'v2'`` (layer) or
            ``'v3'`` (both).
        is_training: None follows Keras's ``training``; True/False pins.
        seed: random seed.

    Slim compatibility: the original reads the global step; here each
    layer counts its own training calls (one per train step) in an
    untracked counter that is not a weight and not saved (a reloaded
    model restarts the schedule at 0). No variables.
    """

    DEFAULT_SCOPE = "drop_path"

    def __init__(self, keep_prob: float, layer_ratio: float = 1.0,
                 total_training_steps: int = 1,
                 drop_connect_version: str = "v3",
                 is_training: bool | None = None, seed: int | None = None,
                 scope: str | None = None, full_scope: str | None = None,
                 **kwargs):
        super().__init__(scope=scope, full_scope=full_scope, **kwargs)
        if drop_connect_version not in ("v1", "v2", "v3"):
            raise ValueError(
                "drop_path: `drop_connect_version` must be 'v1', 'v2' or "
                f"'v3'. Received: {drop_connect_version!r}."
            )
        if not 0.0 < float(keep_prob) <= 1.0:
            raise ValueError(
                "drop_path: `keep_prob` must be in (0, 1]. Received: "
                f"keep_prob={keep_prob!r}."
            )
        self.keep_prob = float(keep_prob)
        self.layer_ratio = float(layer_ratio)
        self.total_training_steps = int(total_training_steps)
        self.drop_connect_version = drop_connect_version
        self.is_training = is_training
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._step = None

    def build(self, input_shape):
        # A callable initializer: creation is deferred inside a
        # StatelessScope (symbolic builds without allocation).
        self._step = _Holder(keras.Variable(
            keras.initializers.Zeros(), shape=(), trainable=False,
            dtype="float32", name="drop_path_step"))

    def call(self, inputs, training=None):
        train = self.is_training if self.is_training is not None else bool(
            training)
        if not train or self.keep_prob >= 1.0:
            return inputs
        keep = 1.0 - self.keep_prob
        if self.drop_connect_version in ("v2", "v3"):
            keep = keep * self.layer_ratio
        if self.drop_connect_version in ("v1", "v3"):
            step = self._step.var
            ratio = ops.minimum(
                1.0, step / float(max(self.total_training_steps, 1)))
            step.assign(step + 1.0)
            keep = keep * ratio
        keep = 1.0 - keep
        shape = (ops.shape(inputs)[0],) + (1,) * (len(inputs.shape) - 1)
        noise = keras.random.uniform(shape, seed=self.seed_generator)
        mask = ops.floor(keep + noise)
        return inputs * ops.cast(1.0 / keep, inputs.dtype) * ops.cast(
            mask, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "keep_prob": self.keep_prob,
            "layer_ratio": self.layer_ratio,
            "total_training_steps": self.total_training_steps,
            "drop_connect_version": self.drop_connect_version,
            "is_training": self.is_training,
            "seed": self.seed,
        })
        return config


def _op_kernel(operation: str) -> int:
    # 'separable_3x3_2' -> 3, 'avg_pool_3x3' -> 3
    shape = next(p for p in operation.split("_")
                 if "x" in p and p.replace("x", "").isdigit())
    h, w = shape.split("x")
    if h != w:
        raise ValueError(f"nasnet: rectangular op {operation!r}.")
    return int(h)


def _op_layers(operation: str) -> int:
    last = operation.split("_")[-1]
    return int(last) if last.isdigit() else 1


class NasNetABaseCell:
    """One NASNet-style cell (a builder: call it on tensors).

    Args:
        num_conv_filters: base width; the cell uses ``int(num_conv_filters
            * filter_scaling)``.
        operations: 10 ops (``separable_<k>x<k>_<n>``, ``avg_pool_3x3``,
            ``max_pool_3x3``, ``none``), left/right per combination.
        used_hiddenstates: 7 flags; states with 0 are concatenated.
        hiddenstate_indices: 10 indices of the combined states.
        drop_path_keep_prob, total_num_cells, total_training_steps:
            drop-path schedule.
        use_bounded_activation: relu6 and clipping to [-6, 6].
        is_training: passed to the drop-path layers.
        data_format: ``'NHWC'`` or ``'NCHW'``.
    """

    def __init__(self, num_conv_filters, operations, used_hiddenstates,
                 hiddenstate_indices, drop_path_keep_prob, total_num_cells,
                 total_training_steps, use_bounded_activation=False,
                 is_training=None, data_format="NHWC"):
        self._num_conv_filters = num_conv_filters
        self._operations = list(operations)
        self._used_hiddenstates = list(used_hiddenstates)
        self._hiddenstate_indices = list(hiddenstate_indices)
        self._drop_path_keep_prob = float(drop_path_keep_prob)
        self._total_num_cells = total_num_cells
        self._total_training_steps = total_training_steps
        self._bounded = bool(use_bounded_activation)
        self._act = activation(self._bounded)
        self._is_training = is_training
        self._data_format = data_format

    def _clip(self, net):
        if self._bounded:
            net = ops.clip(net, -CLIP_BY_VALUE_CAP, CLIP_BY_VALUE_CAP)
        return net

    def _reduce_prev_layer(self, prev_layer, curr_layer):
        if prev_layer is None:
            return curr_layer
        fmt = self._data_format
        if spatial_dim(curr_layer) != spatial_dim(prev_layer):
            prev_layer = self._act(prev_layer)
            prev_layer = factorized_reduction(
                prev_layer, self._filter_size, 2, fmt)
        elif self._filter_size != channel_dim(prev_layer, fmt):
            prev_layer = self._act(prev_layer)
            prev_layer = conv2d(prev_layer, self._filter_size, 1,
                                scope="prev_1x1")
            prev_layer = batch_norm(prev_layer, scope="prev_bn")
        return prev_layer

    def _cell_base(self, net, prev_layer):
        prev_layer = self._reduce_prev_layer(prev_layer, net)
        net = self._act(net)
        net = conv2d(net, self._filter_size, 1, scope="1x1")
        net = batch_norm(net, scope="beginning_bn")
        return [net, prev_layer]

    def __call__(self, net, scope=None, filter_scaling=1, stride=1,
                 prev_layer=None, cell_num=-1, current_step=None):
        del current_step  # the drop-path layers count their own steps
        self._cell_num = cell_num
        self._filter_size = int(self._num_conv_filters * filter_scaling)
        with naming.variable_scope(scope):
            states = self._cell_base(net, prev_layer)
            for it in range(5):
                with naming.variable_scope(f"comb_iter_{it}"):
                    i = 2 * it
                    left_idx = self._hiddenstate_indices[i]
                    right_idx = self._hiddenstate_indices[i + 1]
                    with naming.variable_scope("left"):
                        h1 = self._apply_op(
                            states[left_idx], self._operations[i], stride,
                            left_idx < 2)
                    with naming.variable_scope("right"):
                        h2 = self._apply_op(
                            states[right_idx], self._operations[i + 1],
                            stride, right_idx < 2)
                    h = h1 + h2
                    if self._bounded:
                        h = ops.relu6(h)
                    states.append(h)
            with naming.variable_scope("cell_output"):
                return self._combine_unused_states(states)

    def _apply_op(self, net, operation, stride, from_original_input):
        # A state made inside the cell is already reduced: never stride.
        if stride > 1 and not from_original_input:
            stride = 1
        fmt = self._data_format
        in_filters = channel_dim(net, fmt)
        size = self._filter_size
        if "separable" in operation:
            net = self._stacked_separable_conv(net, stride, operation)
            net = self._clip(net)
        elif operation == "none":
            if self._bounded:
                net = ops.relu6(net)
            if stride > 1 or in_filters != size:
                if not self._bounded:
                    net = ops.relu(net)
                net = conv2d(net, size, 1, stride=stride, scope="1x1")
                net = batch_norm(net, scope="bn_1")
                net = self._clip(net)
        elif "pool" in operation:
            if self._bounded:
                net = ops.relu6(net)
            k = _op_kernel(operation)
            kind = operation.split("_")[0]
            if kind == "avg":
                net = avg_pool2d(net, k, stride=stride, padding="SAME")
            elif kind == "max":
                net = max_pool2d(net, k, stride=stride, padding="SAME")
            else:
                raise ValueError(
                    f"nasnet: unknown pooling op {operation!r}.")
            if in_filters != size:
                net = conv2d(net, size, 1, stride=1, scope="1x1")
                net = batch_norm(net, scope="bn_1")
            net = self._clip(net)
        else:
            raise ValueError(f"nasnet: unknown operation {operation!r}.")
        if operation != "none":
            net = self._apply_drop_path(net)
        return net

    def _stacked_separable_conv(self, net, stride, operation):
        n, k = _op_layers(operation), _op_kernel(operation)
        for layer in range(1, n + 1):
            net = self._act(net)
            net = separable_conv2d(
                net, self._filter_size, k, depth_multiplier=1,
                stride=stride, scope=f"separable_{k}x{k}_{layer}")
            net = batch_norm(net, scope=f"bn_sep_{k}x{k}_{layer}")
            stride = 1
        return net

    def _apply_drop_path(self, net):
        if self._drop_path_keep_prob >= 1.0:
            return net
        if self._cell_num == -1:
            raise ValueError("nasnet: drop-path needs a cell_num.")
        ratio = (self._cell_num + 1) / float(self._total_num_cells)
        layer = DropPath(self._drop_path_keep_prob, layer_ratio=ratio,
                         total_training_steps=self._total_training_steps,
                         is_training=self._is_training)
        return layer(net)

    def _combine_unused_states(self, states):
        fmt = self._data_format
        final_size = spatial_dim(states[-1])
        final_filters = channel_dim(states[-1], fmt)
        if len(self._used_hiddenstates) != len(states):
            raise ValueError("nasnet: used_hiddenstates has the wrong size.")
        for idx, used in enumerate(self._used_hiddenstates):
            if used:
                continue
            size = spatial_dim(states[idx])
            if size != final_size or channel_dim(
                    states[idx], fmt) != final_filters:
                stride = 2 if size != final_size else 1
                with naming.variable_scope(f"reduction_{idx}"):
                    states[idx] = factorized_reduction(
                        states[idx], final_filters, stride, fmt)
        keep = [h for h, used in zip(states, self._used_hiddenstates)
                if not used]
        return ops.concatenate(keep, axis=channel_axis(fmt))


class NasNetANormalCell(NasNetABaseCell):
    """NASNet-A normal cell (arXiv:1707.07012, Fig. 4 left)."""

    def __init__(self, num_conv_filters, drop_path_keep_prob,
                 total_num_cells, total_training_steps,
                 use_bounded_activation=False, **kwargs):
        operations = ["separable_5x5_2", "separable_3x3_2",
                      "separable_5x5_2", "separable_3x3_2",
                      "avg_pool_3x3", "none",
                      "avg_pool_3x3", "avg_pool_3x3",
                      "separable_3x3_2", "none"]
        used_hiddenstates = [1, 0, 0, 0, 0, 0, 0]
        hiddenstate_indices = [0, 1, 1, 1, 0, 1, 1, 1, 0, 0]
        super().__init__(num_conv_filters, operations, used_hiddenstates,
                         hiddenstate_indices, drop_path_keep_prob,
                         total_num_cells, total_training_steps,
                         use_bounded_activation, **kwargs)


class NasNetAReductionCell(NasNetABaseCell):
    """NASNet-A reduction cell (arXiv:1707.07012, Fig. 4 right)."""

    def __init__(self, num_conv_filters, drop_path_keep_prob,
                 total_num_cells, total_training_steps,
                 use_bounded_activation=False, **kwargs):
        operations = ["separable_5x5_2", "separable_7x7_2",
                      "max_pool_3x3", "separable_7x7_2",
                      "avg_pool_3x3", "separable_5x5_2",
                      "none", "avg_pool_3x3",
                      "separable_3x3_2", "max_pool_3x3"]
        used_hiddenstates = [1, 1, 1, 0, 0, 0, 0]
        hiddenstate_indices = [0, 1, 0, 1, 0, 1, 3, 2, 2, 0]
        super().__init__(num_conv_filters, operations, used_hiddenstates,
                         hiddenstate_indices, drop_path_keep_prob,
                         total_num_cells, total_training_steps,
                         use_bounded_activation, **kwargs)
