"""``python -m slimkeras …``: see :mod:`slimkeras.cli`."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from slimkeras.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
