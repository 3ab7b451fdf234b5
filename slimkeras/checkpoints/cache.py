"""Where slimkeras keeps downloaded and extracted checkpoints.

``$SLIMKERAS_HOME`` if set, else ``slimkeras`` under the Keras cache
(``$KERAS_HOME``, default ``~/.keras``).
"""

from __future__ import annotations

import os

__all__ = ["cache_root"]


def cache_root() -> str:
    """The slimkeras cache directory (not created here)."""
    home = os.environ.get("SLIMKERAS_HOME")
    if home:
        return os.path.abspath(os.path.expanduser(home))
    keras_home = os.environ.get(
        "KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras")
    )
    return os.path.join(os.path.abspath(keras_home), "slimkeras")
