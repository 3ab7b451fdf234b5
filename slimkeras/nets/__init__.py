"""The slim net zoo. Importing this package registers every net."""

from slimkeras.nets import alexnet as alexnet  # noqa: E402
from slimkeras.nets import cifarnet as cifarnet  # noqa: E402
from slimkeras.nets import i3d as i3d  # noqa: E402
from slimkeras.nets import inception_resnet_v2 as inception_resnet_v2  # noqa: E402,E501
from slimkeras.nets import inception_utils as inception_utils  # noqa: E402
from slimkeras.nets import inception_v1 as inception_v1  # noqa: E402
from slimkeras.nets import inception_v2 as inception_v2  # noqa: E402
from slimkeras.nets import inception_v3 as inception_v3  # noqa: E402
from slimkeras.nets import inception_v4 as inception_v4  # noqa: E402
from slimkeras.nets import lenet as lenet  # noqa: E402
from slimkeras.nets import mobilenet_v1 as mobilenet_v1  # noqa: E402
from slimkeras.nets import nasnet as nasnet  # noqa: E402  (nasnet, pnasnet)
from slimkeras.nets import overfeat as overfeat  # noqa: E402
from slimkeras.nets import resnet_utils as resnet_utils  # noqa: E402
from slimkeras.nets import resnet_v1 as resnet_v1  # noqa: E402
from slimkeras.nets import resnet_v2 as resnet_v2  # noqa: E402
from slimkeras.nets import s3dg as s3dg  # noqa: E402
from slimkeras.nets import vgg as vgg  # noqa: E402  (registers vgg_*)
from slimkeras.nets.mobilenet import mobilenet_v2 as mobilenet_v2  # noqa: E402,E501
from slimkeras.nets.mobilenet import mobilenet_v3 as mobilenet_v3  # noqa: E402,E501
from slimkeras.nets.pretrained import PretrainedCfg as PretrainedCfg
from slimkeras.nets.pretrained import get_pretrained_cfg as get_pretrained_cfg
from slimkeras.nets.pretrained import list_pretrained as list_pretrained
from slimkeras.nets.registry import NetSpec as NetSpec
from slimkeras.nets.registry import create_model as create_model
from slimkeras.nets.registry import get_net as get_net
from slimkeras.nets.registry import list_nets as list_nets
from slimkeras.nets.registry import register_net as register_net

# The registry API and the net modules (research/slim's `from nets import
# resnet_v1`).
__all__ = [
    "NetSpec",
    "PretrainedCfg",
    "alexnet",
    "cifarnet",
    "create_model",
    "get_net",
    "get_pretrained_cfg",
    "i3d",
    "inception_resnet_v2",
    "inception_utils",
    "inception_v1",
    "inception_v2",
    "inception_v3",
    "inception_v4",
    "lenet",
    "list_nets",
    "list_pretrained",
    "mobilenet_v1",
    "mobilenet_v2",
    "mobilenet_v3",
    "nasnet",
    "overfeat",
    "register_net",
    "resnet_utils",
    "resnet_v1",
    "resnet_v2",
    "s3dg",
    "vgg",
]
