"""SAME/VALID size arithmetic (slimkeras/layers/conv_utils.py) against
Keras's own shape functions, an independent implementation of the same
rules (the layers' oracle tests check the sizes against tf_slim too)."""

import itertools

from keras.src.backend.common import backend_utils
from keras.src.ops import operation_utils

from slimkeras.layers import conv_utils


def test_output_lengths_match_keras():
    grid = itertools.product(range(1, 10), range(1, 5), range(1, 4),
                             range(1, 3), ("SAME", "VALID"))
    checked = 0
    for size, k, s, d, padding in grid:
        if padding == "VALID" and size < (k - 1) * d + 1:
            continue  # Keras raises: the kernel does not fit
        if s > 1 and d > 1:
            continue  # slim: not both
        ref = operation_utils.compute_conv_output_shape(
            (1, size, 1), 1, (k,), strides=s, padding=padding.lower(),
            dilation_rate=d)[1]
        assert conv_utils.conv_output_length(size, k, s, padding, d) == ref
        if d == 1:
            ref_t = backend_utils.compute_conv_transpose_output_shape(
                (1, size, 1), (k, 1, 1), 1, s, padding.lower())[1]
            assert conv_utils.deconv_output_length(size, k, s, padding) == (
                ref_t), (size, k, s, padding)
        checked += 1
    assert checked > 200
    assert conv_utils.conv_output_length(None, 3, 2, "SAME") is None


def test_channels_first_helpers():
    shape = (2, 3, 5, 7)
    assert conv_utils.spatial_dims(shape, True) == (5, 7)
    assert conv_utils.channels_dim(shape, True) == 3
    assert conv_utils.output_shape(shape, (4, 4), 8, True) == (2, 8, 4, 4)
    assert conv_utils.output_shape(shape, (4, 4), 8, False) == (2, 4, 4, 8)
    assert conv_utils.channels_first_perm(4, True) == [0, 2, 3, 1]
    assert conv_utils.channels_first_perm(4, False) == [0, 3, 1, 2]
