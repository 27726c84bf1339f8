"""Kubernetes Events (``events.k8s.io/v1``), best effort.

Events are for humans; a failure to post one is logged, never raised, so it cannot fail a
reconcile (client-go's recorder drops events under pressure too). Controllers should emit on
transitions only - an event per reconcile is a write per reconcile.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Literal

import structlog

from .client import KubeClient
from .clock import Clock, SystemClock, micro_time
from .errors import KubeError
from .objects import ResourceRef, meta

__all__ = ["EVENTS", "EventRecorder"]

log = structlog.get_logger("nimop.watch.events")
EVENTS = ResourceRef("events.k8s.io", "v1", "Event", "events", True)


class EventRecorder:
    def __init__(
        self,
        client: KubeClient,
        *,
        reporting_controller: str = "nimop",
        reporting_instance: str = "nimop",
        clock: Clock | None = None,
    ) -> None:
        self._client = client
        self._controller = reporting_controller
        self._instance = reporting_instance
        self._clock = clock or SystemClock()

    async def record(
        self,
        regarding: Mapping[str, Any],
        *,
        type: Literal["Normal", "Warning"],
        reason: str,
        action: str,
        note: str,
    ) -> None:
        md = meta(regarding)
        namespace = md.get("namespace") or "default"
        event = {
            "apiVersion": EVENTS.api_version,
            "kind": "Event",
            # Event names are DNS subdomains (≤ 253): shorten a very long object name
            "metadata": {"name": f"{str(md.get('name'))[:200]}.{uuid.uuid4().hex[:16]}",
                         "namespace": namespace},
            "eventTime": micro_time(self._clock.wall()),
            "reportingController": self._controller,
            "reportingInstance": self._instance,
            "action": action,
            "reason": reason,
            "note": note[:1024],
            "type": type,
            "regarding": {
                "apiVersion": regarding.get("apiVersion"),
                "kind": regarding.get("kind"),
                "name": md.get("name"),
                "namespace": md.get("namespace"),
                "uid": md.get("uid"),
                "resourceVersion": md.get("resourceVersion"),
            },
        }  # fmt: skip
        try:
            await self._client.create(EVENTS, event)
        except KubeError as exc:
            log.warning("could not post event", reason=reason, error=repr(exc))
