"""Training on several machines: research/slim's multi-worker flags on
``tf.distribute.MultiWorkerMirroredStrategy`` (MWMS), configured by
``TF_CONFIG``.

research/slim trained across machines with parameter servers
(``--worker_replicas``, ``--task``, ``--num_ps_tasks``, ``--sync_replicas``)
and model_deploy clones (``--num_clones``). Here every worker holds a full
copy of the variables and the gradients are summed over all replicas of
all workers each step (synchronous training, the TF2 convention):

* the cluster is ``TF_CONFIG`` (one per host), or is built from
  research/slim-style ``--worker_hosts host:port,… --task N``
  (:func:`tf_config_from_flags`);
* ``--num_clones`` stays the replicas per worker; ``--batch_size`` is per
  replica (research/slim's per-clone batch): the global batch is
  ``batch × replicas per worker × workers``; the learning rate is not
  rescaled;
* the chief (task ``chief``, else ``worker`` 0) writes checkpoints and
  summaries to ``train_dir``; every other worker writes its copies to a
  temporary directory of its own (:func:`worker_dir`, removed when the
  process exits) and never touches ``train_dir``;
* on start the chief restores the latest checkpoint of ``train_dir`` and
  every worker takes the chief's values (:func:`sync_from_chief`), so the
  other workers need not see ``train_dir`` at all;
* a worker that dies makes the others' next collective fail with
  ``tf.errors.UnavailableError`` (TF 2.21's coordination service: measured
  0.05 s when the chief died, about 7–10 s when another worker died);
  :func:`train` turns it into :class:`WorkerFailureError`. Relaunching all
  workers resumes from the chief's last checkpoint.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from typing import Any, NamedTuple

_log = logging.getLogger("slimkeras.learning")

PS_ERROR = (
    "parameter-server training is not supported; train synchronously with "
    "MultiWorkerMirroredStrategy instead: drop --num_ps_tasks and start one "
    "`slimkeras train --worker_hosts=h0:port,h1:port,… --task=N` per host "
    "(or set TF_CONFIG)")


class WorkerFailureError(RuntimeError):
    """A worker of the cluster stopped (died, or its connection broke)."""


class Cluster(NamedTuple):
    """The training cluster of a ``TF_CONFIG``: ``workers`` are the
    addresses of the ``chief`` (first, if any) and ``worker`` tasks."""

    workers: tuple
    task_type: str
    task_index: int
    has_chief_task: bool

    @property
    def num_workers(self) -> int:
        return len(self.workers)

    @property
    def is_chief(self) -> bool:
        if self.has_chief_task:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.task_index == 0


def tf_config_from_flags(worker_hosts: str | list, task: int) -> dict:
    """research/slim's ``--worker_hosts``/``--task`` as a ``TF_CONFIG``.

    Args:
        worker_hosts: ``"host:port,host:port,…"`` (or a list), the same
            list, in the same order, on every worker.
        task: this worker's index in that list (0 is the chief).

    Returns:
        ``{"cluster": {"worker": [...]}, "task": {"type": "worker",
        "index": task}}`` (``json.dumps`` it into ``TF_CONFIG``).
    """
    hosts = (worker_hosts.split(",") if isinstance(worker_hosts, str)
             else list(worker_hosts))
    hosts = [h.strip() for h in hosts if h.strip()]
    if not hosts:
        raise ValueError(
            "--worker_hosts: expected 'host:port,host:port,…'. Received: "
            f"{worker_hosts!r}.")
    for h in hosts:
        host, _, port = h.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(
                f"--worker_hosts: {h!r} is not host:port (e.g. "
                "10.0.0.1:2222).")
    if len(set(hosts)) != len(hosts):
        raise ValueError(f"--worker_hosts: an address repeats: {hosts}.")
    if not isinstance(task, int) or not 0 <= task < len(hosts):
        raise ValueError(
            f"--task={task!r}: must be an index into --worker_hosts (0 to "
            f"{len(hosts) - 1}).")
    return {"cluster": {"worker": hosts},
            "task": {"type": "worker", "index": task}}


def parse_tf_config(text: str | None) -> Cluster | None:
    """The training cluster of a ``TF_CONFIG`` string (None: no cluster).

    Raises:
        ValueError: not JSON, or a task that is not in the cluster.
    """
    if not text:
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"TF_CONFIG is not JSON ({e}): {text!r}.") from None
    cluster = config.get("cluster") or {}
    if not cluster:
        return None
    unsupported = sorted(set(cluster) - {"chief", "worker", "evaluator"})
    if unsupported:
        raise ValueError(
            f"TF_CONFIG: jobs {unsupported} are not supported ('ps' would "
            f"be parameter servers): {PS_ERROR}.")
    chief = list(cluster.get("chief") or [])
    if len(chief) > 1:
        raise ValueError(f"TF_CONFIG: at most one chief. Received: {chief}.")
    workers = tuple(chief + list(cluster.get("worker") or []))
    task = config.get("task") or {}
    task_type, index = task.get("type"), task.get("index", 0)
    size = {"chief": len(chief), "worker": len(cluster.get("worker") or []),
            "evaluator": len(cluster.get("evaluator") or [])}
    if task_type not in size or not isinstance(index, int) or not (
            0 <= index < size[task_type]):
        raise ValueError(
            f"TF_CONFIG: task {task!r} is not a task of the cluster "
            f"{cluster!r}.")
    return Cluster(workers, task_type, index, bool(chief))


def cluster_from_env(environ=None) -> Cluster | None:
    """:func:`parse_tf_config` of ``$TF_CONFIG``."""
    environ = os.environ if environ is None else environ
    return parse_tf_config(environ.get("TF_CONFIG"))


def set_tf_config(worker_hosts: str | None, task: int,
                  environ=None) -> Cluster | None:
    """Sets ``TF_CONFIG`` from ``--worker_hosts``/``--task`` (if given);
    returns the cluster ``TF_CONFIG`` then describes (None: one machine).

    Raises:
        ValueError: bad flags; ``--task`` without ``--worker_hosts`` and no
            ``TF_CONFIG``; or both ``--worker_hosts`` and a different
            ``TF_CONFIG``.
    """
    environ = os.environ if environ is None else environ
    if worker_hosts:
        config = tf_config_from_flags(worker_hosts, task)
        current = parse_tf_config(environ.get("TF_CONFIG"))
        wanted = parse_tf_config(json.dumps(config))
        if current is not None and current != wanted:
            raise ValueError(
                "--worker_hosts/--task and TF_CONFIG describe different "
                f"clusters (TF_CONFIG={environ['TF_CONFIG']!r}); give "
                "one of them.")
        environ["TF_CONFIG"] = json.dumps(config)
        return wanted
    cluster = parse_tf_config(environ.get("TF_CONFIG"))
    if cluster is None and task:
        raise ValueError(
            f"--task={task} needs --worker_hosts (or TF_CONFIG) to say "
            "which cluster the task belongs to.")
    if cluster is not None and task and task != cluster.task_index:
        raise ValueError(
            f"--task={task} differs from TF_CONFIG's task index "
            f"{cluster.task_index}.")
    return cluster


def set_cpu_replicas(n: int) -> None:
    """Splits the CPU into ``n`` logical devices (research/slim's
    ``--clone_on_cpu``), before TensorFlow initialises its devices.

    Raises:
        RuntimeError: TensorFlow's devices are already initialised with a
            different number of CPU devices (call this first thing).
    """
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * n)
    except RuntimeError:
        have = len(tf.config.list_logical_devices("CPU"))
        if have != n:
            raise RuntimeError(
                f"--clone_on_cpu: {n} CPU replicas must be configured "
                "before TensorFlow initialises its devices; it already has "
                f"{have} CPU device(s). Call set_cpu_replicas first.") \
                from None


def _limit_gpus(n: int) -> int:
    """Makes exactly the first ``n`` GPUs visible; returns how many."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    try:
        tf.config.set_visible_devices(gpus[:n], "GPU")
    except RuntimeError:  # already initialised: keep what is visible
        return len(tf.config.list_logical_devices("GPU"))
    return min(n, len(gpus))


def create_strategy(num_clones: int = 1, clone_on_cpu: bool = False,
                    cluster: Cluster | None = None):
    """The ``tf.distribute`` strategy for research/slim's flags.

    * no cluster, one clone: the default strategy;
    * no cluster, ``num_clones`` > 1: ``MirroredStrategy`` over that many
      GPUs, or logical CPU devices with ``clone_on_cpu`` (or when they
      exist);
    * a cluster of several workers: ``MultiWorkerMirroredStrategy`` with
      ``num_clones`` GPUs per worker (one CPU replica per worker: MWMS
      places one replica per worker on CPU hosts).

    Call it before anything else runs TensorFlow ops (MWMS and logical
    devices configure the runtime).

    Raises:
        ValueError: a combination the hardware or MWMS cannot give.
    """
    import tensorflow as tf

    if num_clones < 1:
        raise ValueError(f"--num_clones={num_clones}: must be >= 1.")
    if cluster is not None and cluster.num_workers > 1:
        if cluster.task_type == "evaluator":
            raise ValueError("TF_CONFIG: an 'evaluator' task does not "
                             "train; run `slimkeras eval` there instead.")
        if clone_on_cpu and num_clones > 1:
            raise ValueError(
                f"--num_clones={num_clones} with --clone_on_cpu on "
                f"{cluster.num_workers} workers: MultiWorkerMirroredStrategy"
                " runs one CPU replica per worker; start more workers "
                "(one per replica) instead.")
        if clone_on_cpu:
            tf.config.set_visible_devices([], "GPU")
        else:
            gpus = _limit_gpus(num_clones)
            if num_clones > 1 and gpus < num_clones:
                raise ValueError(
                    f"--num_clones={num_clones} per worker needs "
                    f"{num_clones} GPUs; found {gpus}.")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if clone_on_cpu and num_clones > 1:
        set_cpu_replicas(num_clones)
    if num_clones == 1:
        return tf.distribute.get_strategy()
    gpus = [] if clone_on_cpu else tf.config.list_logical_devices("GPU")
    if len(gpus) >= num_clones:
        return tf.distribute.MirroredStrategy(
            [d.name for d in gpus[:num_clones]])
    cpus = tf.config.list_logical_devices("CPU")
    if len(cpus) < num_clones:
        raise ValueError(
            f"--num_clones={num_clones} needs {num_clones} devices; found "
            f"{len(gpus)} GPU and {len(cpus)} CPU devices (add "
            "--clone_on_cpu for CPU replicas).")
    return tf.distribute.MirroredStrategy(
        [d.name for d in cpus[:num_clones]])


def is_multi_worker(strategy) -> bool:
    """True under a MultiWorkerMirroredStrategy of more than one worker."""

    return num_workers(strategy) > 1


def num_workers(strategy) -> int:
    """How many worker processes train together under ``strategy``."""
    import tensorflow as tf

    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return 1
    per_worker = len(strategy.extended.worker_devices)
    return max(1, strategy.num_replicas_in_sync // max(1, per_worker))


def is_chief(strategy) -> bool:
    """True where this process writes checkpoints and summaries."""
    return strategy is None or bool(strategy.extended.should_checkpoint)


def describe(strategy) -> str:
    """``"2 workers × 1 replica = 2 replicas in sync (this is the chief)"``."""
    workers = num_workers(strategy)
    per = strategy.num_replicas_in_sync // workers
    text = (f"{workers} worker{'s' * (workers > 1)} × {per} "
            f"replica{'s' * (per > 1)} = {strategy.num_replicas_in_sync} "
            "replicas in sync")
    if workers > 1:
        text += (" (this worker is the chief)" if is_chief(strategy)
                 else " (this worker is not the chief)")
    return text


_WORKER_DIRS: dict = {}


def _remove_worker_dirs() -> None:
    for path in _WORKER_DIRS.values():
        shutil.rmtree(path, ignore_errors=True)
    _WORKER_DIRS.clear()


atexit.register(_remove_worker_dirs)


def worker_dir(train_dir: str | None, strategy) -> str | None:
    """Where this worker writes checkpoints and summaries.

    The chief (and single-worker training): ``train_dir``. Any other
    worker: a temporary directory of its own for ``train_dir`` (the same
    one for each call in this process), removed when the process exits,
    so that a non-chief worker never writes to ``train_dir``.
    """
    if train_dir is None or is_chief(strategy):
        return train_dir
    key = os.path.abspath(os.fspath(train_dir))
    if key not in _WORKER_DIRS:
        _WORKER_DIRS[key] = tempfile.mkdtemp(prefix="slimkeras_worker_")
    return _WORKER_DIRS[key]


def chief_value(strategy, value: float) -> float:
    """The chief's ``value`` (a Python number), on every worker."""
    import tensorflow as tf

    if not is_multi_worker(strategy):
        return value
    mine = float(value) if is_chief(strategy) else 0.0
    return float(_from_chief(strategy, [tf.constant(mine)])[0])


def sync_from_chief(strategy, variables) -> None:
    """Assigns the chief's values of ``variables`` on every worker (one
    all-reduce where only the chief contributes). Every worker must call
    it with the same variables in the same order."""
    import tensorflow as tf

    if not is_multi_worker(strategy) or not variables:
        return
    values = _from_chief(strategy, [tf.convert_to_tensor(v) for v in
                                    variables])
    for v, value in zip(variables, values):
        v.assign(tf.cast(value, v.dtype))


def _from_chief(strategy, tensors):
    import tensorflow as tf

    # The chief's first replica contributes its values, every other
    # replica zeros: the sum is the chief's. Integers (the step) travel as
    # float64 (exact up to 2**53); one all-reduce per dtype.
    kinds = [t.dtype for t in tensors]
    wire = [tf.float64 if k.is_integer or k == tf.bool else k
            for k in kinds]
    mine = [tf.cast(t, w) for t, w in zip(tensors, wire)]
    groups: dict = {}
    for i, w in enumerate(wire):
        groups.setdefault(w, []).append(i)

    @tf.function
    def gather():
        def replica():
            ctx = tf.distribute.get_replica_context()
            first = tf.equal(ctx.replica_id_in_sync_group, 0)
            out = [None] * len(mine)
            for idx in groups.values():
                own = [tf.where(first, mine[i], tf.zeros_like(mine[i]))
                       for i in idx]
                for i, r in zip(idx, ctx.all_reduce(
                        tf.distribute.ReduceOp.SUM, own)):
                    out[i] = r
            return out

        out = strategy.run(replica)
        return [strategy.experimental_local_results(o)[0] for o in out]

    return [tf.cast(o, k) for o, k in zip(gather(), kinds)]


def sync_train_state(strategy, train_op) -> None:
    """:func:`sync_from_chief` for a train op's model and optimizer (after
    the chief restored its checkpoint, or ``init_fn`` ran)."""
    if not is_multi_worker(strategy):
        return
    model = getattr(train_op, "model", None)
    variables = list(model.weights) if model is not None else list(
        train_op.variables)
    seen = {id(v) for v in variables}
    variables += [v for v in train_op.optimizer.variables
                  if id(v) not in seen]
    sync_from_chief(strategy, variables)


@contextlib.contextmanager
def failures_stop(strategy, ckpt=None):
    """Turns the collective errors a stopped worker causes into
    :class:`WorkerFailureError` (multi-worker only; nothing is saved)."""
    import tensorflow as tf

    failures = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError,
                tf.errors.AbortedError, tf.errors.CancelledError)
    try:
        yield
    except failures as e:
        if not is_multi_worker(strategy):
            raise
        latest = None
        if ckpt is not None and is_chief(strategy):
            latest = ckpt.latest
        raise WorkerFailureError(failure_message(e, latest)) from e


def shard_policy(num_files: int, workers: int):
    """``FILE`` auto-sharding where every worker gets a file, else ``DATA``
    (each worker reads everything and keeps its share of the batches)."""
    import tensorflow as tf

    policy = tf.data.experimental.AutoShardPolicy
    return policy.FILE if num_files >= workers > 1 else policy.DATA


def shard_by(dataset, num_files: int, workers: int):
    """``dataset`` with :func:`shard_policy`'s auto-shard option set."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = shard_policy(
        num_files, workers)
    return dataset.with_options(options)


def fingerprint(variables) -> str:
    """A short SHA-256 of the variables' values (sorted by path): the same
    string on every worker when they hold the same weights."""
    h = hashlib.sha256()
    for v in sorted(variables, key=lambda v: v.path):
        h.update(v.path.encode())
        h.update(_numpy(v).tobytes())
    return h.hexdigest()[:16]


def _numpy(v) -> Any:
    import numpy as np

    return np.ascontiguousarray(np.asarray(v))


def failure_message(error: Exception, latest: str | None) -> str:
    return (f"a worker of the cluster stopped ({type(error).__name__}: "
            f"{_first_line(error)}); no checkpoint was written after the "
            "failure. Relaunch all workers with the same flags to resume "
            "from the chief's last checkpoint in train_dir"
            + (f" ({latest})." if latest else "."))


def _first_line(error) -> str:
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    pick = next((ln for ln in lines if "abort" in ln.lower()),
                lines[0] if lines else "")
    return pick[:240]
