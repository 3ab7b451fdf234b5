"""Golden-reference checks shared by the zoo part 3 tests (issue 20).

``check_golden(golden_dir, case, fn, arg_scope_fn)`` builds ``fn`` with the
manifest's kwargs (inside ``arg_scope_fn(**manifest arg_scope kwargs)``
if given) on the manifest's input shape, asserts variable paths/shapes in
creation order and end-point keys/shapes equal the manifest, restores the
golden checkpoint by name (zero missing / unexpected / mismatched) and
compares logits and EVERY end point of ``golden.npz``.

Tolerance: these cases have no ``noise_onednn_off.json``, so the golden
README's bound applies: ``rtol = atol = 1e-4`` (float32, activations O(1)).
"""

from __future__ import annotations

import keras
import numpy as np

from slimkeras import checkpoints
from tests.nets import net_checks as nc

RTOL = ATOL = 1e-4


def build_golden_model(golden_dir, case, fn, arg_scope_fn=None, **extra):
    manifest = nc.load_manifest(golden_dir, case)
    batch, *shape = manifest["input_shape"]
    kwargs = dict(manifest.get("kwargs", {}))
    kwargs.update(extra)
    scope_kw = (manifest.get("arg_scope") or {}).get("kwargs") or {}
    model, logits, eps = nc.build_functional(
        fn, arg_scope_fn, shape, batch_size=batch,
        arg_scope_kwargs=scope_kw if arg_scope_fn else None, **kwargs)
    return manifest, model, logits, eps


def check_golden(golden_dir, case, fn, arg_scope_fn=None,
                 check_order=True, **extra):
    """Names, order, end points and numerics against the golden case.

    ``check_order=False`` compares the variables as a set: a Keras
    functional model lists weights in graph (depth) order, which differs
    from TF1 creation order when parallel branches have different depths
    (e.g. S3D-G's gated branches); the checkpoint is by name.
    """
    manifest, model, logits, eps = build_golden_model(
        golden_dir, case, fn, arg_scope_fn, **extra)
    if not check_order:
        want = [e["name"] for e in manifest["end_points"]]
        assert list(eps) == want, (list(eps), want)
    nc.assert_manifest(manifest, logits, eps, model.weights,
                       check_order=check_order)
    g = golden_dir / case
    report = checkpoints.restore(model, str(g / "model.ckpt"))
    assert not report.missing and not report.unexpected, report
    assert not report.shape_mismatched and not report.errors, report
    assert len(report.restored) == len(model.weights)
    assert sorted(report.restored) == sorted(
        v["name"] for v in manifest["checkpoint"]["variables"])
    data = np.load(g / "golden.npz")
    # Graph mode (predict_on_batch), as the original ran.
    got_logits, got_eps = model.predict_on_batch(data["input"])
    np.testing.assert_allclose(got_logits, data["logits"], rtol=RTOL,
                               atol=ATOL, err_msg="logits")
    keys = [k.split("/", 1)[1] for k in data.files
            if k.startswith("end_points/")]
    assert keys and sorted(keys) == sorted(got_eps), (
        sorted(set(keys) ^ set(got_eps)))
    for key in keys:
        np.testing.assert_allclose(
            got_eps[key], data["end_points/" + key], rtol=RTOL, atol=ATOL,
            err_msg=key)
    keras.backend.clear_session()
    return manifest


def check_image_lifecycle(model, x, y, tmp_path):
    """compile (MSE) + one ``fit`` step changing weights + ``.keras``
    round trip keeping variable paths and predictions (for nets whose
    output is an image or a score map, not class logits)."""
    import pathlib

    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    before = [np.array(v) for v in model.trainable_weights]
    hist = model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    after = [np.array(v) for v in model.trainable_weights]
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    pred = model.predict_on_batch(x)
    path = str(pathlib.Path(tmp_path) / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert [v.path for v in loaded.weights] == [v.path for v in model.weights]
    np.testing.assert_allclose(loaded.predict_on_batch(x), pred, rtol=1e-5,
                               atol=1e-5)
    return loaded
