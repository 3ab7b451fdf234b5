"""tf_slim 1.1.0 top-level names that slimkeras does not provide.

``import slimkeras as slim`` then ``slim.queues`` (or any name below)
raises ``AttributeError`` saying what to use instead, so TF1 code that
reaches for a graph-mode name fails at the line that names it. The texts
follow the rows of ``docs/migration.md`` (section ``tf_slim``).
"""

from __future__ import annotations

# tf_slim name -> what to use in slimkeras / TF2.
TOP_LEVEL = {
    # Graph-mode machinery (no eager counterpart).
    "GDN": "use `tensorflow_compression.GDNParameter`-style layers or a "
           "custom Keras layer (GDN is not ported)",
    "gdn": "use a custom Keras layer (GDN is not ported)",
    "OPTIMIZER_SUMMARIES": "use `keras.callbacks.TensorBoard` (graph-mode "
                           "summary names)",
    "RevBlock": "use `tf.recompute_grad` around a Keras layer (reversible "
                "blocks are not ported)",
    "rev_block": "use `tf.recompute_grad` (not ported)",
    "rev_block_lib": "use `tf.recompute_grad` (module not ported)",
    "recompute_grad": "use `tf.recompute_grad` (core TF2)",
    "VariableDeviceChooser": "use `tf.distribute` strategies (no manual "
                             "parameter-server placement)",
    "adaptive_clipping_fn": "use `keras.optimizers.*(clipnorm=…)` or "
                            "`global_clipnorm` (adaptive clipping is not "
                            "ported)",
    "bucketization_op": "use `keras.layers.Discretization`",
    "bucketize": "use `keras.layers.Discretization` (Keras preprocessing "
                 "layer)",
    "dense_to_sparse": "use `tf.sparse.from_dense` (core TF2)",
    "model_analyzer": "use `model.summary()` (slim layer names are the "
                      "variable scopes) or "
                      "`slimkeras.variables.get_model_variables`",
    "prefetch_queue": "use `tf.data.Dataset.prefetch` (queues are gone)",
    "queues": "use `tf.data` (queue runners do not exist in eager TF2)",
    "summaries": "use `tf.summary` / `keras.callbacks.TensorBoard` (TF1 "
                 "summary collections are gone)",
    "summarize_activation": "use `tf.summary.histogram` on the end point",
    "summarize_activations": "use `tf.summary.histogram` over `end_points`",
    "summarize_collection": "use `tf.summary.histogram` (TF2 has no graph "
                            "collections)",
    "summarize_tensor": "use `tf.summary.scalar`/`histogram`",
    "summarize_tensors": "use `tf.summary.scalar`/`histogram`",
    "ops": "use `slimkeras.scopes` (tf_slim.ops.arg_scope) and "
           "`slimkeras.variables` (tf_slim.ops.variables)",
    # Mapped to a slimkeras name with a different API.
    "OPTIMIZER_CLS_NAMES": "use `slimkeras.learning.configure_optimizer` "
                           "(research/slim's optimizer names → "
                           "`keras.optimizers`)",
    "optimize_loss": "use `slimkeras.learning.create_train_op`, or "
                     "`model.compile(optimizer)` + `fit`",
    "optimizers": "use `slimkeras.learning.optimizers` "
                  "(`configure_optimizer`, `configure_learning_rate`)",
    "assert_global_step": "use `slimkeras.get_global_step` (the step is "
                          "`optimizer.iterations`)",
    "assert_or_get_global_step": "use `slimkeras.get_or_create_global_step`"
                                 " or `optimizer.iterations`",
    "data_decoder": "use `slimkeras.data.tfexample_decoder` "
                    "(`TFExampleDecoder` + item handlers)",
    "legacy_fully_connected": "use `slimkeras.fully_connected` (same "
                              "variables, slim's current arguments)",
    "train_eval": "use `slimkeras.evaluation` and `slimkeras.learning`",
    "training": "use `slimkeras.learning` (`create_train_op`, `train`) or "
                "`model.fit`",
}


def attribute_error(module: str, name: str) -> AttributeError:
    """The ``AttributeError`` for ``module.name`` (with advice if known)."""
    advice = TOP_LEVEL.get(name) if module == "slimkeras" else None
    if advice is None:
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    return AttributeError(
        f"module {module!r} has no attribute {name!r}: tf_slim.{name} is "
        f"not provided by slimkeras; {advice}. See docs/migration.md.")
