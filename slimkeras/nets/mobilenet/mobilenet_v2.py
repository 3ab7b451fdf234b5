"""``nets.mobilenet.mobilenet_v2`` import path of research/slim; the code
lives in :mod:`slimkeras.nets.mobilenet_v2`."""

from slimkeras.nets.mobilenet_v2 import *  # noqa: F401,F403
from slimkeras.nets.mobilenet_v2 import __all__ as __all__  # noqa: F401
