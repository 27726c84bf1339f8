"""The generated parts of the docs, between marker comments, so the prose around them is written
by hand and the tables never drift from the code: the RBAC table (docs/security.md, from
`nimop.permissions`), the settings and metrics tables (docs/operations.md, from the settings
model and the metrics registry)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nimop.permissions import PERMISSIONS, markdown_table
from nimop.watch.metrics import REGISTRY
from nimop.watch.settings import WatchSettings

END = "<!-- generated:{name} end -->"


def begin(name: str) -> str:
    return f"<!-- generated:{name} begin (python -m nimop.deploygen) -->"


def replace_block(text: str, name: str, content: str) -> str:
    """`text` with the block between the `name` markers replaced by `content`."""
    start, end = text.find(begin(name)), text.find(END.format(name=name))
    if start < 0 or end < start:
        raise ValueError(f"missing markers {begin(name)!r} / {END.format(name=name)!r}")
    return text[: start + len(begin(name))] + "\n\n" + content + "\n" + text[end:]


#: Meanings for settings the model leaves undescribed.
FALLBACK = {
    "lease_name": "name of the leader-election Lease",
    "lease_duration": "seconds a Lease is valid without renewal (client-go LeaseDuration)",
    "renew_deadline": "seconds the leader keeps trying to renew before it gives up",
    "retry_period": "seconds between acquire/renew attempts",
    "log_format": "`json`, `console`, or `auto` (JSON unless attached to a terminal)",
    "log_level": "`debug`, `info`, `warning` or `error`",
}


def settings_table() -> str:
    lines = ["| flag (`nimop run`) | variable | default | meaning |", "|---|---|---|---|"]
    for name, info in WatchSettings.model_fields.items():
        default = info.get_default(call_default_factory=True)
        if isinstance(default, list):
            shown = ",".join(default)
        elif isinstance(default, bool):
            shown = str(default).lower()
        else:
            shown = "" if default is None else str(default)
        value = f"`{shown}`" if shown else "(unset)"
        meaning = info.description or FALLBACK.get(name, "")
        flags = ", ".join(f"`{f}`" for f in WatchSettings.flags(name))
        lines.append(f"| {flags} | `{WatchSettings.env_name(name)}` | {value} | {meaning} |")
    return "\n".join(lines) + "\n"


def metrics_table() -> str:
    """The framework's metrics (process_* and python_* collectors left out)."""
    lines = ["| metric | type | meaning |", "|---|---|---|"]
    for family in sorted(REGISTRY.collect(), key=lambda f: f.name):
        if family.name.startswith(("process_", "python_")):
            continue
        name = f"{family.name}_total" if family.type == "counter" else family.name
        lines.append(f"| `{name}` | {family.type} | {family.documentation} |")
    return "\n".join(lines) + "\n"


BLOCKS: dict[str, list[tuple[str, Callable[[], str]]]] = {
    "docs/security.md": [("rbac", lambda: markdown_table(PERMISSIONS))],
    "docs/operations.md": [("settings", settings_table), ("metrics", metrics_table)],
}


def doc_files(root: Path) -> dict[Path, str]:
    out = {}
    for rel, blocks in BLOCKS.items():
        path = root / rel
        text = path.read_text() if path.is_file() else ""
        for name, make in blocks:
            text = replace_block(text, name, make())
        out[path] = text
    return out
