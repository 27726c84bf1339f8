"""`nimop render` for people and for CI: check CRs as admission would, render the valid ones,
report every finding on stderr, and exit non-zero when a CR is invalid or renders ``Failed``.

Exit codes: 0 all CRs are valid and render without a ``Failed`` problem (``NotReady`` problems
are warnings); 1 a CR is invalid — unknown fields included, as ``kubectl``'s default
``--validate=strict`` makes them — or has a ``Failed`` problem (``--exit-zero`` turns this off);
2 the input cannot be read.
The rendered YAML goes to stdout as before, findings also as YAML comments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nimop.cli_errors import USAGE, UserError

__all__ = ["Findings", "add_render_arguments", "render_command"]

API_GROUP = "apps.nvidia.com/"


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--file", action="append", required=True,
                        help="a YAML file of CRs ('-' = stdin); repeatable")  # fmt: skip
    parser.add_argument("--facts", help="a YAML file of cluster facts (default: a vanilla cluster)")
    parser.add_argument("-n", "--namespace",
                        help="namespace of CRs that name none (default: 'default'); a CR naming "
                        "another namespace is an error, as with kubectl")  # fmt: skip
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when a CR is invalid or renders with a Failed problem",
    )
    parser.add_argument(
        "--validate",
        choices=("strict", "warn", "ignore"),
        default="strict",
        help="unknown fields: errors (strict, kubectl's default), warnings (warn) or nothing "
        "(ignore); the schema and CEL rules are always checked",
    )


@dataclass
class Findings:
    """What `nimop render` found, per CR (``Kind ns/name``)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def warning(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")


def is_nimop(doc: dict[str, Any]) -> bool:
    return str(doc.get("apiVersion", "")).startswith(API_GROUP)


def describe(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata") or {}
    return f"{doc.get('kind')} {meta.get('namespace') or 'default'}/{meta.get('name')}"


def read_documents(files: Iterable[str]) -> list[dict[str, Any]]:
    """Every mapping document of the files; unreadable files and bad YAML are usage errors."""
    import yaml

    from nimop.offline import load_documents

    docs: list[dict[str, Any]] = []
    for name in files:
        if name == "-":
            docs += [d for d in yaml.safe_load_all(sys.stdin) if isinstance(d, dict)]
            continue
        path = Path(name)
        if not path.is_file():
            cause = "is a directory" if path.is_dir() else "does not exist"
            raise UserError(f"{name} {cause}. Fix: pass a YAML file with -f", USAGE)
        docs += load_documents([path])
    return docs


def apply_namespace(docs: list[dict[str, Any]], namespace: str | None, found: Findings) -> None:
    """kubectl's rule for ``-n``: fill it in where absent; a different one is an error."""
    if namespace is None:
        return
    for doc in docs:
        if not is_nimop(doc):
            continue
        meta = doc.setdefault("metadata", {})
        if meta.get("namespace") not in (None, namespace):
            found.error(describe(doc), f"metadata.namespace {meta['namespace']!r} does not match "
                        f"--namespace {namespace!r}. Fix: drop one of them")  # fmt: skip
        meta.setdefault("namespace", namespace)


def admit(docs: list[dict[str, Any]], found: Findings, validate: str) -> list[dict[str, Any]]:
    """The documents to render: every non-nimop object, and each nimop CR that passes
    admission, as the apiserver would store it (unknown fields pruned, defaults applied)."""
    from nimop.admission import review

    out = []
    for doc in docs:
        if not is_nimop(doc):
            out.append(doc)
            continue
        where = describe(doc)
        verdict = review(doc, strict=validate == "strict")
        for message in verdict.errors:
            found.error(where, message)
        if validate == "warn":
            found.warnings += [f'{where}: unknown field "{path}" (the apiserver drops it). Fix: '
                               "remove it or correct its spelling" for path in verdict.unknown]
        if verdict.errors or any(e.startswith(f"{where}: ") for e in found.errors):
            continue
        problem = _model_problem(verdict.admitted)
        if problem:
            found.error(where, problem)
        else:
            out.append(verdict.admitted)
    return out


def _model_problem(doc: dict[str, Any]) -> str | None:
    """What the API models refuse in an admitted object (they should refuse nothing more)."""
    from pydantic import ValidationError

    from nimop.offline import validated

    try:
        validated(doc)
    except ValidationError as exc:
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return None


def render_command(args: argparse.Namespace) -> int:
    from nimop.offline import load_facts, render_documents

    found = Findings()
    docs = read_documents(args.file)
    facts = load_facts(Path(args.facts)) if args.facts else load_facts(None)
    apply_namespace(docs, args.namespace, found)
    valid = admit(docs, found, args.validate)

    def on_result(where: str, result: Any) -> None:
        for p in result.problems:
            report = found.error if p.failed else found.warning
            report(where, f"{'Failed' if p.failed else 'NotReady'} {p.reason}: {p.message}")

    sys.stdout.write("---\n".join(render_documents(valid, facts, on_result=on_result)))
    for line in found.errors:
        print(f"nimop render: error: {line}", file=sys.stderr)
    for line in found.warnings:
        print(f"nimop render: warning: {line}", file=sys.stderr)
    failed = bool(found.errors)
    return 1 if failed and not args.exit_zero else 0
