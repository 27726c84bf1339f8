"""The apiserver's audit log as tests read it: a window from "now" on that cannot lie.

Checks like "the operator wrote nothing" pass vacuously when the window read nothing at all (the
wrong file, an offset past a rotated file, events not flushed yet). So every read first sends a
probe request of its own and waits until the probe is in the window: a window that did not see
the probe fails loudly. The window also survives rotations of `audit.log` (the apiserver's
lumberjack backend renames it to `audit-<time>.log` and starts a new file): the rest of the
window's first file is read from the offset, then every later backup and the current file
whole (tests/e2e/test_audit_rotation.py rotates a 1 MB log three times under a window).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.cluster import Cluster

WRITES = frozenset({"create", "update", "patch", "delete", "deletecollection"})


class AuditWindow:
    """Audit events from construction on. `events()` filters by user-agent prefix or user."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.path: Path = cluster.layout.logs / "audit.log"
        stat = self.path.stat() if self.path.exists() else None
        self.inode = stat.st_ino if stat else None
        self.offset = stat.st_size if stat else 0

    def events(
        self, *, agents: Iterable[str] = (), users: Iterable[str] = (), probe: bool = True
    ) -> list[dict[str, Any]]:
        """ResponseComplete events in the window (of these agents/users when given); with
        `probe`, proven non-blind by a request of our own that must be in it."""
        marker = self._probe() if probe else None
        deadline = time.monotonic() + 15
        while True:
            events = self._parse(self._read())
            if marker is None or any(_name(e) == marker for e in events):
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the audit window of {self.path} did not see its own probe request "
                    f"({marker}): a check on it would pass vacuously"
                )
            time.sleep(0.3)
        wanted_agents, wanted_users = tuple(agents), set(users)
        return [
            e
            for e in events
            if _name(e) != marker
            and (not wanted_agents or str(e.get("userAgent", "")).startswith(wanted_agents))
            and (not wanted_users or e.get("user", {}).get("username") in wanted_users)
        ]

    def _probe(self) -> str:
        marker = f"audit-probe-{uuid.uuid4().hex[:10]}"
        self.cluster.kubectl(
            "get", "--raw", f"/api/v1/namespaces/default/configmaps/{marker}", check=False
        )
        return marker

    def _read(self) -> bytes:
        if not self.path.exists():
            return b""
        if self.inode is None or self.path.stat().st_ino == self.inode:
            return _tail(self.path, self.offset)
        # Rotated since the window opened: lumberjack's backups are named by rotation time, so
        # in name order they are the log's history. Ours from the offset, each later one whole,
        # then the current file.
        backups = sorted(self.path.parent.glob("audit-*.log"))
        first = next((i for i, p in enumerate(backups) if _inode(p) == self.inode), None)
        if first is None:
            raise AssertionError(
                "audit.log was rotated past the window's start and that file is gone "
                "(more rotations than --audit-log-maxbackup keeps)"
            )
        later = b"".join(_tail(p, 0) for p in backups[first + 1 :])
        return _tail(backups[first], self.offset) + later + _tail(self.path, 0)

    @staticmethod
    def _parse(data: bytes) -> list[dict[str, Any]]:
        out = []
        for line in data.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line being written
            if event.get("stage") == "ResponseComplete":
                out.append(event)
        return out


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:  # a backup removed by the apiserver meanwhile
        return None


def _tail(path: Path, offset: int) -> bytes:
    with path.open("rb") as f:
        f.seek(offset)
        return f.read()


def _name(event: dict[str, Any]) -> str:
    return str((event.get("objectRef") or {}).get("name") or "")


def code(event: dict[str, Any]) -> int:
    return int(event.get("responseStatus", {}).get("code", 0))


def ref(event: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = event.get("objectRef") or {}
    return found


def forbidden(events: Iterable[dict[str, Any]]) -> list[str]:
    """RBAC denials (403 with an authorization decision of `forbid`), as readable lines; a 403
    from admission (a namespace being deleted) is not one."""
    return [
        f"{e['verb']} {ref(e).get('apiGroup') or 'core'}/{ref(e).get('resource')}"
        f"{'/' + ref(e)['subresource'] if ref(e).get('subresource') else ''}"
        f" {ref(e).get('namespace') or '-'}/{ref(e).get('name') or '*'}"
        for e in events
        if code(e) == 403
        and e.get("annotations", {}).get("authorization.k8s.io/decision") == "forbid"
    ]


#: (apiGroup, resource[/subresource], RBAC verb): what one request needed from the authorizer.
Access = tuple[str, str, str]


def accesses(events: Iterable[dict[str, Any]]) -> set[Access]:
    """The RBAC (group, resource, verb) each resource request the authorizer allowed needed
    (whatever its outcome after that: a GET answered 404 was still authorized). A patch that
    created its object (server-side apply of a missing child, 201) was also authorized as
    `create`; requests without an objectRef (discovery) need no rule of ours."""
    out: set[Access] = set()
    for e in events:
        r = ref(e)
        allowed = e.get("annotations", {}).get("authorization.k8s.io/decision") == "allow"
        if not r.get("resource") or not allowed:
            continue
        resource = r["resource"] + (f"/{r['subresource']}" if r.get("subresource") else "")
        group = str(r.get("apiGroup") or "")
        out.add((group, resource, str(e["verb"])))
        if e["verb"] == "patch" and code(e) == 201:
            out.add((group, resource, "create"))
    return out
