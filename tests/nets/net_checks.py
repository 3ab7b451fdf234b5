"""Reusable checks for per-net tests (vgg, resnet, inception, mobilenet …).

Every zoo net is checked the same way; a net test file is mostly calls to
the helpers below.

1. Names and shapes against ``../shared/golden/<net>/manifest.json``::

       manifest = load_manifest(golden_dir, "vgg_16")
       check_manifest(manifest, vgg.vgg_16, vgg.vgg_arg_scope)

   builds the net on a symbolic ``keras.Input`` of the manifest's input
   shape (batch included) inside ``keras.StatelessScope(initialize_variables
   =False)`` so that no variable is allocated or initialised (full-size
   VGG costs < 1 s and no memory), then
   asserts: model variable names, shapes and creation order; end_point
   keys (in order) and shapes; logits shape.
   ``check_order=False`` compares variables as a set (for nets whose BN
   creation order is path dependent, see golden/README.md).

2. Numerics against the ORIGINAL tf-slim in graph mode::

       ref = compare_with_oracle(
           slim_build=lambda x: tf_slim_vgg.vgg_16(x, num_classes=7, ...),
           slim_arg_scope=tf_slim_vgg.vgg_arg_scope,
           ours=vgg.vgg_16, our_arg_scope=vgg.vgg_arg_scope,
           x=images, tmp_path=tmp_path, num_classes=7, ...)

   builds ours as a functional model, writes a He-scaled checkpoint named
   after our variables (:func:`write_checkpoint`; activations stay O(1)),
   runs the original from it (``tests/oracle.run_slim``, which restores
   EVERY original variable, so a name mismatch fails), asserts both sides
   hold the same variable set, loads the checkpoint into ours and compares
   logits and every end point (same keys, same order) within the
   noise-floor tolerance of ``tests/noise_floor.py`` (``noise='vgg_16'``:
   max |d| <= max(1e-4, 3 x the original's own oneDNN on/off noise), mean
   |d| <= max(1e-5, 3 x its noise mean)).

3. Keras life cycle: :func:`check_keras_lifecycle` (compile + one ``fit``
   step + ``predict`` + ``.keras`` save/load round trip keeping variable
   paths and outputs + a ``jit_compile=True`` call matching the plain one).

4. Fine-tuning: :func:`check_fine_tune` (restore a checkpoint excluding
   the logits scopes into a ``num_classes=5`` model, verify what was and
   was not restored, train a few steps, the inference loss decreases).

Helpers take the slim-style net function and its ``<net>_arg_scope``
factory; keyword arguments are forwarded to the net function.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

import slimkeras as slim
from tests import oracle
from tests.noise_floor import NoiseFloor, assert_close, load_noise_floor

__all__ = [
    "load_manifest",
    "build_functional",
    "assert_manifest",
    "check_manifest",
    "write_checkpoint",
    "compare_with_oracle",
    "assert_outputs_close",
    "narrow_conv_widths",
    "check_keras_lifecycle",
    "restore_excluding",
    "check_fine_tune",
    "random_images",
]

RTOL = 1e-4
ATOL = 1e-4


def random_images(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    """``uniform(-1, 1)`` float32 images (what the golden inputs use)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=tuple(shape)).astype("float32")


def load_manifest(golden_dir: pathlib.Path, net: str) -> dict:
    """The golden manifest of ``net`` (``golden_dir`` is the fixture)."""
    path = pathlib.Path(golden_dir) / net / "manifest.json"
    with open(path) as f:
        return json.load(f)


def build_functional(
    net_fn: Callable,
    arg_scope_fn: Callable | None,
    input_shape: Sequence[int],
    batch_size: int | None = None,
    arg_scope_kwargs: dict | None = None,
    outputs: str = "both",
    **net_kwargs: Any,
):
    """Builds ``net_fn`` on a ``keras.Input`` in a fresh name registry.

    Args:
        net_fn: slim-style ``fn(images, **net_kwargs) -> (logits,
            end_points)``.
        arg_scope_fn: the net's ``<net>_arg_scope`` factory (or None).
        input_shape: ``(H, W, C)``.
        batch_size: static batch size of the Input (None: dynamic).
        arg_scope_kwargs: kwargs for ``arg_scope_fn`` (``weight_decay`` …).
        outputs: ``'both'`` -> model outputs ``[logits, end_points]``,
            ``'logits'`` -> logits only.

    Returns:
        ``(model, logits, end_points)``: the symbolic logits and
        end_points dict are also returned for shape checks.
    """
    inputs = keras.Input(shape=tuple(input_shape), batch_size=batch_size)
    with slim.name_registry():
        if arg_scope_fn is not None:
            with slim.arg_scope(arg_scope_fn(**(arg_scope_kwargs or {}))):
                logits, end_points = net_fn(inputs, **net_kwargs)
        else:
            logits, end_points = net_fn(inputs, **net_kwargs)
    out = logits if outputs == "logits" else [logits, dict(end_points)]
    model = keras.Model(inputs, out)
    return model, logits, end_points


def _shape(x) -> list:
    return [None if d is None else int(d) for d in x.shape]


def assert_manifest(
    manifest: dict,
    logits,
    end_points: dict,
    variables: Sequence,
    check_order: bool = True,
) -> None:
    """Asserts names/shapes of variables, end points and logits.

    ``variables`` are Keras variables (``model.weights``); they are
    compared by ``variable.path`` with ``manifest['model_variables']``.
    """
    want_vars = [(v["name"], list(v["shape"]))
                 for v in manifest["model_variables"]]
    got_vars = [(v.path, [int(d) for d in v.shape]) for v in variables]
    if not check_order:
        want_vars, got_vars = sorted(want_vars), sorted(got_vars)
    _assert_list_equal(got_vars, want_vars, "model variables")
    want_eps = [(e["name"], list(e["shape"])) for e in manifest["end_points"]]
    got_eps = [(k, _shape(v)) for k, v in end_points.items()]
    _assert_list_equal(got_eps, want_eps, "end_points")
    assert _shape(logits) == list(manifest["logits"]["shape"]), (
        f"logits shape {_shape(logits)} != {manifest['logits']['shape']}")


def _assert_list_equal(got: list, want: list, what: str) -> None:
    if got == want:
        return
    missing = [w for w in want if w not in got]
    extra = [g for g in got if g not in want]
    first = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w),
                 min(len(got), len(want)))
    raise AssertionError(
        f"{what} differ from the manifest: {len(got)} vs {len(want)} "
        f"entries; missing {missing[:5]}; unexpected {extra[:5]}; first "
        f"difference at #{first}: got "
        f"{got[first] if first < len(got) else None}, want "
        f"{want[first] if first < len(want) else None}."
    )


def check_manifest(
    manifest: dict,
    net_fn: Callable,
    arg_scope_fn: Callable | None,
    check_order: bool = True,
    **net_kwargs: Any,
) -> None:
    """Builds at the manifest's input shape (no allocation) and asserts.

    The net is called with the manifest's ``kwargs`` (``num_classes``,
    ``is_training`` …) updated by ``net_kwargs``, inside the manifest's
    arg_scope factory called with its recorded kwargs.
    """
    batch, *shape = manifest["input_shape"]
    kwargs = dict(manifest.get("kwargs", {}))
    kwargs.update(net_kwargs)
    scope_kwargs = manifest.get("arg_scope", {}).get("kwargs", {}) or {}
    # StatelessScope defers variable initialisation: names and shapes
    # exist, no memory is allocated (full-size VGG-16 is 528 MiB). With
    # initialize_variables=False they stay uninitialised on exit; Keras
    # keeps them in its global "uninitialized" list until clear_session
    # (conftest's autouse fixture) drops them.
    with keras.StatelessScope(initialize_variables=False):
        model, logits, end_points = build_functional(
            net_fn, arg_scope_fn, shape, batch_size=batch,
            arg_scope_kwargs=scope_kwargs, **kwargs)
        assert_manifest(manifest, logits, end_points, model.weights,
                        check_order=check_order)


def assert_outputs_close(
    got_logits, got_end_points: dict, ref_logits, ref_end_points: dict,
    rtol: float | None = None, atol: float | None = None,
    check_order: bool = True, noise: NoiseFloor | str | None = None,
) -> None:
    """Same end-point keys (order too) and all values within tolerance.

    Tolerances follow ``tests/noise_floor.py``: per tensor max |d| <=
    max(1e-4, 3 x the original's own noise max) and mean |d| <= max(1e-5,
    3 x noise mean), with ``noise`` the net's golden noise floor (a
    :class:`NoiseFloor` or the golden net name). Explicit ``rtol``/``atol``
    (tests of single blocks that state their own bound) replace the
    per-element part; the mean bound still applies.
    """
    if isinstance(noise, str):
        noise = load_noise_floor(noise)
    noise = noise or NoiseFloor("(none)")

    def tol(key):
        t = noise.tolerance(key)
        if rtol is None and atol is None:
            return t
        return dataclasses.replace(
            t, rtol=RTOL if rtol is None else rtol,
            atol=ATOL if atol is None else atol,
            source=f"stated rtol/atol; mean from {t.source}")

    got_keys, ref_keys = list(got_end_points), list(ref_end_points)
    if check_order:
        assert got_keys == ref_keys, (got_keys, ref_keys)
    else:
        assert sorted(got_keys) == sorted(ref_keys), (got_keys, ref_keys)
    assert_close(got_logits, ref_logits, tol(None), err_msg="logits")
    for key in ref_keys:
        assert_close(got_end_points[key], ref_end_points[key], tol(key),
                     err_msg=f"end_points[{key!r}]")


def write_checkpoint(variables: Sequence, path: str, seed: int = 0) -> dict:
    """Writes a name-based checkpoint of O(1)-activation random values.

    Names are ``variable.path``. ``weights``/``*_weights`` get
    ``N(0, sqrt(2 / fan_in))`` (He: relu activations keep unit scale
    through deep stacks, so ``rtol=atol=1e-4`` is a meaningful bound),
    ``biases``/``beta``/``moving_mean`` ``N(0, 0.1)``, ``gamma``
    ``U(0.8, 1.2)``, ``moving_variance`` ``U(0.5, 1.5)``. The file is
    readable by the original tf-slim (``run_slim(checkpoint_in=...)``).

    Returns:
        ``{name: value}`` written.
    """
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    values = {}
    for v in variables:
        shape = tuple(int(d) for d in v.shape)
        leaf = v.path.rsplit("/", 1)[-1]
        if leaf.endswith("weights"):
            if leaf == "depthwise_weights":
                fan_in = int(np.prod(shape[:-2]))
            else:
                fan_in = int(np.prod(shape[:-1]))
            val = rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1)), shape)
        elif leaf == "gamma":
            val = rng.uniform(0.8, 1.2, shape)
        elif leaf == "moving_variance":
            val = rng.uniform(0.5, 1.5, shape)
        else:
            val = rng.normal(0.0, 0.1, shape)
        values[v.path] = val.astype(np.dtype(v.dtype))
    names = list(values)
    tf.raw_ops.SaveV2(
        prefix=path, tensor_names=names, shape_and_slices=[""] * len(names),
        tensors=[tf.constant(values[n]) for n in names])
    return values


def compare_with_oracle(
    slim_build: Callable,
    slim_arg_scope: Callable | None,
    ours: Callable,
    our_arg_scope: Callable | None,
    x: np.ndarray,
    tmp_path: pathlib.Path,
    init_scale: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    check_order: bool = True,
    noise: NoiseFloor | str | None = None,
    **our_kwargs: Any,
):
    """Runs the original and ours from the same weights; asserts equal.

    Args:
        slim_build: ``fn(images_placeholder) -> (logits, end_points)``
            using ``tf_slim`` (or a research/slim net); called inside
            ``slim_arg_scope()`` if given.
        slim_arg_scope: the original's arg_scope factory (or None).
        ours: our net function; called with ``our_kwargs`` inside
            ``our_arg_scope()``.
        x: the input batch.
        noise: the golden net name whose noise floor sets the tolerance
            (``tests/noise_floor.py``); None: the net named like ``ours``
            (``vgg_16``, ``inception_v3_base`` -> ``inception_v3``) where
            it has a noise file, else the 1e-4 / 1e-5 floors.
        init_scale: None (default): weights from :func:`write_checkpoint`
            (He-scaled, named after OUR variables; the original restores
            every one of its variables from it, so a name it lacks fails
            there). A float: the oracle's own ``N(0, init_scale)`` init,
            saved and loaded into ours.

    Returns:
        ``(ref_logits, ref_end_points, model)``.
    """
    tf_slim = oracle.import_tf_slim()
    if noise is None:
        noise = _noise_net_of(ours)
    ref_order: list = []

    def build(images):
        if slim_arg_scope is None:
            logits, end_points = slim_build(images)
        else:
            with tf_slim.arg_scope(slim_arg_scope()):
                logits, end_points = slim_build(images)
        ref_order[:] = list(end_points)
        return logits, dict(end_points)

    model, _, _ = build_functional(ours, our_arg_scope, x.shape[1:],
                                   **our_kwargs)
    ckpt = str(pathlib.Path(tmp_path) / "oracle.ckpt")
    if init_scale is None:
        write_checkpoint(model.weights, ckpt)
        (ref_logits, ref_eps), values = oracle.run_slim(
            build, x, checkpoint_in=ckpt)
    else:
        (ref_logits, ref_eps), values = oracle.run_slim(
            build, x, checkpoint_out=ckpt, init_scale=init_scale)
    ours_paths = sorted(v.path for v in model.weights)
    assert ours_paths == sorted(values), (
        "variables differ from the original's: "
        f"ours-only {sorted(set(ours_paths) - set(values))}, "
        f"original-only {sorted(set(values) - set(ours_paths))}")
    oracle.load_by_name(model, ckpt)
    got_logits, got_eps = model(x, training=False)
    ref_eps = {k: ref_eps[k] for k in ref_order}
    assert_outputs_close(got_logits, got_eps, ref_logits, ref_eps,
                         rtol=rtol, atol=atol, check_order=check_order,
                         noise=noise)
    return ref_logits, ref_eps, model


def _noise_net_of(fn: Callable) -> str | None:
    """The golden net whose noise floor applies to ``fn`` (by its name:
    ``vgg_16``, ``inception_v3_base`` -> ``inception_v3``), or None."""
    name = getattr(fn, "__name__", "")
    name = name[:-len("_base")] if name.endswith("_base") else name
    return name if load_noise_floor(name).path else None


class _Proxy:
    """Module stand-in: ``overrides`` first, then the wrapped module."""

    def __init__(self, module, **overrides):
        self._module = module
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._module, name)


def narrow_conv_widths(
    monkeypatch,
    slim_modules: Sequence = (),
    our_modules: Sequence = (),
    divisor: int = 16,
    widths: Sequence[int] = (64, 128, 192, 256, 384, 512, 1024, 3072, 4096),
) -> None:
    """Divides the width of every ``conv2d`` in ``widths`` by ``divisor``.

    Full-width VGG/AlexNet/OverFeat hold 60-140M parameters (fc6 alone is
    7x7x512x4096); CI cannot afford that per test. This patches the conv2d
    the ORIGINAL net module calls (``<tf_slim net module>.layers.conv2d``,
    through a proxy of its ``layers`` name) and ours (``<module>.conv2d``)
    the same way, so structure, names, padding, pooling, end points and
    squeeze are still compared with the original at the real spatial size,
    only thinner. Other widths (the logits, e.g. 7 classes) are unchanged.
    Undone by ``monkeypatch`` at the end of the test.
    """
    widths = frozenset(widths)

    def wrap(orig, key_attr):
        def conv2d(inputs, num_outputs, *args, **kwargs):
            if num_outputs in widths:
                num_outputs = max(1, num_outputs // divisor)
            return orig(inputs, num_outputs, *args, **kwargs)

        setattr(conv2d, key_attr, getattr(orig, key_attr))
        conv2d.__name__ = orig.__name__
        return conv2d

    for mod in slim_modules:
        layers = mod.layers
        proxy = _Proxy(layers, conv2d=wrap(layers.conv2d, "_key_op"))
        monkeypatch.setattr(mod, "layers", proxy)
    for mod in our_modules:
        monkeypatch.setattr(mod, "conv2d", wrap(mod.conv2d, "_slim_key_op"))


def check_keras_lifecycle(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    tmp_path: pathlib.Path,
    jit: bool = True,
    atol: float = 1e-5,
) -> keras.Model:
    """compile + 1 fit step + predict + .keras round trip (+ jit call).

    ``model`` must output logits ``[B, num_classes]`` (sparse integer
    labels ``y``). Asserts the fit step changes the weights, the reloaded
    model has the same variable paths and predictions, and that a
    ``jit_compile=True`` compiled model predicts the same. Returns the
    reloaded model.
    """
    model.compile(
        optimizer=keras.optimizers.SGD(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    before = [np.array(v) for v in model.trainable_weights]
    hist = model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    after = [np.array(v) for v in model.trainable_weights]
    assert any(not np.array_equal(a, b) for a, b in zip(before, after)), (
        "one fit step changed no weight")
    pred = model.predict_on_batch(x)
    assert np.all(np.isfinite(pred))
    path = str(pathlib.Path(tmp_path) / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert [v.path for v in loaded.weights] == [v.path for v in model.weights]
    np.testing.assert_allclose(loaded.predict_on_batch(x), pred,
                               rtol=1e-5, atol=atol)
    if jit:
        loaded.compile(jit_compile=True)
        np.testing.assert_allclose(loaded.predict_on_batch(x), pred,
                                   rtol=1e-4, atol=1e-4)
    return loaded


def restore_excluding(
    model: keras.Model, checkpoint: str, exclude: Sequence[str]
) -> str:
    """Restores ``checkpoint`` into ``model`` except the ``exclude`` scopes.

    Uses ``slimkeras.checkpoints.restore`` when that module exists, else
    the test-side ``oracle.load_by_name`` (strict=False) on the filtered
    variables. Returns which one was used (``'checkpoints'``/``'oracle'``).
    """
    try:
        from slimkeras import checkpoints  # noqa: F401
        restore = checkpoints.restore
    except (ImportError, AttributeError):
        restore = None
    if restore is not None:
        try:
            restore(model, checkpoint, exclude=list(exclude))
            return "checkpoints"
        except TypeError:
            pass  # different signature: fall back to the oracle loader
    keep = [v for v in model.weights if not _excluded(v.path, exclude)]
    oracle.load_by_name(keep, checkpoint, strict=False)
    return "oracle"


def _excluded(path: str, exclude: Sequence[str]) -> bool:
    return any(path == s or path.startswith(s.rstrip("/") + "/")
               for s in exclude)


def check_fine_tune(
    make_model: Callable[[int], keras.Model],
    checkpoint: str,
    exclude: Sequence[str],
    x: np.ndarray,
    y: np.ndarray,
    steps: int = 5,
    learning_rate: float = 1e-2,
) -> dict:
    """Fine-tune demo: restore all but ``exclude`` into a 5-class model.

    Args:
        make_model: ``make_model(num_classes) -> keras.Model`` returning
            logits (built in a fresh name registry each call).
        checkpoint: a name-based checkpoint of the full net.
        exclude: scopes not restored (the logits scopes of the registry).
        x, y: a small batch (sparse labels in ``[0, 5)``).

    Asserts every non-excluded variable equals the checkpoint, excluded
    ones keep their fresh values, and the inference-mode loss on the batch
    goes down after ``steps`` Adam steps. Returns a small report.
    """
    import tensorflow as tf

    model = make_model(5)
    fresh = {v.path: np.array(v) for v in model.weights}
    used = restore_excluding(model, checkpoint, exclude)
    reader = tf.train.load_checkpoint(checkpoint)
    restored = 0
    for v in model.weights:
        if _excluded(v.path, exclude):
            np.testing.assert_array_equal(np.array(v), fresh[v.path])
        else:
            np.testing.assert_array_equal(np.array(v),
                                          reader.get_tensor(v.path))
            restored += 1
    assert restored > 0
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    loss0 = float(model.test_on_batch(x, y))
    for _ in range(steps):
        model.train_on_batch(x, y)
    loss1 = float(model.test_on_batch(x, y))
    assert loss1 < loss0, f"loss did not decrease: {loss0} -> {loss1}"
    return {"loader": used, "restored": restored, "loss": (loss0, loss1)}
