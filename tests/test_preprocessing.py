"""slimkeras.preprocessing: research/slim's preprocessing, in tf.data.

research/slim's preprocessing is not pip-installable; the eval variants
are checked against the TF ops slim called (legacy bilinear resize,
crop offsets, ImageNet means, per-image standardisation), the training
variants for shapes, ranges and randomness.
"""

import numpy as np
import pytest
import tensorflow as tf

from slimkeras.preprocessing import get_preprocessing
from slimkeras.preprocessing import vgg_preprocessing


def _image(h, w, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (h, w, c)).astype("uint8")


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Valid names: .*vgg_16"):
        get_preprocessing("vgg_17")
    with pytest.raises(TypeError, match="is_training"):
        get_preprocessing("vgg", is_training="yes")


def test_net_names_resolve():
    for name in ["vgg_16", "alexnet_v2", "overfeat", "resnet_v1_50",
                 "inception_v3", "lenet", "cifarnet"]:
        assert callable(get_preprocessing(name))


def test_vgg_eval_matches_slim_ops():
    img = _image(40, 60)
    out = get_preprocessing("vgg")(img, 24, 24, resize_side_min=32)
    # slim: smaller side -> 32 (h 40 -> 32, w 60 -> 48), legacy bilinear
    # (align_corners=False, no half-pixel centres), central crop, means.
    resized = tf.compat.v1.image.resize_bilinear(
        img[None].astype("float32"), [32, 48], align_corners=False)[0]
    want = resized[4:28, 12:36] - np.array(vgg_preprocessing.MEANS,
                                           "float32")
    assert out.shape == (24, 24, 3) and out.dtype == tf.float32
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-3)


def test_vgg_train_random_crop_and_flip():
    img = _image(50, 40)
    fn = get_preprocessing("vgg_16", is_training=True)
    outs = [fn(img, 32, 32, resize_side_min=40, resize_side_max=48)
            for _ in range(4)]
    assert all(o.shape == (32, 32, 3) for o in outs)
    means = np.array(vgg_preprocessing.MEANS)
    for o in outs:
        assert np.all(o.numpy() + means >= -1e-3)
        assert np.all(o.numpy() + means <= 255 + 1e-3)
    assert any(not np.allclose(outs[0], o) for o in outs[1:])


def test_inception_eval_matches_slim_ops():
    img = _image(32, 32)
    out = get_preprocessing("inception_v3")(img, 16, 16)
    f = img.astype("float32") / 255.0
    crop = tf.image.central_crop(f, 0.875)
    want = tf.compat.v1.image.resize_bilinear(crop[None], [16, 16],
                                              align_corners=False)[0]
    np.testing.assert_allclose(out, (want - 0.5) * 2.0, atol=1e-6)


@pytest.mark.parametrize("fast_mode", [True, False])
def test_inception_train_range(fast_mode):
    fn = get_preprocessing("inception", is_training=True)
    out = fn(_image(40, 30), 20, 20, fast_mode=fast_mode)
    assert out.shape == (20, 20, 3)
    assert -1.0 - 1e-6 <= float(tf.reduce_min(out))
    assert float(tf.reduce_max(out)) <= 1.0 + 1e-6


def test_cifarnet_eval_and_train():
    img = _image(32, 32)
    out = get_preprocessing("cifarnet")(img, 28, 28)
    crop = img[2:30, 2:30].astype("float32")
    want = (crop - crop.mean()) / max(crop.std(), 1 / np.sqrt(crop.size))
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4)
    train = get_preprocessing("cifarnet", is_training=True)(img, 32, 32)
    assert train.shape == (32, 32, 3)
    np.testing.assert_allclose(float(tf.reduce_mean(train)), 0.0, atol=1e-4)


def test_lenet():
    img = _image(28, 28, 1)
    out = get_preprocessing("lenet")(img, 28, 28)
    np.testing.assert_allclose(out, (img.astype("float32") - 128) / 128)


@pytest.mark.parametrize("name,size", [
    ("vgg", 24), ("inception", 24), ("cifarnet", 24), ("lenet", 24),
])
@pytest.mark.parametrize("is_training", [True, False])
def test_runs_in_tf_data(name, size, is_training):
    channels = 1 if name == "lenet" else 3
    images = [_image(30, 36, channels, 0), _image(40, 26, channels, 1)]
    ds = tf.data.Dataset.from_generator(
        lambda: iter(images),
        output_signature=tf.TensorSpec([None, None, channels], tf.uint8))
    fn = get_preprocessing(name, is_training=is_training)
    kwargs = {"resize_side_min": 26} if name == "vgg" else {}
    ds = ds.map(lambda im: fn(im, size, size, **kwargs)).batch(2)
    batch = next(iter(ds))
    assert batch.shape == (2, size, size, channels)
    assert batch.dtype == tf.float32
