"""research/slim's VGG preprocessing (also used for ResNet v1, AlexNet...).

Training: aspect-preserving resize so the smaller side is a random integer
in ``[resize_side_min, resize_side_max]``, random crop, random horizontal
flip, per-channel mean subtraction. Evaluation: resize the smaller side to
``resize_side_min``, central crop, mean subtraction. Outputs are float32
in 0..255 minus the ImageNet RGB means (no scaling), as slim's VGG
checkpoints expect.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "preprocess_for_train",
    "preprocess_for_eval",
    "preprocess_image",
    "MEANS",
]

_R_MEAN = 123.68
_G_MEAN = 116.78
_B_MEAN = 103.94
MEANS = (_R_MEAN, _G_MEAN, _B_MEAN)

_RESIZE_SIDE_MIN = 256
_RESIZE_SIDE_MAX = 512


def _check_rank3(image):
    if image.shape.rank is not None and image.shape.rank != 3:
        raise ValueError(
            "vgg_preprocessing: `image` must be [height, width, channels]. "
            f"Received shape {image.shape}."
        )


def _crop(image, offset_height, offset_width, crop_height, crop_width):
    shape = tf.shape(image)
    tf.debugging.assert_greater_equal(
        shape[:2], tf.stack([crop_height, crop_width]),
        message="Crop size greater than the image size.")
    begin = tf.stack([offset_height, offset_width, 0])
    size = tf.stack([crop_height, crop_width, shape[2]])
    return tf.slice(image, begin, size)


def _random_crop(image, crop_height, crop_width):
    shape = tf.shape(image)
    off_h = tf.random.uniform([], maxval=shape[0] - crop_height + 1,
                              dtype=tf.int32)
    off_w = tf.random.uniform([], maxval=shape[1] - crop_width + 1,
                              dtype=tf.int32)
    return _crop(image, off_h, off_w, crop_height, crop_width)


def _central_crop(image, crop_height, crop_width):
    shape = tf.shape(image)
    off_h = (shape[0] - crop_height) // 2
    off_w = (shape[1] - crop_width) // 2
    return _crop(image, off_h, off_w, crop_height, crop_width)


def _mean_image_subtraction(image, means):
    channels = image.shape[-1]
    if channels is not None and channels != len(means):
        raise ValueError(
            "vgg_preprocessing: len(means) must match the number of "
            f"channels. Received {len(means)} means for {channels} channels."
        )
    return image - tf.constant(means, dtype=image.dtype)


def _smallest_size_at_least(height, width, smallest_side):
    """New (h, w) with the smaller side ``smallest_side``, the other scaled
    and rounded half-to-even (``tf.math.rint``, as research/slim: a 60x47
    image with side 256 becomes 327x256, not the truncated 326x255)."""
    height = tf.cast(height, tf.float32)
    width = tf.cast(width, tf.float32)
    side = tf.cast(smallest_side, tf.float32)
    scale = tf.where(height > width, side / width, side / height)
    return (tf.cast(tf.math.rint(height * scale), tf.int32),
            tf.cast(tf.math.rint(width * scale), tf.int32))


def _aspect_preserving_resize(image, smallest_side):
    shape = tf.shape(image)
    new_h, new_w = _smallest_size_at_least(shape[0], shape[1], smallest_side)
    # slim: tf.image.resize_bilinear(align_corners=False), i.e. the legacy
    # kernel without half-pixel centres (differs from tf.image.resize).
    resized = tf.raw_ops.ResizeBilinear(
        images=tf.expand_dims(image, 0), size=tf.stack([new_h, new_w]),
        align_corners=False, half_pixel_centers=False)
    resized = tf.squeeze(resized, [0])
    resized.set_shape([None, None, image.shape[-1]])
    return resized


def preprocess_for_train(image, output_height, output_width,
                         resize_side_min=_RESIZE_SIDE_MIN,
                         resize_side_max=_RESIZE_SIDE_MAX):
    """Random-scale resize, random crop, random flip, mean subtraction."""
    image = tf.convert_to_tensor(image)
    _check_rank3(image)
    side = tf.random.uniform([], minval=resize_side_min,
                             maxval=resize_side_max + 1, dtype=tf.int32)
    image = _aspect_preserving_resize(image, side)
    image = _random_crop(image, output_height, output_width)
    image.set_shape([output_height, output_width, 3])
    image = tf.cast(image, tf.float32)
    image = tf.image.random_flip_left_right(image)
    return _mean_image_subtraction(image, MEANS)


def preprocess_for_eval(image, output_height, output_width, resize_side):
    """Resize the smaller side to ``resize_side``, central crop, means."""
    image = tf.convert_to_tensor(image)
    _check_rank3(image)
    image = _aspect_preserving_resize(image, resize_side)
    image = _central_crop(image, output_height, output_width)
    image.set_shape([output_height, output_width, 3])
    image = tf.cast(image, tf.float32)
    return _mean_image_subtraction(image, MEANS)


def preprocess_image(image, output_height, output_width, is_training=False,
                     resize_side_min=_RESIZE_SIDE_MIN,
                     resize_side_max=_RESIZE_SIDE_MAX):
    """Training or evaluation preprocessing of one ``[H, W, 3]`` image.

    Args:
        image: ``[H, W, 3]`` RGB image (uint8 or float in 0..255).
        output_height, output_width: output size.
        is_training: training (random) or evaluation (central) variant.
        resize_side_min: smaller side for eval; lower bound for training.
        resize_side_max: upper bound of the training resize side.

    Returns:
        float32 ``[output_height, output_width, 3]``, means subtracted.
    """
    if is_training:
        return preprocess_for_train(image, output_height, output_width,
                                    resize_side_min, resize_side_max)
    return preprocess_for_eval(image, output_height, output_width,
                               resize_side_min)
