"""images_to_sequence / sequence_to_images vs the original tf-slim.

Pure reshapes and transposes: outputs must be exactly equal.
"""

import keras
import numpy as np
import pytest

import slimkeras as slim
from tests.helpers import check_all_round_trips, rand
from tests.oracle import import_tf_slim, run_slim


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3, 4, 5), {}),
    ((2, 5, 3, 4), {"data_format": "NCHW"}),
    ((1, 1, 6, 2), {}),
])
def test_images_to_sequence_parity(shape, kwargs):
    tf_slim = import_tf_slim()
    x = rand(*shape)
    ref, _ = run_slim(lambda t: tf_slim.images_to_sequence(t, **kwargs), x)
    with slim.name_registry():
        ours = slim.images_to_sequence(x, **kwargs)
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("shape,height,kwargs", [
    ((4, 6, 5), 3, {}),
    ((4, 6, 5), 2, {"output_data_format": "channels_first"}),
    ((1, 2, 3), 1, {}),
])
def test_sequence_to_images_parity(shape, height, kwargs):
    tf_slim = import_tf_slim()
    x = rand(*shape)
    ref, _ = run_slim(
        lambda t: tf_slim.sequence_to_images(t, height, **kwargs), x)
    with slim.name_registry():
        ours = slim.sequence_to_images(x, height, **kwargs)
    np.testing.assert_array_equal(ours, ref)


def test_inverse_and_symbolic_shapes():
    x = rand(2, 3, 4, 5)
    with slim.name_registry():
        inp = keras.Input((3, 4, 5))
        seq = slim.images_to_sequence(inp)
        assert tuple(seq.shape) == (4, None, 5)
        back = slim.sequence_to_images(seq, 3)
        assert tuple(back.shape) == (None, 3, 4, 5)
        model = keras.Model(inp, back)
    np.testing.assert_array_equal(model(x), x)


@pytest.mark.parametrize("cls,args,kwargs,shape", [
    ("ImagesToSequence", (), {}, (2, 3, 4, 5)),
    ("ImagesToSequence", (), {"data_format": "NCHW"}, (2, 3, 4, 5)),
    ("SequenceToImages", (3,), {}, (4, 6, 5)),
    ("SequenceToImages", (2,), {"output_data_format": "channels_first"},
     (4, 6, 5)),
])
def test_round_trips(tmp_path, cls, args, kwargs, shape):
    with slim.name_registry():
        layer = getattr(slim.layers, cls)(*args, scope="blk/seq", **kwargs)
    check_all_round_trips(layer, rand(*shape), tmp_path)


@pytest.mark.parametrize("cls,args,shape,match", [
    ("ImagesToSequence", (), (2, 3, 4), "rank 4"),
    ("SequenceToImages", (4,), (4, 6, 5), "height=4"),
    ("SequenceToImages", (2,), (4, 6), "rank 3"),
])
def test_bad_inputs(cls, args, shape, match):
    with slim.name_registry():
        layer = getattr(slim.layers, cls)(*args)
    with pytest.raises(ValueError, match=match):
        layer(rand(*shape))


@pytest.mark.parametrize("cls,args,kwargs,match", [
    ("ImagesToSequence", (), {"data_format": "NWC"}, "data_format='NWC'"),
    ("SequenceToImages", (0,), {}, "height=0"),
    ("SequenceToImages", (2,), {"output_data_format": "NHWC"},
     "output_data_format='NHWC'"),
])
def test_bad_arguments(cls, args, kwargs, match):
    with slim.name_registry(), pytest.raises(ValueError, match=match):
        getattr(slim.layers, cls)(*args, **kwargs)
