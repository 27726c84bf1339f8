"""`python -m nimop.deploygen [--check] [--root DIR]`, or a bundle for a release image:
`python -m nimop.deploygen --bundle-image REPO@sha256:... --bundle-output DIR`."""

from __future__ import annotations

import argparse
from pathlib import Path

from nimop.deploygen import generate
from nimop.deploygen.olm import CREATED_AT, bundle_files


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m nimop.deploygen",
                                     description="generate deploy/ and the docs' tables")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail naming stale files")
    parser.add_argument("--root", default=".", help="the repository root (default: .)")
    parser.add_argument("--bundle-image", metavar="IMAGE",
                        help="write only an OLM bundle for IMAGE (by digest for disconnected "
                             "clusters) into --bundle-output")
    parser.add_argument("--bundle-output", metavar="DIR", type=Path,
                        help="where --bundle-image writes the bundle")
    parser.add_argument("--created-at", default=CREATED_AT,
                        help=f"the CSV's createdAt (default: {CREATED_AT})")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    if args.bundle_image:
        if args.bundle_output is None:
            parser.error("--bundle-image needs --bundle-output DIR")
        files = bundle_files(args.bundle_output, root / "api" / "examples",
                             args.bundle_image, args.created_at)
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return 0
    return generate(root, check=args.check)


if __name__ == "__main__":
    raise SystemExit(main())
