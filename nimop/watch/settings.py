"""Operator runtime settings, from ``NIMOP_*`` environment variables (pydantic-settings).

Lists accept JSON (``["a","b"]``) or commas (``a,b``). Defaults suit a developer laptop
(loopback endpoints, console logs when attached to a terminal); the Deployment manifest sets
the in-cluster values (``0.0.0.0`` binds, leader election on).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["WatchSettings"]

_SA_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


class WatchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIMOP_", extra="ignore")

    kubeconfig: Path | None = Field(None, description="kubeconfig path; unset = $KUBECONFIG, "
                                    "~/.kube/config, or in-cluster config")  # fmt: skip
    context: str | None = Field(None, description="kubeconfig context (default: current)")
    namespaces: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="namespaces to watch; empty = all namespaces"
    )
    workers: int = Field(8, ge=1, description="concurrent reconciles per controller")
    qps: float = Field(200.0, description="client-side request rate; <= 0 disables the limiter")
    burst: int = Field(400, ge=1, description="client-side burst above qps")
    request_timeout: float = Field(30.0, gt=0, description="seconds per API request")
    user_agent: str | None = Field(None, description="override the nimop/<version> User-Agent")
    resync_period: float = Field(10 * 3600.0, description="seconds between full re-reconciles")
    discovery_refresh: float = Field(60.0, gt=0, description="seconds between API discoveries")
    watch_crds: bool = Field(True, description="re-discover APIs whenever a CRD changes")

    leader_election: bool = Field(False, description="only the Lease holder runs controllers")
    lease_name: str = "nimop-leader"
    lease_namespace: str | None = Field(None, description="default: own namespace or 'default'")
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0

    metrics_bind_address: str = Field("127.0.0.1:8080", description="host:port; port 0 = any")
    health_bind_address: str = Field("127.0.0.1:8081", description="host:port; port 0 = any")
    shutdown_timeout: float = Field(25.0, description="bound on graceful stop after SIGTERM")
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("namespaces", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [n.strip() for n in text.split(",") if n.strip()]
        return value

    def effective_lease_namespace(self) -> str:
        if self.lease_namespace:
            return self.lease_namespace
        try:
            return _SA_NAMESPACE.read_text().strip() or "default"
        except OSError:
            return "default"

    @staticmethod
    def split_address(address: str) -> tuple[str, int]:
        host, _, port = address.rpartition(":")
        return host or "0.0.0.0", int(port)
