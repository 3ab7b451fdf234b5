"""slim's losses (``tf_slim.losses``) for eager Keras code.

Loss functions with slim's signatures and ``weights`` semantics
(``loss_ops``), ``compute_weighted_loss`` and ``Reduction``
(``weighting``), the per-context ``LossCollector`` behind ``add_loss`` /
``get_losses`` / ``get_regularization_losses`` / ``get_total_loss``
(``collection``), and ``Loss`` / ``as_keras_loss`` to use any of them in
``model.compile`` (``keras_loss``).
"""

from slimkeras.losses.collection import LOSSES as LOSSES
from slimkeras.losses.collection import LossCollector as LossCollector
from slimkeras.losses.collection import add_loss as add_loss
from slimkeras.losses.collection import current_collector as current_collector
from slimkeras.losses.collection import get_losses as get_losses
from slimkeras.losses.collection import (
    get_regularization_losses as get_regularization_losses,
)
from slimkeras.losses.collection import get_total_loss as get_total_loss
from slimkeras.losses.keras_loss import Loss as Loss
from slimkeras.losses.keras_loss import as_keras_loss as as_keras_loss
from slimkeras.losses.loss_ops import absolute_difference as absolute_difference
from slimkeras.losses.loss_ops import cosine_distance as cosine_distance
from slimkeras.losses.loss_ops import hinge_loss as hinge_loss
from slimkeras.losses.loss_ops import huber_loss as huber_loss
from slimkeras.losses.loss_ops import log_loss as log_loss
from slimkeras.losses.loss_ops import (
    mean_pairwise_squared_error as mean_pairwise_squared_error,
)
from slimkeras.losses.loss_ops import mean_squared_error as mean_squared_error
from slimkeras.losses.loss_ops import (
    sigmoid_cross_entropy as sigmoid_cross_entropy,
)
from slimkeras.losses.loss_ops import (
    softmax_cross_entropy as softmax_cross_entropy,
)
from slimkeras.losses.loss_ops import (
    sparse_softmax_cross_entropy as sparse_softmax_cross_entropy,
)
from slimkeras.losses.loss_ops import sum_of_squares as sum_of_squares
from slimkeras.losses.weighting import Reduction as Reduction
from slimkeras.losses.weighting import (
    compute_weighted_loss as compute_weighted_loss,
)

__all__ = [
    "LOSSES", "LossCollector", "Loss", "Reduction", "absolute_difference",
    "add_loss", "as_keras_loss", "compute_weighted_loss", "cosine_distance",
    "current_collector", "get_losses", "get_regularization_losses",
    "get_total_loss", "hinge_loss", "huber_loss", "log_loss",
    "mean_pairwise_squared_error", "mean_squared_error",
    "sigmoid_cross_entropy", "softmax_cross_entropy",
    "sparse_softmax_cross_entropy", "sum_of_squares",
]
