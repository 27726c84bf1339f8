"""Container environment variables: plain, from a Secret or a field, and the merge rule where
the user's value wins (§0 C5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def env_var(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "value": value}


def secret_env(name: str, secret: str, key: str, *, optional: bool = False) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": secret, "key": key}
    if optional:
        ref["optional"] = True
    return {"name": name, "valueFrom": {"secretKeyRef": ref}}


def field_env(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


def merge_env(
    base: Sequence[Mapping[str, Any]], override: Sequence[Mapping[str, Any]] | None
) -> list[dict[str, Any]]:
    """Override wins by name (C5). Order: base order (with overridden values), then new names.

    Upstream lists override entries first; we keep base order so a user variable can reference a
    standard one with `$(VAR)` (Kubernetes expands only earlier variables) and output is stable.
    """
    over = {e["name"]: dict(e) for e in override or []}
    out = [over.pop(e["name"], dict(e)) for e in base]
    out.extend(over.values())
    return out


def set_default_env(env: list[dict[str, Any]], extra: Iterable[Mapping[str, Any]]) -> None:
    """Append each of `extra` unless a variable of that name exists (the existing one wins)."""
    names = {e["name"] for e in env}
    env.extend(dict(e) for e in extra if e["name"] not in names)
