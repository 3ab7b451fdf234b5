"""Runs ``python -m slimkeras``'s ``main`` in this process."""

import io
from contextlib import redirect_stderr, redirect_stdout

from slimkeras.cli import main


def run_cli(*argv):
    """``(exit code, stdout, stderr)``; argparse's exit 2 included."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()
