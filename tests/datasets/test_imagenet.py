"""slimkeras.datasets.imagenet: research/slim's descriptor, the shipped
label names (offline), decode_predictions for 1001 and 1000 classes."""

import numpy as np
import pytest
import tensorflow as tf

from slimkeras.datasets import get_dataset, imagenet


def test_readable_names_shipped_in_the_package():
    names = imagenet.create_readable_names_for_imagenet_labels()
    assert len(names) == 1001 and sorted(names) == list(range(1001))
    assert names[0] == "background"
    assert names[1] == "tench, Tinca tinca"
    assert names[2] == "goldfish, Carassius auratus"
    assert names[1000] == "toilet tissue, toilet paper, bathroom tissue"
    syn = imagenet.synsets()
    # research/slim numbers the 1000 ILSVRC-2012 synsets in sorted order.
    assert len(set(syn)) == 1000 and syn == sorted(syn)
    assert syn[0] == "n01440764" and syn[-1] == "n15075141"
    assert all(s[0] == "n" and len(s) == 9 and s[1:].isdigit() for s in syn)


def test_decode_predictions_1001_and_1000():
    rng = np.random.default_rng(0)
    p1001 = rng.normal(size=(2, 1001)).astype(np.float32)
    p1001[0, 0] = 50.0  # background wins row 0
    p1001[1, 2] = 40.0  # goldfish wins row 1
    top = imagenet.decode_predictions(p1001, top=3)
    assert [len(r) for r in top] == [3, 3]
    assert top[0][0] == ("background", "background", 50.0)
    assert top[1][0] == ("n01443537", "goldfish, Carassius auratus", 40.0)
    scores = [s for _, _, s in top[1]]
    assert scores == sorted(scores, reverse=True)
    # The same scores without the background column name the same class.
    top1000 = imagenet.decode_predictions(p1001[1:, 1:], top=1)
    assert top1000[0][0][:2] == top[1][0][:2]
    # Slim's [N, 1, 1, C] logits are accepted.
    assert imagenet.decode_predictions(p1001[:, None, None], top=1) == \
        imagenet.decode_predictions(p1001, top=1)
    with pytest.raises(ValueError, match=r"\(N, 1001\) or \(N, 1000\)"):
        imagenet.decode_predictions(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="top"):
        imagenet.decode_predictions(p1001, top=0)


def _record(label):
    jpeg = tf.io.encode_jpeg(tf.zeros((4, 6, 3), tf.uint8)).numpy()
    feats = {
        "image/encoded": tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[jpeg])),
        "image/format": tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[b"jpeg"])),
        "image/class/label": tf.train.Feature(
            int64_list=tf.train.Int64List(value=[label])),
        "image/class/text": tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[b"tench"])),
        "image/object/bbox/xmin": tf.train.Feature(
            float_list=tf.train.FloatList(value=[0.1])),
        "image/object/bbox/ymin": tf.train.Feature(
            float_list=tf.train.FloatList(value=[0.2])),
        "image/object/bbox/xmax": tf.train.Feature(
            float_list=tf.train.FloatList(value=[0.3])),
        "image/object/bbox/ymax": tf.train.Feature(
            float_list=tf.train.FloatList(value=[0.4])),
        "image/object/class/label": tf.train.Feature(
            int64_list=tf.train.Int64List(value=[label])),
    }
    return tf.train.Example(
        features=tf.train.Features(feature=feats)).SerializeToString()


def test_descriptor_reads_research_slim_layout(tmp_path):
    with tf.io.TFRecordWriter(
            str(tmp_path / "validation-00000-of-00128")) as w:
        w.write(_record(1))
    ds = get_dataset("imagenet", "validation", str(tmp_path))
    assert ds.num_samples == 50000 and ds.num_classes == 1001
    assert imagenet.get_split("train", str(tmp_path)).num_samples == 1281167
    assert ds.labels_to_names[1] == "tench, Tinca tinca"
    assert ds.data_sources == str(tmp_path / "validation-*")
    serialized = next(iter(tf.data.TFRecordDataset(
        tf.io.gfile.glob(ds.data_sources))))
    image, label, bbox = ds.decoder.decode(
        serialized, ["image", "label", "object/bbox"])
    assert tuple(image.shape) == (4, 6, 3) and int(label) == 1
    np.testing.assert_allclose(np.asarray(bbox), [[0.2, 0.1, 0.4, 0.3]])
    with pytest.raises(ValueError, match="validation"):
        imagenet.get_split("test", str(tmp_path))
