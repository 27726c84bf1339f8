"""`python -m tests.tools build|path NAME...`: build (once) or locate pinned tools."""

from __future__ import annotations

import argparse
import sys

from tests.tools import ToolBuildError, ensure, path_of
from tests.tools.catalog import TOOLS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools", description=__doc__)
    parser.add_argument("command", choices=["build", "path"])
    parser.add_argument("names", nargs="*", help=f"tools (default: all of {sorted(TOOLS)})")
    args = parser.parse_args(argv)
    for name in args.names or sorted(TOOLS):
        if name not in TOOLS:
            parser.error(f"unknown tool {name!r}; known: {', '.join(sorted(TOOLS))}")
        try:
            print(ensure(TOOLS[name]) if args.command == "build" else path_of(TOOLS[name]))
        except ToolBuildError as err:
            print(err, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
