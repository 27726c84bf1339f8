"""The `nimop` command: one entry point, one sub-command per job.

Sub-commands import their implementation lazily so `nimop version` or `nimop render` never pays
for (or depends on) the operator runtime. Expected failures (a missing kubeconfig, an
unreachable apiserver, an unreadable file, a misspelt setting) print one or two lines naming the
cause and the fix and exit non-zero; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

from nimop import __version__


def _cmd_version(_: argparse.Namespace) -> int:
    print(f"nimop {__version__}")
    return 0


def _cmd_crds(args: argparse.Namespace) -> int:
    from nimop.api.crdgen import write_published_api

    return write_published_api(Path(args.out), check=args.check)


def _cmd_render(args: argparse.Namespace) -> int:
    from nimop.render_cli import render_command

    return render_command(args)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from nimop.migrate import run_check

    return run_check(args.kubeconfig, args.context)


def _cmd_run(args: argparse.Namespace) -> int:
    from nimop.operator import main as run_operator
    from nimop.watch.flags import settings_from_args

    return run_operator(settings_from_args(args, os.environ))


Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _command(sub: Commands, name: str, **kw: str) -> argparse.ArgumentParser:
    """A sub-command that also takes ``--debug`` after its name."""
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of a failure")  # fmt: skip
    return sub.add_parser(name, parents=[debug], **kw)  # type: ignore[arg-type]


def _add_migrate(sub: Commands) -> None:
    migrate = sub.add_parser(
        "migrate", help="check a cluster that ran NVIDIA's NIM Operator (docs/migration.md)"
    )
    migrate.add_argument(
        "--check",
        action="store_true",
        required=True,
        help="read-only: list every blocker and the command that clears it",
    )
    migrate.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG)")
    migrate.add_argument("--context", help="kubeconfig context")
    migrate.set_defaults(func=_cmd_migrate)


def _add_render(sub: Commands) -> None:
    from nimop.render_cli import add_render_arguments

    render = _command(
        sub,
        "render", help="render CRs offline to the manifests nimop would apply (and check them)",
        description="Validate CRs as the apiserver would (schema, CEL rules, unknown fields) and "
        "render them to the objects nimop would apply; exit 1 when a CR is invalid or renders "
        "with a Failed problem.",
    )  # fmt: skip
    add_render_arguments(render)
    render.set_defaults(func=_cmd_render)


def _add_run(sub: Commands, *, flags: bool) -> None:
    run = _command(
        sub,
        "run", help="run the operator",
        description="Run the operator. Every setting is a flag (controller-runtime's names) or a "
        "NIMOP_* environment variable; a flag wins over its variable.",
    )  # fmt: skip
    if flags:  # the settings model imports the framework: only `nimop run` pays for it
        from nimop.watch.flags import add_setting_flags

        add_setting_flags(run)
    run.set_defaults(func=_cmd_run)


def build_parser(*, run_flags: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nimop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"nimop {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    sub = parser.add_subparsers(dest="command", required=True)
    _command(sub, "version", help="print the version").set_defaults(func=_cmd_version)
    crds = _command(sub, "crds", help="generate api/crds and api/schemas from the models")
    crds.add_argument("--out", default="api", help="the published API directory (default: api)")
    crds.add_argument("--check", action="store_true", help="fail if the committed files are stale")
    crds.set_defaults(func=_cmd_crds)
    _add_render(sub)
    _add_migrate(sub)
    _add_run(sub, flags=run_flags)
    return parser


def _command_name(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(run_flags=_command_name(argv) == "run").parse_args(argv)
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from nimop.cli_errors import explain

        known = explain(exc)
        if known is None or args.debug:
            raise
        message, code = known
        print(f"nimop {args.command}: error: {message}", file=sys.stderr)
        print("(run with --debug for the traceback)", file=sys.stderr)
        return code
    return result


if __name__ == "__main__":
    raise SystemExit(main())
