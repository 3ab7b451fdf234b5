"""A user's folder of images, ``class_name/*.jpg|jpeg|png``.

Classes are the sub-folder names in sorted order; every 10th image of each
class (sorted by file name) goes to ``validation``, the rest to ``train``.
Converted once into research/slim-layout TFRecords under
``<dataset_dir>/.slimkeras_tfrecords``.
"""

from __future__ import annotations

import os

import tensorflow as tf

from slimkeras.data import tfrecords

_EXTS = (".jpg", ".jpeg", ".png")
SPLITS = ("train", "validation")


def _scan(dataset_dir):
    classes = sorted(d for d in os.listdir(dataset_dir)
                     if os.path.isdir(os.path.join(dataset_dir, d))
                     and not d.startswith("."))
    if not classes:
        raise ValueError(
            f"image_folder: no class sub-folders in {dataset_dir!r}; expected "
            "class_name/*.jpg|png."
        )
    files = {"train": [], "validation": []}
    for label, name in enumerate(classes):
        imgs = sorted(f for f in os.listdir(os.path.join(dataset_dir, name))
                      if f.lower().endswith(_EXTS))
        for i, f in enumerate(imgs):
            split = "validation" if i % 10 == 9 else "train"
            files[split].append((os.path.join(dataset_dir, name, f), label))
    return classes, files


def _example(path, label):
    data = tf.io.read_file(path)
    image = tf.io.decode_image(data, channels=3, expand_animations=False)
    fmt = b"png" if path.lower().endswith(".png") else b"jpeg"
    return tfrecords.image_to_tfexample(data.numpy(), fmt,
                                        int(image.shape[0]),
                                        int(image.shape[1]), label)


def get_split(split_name: str, dataset_dir: str | None):
    if split_name not in SPLITS:
        raise ValueError(
            f"Unknown split {split_name!r} for dataset 'image_folder'. "
            f"Splits: {', '.join(SPLITS)}."
        )
    if not dataset_dir or not os.path.isdir(dataset_dir):
        raise ValueError(
            "image_folder needs --dataset_dir pointing at class_name/*.jpg "
            f"folders. Received: dataset_dir={dataset_dir!r}."
        )
    classes, files = _scan(dataset_dir)
    out = os.path.join(dataset_dir, ".slimkeras_tfrecords")
    os.makedirs(out, exist_ok=True)
    for split in SPLITS:
        path = os.path.join(out, f"images_{split}.tfrecord")
        if not os.path.exists(path):
            tfrecords.write_tfrecord(
                path, (_example(p, label) for p, label in files[split]))
    tfrecords.write_label_file(dict(enumerate(classes)), out)
    return tfrecords.classification_dataset(
        os.path.join(out, f"images_{split_name}.tfrecord"),
        len(files[split_name]), len(classes), out, None, 3)
