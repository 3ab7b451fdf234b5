"""Writes docs/migration.md: every tf_slim 1.1.0 public name -> slimkeras.

Run: ``python docs/make_migration_guide.py`` (needs tf-slim 1.1.0 and
tf_keras, the test extra). Names slimkeras defines under the same name are
found automatically (``slimkeras.<name>``, ``slimkeras.<module>.<name>``);
every other name needs an entry in ``MANUAL`` — the script fails on a name
it cannot place, so the guide cannot silently miss one.
``tests/test_migration_guide.py`` checks the written guide.
"""

from __future__ import annotations

import importlib
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import tf_slim_names  # noqa: E402

OBS = "obsolete in TF2, use "

# tf_slim name (unqualified; qualified wins) -> (slimkeras name or None,
# note). A slimkeras name is checked to resolve.
MANUAL: dict[str, tuple[str | None, str]] = {
    # --- layers that slimkeras does not (yet) provide ---
    "GDN": (None, OBS + "`tensorflow_compression.GDNParameter`-style layers "
            "or a custom Keras layer — not ported (rarely used)."),
    "gdn": (None, OBS + "a custom Keras layer — GDN is not ported."),
    "RevBlock": (None, OBS + "`tf.recompute_grad` around a Keras layer — "
                 "reversible blocks are not ported."),
    "rev_block": (None, OBS + "`tf.recompute_grad` — not ported."),
    "rev_block_lib": (None, OBS + "`tf.recompute_grad` — module not ported."),
    "recompute_grad": (None, OBS + "`tf.recompute_grad` (core TF2)."),
    "bucketize": (None, OBS + "`keras.layers.Discretization` (Keras "
                  "preprocessing layer)."),
    "bucketization_op": (None, OBS + "`keras.layers.Discretization`."),
    "dense_to_sparse": (None, OBS + "`tf.sparse.from_dense` (core TF2)."),
    "legacy_fully_connected": ("slimkeras.fully_connected",
                               "the pre-1.0 variant; same variables."),
    "legacy_linear": ("slimkeras.fully_connected",
                      "with `activation_fn=None`."),
    "legacy_relu": ("slimkeras.fully_connected",
                    "with the default `activation_fn` (ReLU)."),
    "linear": ("slimkeras.fully_connected", "with `activation_fn=None` "
               "(slim's alias; `slimkeras.linear` is the activation)."),
    "softmax": ("slimkeras.softmax", "softmax over the last dimension."),
    # --- optimizers / optimize_loss (tf.contrib.layers) ---
    "OPTIMIZER_CLS_NAMES": ("slimkeras.learning.configure_optimizer",
                            "research/slim's optimizer names → "
                            "`keras.optimizers`."),
    "OPTIMIZER_SUMMARIES": (None, OBS + "`keras.callbacks.TensorBoard` — "
                            "graph-mode summary names."),
    "optimize_loss": ("slimkeras.learning.create_train_op",
                      "or `model.compile(optimizer)` + `fit`; "
                      "gradient clipping via `clip_gradient_norm`."),
    "optimizers": ("slimkeras.learning.optimizers",
                   "optimizer/learning-rate factories on `keras.optimizers`."),
    "optimizer_": ("slimkeras.learning.optimizers", "module alias."),
    "adaptive_clipping_fn": (None, OBS + "`keras.optimizers.*(clipnorm=…)` "
                             "or `global_clipnorm` — adaptive clipping is "
                             "not ported."),
    # --- summaries ---
    "summaries": (None, OBS + "`tf.summary` / `keras.callbacks.TensorBoard` "
                  "— TF1 summary collections are gone."),
    "summary": (None, OBS + "`tf.summary` (TF2 summaries write eagerly)."),
    "summarize_activation": (None, OBS + "`tf.summary.histogram` on the "
                             "end point."),
    "summarize_activations": (None, OBS + "`tf.summary.histogram` over "
                              "`end_points`."),
    "summarize_collection": (None, OBS + "`tf.summary.histogram` — TF2 has "
                             "no graph collections."),
    "summarize_tensor": (None, OBS + "`tf.summary.scalar`/`histogram`."),
    "summarize_tensors": (None, OBS + "`tf.summary.scalar`/`histogram`."),
    "summarize_biases": (None, OBS + "`tf.summary.histogram` over "
                         "`model.weights`."),
    "summarize_weights": (None, OBS + "`tf.summary.histogram` over "
                          "`model.weights`."),
    "summarize_variables": (None, OBS + "`tf.summary.histogram` over "
                            "`model.weights`."),
    "add_histogram_summaries": (None, OBS + "`tf.summary.histogram`."),
    "add_histogram_summary": (None, OBS + "`tf.summary.histogram`."),
    "add_image_summaries": (None, OBS + "`tf.summary.image`."),
    "add_image_summary": (None, OBS + "`tf.summary.image`."),
    "add_scalar_summaries": (None, OBS + "`tf.summary.scalar`."),
    "add_scalar_summary": (None, OBS + "`tf.summary.scalar`."),
    "add_zero_fraction_summaries": (None, OBS + "`tf.summary.scalar` of "
                                    "`tf.math.zero_fraction`."),
    "add_zero_fraction_summary": (None, OBS + "`tf.summary.scalar` of "
                                  "`tf.math.zero_fraction`."),
    "add_gradients_summaries": (None, OBS + "`tf.summary.histogram` of the "
                                "gradients in a custom train step."),
    # --- variables / global step / devices ---
    "VariableDeviceChooser": (None, OBS + "`tf.distribute` strategies — "
                              "no manual parameter-server placement."),
    "assert_global_step": ("slimkeras.get_global_step",
                           "TF2 has no graph to assert on; the step is "
                           "`optimizer.iterations`."),
    "assert_or_get_global_step": ("slimkeras.get_or_create_global_step",
                                  "or `optimizer.iterations`."),
    "arg_scope_lib": ("slimkeras.scopes", "the arg_scope module."),
    "arg_scope": ("slimkeras.arg_scope", ""),
    "add_arg_scope": ("slimkeras.add_arg_scope", ""),
    "tf_slim.ops.arg_scope": ("slimkeras.scopes", "the arg_scope module."),
    "tf_slim.ops.variables.arg_scope": ("slimkeras.scopes",
                                        "alias of the arg_scope module."),
    # --- learning ---
    "clip_gradient_norms": ("slimkeras.learning.create_train_op",
                            "pass `clip_gradient_norm=`; or "
                            "`keras.optimizers.*(clipnorm=…)`."),
    "multiply_gradients": ("slimkeras.learning.create_train_op",
                           "pass `gradient_multipliers=`."),
    "train_step": ("slimkeras.learning.train_step",
                   "the default `train_step_fn`: `(batch, train_op, "
                   "global_step, kwargs) -> (total_loss, should_stop)`; the "
                   "batch takes the session's place. The compiled step "
                   "`create_train_op` returns is "
                   "`slimkeras.learning.TrainStep`."),
    "train": ("slimkeras.learning.train",
              "slim's signature and order (`train_op, logdir, "
              "train_step_fn, train_step_kwargs, …`); the batches come as "
              "`dataset=`; TF1 graph/session arguments raise naming the "
              "replacement; returns the last loss, raises "
              "`NoTrainingStepError` when no step ran (slim ran one step "
              "past `number_of_steps`)."),
    "batch_norm": ("slimkeras.batch_norm",
                   "`batch_weights=w` (one weight per example) is a per-call "
                   "argument, `slim.batch_norm(x, batch_weights=w)` or "
                   "`layer(x, batch_weights=w)`: weighted moments, slim's "
                   "non-fused path; as a conv's `normalizer_params` entry it "
                   "raises (build the conv with `normalizer_fn=None`, then "
                   "call `batch_norm`)."),
    "training": ("slimkeras.learning", "TF1 `tf.train` alias; training "
                 "lives in `slimkeras.learning` / `model.fit`."),
    "train_eval": ("slimkeras.evaluation", "train/eval helpers: "
                   "`slimkeras.learning` and `slimkeras.evaluation`."),
    "learning": ("slimkeras.learning", "module."),
    # --- evaluation ---
    "SummaryAtEndHook": (None, OBS + "`tf.summary` after "
                         "`slimkeras.evaluation.evaluate_once` — session "
                         "hooks are gone."),
    "StopAfterNEvalsHook": ("slimkeras.evaluation.evaluate_once",
                            "pass `num_evals=`; session hooks are gone."),
    "checkpoints_iterator": ("slimkeras.evaluation.wait_for_new_checkpoint",
                             "loop over it (or use `evaluation_loop`)."),
    "evaluate_repeatedly": ("slimkeras.evaluation.evaluation_loop",
                            "the TF2 loop over new checkpoints."),
    "evaluation": ("slimkeras.evaluation", "module."),
    "get_or_create_eval_step": (None, OBS + "a Python counter / "
                                "`metric.count` — eval loops are eager."),
    # --- losses not ported ---
    "metric_learning": (None, OBS + "TensorFlow Addons' successors "
                        "(`tfa.losses`, archived) or a custom loss — "
                        "metric-learning losses are not ported."),
    "cluster_loss": (None, OBS + "a custom loss — not ported (needs "
                     "sklearn-style clustering ops)."),
    "contrastive_loss": (None, OBS + "a custom Keras loss — not ported."),
    "lifted_struct_loss": (None, OBS + "a custom Keras loss — not ported."),
    "npairs_loss": (None, OBS + "a custom Keras loss — not ported."),
    "npairs_loss_multilabel": (None, OBS + "a custom Keras loss — not "
                               "ported."),
    "triplet_semihard_loss": (None, OBS + "a custom Keras loss (TF "
                              "Addons had `TripletSemiHardLoss`) — not "
                              "ported."),
    # --- metrics ---
    "accuracy": ("slimkeras.metrics.accuracy",
                 "one batch, no state, slim's arguments and dtype checks "
                 "(integer widths may differ); over many batches use "
                 "`streaming_accuracy` or `slimkeras.metrics.Accuracy`."),
    "streaming_accuracy": ("slimkeras.metrics.streaming_accuracy",
                           "eager idiom (every `streaming_*`): `value, "
                           "update = streaming_accuracy()` once, before the "
                           "loop; `update(predictions, labels)` per batch; "
                           "`value()` reads it. Built from data inside the "
                           "loop it would hold one batch (warns)."),
    "auc_using_histogram": ("slimkeras.metrics.AUC",
                            "or `keras.metrics.AUC`."),
    "auc_with_confidence_intervals": (None, OBS + "`keras.metrics.AUC` + "
                                      "bootstrapping — not ported."),
    "classification": ("slimkeras.metrics", "module of `accuracy`/`f1`."),
    "cohen_kappa": (None, OBS + "`sklearn.metrics.cohen_kappa_score` on "
                    "the predictions — not ported."),
    "f1_score": (None, OBS + "`keras.metrics.F1Score` (core Keras 3)."),
    "histogram_ops": (None, OBS + "`keras.metrics.AUC` — module internal."),
    "metric_ops": ("slimkeras.metrics", "module."),
    "precision_at_recall": (None, OBS + "`keras.metrics.PrecisionAtRecall`."),
    "recall_at_precision": (None, OBS + "`keras.metrics.RecallAtPrecision`."),
    "precision_recall_at_equal_thresholds": (
        "slimkeras.metrics.PrecisionAtThresholds",
        "with the same thresholds as `RecallAtThresholds`."),
    "sparse_recall_at_top_k": ("slimkeras.metrics.SparseRecallAtK",
                               "or `streaming_sparse_recall_at_k`."),
    "streaming_concat": (None, OBS + "a Python list of eager batches + "
                         "`np.concatenate` — no graph needed."),
    "streaming_covariance": (None, OBS + "`np.cov` on collected "
                             "predictions — not ported."),
    "streaming_pearson_correlation": (None, OBS + "`keras.metrics.R2Score` "
                                      "or `np.corrcoef` — not ported."),
    "streaming_curve_points": (None, OBS + "`keras.metrics.AUC` "
                               "(`.true_positives` etc. hold the curve)."),
    "streaming_dynamic_auc": ("slimkeras.metrics.AUC",
                              "or `keras.metrics.AUC`."),
    "streaming_sensitivity_at_specificity": (
        None, OBS + "`keras.metrics.SensitivityAtSpecificity`."),
    "streaming_specificity_at_sensitivity": (
        None, OBS + "`keras.metrics.SpecificityAtSensitivity`."),
    "streaming_sparse_average_precision_at_k": (
        None, OBS + "`keras_rs`/`tf.keras` ranking metrics or a custom "
        "metric — not ported."),
    "streaming_sparse_average_precision_at_top_k": (
        None, OBS + "a custom ranking metric — not ported."),
    "streaming_sparse_precision_at_top_k": (
        "slimkeras.metrics.streaming_sparse_precision_at_k",
        "with the top-k indices' k."),
    # --- data ---
    "data_decoder": ("slimkeras.data.tfexample_decoder",
                     "decoders are `TFExampleDecoder` + item handlers."),
    "DataDecoder": ("slimkeras.data.tfexample_decoder.TFExampleDecoder",
                    "the only decoder kind; no abstract base needed."),
    "data_provider": ("slimkeras.data.provider", "module."),
    "DataProvider": ("slimkeras.data.DatasetDataProvider",
                     "the only provider kind (on `tf.data`)."),
    "dataset_data_provider": ("slimkeras.data.provider", "module."),
    "dataset": ("slimkeras.data.dataset", "module (`Dataset`)."),
    "DatasetDataProvider": ("slimkeras.data.DatasetDataProvider",
                            "on `tf.data`, no queues."),
    "parallel_reader": ("slimkeras.data.parallel_reader", "module."),
    "ParallelReader": ("slimkeras.data.parallel_reader.parallel_read",
                       "`tf.data` interleave replaces the reader queue."),
    "get_data_files": ("slimkeras.data.parallel_reader.list_files",
                       "same glob semantics."),
    "prefetch_queue": (None, OBS + "`tf.data.Dataset.prefetch` — queues "
                       "are gone."),
    "tfexample_decoder": ("slimkeras.data.tfexample_decoder", "module."),
    "BoundingBoxSequence": (None, OBS + "`tf.io.parse_sequence_example` — "
                            "SequenceExample decoding is not ported."),
    "KeypointsSequence": (None, OBS + "`tf.io.parse_sequence_example` — "
                          "not ported."),
    "NumBoxesSequence": (None, OBS + "`tf.io.parse_sequence_example` — "
                         "not ported."),
    "TFSequenceExampleDecoder": (None, OBS + "`tf.io.parse_sequence_"
                                 "example` — not ported."),
    # --- queues / model_analyzer ---
    "queues": (None, OBS + "`tf.data` — queue runners do not exist in "
               "eager TF2."),
    "QueueRunners": (None, OBS + "`tf.data` — no queue runners in TF2."),
    "NestedQueueRunnerError": (None, OBS + "`tf.data` — no queue runners."),
    "model_analyzer": (None, OBS + "`model.summary()` — slim layer names "
                       "are the variable scopes."),
    "analyze_ops": (None, OBS + "`model.summary()` / `tf.profiler` — no "
                    "graph ops in eager mode."),
    "analyze_vars": ("slimkeras.variables.get_model_variables",
                     "and `model.summary()` (paths are slim names)."),
    "tensor_description": (None, OBS + "`f'{t.shape} {t.dtype}'` — "
                           "helper of analyze_vars."),
    # --- nets ---
    "inception": ("slimkeras.nets", "`slimkeras.nets.inception_v1/v2/v3` "
                  "modules (v4 and inception_resnet_v2 too)."),
    "trunc_normal": ("slimkeras.initializers.truncated_normal_initializer",
                     "nets' private helper."),
}

# Module aliases and helpers tf_slim modules imported from other tf_slim
# modules: (name) -> target.
MODULE_ALIASES = {
    "layers": "slimkeras.layers", "layers_lib": "slimkeras.layers",
    "initializers": "slimkeras.initializers",
    "regularizers": "slimkeras.regularizers",
    "arg_scope": "slimkeras.arg_scope",
    "add_arg_scope": "slimkeras.add_arg_scope",
    "variables": "slimkeras.variables", "losses": "slimkeras.losses",
    "metrics": "slimkeras.metrics", "nets": "slimkeras.nets",
    "data": "slimkeras.data", "utils": "slimkeras.utils",
    "ops": "slimkeras", "normalization": "slimkeras.layers.normalization",
}

PREFIXES = {
    "tf_slim": ["slimkeras.", "slimkeras.layers."],
    "tf_slim.layers": ["slimkeras.", "slimkeras.layers."],
    "tf_slim.layers.initializers": ["slimkeras.initializers."],
    "tf_slim.layers.regularizers": ["slimkeras.regularizers."],
    "tf_slim.ops": ["slimkeras."],
    "tf_slim.ops.arg_scope": ["slimkeras.scopes."],
    "tf_slim.ops.variables": ["slimkeras.variables.", "slimkeras."],
    "tf_slim.data": ["slimkeras.data."],
    "tf_slim.data.dataset_data_provider": ["slimkeras.data."],
    "tf_slim.data.dataset": ["slimkeras.data."],
    "tf_slim.nets": ["slimkeras.nets."],
    "tf_slim.nets.inception": ["slimkeras.nets.inception_v1.",
                               "slimkeras.nets.inception_v2.",
                               "slimkeras.nets.inception_v3."],
}


def resolve(dotted: str):
    """The object ``dotted`` names in slimkeras, or None."""
    parts = dotted.split(".")
    obj = None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            break
        except ImportError:
            continue
    else:
        return None
    for p in parts[i:]:
        obj = getattr(obj, p, None)
        if obj is None:
            return None
    return obj


def internal_target(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return f"`{obj.__name__}`"
    return "`__future__`" if type(obj).__name__ == "_Feature" else "Python"


def entry(modname: str, module, name: str) -> tuple[str, str]:
    """(slimkeras column, note column) for ``modname.name``."""
    qual = f"{modname}.{name}"
    if qual in MANUAL or name in MANUAL:
        target, note = MANUAL.get(qual) or MANUAL[name]
    else:
        target = None
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType) and name in MODULE_ALIASES:
            target = MODULE_ALIASES[name]
        prefixes = PREFIXES.get(modname) or [
            "slimkeras." + modname[len("tf_slim."):] + "."]
        for p in prefixes + ["slimkeras."]:
            if target is not None:
                break
            if resolve(p + name) is not None:
                target = p + name
                break
        if target is None and isinstance(obj, types.ModuleType) and (
                name in MODULE_ALIASES):
            target = MODULE_ALIASES[name]
        if target is None:
            raise SystemExit(f"no slimkeras name for {qual}: add it to "
                             "MANUAL")
        note = ""
        if isinstance(obj, types.ModuleType) and obj.__name__ != qual:
            note = f"alias of `{obj.__name__}` (module)."
    if target is not None and resolve(target) is None:
        raise SystemExit(f"{qual}: {target} does not resolve")
    return (f"`{target}`" if target else "—"), note


def main() -> None:
    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    import oracle

    oracle._shim()
    names = tf_slim_names.public_names()
    out = [HEADER]
    total = 0
    for modname, public in names.items():
        module = importlib.import_module(modname)
        api = [n for n in public if not tf_slim_names.is_internal(module, n)]
        internal = [n for n in public if n not in api]
        total += len(public)
        out.append(f"\n## {modname}\n")
        if api:
            out.append("| tf_slim | slimkeras | notes |")
            out.append("|---|---|---|")
            for n in api:
                target, note = entry(modname, module, n)
                out.append(f"| `{n}` | {target} | {note} |")
        if internal:
            out.append("")
            out.append("Not API (names tf_slim imported from TensorFlow, "
                       "Python or `__future__`; obsolete in TF2, use the "
                       "`tf.*` / Python originals): "
                       + ", ".join(f"`{n}`" for n in internal) + ".")
    out.append(f"\n---\n{total} names in {len(names)} modules. Generated by "
               "`docs/make_migration_guide.py`; checked by "
               "`tests/test_migration_guide.py`.\n")
    path = os.path.join(HERE, "migration.md")
    with open(path, "w") as f:
        f.write("\n".join(out))
    print(f"wrote {path}: {total} names")


HEADER = ("""# Migrating from tf_slim (tf.contrib.slim) to slimkeras

Every public name of tf_slim 1.1.0 — the top-level package and its
submodules — and what to use in slimkeras. `import tf_slim as slim`
becomes `import slimkeras as slim`; most model code then runs eagerly
unchanged (see `notebooks/03_migrating_from_tf_slim.ipynb`).

How to read the tables:

* **slimkeras** — the name to use. Names with the same spelling keep
  tf_slim's arguments; variables get the same checkpoint names
  (`variable.path`).
* **—** with "obsolete in TF2, use X" — graph-mode machinery with no
  eager counterpart (sessions, queues, collections, summaries ops), or
  an op slimkeras does not port; X is what to use instead. After
  `import slimkeras as slim`, `slim.<name>` for such a top-level name (and
  for one mapped to a differently named slimkeras API) raises
  `AttributeError` saying what to use; tf_slim's submodules
  (`slim.data`, `slim.learning`, `slim.metrics` …) are attributes, as in
  tf_slim.

What changes in practice:

| tf_slim (TF1 graph) | slimkeras (TF2 eager, Keras 3) |
|---|---|
"""
    "| `tf.Graph`, `tf.Session`, `sess.run` | eager calls; `keras.Model` |\n"
    "| `tf.variable_scope(…, reuse=True)` / `make_template` | "
    "`slim.Model(model_fn)` reuses layers by scope path; it takes "
    "structured inputs (tuple/list/dict, as Keras models) and returns what "
    "`model_fn` returns (`preds, end_points = slim.Model(fn)(x)`; for "
    "`fit` on such a function use `slim.Model(lambda x: fn(x)[0])`) |\n"
    "| `with tf.variable_scope('a') as sc` (`sc.name`, "
    "`sc.original_name_scope`) | `with slim.variable_scope('a') as sc`: a "
    "`str` (the path) with TF1's `.name`, `.original_name_scope` (`a/`, "
    "then `a_1/` on re-entry) and `.reuse`; passing `sc` back re-enters "
    "that scope |\n"
    "| `tf.reset_default_graph()` / a new `tf.Graph` per build | nothing: "
    'each model is its own "graph" — a model is what grows from its '
    "`keras.Input`s; building the same net or model function again (direct "
    "call, `nets_factory`, `create_model`, `slim.Model`) gives the same "
    "variable paths, so a checkpoint restores after a re-run. Explicitly: "
    "`with slim.name_registry():`; `keras.backend.clear_session()` also "
    "starts afresh. Per thread. Two layers of one model at one explicit "
    "scope raise TF1's \"Variable … already exists\" (use `reuse=True`). "
    "Multi-input models whose branches start with the same default name: "
    "open `slim.name_registry()` around the build (Keras otherwise reports "
    "the duplicate layer name) |\n"
    "| `tf.get_collection(GraphKeys.MODEL_VARIABLES)` / "
    "`slim.get_model_variables()` | unchanged: without an owner the "
    "queries read the variables made in the current name registry (the "
    "model being built, or the last one built in this thread); or pass the "
    "model first: `slim.get_model_variables(model, 'vgg_16/fc8')` |\n"
    "| `slim.learning.train(train_op, logdir)` | `model.compile` + "
    "`model.fit`, or `slimkeras.learning.train(train_op, logdir, "
    "dataset=ds)` |\n"
    "| `value, update_op = slim.metrics.streaming_accuracy(preds, labels)` "
    "+ `sess.run(update_op)` per batch | `value, update = "
    "slimkeras.metrics.streaming_accuracy()` before the loop, "
    "`update(preds, labels)` per batch |\n"
    "| `slim.evaluation.evaluation_loop` | `model.evaluate`, or "
    "`slimkeras.evaluation.evaluation_loop` |\n"
    "| `slim.assign_from_checkpoint_fn` + `init_fn` | "
    "`slimkeras.checkpoints.restore(model, path, exclude=…)` |\n"
    "| `tf.train.Saver` | `slimkeras.checkpoints.save_tf1_checkpoint` "
    "(TF-Slim format) or `TrainingCheckpoint` |\n"
    "| `tf.GraphKeys.REGULARIZATION_LOSSES` | `model.losses`; "
    "`slim.losses.get_regularization_losses()` (no collector) also has the "
    "penalties of `slim.variable(…, regularizer=…)` made outside a layer |\n"
    "| `slim.summaries.*` | `tf.summary.*`, `keras.callbacks.TensorBoard` |\n"
    "| queues / `slim.queues` / `prefetch_queue` | `tf.data` |\n"
    "| `train_image_classifier.py --flags` | `python -m slimkeras train "
    "--flags` |\n"
    "| `freeze_graph` + `optimize_for_inference` / `transform_graph "
    "--transforms=fold_batch_norms` | `slimkeras.inference.freeze(model)` "
    "(`.write_graph(path)` for a frozen `GraphDef`), or "
    "`slimkeras.inference.fold_batch_norms(model)` then "
    "`model.export(dir)` / `python -m slimkeras export --fold_batch_norms` "
    "|\n"
)


if __name__ == "__main__":
    main()
