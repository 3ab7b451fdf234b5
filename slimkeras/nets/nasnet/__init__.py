"""NASNet-A and PNASNet-5, as research/slim's ``nets/nasnet`` package.

``nasnet_utils``: hparams stand-in, factorized reduction, drop-path and
the cell builders. ``nasnet``: ``build_nasnet_cifar/mobile/large``.
``pnasnet``: ``build_pnasnet_large/mobile``. Importing registers
``nasnet_cifar``, ``nasnet_mobile``, ``nasnet_large``, ``pnasnet_large``
and ``pnasnet_mobile``.
"""

from slimkeras.nets.nasnet import nasnet as nasnet
from slimkeras.nets.nasnet import nasnet_utils as nasnet_utils
from slimkeras.nets.nasnet import pnasnet as pnasnet
