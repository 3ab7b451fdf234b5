"""slimkeras: TF-Slim reborn on Keras 3 (TensorFlow backend), eager first.

``import slimkeras as slim`` gives tf_slim's public names: ``arg_scope``,
the layers (``conv2d``, ``fully_connected``, ``batch_norm``, ``repeat``,
``stack`` …), regularizers, initializers and the variables API, with
variables named exactly as TF-Slim named them.
"""

import os as _os
import sys as _sys

# Run as a program (``python -m slimkeras …`` sets argv[0] to "-m" while
# the package is imported; the ``slimkeras`` console script), TensorFlow's
# C++ INFO/WARNING lines are quieted before TensorFlow is imported below.
# A library import leaves the user's process as it is.
if _sys.argv and (_sys.argv[0] == "-m" or
                  _os.path.basename(_sys.argv[0]) == "slimkeras"):
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
del _os, _sys

from slimkeras import activations as activations  # noqa: E402
from slimkeras import checkpoints as checkpoints  # noqa: E402

# tf_slim's top-level module aliases (``slim.data``, ``slim.dataset``,
# ``slim.tfexample_decoder`` … after a plain ``import tf_slim as slim``).
from slimkeras import data as data  # noqa: E402
from slimkeras import evaluation as evaluation  # noqa: E402
from slimkeras import inference as inference  # noqa: E402
from slimkeras import initializers as initializers
from slimkeras import layers as layers
from slimkeras import learning as learning  # noqa: E402
from slimkeras import losses as losses
from slimkeras import metrics as metrics
from slimkeras import naming as naming
from slimkeras import nets as nets  # noqa: E402
from slimkeras import not_ported as _not_ported  # noqa: E402
from slimkeras import patterns as patterns  # noqa: E402
from slimkeras import regularizers as regularizers
from slimkeras import scopes as scopes
from slimkeras import utils as utils
from slimkeras import variables as variables  # noqa: E402
from slimkeras.activations import elu as elu
from slimkeras.activations import linear as linear
from slimkeras.activations import relu as relu
from slimkeras.activations import relu6 as relu6
from slimkeras.checkpoints import (  # noqa: E402
    assign_from_checkpoint as assign_from_checkpoint,
)
from slimkeras.checkpoints import (
    assign_from_checkpoint_fn as assign_from_checkpoint_fn,
)
from slimkeras.data import dataset as dataset  # noqa: E402
from slimkeras.data import parallel_reader as parallel_reader  # noqa: E402
from slimkeras.data import provider as _provider  # noqa: E402
from slimkeras.data import tfexample_decoder as tfexample_decoder  # noqa: E402
from slimkeras.initializers import (
    variance_scaling_initializer as variance_scaling_initializer,
)
from slimkeras.initializers import xavier_initializer as xavier_initializer
from slimkeras.initializers import (
    xavier_initializer_conv2d as xavier_initializer_conv2d,
)
from slimkeras.layers import *  # noqa: F401,F403  (re-exported below)

# tf_slim's top-level alias of tf_slim.layers.normalization (a module).
from slimkeras.layers import normalization as normalization
from slimkeras.model import Model as Model
from slimkeras.model_summary import summary as summary  # noqa: E402
from slimkeras.naming import name_registry as name_registry
from slimkeras.naming import variable_scope as variable_scope
from slimkeras.regularizers import apply_regularization as apply_regularization
from slimkeras.regularizers import l1_l2_regularizer as l1_l2_regularizer
from slimkeras.regularizers import l1_regularizer as l1_regularizer
from slimkeras.regularizers import l2_regularizer as l2_regularizer
from slimkeras.regularizers import sum_regularizer as sum_regularizer
from slimkeras.scopes import add_arg_scope as add_arg_scope
from slimkeras.scopes import arg_scope as arg_scope
from slimkeras.scopes import arg_scope_func_key as arg_scope_func_key
from slimkeras.scopes import arg_scoped_arguments as arg_scoped_arguments
from slimkeras.scopes import current_arg_scope as current_arg_scope
from slimkeras.scopes import has_arg_scope as has_arg_scope
from slimkeras.variables import (  # noqa: E402
    add_model_variable as add_model_variable,
)
from slimkeras.variables import (
    assign_from_values as assign_from_values,
)
from slimkeras.variables import (
    assign_from_values_fn as assign_from_values_fn,
)
from slimkeras.variables import (
    create_global_step as create_global_step,
)
from slimkeras.variables import (
    filter_variables as filter_variables,
)
from slimkeras.variables import (
    get_global_step as get_global_step,
)
from slimkeras.variables import (
    get_local_variables as get_local_variables,
)
from slimkeras.variables import (
    get_model_variables as get_model_variables,
)
from slimkeras.variables import (
    get_or_create_global_step as get_or_create_global_step,
)
from slimkeras.variables import (
    get_trainable_variables as get_trainable_variables,
)
from slimkeras.variables import (
    get_unique_variable as get_unique_variable,
)
from slimkeras.variables import (
    get_variable_full_name as get_variable_full_name,
)
from slimkeras.variables import (
    get_variables as get_variables,
)
from slimkeras.variables import (
    get_variables_by_name as get_variables_by_name,
)
from slimkeras.variables import (
    get_variables_by_suffix as get_variables_by_suffix,
)
from slimkeras.variables import (
    get_variables_to_restore as get_variables_to_restore,
)
from slimkeras.variables import (
    global_variable as global_variable,
)
from slimkeras.variables import (
    local_variable as local_variable,
)
from slimkeras.variables import (
    model_variable as model_variable,
)
from slimkeras.variables import (
    variable as variable,
)

arg_scope_lib = scopes
data_provider = dataset_data_provider = _provider


# The public surface: tests/test_public_api.py snapshots it. The layers
# (classes and slim function forms) come from slimkeras.layers.__all__.
__all__ = [
    *layers.__all__,
    "Model",
    "activations",
    "add_arg_scope",
    "add_model_variable",
    "apply_regularization",
    "arg_scope",
    "arg_scope_func_key",
    "arg_scope_lib",
    "arg_scoped_arguments",
    "assign_from_checkpoint",
    "assign_from_checkpoint_fn",
    "assign_from_values",
    "assign_from_values_fn",
    "checkpoints",
    "create_global_step",
    "current_arg_scope",
    "data",
    "data_provider",
    "dataset",
    "dataset_data_provider",
    "elu",
    "evaluation",
    "filter_variables",
    "get_global_step",
    "get_local_variables",
    "get_model_variables",
    "get_or_create_global_step",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variable_full_name",
    "get_variables",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_variables_to_restore",
    "global_variable",
    "has_arg_scope",
    "inference",
    "initializers",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "layers",
    "learning",
    "linear",
    "local_variable",
    "losses",
    "metrics",
    "model_variable",
    "name_registry",
    "naming",
    "nets",
    "normalization",
    "parallel_reader",
    "patterns",
    "regularizers",
    "relu",
    "relu6",
    "scopes",
    "sum_regularizer",
    "summary",
    "tfexample_decoder",
    "utils",
    "variable",
    "variable_scope",
    "variables",
    "variance_scaling_initializer",
    "xavier_initializer",
    "xavier_initializer_conv2d",
]

def __getattr__(name: str):
    # tf_slim names slimkeras does not provide: say what to use instead.
    raise _not_ported.attribute_error(__name__, name)


__version__ = "0.1.0"
