"""Generated files, written or checked one way everywhere: the published API (`nimop crds`),
the Kubernetes core types (`python -m nimop.api.gen_core`) and the install manifests
(`python -m nimop.deploygen`). A generator produces every file it owns as text; `--check`
writes nothing and names what is stale — different, missing, or left over from an older
generation — so a test can fail on generated noise nobody regenerated."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path


def outdated(files: Mapping[Path, str], existing: Iterable[Path]) -> list[Path]:
    """Files whose content differs from `files`, plus `existing` files no longer generated."""
    out = [p for p, text in files.items() if not p.is_file() or p.read_text() != text]
    return out + [p for p in existing if p not in files]


def write_or_check(
    files: Mapping[Path, str],
    existing: Iterable[Path],
    *,
    check: bool,
    hint: str,
    show: Callable[[Path], object] = str,
) -> int:
    """Bring the files up to date (or with `check` only report, naming `hint` as the fix).
    Returns 0 when they are (now) current, 1 when `check` found stale files."""
    stale = outdated(files, existing)
    if check:
        for path in stale:
            print(f"stale: {show(path)} (run `{hint}`)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        if path not in files:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path])
    return 0
