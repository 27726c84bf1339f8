"""`python -m nimop.deploygen [--check] [--root DIR]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from nimop.deploygen import generate


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m nimop.deploygen",
                                     description="generate deploy/ and docs/security.md")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail naming stale files")
    parser.add_argument("--root", default=".", help="the repository root (default: .)")
    args = parser.parse_args()
    return generate(Path(args.root).resolve(), check=args.check)


if __name__ == "__main__":
    raise SystemExit(main())
