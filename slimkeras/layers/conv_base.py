"""The base of slim's linear layers: the conv family and fully_connected.

The anatomy follows Keras's ``BaseConv``: arguments are standardized at
construction, ``build`` creates the weights from :meth:`kernel_shape`
(or :meth:`build_kernels` for layers with more than one kernel) and
``call`` runs :meth:`linear_op` on a channels-last view of the inputs, then
slim's tail (normalizer or biases, then activation; see ``post.py``).

:class:`LinearBase` is that skeleton with no spatial arguments
(``fully_connected``); :class:`ConvBase` adds ``kernel_size``/``stride``/
``rate``/``padding``/``data_format`` and the SAME/VALID output sizes.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from slimkeras import initializers as initializers_lib
from slimkeras import regularizers as regularizers_lib
from slimkeras.activations import relu
from slimkeras.layers import base, conv_utils, validation
from slimkeras.layers.post import NormActMixin

# slim's default weights initializer, Xavier (Glorot uniform), written as a
# name: each layer gets its own initializer object. One shared unseeded
# Keras initializer would draw the same values for every layer.
XAVIER = "glorot_uniform"


class LinearBase(NormActMixin, base.SlimLayer):
    """A linear op with slim's weights, normalizer, biases and activation.

    Subclasses give :meth:`kernel_shape` and :meth:`linear_op` (and, when
    the output depth is not ``num_outputs``, :meth:`output_channels`).
    The constructor's arguments are those of slim's ``fully_connected``.
    """

    channels_first = False
    # Whether num_outputs=None is allowed (separable/in-plane convs).
    NUM_OUTPUTS_OPTIONAL = False

    def __init__(
        self,
        num_outputs: int,
        activation_fn: Any = relu,
        normalizer_fn: Any = None,
        normalizer_params: dict | None = None,
        weights_initializer: Any = XAVIER,
        weights_regularizer: Any = None,
        biases_initializer: Any = "zeros",
        biases_regularizer: Any = None,
        trainable: bool = True,
        scope: str | None = None,
        **kwargs,
    ):
        super().__init__(scope=scope, trainable=trainable, **kwargs)
        validation.check_positive_int(
            num_outputs, "num_outputs", self.OP_NAME,
            allow_none=self.NUM_OUTPUTS_OPTIONAL)
        self.num_outputs = num_outputs
        # An explicit None is TF1's get_variable default: Glorot uniform.
        self.weights_initializer = initializers_lib.get(
            XAVIER if weights_initializer is None else weights_initializer)
        self.weights_regularizer = regularizers_lib.get(weights_regularizer)
        self._setup_post(
            activation_fn, normalizer_fn, normalizer_params,
            biases_initializer, biases_regularizer,
        )

    # -- what subclasses define -------------------------------------------
    def kernel_shape(self, channels: int) -> tuple[int, ...]:
        """The shape of ``weights`` for inputs with ``channels`` channels."""
        raise NotImplementedError

    def linear_op(self, x):
        """The linear op on channels-last ``x`` with the built kernel(s)."""
        raise NotImplementedError

    def output_channels(self, channels):
        """The output depth for ``channels`` input channels (may be None)."""
        return self.num_outputs

    def check_input_shape(self, input_shape) -> None:
        """Raises ValueError for inputs of the wrong rank."""

    # -- the skeleton -------------------------------------------------------
    def build_kernels(self, channels: int) -> None:
        self.add_slim_weight(
            "kernel", "weights", self.kernel_shape(channels),
            self.weights_initializer, self.weights_regularizer,
        )

    def build(self, input_shape):
        self.check_input_shape(input_shape)
        channels = conv_utils.channels_dim(input_shape, self.channels_first)
        if channels is None:
            raise ValueError(
                f"{self.OP_NAME} {self.full_scope!r}: the channels dimension "
                "of the inputs must be known. Received input shape "
                f"{tuple(input_shape)}."
            )
        self.build_kernels(int(channels))
        self._post_build_biases(self.output_channels(int(channels)))
        self._build_post(self.compute_output_shape(input_shape))

    def call(self, inputs, training=None):
        x = conv_utils.in_channels_last(
            self.linear_op, inputs, self.channels_first)
        return self._apply_post(x, training, 1 if self.channels_first else -1)

    def _rank_error(self, expected: str, input_shape) -> ValueError:
        return ValueError(
            f"{self.OP_NAME} {self.full_scope!r}: expected inputs of rank "
            f"{expected}. Received input shape {tuple(input_shape)}."
        )

    def get_config(self):
        config = super().get_config()
        config.update({
            "weights_initializer": initializers_lib.serialize(
                self.weights_initializer),
            "weights_regularizer": regularizers_lib.serialize(
                self.weights_regularizer),
        })
        config.update(self._post_config())
        return config


class ConvSpec(NamedTuple):
    """Standardized spatial arguments for N spatial dimensions."""

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    rate: tuple[int, ...]
    data_format: str


class ConvBase(LinearBase):
    """An N-D convolution-like layer (N = 1, 2, 3) with slim's arguments.

    The constructor's arguments are those of slim's ``convolution``; N is
    ``conv_dims``, the class's ``CONV_DIMS`` or, when both are None, the
    input rank minus 2 (fixed at build). Subclasses name the config keys
    their constructor takes in ``CONFIG_ARGS``.
    """

    CONV_DIMS: int | None = None
    CONFIG_ARGS: tuple[str, ...] = (
        "num_outputs", "kernel_size", "stride", "padding", "data_format",
        "rate",
    )

    def __init__(
        self,
        num_outputs: int,
        kernel_size,
        stride=1,
        padding: Literal["SAME", "VALID"] = "SAME",
        data_format: str | None = None,
        rate=1,
        activation_fn: Any = relu,
        normalizer_fn: Any = None,
        normalizer_params: dict | None = None,
        weights_initializer: Any = XAVIER,
        weights_regularizer: Any = None,
        biases_initializer: Any = "zeros",
        biases_regularizer: Any = None,
        trainable: bool = True,
        scope: str | None = None,
        conv_dims: int | None = None,
        **kwargs,
    ):
        super().__init__(
            num_outputs, activation_fn, normalizer_fn, normalizer_params,
            weights_initializer, weights_regularizer, biases_initializer,
            biases_regularizer, trainable=trainable, scope=scope, **kwargs)
        conv_dims = conv_dims or self.CONV_DIMS
        if conv_dims is not None and conv_dims not in validation.FORMATS:
            raise ValueError(
                "`conv_dims` must be 1, 2 or 3. "
                f"Received: conv_dims={conv_dims!r}."
            )
        self.conv_dims = conv_dims
        self._kernel_arg, self._stride_arg = kernel_size, stride
        self._rate_arg = rate
        self.padding = validation.standardize_padding(padding)
        self.data_format = data_format
        if conv_dims is not None:
            self._set_spec(self._standardize(conv_dims))

    def _standardize(self, n: int) -> ConvSpec:
        """The spatial arguments for ``n`` dimensions (changes nothing)."""
        spec = ConvSpec(
            validation.positive_tuple(self._kernel_arg, n, "kernel_size"),
            validation.positive_tuple(self._stride_arg, n, "stride"),
            validation.positive_tuple(self._rate_arg, n, "rate"),
            validation.standardize_data_format(
                self.data_format, validation.FORMATS[n]),
        )
        validation.check_rate_or_stride(
            self._stride_arg, self._rate_arg, self.OP_NAME)
        return spec

    def _set_spec(self, spec: ConvSpec) -> None:
        self._spec = spec
        self.kernel_size, self.stride, self.rate = spec[:3]
        self.data_format = spec.data_format
        self.channels_first = spec.data_format.startswith("NC")

    def _spec_for(self, input_shape) -> ConvSpec:
        if self.conv_dims is not None:
            return self._spec
        if len(input_shape) - 2 not in validation.FORMATS:
            raise self._rank_error("3, 4 or 5", input_shape)
        return self._standardize(len(input_shape) - 2)

    def check_input_shape(self, input_shape) -> None:
        rank = len(input_shape)
        if self.conv_dims is None:
            if rank - 2 not in validation.FORMATS:
                raise ValueError(
                    f"{type(self).__name__} {self.full_scope!r}: inputs must "
                    "have rank 3, 4 or 5 (batch, spatial…, channels). "
                    f"Received input shape {tuple(input_shape)}."
                )
            self.conv_dims = rank - 2
            self._set_spec(self._standardize(self.conv_dims))
        if rank != self.conv_dims + 2:
            raise self._rank_error(str(self.conv_dims + 2), input_shape)

    def output_length(self, size, kernel: int, stride: int, rate: int):
        """The output size along one spatial dimension."""
        return conv_utils.conv_output_length(
            size, kernel, stride, self.padding, rate)

    def compute_output_shape(self, input_shape):
        spec = self._spec_for(input_shape)
        if len(input_shape) != len(spec.kernel_size) + 2:
            raise self._rank_error(str(len(spec.kernel_size) + 2),
                                   input_shape)
        first = spec.data_format.startswith("NC")
        spatial = [
            self.output_length(size, k, s, r) for size, k, s, r in zip(
                conv_utils.spatial_dims(input_shape, first),
                spec.kernel_size, spec.stride, spec.rate, strict=True)
        ]
        channels = self.output_channels(
            conv_utils.channels_dim(input_shape, first))
        return conv_utils.output_shape(input_shape, spatial, channels, first)

    def get_config(self):
        config = super().get_config()
        values = {
            "num_outputs": self.num_outputs,
            "kernel_size": validation.as_config(self._kernel_arg),
            "stride": validation.as_config(self._stride_arg),
            "padding": self.padding,
            "data_format": self.data_format,
            "rate": validation.as_config(self._rate_arg),
            "conv_dims": self.conv_dims,
        }
        config.update({k: values[k] for k in self.CONFIG_ARGS})
        return config
