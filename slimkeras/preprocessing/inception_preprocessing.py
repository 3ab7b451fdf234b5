"""research/slim's Inception preprocessing (Inception, MobileNet...).

Training: a random crop from ``tf.image.sample_distorted_bounding_box``
(covering >= 10% of the box, aspect 0.75-1.33, area 5-100%), resized to
the output size with a randomly chosen method (bilinear only in
``fast_mode``), random flip, colour distortion in one of 4 random orders,
then scaled to [-1, 1]. Evaluation: central crop of 87.5%, bilinear
resize, scaled to [-1, 1]. (slim's image summaries are not written.)
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "apply_with_random_selector",
    "distort_color",
    "distorted_bounding_box_crop",
    "preprocess_for_train",
    "preprocess_for_eval",
    "preprocess_image",
]

# tf.image.ResizeMethod values in slim's order (BILINEAR, NEAREST, BICUBIC,
# AREA), through the TF1 resize kernels slim used (no half-pixel centres).
_RESIZE_METHODS = (
    tf.compat.v1.image.ResizeMethod.BILINEAR,
    tf.compat.v1.image.ResizeMethod.NEAREST_NEIGHBOR,
    tf.compat.v1.image.ResizeMethod.BICUBIC,
    tf.compat.v1.image.ResizeMethod.AREA,
)


def apply_with_random_selector(x, func, num_cases):
    """``func(x, case)`` with ``case`` drawn uniformly from ``num_cases``."""
    sel = tf.random.uniform([], maxval=num_cases, dtype=tf.int32)
    return tf.switch_case(
        sel, [lambda c=c: func(x, c) for c in range(num_cases)])


def distort_color(image, color_ordering=0, fast_mode=True, scope=None):
    """Random brightness/saturation (+hue/contrast) in one of 4 orders.

    Args:
        image: float ``[H, W, 3]`` in [0, 1].
        color_ordering: 0-3 (fast_mode uses 0 or anything else).
        fast_mode: only brightness and saturation.
        scope: unused (TF1 name scope).

    Returns:
        The distorted image clipped to [0, 1].

    Raises:
        ValueError: ``color_ordering`` not in [0, 3] (without fast_mode).
    """
    del scope

    def bright(im):
        return tf.image.random_brightness(im, max_delta=32. / 255.)

    def sat(im):
        return tf.image.random_saturation(im, lower=0.5, upper=1.5)

    def hue(im):
        return tf.image.random_hue(im, max_delta=0.2)

    def con(im):
        return tf.image.random_contrast(im, lower=0.5, upper=1.5)

    if fast_mode:
        ops = [bright, sat] if color_ordering == 0 else [sat, bright]
    else:
        orders = {
            0: [bright, sat, hue, con],
            1: [sat, bright, con, hue],
            2: [con, hue, bright, sat],
            3: [hue, sat, con, bright],
        }
        if color_ordering not in orders:
            raise ValueError(
                "distort_color: `color_ordering` must be in [0, 3]. "
                f"Received: color_ordering={color_ordering!r}."
            )
        ops = orders[color_ordering]
    for op in ops:
        image = op(image)
    # The random_* ops do not clamp.
    return tf.clip_by_value(image, 0.0, 1.0)


def distorted_bounding_box_crop(image, bbox, min_object_covered=0.1,
                                aspect_ratio_range=(0.75, 1.33),
                                area_range=(0.05, 1.0), max_attempts=100,
                                scope=None):
    """A random crop of ``image`` per ``sample_distorted_bounding_box``.

    Returns:
        ``(cropped_image, distorted_bbox)``.
    """
    del scope
    begin, size, distort_bbox = tf.image.sample_distorted_bounding_box(
        tf.shape(image), bounding_boxes=bbox,
        min_object_covered=min_object_covered,
        aspect_ratio_range=aspect_ratio_range, area_range=area_range,
        max_attempts=max_attempts, use_image_if_no_bounding_boxes=True)
    return tf.slice(image, begin, size), distort_bbox


def _to_float(image):
    image = tf.convert_to_tensor(image)
    if image.dtype != tf.float32:
        image = tf.image.convert_image_dtype(image, dtype=tf.float32)
    return image


def preprocess_for_train(image, height, width, bbox=None, fast_mode=True,
                         scope=None, random_crop=True):
    """Distorts one image for training; output float32 in [-1, 1].

    Args:
        image: ``[H, W, 3]``; float in [0, 1], or an integer dtype scaled
            by ``convert_image_dtype``.
        height, width: output size.
        bbox: ``[1, N, 4]`` boxes ``[ymin, xmin, ymax, xmax]`` (default
            the whole image).
        fast_mode: bilinear resize only, no hue/contrast distortion.
        scope: unused.
        random_crop: False skips the bounding-box crop.
    """
    del scope
    if bbox is None:
        bbox = tf.constant([0.0, 0.0, 1.0, 1.0], tf.float32, [1, 1, 4])
    image = _to_float(image)
    if random_crop:
        image, _ = distorted_bounding_box_crop(image, bbox)
    image.set_shape([None, None, 3])
    num_resize_cases = 1 if fast_mode else 4
    image = apply_with_random_selector(
        image,
        lambda x, m: tf.compat.v1.image.resize_images(
            x, [height, width], _RESIZE_METHODS[m]),
        num_cases=num_resize_cases)
    image = tf.image.random_flip_left_right(image)
    num_distort_cases = 1 if fast_mode else 4
    image = apply_with_random_selector(
        image, lambda x, o: distort_color(x, o, fast_mode),
        num_cases=num_distort_cases)
    image.set_shape([height, width, 3])
    return (image - 0.5) * 2.0


def preprocess_for_eval(image, height, width, central_fraction=0.875,
                        scope=None):
    """Central crop + bilinear resize; output float32 in [-1, 1]."""
    del scope
    image = _to_float(image)
    if central_fraction:
        image = tf.image.central_crop(image, central_fraction=central_fraction)
    if height and width:
        image = tf.compat.v1.image.resize_bilinear(
            tf.expand_dims(image, 0), [height, width], align_corners=False)
        image = tf.squeeze(image, [0])
    return (image - 0.5) * 2.0


def preprocess_image(image, height, width, is_training=False, bbox=None,
                     fast_mode=True, central_fraction=0.875,
                     random_crop=True):
    """Training or evaluation preprocessing of one ``[H, W, 3]`` image."""
    if is_training:
        return preprocess_for_train(image, height, width, bbox, fast_mode,
                                    random_crop=random_crop)
    return preprocess_for_eval(image, height, width, central_fraction)
