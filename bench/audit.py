"""The apiserver's audit log (JSON lines, Metadata level): who asked for what, when.

Read incrementally from where the run started, surviving one rotation (the apiserver's
lumberjack renames `audit.log` to `audit-<time>.log`). Only lines that mention the users or
namespace of interest are decoded: the shared cluster's log also holds other people's tests.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
Event = dict[str, Any]


@dataclass
class AuditLog:
    path: Path
    needles: tuple[bytes, ...]
    events: dict[str, Event] = field(default_factory=dict)  # by auditID, last stage wins
    _inode: int = 0
    _offset: int = 0

    def mark(self) -> AuditLog:
        st = self.path.stat()
        self._inode, self._offset = st.st_ino, st.st_size
        return self

    def poll(self) -> None:
        """Read what was appended since the last call."""
        st = self.path.stat()
        if st.st_ino != self._inode:
            old = next(
                (p for p in self.path.parent.glob("audit-*.log") if p.stat().st_ino == self._inode),
                None,
            )
            if old is not None:
                self._read(old, self._offset)
            self._inode, self._offset = st.st_ino, 0
        self._offset = self._read(self.path, self._offset)

    def _read(self, path: Path, offset: int) -> int:
        with path.open("rb") as f:
            f.seek(offset)
            data = f.read()
        end = data.rfind(b"\n") + 1  # a half-written last line is read next time
        for line in data[:end].splitlines():
            if any(n in line for n in self.needles):
                ev = json.loads(line)
                self.events[ev["auditID"]] = ev
        return offset + end


def resource_of(ev: Mapping[str, Any]) -> str:
    ref = ev.get("objectRef") or {}
    res = str(ref.get("resource") or ev.get("requestURI", "?").split("?")[0])
    return f"{res}/{ref['subresource']}" if ref.get("subresource") else res


def received(ev: Mapping[str, Any]) -> str:
    return str(ev.get("requestReceivedTimestamp") or ev.get("stageTimestamp"))


def user(ev: Mapping[str, Any]) -> str:
    return str((ev.get("user") or {}).get("username", ""))


def summarize(events: Iterable[Event], *, ignore_leases: bool = False) -> dict[str, Any]:
    """Requests by verb, by `verb resource`, and the write count."""
    by_verb: Counter[str] = Counter()
    by_verb_resource: Counter[str] = Counter()
    writes = 0
    for ev in events:
        res = resource_of(ev)
        if ignore_leases and res == "leases":
            continue
        by_verb[ev["verb"]] += 1
        by_verb_resource[f"{ev['verb']} {res}"] += 1
        writes += ev["verb"] in WRITE_VERBS
    return {
        "total": sum(by_verb.values()),
        "writes": writes,
        "by_verb": dict(sorted(by_verb.items())),
        "by_verb_resource": dict(sorted(by_verb_resource.items())),
    }


def window(events: Iterable[Event], start: str, end: str) -> list[Event]:
    """Events whose request arrived in [start, end) (RFC 3339 UTC strings compare as text)."""
    return [ev for ev in events if start <= received(ev) < end]


def brief(ev: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an event worth quoting as evidence."""
    ref = ev.get("objectRef") or {}
    return {
        "time": received(ev),
        "user": user(ev),
        "verb": ev.get("verb"),
        "resource": resource_of(ev),
        "namespace": ref.get("namespace"),
        "name": ref.get("name"),
        "code": (ev.get("responseStatus") or {}).get("code"),
        "userAgent": ev.get("userAgent"),
    }


def needles_for(users: Iterable[str], namespace: str) -> tuple[bytes, ...]:
    return (
        *(f'"username":"{u}"'.encode() for u in users),
        f'"namespace":"{namespace}"'.encode(),
    )


def size(path: Path) -> int:
    return os.stat(path).st_size if path.exists() else 0
