"""research/slim's CIFAR-10 preprocessing (CifarNet).

Training: pad 4, random crop, random flip, random brightness (max 63) and
contrast (0.2-1.8), per-image standardisation. Evaluation: crop/pad to the
output size, per-image standardisation. (slim's image summaries are not
written.)
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["preprocess_for_train", "preprocess_for_eval", "preprocess_image"]

_PADDING = 4


def preprocess_for_train(image, output_height, output_width,
                         padding=_PADDING, input_grayscale=False):
    """Random crop/flip/brightness/contrast + standardisation."""
    image = tf.cast(image, tf.float32)
    if input_grayscale:
        image = tf.image.rgb_to_grayscale(image)
    if padding > 0:
        image = tf.pad(image, [[padding, padding], [padding, padding],
                               [0, 0]])
    channels = 1 if input_grayscale else 3
    image = tf.image.random_crop(image,
                                 [output_height, output_width, channels])
    image = tf.image.random_flip_left_right(image)
    image = tf.image.random_brightness(image, max_delta=63)
    image = tf.image.random_contrast(image, lower=0.2, upper=1.8)
    return tf.image.per_image_standardization(image)


def preprocess_for_eval(image, output_height, output_width,
                        input_grayscale=False):
    """Crop/pad to the output size + per-image standardisation."""
    image = tf.cast(image, tf.float32)
    if input_grayscale:
        image = tf.image.rgb_to_grayscale(image)
    # sic: slim passes (width, height) as (target_height, target_width).
    image = tf.image.resize_with_crop_or_pad(image, output_width,
                                             output_height)
    return tf.image.per_image_standardization(image)


def preprocess_image(image, output_height, output_width, is_training=False,
                     input_grayscale=False):
    """Training or evaluation preprocessing of one ``[H, W, 3]`` image."""
    if is_training:
        return preprocess_for_train(image, output_height, output_width,
                                    input_grayscale=input_grayscale)
    return preprocess_for_eval(image, output_height, output_width,
                               input_grayscale=input_grayscale)
