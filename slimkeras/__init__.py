"""slimkeras: TF-Slim reborn on Keras 3 (TensorFlow backend), eager first.

``import slimkeras as slim`` gives tf_slim's public names: ``arg_scope``,
the layers (``conv2d``, ``fully_connected``, ``batch_norm``, ``repeat``,
``stack`` …), regularizers, initializers and the variables API, with
variables named exactly as TF-Slim named them.
"""

from slimkeras import activations as activations
from slimkeras import initializers as initializers
from slimkeras import layers as layers
from slimkeras import naming as naming
from slimkeras import regularizers as regularizers
from slimkeras import scopes as scopes
from slimkeras.activations import elu as elu
from slimkeras.activations import linear as linear
from slimkeras.activations import relu as relu
from slimkeras.activations import relu6 as relu6
from slimkeras.initializers import (
    variance_scaling_initializer as variance_scaling_initializer,
)
from slimkeras.initializers import xavier_initializer as xavier_initializer
from slimkeras.initializers import (
    xavier_initializer_conv2d as xavier_initializer_conv2d,
)
from slimkeras.layers import *  # noqa: F401,F403  (re-exported below)
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

__version__ = "0.1.0"
