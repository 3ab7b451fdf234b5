"""slimkeras.preprocessing: research/slim's preprocessing, in tf.data.

research/slim's preprocessing is not pip-installable; the eval variants
are checked against the TF ops slim called (legacy bilinear resize,
crop offsets, ImageNet means, per-image standardisation), the training
variants for shapes, ranges and randomness.
"""

import numpy as np
import pytest
import tensorflow as tf

from slimkeras.preprocessing import get_preprocessing, vgg_preprocessing


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


# --- research/slim's own functions on odd sizes ------------------------------
# research/slim's preprocessing is not pip-installable, so its eval path is
# transcribed here, op for op, as a TF1 graph (tensorflow/models
# research/slim/preprocessing/vgg_preprocessing.py: _smallest_size_at_least,
# _aspect_preserving_resize, _central_crop, _mean_image_subtraction;
# inception_preprocessing.py: preprocess_for_eval).

def _slim_vgg_eval_graph(image, out_h, out_w, resize_side):
    v1 = tf.compat.v1
    shape = tf.shape(image)
    height, width = tf.cast(shape[0], tf.float32), tf.cast(shape[1],
                                                           tf.float32)
    side = tf.cast(resize_side, tf.float32)
    scale = v1.cond(tf.greater(height, width), lambda: side / width,
                    lambda: side / height)
    new_h = tf.cast(tf.math.rint(height * scale), tf.int32)
    new_w = tf.cast(tf.math.rint(width * scale), tf.int32)
    resized = v1.image.resize_bilinear(tf.expand_dims(image, 0),
                                       [new_h, new_w], align_corners=False)
    resized = tf.squeeze(resized)
    rshape = tf.shape(resized)
    off_h = tf.cast((rshape[0] - out_h) / 2, tf.int32)  # py3 truediv, then
    off_w = tf.cast((rshape[1] - out_w) / 2, tf.int32)  # slim's to_int32
    crop = tf.slice(resized, tf.stack([off_h, off_w, 0]),
                    tf.stack([out_h, out_w, rshape[2]]))
    crop = tf.cast(crop, tf.float32)
    channels = tf.split(crop, 3, axis=2)
    means = vgg_preprocessing.MEANS
    return tf.concat([c - m for c, m in zip(channels, means)], 2), new_h, new_w


def _slim_inception_eval_graph(image, h, w, central_fraction=0.875):
    v1 = tf.compat.v1
    image = tf.image.convert_image_dtype(image, dtype=tf.float32)
    image = tf.image.central_crop(image, central_fraction=central_fraction)
    image = tf.expand_dims(image, 0)
    image = v1.image.resize_bilinear(image, [h, w], align_corners=False)
    image = tf.squeeze(image, [0])
    return tf.multiply(tf.subtract(image, 0.5), 2.0)


def _run_graph(fn, img, *args):
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.uint8, [None, None, 3])
        out = fn(x, *args)
        with tf.compat.v1.Session() as sess:
            return sess.run(out, {x: img})


_ODD = [(60, 47), (47, 60), (33, 35), (101, 77), (29, 29)]


def test_vgg_eval_on_odd_sizes_equals_research_slim():
    """rint, not truncation: 60x47 at side 256 -> 327x256 (was 326x255,
    outputs off by up to 12.85)."""
    out = _run_graph(_slim_vgg_eval_graph, _image(60, 47), 224, 224, 256)
    assert (out[1], out[2]) == (327, 256)
    for h, w in _ODD:
        img = _image(h, w, seed=h * w)
        want, _, _ = _run_graph(_slim_vgg_eval_graph, img, 21, 21, 32)
        got = vgg_preprocessing.preprocess_image(img, 21, 21, False, 32)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-4,
                                   err_msg=f"{h}x{w}")
    new = vgg_preprocessing._smallest_size_at_least(60, 47, 256)
    assert (int(new[0]), int(new[1])) == (327, 256)


def test_inception_eval_on_odd_sizes_equals_research_slim():
    for h, w in _ODD:
        img = _image(h, w, seed=h + w)
        want = _run_graph(_slim_inception_eval_graph, img, 23, 19)
        got = get_preprocessing("inception_v3")(img, 23, 19)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6,
                                   err_msg=f"{h}x{w}")
