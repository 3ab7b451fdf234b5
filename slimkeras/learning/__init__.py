"""Training: Keras ``fit`` first; slim's train loop and fine-tuning controls.

* :func:`freeze_scopes` / :func:`set_trainable_scopes` — research/slim's
  ``--trainable_scopes`` on Keras variables (same pattern language as
  ``restore``), optionally pinning frozen batch norms to inference.
* :func:`create_train_op` — a compiled train step with slim's
  ``clip_gradient_norm``, ``gradient_multipliers``, ``variables_to_train``
  and ``check_numerics``.
* :func:`train` — slim's ``learning.train(train_op, logdir, …)`` loop
  (slim's signature; the batches come as ``dataset=``) on ``tf.function``,
  ``tf.train.CheckpointManager`` (resumes from ``logdir``) and
  ``tf.summary``; :func:`train_step` is its default ``train_step_fn``.
* :class:`StopOnNaN` (in :mod:`.callbacks`) — a ``fit`` callback that
  raises ``NonFiniteLossError`` naming the step at the first NaN/Inf loss.
* :func:`configure_learning_rate` / :func:`configure_optimizer` —
  research/slim's flags mapped onto ``keras.optimizers``.
"""

from slimkeras.learning import callbacks as callbacks
from slimkeras.learning.callbacks import StopOnNaN as StopOnNaN
from slimkeras.learning.freezing import freeze_scopes as freeze_scopes
from slimkeras.learning.freezing import (
    set_trainable_scopes as set_trainable_scopes,
)
from slimkeras.learning.init_from_checkpoint import (
    InitFromCheckpoint as InitFromCheckpoint,
)
from slimkeras.learning.loop import NonFiniteLossError as NonFiniteLossError
from slimkeras.learning.loop import NoTrainingStepError as NoTrainingStepError
from slimkeras.learning.loop import train as train
from slimkeras.learning.loop import train_step as train_step
from slimkeras.learning.multipliers import scale_gradients as scale_gradients
from slimkeras.learning.optimizers import (
    configure_learning_rate as configure_learning_rate,
)
from slimkeras.learning.optimizers import (
    configure_optimizer as configure_optimizer,
)
from slimkeras.learning.train_op import TrainStep as TrainStep
from slimkeras.learning.train_op import create_train_op as create_train_op

__all__ = [
    "InitFromCheckpoint",
    "NoTrainingStepError",
    "NonFiniteLossError",
    "StopOnNaN",
    "TrainStep",
    "configure_learning_rate",
    "configure_optimizer",
    "create_train_op",
    "freeze_scopes",
    "scale_gradients",
    "set_trainable_scopes",
    "train",
    "train_step",
]
