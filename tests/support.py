"""Small helpers for tests that talk to the local cluster through kubectl."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import yaml

from tests.cluster import Cluster

T = TypeVar("T")


def eventually(
    check: Callable[[], T | None], *, timeout: float = 60, interval: float = 0.5, what: str = ""
) -> T:
    """Poll `check` until it returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(
        f"timed out after {timeout}s waiting for {what or check!r}; last value: {last!r}"
    )


def get(
    cluster: Cluster, kind: str, name: str, namespace: str | None = None
) -> dict[str, Any] | None:
    """The object as JSON, or None when it does not exist."""
    ns = ["-n", namespace] if namespace else []
    result = cluster.kubectl("get", kind, name, *ns, "-o", "json", check=False)
    if result.returncode != 0:
        if "NotFound" in result.stderr or "not found" in result.stderr:
            return None
        raise AssertionError(result.stderr)
    obj: dict[str, Any] = json.loads(result.stdout)
    return obj


def items(
    cluster: Cluster, kind: str, namespace: str | None = None, selector: str | None = None
) -> list[dict[str, Any]]:
    args = ["get", kind, "-o", "json"]
    args += ["-n", namespace] if namespace else ["-A"]
    args += ["-l", selector] if selector else []
    found: list[dict[str, Any]] = json.loads(cluster.kubectl(*args).stdout)["items"]
    return found


def apply(cluster: Cluster, namespace: str | None, *manifests: dict[str, Any]) -> None:
    ns = ["-n", namespace] if namespace else []
    cluster.kubectl(
        "apply", "--server-side", *ns, "-f", "-", input=yaml.safe_dump_all(list(manifests))
    )


def condition(obj: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    """The status condition of type `kind`, if any."""
    for cond in (obj or {}).get("status", {}).get("conditions", []) or []:
        if cond.get("type") == kind:
            found: dict[str, Any] = cond
            return found
    return None
