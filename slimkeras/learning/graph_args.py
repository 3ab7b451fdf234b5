"""slim ``learning.train``'s TF1 graph arguments, checked by name.

Each argument slim's ``train`` took is either accepted (its default, or a
value whose eager meaning is the same) or rejected with a ``ValueError``
that names it and says what to use instead: nothing a TF1 program asked
for is dropped silently.
"""

from __future__ import annotations

from typing import Any

# slim's "use the default" sentinel (tf_slim.learning._USE_DEFAULT).
USE_DEFAULT = 0

# name -> (values accepted as no-ops, what to use instead)
_GRAPH_ONLY = {
    "graph": ((None,), "eager code has no graph; build the model and the "
              "train step before calling train()"),
    "master": ((None, ""), "tf.distribute strategies "
               "(MultiWorkerMirroredStrategy with TF_CONFIG) instead of a "
               "TF1 master address"),
    "init_op": ((USE_DEFAULT, None), "nothing: Keras variables are "
                "initialized when created; use init_fn= for a restore"),
    "init_feed_dict": ((None,), "nothing: eager code feeds no placeholders; "
                       "pass the data as dataset="),
    "local_init_op": ((USE_DEFAULT, None), "nothing: metric variables are "
                      "Keras metric state; reset them with "
                      "metric.reset_state()"),
    "ready_op": ((USE_DEFAULT, None), "nothing: eager variables are ready "
                 "once created"),
    "summary_op": ((USE_DEFAULT, None), "tf.summary.* calls inside "
                   "train_step_fn (written to summary_writer), or "
                   "keras.callbacks.TensorBoard with fit"),
    "saver": ((None,), "max_to_keep=, save_interval_steps= / "
              "save_interval_secs= (train() writes a TrainingCheckpoint), or "
              "slimkeras.checkpoints.save_tf1_checkpoint for a TF-Slim file"),
    "sync_optimizer": ((None,), "tf.distribute.MirroredStrategy / "
                       "MultiWorkerMirroredStrategy (create the model and "
                       "the train op under strategy.scope())"),
    "session_config": ((None,), "tf.config (e.g. "
                       "tf.config.threading.set_intra_op_parallelism_threads"
                       ", tf.config.set_visible_devices)"),
    "session_wrapper": ((None,), "a train_step_fn that wraps the default "
                        "slimkeras.learning.train_step (eager code has no "
                        "session)"),
    "trace_every_n_steps": ((None,), "tf.profiler.experimental.start(logdir)"
                            " / stop() around the steps to trace, or "
                            "keras.callbacks.TensorBoard(profile_batch=...)"),
}


def check(**given: Any) -> None:
    """Raises ``ValueError`` naming the first graph-only argument set."""
    for name, value in given.items():
        accepted, instead = _GRAPH_ONLY[name]
        if any(value is a or (isinstance(a, str) and value == a)
               for a in accepted):
            continue
        raise ValueError(
            f"train: {name}={value!r} is a TF1 graph/session argument with "
            f"no eager meaning; use {instead}."
        )


def check_replica(is_chief: Any, startup_delay_steps: Any) -> None:
    if is_chief is not True:
        raise ValueError(
            f"train: is_chief={is_chief!r}: slimkeras trains one "
            "process per replica with tf.distribute "
            "(MultiWorkerMirroredStrategy); every worker calls train() "
            "with is_chief=True (the default).")
    if startup_delay_steps:
        raise ValueError(
            f"train: startup_delay_steps={startup_delay_steps!r} delayed "
            "TF1 parameter-server replicas; tf.distribute replicas start "
            "together: pass 0 (the default).")
