"""The slim net zoo. Importing this package registers every net."""

from slimkeras.nets.registry import NetSpec as NetSpec
from slimkeras.nets.registry import create_model as create_model
from slimkeras.nets.registry import get_net as get_net
from slimkeras.nets.registry import list_nets as list_nets
from slimkeras.nets.registry import register_net as register_net
