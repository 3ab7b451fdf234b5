"""V1 single-file checkpoints written by the ORIGINAL tf_slim (graph mode,
``tf.compat.v1.train.Saver(write_version=SaverDef.V1)``), as research/slim's
2016 tarballs hold them, and tarballs in the published layout."""

from __future__ import annotations

import json
import os
import tarfile

import numpy as np
import tensorflow as tf

from tests.oracle import import_tf_slim


def he_value(name: str, shape, rng) -> np.ndarray:
    """O(1)-activation random values by slim leaf name (as
    ``tests/nets/net_checks.write_checkpoint``)."""
    leaf = name.rsplit("/", 1)[-1]
    if leaf.endswith("weights"):
        fan_in = int(np.prod(shape[:-2] if leaf == "depthwise_weights"
                             else shape[:-1]))
        return rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1)), shape)
    if leaf == "gamma":
        return rng.uniform(0.8, 1.2, shape)
    if leaf == "moving_variance":
        return rng.uniform(0.5, 1.5, shape)
    return rng.normal(0.0, 0.1, shape)


def original_v1_checkpoint(build, x: np.ndarray, path: str, seed: int = 0,
                           arg_scope=None):
    """Builds ``build(images)`` with tf_slim, sets He-scaled weights, saves
    a V1 checkpoint at ``path`` (one file, no .index) and runs it.

    Returns:
        ``(logits, {name: value})``.
    """
    tf_slim = import_tf_slim()
    rng = np.random.default_rng(seed)
    graph = tf.Graph()
    with graph.as_default():
        images = tf.compat.v1.placeholder(tf.float32, x.shape)
        if arg_scope is None:
            logits = build(images)
        else:
            with tf_slim.arg_scope(arg_scope()):
                logits = build(images)
        variables = tf.compat.v1.global_variables()
        values = {v.op.name: he_value(v.op.name, v.shape.as_list(), rng)
                  .astype(v.dtype.base_dtype.as_numpy_dtype)
                  for v in variables}
        feeds = {v: tf.compat.v1.placeholder(v.dtype.base_dtype, v.shape)
                 for v in variables}
        assigns = [v.assign(p) for v, p in feeds.items()]
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(assigns, {p: values[v.op.name] for v, p in feeds.items()})
            saver = tf.compat.v1.train.Saver(
                variables, write_version=tf.compat.v1.train.SaverDef.V1)
            saver.save(sess, path, write_meta_graph=False, write_state=False)
            out = sess.run(logits, {images: x})
    assert os.path.isfile(path) and not os.path.exists(path + ".index")
    return out, values


def make_tarball(archive: str, files: dict) -> str:
    """``{member name: file path}`` into a ``.tar.gz`` (published layout)."""
    with tarfile.open(archive, "w:gz") as tar:
        for arcname, f in files.items():
            tar.add(f, arcname=arcname)
    return archive


def golden_tolerance(golden_dir, net: str) -> float:
    """max(1e-4, 3 x the original's own float32 noise on its logits)."""
    with open(os.path.join(golden_dir, net, "noise_onednn_off.json")) as f:
        noise = json.load(f)["logits_max"]
    return max(1e-4, 3.0 * noise)
