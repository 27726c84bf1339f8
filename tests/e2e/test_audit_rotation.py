"""The audit checks survive log rotation, exercised for real: the apiserver runs with a 1 MB
`--audit-log-maxsize`, and requests worth several megabytes rotate `audit.log` three times
under one open window.

The window then (a) still sees its own probe request ("saw requests" cannot pass vacuously
after a rotation: the probe is in the newest file), (b) holds every one of the numbered
requests sent across the rotations (nothing is lost between files), and (c) finds the writes
made before, between and after the rotations, so a "no writes" check over such a window is not
blind to the rotated files.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Iterator

import pytest

from tests.audit import WRITES, AuditWindow, ref
from tests.cluster import Cluster

#: A 1 MB log; backups enough that none of this window's files is removed.
ROTATING = ("--audit-log-maxsize=1", "--audit-log-maxbackup=6")
#: Padding in each numbered request's URI (logged as requestURI): ~4.5 KB per audit event.
PAD = "x" * 4000
ROTATIONS = 3


@pytest.fixture
def rotating_audit_log(cluster: Cluster) -> Iterator[None]:
    cluster.restart_apiserver(ROTATING)
    try:
        yield
    finally:
        # back to the cluster's log size; backups kept, so the windows opened before this test
        # (the autouse RBAC check's) still find their first file
        cluster.restart_apiserver(["--audit-log-maxbackup=6"])


class Admin:
    """Raw HTTPS requests as the cluster admin over one kept-alive connection (fast enough to
    write megabytes of audit log in seconds, which kubectl per request is not)."""

    def __init__(self, cluster: Cluster) -> None:
        pki = cluster.layout.pki
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        self.conn = http.client.HTTPSConnection(
            "127.0.0.1", cluster.ports["apiserver"], context=context, timeout=30
        )

    def request(self, method: str, path: str, body: str | None = None) -> int:
        headers = {"Content-Type": "application/json"} if body else {}
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return response.status

    def write(self, namespace: str, name: str) -> None:
        body = f'{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}"}}}}'
        status = self.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", body)
        assert status == 201, status


def rotated(cluster: Cluster) -> int:
    return len(list(cluster.layout.logs.glob("audit-*.log")))


@pytest.mark.disruptive
def test_audit_window_reads_across_three_rotations(
    cluster: Cluster, namespace: str, rotating_audit_log: None
) -> None:
    admin = Admin(cluster)
    admin.write(namespace, "written-first")  # the window's first file is a rotated one
    window = AuditWindow(cluster)
    admin.write(namespace, "before-rotations")
    backups, sent, wrote = rotated(cluster), 0, ["before-rotations"]
    while rotated(cluster) < backups + ROTATIONS:
        assert sent < 5000, "audit.log does not rotate at 1 MB"
        admin.request("GET", f"/api/v1/namespaces/{namespace}/configmaps/n-{sent}?pad={PAD}")
        sent += 1
        if sent % 200 == 0:
            wrote.append(f"between-{sent}")
            admin.write(namespace, wrote[-1])
    admin.write(namespace, "after-rotations")
    wrote.append("after-rotations")

    events = window.events()  # fails unless its probe, sent now, is in the newest file
    seen = {ref(e).get("name") for e in events}
    lost = [n for n in range(sent) if f"n-{n}" not in seen]
    assert not lost, f"{len(lost)} of {sent} requests not in the window (first {lost[:5]})"
    writes = [
        ref(e)["name"]
        for e in events
        if e["verb"] in WRITES and ref(e).get("namespace") == namespace
    ]
    assert writes == wrote, "a no-writes check over this window would miss writes"
    assert "written-first" not in seen, "the window starts where it was opened"
    print(f"{sent} requests ({sent * len(PAD) / 1e6:.1f} MB of URIs), {ROTATIONS} rotations, "
          f"{len(events)} events in the window")  # fmt: skip
