"""research/slim's LeNet preprocessing: crop/pad, then ``(x - 128) / 128``.

Training and evaluation are the same (slim had no augmentation here).
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["preprocess_image"]


def preprocess_image(image, output_height, output_width, is_training=False):
    """Crops or pads to the output size and scales to about [-1, 1].

    Args:
        image: ``[H, W, C]`` image (any numeric dtype, 0..255 range).
        output_height, output_width: output size.
        is_training: unused (same preprocessing for both).

    Returns:
        float32 ``[output_height, output_width, C]``.
    """
    del is_training
    image = tf.cast(image, tf.float32)
    # sic: slim passes (width, height) as (target_height, target_width).
    image = tf.image.resize_with_crop_or_pad(image, output_width,
                                             output_height)
    return (image - 128.0) / 128.0
