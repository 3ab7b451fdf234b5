"""Inception-family test helpers on top of ``net_checks``.

* :func:`check_creation_order`: a functional model lists its weights in
  graph (topological) order, which for multi-branch blocks is not the
  order slim created them. The name registry keeps layers in construction
  order, and each slim function builds its layer as soon as it constructs
  it, so registry order x per-layer weights is the creation order.
* :func:`check_aux_fine_tune`: restore all but the logits scopes into a
  5-class model with an aux head, train logits + 0.4 * aux loss.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

import slimkeras as slim
from tests.nets import net_checks


def check_creation_order(manifest: dict, net_fn: Callable,
                         arg_scope_fn: Callable, **net_kwargs: Any) -> None:
    """Variables in creation order equal ``manifest['model_variables']``."""
    batch, *shape = manifest["input_shape"]
    kwargs = dict(manifest.get("kwargs", {}))
    kwargs.update(net_kwargs)
    with keras.StatelessScope():
        inputs = keras.Input(shape=tuple(shape), batch_size=batch)
        with slim.name_registry() as reg:
            with slim.arg_scope(arg_scope_fn()):
                net_fn(inputs, **kwargs)
            layers = list(reg.layers.values())
        got = [(v.path, [int(d) for d in v.shape])
               for layer in layers for v in layer.weights]
    want = [(v["name"], list(v["shape"])) for v in manifest["model_variables"]]
    net_checks._assert_list_equal(got, want, "variables (creation order)")


def check_manifest_prefix(manifest: dict, base_fn: Callable,
                          arg_scope_fn: Callable, final_endpoint: str,
                          input_shape: Sequence[int]) -> None:
    """A truncated base: variables and end points are manifest prefixes.

    Cheap stand-in for the full-size check in the fast suite: names and
    shapes up to ``final_endpoint``, in creation order, at the manifest's
    spatial size (shapes of end points are compared too).
    """
    with keras.StatelessScope():
        inputs = keras.Input(shape=tuple(input_shape[1:]),
                             batch_size=input_shape[0])
        with slim.name_registry() as reg:
            with slim.arg_scope(arg_scope_fn()):
                _, end_points = base_fn(inputs, final_endpoint=final_endpoint)
            layers = list(reg.layers.values())
        got = [(v.path, [int(d) for d in v.shape])
               for layer in layers for v in layer.weights]
    want = [(v["name"], list(v["shape"]))
            for v in manifest["model_variables"]][:len(got)]
    net_checks._assert_list_equal(got, want, "variables (prefix)")
    want_eps = [(e["name"], list(e["shape"]))
                for e in manifest["end_points"]][:len(end_points)]
    got_eps = [(k, [int(d) for d in v.shape]) for k, v in end_points.items()]
    assert got_eps == want_eps
    assert list(end_points)[-1] == final_endpoint


def check_aux_fine_tune(
    make_model: Callable[[int], keras.Model],
    checkpoint: str,
    exclude: Sequence[str],
    aux_scope: str,
    x: np.ndarray,
    y: np.ndarray,
    steps: int = 5,
) -> dict:
    """Fine-tune with the aux head weighted 0.4 (slim's train_image_classifier).

    ``make_model(num_classes)`` returns a model with dict outputs
    ``{'Logits': …, 'AuxLogits': …}``. Asserts: non-excluded variables
    equal the checkpoint, the total inference loss decreases, the aux
    head's weights change, and the compiled loss weights are 1.0 / 0.4.
    """
    import tensorflow as tf

    model = make_model(5)
    used = net_checks.restore_excluding(model, checkpoint, exclude)
    reader = tf.train.load_checkpoint(checkpoint)
    restored = 0
    for v in model.weights:
        if not net_checks._excluded(v.path, exclude):
            np.testing.assert_array_equal(np.array(v),
                                          reader.get_tensor(v.path))
            restored += 1
    assert restored > 0
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss={"Logits": ce, "AuxLogits": ce},
        loss_weights={"Logits": 1.0, "AuxLogits": 0.4},
    )
    aux_before = {v.path: np.array(v) for v in model.trainable_weights
                  if v.path.startswith(aux_scope + "/")}
    assert aux_before
    targets = {"Logits": y, "AuxLogits": y}
    loss0 = model.test_on_batch(x, targets, return_dict=True)
    for _ in range(steps):
        model.train_on_batch(x, targets)
    loss1 = model.test_on_batch(x, targets, return_dict=True)
    assert loss1["loss"] < loss0["loss"], (loss0, loss1)
    changed = [p for p, v in aux_before.items()
               if not np.array_equal(v, np.array(
                   next(w for w in model.weights if w.path == p)))]
    assert changed, "the aux head did not train"
    return {"loader": used, "restored": restored, "loss": (loss0, loss1)}
