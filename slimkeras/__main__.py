"""``python -m slimkeras [demo]``: the package's command line."""

from __future__ import annotations

import sys


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv and not argv[0].startswith("-") else "demo"
    if command == "demo":
        from slimkeras import demo

        demo.main(argv)
        return 0
    print(f"slimkeras: unknown command {command!r}. Commands: demo",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
