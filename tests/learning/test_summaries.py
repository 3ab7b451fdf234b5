"""The train loop's summary cadence: every ``every_n_steps`` steps, every
``every_secs`` seconds and the last step, each step at most once; read
back with tensorboard's EventAccumulator. (A whole ``slimkeras train``
run's research/slim tags: tests/cli/test_cli.py.)"""

import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator as ea

from slimkeras.learning.summaries import StepValues, TrainSummaries


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _read(logdir):
    acc = ea.EventAccumulator(str(logdir), size_guidance={ea.TENSORS: 0})
    acc.Reload()
    return {tag: [(e.step, float(tf.make_ndarray(e.tensor_proto)))
                  for e in acc.Tensors(tag)]
            for tag in acc.Tags()["tensors"]}


def test_step_and_time_cadence_each_step_once(tmp_path):
    clock, calls = _Clock(), []
    writer = tf.summary.create_file_writer(str(tmp_path))

    def extra(step):
        calls.append(step)
        tf.summary.scalar("extra", step * 10.0, step=step)

    s = TrainSummaries(writer, every_n_steps=20, every_secs=100.0,
                       summary_fn=extra, clock=clock)
    for step in range(1, 66):
        clock.now += 1.0 if step != 7 else 150.0  # a slow step 7
        s.after_step(step, 1.0 / step)
    s.finish(65, 1.0 / 65)  # not a multiple of 20: written at the end
    s.finish(65, 1.0 / 65)  # again: nothing more
    got = _read(tmp_path)
    want_steps = [7, 20, 40, 60, 65]
    assert calls == want_steps
    assert [st for st, _ in got["total_loss"]] == want_steps
    np.testing.assert_allclose([v for _, v in got["total_loss"]],
                               [1.0 / st for st in want_steps], rtol=1e-6)
    assert got["extra"] == [(st, st * 10.0) for st in want_steps]
    # global_step/sec: steps since the last write over the clock's seconds
    # (step 1 starts the count at t=1; steps 2..7 took 5 + 150 s).
    rate = dict(got["global_step/sec"])
    np.testing.assert_allclose(rate[7], 6 / 155.0, rtol=1e-6)
    np.testing.assert_allclose(rate[20], 13 / 13.0, rtol=1e-6)


def test_no_step_cadence_writes_by_time_and_at_the_end(tmp_path):
    clock = _Clock()
    writer = tf.summary.create_file_writer(str(tmp_path))
    s = TrainSummaries(writer, every_n_steps=0, every_secs=600.0,
                       clock=clock)
    for step in range(1, 11):
        clock.now += 1.0
        s.after_step(step, 2.0)
    s.finish(10, 2.0)
    assert [st for st, _ in _read(tmp_path)["total_loss"]] == [10]


def test_step_values_follow_research_slim_arithmetic(tmp_path):
    values = StepValues()
    logits = tf.constant([[2.0, 0.0], [0.0, 1.0], [3.0, 0.0], [0.0, 5.0]])
    values.record(main=tf.constant(0.5), aux=tf.constant(0.25),
                  reg=tf.constant(0.125), logits=logits,
                  labels=tf.constant([0, 1, 1, 1]))
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=3):
        values.write()
    writer.flush()
    got = {tag: v for tag, ((_, v),) in _read(tmp_path).items()}
    assert got == {"losses/softmax_cross_entropy_loss/value": 0.5,
                   "losses/aux_loss/value": 0.25,
                   "Losses/clone_loss": 0.75,  # main + aux, no reg
                   "Losses/regularization_loss": 0.125,
                   "accuracy": 0.75}
    off = StepValues(enabled=False)  # several replicas: nothing recorded
    off.record(main=tf.constant(1.0))
    assert not off.seen
