"""slim layers: Keras layer classes and their slim-style function forms.

``slim.layers.Conv2D(...)`` is the class; ``slim.layers.conv2d(inputs, ...)``
(also ``slim.conv2d``) builds it under the current scopes and calls it.
Both take their defaults from ``arg_scope`` under one key.
"""

from slimkeras.layers.base import SlimLayer as SlimLayer
from slimkeras.layers.batch_norm import BatchNorm as BatchNorm
from slimkeras.layers.batch_norm import batch_norm as batch_norm
from slimkeras.layers.bias_add import BiasAdd as BiasAdd
from slimkeras.layers.bias_add import bias_add as bias_add
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
from slimkeras.layers.conv_in_plane import ConvInPlane as ConvInPlane
from slimkeras.layers.conv_in_plane import conv2d_in_plane as conv2d_in_plane
from slimkeras.layers.conv_in_plane import (
    convolution2d_in_plane as convolution2d_in_plane,
)
from slimkeras.layers.conv_transpose import Conv2DTranspose as Conv2DTranspose
from slimkeras.layers.conv_transpose import Conv3DTranspose as Conv3DTranspose
from slimkeras.layers.conv_transpose import (
    conv2d_transpose as conv2d_transpose,
)
from slimkeras.layers.conv_transpose import (
    conv3d_transpose as conv3d_transpose,
)
from slimkeras.layers.conv_transpose import (
    convolution2d_transpose as convolution2d_transpose,
)
from slimkeras.layers.conv_transpose import (
    convolution3d_transpose as convolution3d_transpose,
)
from slimkeras.layers.dropout import Dropout as Dropout
from slimkeras.layers.dropout import dropout as dropout
from slimkeras.layers.flatten import Flatten as Flatten
from slimkeras.layers.flatten import flatten as flatten
from slimkeras.layers.fully_connected import FullyConnected as FullyConnected
from slimkeras.layers.fully_connected import fully_connected as fully_connected
from slimkeras.layers.group_norm import GroupNorm as GroupNorm
from slimkeras.layers.group_norm import group_norm as group_norm
from slimkeras.layers.hard_activations import (
    hard_sigmoid_gate as hard_sigmoid_gate,
)
from slimkeras.layers.hard_activations import hard_swish as hard_swish
from slimkeras.layers.misc import Maxout as Maxout
from slimkeras.layers.misc import OneHotEncoding as OneHotEncoding
from slimkeras.layers.misc import ScaleGradient as ScaleGradient
from slimkeras.layers.misc import Softmax as Softmax
from slimkeras.layers.misc import UnitNorm as UnitNorm
from slimkeras.layers.misc import maxout as maxout
from slimkeras.layers.misc import one_hot_encoding as one_hot_encoding
from slimkeras.layers.misc import scale_gradient as scale_gradient
from slimkeras.layers.misc import softmax as softmax
from slimkeras.layers.misc import unit_norm as unit_norm
from slimkeras.layers.normalization import InstanceNorm as InstanceNorm
from slimkeras.layers.normalization import LayerNorm as LayerNorm
from slimkeras.layers.normalization import instance_norm as instance_norm
from slimkeras.layers.normalization import layer_norm as layer_norm
from slimkeras.layers.pool_generic import Pool as Pool
from slimkeras.layers.pool_generic import pool as pool
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
from slimkeras.layers.separable_conv import SeparableConv2D as SeparableConv2D
from slimkeras.layers.separable_conv import (
    separable_conv2d as separable_conv2d,
)
from slimkeras.layers.separable_conv import (
    separable_convolution2d as separable_convolution2d,
)
from slimkeras.layers.sequence import ImagesToSequence as ImagesToSequence
from slimkeras.layers.sequence import SequenceToImages as SequenceToImages
from slimkeras.layers.sequence import images_to_sequence as images_to_sequence
from slimkeras.layers.sequence import sequence_to_images as sequence_to_images
from slimkeras.layers.spatial_softmax import SpatialSoftmax as SpatialSoftmax
from slimkeras.layers.spatial_softmax import spatial_softmax as spatial_softmax
from slimkeras.layers.upsample import pad_spatial as pad_spatial
from slimkeras.layers.upsample import resize_bilinear as resize_bilinear
from slimkeras.layers.upsample import resize_nearest as resize_nearest

__all__ = [
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "BatchNorm",
    "BiasAdd",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "ConvInPlane",
    "Convolution",
    "Dropout",
    "Flatten",
    "FullyConnected",
    "GroupNorm",
    "ImagesToSequence",
    "InstanceNorm",
    "LayerNorm",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "Maxout",
    "OneHotEncoding",
    "Pool",
    "ScaleGradient",
    "SeparableConv2D",
    "SequenceToImages",
    "SlimLayer",
    "Softmax",
    "SpatialSoftmax",
    "UnitNorm",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bias_add",
    "conv1d",
    "conv2d",
    "conv2d_in_plane",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "convolution",
    "convolution1d",
    "convolution2d",
    "convolution2d_in_plane",
    "convolution2d_transpose",
    "convolution3d",
    "convolution3d_transpose",
    "dropout",
    "flatten",
    "fully_connected",
    "group_norm",
    "hard_sigmoid_gate",
    "hard_swish",
    "images_to_sequence",
    "instance_norm",
    "layer_norm",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "maxout",
    "one_hot_encoding",
    "pad_spatial",
    "pool",
    "repeat",
    "resize_bilinear",
    "resize_nearest",
    "scale_gradient",
    "separable_conv2d",
    "separable_convolution2d",
    "sequence_to_images",
    "softmax",
    "spatial_softmax",
    "stack",
    "unit_norm",
]
