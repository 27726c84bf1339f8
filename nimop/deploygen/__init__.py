"""Generate how nimop is installed — `deploy/base`, `deploy/overlays/*`, `deploy/olm`,
`deploy/helm/nimop` — and the
tables of docs/security.md and docs/operations.md, from the models (`nimop.api`), the
permission table (`nimop.permissions`), the settings model and the metrics registry.

`python -m nimop.deploygen` (or `make deploy`) writes the files; `--check` writes nothing and
exits 1 naming every stale or leftover file (the unit tests run it).
"""

from __future__ import annotations

from pathlib import Path

from nimop.deploygen.docs import doc_files
from nimop.deploygen.helm import chart_files
from nimop.deploygen.kustomize import base_files, overlay_files
from nimop.deploygen.olm import bundle_files
from nimop.generated import write_or_check

#: Directories wholly owned by the generator: files in them that it no longer writes are stale.
OWNED_DIRS = ("deploy/base", "deploy/overlays", "deploy/olm", "deploy/helm")


def generated_files(root: Path) -> dict[Path, str]:
    deploy = root / "deploy"
    files = {
        **base_files(deploy / "base"),
        **overlay_files(deploy / "overlays"),
        **bundle_files(deploy / "olm", root / "api" / "examples"),
        **chart_files(deploy / "helm" / "nimop"),
    }
    files.update(doc_files(root))
    return files


def generate(root: Path, *, check: bool) -> int:
    """Write (or with `check`, verify) the generated files. 0 when up to date, 1 when stale."""
    existing = [p for sub in OWNED_DIRS for p in sorted((root / sub).rglob("*")) if p.is_file()]
    return write_or_check(
        generated_files(root), existing, check=check, hint="make deploy",
        show=lambda p: p.relative_to(root),
    )  # fmt: skip
