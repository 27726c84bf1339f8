"""The `nimop` command: one entry point, one sub-command per job.

Sub-commands import their implementation lazily so `nimop version` or `nimop render` never pays
for (or depends on) the operator runtime.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from nimop import __version__


def _cmd_version(_: argparse.Namespace) -> int:
    print(f"nimop {__version__}")
    return 0


def _cmd_crds(args: argparse.Namespace) -> int:
    from nimop.api.crdgen import write_published_api

    return write_published_api(Path(args.out), check=args.check)


def _cmd_render(args: argparse.Namespace) -> int:
    from nimop.offline import render_files

    facts = Path(args.facts) if args.facts else None
    sys.stdout.write(render_files([Path(f) for f in args.file], facts))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from nimop.operator import main as run_operator

    return run_operator()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nimop", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("version", help="print the version").set_defaults(func=_cmd_version)

    crds = sub.add_parser("crds", help="generate api/crds and api/schemas from the models")
    crds.add_argument("--out", default="api", help="the published API directory (default: api)")
    crds.add_argument("--check", action="store_true", help="fail if the committed files are stale")
    crds.set_defaults(func=_cmd_crds)

    render = sub.add_parser("render", help="render CRs offline to the manifests nimop would apply")
    render.add_argument("-f", "--file", action="append", required=True, help="a YAML file of CRs")
    render.add_argument("--facts", help="a YAML file of cluster facts (default: a vanilla cluster)")
    render.set_defaults(func=_cmd_render)

    run = sub.add_parser("run", help="run the operator (settings from NIMOP_* environment)")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
