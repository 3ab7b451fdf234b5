"""slim layers: Keras layer classes and their slim-style function forms.

``slim.layers.Conv2D(...)`` is the class; ``slim.layers.conv2d(inputs, ...)``
(also ``slim.conv2d``) builds it under the current scopes and calls it.
Both take their defaults from ``arg_scope`` under one key.
"""

from slimkeras.layers.base import SlimLayer as SlimLayer
from slimkeras.layers.batch_norm import BatchNorm as BatchNorm
from slimkeras.layers.batch_norm import batch_norm as batch_norm
from slimkeras.layers.conv import Conv1D as Conv1D
from slimkeras.layers.conv import Conv2D as Conv2D
from slimkeras.layers.conv import Conv3D as Conv3D
from slimkeras.layers.conv import Convolution as Convolution
from slimkeras.layers.conv import conv1d as conv1d
from slimkeras.layers.conv import conv2d as conv2d
from slimkeras.layers.conv import conv3d as conv3d
from slimkeras.layers.conv import convolution as convolution
from slimkeras.layers.conv import convolution1d as convolution1d
from slimkeras.layers.conv import convolution2d as convolution2d
from slimkeras.layers.conv import convolution3d as convolution3d
from slimkeras.layers.dropout import Dropout as Dropout
from slimkeras.layers.dropout import Flatten as Flatten
from slimkeras.layers.dropout import dropout as dropout
from slimkeras.layers.dropout import flatten as flatten
from slimkeras.layers.fully_connected import FullyConnected as FullyConnected
from slimkeras.layers.fully_connected import fully_connected as fully_connected
from slimkeras.layers.pooling import AvgPool1D as AvgPool1D
from slimkeras.layers.pooling import AvgPool2D as AvgPool2D
from slimkeras.layers.pooling import AvgPool3D as AvgPool3D
from slimkeras.layers.pooling import MaxPool1D as MaxPool1D
from slimkeras.layers.pooling import MaxPool2D as MaxPool2D
from slimkeras.layers.pooling import MaxPool3D as MaxPool3D
from slimkeras.layers.pooling import avg_pool1d as avg_pool1d
from slimkeras.layers.pooling import avg_pool2d as avg_pool2d
from slimkeras.layers.pooling import avg_pool3d as avg_pool3d
from slimkeras.layers.pooling import max_pool1d as max_pool1d
from slimkeras.layers.pooling import max_pool2d as max_pool2d
from slimkeras.layers.pooling import max_pool3d as max_pool3d
from slimkeras.layers.repeat import repeat as repeat
from slimkeras.layers.repeat import stack as stack
