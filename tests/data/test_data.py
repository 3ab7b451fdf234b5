"""slim's data concepts on tf.data: research/slim TFRecord layout, decoders,
providers, the embedded digits dataset and an image folder."""

import os

import numpy as np
import pytest
import tensorflow as tf

from slimkeras.data import DatasetDataProvider, make_batches, tfrecords
from slimkeras.data import tfexample_decoder as dec
from slimkeras.datasets import digits, get_dataset, list_datasets


def _images(n=6, h=5, w=4, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, h, w, c), dtype=np.uint8)


def test_research_slim_layout_round_trip(tmp_path):
    """Records written as research/slim's download_and_convert scripts write
    them (PNG + JPEG) decode into the same images and labels."""
    imgs = _images()
    path = str(tmp_path / "flowers_train_00000-of-00001.tfrecord")
    examples, encoded = [], []
    for i, im in enumerate(imgs):
        if i % 2:
            data, fmt = tf.io.encode_png(im).numpy(), b"png"
        else:
            data, fmt = tf.io.encode_jpeg(im, quality=100).numpy(), b"jpeg"
        encoded.append(data)
        examples.append(tfrecords.image_to_tfexample(data, fmt, 5, 4, i))
    assert tfrecords.write_tfrecord(path, examples) == len(imgs)
    tfrecords.write_label_file({i: f"c{i}" for i in range(6)}, str(tmp_path))
    ds = get_dataset("flowers", "train", str(tmp_path))
    assert ds.labels_to_names[3] == "c3"
    provider = DatasetDataProvider(ds, shuffle=False, num_epochs=1)
    got = list(provider.as_dataset(["image", "label"]))
    assert [int(l) for _, l in got] == list(range(6))
    for (image, label), ref, data in zip(got, imgs, encoded):
        if int(label) % 2:
            np.testing.assert_array_equal(image.numpy(), ref)
        else:  # JPEG is lossy: compare with a plain decode of the bytes
            np.testing.assert_array_equal(image.numpy(),
                                          tf.io.decode_jpeg(data).numpy())


def test_handlers_tensor_bbox_sparse_backup_callback_lookup():
    ex = tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2, 3,
                                                                   4])),
        "shape": tf.train.Feature(int64_list=tf.train.Int64List(value=[2, 2])),
        "ymin": tf.train.Feature(float_list=tf.train.FloatList(value=[.1, .2])),
        "xmin": tf.train.Feature(float_list=tf.train.FloatList(value=[.3, .4])),
        "ymax": tf.train.Feature(float_list=tf.train.FloatList(value=[.5, .6])),
        "xmax": tf.train.Feature(float_list=tf.train.FloatList(value=[.7, .8])),
        "indices": tf.train.Feature(
            int64_list=tf.train.Int64List(value=[0, 3])),
        "values": tf.train.Feature(float_list=tf.train.FloatList(value=[5, 6])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"cat"])),
    })).SerializeToString()
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        ["cat", "dog"], [0, 1], tf.string, tf.int64), -1)
    features = {k: tf.io.VarLenFeature(tf.int64) for k in ("a", "shape",
                                                           "indices")}
    features.update({k: tf.io.VarLenFeature(tf.float32)
                     for k in ("ymin", "xmin", "ymax", "xmax", "values")})
    features["name"] = tf.io.FixedLenFeature((), tf.string)
    features["empty"] = tf.io.VarLenFeature(tf.int64)
    decoder = dec.TFExampleDecoder(features, {
        "a": dec.Tensor("a", shape_keys="shape"),
        "bbox": dec.BoundingBox(),
        "sparse": dec.SparseTensor(shape=[5], densify=True),
        "backup": dec.BackupHandler(dec.Tensor("empty"), dec.Tensor("a")),
        "sum": dec.ItemHandlerCallback(["a"], lambda t: tf.sparse.reduce_sum(
            t["a"])),
        "lookup": dec.LookupTensor("name", table),
    })
    a, bbox, sparse, backup, total, lookup = decoder.decode(ex)
    np.testing.assert_array_equal(a, [[1, 2], [3, 4]])
    np.testing.assert_allclose(bbox, [[.1, .3, .5, .7], [.2, .4, .6, .8]])
    np.testing.assert_allclose(sparse, [5, 0, 0, 6, 0])
    np.testing.assert_array_equal(backup, [1, 2, 3, 4])
    assert int(total) == 10 and int(lookup) == 1 - 1
    with pytest.raises(ValueError, match="unknown item"):
        decoder.decode(ex, ["nope"])
    with pytest.raises(ValueError, match="not in keys_to_features"):
        dec.TFExampleDecoder({}, {"a": dec.Tensor("a")})
    with pytest.raises(ValueError, match="4 keys"):
        dec.BoundingBox(["a", "b"])


def test_digits_embedded_default_matches_sklearn(tmp_path):
    from sklearn.datasets import load_digits

    ds = get_dataset("digits", "test", str(tmp_path / "d"))
    assert ds.num_samples == 360 and ds.num_classes == 10
    got = list(DatasetDataProvider(ds, shuffle=False, num_epochs=1)
               .as_dataset(["image", "label"]))
    assert len(got) == 360
    labels = np.array([int(l) for _, l in got])
    assert set(labels) == set(range(10))
    # The first test image is the upscaled sklearn image of the same index.
    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.images))
    first = order[digits.SPLITS["train"]]
    assert labels[0] == data.target[first]
    small = tf.image.resize(tf.cast(got[0][0], tf.float32), (8, 8),
                            method="area").numpy()[..., 0]
    ref = data.images[first] / 16.0 * 255.0
    assert np.corrcoef(small.ravel(), ref.ravel())[0, 1] > 0.9


def test_make_batches_with_preprocessing(tmp_path):
    from slimkeras.preprocessing import preprocessing_factory

    ds = get_dataset("digits", "train", str(tmp_path / "d"))
    fn = preprocessing_factory.get_preprocessing("cifarnet", False)
    batches = make_batches(ds, 16, fn, 32, is_training=False, channels=3,
                           num_epochs=1)
    x, y = next(iter(batches))
    assert x.shape == (16, 32, 32, 3) and x.dtype == tf.float32
    assert y.dtype == tf.int64


def test_image_folder(tmp_path):
    for c, name in enumerate(["ant", "bee"]):
        os.makedirs(tmp_path / name)
        for i, im in enumerate(_images(11, seed=c)):
            tf.io.write_file(str(tmp_path / name / f"{i:02d}.png"),
                             tf.io.encode_png(im))
    train = get_dataset("image_folder", "train", str(tmp_path))
    val = get_dataset("image_folder", "validation", str(tmp_path))
    assert (train.num_samples, val.num_samples, train.num_classes) == (20, 2,
                                                                      2)
    assert train.labels_to_names == {0: "ant", 1: "bee"}
    got = list(DatasetDataProvider(val, shuffle=False, num_epochs=1)
               .as_dataset(["image", "label"]))
    np.testing.assert_array_equal(got[0][0], _images(11, seed=0)[9])


@pytest.mark.parametrize("name,split,needle", [
    ("digitz", "train", "Unknown dataset name 'digitz'"),
    ("digits", "validation", "Unknown split 'validation'"),
    ("mnist", "train", "needs --dataset_dir"),
    ("image_folder", "train", "needs --dataset_dir"),
])
def test_bad_dataset_requests(name, split, needle):
    with pytest.raises(ValueError, match=needle):
        get_dataset(name, split, None)
    assert "digits" in list_datasets()
