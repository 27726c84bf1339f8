"""Generate how nimop is installed — `deploy/base`, `deploy/overlays/*`, `deploy/olm` — and the
tables of docs/security.md and docs/operations.md, from the models (`nimop.api`), the
permission table (`nimop.permissions`), the settings model and the metrics registry.

`python -m nimop.deploygen` (or `make deploy`) writes the files; `--check` writes nothing and
exits 1 naming every stale or leftover file (the unit tests run it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from nimop.deploygen.docs import doc_files
from nimop.deploygen.kustomize import base_files, overlay_files
from nimop.deploygen.olm import bundle_files

#: Directories wholly owned by the generator: files in them that it no longer writes are stale.
OWNED_DIRS = ("deploy/base", "deploy/overlays", "deploy/olm")


def generated_files(root: Path) -> dict[Path, str]:
    deploy = root / "deploy"
    files = {**base_files(deploy / "base"), **overlay_files(deploy / "overlays"),
             **bundle_files(deploy / "olm", root / "api" / "examples")}
    files.update(doc_files(root))
    return files


def stale(root: Path, files: dict[Path, str]) -> list[Path]:
    out = [p for p, text in files.items() if not p.is_file() or p.read_text() != text]
    for sub in OWNED_DIRS:
        out += [p for p in sorted((root / sub).rglob("*")) if p.is_file() and p not in files]
    return out


def generate(root: Path, *, check: bool) -> int:
    """Write (or with `check`, verify) the generated files. 0 when up to date, 1 when stale."""
    files = generated_files(root)
    outdated = stale(root, files)
    if check:
        for path in outdated:
            print(f"stale: {path.relative_to(root)} (run `make deploy`)", file=sys.stderr)
        return 1 if outdated else 0
    for path in outdated:
        if path not in files:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path])
    return 0
